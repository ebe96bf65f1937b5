"""The library window, driven offscreen with pytest-qt on a real library file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LISTING

from store.tinydb_library import TinyDBLibrary

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import dispose  # noqa: E402
from PySide6.QtCore import QDate, Qt  # noqa: E402
from PySide6.QtWidgets import QPushButton  # noqa: E402

from ui.item_table_model import ItemTableModel  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import SynchronousExecutor  # noqa: E402


@pytest.fixture
def window(qtbot, library_path: Path):
    library = TinyDBLibrary(library_path)
    win = MainWindow(
        library, library_executor=SynchronousExecutor(), work_executor=SynchronousExecutor()
    )
    win.show()
    yield win
    dispose(win)
    library.close()


def test_an_empty_library_shows_the_three_ways_in(window: MainWindow) -> None:
    assert window.library_pane.currentWidget() is window.library_pane.welcome
    buttons = [b.text() for b in window.library_pane.welcome.findChildren(QPushButton)]
    assert all(b.accessibleName() for b in window.library_pane.welcome.findChildren(QPushButton))
    assert buttons == ["Import a file…", "Paste a news listing", "Load the sample library"]


def test_loading_the_sample_fills_the_table_and_filters_work(window: MainWindow, qtbot) -> None:
    window.imports.load_sample()
    assert window.library_pane.currentIndex() == 1
    total = window.library_pane.model.rowCount()
    assert total >= 40 and window.library_pane.proxy.rowCount() == total
    assert window.library.write_count == 1
    window.library_pane.category.setCurrentText("Press Release")
    shown = window.library_pane.proxy.rowCount()
    assert 0 < shown < total
    for row in range(shown):
        assert window.library_pane.proxy.index(row, 1).data() == "Press Release"
    window.library_pane.category.setCurrentIndex(0)
    window.library_pane.search.setText("zzzz-no-such-word")
    qtbot.waitUntil(lambda: window.library_pane.proxy.rowCount() == 0)
    assert window.library_pane.item_count.text() == f"0 of {total} items"
    window.library_pane.search.clear()
    qtbot.waitUntil(lambda: window.library_pane.proxy.rowCount() == total)


def test_importing_the_fixture_reports_and_selects_new_items(window: MainWindow) -> None:
    window.import_sources([str(LISTING)])
    assert "14 new, 0 already in the library, 0 rejected" in window.imports.last_import_summary
    assert len(window.library_pane.selected_ids()) == 14
    window.import_sources([str(LISTING)])
    assert "0 new, 14 already in the library" in window.imports.last_import_summary


def test_a_bad_file_is_reported_in_the_window(window: MainWindow, tmp_path: Path) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02" * 100)
    window.import_sources([str(junk)])
    assert "junk.csv" in window.imports.last_import_summary
    assert window.library_pane.model.rowCount() == 0


def test_removing_selected_items_persists(window: MainWindow, library_path: Path) -> None:
    window.import_sources([str(LISTING)])
    window.library_pane.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    window.library_pane.table.selectRow(0)
    (removed,) = window.library_pane.selected_ids()
    window.library_pane.remove_selected(confirm=False)
    assert window.library_pane.model.rowCount() == 13
    assert window.library.get_item(removed) is None


def test_the_table_model_passes_qt_model_checks(qtmodeltester, window: MainWindow) -> None:
    window.imports.load_sample()
    qtmodeltester.check(window.library_pane.model)
    qtmodeltester.check(window.library_pane.proxy)
    assert isinstance(window.library_pane.model, ItemTableModel)


def test_a_date_range_filter(window: MainWindow, qtbot) -> None:
    window.import_sources([str(LISTING)])
    window.library_pane.month.setCurrentText("Date range…")
    assert window.library_pane.range_row.isVisible()
    window.library_pane.date_from.setDate(QDate(2023, 1, 10))
    window.library_pane.date_to.setDate(QDate(2023, 1, 20))
    shown = {
        window.library_pane.proxy.index(r, 0).data()
        for r in range(window.library_pane.proxy.rowCount())
    }
    assert shown and all("2023-01-10" <= d <= "2023-01-20" for d in shown)
    window.library_pane.month.setCurrentIndex(0)
    assert (
        not window.library_pane.range_row.isVisible() and window.library_pane.proxy.rowCount() == 14
    )
