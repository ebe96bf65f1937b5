"""Typing on while the "changed elsewhere" notice is up: the autosave waits for the answer.

A window on a team library (a real PostgreSQL cluster) has an unsaved edit when another
officer (another :class:`PostgresLibrary` on the same database) saves the same digest: the
notice comes up. The user types on. No autosave is tried meanwhile, so no modal conflict
box interrupts the typing (the document's ``resolve_conflict`` is a recorder: it must not
be called), the notice stays, and the library keeps their version. Then the notice's
answer applies to everything typed: *Keep mine* saves every edit, before and after the
notice, as the copy; *Reload* shows their version, and autosaving goes on after it.
Closing the window or File → Save while the notice is up still asks (the conflict path,
nothing lost), and closing the notice (×) lets the autosave run and ask, as any save over
a newer version.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import dispose, listening_window, sample_items  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402

from composer.digest.editing import plan_field  # noqa: E402
from composer.errors import DigestConflictError  # noqa: E402
from store.postgres import PostgresLibrary  # noqa: E402
from ui.digest_conflict import ConflictChoice  # noqa: E402
from ui.document import AUTOSAVE_MS  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

WAIT_MS = 20_000
BEFORE = "Typed before the notice"
AFTER = ", and typed after it"
TITLE_AFTER = " (edited on)"


@pytest.fixture
def other(postgres_url: str) -> Iterator[PostgresLibrary]:
    """Another officer's library object on the test's own database."""
    library = PostgresLibrary(postgres_url)
    library.add_items(sample_items())
    try:
        yield library
    finally:
        library.close()


@pytest.fixture
def window(qtbot, tmp_path: Path, postgres_url: str, other) -> Iterator[MainWindow]:
    """The window on its own library object, listening, with a January digest drafted."""
    library = PostgresLibrary(postgres_url)
    made = listening_window(qtbot, library, tmp_path)
    made.digests.draft_from_month("2023-01")
    assert made.document.digest is not None and not made.document.dirty
    try:
        yield made
    finally:
        made.document.close_without_saving()
        dispose(made)
        library.close()


class Asked:
    """Stands in for the modal conflict box: records each question, answers ``answer``."""

    def __init__(self, answer: ConflictChoice = "keep") -> None:
        self.answer = answer
        self.conflicts: list[DigestConflictError] = []

    def __call__(self, conflict: DigestConflictError) -> ConflictChoice:
        self.conflicts.append(conflict)
        return self.answer


def notice_after_an_edit(qtbot, window: MainWindow, other: PostgresLibrary) -> tuple[str, Asked]:
    """An unsaved edit here, their save there, the notice up; the digest id and the recorder.

    The recorder is in place before the edit: an autosave that raced the notice (and
    asked in a box) is recorded too, and fails the test instead of blocking it.
    """
    document = window.document
    asked = Asked()
    document.resolve_conflict = asked
    digest = document.digest
    assert digest is not None
    assert document.submit([plan_field(digest, "intro", BEFORE)])
    theirs = other.get_digest(digest.id)
    assert theirs is not None
    other.save_digest(theirs | {"intro": "Their intro"}, theirs["version"])
    qtbot.waitUntil(window.digests.notice.isVisible, timeout=WAIT_MS)
    assert asked.conflicts == [] and document.autosave_held
    return digest.id, asked


def type_on(qtbot, window: MainWindow) -> None:
    """Type into the intro (at its end) and the title, as a user would, and wait past autosave."""
    editor = window.editor
    editor.intro.setFocus()
    editor.intro.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.intro, AFTER)
    editor.title.setFocus()
    editor.title.end(False)
    qtbot.keyClicks(editor.title, TITLE_AFTER)
    qtbot.wait(AUTOSAVE_MS * 2)  # the editors' own pause, then the autosave's, twice over


def assert_held(window: MainWindow, other: PostgresLibrary, digest_id: str, asked: Asked) -> None:
    """Nothing asked, the notice still up, the edits open and unsaved, theirs in the library."""
    document = window.document
    assert asked.conflicts == []  # no modal box popped up over the typing
    assert window.digests.notice.isVisible() and document.autosave_held
    assert document.dirty and not document.autosave_pending
    shown = document.digest
    assert shown is not None and shown.intro == BEFORE + AFTER
    assert shown.title.endswith(TITLE_AFTER)
    stored = other.get_digest(digest_id)
    assert stored is not None and stored["intro"] == "Their intro" and stored["version"] == 2


def test_typing_on_under_the_notice_waits_and_keep_mine_copies_every_edit(
    qtbot, window: MainWindow, other: PostgresLibrary, tmp_path: Path
) -> None:
    digest_id, asked = notice_after_an_edit(qtbot, window, other)
    type_on(qtbot, window)
    assert_held(window, other, digest_id, asked)
    window.grab().save(str(tmp_path / "notice-after-typing.png"))
    title = window.document.digest.title
    qtbot.mouseClick(window.digests.notice.keep, Qt.MouseButton.LeftButton)
    copy = window.document.digest
    assert copy is not None and copy.id != digest_id
    assert copy.intro == BEFORE + AFTER and copy.title == f"{title} (my copy)"
    stored_copy = other.get_digest(copy.id)
    assert stored_copy is not None
    assert stored_copy["intro"] == BEFORE + AFTER and TITLE_AFTER in stored_copy["title"]
    assert other.get_digest(digest_id)["intro"] == "Their intro"  # theirs untouched
    assert asked.conflicts == [] and not window.digests.notice.isVisible()
    assert not window.document.dirty and not window.document.autosave_held


def test_typing_on_under_the_notice_then_reload_shows_theirs_and_autosave_goes_on(
    qtbot, window: MainWindow, other: PostgresLibrary
) -> None:
    digest_id, asked = notice_after_an_edit(qtbot, window, other)
    type_on(qtbot, window)
    assert_held(window, other, digest_id, asked)
    qtbot.mouseClick(window.digests.notice.reload, Qt.MouseButton.LeftButton)
    shown = window.document.digest
    assert shown is not None and shown.id == digest_id
    assert (shown.intro, shown.version) == ("Their intro", 2)
    assert window.editor.intro.toPlainText() == "Their intro"
    assert not window.document.dirty and not window.document.autosave_held
    assert len(other.digests()) == 1 and asked.conflicts == []
    # the hold is over: the next edit is autosaved onto their version, nobody asked
    window.editor.intro.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(window.editor.intro, ", and mine on it")
    qtbot.waitUntil(
        lambda: other.get_digest(digest_id)["intro"] == "Their intro, and mine on it",
        timeout=WAIT_MS,
    )
    assert asked.conflicts == []


def test_closing_the_window_under_the_notice_asks_and_loses_nothing(
    qtbot, window: MainWindow, other: PostgresLibrary
) -> None:
    digest_id, asked = notice_after_an_edit(qtbot, window, other)
    type_on(qtbot, window)
    assert_held(window, other, digest_id, asked)
    window.close()
    assert window.closed and [c.digest_id for c in asked.conflicts] == [digest_id]
    [copy] = [d for d in other.digests() if d["id"] != digest_id]
    assert copy["intro"] == BEFORE + AFTER and TITLE_AFTER in copy["title"]
    assert other.get_digest(digest_id)["intro"] == "Their intro"


def test_closing_the_notice_lets_the_autosave_run_and_ask(
    qtbot, window: MainWindow, other: PostgresLibrary
) -> None:
    digest_id, asked = notice_after_an_edit(qtbot, window, other)
    type_on(qtbot, window)
    qtbot.mouseClick(window.digests.notice.dismiss, Qt.MouseButton.LeftButton)
    assert not window.digests.notice.isVisible() and not window.document.autosave_held
    qtbot.waitUntil(lambda: asked.conflicts != [], timeout=WAIT_MS)  # the usual box, once
    assert [c.digest_id for c in asked.conflicts] == [digest_id]
    copy = window.document.digest
    assert copy is not None and copy.id != digest_id and copy.intro == BEFORE + AFTER


def test_hold_and_release_are_the_documents_own(window: MainWindow) -> None:
    """Held: an edit is not autosaved; released: it is, :data:`AUTOSAVE_MS` later."""
    document = window.document
    document.hold_autosave()
    digest = document.digest
    assert digest is not None
    assert document.submit([plan_field(digest, "intro", "Held")])
    assert document.dirty and not document.autosave_pending and document.autosave_held
    document.release_autosave()
    assert document.autosave_pending and not document.autosave_held
    document.hold_autosave()
    assert not document.autosave_pending
    document.open(None)  # another digest shown (here none): saved first, the hold is over
    assert not document.autosave_held
    stored = window.library.get_digest(digest.id)
    assert stored is not None and stored["intro"] == "Held"


def test_file_save_under_the_notice_asks_once_and_reload_there_drops_the_edits(
    qtbot, window: MainWindow, other: PostgresLibrary
) -> None:
    digest_id, asked = notice_after_an_edit(qtbot, window, other)
    type_on(qtbot, window)
    asked.answer = "reload"
    window.actions_by_name["save"].trigger()  # File → Save: the conflict box's question
    assert [c.digest_id for c in asked.conflicts] == [digest_id]
    shown = window.document.digest
    assert shown is not None and (shown.intro, shown.version) == ("Their intro", 2)
    assert not window.digests.notice.isVisible() and not window.document.autosave_held
    assert len(other.digests()) == 1
