"""Starting the window like a desktop app: one line without a display, one window per library.

The decision of :func:`ui.display_check.display_problem` is checked for each shape
of environment; its probes are checked for real (the system's loader, an X server
when ``Xvfb`` is installed). ``newsdigest`` itself runs as a real process: without a
display it prints one line and exits 1 where Qt used to abort with a core dump; and a
second start on a library whose window is open (a real window, offscreen) brings that
window forward and exits 0, also after the first window was killed and left its socket
file behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from helpers.waiting import wait_for

from ui.display_check import (
    NO_DISPLAY,
    QT_LIBRARIES,
    XCB_LIBRARIES,
    display_problem,
    library_loads,
    qt_load_problem,
    requested_platforms,
    x_display_answers,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux libraries")
has_display_checks = pytest.mark.skipif(
    sys.platform in ("win32", "darwin"), reason="macOS and Windows always have a display"
)
CRASH_SIGNS = ("core dumped", "Aborted", "Traceback", "qt.qpa")


def every_library_loads(_name: str) -> bool:
    return True


def every_display_answers(_display: str) -> bool:
    return True


class Probes:
    """Probes that answer as told and remember what they were asked."""

    def __init__(self, missing: tuple[str, ...] = (), answering: bool = True) -> None:
        self.missing, self.answering = missing, answering
        self.loaded: list[str] = []
        self.connected: list[str] = []

    def loads(self, name: str) -> bool:
        self.loaded.append(name)
        return name not in self.missing

    def answers(self, display: str) -> bool:
        self.connected.append(display)
        return self.answering

    def problem(self, platform: str, env: dict[str, str]) -> str | None:
        return display_problem(platform, env, loads=self.loads, answers=self.answers)


# -- the decision ---------------------------------------------------------------------------
@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_macos_and_windows_are_never_checked(platform: str) -> None:
    probes = Probes(missing=tuple(XCB_LIBRARIES), answering=False)
    assert probes.problem(platform, {}) is None
    assert probes.loaded == [] and probes.connected == []


@pytest.mark.parametrize("platform", ["linux", "freebsd14", "openbsd7"])
@pytest.mark.parametrize("qpa", [None, "", "xcb", "wayland", "wayland;xcb"])
def test_no_display_at_all_is_the_one_line(platform: str, qpa: str | None) -> None:
    env = {} if qpa is None else {"QT_QPA_PLATFORM": qpa}
    probes = Probes()
    assert probes.problem(platform, env) == NO_DISPLAY
    assert probes.loaded == [] and probes.connected == []


def test_the_no_display_line_is_the_one_the_user_is_promised() -> None:
    assert NO_DISPLAY == (
        "newsdigest: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); "
        "the command line works without one: newsdigest --help"
    )
    assert "\n" not in NO_DISPLAY


@pytest.mark.parametrize(
    "qpa",
    ["offscreen", "minimal", "minimalegl", "vnc", "vnc:size=800x600", "eglfs", "linuxfb",
     "vkkhrdisplay", "OFFSCREEN", "xcb;offscreen", " offscreen "],
)  # fmt: skip
def test_platforms_that_need_no_display_start_without_one(qpa: str) -> None:
    probes = Probes(missing=tuple(XCB_LIBRARIES), answering=False)
    assert probes.problem("linux", {"QT_QPA_PLATFORM": qpa}) is None
    assert probes.loaded == [] and probes.connected == []


def test_platform_names_are_read_with_their_options_and_fallbacks() -> None:
    assert requested_platforms(None) == []
    assert requested_platforms(" ; ") == []
    assert requested_platforms("wayland;xcb") == ["wayland", "xcb"]
    assert requested_platforms("vnc:size=800x600,depth=24") == ["vnc"]
    assert requested_platforms("Windows:altgr") == ["windows"]


def test_wayland_is_left_to_qt() -> None:
    for env in (
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},  # Qt may go Wayland, or fall back
        {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"},
    ):
        probes = Probes(missing=tuple(XCB_LIBRARIES), answering=False)
        assert probes.problem("linux", env) is None, env
        assert probes.loaded == [] and probes.connected == []


def test_an_x_display_with_everything_installed_and_answering_starts() -> None:
    probes = Probes()
    assert probes.problem("linux", {"DISPLAY": ":0"}) is None
    assert probes.loaded == list(XCB_LIBRARIES)
    assert probes.connected == [":0"]


def test_missing_xcb_libraries_are_named_with_their_debian_packages() -> None:
    probes = Probes(missing=("libxcb-cursor.so.0", "libxkbcommon-x11.so.0"))
    line = probes.problem("linux", {"DISPLAY": ":0"})
    assert line is not None and "\n" not in line
    assert line.startswith("newsdigest: the window cannot open on the X display :0")
    assert "libxcb-cursor.so.0, libxkbcommon-x11.so.0" in line
    assert "sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0;" in line
    assert line.endswith("newsdigest --help")
    assert probes.connected == []  # not worth connecting: the plugin could not load


def test_an_x_display_qt_is_told_to_use_is_checked_even_beside_wayland() -> None:
    probes = Probes(missing=("libxcb-icccm.so.4",))
    env = {"DISPLAY": ":1", "WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}
    line = probes.problem("linux", env)
    assert line is not None and "libxcb-icccm4" in line


def test_an_x_display_that_does_not_answer_is_named() -> None:
    probes = Probes(answering=False)
    line = probes.problem("linux", {"DISPLAY": "localhost:10.0"})
    assert line == (
        "newsdigest: the X display localhost:10.0 (DISPLAY) does not answer, so the window "
        "cannot open on it; the command line works without one: newsdigest --help"
    )


def test_on_the_bsds_the_display_is_asked_but_debian_packages_are_not() -> None:
    probes = Probes(missing=tuple(XCB_LIBRARIES))
    assert probes.problem("freebsd14", {"DISPLAY": ":0"}) is None
    assert probes.loaded == [] and probes.connected == [":0"]


def test_the_readme_names_the_packages_a_bare_debian_needed() -> None:
    x_display = ("libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
                 "libxcb-render-util0", "libxcb-shape0", "libxkbcommon-x11-0")  # fmt: skip
    assert set(x_display) <= set(XCB_LIBRARIES.values())
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for package in {*x_display, *QT_LIBRARIES.values()}:
        assert package in readme


def test_a_library_qt_cannot_load_is_named_with_its_package() -> None:
    line = qt_load_problem(
        "libglib-2.0.so.0: cannot open shared object file: No such file or directory"
    )
    assert line.startswith("newsdigest: Qt cannot load (libglib-2.0.so.0: cannot open")
    assert "on Debian or Ubuntu it is in libglib2.0-0" in line
    assert line.endswith("the command line works without them: newsdigest --help")
    other = qt_load_problem("DLL load failed while importing QtCore:\nnot found")
    assert "\n" not in other and "Debian" not in other and "README" in other


# -- the probes, for real -------------------------------------------------------------------
@linux_only
def test_the_loader_probe_loads_what_exists_and_not_what_does_not() -> None:
    assert library_loads("libc.so.6")
    assert not library_loads("libnewsdigest-no-such-library.so.0")


@linux_only
def test_the_xcb_plugin_libraries_are_the_ones_qt_links() -> None:
    """Every library of the list is one Qt's xcb plugin needs (objdump reads the plugin)."""
    objdump = shutil.which("objdump")
    if objdump is None:
        pytest.skip("objdump (binutils) is not installed")
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    dump = subprocess.run([objdump, "-p", str(plugin)], capture_output=True, text=True, check=True)
    needed = {line.split()[1] for line in dump.stdout.splitlines() if "NEEDED" in line}
    runtime = {"libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6"}
    assert {n for n in needed if not n.startswith("libQt6")} - runtime == set(XCB_LIBRARIES)


