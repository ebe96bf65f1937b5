"""Unexpected errors in the GUI: logged with their traceback, the digest saved, a dialog shown.

The handler is installed for real (``sys.excepthook``, ``threading.excepthook``) for
the time of each test, and the errors are raised where they happen in the app: in
a Qt slot run by the event loop, in another thread. The last test runs the real
start-up (:func:`ui.app.run`) in a child process.
"""

from __future__ import annotations

import logging
import logging.handlers
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import sample_items, window_factory  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402

from composer.logs import current_log_file, setup_logging  # noqa: E402
from store.tinydb_library import TinyDBLibrary  # noqa: E402
from ui.crash import CrashDialog, CrashHandler  # noqa: E402


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The real :func:`setup_logging`, into this test's folder (put back as it was after)."""
    root = logging.getLogger()
    before = [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    for handler in before:
        root.removeHandler(handler)
    monkeypatch.setenv("NEWSDIGEST_LOG_DIR", str(tmp_path / "logs"))
    path = setup_logging()
    assert path == tmp_path / "logs" / "newsdigest.log" == current_log_file()
    yield path
    for handler in [
        h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)
    ]:
        root.removeHandler(handler)
        handler.close()
    for handler in before:
        root.addHandler(handler)


@pytest.fixture
def crash(log_file: Path):
    handler = CrashHandler(log_file=log_file)
    handler.install()
    yield handler
    handler.uninstall()
    if handler.dialog is not None:
        handler.dialog.close()


def stored_title(path: Path, digest_id: str) -> str:
    library = TinyDBLibrary(path, read_only=True)  # works while the window holds the lock
    try:
        digest = library.get_digest(digest_id)
    finally:
        library.close()
    assert digest is not None
    return digest["title"]


def broken_slot() -> None:
    raise ValueError("boom in a slot")


def window_with_unsaved_edit(windows):
    path = windows.library(items=sample_items())
    window = windows.open(path)
    window.digests.draft_from_month("2023-01")
    window.editor.title.setText("Typed just before the error")  # typed, not yet an edit
    return path, window


def test_an_exception_in_a_slot_saves_the_digest_then_shows_the_dialog(
    qtbot, windows, crash, log_file
) -> None:
    path, window = window_with_unsaved_edit(windows)
    crash.attach(window, window.save_after_crash)
    digest_id = window.document.digest.id
    assert stored_title(path, digest_id) != "Typed just before the error"

    QTimer.singleShot(0, broken_slot)  # run by the event loop, as Qt runs slots
    qtbot.waitUntil(lambda: crash.dialog is not None and crash.dialog.isVisible())

    dialog = crash.dialog
    assert stored_title(path, digest_id) == "Typed just before the error"  # saved first
    assert "ValueError: boom in a slot" in dialog.message.text()
    assert "test_gui_crash.py" in dialog.message.text() and "broken_slot" in dialog.message.text()
    assert (
        dialog.saved.text()
        == "Your digest “Typed just before the error” was saved before this message."
    )
    assert str(log_file) in dialog.log_label.text()
    assert dialog.parent() is window and not dialog.details.isVisible()
    dialog.details_button.click()
    assert dialog.details.isVisible() and "Traceback" in dialog.details.toPlainText()

    logged = log_file.read_text("utf-8")
    assert "Traceback (most recent call last)" in logged
    assert "ValueError: boom in a slot" in logged and "in broken_slot" in logged
    assert "versions: Newsdigest" in logged and "PySide6" in logged

    dialog.continue_button.click()
    qtbot.waitUntil(lambda: crash.dialog is None)
    assert window.isVisible()  # the app goes on


def test_more_errors_while_the_dialog_is_open_are_counted_in_it(qtbot, windows, crash) -> None:
    window = windows.open(windows.library(items=sample_items()))
    crash.attach(window, window.save_after_crash)
    for _ in range(3):
        QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: len(crash.reports) == 3)
    assert len(window.findChildren(CrashDialog)) == 1
    dialog = crash.dialog
    assert dialog.more_label.isVisible()
    assert dialog.more_label.text().startswith("2 more unexpected errors since")
    assert dialog.saved.text() == "No digest was open, so nothing needed saving."


def test_an_exception_in_another_thread_is_shown_on_the_gui_thread(
    qtbot, windows, crash, log_file
) -> None:
    window = windows.open(windows.library(items=sample_items()))
    crash.attach(window, window.save_after_crash)

    def work() -> None:
        raise RuntimeError("lost in a worker")

    worker = threading.Thread(target=work, name="newsdigest-test-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: crash.dialog is not None and crash.dialog.isVisible())
    assert "RuntimeError: lost in a worker" in crash.dialog.message.text()
    assert crash.reports[0].thread == "newsdigest-test-worker"
    logged = log_file.read_text("utf-8")
    assert "thread newsdigest-test-worker" in logged and "RuntimeError: lost in a worker" in logged


def test_quit_in_the_dialog_closes_the_window(qtbot, windows, crash) -> None:
    _, window = window_with_unsaved_edit(windows)
    crash.attach(window, window.save_after_crash)
    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: crash.dialog is not None and crash.dialog.isVisible())
    crash.dialog.quit_button.click()
    qtbot.waitUntil(lambda: not window.isVisible())


