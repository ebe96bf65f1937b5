"""A second start on the same library: its request reaches the running window, which comes forward.

The server is a real :class:`ui.single_instance.InstanceServer` in the test process;
the second start is a real call of :func:`ui.single_instance.hand_over` (the function
``newsdigest`` calls) in a process of its own, since it blocks while the server needs
the event loop. Stale names are real socket files left by a socket that was never
cleaned up. The whole thing, windows and ``newsdigest`` included, is in
``test_app_startup.py``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = [
    pytest.mark.gui,
    # Qt's offscreen platform cannot raise a window; it says so, and the test checks the rest
    pytest.mark.qt_log_ignore("^This plugin does not support raise"),
]
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, window_factory  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtNetwork import QLocalServer  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from ui.import_preview import ImportPreview  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.single_instance import (  # noqa: E402
    Delivery,
    Handover,
    InstanceServer,
    WindowFront,
    hand_over,
    server_name,
    sources_from_arguments,
    window_answers,
)

unix_only = pytest.mark.skipif(sys.platform == "win32", reason="Windows pipes leave no files")


@pytest.fixture
def windows(qtbot, tmp_path) -> Iterator[Windows]:
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def name(tmp_path: Path) -> Iterator[str]:
    """A server name of this test's own: a socket path in a short private folder on Unix."""
    with tempfile.TemporaryDirectory(prefix="nd-") as folder:
        yield server_name(str(tmp_path / "library.json"), runtime_dir=folder)


@pytest.fixture
def server(name: str) -> Iterator[InstanceServer]:
    made = InstanceServer(name)
    assert made.listen()
    yield made
    made.close()


