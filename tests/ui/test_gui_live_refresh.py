"""Live refresh: a window on a team library (a real PostgreSQL cluster) follows others' changes.

Another :class:`PostgresLibrary` on the same database stands for another officer's
window. Their new items appear in the item table (the selection and the search kept);
their save of the digest open here reloads it quietly and the status bar says who
changed it and when; with edits unsaved here, a notice offers Reload and Keep mine as a
copy instead, and each does what it says, nothing lost (closing the notice decides
nothing: the next save asks as usual); a digest deleted elsewhere stays open and is saved
again; an Open dialog on screen lists their new digest. The status bar always names who
changed the open digest last, in local time. Closing the window leaves no listener
thread behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]
pytest.importorskip("PySide6.QtWidgets")

from helpers.digest_samples import item  # noqa: E402
from helpers.gui_helpers import dispose, listening_window, sample_items  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

import ui.document  # noqa: E402
from composer.digest.editing import plan_field  # noqa: E402
from composer.digest.listing import saved_digests  # noqa: E402
from composer.repository import saver_name  # noqa: E402
from store.postgres import PostgresLibrary  # noqa: E402
from ui.digest_conflict import ConflictChoice  # noqa: E402
from ui.digest_dialogs import (  # noqa: E402
    DIGEST_ID_ROLE,
    OpenDigestDialog,
    changed_line,
    when_label,
)
from ui.main_window import MainWindow  # noqa: E402

WAIT_MS = 20_000


@pytest.fixture
def url(postgres_url: str) -> str:
    """A database of the test's own (``helpers.postgres_cluster``), dropped afterwards."""
    return postgres_url


@pytest.fixture
def other(url: str) -> Iterator[PostgresLibrary]:
    """Another officer's library object on the same database."""
    library = PostgresLibrary(url)
    library.add_items(sample_items())
    try:
        yield library
    finally:
        library.close()


@pytest.fixture
def open_window(qtbot, tmp_path: Path, url: str, other) -> Iterator[Callable[[], MainWindow]]:
    """Opens the window on its own library object (listening before it returns)."""
    made: list[tuple[MainWindow, PostgresLibrary]] = []

    def opener() -> MainWindow:
        library = PostgresLibrary(url)
        window = listening_window(qtbot, library, tmp_path)
        made.append((window, library))
        return window

    yield opener
    for window, library in made:
        dispose(window)
        library.close()


def draft(window: MainWindow) -> str:
    window.digests.draft_from_month("2023-01")
    digest = window.document.digest
    assert digest is not None and digest.version == 1 and not window.document.dirty
    return digest.id


def save_theirs(other: PostgresLibrary, digest_id: str, **changes: Any) -> None:
    theirs = other.get_digest(digest_id)
    assert theirs is not None
    other.save_digest(theirs | changes, theirs["version"])


