"""The digest editor: its model, drag and drop, keys, undo/redo, fields, overrides, digests."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402
from PySide6.QtCore import QModelIndex, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from composer.digest.drafting import draft_digest  # noqa: E402
from composer.digest.editing import shorten  # noqa: E402
from composer.digest.model import Digest  # noqa: E402
from composer.theme.model import Theme  # noqa: E402
from ui.digest_model import (  # noqa: E402
    ITEMS_MIME,
    MISSING_ROLE,
    OVERRIDDEN_ROLE,
    ROWS_MIME,
    DigestModel,
    item_ids_mime,
)
from ui.item_table_model import IN_DIGEST_ROLE  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

ITEMS = sample_items()
LOOKUP = {i.id: i for i in ITEMS}
THEME = Theme()


def shape(digest: Digest | None) -> list[tuple[str, list[str]]]:
    assert digest is not None
    return [(s.category, list(s.item_ids)) for s in digest.sections]


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def window(windows: Windows) -> MainWindow:
    windows.library(items=ITEMS)
    win = windows.open()
    win.digests.draft_from_month("2023-01")
    return win


def test_the_digest_model_passes_qt_model_checks_through_every_kind_of_change(
    qapp, qtmodeltester
) -> None:
    model = DigestModel()
    model.set_lookup(LOOKUP)
    model.set_category_order(THEME.category_order)
    model.set_digest(draft_digest(ITEMS, "2023-01", THEME))
    qtmodeltester.check(model)  # the tester stays attached and checks every signal below
    before = model.digest
    feb = [i for i in ITEMS if i.month == "2023-02"]
    inverses = []
    model.submit_operations = lambda ops: bool(inverses.append(model.apply_all(ops))) or True
    drops = [
        (item_ids_mime([i.id for i in feb]), -1, QModelIndex()),  # new sections, sorted
        (model.mimeData([model.index(0, 0, model.index(0, 0))]), 0, model.index(1, 0)),
        (model.mimeData([model.index(2, 0)]), 0, QModelIndex()),  # a section to the top
    ]
    for mime, row, parent in drops:
        operations = model.plan_drop(mime, row, parent)
        assert operations
        assert model.dropMimeData(mime, Qt.DropAction.MoveAction, row, 0, parent)
    model.setData(model.index(0, 0), "Renamed section")
    first = model.index(0, 0, model.index(1, 0))
    model.setData(first, "A title for this digest only")
    assert model.data(first, OVERRIDDEN_ROLE) == frozenset({"title"})
    assert model.data(first) == "A title for this digest only"
    assert model.data(first.siblingAtColumn(0), Qt.ItemDataRole.FontRole).italic()
    model.set_lookup({k: v for k, v in LOOKUP.items() if k != model.item_id(first)})
    assert model.data(first, MISSING_ROLE) is True
    assert "Missing item" in model.data(first)
    model.set_lookup(LOOKUP)
    for undo in reversed(inverses):
        model.apply_all(undo)
    assert model.digest == before


def test_dragging_library_items_puts_each_in_its_category_section(window: MainWindow) -> None:
    model = window.document.model
    window.digests.new_digest("2023-02")
    feb = [i for i in ITEMS if i.month == "2023-02"]
    window.library_pane.select_ids([i.id for i in feb])
    source = window.library_pane.table.selectionModel().selectedRows()
    mime = window.library_pane.proxy.mimeData(source)
    assert mime.hasFormat(ITEMS_MIME)
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, QModelIndex())
    digest = window.document.digest
    assert [s.category for s in digest.sections] == ["In Focus", "Project News", "Expert Voice"]
    for section in digest.sections:
        dates = [LOOKUP[i].date for i in section.item_ids]
        assert dates == sorted(dates, reverse=True)
        assert {LOOKUP[i].category for i in section.item_ids} == {section.category}
    # marked in the library table
    marked = [
        window.library_pane.proxy.index(r, 0).data(IN_DIGEST_ROLE)
        for r in range(window.library_pane.proxy.rowCount())
    ]
    assert sum(marked) == len(feb)
    assert window.actions_by_name["undo"].text() == f"&Undo add {len(feb)} items"
    window.actions_by_name["undo"].trigger()
    assert window.document.digest.sections == ()
    assert not any(
        window.library_pane.proxy.index(r, 0).data(IN_DIGEST_ROLE)
        for r in range(window.library_pane.proxy.rowCount())
    )


def test_dropping_on_a_section_or_between_items_puts_them_there(window: MainWindow) -> None:
    model = window.document.model
    feb = [i for i in ITEMS if i.month == "2023-02"][:2]
    news = model.index(0, 0)
    assert news.data() == "Project News"
    assert model.dropMimeData(
        item_ids_mime([i.id for i in feb]), Qt.DropAction.CopyAction, 1, 0, news
    )
    ids = window.document.digest.sections[0].item_ids
    assert list(ids[1:3]) == [i.id for i in feb]
    # the same items again are not added twice
    assert model.plan_drop(item_ids_mime([feb[0].id]), 0, news) == []


def test_moving_items_and_sections_by_drag_and_drop_with_undo_and_redo(
    window: MainWindow,
) -> None:
    model = window.document.model
    start = shape(window.document.digest)
    news, press = model.index(0, 0), model.index(1, 0)
    two = [model.index(0, 0, news), model.index(2, 0, news)]
    mime = model.mimeData(two)
    assert mime.hasFormat(ROWS_MIME)
    moved_ids = [model.item_id(i) for i in two]
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, 1, 0, press)
    after = shape(window.document.digest)
    assert after[1][1] == [start[1][1][0], *moved_ids]
    assert after[0][1] == [i for i in start[0][1] if i not in moved_ids]
    # items dropped between sections have nowhere to go
    assert not model.canDropMimeData(
        model.mimeData([model.index(0, 0, news)]), Qt.DropAction.MoveAction, 1, 0, QModelIndex()
    )
    # a section dragged to the end
    assert model.dropMimeData(
        model.mimeData([model.index(0, 0)]), Qt.DropAction.MoveAction, 3, 0, QModelIndex()
    )
    assert [s for s, _ in shape(window.document.digest)] == [
        "Press Release",
        "Expert Voice",
        "Project News",
    ]
    assert window.actions_by_name["undo"].text() == "&Undo move section 'Project News'"
    window.actions_by_name["undo"].trigger()
    window.actions_by_name["undo"].trigger()
    assert shape(window.document.digest) == start
    window.actions_by_name["redo"].trigger()
    window.actions_by_name["redo"].trigger()
    assert [s for s, _ in shape(window.document.digest)][-1] == "Project News"


def test_alt_up_alt_down_and_delete_in_the_tree(window: MainWindow, qtbot) -> None:
    tree = window.editor.tree
    start = shape(window.document.digest)
    first_id = start[0][1][0]
    window.editor.select_item(first_id)
    QTest.keyClick(tree, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert shape(window.document.digest)[0][1][:2] == [start[0][1][1], first_id]
    title = shorten(LOOKUP[first_id].title)
    assert window.actions_by_name["undo"].text() == f"&Undo move '{title}'"
    # the selection follows the item
    assert window.editor.selected()[0] == [(0, 1)]
    QTest.keyClick(tree, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert shape(window.document.digest) == start
    QTest.keyClick(tree, Qt.Key.Key_Delete)
    assert not window.document.digest.contains(first_id)
    assert window.actions_by_name["undo"].text() == f"&Undo remove '{title}'"
    QTest.keyClick(tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert shape(window.document.digest) == start
    QTest.keyClick(
        tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert not window.document.digest.contains(first_id)


def test_enter_in_the_library_adds_the_selection(window: MainWindow) -> None:
    feb = next(i for i in ITEMS if i.month == "2023-02" and i.category == "Expert Voice")
    window.library_pane.select_ids([feb.id])
    window.library_pane.table.setFocus()
    window.library_pane.table.setCurrentIndex(
        window.library_pane.table.selectionModel().selectedRows()[0]
    )
    QTest.keyClick(window.library_pane.table, Qt.Key.Key_Return)
    assert window.document.digest.contains(feb.id)
    assert window.editor.selected()[0] == [window.document.digest.locate(feb.id)]


def test_typing_in_the_fields_is_one_undo_step_per_field(window: MainWindow, qtbot) -> None:
    editor = window.editor
    old_title = window.document.digest.title
    editor.title.selectAll()
    QTest.keyClicks(editor.title, "Our January")
    qtbot.waitUntil(lambda: window.document.digest.title == "Our January", timeout=3000)
    QTest.keyClicks(editor.title, " news")
    editor.flush()
    assert window.document.digest.title == "Our January news"
    assert window.actions_by_name["undo"].text() == "&Undo change title"
    editor.intro.setPlainText("A **busy** month.")
    editor.flush()
    assert window.document.digest.intro == "A **busy** month."
    window.actions_by_name["undo"].trigger()
    assert window.document.digest.intro == "" and editor.intro.toPlainText() == ""
    window.actions_by_name["undo"].trigger()
    assert window.document.digest.title == old_title
    assert editor.title.text() == old_title
    # a title cannot be empty: the field says so and the digest keeps its title
    editor.title.clear()
    editor.flush()
    assert window.document.digest.title == old_title
    assert "empty" in editor.error.text()


def test_overriding_an_item_title_and_summary_for_this_digest(window: MainWindow) -> None:
    editor = window.editor
    item_id = window.document.digest.sections[0].item_ids[0]
    library_item = LOOKUP[item_id]
    editor.select_item(item_id)
    panel = editor.items
    assert panel.title_edit.text() == library_item.title
    assert not panel.reset_title.isEnabled()
    panel.title_edit.setText("Vostrana: the scoping visit")
    panel.summary_edit.setPlainText("A shorter summary.")
    editor.flush()
    digest = window.document.digest
    assert digest.override(item_id).title == "Vostrana: the scoping visit"
    assert digest.override(item_id).summary == "A shorter summary."
    index = window.document.model.index_of_item(item_id)
    assert index.data() == "Vostrana: the scoping visit"
    assert index.data(OVERRIDDEN_ROLE) == frozenset({"title", "summary"})
    assert panel.reset_title.isEnabled() and "Changed" in panel.title_state.text()
    assert window.library.get_item(item_id).title == library_item.title  # library untouched
    panel.reset_title.click()
    assert window.document.digest.override(item_id).title is None
    assert panel.title_edit.text() == library_item.title
    window.actions_by_name["undo"].trigger()
    assert panel.title_edit.text() == "Vostrana: the scoping visit"


def test_new_open_duplicate_rename_and_delete_digests(window: MainWindow) -> None:
    drafted = window.document.digest
    assert window.library.get_digest(drafted.id) is not None  # saved when created
    copy = window.digests.duplicate_digest()
    assert copy is not None and copy.id != drafted.id
    assert shape(window.document.digest) == shape(drafted)
    assert window.digests.rename_digest("February plans")
    assert window.document.digest.title == "February plans"
    assert window.actions_by_name["undo"].text() == "&Undo rename digest"
    assert window.digests.save_digest()
    assert window.library.get_digest(copy.id)["title"] == "February plans"
    window.digests.open_digest(drafted.id)
    assert window.document.digest.id == drafted.id
    assert not window.actions_by_name[
        "undo"
    ].isEnabled()  # history belongs to the digest it was made in
    assert window.digests.delete_digest()
    assert window.document.digest is None
    assert window.library.get_digest(drafted.id) is None
    assert window.editor.pages.currentIndex() == 0  # the ways to start a digest
    empty = window.digests.new_digest("2023-02")
    assert empty.sections == () and window.document.digest.period == "2023-02"
    assert len(window.library.digests()) == 2


def test_adding_with_no_digest_open_starts_one_for_the_month(windows: Windows) -> None:
    windows.library(items=ITEMS)
    win = windows.open()
    assert win.document.digest is None
    feb = [i.id for i in ITEMS if i.month == "2023-02"][:3]
    assert win.digests.add_to_digest(feb)
    assert win.document.digest.period == "2023-02"
    assert set(win.document.digest.item_ids()) == set(feb)


def test_text_typed_just_before_opening_another_digest_is_kept(window: MainWindow) -> None:
    first = window.document.digest
    second = window.digests.new_digest("2023-02")
    window.digests.open_digest(first.id)
    window.editor.title.setText("Typed, then another digest opened")  # not committed yet
    window.digests.open_digest(second.id)
    assert window.library.get_digest(first.id)["title"] == "Typed, then another digest opened"