class SecondStart:
    """A second start: a process that calls ``hand_over`` as ``newsdigest`` does.

    A process, not a thread: QLocalSocket's blocking waits keep Python's GIL, so a
    client thread would stall the very event loop that has to answer it.
    """

    CODE = (
        "import sys\n"
        "from ui.single_instance import Handover, hand_over\n"
        "print(hand_over(sys.argv[1], Handover(tuple(sys.argv[2:]))).name)\n"
    )

    def __init__(self, name: str, handover: Handover) -> None:
        argv = [sys.executable, "-c", self.CODE, name, *handover.sources]
        self.process = subprocess.Popen(
            argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def wait(self, qtbot) -> Delivery:
        """Run the event loop (the server's) until the second start is done; how it went."""
        qtbot.waitUntil(lambda: self.process.poll() is not None, timeout=60_000)
        out, err = self.process.communicate()
        assert self.process.returncode == 0, err
        return Delivery[out.strip()]


def closed_by_the_server(raw: socket.socket) -> bool:
    try:
        return raw.recv(100) == b""
    except BlockingIOError:
        return False


def write_sheet(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    sheet = folder / "handed.csv"
    sheet.write_text(
        "title,date,category\nHarbour crane restored,2024-09-02,Heritage\n", encoding="utf-8"
    )
    return sheet


# -- names ----------------------------------------------------------------------------------
def test_one_library_one_name_and_another_library_another() -> None:
    first = server_name("/home/ann/library.json", platform="linux", user="1000", runtime_dir="")
    assert first == server_name(
        "/home/ann/library.json", platform="linux", user="1000", runtime_dir=""
    )
    assert first.startswith("newsdigest-") and len(first) <= 40
    assert first != server_name("/home/ann/other.json", platform="linux", user="1000")
    assert first != server_name("/home/ann/library.json", platform="linux", user="1001")


def test_case_is_folded_where_paths_ignore_it() -> None:
    for platform in ("win32", "darwin"):
        upper = server_name(r"C:\Users\Ann\Library.JSON", platform=platform, user="ann")
        assert upper == server_name(r"c:\users\ann\library.json", platform=platform, user="ann")
    linux = [server_name(p, platform="linux", user="1", runtime_dir="") for p in ("/A", "/a")]
    assert linux[0] != linux[1]


def test_on_linux_the_socket_goes_in_the_users_runtime_folder(tmp_path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="nd-") as folder:
        name = server_name("/srv/library.json", platform="linux", user="7", runtime_dir=folder)
        assert Path(name).parent == Path(folder)
    too_long = tmp_path / ("x" * 90)
    too_long.mkdir()
    plain = server_name("/srv/library.json", platform="linux", user="7", runtime_dir=str(too_long))
    assert plain == Path(name).name  # a plain name: Qt puts it in the temporary folder
    missing = str(tmp_path / "gone")
    assert (
        server_name("/srv/library.json", platform="linux", user="7", runtime_dir=missing) == plain
    )


def test_command_line_files_are_made_absolute_and_links_kept(tmp_path: Path) -> None:
    sources = sources_from_arguments(
        ["news.csv", "https://example.org/feed", "/x/y.json"], tmp_path
    )
    assert sources == (str(tmp_path / "news.csv"), "https://example.org/feed", "/x/y.json")


def test_a_request_survives_the_wire_and_garbage_is_no_request() -> None:
    handover = Handover(("/tmp/a b.csv", "https://example.org/é"))
    assert Handover.decode(handover.encode().rstrip(b"\n")) == handover
    for line in (
        b"",
        b"not json",
        b"[1]",
        b'{"newsdigest": 2}',
        b'{"newsdigest": 1, "sources": [1]}',
    ):
        assert Handover.decode(line) is None


# -- the handover ---------------------------------------------------------------------------
def test_nobody_listening_is_no_window(name: str) -> None:
    assert hand_over(name, Handover()) is Delivery.NO_WINDOW
    assert not window_answers(name)


def test_the_request_reaches_the_server(qtbot, server: InstanceServer, name: str) -> None:
    with qtbot.waitSignal(server.received, timeout=20_000) as blocker:
        second = SecondStart(name, Handover(("/data/news.csv",)))
    assert second.wait(qtbot) is Delivery.DELIVERED
    assert blocker.args == [Handover(("/data/news.csv",))]


def test_the_handover_raises_the_window_and_previews_the_file(
    qtbot, windows: Windows, tmp_path: Path, name: str
) -> None:
    windows.library()
    window = windows.open()
    window.showMinimized()
    server = InstanceServer(name, parent=window)
    server.received.connect(WindowFront(window).present)
    assert server.listen()
    sheet = write_sheet(tmp_path)
    second = SecondStart(name, Handover((str(sheet),)))
    assert second.wait(qtbot) is Delivery.DELIVERED
    dialog = preview_of(qtbot, window)
    assert not window.isMinimized() and window.isVisible()
    assert [i.title for i in dialog.reports()[0].items] == ["Harbour crane restored"]
    assert window.library.items() == []  # previewed, not imported
    server.close()


def preview_of(qtbot, window: MainWindow) -> ImportPreview:
    qtbot.waitUntil(lambda: window.import_preview is not None, timeout=20_000)
    dialog = window.import_preview
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and not dialog.rereads.running, timeout=20_000)
    return dialog


def test_a_maximised_window_stays_maximised(qtbot, windows: Windows) -> None:
    windows.library()
    window = windows.open()
    window.showMaximized()
    qtbot.waitUntil(window.isMaximized)
    WindowFront(window).present(Handover())
    assert window.isMaximized()


def test_while_a_dialog_is_open_the_files_wait_for_it(
    qtbot, windows: Windows, tmp_path: Path
) -> None:
    windows.library()
    window = windows.open()
    box = QMessageBox(QMessageBox.Icon.Question, "Newsdigest", "A question", parent=window)
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.show()
    qtbot.waitUntil(box.isVisible)
    sheet, other = write_sheet(tmp_path), write_sheet(tmp_path / "more")
    front = WindowFront(window)
    front.present(Handover((str(sheet),)))
    front.present(Handover((str(other), str(sheet))))  # a third start: the same file once
    assert window.import_preview is None
    assert str(sheet) in window.statusBar().currentMessage()
    assert front.pending == [str(sheet), str(other)]
    box.close()  # the answer given, both are previewed together
    dialog = preview_of(qtbot, window)
    assert [r.source for r in dialog.reports()] == [str(sheet), str(other)]
    assert front.pending == []


def test_a_request_that_is_not_one_is_dropped(qtbot, server: InstanceServer, name: str) -> None:
    received: list[Handover] = []
    server.received.connect(received.append)
    raw = socket.socket(socket.AF_UNIX) if sys.platform != "win32" else None
    if raw is not None:  # garbage straight on the socket: no answer, nothing emitted
        raw.connect(server.full_name())
        raw.sendall(b"GET / HTTP/1.0\n")
        raw.setblocking(False)
        qtbot.waitUntil(lambda: closed_by_the_server(raw), timeout=20_000)
        raw.close()
    with qtbot.waitSignal(server.received, timeout=20_000):
        second = SecondStart(name, Handover())
    assert second.wait(qtbot) is Delivery.DELIVERED
    assert received == [Handover()]


def test_something_that_listens_but_never_answers_is_unanswered(name: str) -> None:
    mute = QLocalServer()
    assert mute.listen(name)
    try:  # the system accepts the connection; no event loop runs to answer it
        assert hand_over(name, Handover(), answer_timeout_ms=300) is Delivery.UNANSWERED
    finally:
        mute.close()


# -- names left behind ----------------------------------------------------------------------
@unix_only
def test_a_stale_name_left_by_a_crashed_window_is_recovered(qtbot, name: str) -> None:
    assert Path(name).is_absolute()
    left = socket.socket(socket.AF_UNIX)
    left.bind(name)
    left.close()  # the file stays, and nobody answers on it: a crashed window's
    assert Path(name).exists() and not window_answers(name)
    assert hand_over(name, Handover()) is Delivery.NO_WINDOW
    server = InstanceServer(name)
    assert server.listen()
    with qtbot.waitSignal(server.received, timeout=20_000):
        second = SecondStart(name, Handover())
    assert second.wait(qtbot) is Delivery.DELIVERED
    server.close()
    assert not Path(name).exists()  # a window that closes takes its name with it


@unix_only
def test_a_plain_name_left_in_the_temporary_folder_is_recovered(qtbot, tmp_path: Path) -> None:
    name = server_name(str(tmp_path / "library.json"), runtime_dir="")
    left = socket.socket(socket.AF_UNIX)
    left.bind(str(Path(tempfile.gettempdir(), name)))
    left.close()
    server = InstanceServer(name)
    try:
        assert server.listen()
        with qtbot.waitSignal(server.received, timeout=20_000):
            second = SecondStart(name, Handover())
        assert second.wait(qtbot) is Delivery.DELIVERED
    finally:
        server.close()
        QLocalServer.removeServer(name)


def test_a_live_window_keeps_its_name(qtbot, server: InstanceServer, name: str) -> None:
    other = InstanceServer(name)
    assert not other.listen()
    with qtbot.waitSignal(server.received, timeout=20_000):
        second = SecondStart(name, Handover())
    assert second.wait(qtbot) is Delivery.DELIVERED
    other.close()
