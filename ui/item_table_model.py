"""A read-only table model over the library's items (date, category, title).

Rows can be dragged (as library item ids, see :mod:`ui.digest_model`), and the
items already in the open digest are marked (an icon and bold title). A new snapshot
of the library resets the model; an import only inserts the rows of its new items
where the current order puts them (:meth:`ItemTableModel.add_items`) and repaints
those of the items it mended (:meth:`ItemTableModel.update_items`), so that the
selection, the sort and the filter stay as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QStyle

from composer.library.item import NewsItem
from composer.library.rules import item_sort_key
from ui.digest_model import ITEMS_MIME, item_ids_mime

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Date", "Category", "Title")
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
IN_DIGEST_ROLE = Qt.ItemDataRole.UserRole + 3
#: Runs of adjacent new rows an import inserts one by one; past that, one reset is cheaper.
MAX_INSERTED_RUNS = 100

SortKey = Callable[[NewsItem], Any]


class ItemTableModel(QAbstractTableModel):
    """Items as rows: reset with a new snapshot of the library, rows inserted by an import."""

    def __init__(self, items: Sequence[NewsItem] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[NewsItem] = list(items)
        self._rows: dict[str, int] = {item.id: row for row, item in enumerate(self._items)}
        self._marked: frozenset[str] = frozenset()
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_marked(self, ids: Iterable[str]) -> None:
        """Mark the items of the open digest (only the rows that change are repainted)."""
        marked = frozenset(ids)
        changed = marked ^ self._marked
        self._marked = marked
        for item_id in changed:
            row = self._rows.get(item_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def is_marked(self, item_id: str) -> bool:
        return item_id in self._marked

    def set_items(self, items: Sequence[NewsItem]) -> None:
        """A new snapshot of the library, kept in the current sort order."""
        self.beginResetModel()
        self._items = list(items)
        if self._sort is not None:
            self._sort_list(*self._sort)
        self._rows = {item.id: row for row, item in enumerate(self._items)}
        self.endResetModel()

    def _order(self) -> tuple[SortKey, bool]:
        """The key (and whether reversed) of the rows' order: the sort chosen, or the library's."""
        if self._sort is None:
            return item_sort_key, False
        column, order = self._sort
        descending = order == Qt.SortOrder.DescendingOrder
        if column == 0:
            # newest (or oldest) first, titles A to Z within a day: the library's own order
            # when descending, so the first sort of a big library finds it sorted already
            sign = -1 if descending else 1
            return (lambda i: (sign * i.date.toordinal(), i.title.casefold())), False
        keys: dict[int, SortKey] = {
            1: lambda i: (i.category.casefold(), i.date, i.title.casefold()),
            2: lambda i: (i.title.casefold(), i.date),
        }
        return keys.get(column, item_sort_key), descending

    def _sort_list(self, column: int, order: Qt.SortOrder) -> None:
        if column in (0, 1, 2):
            key, reverse = self._order()
            self._items.sort(key=key, reverse=reverse)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows in Python (one ``list.sort``), keeping persistent indexes right."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        ids = [(self._items[index.row()].id, index.column()) for index in old]
        self._sort_list(column, order)
        self._rows = {item.id: row for row, item in enumerate(self._items)}
        self.changePersistentIndexList(
            old, [self.index(self._rows[item_id], col) for item_id, col in ids]
        )
        self.layoutChanged.emit()

    def add_items(self, items: Sequence[NewsItem]) -> None:
        """Insert rows for new items where the current order puts them.

        One insert per run of adjacent new rows (the rows already there, and their
        selection, stay); an import whose rows land in more than
        :data:`MAX_INSERTED_RUNS` places resets the model instead. An item that has a row
        already (the table was reloaded meanwhile) is only updated.
        """
        self.update_items([item for item in items if item.id in self._rows])
        items = [item for item in items if item.id not in self._rows]
        if not items:
            return
        key, reverse = self._order()
        merged = sorted([*self._items, *items], key=key, reverse=reverse)  # stable: old first
        new = {item.id for item in items}
        runs: list[list[int]] = []
        for row, item in enumerate(merged):
            if item.id in new:
                if runs and runs[-1][1] == row - 1:
                    runs[-1][1] = row
                else:
                    runs.append([row, row])
        if len(runs) > MAX_INSERTED_RUNS:
            self.beginResetModel()
            self._items = merged
            self._rows = {item.id: row for row, item in enumerate(merged)}
            self.endResetModel()
            return
        for first, last in runs:  # in order: the rows above each run are in place already
            self.beginInsertRows(QModelIndex(), first, last)
            self._items[first:first] = merged[first : last + 1]
            self._rows = {item.id: row for row, item in enumerate(self._items)}
            self.endInsertRows()

    def update_items(self, items: Sequence[NewsItem]) -> None:
        """Show the new version of items already in rows (an import mended them)."""
        key, _reverse = self._order()
        moved = False
        for item in items:
            row = self._rows.get(item.id)
            if row is None:
                continue
            moved = moved or key(self._items[row]) != key(item)
            self._items[row] = item
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        if moved and self._sort is not None:
            self.sort(*self._sort)  # a field the rows are sorted by changed

    def items(self) -> list[NewsItem]:
        """The items in the rows' order (a copy)."""
        return list(self._items)

    def item_at(self, row: int) -> NewsItem:
        return self._items[row]

    def row_of(self, item_id: str) -> int:
        return self._rows.get(item_id, -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return item.date.isoformat()
            if column == 1:
                return item.category
            if column == 2:
                return item.title
        elif role == SORT_ROLE:
            if column == 0:
                return item.date.isoformat() + item.title.casefold()
            if column == 1:
                return item.category.casefold()
            if column == 2:
                return item.title.casefold()
        elif role == Qt.ItemDataRole.ToolTipRole:
            summary = item.summary if len(item.summary) < 400 else item.summary[:400] + "…"
            text = f"{item.title}\n\n{summary}" if summary else item.title
            return f"✓ In the open digest\n{text}" if item.id in self._marked else text
        elif role == ITEM_ID_ROLE:
            return item.id
        elif role == IN_DIGEST_ROLE:
            return item.id in self._marked
        elif role == Qt.ItemDataRole.DecorationRole and column == 2 and item.id in self._marked:
            return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
        elif role == Qt.ItemDataRole.FontRole and item.id in self._marked:
            font = QFont()
            font.setBold(True)
            return font
        elif role == Qt.ItemDataRole.AccessibleTextRole and column == 2:
            where = ", in the open digest" if item.id in self._marked else ""
            return f"{item.title}, {item.category}, {item.date.isoformat()}{where}"
        return None

    # -- dragging into the digest ----------------------------------------------------------------
    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [ITEMS_MIME]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        ids = [self._items[row].id for row in rows if 0 <= row < len(self._items)]
        mime = item_ids_mime(ids)
        mime.setText("\n".join(self._items[row].title for row in rows))
        return mime
