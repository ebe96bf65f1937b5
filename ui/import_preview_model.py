"""The import preview's table: the items a source gave, then its rejected entries.

Each item row says whether it is new or already in the library (the library's
:meth:`~composer.repository.Library.find_existing` decides), with its title,
date, category, link and image; each rejected entry says where it is (line, row
or entry) and why. Read-only: the preview changes what is read by reading again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from composer.library.item import NewsItem

if TYPE_CHECKING:
    from composer.library.importers.base import Rejection

Index = QModelIndex | QPersistentModelIndex
FindExisting = Callable[[NewsItem], "NewsItem | None"]

COLUMNS = ("Status", "Title", "Date", "Category", "Link", "Image")
STATE_ROLE = Qt.ItemDataRole.UserRole + 1  # "new", "existing" or "rejected"

NEW, EXISTING, REJECTED = "new", "existing", "rejected"
REJECTED_TINT = ("#fdecea", "#4a2323")  # light, dark


@dataclasses.dataclass(frozen=True)
class PreviewRow:
    """One row: an item (new or already in the library) or a rejected entry."""

    state: str
    item: NewsItem | None = None
    existing: NewsItem | None = None
    rejection: Rejection | None = None


def preview_rows(
    items: Sequence[NewsItem], rejected: Sequence[Rejection], find_existing: FindExisting
) -> list[PreviewRow]:
    """The rows of a report: its items, marked new or existing, then its rejections."""
    rows: list[PreviewRow] = []
    for item in items:
        existing = find_existing(item)
        rows.append(PreviewRow(EXISTING if existing else NEW, item, existing))
    rows.extend(PreviewRow(REJECTED, rejection=rejection) for rejection in rejected)
    return rows


class PreviewModel(QAbstractTableModel):
    """The rows of one source's report; see the module's docstring."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[PreviewRow] = []

    def set_rows(self, rows: list[PreviewRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def count(self, state: str) -> int:
        return sum(1 for row in self.rows if row.state == state)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == STATE_ROLE:
            return row.state
        if row.rejection is not None:
            return _rejection_data(row.rejection, index.column(), role)
        if row.item is None:
            return None
        return _item_data(row, row.item, index.column(), role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _item_texts(item: NewsItem) -> tuple[str, ...]:
    return (
        item.title,
        item.date.isoformat(),
        item.category,
        item.url or "no link",
        item.image_url or "",
    )


def _item_data(row: PreviewRow, item: NewsItem, column: int, role: int) -> Any:
    status = "New" if row.state == NEW else "In library"
    texts = (status, *_item_texts(item))
    if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
        return texts[column]
    if role == Qt.ItemDataRole.ToolTipRole:
        return _item_tip(row, item, column)
    if role == Qt.ItemDataRole.ForegroundRole:
        muted = row.state == EXISTING or (column == 4 and not item.url)
        if muted:
            palette = QApplication.palette()
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return None


def _item_tip(row: PreviewRow, item: NewsItem, column: int) -> str:
    if column == 0 and row.existing is not None:
        return (
            f"Already in the library as “{row.existing.title}” ({row.existing.date}); "
            "importing it again adds nothing"
        )
    if column == 0:
        return "Not in the library yet: importing adds it"
    if column == 1 and item.summary:
        return f"{item.title}\n\n{item.summary[:600]}"
    if column == 4 and not item.url:
        return "No link: readers cannot read more"
    if column == 5 and item.image_url:
        return f"{item.image_url}\n{item.image_alt or '(no description)'}"
    return _item_texts(item)[column - 1] if column else ""


def _rejection_data(rejection: Rejection, column: int, role: int) -> Any:
    count = f" ({rejection.count} entries)" if rejection.count > 1 else ""
    if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
        if column == 0:
            return "Rejected"
        if column == 1:
            return f"{rejection.location}: {rejection.reason}{count}"
        return ""
    if role == Qt.ItemDataRole.ToolTipRole:
        return f"Not imported. {rejection.location}: {rejection.reason}{count}"
    if role == Qt.ItemDataRole.BackgroundRole:
        dark = QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
        return QColor(REJECTED_TINT[1 if dark else 0])
    return None
