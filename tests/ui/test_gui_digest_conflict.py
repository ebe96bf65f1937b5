"""A save of the open digest over a newer version: refused, and the user reloads or keeps theirs.

Someone else's save is made behind the window's back through the same library (on a
shared PostgreSQL library it is another officer's window; the refusal is the
library's, tested on every backend in ``tests/store/test_library_contract.py``).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QPushButton  # noqa: E402

from composer.digest.editing import plan_field  # noqa: E402
from composer.errors import DigestConflictError  # noqa: E402
from composer.repository import saver_name  # noqa: E402
from ui.digest_conflict import ConflictChoice, choice_of, conflict_box  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def window(windows: Windows) -> MainWindow:
    win = windows.open(windows.library(items=sample_items()))
    win.digests.draft_from_month("2023-01")
    assert win.document.digest is not None and win.document.digest.version == 1
    return win


def asked(window: MainWindow, choice: ConflictChoice) -> list[DigestConflictError]:
    """Answer ``choice`` to every conflict the document asks about; the list of them."""
    conflicts: list[DigestConflictError] = []

    def resolve(conflict: DigestConflictError) -> ConflictChoice:
        conflicts.append(conflict)
        return choice

    window.document.resolve_conflict = resolve
    return conflicts


def edit_intro(window: MainWindow, text: str) -> None:
    digest = window.document.digest
    assert digest is not None
    assert window.document.submit([plan_field(digest, "intro", text)])


def saved_elsewhere(window: MainWindow, intro: str) -> None:
    """Another officer's save of the open digest (at the version the window has)."""
    digest = window.document.digest
    assert digest is not None
    theirs = window.library.get_digest(digest.id)
    assert theirs is not None
    window.library.save_digest(theirs | {"intro": intro}, theirs["version"])


def test_saves_from_the_window_alone_are_never_refused(window: MainWindow) -> None:
    conflicts = asked(window, "reload")
    for n in range(3):
        edit_intro(window, f"Edit {n}")
        assert window.document.save()
    digest = window.document.digest
    assert digest is not None and digest.version == 4 and conflicts == []
    assert window.library.get_digest(digest.id)["intro"] == "Edit 2"


def test_a_save_over_a_newer_version_is_refused_and_mine_is_kept_as_a_new_digest(
    window: MainWindow,
) -> None:
    conflicts = asked(window, "keep")
    original = window.document.digest
    assert original is not None
    saved_elsewhere(window, "Theirs")
    edit_intro(window, "Mine")
    assert window.document.save()
    (conflict,) = conflicts
    assert conflict.updated_by == saver_name() and conflict.version == 2
    assert "since you opened it" in str(conflict)
    assert window.library.get_digest(original.id)["intro"] == "Theirs"  # never overwritten
    copy = window.document.digest
    assert copy is not None and copy.id != original.id and copy.intro == "Mine"
    assert copy.title == f"{original.title} (my copy)" and copy.version == 1
    assert window.library.get_digest(copy.id)["intro"] == "Mine"
    assert not window.document.dirty
    edit_intro(window, "Mine, again")  # the copy goes on saving as any digest
    assert window.document.save() and window.document.digest.version == 2
    assert len(conflicts) == 1


def test_reload_shows_their_version_and_the_next_save_lands_on_it(window: MainWindow) -> None:
    conflicts = asked(window, "reload")
    original = window.document.digest
    assert original is not None
    saved_elsewhere(window, "Theirs")
    edit_intro(window, "Mine")
    assert window.document.save()
    assert len(conflicts) == 1
    shown = window.document.digest
    assert shown is not None and shown.id == original.id
    assert (shown.intro, shown.version) == ("Theirs", 2) and not window.document.dirty
    assert window.library.get_digest(original.id)["intro"] == "Theirs"
    assert len(window.library.digests()) == 1
    edit_intro(window, "Mine, on theirs")
    assert window.document.save() and len(conflicts) == 1
    assert window.library.get_digest(original.id)["intro"] == "Mine, on theirs"


def test_the_conflict_box_names_who_saved_and_keeps_mine_unless_reload_is_clicked(
    qtbot,
) -> None:
    conflict = DigestConflictError(
        "d1", "January", version=3, expected=2, updated_by="ann@office-2", updated_at="x"
    )
    box = conflict_box(conflict)
    qtbot.addWidget(box)
    assert box.text() == (
        "The digest \u201cJanuary\u201d was changed by ann@office-2 since you opened it; "
        "your save was refused, their version is kept."
    )
    box.open()
    qtbot.waitExposed(box)
    assert choice_of(box) == "keep"  # nothing clicked yet: closing keeps mine
    reload = box.findChild(QPushButton, "reload")
    assert reload is not None
    qtbot.mouseClick(reload, Qt.MouseButton.LeftButton)
    assert choice_of(box) == "reload"
    again = conflict_box(conflict)
    qtbot.addWidget(again)
    again.open()
    qtbot.waitExposed(again)
    qtbot.keyClick(again, Qt.Key.Key_Escape)
    assert choice_of(again) == "keep"
