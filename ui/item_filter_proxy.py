"""Sorting and filtering of the library table, computed by the core's in-memory index."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from composer.search import ItemFilter, SearchIndex
from ui.item_table_model import SORT_ROLE, ItemTableModel


class ItemFilterProxy(QSortFilterProxyModel):
    """Accepts the rows whose item ids the core's :class:`SearchIndex` returned."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._index: SearchIndex | None = None
        self._accepted: set[str] | None = None  # None: no filter

    def set_index(self, index: SearchIndex) -> None:
        self._index = index

    def apply(self, spec: ItemFilter) -> None:
        """Filter to ``spec`` (one pass over the in-memory index, then one proxy refresh)."""
        self.beginFilterChange()
        if self._index is None or spec == ItemFilter():
            self._accepted = None
        else:
            self._accepted = {item.id for item in self._index.filter(spec)}
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self._accepted is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, ItemTableModel)
        return model.item_at(source_row).id in self._accepted