def test_a_digest_that_cannot_be_saved_is_said_so(qtbot, windows, crash) -> None:
    _, window = window_with_unsaved_edit(windows)

    def failing_rescue() -> str:
        raise OSError("disk on fire")

    crash.attach(window, failing_rescue)
    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: crash.dialog is not None and crash.dialog.isVisible())
    assert crash.dialog.saved.text() == (
        "The open digest could not be saved (OSError: disk on fire)."
    )


def test_uninstall_puts_the_previous_hooks_back(log_file) -> None:
    before, before_thread = sys.excepthook, threading.excepthook
    handler = CrashHandler(log_file=log_file)
    handler.install()
    assert sys.excepthook == handler.excepthook
    assert threading.excepthook == handler.thread_excepthook
    handler.uninstall()
    assert sys.excepthook is before and threading.excepthook is before_thread


CHILD = """
import sys
from ui.app import prepare_qt
prepare_qt()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
import ui.app
from store import open_library
from ui.crash import CrashDialog
from ui.main_window import MainWindow

def window():
    return next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))

def edit_then_fail():
    window().digests.draft_from_month("2023-01")
    window().editor.title.setText("Typed in the child")
    print("EDITED", window().document.digest.id, flush=True)
    QTimer.singleShot(0, lambda: 1 / 0)  # an error in a slot, as a bug would raise it

def look():
    dialogs = [d for d in window().findChildren(CrashDialog) if d.isVisible()]
    if not dialogs:
        QTimer.singleShot(50, look)
        return
    print("DIALOG", dialogs[0].message.text().splitlines()[0], flush=True)
    print("SAVED", dialogs[0].saved.text(), flush=True)
    dialogs[0].quit_button.click()

QTimer.singleShot(300, edit_then_fail)
QTimer.singleShot(400, look)
sys.exit(ui.app.run(lambda: open_library(sys.argv[1]), location=sys.argv[1], argv=sys.argv[:1]))
"""


@pytest.mark.slow
def test_the_real_start_up_installs_the_handler(tmp_path: Path) -> None:
    import os

    library = TinyDBLibrary(tmp_path / "library.json")
    library.add_items(sample_items())
    library.close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        NEWSDIGEST_LOG_DIR=str(tmp_path / "logs"),
        NEWSDIGEST_SETTINGS=str(tmp_path / "settings.ini"),
    )
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "library.json")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["DIALOG"] == "ZeroDivisionError: division by zero"
    assert lines["SAVED"] == "Your digest “Typed in the child” was saved before this message."
    assert stored_title(tmp_path / "library.json", lines["EDITED"]) == "Typed in the child"
    logged = (tmp_path / "logs" / "newsdigest.log").read_text("utf-8")
    assert "ZeroDivisionError: division by zero" in logged and "Traceback" in logged
    assert "window shown" in logged
    assert "Traceback" in result.stderr  # also where a developer running it looks


NATIVE_CRASH = """
import faulthandler, sys
from ui.app import prepare_qt
prepare_qt()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
import ui.app
from store import open_library
QTimer.singleShot(300, faulthandler._sigsegv)  # what a crash inside Qt or Chromium does
sys.exit(ui.app.run(lambda: open_library(sys.argv[1]), location=sys.argv[1], argv=sys.argv[:1]))
"""


def _no_core_dump() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_hard_crash_leaves_its_stacks_beside_the_log(tmp_path: Path) -> None:
    import os

    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        NEWSDIGEST_LOG_DIR=str(tmp_path / "logs"),
        NEWSDIGEST_SETTINGS=str(tmp_path / "settings.ini"),
    )
    result = subprocess.run(
        [sys.executable, "-c", NATIVE_CRASH, str(tmp_path / "library.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        preexec_fn=_no_core_dump,
    )
    assert result.returncode != 0
    faults = (tmp_path / "logs" / "newsdigest-faults.log").read_text("utf-8")
    assert "Segmentation fault" in faults and "Current thread" in faults


FAULT_LOG_MODE = """
import stat, sys
from pathlib import Path
from ui.crash import enable_fault_log
path = enable_fault_log(Path(sys.argv[1]) / "newsdigest.log")
print(oct(stat.S_IMODE(path.stat().st_mode)))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize("existing", [False, True])
def test_the_fault_log_is_its_owners_only(tmp_path: Path, existing: bool) -> None:
    faults = tmp_path / "newsdigest-faults.log"
    if existing:  # made 0644 by an older version: tightened
        faults.write_text("an old crash\n", "utf-8")
        faults.chmod(0o644)
    result = subprocess.run(
        [sys.executable, "-c", FAULT_LOG_MODE, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0o600"
    assert faults.read_text("utf-8") == ("an old crash\n" if existing else "")
