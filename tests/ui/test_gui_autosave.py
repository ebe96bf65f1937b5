"""Keeping work safe: autosave, reopening where the user left off, a killed app losing nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402

from composer.digest.editing import plan_field  # noqa: E402
from store.tinydb_library import TinyDBLibrary  # noqa: E402
from ui.document import AUTOSAVE_MS  # noqa: E402

CHILD = """
import sys
from ui.app import prepare_qt
prepare_qt()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
import ui.app
from store import open_library
from ui.main_window import MainWindow

def edit():
    window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    window.digests.draft_from_month("2023-01")
    digest = window.document.digest
    window.editor.select_item(digest.sections[0].item_ids[0])
    window.editor.nudge(+1)
    window.editor.title.setText("Edited just before the crash")  # typed, not yet committed
    window.document.saved.connect(lambda: print("SAVED", flush=True))
    print("EDITED", digest.id, flush=True)

QTimer.singleShot(200, edit)
sys.exit(ui.app.run(lambda: open_library(sys.argv[1]), location=sys.argv[1], argv=sys.argv[:1]))
"""


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def stored(path: Path, digest_id: str) -> dict | None:
    library = TinyDBLibrary(path, read_only=True)
    try:
        return library.get_digest(digest_id)
    finally:
        library.close()


def test_an_edit_is_saved_about_a_second_later(windows: Windows, qtbot) -> None:
    path = windows.library(items=sample_items())
    win = windows.open(path)
    digest = win.digests.draft_from_month("2023-01")
    op = plan_field(win.document.digest, "title", "Saved by itself")
    win.document.submit([op])
    # not at once: a save is pending on the autosave timer, and it saves by itself
    assert win.document.autosave_pending and win.document.dirty
    assert win.document._autosave.interval() == AUTOSAVE_MS
    assert win.library.get_digest(digest.id)["title"] != "Saved by itself"
    with qtbot.waitSignal(win.document._autosave.timeout, timeout=5000):
        pass
    assert win.library.get_digest(digest.id)["title"] == "Saved by itself"
    assert not win.document.dirty and not win.document.autosave_pending


def test_reopening_restores_the_digest_geometry_and_splitters(windows: Windows, qtbot) -> None:
    path = windows.library(items=sample_items())
    win = windows.open(path)
    digest = win.digests.draft_from_month("2023-01")
    win.editor.title.setText("Typed, then the window closed")  # not committed yet
    screen = win.screen().availableGeometry()
    width, height = screen.width() - 40, screen.height() - 60
    win.resize(width, height)
    size = (win.size().width(), win.size().height())  # within the window's minimum size
    assert size[1] == height and height != int(screen.height() * 0.9)
    win.splitter.setSizes([width // 4, width // 3, width - width // 4 - width // 3])
    sizes = win.splitter.sizes()
    # a preview toggle that leaves the panes' widths alone (the mobile preview's fixed
    # width does not fit beside the other panes on the offscreen platform's 800 px screen)
    win.preview.dark_action.trigger()
    windows.close(win)
    assert stored(path, digest.id)["title"] == "Typed, then the window closed"

    again = windows.open(path)
    assert again.document.digest is not None and again.document.digest.id == digest.id
    assert again.editor.title.text() == "Typed, then the window closed"
    assert (again.size().width(), again.size().height()) == size
    assert again.splitter.sizes() == sizes
    assert again.preview.dark_action.isChecked()


def test_a_killed_app_loses_at_most_the_last_second(windows: Windows, qtbot) -> None:
    path = windows.library(items=sample_items())
    env = dict(os.environ, NEWSDIGEST_SETTINGS=str(windows.settings_path))
    env["QT_QPA_PLATFORM"] = "offscreen"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # so the kill takes its web engine helpers with it
    )
    try:
        line = child.stdout.readline()
        assert line.startswith("EDITED"), line
        digest_id = line.split()[1]
        # the child prints SAVED when its document saved by itself (no time is asserted:
        # the save must come from the autosave, before any close or crash handler)
        for _save in range(5):  # the nudge and the typing may be saved apart
            line = child.stdout.readline()
            assert line.startswith("SAVED"), line
            doc = stored(path, digest_id)
            if doc and doc["title"] == "Edited just before the crash":
                break
        assert doc and doc["title"] == "Edited just before the crash"
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    window = windows.open(path)  # the lock died with the process
    digest = window.document.digest
    assert digest is not None and digest.id == digest_id
    assert window.editor.title.text() == "Edited just before the crash"
    drafted = [i.id for i in sample_items() if i.month == "2023-01"]
    assert sorted(digest.item_ids()) == sorted(drafted)
    assert window.actions_by_name["undo"].isEnabled() is False


SECOND = """
import sys
from ui.app import prepare_qt
prepare_qt()
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([sys.argv[0]])
import ui.app
from store import open_library

def answer():
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        print("MESSAGE", box.windowTitle(), "|", box.text().replace("\\n", " "), flush=True)
        box.accept()
    else:
        QTimer.singleShot(50, answer)

QTimer.singleShot(50, answer)
sys.exit(ui.app.run(lambda: open_library(sys.argv[1]), location=sys.argv[1], argv=sys.argv[:1]))
"""


def test_a_second_window_on_the_same_library_is_refused_clearly(windows: Windows) -> None:
    path = windows.library(items=sample_items())
    windows.open(path)  # this window holds the library
    env = dict(os.environ, NEWSDIGEST_SETTINGS=str(windows.settings_path))
    env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [sys.executable, "-c", SECOND, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "MESSAGE Newsdigest cannot open the library" in result.stdout
    assert "in use by another Newsdigest window or command" in result.stdout
