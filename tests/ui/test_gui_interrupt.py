"""Ctrl-C (a real SIGINT, raised in this process) closes the window as File → Quit does.

The handler of :mod:`ui.interrupt` is installed for the time of each test (the previous
one put back after): the first SIGINT closes a real window with an unsaved edit (the
digest is saved) and makes the exit status 130; a close the user refuses leaves the
window open and the next Ctrl-C tries again; a second Ctrl-C while the first is still
closing (here: a question on screen, a nested event loop) ends the event loops with 130
at once. The real process (``newsdigest gui``) is tests/e2e/test_gui_ctrl_c_process.py.

The second Ctrl-C's quit is the question's own loop here, not the test app's ``exit``:
once ``QCoreApplication.exit`` has been called, every event loop started afterwards in
this process returns at once (until ``exec`` runs again), and every GUI test after this
one would time out.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import sample_items, window_factory  # noqa: E402
from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer  # noqa: E402

from store.tinydb_library import TinyDBLibrary  # noqa: E402
from ui.interrupt import INTERRUPTED, Interrupt, interruptible  # noqa: E402


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def app(qapp) -> Iterator[QCoreApplication]:
    before = signal.getsignal(signal.SIGINT)
    yield qapp
    assert signal.getsignal(signal.SIGINT) is before  # put back
    signal.signal(signal.SIGINT, before)


def stored_title(path: Path, digest_id: str) -> str:
    library = TinyDBLibrary(path, read_only=True)  # works while the window holds the lock
    try:
        digest = library.get_digest(digest_id)
    finally:
        library.close()
    assert digest is not None
    return str(digest["title"])


def test_ctrl_c_closes_the_window_with_its_digest_saved_and_the_status_is_130(
    qtbot, app, windows
) -> None:
    path = windows.library(items=sample_items())
    window = windows.open(path)
    window.digests.draft_from_month("2023-01")
    window.editor.title.setText("Typed just before Ctrl-C")  # typed, not yet an edit
    digest_id = window.document.digest.id
    assert stored_title(path, digest_id) != "Typed just before Ctrl-C"

    def close() -> bool:
        window.close()
        return window.closed

    with interruptible(app, close) as interrupt:
        assert interrupt.status(0) == 0
        signal.raise_signal(signal.SIGINT)
        qtbot.waitUntil(lambda: window.closed, timeout=5000)
        assert interrupt.interrupted and interrupt.status(0) == INTERRUPTED == 130
    assert stored_title(path, digest_id) == "Typed just before Ctrl-C"
    assert not window.isVisible()


def test_a_close_the_user_refuses_keeps_the_window_and_the_next_ctrl_c_tries_again(
    qtbot, app
) -> None:
    asked: list[bool] = []

    def close() -> bool:
        asked.append(True)
        return len(asked) > 1  # "no" the first time, "yes" the second

    with interruptible(app, close) as interrupt:
        signal.raise_signal(signal.SIGINT)
        qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
        assert not interrupt.interrupted and interrupt.status(0) == 0
        signal.raise_signal(signal.SIGINT)
        qtbot.waitUntil(lambda: len(asked) == 2, timeout=5000)
        assert interrupt.interrupted and interrupt.status(0) == INTERRUPTED


def test_a_second_ctrl_c_while_closing_ends_the_event_loop_at_once_with_130(qtbot, app) -> None:
    ended: list[int] = []

    def close() -> bool:
        """A question on screen (its own event loop) when the second Ctrl-C comes."""
        question = QEventLoop()
        loops.append(question)
        QTimer.singleShot(50, lambda: signal.raise_signal(signal.SIGINT))
        QTimer.singleShot(5000, lambda: question.exit(-1))  # never answered: the test fails
        ended.append(question.exec())
        assert signal.getsignal(signal.SIGINT) == signal.SIG_DFL  # a third one ends the process
        return False

    loops: list[QEventLoop] = []
    quits: list[int] = []

    def quit_now(status: int) -> None:
        """What the app's exit does to the loop on screen: it ends, with the status."""
        quits.append(status)
        loops[-1].exit(status)

    interrupt = Interrupt(app, close, quit_now)
    interrupt.install()
    try:
        signal.raise_signal(signal.SIGINT)
        qtbot.waitUntil(lambda: bool(ended), timeout=8000)
    finally:
        interrupt.uninstall()
    assert quits == [INTERRUPTED]  # the event loops were ended once, with 130
    assert ended == [INTERRUPTED]  # ... which ended the question's loop, not the timeout
    assert interrupt.interrupted and interrupt.status(0) == INTERRUPTED
