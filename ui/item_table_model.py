"""A read-only table model over the library's items (date, category, title).

Rows can be dragged (as library item ids, see :mod:`ui.digest_model`), and the
items already in the open digest are marked (an icon and bold title).
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
from ui.digest_model import ITEMS_MIME, item_ids_mime

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Date", "Category", "Title")
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
IN_DIGEST_ROLE = Qt.ItemDataRole.UserRole + 3


class ItemTableModel(QAbstractTableModel):
    """Items as rows; the model is reset with a new snapshot after each library change."""

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

    def _sort_list(self, column: int, order: Qt.SortOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        if column == 0:
            # newest (or oldest) first, titles A to Z within a day: the library's own order
            # when descending, so the first sort of a big library finds it sorted already
            sign = -1 if descending else 1
            self._items.sort(key=lambda i: (sign * i.date.toordinal(), i.title.casefold()))
            return
        keys: dict[int, Callable[[NewsItem], Any]] = {
            1: lambda i: (i.category.casefold(), i.date, i.title.casefold()),
            2: lambda i: (i.title.casefold(), i.date),
        }
        if column in keys:
            self._items.sort(key=keys[column], reverse=descending)

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
