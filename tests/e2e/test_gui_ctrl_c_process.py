"""Ctrl-C in the terminal of a real ``newsdigest gui`` (offscreen): closed cleanly, exit 130.

The window runs as its own process on a library file in the test's folder, with its
single-instance socket in a short private folder. Once it is up (it answers on its
socket, and its log says the window was shown), the test sends it SIGINT, as a
terminal's Ctrl-C does: it exits 130 within a few seconds, says so in one line (no
traceback), the log says it closed as File → Quit does, the library's file is intact
and unlocked (another library object opens it for writing), and the socket is gone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.digest_samples import january_items
from helpers.waiting import wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="a console's Ctrl-C is not a kill here"),
]


@pytest.fixture
def window_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="nd-") as runtime:
        monkeypatch.setenv("XDG_RUNTIME_DIR", runtime)  # where this test looks for the socket
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            NEWSDIGEST_LIBRARY=str(tmp_path / "library.json"),
            NEWSDIGEST_SETTINGS=str(tmp_path / "settings.ini"),
            NEWSDIGEST_LOG_DIR=str(tmp_path / "logs"),
            XDG_RUNTIME_DIR=runtime,
        )
        yield env


def newsdigest(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("newsdigest")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "composer", *args]


def log_text(tmp_path: Path) -> str:
    path = tmp_path / "logs" / "newsdigest.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_sigint_closes_the_window_like_quit_and_exits_130(
    window_env: dict[str, str], tmp_path: Path
) -> None:
    pytest.importorskip("PySide6.QtNetwork")
    from store import open_library, resolve_library_path
    from ui.interrupt import CLOSING
    from ui.single_instance import server_name, window_answers

    path = tmp_path / "library.json"
    library = open_library(path)
    library.add_items(january_items())
    library.close()
    name = server_name(str(resolve_library_path(path)))
    window = subprocess.Popen(
        newsdigest("gui"),
        env=window_env,
        cwd=tmp_path,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: window_answers(name) or window.poll() is not None, "the window")
        wait_for(lambda: "window shown" in log_text(tmp_path) or window.poll() is not None)
        assert window.poll() is None, window.communicate(timeout=30)
        window.send_signal(signal.SIGINT)
        _out, err = window.communicate(timeout=10)
    finally:
        if window.poll() is None:
            window.kill()
            window.communicate(timeout=60)
    assert window.returncode == 130, err
    assert CLOSING in err.splitlines()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "Traceback" not in log_text(tmp_path)
    assert "interrupted (Ctrl-C): closing the window" in log_text(tmp_path)
    assert not window_answers(name)
    if Path(name).is_absolute():
        assert not Path(name).exists()  # the single-instance server removed its socket
    again = open_library(path)  # not locked: the window closed its library
    try:
        assert sorted(i.id for i in again.items()) == sorted(i.id for i in january_items())
    finally:
        again.close()
