"""After an import, the library table changes only the rows of what the import changed.

The new items' rows are inserted where the sort puts them and the filter in force takes
them in or leaves them out; the items an import mended are repainted in place; nothing
is reset, so the rows shown, the selection, the sort and the filter stay.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402
from PySide6.QtCore import QModelIndex, Qt  # noqa: E402

from composer.library.item import NewsItem, make_item  # noqa: E402
from ui.item_table_model import ItemTableModel  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

NEW_STORIES = (
    "category,title,date,url\n"
    "In Focus,Zelvor opens its new ferry pier,2023-02-20,https://example.org/news/pier\n"
    "Expert Voice,Kürnavia trains forty nurses,2023-01-15,https://example.org/news/nurses\n"
    "Project News,A road to the Zelvor clinic,2023-02-03,https://example.org/news/road\n"
)


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


class Spy:
    """What a model said while an import ran: the ids of the rows inserted, the resets."""

    def __init__(self, window: MainWindow) -> None:
        model = window.library_pane.model
        self.inserted: list[str] = []
        self.changed: list[str] = []
        self.resets = 0
        model.rowsInserted.connect(self._inserted)
        model.dataChanged.connect(self._changed)
        model.modelReset.connect(self._reset)
        window.document.model.modelReset.connect(self._reset)  # the digest's model too
        self.model = model

    def _inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        self.inserted += [self.model.item_at(row).id for row in range(first, last + 1)]

    def _changed(self, top_left: QModelIndex, bottom_right: QModelIndex, *_roles: object) -> None:
        self.changed += [
            self.model.item_at(row).id for row in range(top_left.row(), bottom_right.row() + 1)
        ]

    def _reset(self) -> None:
        self.resets += 1


def _titles(window: MainWindow) -> list[str]:
    proxy = window.library_pane.proxy
    return [proxy.index(row, 2).data() for row in range(proxy.rowCount())]


def test_an_import_inserts_the_new_rows_in_the_sort_and_the_filter(
    windows: Windows, tmp_path: Path
) -> None:
    known = sample_items()
    win = windows.open(windows.library(items=known))
    pane = win.library_pane
    pane.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by title
    pane.category.setCurrentText("In Focus")
    in_focus = _titles(win)
    assert in_focus and pane.proxy.rowCount() < len(known)
    source = tmp_path / "new.csv"
    source.write_text(NEW_STORIES, encoding="utf-8")
    spy = Spy(win)

    win.import_sources([str(source)])

    new = {i.id: i for i in win.library.items() if (i.url or "").startswith("https://example.org")}
    assert sorted(spy.inserted) == sorted(new) and len(new) == 3
    assert spy.resets == 0
    assert pane.model.rowCount() == len(known) + 3
    titles = [pane.model.item_at(row).title for row in range(pane.model.rowCount())]
    assert titles == sorted(titles, key=str.casefold)  # still sorted by title
    # the filter kept: the new In Focus story is shown, among the others, and selected
    assert _titles(win) == sorted([*in_focus, "Zelvor opens its new ferry pier"], key=str.casefold)
    assert [new[i].title for i in pane.selected_ids()] == ["Zelvor opens its new ferry pier"]
    assert "In Focus" in [pane.category.itemText(n) for n in range(pane.category.count())]
    # the search index has the new stories
    pane.category.setCurrentIndex(0)
    pane.search.setText("Zelvor")
    pane.apply_filter()
    assert sorted(_titles(win)) == [
        "A road to the Zelvor clinic",
        "Zelvor opens its new ferry pier",
    ]


def test_an_import_that_mends_a_story_repaints_its_row_and_keeps_the_selection(
    windows: Windows, tmp_path: Path
) -> None:
    bare = make_item(
        {"category": "In Focus", "title": "Kürnavia harbour reopens", "date": "2023-02-11"}
    )
    win = windows.open(windows.library(items=[*sample_items(), bare]))
    pane = win.library_pane
    pane.search.setText("harbour")
    pane.apply_filter()
    assert _titles(win) == ["Kürnavia harbour reopens"]
    pane.select_ids([bare.id])
    source = tmp_path / "page.csv"
    source.write_text(
        "category,title,date,url\nIn Focus,Kürnavia harbour reopens,2023-02-11,"
        "https://example.org/news/harbour\n",
        encoding="utf-8",
    )
    spy = Spy(win)

    win.import_sources([str(source)])

    assert "1 story already in the library got their link" in win.imports.last_import_summary
    assert spy.inserted == [] and spy.resets == 0
    assert bare.id in spy.changed
    row = pane.model.row_of(bare.id)
    assert pane.model.item_at(row).url == "https://example.org/news/harbour"
    assert pane.selected_ids() == [bare.id]  # the selected row stays selected
    assert _titles(win) == ["Kürnavia harbour reopens"]  # and the filter stays


def test_the_model_inserts_one_run_of_adjacent_rows_at_a_time(qapp) -> None:
    def story(title: str, day: int) -> NewsItem:
        return make_item({"category": "News", "title": title, "date": f"2023-03-{day:02d}"})

    known = [story("Ninth", 9), story("Fifth", 5), story("First", 1)]  # the library's order
    model = ItemTableModel(known)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    late, later, early = story("Tenth", 10), story("Eleventh", 11), story("Third", 3)
    again = known[1].edited(summary="Now with a summary")
    model.add_items([late, early, later, again])
    assert inserted == [(0, 1), (4, 4)]  # newest first: two new on top, one between
    assert [model.item_at(r).title for r in range(model.rowCount())] == [
        "Eleventh",
        "Tenth",
        "Ninth",
        "Fifth",
        "Third",
        "First",
    ]
    assert model.item_at(model.row_of(again.id)).summary == "Now with a summary"  # updated
    assert model.row_of(early.id) == 4
