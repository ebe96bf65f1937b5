"""The library pane: the item table, its search and filters, and the item actions.

:class:`LibraryPane` shows the welcome page (three ways in) while the library is empty,
else the table of items (:class:`~ui.item_table_model.ItemTableModel` under the
:class:`~ui.item_filter_proxy.ItemFilterProxy`) with a search box, category and month
filters and a date range; items in the open digest are marked. Rows are dragged into
the digest, or added with Enter, a double-click or the Add button. It carries out the
item actions (new, edit, remove; the rows' context menu) against the library, then
has the window reload; after an import only the rows that changed are touched
(:meth:`LibraryPane.items_added`). When another officer changes the items of a shared
library (:mod:`ui.live_refresh`), :meth:`LibraryPane.reload_items` reads them again on
the library thread: new and changed items touch only their rows, and after a removal the
table is filled again with the selection, the filters and the top row kept where they can.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QItemSelectionModel, QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from composer.errors import NewsdigestError
from composer.library.item import NewsItem
from composer.library.search import ItemFilter
from ui.item_dialog import ItemDialog
from ui.item_filter_proxy import ItemFilterProxy
from ui.item_table_model import ITEM_ID_ROLE, ItemTableModel
from ui.operations import Failure
from ui.welcome_page import WelcomePage
from ui.window_actions import ONE_SELECTED, SELECTION, needing

if TYPE_CHECKING:
    from ui.main_window import MainWindow

ALL_CATEGORIES = "All categories"
ALL_MONTHS = "All months"
DATE_RANGE = "Date range…"
SEARCH_PAUSE_MS = 120


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def _fill_combo(combo: QComboBox, everything: str, values: list[str]) -> None:
    current = combo.currentText()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything)
    combo.addItems(values)
    combo.setCurrentIndex(max(0, combo.findText(current)))
    combo.blockSignals(False)


class LibraryPane(QStackedWidget):
    """The welcome page, or the library's items to search, filter and pick from."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()  # the window's splitter takes it
        self.main_window = window  # not .window: QWidget.window() is Qt's
        self.model = ItemTableModel(parent=self)
        self.proxy = ItemFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.item_count = QLabel()  # shown in the window's status bar
        self.item_count.setAccessibleName("Library item count")
        self._actions: Mapping[str, QAction] = {}
        self._make_filters()
        self._make_table()
        self.add_button = QPushButton("Add to digest")
        self.add_button.setAccessibleName("Add the selected items to the digest")
        self.add_button.setToolTip("Add the selected items to the open digest (Ctrl+Enter)")
        self.welcome = WelcomePage()
        self.addWidget(self.welcome)
        self.addWidget(self._library_page())
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.category.currentIndexChanged.connect(self.apply_filter)
        self.month.currentIndexChanged.connect(self.apply_filter)

    # -- building ---------------------------------------------------------------------------------
    def _make_filters(self) -> None:
        self.search = QLineEdit(placeholderText="Search titles, summaries and tags")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the library")
        self.search.setToolTip("Search titles, summaries and tags (Ctrl+F)")
        self.category = QComboBox()
        self.category.setAccessibleName("Category filter")
        self.category.setToolTip("Show one category only")
        self.month = QComboBox()
        self.month.setAccessibleName("Month filter")
        self.month.setToolTip("Show one month only, or the items of a range of dates")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setToolTip(f"{name} (inclusive)")
            edit.dateChanged.connect(self.apply_filter)
        self.range_row = QWidget()
        range_layout = QHBoxLayout(self.range_row)
        range_layout.setContentsMargins(0, 0, 0, 0)
        range_layout.addWidget(QLabel("From"))
        range_layout.addWidget(self.date_from, 1)
        range_layout.addWidget(QLabel("to"))
        range_layout.addWidget(self.date_to, 1)
        self.range_row.hide()

    def _make_table(self) -> None:
        table = self.table = QTableView()
        table.setModel(self.proxy)
        table.setAccessibleName("Library items")
        table.setToolTip("Drag items into the digest, or press Enter / double-click to add them")
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setDragEnabled(True)
        table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        table.setDefaultDropAction(Qt.DropAction.CopyAction)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(24)
        header = table.horizontalHeader()
        # fixed widths: sizing to contents would measure every row of a 50,000-item library
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, self.fontMetrics().horizontalAdvance("2023-01-31") + 28)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 120)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.selectionModel().selectionChanged.connect(self.selection_changed)

    def _library_page(self) -> QWidget:
        filters = QHBoxLayout()
        filters.addWidget(self.category, 1)
        filters.addWidget(self.month, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.add_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.range_row)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        return page

    def use_actions(self, actions: Mapping[str, QAction]) -> None:
        """The window's actions: the item actions work in the table, and in its context menu."""
        self._actions = actions
        for name in ("remove_items", "edit_item"):
            action = actions[name]
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.table.addAction(action)

    # -- showing ----------------------------------------------------------------------------------
    def show_items(self, items: Sequence[NewsItem]) -> None:
        """The library's items, now: the table, the filters' choices, the digest's marks."""
        self.model.set_items(items)
        self.proxy.set_items(items)
        self._fill_filters(items)

    def items_added(self, new: Sequence[NewsItem], mended: Sequence[NewsItem]) -> None:
        """An import added ``new`` items and mended ``mended`` ones: only their rows change.

        The rows already shown stay (their selection too), in the sort and filter chosen.
        """
        self.proxy.items_added(new, mended)  # the filter knows them before their rows come
        self.model.add_items(new)
        self.model.update_items(mended)
        self._fill_filters(self.model.items())
        self._show_count()

    def reload_items(self) -> None:
        """Read the library's items again (others changed them), on the library thread."""
        window = self.main_window
        window.workers.library_op(
            window.library.items, parent=self, what="Reading the library again"
        ).success(self._items_read).failure(self._read_failed).run_in_background()

    def _read_failed(self, failure: Failure) -> None:
        self.main_window.statusBar().showMessage(
            f"The library's items could not be read again: {failure.message}", 10000
        )

    def _items_read(self, items: Sequence[NewsItem]) -> None:
        """Show ``items``, the library's now, keeping what the table shows where it can."""
        window = self.main_window
        shown = {item.id: item for item in self.model.items()}
        fresh = {item.id for item in items}
        new = [item for item in items if item.id not in shown]
        if shown.keys() <= fresh:  # none removed: only the rows that changed are touched
            mended = [item for item in items if item.id in shown and shown[item.id] != item]
            window.items_added(new, mended)
        else:
            selected, top = self.selected_ids(), self._top_id()
            window.refresh(items)
            self.select_ids(selected)
            self._scroll_to(top)
        if new:
            count = f"{len(new)} new item{'s' if len(new) != 1 else ''}"
            window.statusBar().showMessage(f"{count} in the library, added elsewhere", 6000)

    def _top_id(self) -> str | None:
        index = self.table.indexAt(QPoint(1, 1))
        return str(index.data(ITEM_ID_ROLE)) if index.isValid() else None

    def _scroll_to(self, item_id: str | None) -> None:
        row = self.model.row_of(item_id) if item_id is not None else -1
        if row >= 0:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)

    def _fill_filters(self, items: Sequence[NewsItem]) -> None:
        """The category and month choices, and the date range, of the items shown."""
        _fill_combo(self.category, ALL_CATEGORIES, sorted({i.category for i in items}))
        days = {i.date for i in items}  # a few hundred distinct days, even in a big library
        months = sorted({f"{d.year:04d}-{d.month:02d}" for d in days}, reverse=True)
        _fill_combo(self.month, ALL_MONTHS, [*months, DATE_RANGE] if months else [])
        if items and self.month.currentText() != DATE_RANGE:
            low, high = min(days), max(days)
            for edit, day in ((self.date_from, low), (self.date_to, high)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self.setCurrentIndex(1 if items else 0)

    def mark_digest_items(self) -> None:
        """Mark the rows of the items in the open digest."""
        digest = self.main_window.document.digest
        self.model.set_marked(digest.item_ids() if digest else ())

    def current_filter(self) -> ItemFilter:
        category = self.category.currentText()
        month = self.month.currentText()
        in_range = month == DATE_RANGE
        self.range_row.setVisible(in_range)
        return ItemFilter(
            text=self.search.text(),
            category="" if category in ("", ALL_CATEGORIES) else category,
            month="" if month in ("", ALL_MONTHS, DATE_RANGE) else month,
            date_from=_day(self.date_from.date()) if in_range else None,
            date_to=_day(self.date_to.date()) if in_range else None,
        )

    def apply_filter(self) -> None:
        self.proxy.apply(self.current_filter())
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.item_count.setText(f"{shown} of {total} items" if shown != total else f"{total} items")

    # -- the selection ----------------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [str(index.data(ITEM_ID_ROLE)) for index in rows]

    def select_ids(self, ids: list[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for item_id in ids:
            row = self.model.row_of(item_id)
            if row >= 0:
                proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
                if proxy_index.isValid():
                    selection.select(proxy_index, flags)

    def selection_changed(self, *args: Any) -> None:
        has = bool(self.table.selectionModel().hasSelection())
        for action in needing(self._actions, SELECTION):
            action.setEnabled(has)
        self.add_button.setEnabled(has)
        for action in needing(self._actions, ONE_SELECTED):
            action.setEnabled(len(self.selected_ids()) == 1)

    def _context_menu(self, pos: Any) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        names = ("add_to_digest", "edit_item", "new_item", "-", "remove_items")
        for name in names:
            if name == "-":
                menu.addSeparator()
            else:
                menu.addAction(self._actions[name])
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # -- the item actions -------------------------------------------------------------------------
    def remove_selected(self, confirm: bool = True) -> None:
        window = self.main_window
        ids = self.selected_ids()
        if not ids:
            return
        if confirm and not window.confirm(
            "Remove items",
            f"Remove {len(ids)} item{'s' if len(ids) != 1 else ''} from the library? "
            "Digests that use them will show them as missing.",
        ):
            return
        try:
            removed = window.library.remove_items(ids)
        except NewsdigestError as exc:
            window.show_problem(f"Could not remove the items: {exc}")
            return
        window.refresh()
        window.statusBar().showMessage(f"Removed {len(removed)} items", 5000)

    def new_item(self) -> None:
        window = self.main_window
        dialog = ItemDialog(self._categories(), parent=window, executor=window.workers.work)
        dialog.accepted.connect(lambda: self.item_entered(dialog.result_item, new=True))
        dialog.open()

    def edit_item(self) -> None:
        window = self.main_window
        ids = self.selected_ids()
        item = window.library.get_item(ids[0]) if len(ids) == 1 else None
        if item is None:
            return
        dialog = ItemDialog(self._categories(), item, parent=window, executor=window.workers.work)
        dialog.accepted.connect(lambda: self.item_entered(dialog.result_item, new=False))
        dialog.open()

    def _categories(self) -> list[str]:
        """The theme's categories in its order, then the library's others."""
        in_library = {self.model.item_at(r).category for r in range(self.model.rowCount())}
        return list(dict.fromkeys([*self.main_window.theme.category_order, *sorted(in_library)]))

    def item_entered(self, item: NewsItem | None, *, new: bool) -> None:
        """Store an item typed in the item dialog (a new one, or an edit), then select it."""
        window = self.main_window
        if item is None:
            return
        try:
            if new:
                added = window.library.add_items([item])
                if not added.new:
                    window.show_problem(
                        f"“{item.title}” is already in the library ({added.existing[0].date})."
                    )
                    return
            else:
                window.library.save_item(item)
        except NewsdigestError as exc:
            window.show_problem(f"The item could not be saved: {exc}")
            return
        window.refresh()
        self.select_ids([item.id])