@linux_only
def test_an_x_display_nobody_serves_does_not_answer() -> None:
    assert not x_display_answers(f":{free_display_number()}")


@linux_only
def test_a_real_x_server_answers_and_passes_the_check() -> None:
    with xvfb() as display:
        assert x_display_answers(display)
        if all(library_loads(name) for name in XCB_LIBRARIES):
            assert display_problem("linux", {"DISPLAY": display}) is None


def free_display_number() -> int:
    """An X display number with no server: no socket file in /tmp/.X11-unix."""
    taken = {p.name[1:] for p in Path("/tmp/.X11-unix").glob("X*")}
    return next(n for n in range(1900, 2000) if str(n) not in taken)


@pytest.fixture
def no_display_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    env["NEWSDIGEST_LIBRARY"] = str(tmp_path / "library.json")
    return env


class xvfb:  # a context manager, named like open()
    """A real X server (Xvfb) on a free display; ``-displayfd`` says when it is ready."""

    def __enter__(self) -> str:
        program = shutil.which("Xvfb")
        if program is None:
            pytest.skip("Xvfb is not installed")
        read, write = os.pipe()
        self.process = subprocess.Popen(
            [program, "-displayfd", str(write), "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as ready:
            number = ready.readline().strip()  # written once the server accepts clients
        assert number, "Xvfb did not start"
        return f":{number}"

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# -- newsdigest, for real -------------------------------------------------------------------
def newsdigest(*args: str) -> list[str]:
    """The installed ``newsdigest`` command (``python -m composer`` where there is none)."""
    script = Path(sys.executable).with_name("newsdigest.exe" if os.name == "nt" else "newsdigest")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "composer", *args]


@has_display_checks
def test_without_a_display_newsdigest_says_so_in_one_line_and_exits_1(
    no_display_env: dict[str, str], tmp_path: Path
) -> None:
    for argv in (newsdigest(), newsdigest("gui")):
        result = subprocess.run(
            argv, capture_output=True, text=True, env=no_display_env, cwd=tmp_path, timeout=120
        )
        assert result.returncode == 1, result.stderr
        assert result.stderr == NO_DISPLAY + "\n"
        assert result.stdout == ""
        assert not any(sign in result.stderr for sign in CRASH_SIGNS)
        assert not (tmp_path / "library.json").exists()  # nothing was opened


@linux_only
def test_with_an_x_display_that_does_not_answer_newsdigest_says_which(
    no_display_env: dict[str, str], tmp_path: Path
) -> None:
    display = f":{free_display_number()}"
    result = subprocess.run(
        newsdigest(),
        capture_output=True,
        text=True,
        env={**no_display_env, "DISPLAY": display},
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1
    if all(library_loads(name) for name in XCB_LIBRARIES):
        assert result.stderr.startswith(f"newsdigest: the X display {display} (DISPLAY) does not")
    else:  # a machine without the X libraries: the packages are named instead
        assert "sudo apt-get install" in result.stderr
    assert not any(sign in result.stderr for sign in CRASH_SIGNS)


# -- one window per library ------------------------------------------------------------------
@pytest.fixture
def window_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Offscreen windows whose sockets go in a short private folder (this test's own)."""
    with tempfile.TemporaryDirectory(prefix="nd-") as runtime:
        monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            NEWSDIGEST_LIBRARY=str(tmp_path / "library.json"),
            NEWSDIGEST_SETTINGS=str(tmp_path / "settings.ini"),
            NEWSDIGEST_LOG_DIR=str(tmp_path / "logs"),
        )
        yield env


def log_text(tmp_path: Path) -> str:
    path = tmp_path / "logs" / "newsdigest.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kills a window the Unix way")
def test_a_second_start_raises_the_window_even_after_a_crashed_one(
    window_env: dict[str, str], tmp_path: Path
) -> None:
    pytest.importorskip("PySide6.QtNetwork")
    from store import resolve_library_path
    from ui.app import ALREADY_OPEN
    from ui.single_instance import server_name, window_answers

    name = server_name(str(resolve_library_path(tmp_path / "library.json")))
    sheet = tmp_path / "handed.csv"
    sheet.write_text("title,date,category\nHarbour crane restored,2024-09-02,Heritage\n")
    windows: list[subprocess.Popen[str]] = []

    def open_window(*args: str) -> None:
        window = subprocess.Popen(
            newsdigest("gui", *args), env=window_env, cwd=tmp_path, text=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        windows.append(window)
        wait_for(lambda: window_answers(name) or window.poll() is not None, "the window")
        assert window.poll() is None, "the window did not start"

    def imports_of(source: Path) -> int:
        """Previews of ``source``: at once, or after the first-run setup a new library offers."""
        said = ("previewing the import of", "to import once the open dialog is closed:")
        lines = [line for line in log_text(tmp_path).splitlines() if line.endswith(f" {source}")]
        return sum(1 for line in lines if any(words in line for words in said))

    def second_start(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            newsdigest("gui", *args), env=window_env, cwd=tmp_path,
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    try:
        open_window()
        second = second_start("handed.csv")  # relative: made absolute by the second start
        assert (second.returncode, second.stdout, second.stderr) == (0, ALREADY_OPEN + "\n", "")
        wait_for(lambda: imports_of(sheet) == 1, "the import preview")
        assert f"a second start brought the window to the front, with {sheet}" in log_text(tmp_path)

        windows[0].send_signal(signal.SIGKILL)  # a crash: the socket file stays behind
        windows[0].wait(timeout=60)
        if Path(name).is_absolute():
            assert Path(name).exists() and not window_answers(name)
        open_window("handed.csv")  # the stale name does not block the next window
        wait_for(lambda: imports_of(sheet) == 2, "the import preview of a first start")
        third = second_start()
        assert (third.returncode, third.stdout) == (0, ALREADY_OPEN + "\n"), third.stderr
    finally:
        for window in windows:
            if window.poll() is None:
                window.kill()
                window.wait(timeout=60)


@pytest.mark.slow
@linux_only
def test_on_a_real_x_display_the_window_opens_and_a_second_start_raises_it(
    window_env: dict[str, str], tmp_path: Path
) -> None:
    """The checks never refuse an X display that works: the window opens there, on xcb."""
    pytest.importorskip("PySide6.QtNetwork")
    from store import resolve_library_path
    from ui.app import ALREADY_OPEN
    from ui.single_instance import server_name, window_answers

    name = server_name(str(resolve_library_path(tmp_path / "library.json")))
    with xvfb() as display:
        env = {**window_env, "DISPLAY": display}
        for key in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY"):
            env.pop(key, None)
        errors = tmp_path / "window-stderr.txt"
        with errors.open("w") as stderr:
            window = subprocess.Popen(
                newsdigest(), env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=stderr
            )
        try:
            wait_for(lambda: window_answers(name) or window.poll() is not None, "the window")
            assert window.poll() is None, errors.read_text()
            second = subprocess.run(
                newsdigest(), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
            )
            assert (second.returncode, second.stdout) == (0, ALREADY_OPEN + "\n"), second.stderr
        finally:
            window.kill()
            window.wait(timeout=60)