def test_items_another_officer_adds_appear_with_the_selection_and_search_kept(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    pane = window.library_pane
    before = pane.model.rowCount()
    pane.search.setText("Story number")
    pane.apply_filter()
    kept = pane.model.item_at(0).id
    pane.select_ids([kept])
    added = [item(900 + n, "In Focus") for n in range(3)]
    other.add_items(added)
    qtbot.waitUntil(lambda: pane.model.rowCount() == before + 3, timeout=WAIT_MS)
    assert all(pane.model.row_of(new.id) >= 0 for new in added)
    assert pane.selected_ids() == [kept] and pane.search.text() == "Story number"
    assert set(window.document.lookup) >= {new.id for new in added}  # the digest can use them
    # a removal elsewhere fills the table again; the selection stays where it can
    other.remove_items([added[0].id])
    qtbot.waitUntil(lambda: pane.model.row_of(added[0].id) < 0, timeout=WAIT_MS)
    assert pane.model.rowCount() == before + 2
    assert pane.selected_ids() == [kept] and pane.search.text() == "Story number"


def test_the_open_digest_saved_elsewhere_is_reloaded_and_the_status_bar_says_who(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    digest_id = draft(window)
    label = window.digests.last_changed
    stamp = other.get_digest(digest_id)
    assert stamp is not None
    assert label.text() == f"Last changed by {saver_name()}, {when_label(stamp['updated_at'])}"
    save_theirs(other, digest_id, intro="Their intro")
    qtbot.waitUntil(
        lambda: (
            window.document.digest is not None and window.document.digest.intro == "Their intro"
        ),
        timeout=WAIT_MS,
    )
    shown = window.document.digest
    assert shown is not None and shown.version == 2 and not window.document.dirty
    theirs = other.get_digest(digest_id)
    assert theirs is not None
    message = window.statusBar().currentMessage()
    assert message == (
        f"{saver_name()} changed this digest at {when_label(theirs['updated_at'])} — reloaded"
    )
    assert label.text().startswith(f"Last changed by {saver_name()}, ")
    assert not window.digests.notice.isVisible()
    # the window's next save lands on their version: nobody asked, nothing refused
    assert window.document.submit([plan_field(shown, "intro", "Mine, on theirs")])
    assert window.document.save()
    assert other.get_digest(digest_id)["intro"] == "Mine, on theirs"


@pytest.fixture
def slow_autosave(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits stay unsaved until the notice is up (an autosave before it would ask in a box)."""
    monkeypatch.setattr(ui.document, "AUTOSAVE_MS", 600_000)


def unsaved_edit_then_theirs(qtbot, window: MainWindow, other: PostgresLibrary) -> str:
    digest_id = draft(window)
    digest = window.document.digest
    assert digest is not None
    assert window.document.submit([plan_field(digest, "intro", "My unsaved intro")])
    assert window.document.dirty
    save_theirs(other, digest_id, intro="Their intro")
    notice = window.digests.notice
    qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
    assert notice.label.text().startswith(f"{saver_name()} changed this digest at ")
    assert notice.label.text().endswith(
        ", and your changes here are not saved yet: they wait for your answer."
    )
    current = window.document.digest
    assert current is not None and current.intro == "My unsaved intro"  # nothing replaced
    return digest_id


def test_with_unsaved_edits_the_notice_offers_reload_which_shows_theirs(
    qtbot, slow_autosave, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    digest_id = unsaved_edit_then_theirs(qtbot, window, other)
    qtbot.mouseClick(window.digests.notice.reload, Qt.MouseButton.LeftButton)
    shown = window.document.digest
    assert shown is not None and shown.id == digest_id
    assert (shown.intro, shown.version) == ("Their intro", 2) and not window.document.dirty
    assert not window.digests.notice.isVisible()
    assert other.get_digest(digest_id)["intro"] == "Their intro"
    assert len(other.digests()) == 1


def test_with_unsaved_edits_keep_mine_saves_them_as_a_copy_beside_theirs(
    qtbot, slow_autosave, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    digest_id = unsaved_edit_then_theirs(qtbot, window, other)
    qtbot.mouseClick(window.digests.notice.keep, Qt.MouseButton.LeftButton)
    copy = window.document.digest
    assert copy is not None and copy.id != digest_id
    assert copy.intro == "My unsaved intro" and copy.title.endswith("(my copy)")
    assert not window.document.dirty and not window.digests.notice.isVisible()
    assert other.get_digest(digest_id)["intro"] == "Their intro"  # theirs untouched
    assert other.get_digest(copy.id)["intro"] == "My unsaved intro"  # mine kept
    assert "kept as a new digest" in window.statusBar().currentMessage()


def test_a_digest_saved_elsewhere_is_listed_in_the_open_dialog_on_screen(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    draft(window)
    dialog = OpenDigestDialog(saved_digests(window.library), window)
    qtbot.addWidget(dialog)
    window.digests.open_dialog = dialog  # as open_digest does while the dialog is up
    dialog.open()
    chosen = dialog.chosen_id()
    assert dialog.list.topLevelItemCount() == 1
    other.save_digest({"id": "d-theirs", "title": "Their February", "period": "2023-02"})

    def listed() -> list[str]:
        rows = (dialog.list.topLevelItem(n) for n in range(dialog.list.topLevelItemCount()))
        return [str(row.data(0, DIGEST_ID_ROLE)) for row in rows if row is not None]

    qtbot.waitUntil(lambda: "d-theirs" in listed(), timeout=WAIT_MS)
    assert dialog.chosen_id() == chosen  # the row chosen stays chosen
    theirs = next(
        dialog.list.topLevelItem(n)
        for n in range(2)
        if dialog.list.topLevelItem(n).data(0, DIGEST_ID_ROLE) == "d-theirs"
    )
    assert theirs.text(4) == saver_name()  # the Changed by column
    window.digests.open_dialog = None
    dialog.reject()


def test_closing_the_window_stops_the_listening(qtbot, open_window) -> None:
    window = open_window()
    library = window.library._library
    watcher = library.watcher
    assert watcher is not None and watcher.running
    window.close()
    assert window.live.stopped and not watcher.running


def test_closing_the_notice_decides_nothing_the_next_save_asks(
    qtbot, slow_autosave, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    digest_id = unsaved_edit_then_theirs(qtbot, window, other)
    asked: list[str] = []

    def resolve(conflict: Any) -> ConflictChoice:
        asked.append(conflict.digest_id)
        return "keep"

    window.document.resolve_conflict = resolve
    qtbot.mouseClick(window.digests.notice.dismiss, Qt.MouseButton.LeftButton)
    assert not window.digests.notice.isVisible() and window.document.dirty
    assert window.document.save() and asked == [digest_id]  # the usual question, once
    assert other.get_digest(digest_id)["intro"] == "Their intro"


def test_the_open_digest_deleted_elsewhere_stays_open_and_the_status_bar_says_so(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    digest_id = draft(window)
    other.remove_digest(digest_id)
    qtbot.waitUntil(
        lambda: "deleted from the library elsewhere" in window.statusBar().currentMessage(),
        timeout=WAIT_MS,
    )
    shown = window.document.digest
    assert shown is not None and shown.id == digest_id
    assert window.document.submit([plan_field(shown, "intro", "Still mine")])
    assert window.document.save()  # saved again: nothing lost
    assert other.get_digest(digest_id)["intro"] == "Still mine"


def test_who_and_when_read_in_local_time() -> None:
    at = dt.datetime(2024, 3, 1, 14, 3, tzinfo=dt.UTC)
    local = at.astimezone()
    assert when_label(at.isoformat(), today=local.date()) == f"{local:%H:%M}"
    assert when_label(at.isoformat(), today=local.date() + dt.timedelta(days=1)) == (
        f"{local:%Y-%m-%d %H:%M}"
    )
    assert when_label("not a time") == ""
    assert changed_line("ann@office-2", at.isoformat(), today=local.date()) == (
        f"ann@office-2 changed this digest at {local:%H:%M}"
    )
    assert changed_line("", "") == "Someone changed this digest"
