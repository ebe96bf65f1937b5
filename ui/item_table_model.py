"""A read-only table model over the library's items (date, category, title)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from composer.item import NewsItem

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Date", "Category", "Title")
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


class ItemTableModel(QAbstractTableModel):
    """Items as rows; the model is reset with a new snapshot after each library change."""

    def __init__(self, items: Sequence[NewsItem] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[NewsItem] = list(items)
        self._rows: dict[str, int] = {item.id: row for row, item in enumerate(self._items)}

    def set_items(self, items: Sequence[NewsItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._rows = {item.id: row for row, item in enumerate(self._items)}
        self.endResetModel()

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
            return f"{item.title}\n\n{summary}" if summary else item.title
        elif role == ITEM_ID_ROLE:
            return item.id
        elif role == Qt.ItemDataRole.AccessibleTextRole and column == 2:
            return f"{item.title}, {item.category}, {item.date.isoformat()}"
        return None
