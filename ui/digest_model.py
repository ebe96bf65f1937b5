"""A Qt item model adapting the core's :class:`~composer.digest.model.Digest`: sections, then items.

:class:`DigestModel` shows the core's :class:`~composer.digest.events.EventedDigest`
and keeps nothing of its own but a stable key per section row (so that Qt's
persistent indexes follow a section when sections move). It does not know the
operations: the evented digest applies them (edits, undos and redos, through
:meth:`DigestModel.apply`) and says which rows appear, go, move or change, and
the model turns each event into Qt's row signals (``inserting`` ->
``beginInsertRows``, ``inserted`` -> ``endInsertRows``...). Renames and drops only
*plan* operations and hand them to the :attr:`DigestModel.submit_operations`
callback, which pushes them on the undo stack. The view never edits rows itself.

Drag and drop speaks two MIME types (:mod:`ui.digest_drag`): :data:`ITEMS_MIME`
(library item ids, from the library table) and :data:`ROWS_MIME` (rows of this
digest being moved).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from composer.digest.editing import plan_override, plan_rename_section
from composer.digest.events import EventedDigest
from composer.digest.model import Digest, shown_text
from composer.digest.operations import Operation, Parent
from composer.errors import ValidationError
from composer.library.item import NewsItem
from ui.digest_drag import ITEMS_MIME as ITEMS_MIME  # the MIME names, re-exported
from ui.digest_drag import ROWS_MIME as ROWS_MIME
from ui.digest_drag import item_ids_mime as item_ids_mime
from ui.digest_drag import plan_drop, rows_mime

Index = QModelIndex | QPersistentModelIndex

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2  # "section" or "item"
OVERRIDDEN_ROLE = Qt.ItemDataRole.UserRole + 3  # frozenset of overridden fields
MISSING_ROLE = Qt.ItemDataRole.UserRole + 4
NO_LINK_ROLE = Qt.ItemDataRole.UserRole + 5  # True for an item without a link
#: What the digest pane says of an item without a link (its "Read more" is missing).
NO_LINK_TIP = "No link: readers cannot read more. Edit the item to add its link."

COLUMNS = ("Title", "Date")
#: A submit callback: operations and an optional merge key; returns whether they were done.
Submit = Callable[[list[Operation]], bool]


class DigestModel(QAbstractItemModel):
    """Sections as top-level rows, their items as children; two columns (title, date)."""

    #: The digest changed through :meth:`apply` (an edit, an undo, a redo).
    edited = Signal()

    def __init__(self, parent: Any = None, document: EventedDigest | None = None) -> None:
        super().__init__(parent)
        #: The core's evented digest this model shows; it changes only through it.
        self.document = document if document is not None else EventedDigest()
        self._lookup: Mapping[str, NewsItem] = {}
        self._keys: list[int] = []  # a stable key per section row (the internal id of children)
        self._next_key = 1
        self._order: Sequence[str] = ()
        #: Where planned operations go (the undo stack); applies them directly when unset.
        self.submit_operations: Submit = self._apply_directly
        self._listen(self.document)
        self._reset_keys()

    # -- state ---------------------------------------------------------------------------------
    @property
    def _digest(self) -> Digest | None:
        return self.document.digest

    @property
    def digest(self) -> Digest | None:
        return self.document.digest

    @property
    def lookup(self) -> Mapping[str, NewsItem]:
        return self._lookup

    def set_category_order(self, order: Sequence[str]) -> None:
        self._order = tuple(order)

    def set_digest(self, digest: Digest | None) -> None:
        """Show another digest (a reset: nothing of the previous one is kept)."""
        self.document.set_digest(digest)

    def set_lookup(self, lookup: Mapping[str, NewsItem]) -> None:
        """New library items (after an import, an edit or a removal): every row may change."""
        self._lookup = lookup
        if self._digest is None or not self._digest.sections:
            return
        last = len(self._digest.sections) - 1
        self.dataChanged.emit(self.index(0, 0), self.index(last, len(COLUMNS) - 1))
        for row in range(last + 1):
            count = len(self._digest.sections[row].item_ids)
            if count:
                parent = self.index(row, 0)
                self.dataChanged.emit(
                    self.index(0, 0, parent), self.index(count - 1, len(COLUMNS) - 1, parent)
                )

    def restamp(self, digest: Digest) -> None:
        """Take the saved copy of the open digest (same content, new timestamps)."""
        self.document.restamp(digest)

    def _new_key(self) -> int:
        key = self._next_key
        self._next_key += 1
        return key

    def _apply_directly(self, operations: list[Operation]) -> bool:
        self.apply_all(operations)
        return True

    # -- changes: the core document's events, as Qt's row signals ------------------------------
    def apply_all(self, operations: Iterable[Operation]) -> list[Operation]:
        """Apply operations in order; returns their inverses in undo order."""
        return self.document.apply_all(operations)

    def apply(self, operation: Operation) -> Operation:
        """Apply one operation to the digest; its events give the row signals."""
        return self.document.apply(operation)

    def _listen(self, document: EventedDigest) -> None:
        events = document.events
        events.inserting.connect(self._inserting)
        events.inserted.connect(self._inserted)
        events.removing.connect(self._removing)
        events.removed.connect(self._removed)
        events.moving.connect(self._moving)
        events.moved.connect(self._moved)
        events.changed.connect(self._changed)
        events.resetting.connect(self.beginResetModel)
        events.reset.connect(self._reset)
        events.edited.connect(self.edited.emit)

    def _parent(self, parent: Parent) -> QModelIndex:
        return QModelIndex() if parent is None else self.index(parent, 0)

    def _inserting(self, parent: Parent, row: int) -> None:
        self.beginInsertRows(self._parent(parent), row, row)

    def _inserted(self, parent: Parent, row: int) -> None:
        if parent is None:
            self._keys.insert(row, self._new_key())
        self.endInsertRows()

    def _removing(self, parent: Parent, row: int) -> None:
        self.beginRemoveRows(self._parent(parent), row, row)

    def _removed(self, parent: Parent, row: int) -> None:
        if parent is None:
            del self._keys[row]
        self.endRemoveRows()

    def _moving(self, from_parent: Parent, row: int, to_parent: Parent, to_row: int) -> None:
        # Qt counts the destination before the row leaves; the core, after
        destination = to_row + 1 if from_parent == to_parent and to_row > row else to_row
        self.beginMoveRows(
            self._parent(from_parent), row, row, self._parent(to_parent), destination
        )

    def _moved(self, from_parent: Parent, row: int, to_parent: Parent, to_row: int) -> None:
        if from_parent is None:
            self._keys.insert(to_row, self._keys.pop(row))
        self.endMoveRows()

    def _changed(self, parent: Parent, rows: tuple[int, ...]) -> None:
        index = self._parent(parent)
        for row in rows:
            self.dataChanged.emit(
                self.index(row, 0, index), self.index(row, len(COLUMNS) - 1, index)
            )

    def _reset(self) -> None:
        self._reset_keys()
        self.endResetModel()

    def _reset_keys(self) -> None:
        digest = self.document.digest
        self._keys = [self._new_key() for _ in (digest.sections if digest else ())]

    # -- structure -------------------------------------------------------------------------------
    def _section_row(self, key: int) -> int:
        try:
            return self._keys.index(key)
        except ValueError:
            return -1

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt's signature
        if self._digest is None or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            if 0 <= row < len(self._digest.sections):
                return self.createIndex(row, column, 0)
            return QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        section = parent.row()
        if 0 <= section < len(self._digest.sections) and 0 <= row < len(
            self._digest.sections[section].item_ids
        ):
            return self.createIndex(row, column, self._keys[section])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        row = self._section_row(index.internalId())
        return self.createIndex(row, 0, 0) if row >= 0 else QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if self._digest is None:
            return 0
        if not parent.isValid():
            return len(self._digest.sections)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        section = parent.row()
        if 0 <= section < len(self._digest.sections):
            return len(self._digest.sections[section].item_ids)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    # -- addressing -------------------------------------------------------------------------------
    def is_section(self, index: Index) -> bool:
        return index.isValid() and index.internalId() == 0

    def ref(self, index: Index) -> tuple[int, int] | None:
        """``(section, position)`` of an item row, ``None`` for a section or nothing."""
        if not index.isValid() or index.internalId() == 0:
            return None
        section = self._section_row(index.internalId())
        return (section, index.row()) if section >= 0 else None

    def item_id(self, index: Index) -> str | None:
        ref = self.ref(index)
        if ref is None or self._digest is None:
            return None
        return self._digest.sections[ref[0]].item_ids[ref[1]]

    def index_of_item(self, item_id: str) -> QModelIndex:
        if self._digest is None:
            return QModelIndex()
        location = self._digest.locate(item_id)
        if location is None:
            return QModelIndex()
        return self.index(location[1], 0, self.index(location[0], 0))

    # -- data -------------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._digest is None:
            return None
        if index.internalId() == 0:
            return self._section_data(index.row(), index.column(), role)
        ref = self.ref(index)
        if ref is None:
            return None
        return self._item_data(ref, index.column(), role)

    def _section_data(self, row: int, column: int, role: int) -> Any:
        assert self._digest is not None
        if not 0 <= row < len(self._digest.sections):
            return None
        section = self._digest.sections[row]
        count = len(section.item_ids)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return section.category
            return f"{count} item{'' if count == 1 else 's'}"
        if role == Qt.ItemDataRole.EditRole and column == 0:
            return section.category
        if role == Qt.ItemDataRole.FontRole and column == 0:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"Section “{section.category}”: {count} item{'' if count == 1 else 's'}. "
                "Drag to reorder; double-click to rename."
            )
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            return f"Section {section.category}, {count} items"
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return _icon(QStyle.StandardPixmap.SP_DirIcon)
        if role == KIND_ROLE:
            return "section"
        return None

    def _item_data(self, ref: tuple[int, int], column: int, role: int) -> Any:
        assert self._digest is not None
        item_id = self._digest.sections[ref[0]].item_ids[ref[1]]
        item = self._lookup.get(item_id)
        shown = shown_text(self._digest, item) if item is not None else None
        overridden = shown.overridden if shown is not None else frozenset()
        if role == ITEM_ID_ROLE:
            return item_id
        if role == KIND_ROLE:
            return "item"
        if role == OVERRIDDEN_ROLE:
            return overridden
        if role == MISSING_ROLE:
            return item is None
        if role == NO_LINK_ROLE:
            return item is not None and not item.url
        if item is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "Missing item (deleted from the library)" if column == 0 else ""
            if role == Qt.ItemDataRole.ForegroundRole:
                return QApplication.palette().color(
                    QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
                )
            if role == Qt.ItemDataRole.DecorationRole and column == 0:
                return _icon(QStyle.StandardPixmap.SP_MessageBoxWarning)
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    f"The item {item_id} is no longer in the library. It is left out of the "
                    "email; press Delete to remove it from the digest."
                )
            return None
        assert shown is not None
        title = shown.title
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return title
            return item.date.isoformat() if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.FontRole and column == 0 and overridden:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.DecorationRole and column == 0 and overridden:
            return _icon(QStyle.StandardPixmap.SP_FileDialogDetailedView)
        if role == Qt.ItemDataRole.DecorationRole and column == 1 and not item.url:
            return no_link_icon()
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [title, f"{item.category} · {item.date.isoformat()}"]
            if "title" in overridden:
                lines.append(f"Title changed for this digest (library: “{item.title}”)")
            if "summary" in overridden:
                lines.append("Summary changed for this digest")
            if not item.url:
                lines.append(NO_LINK_TIP)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            changed = ", text changed for this digest" if overridden else ""
            no_link = ", no link" if not item.url else ""
            return f"{title}, {item.date.isoformat()}{changed}{no_link}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        f = Qt.ItemFlag
        if not index.isValid():
            return f.ItemIsDropEnabled
        base = f.ItemIsEnabled | f.ItemIsSelectable | f.ItemIsDragEnabled
        if index.internalId() == 0:
            base |= f.ItemIsDropEnabled
            if index.column() == 0:
                base |= f.ItemIsEditable
        elif index.column() == 0 and not self.data(index, MISSING_ROLE):
            base |= f.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Renaming a section, or this digest's title for an item: planned and submitted."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self._digest is None:
            return False
        text = str(value)
        operation: Operation | None
        try:
            if index.internalId() == 0:
                operation = plan_rename_section(self._digest, index.row(), text)
            else:
                item_id = self.item_id(index)
                item = self._lookup.get(item_id or "")
                if item is None:
                    return False
                operation = plan_override(self._digest, item, "title", text)
        except ValidationError:
            return False
        return operation is None or self.submit_operations([operation])

    # -- drag and drop ----------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROWS_MIME, ITEMS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged rows: sections when any section is among them, else items."""
        if self._digest is None:
            return QMimeData()
        sections = sorted({i.row() for i in indexes if self.is_section(i)})
        items = (
            [] if sections else sorted({ref for i in indexes if (ref := self.ref(i)) is not None})
        )
        titles = [self._digest.sections[s].category for s in sections] + [
            str(self.data(self.index(p, 0, self.index(s, 0)))) for s, p in items
        ]
        return rows_mime(self._digest.id, sections, items, "\n".join(titles))

    def plan_drop(self, mime: QMimeData, row: int, parent: Index) -> list[Operation] | None:
        """The operations a drop would submit; ``None`` when the drop is refused here."""
        digest = self._digest
        if digest is None:
            return None
        if parent.isValid() and parent.internalId() != 0:  # onto an item: before it
            ref = self.ref(parent)
            if ref is None:
                return None
            section, row = ref
        else:
            section = parent.row() if parent.isValid() else -1
        return plan_drop(digest, self._lookup, self._order, mime, section, row)

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action not in (Qt.DropAction.MoveAction, Qt.DropAction.CopyAction):
            return False
        return self.plan_drop(data, row, parent) is not None

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        operations = self.plan_drop(data, row, parent)
        if operations is None:
            return False
        if not operations:
            return True
        return self.submit_operations(operations)


def _icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    return QApplication.style().standardIcon(pixmap)


_NO_LINK_ICON: list[QIcon] = []


def no_link_icon() -> QIcon:
    """A chain link struck through in red: the mark of an item without a link."""
    if not _NO_LINK_ICON:
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = QApplication.palette().color(QPalette.ColorRole.Text)
        painter.setPen(QPen(ink, 3))
        painter.drawRoundedRect(QRectF(3, 11, 15, 10), 5, 5)
        painter.drawRoundedRect(QRectF(14, 11, 15, 10), 5, 5)
        slash = QPen(QColor("#c62828"), 4)
        slash.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(slash)
        painter.drawLine(6, 27, 26, 5)
        painter.end()
        _NO_LINK_ICON.append(QIcon(pixmap))
    return _NO_LINK_ICON[0]
