"""A Qt item model adapting the core's :class:`~composer.digest.model.Digest`: sections, then items.

:class:`DigestModel` holds the current digest and nothing of its own (beyond a
stable key per section row, so that Qt's persistent indexes follow a section
when sections move). It changes only through :meth:`DigestModel.apply`, which
applies a core operation and emits the matching row signals (insert, remove,
move, data changed); the undo stack calls it, and drops only *plan* operations
and hand them to the :attr:`DigestModel.submit_operations` callback, which pushes them on
that stack. The view never edits rows itself.

Drag and drop speaks two MIME types: :data:`ITEMS_MIME` (library item ids, from
the library table) and :data:`ROWS_MIME` (rows of this digest being moved).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from composer.digest.editing import (
    plan_add_items,
    plan_move_items,
    plan_move_sections,
    plan_override,
    plan_rename_section,
)
from composer.digest.model import Digest
from composer.digest.operations import (
    AddItem,
    AddSection,
    MoveItem,
    MoveSection,
    Operation,
    RemoveItem,
    RemoveSection,
    RenameSection,
    SetField,
    SetOverride,
)
from composer.errors import ValidationError
from composer.library.item import NewsItem

Index = QModelIndex | QPersistentModelIndex
#: Library item ids dragged from the library table (JSON list of ids).
ITEMS_MIME = "application/x-newsdigest-item-ids"
#: Rows of the open digest being dragged (JSON: digest id, sections, items as [s, p]).
ROWS_MIME = "application/x-newsdigest-digest-rows"

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


def item_ids_mime(ids: Sequence[str]) -> QMimeData:
    """The drag payload of library items."""
    mime = QMimeData()
    mime.setData(ITEMS_MIME, QByteArray(json.dumps(list(ids)).encode("utf-8")))
    return mime


def read_item_ids(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(ITEMS_MIME):
        return []
    try:
        ids = json.loads(bytes(mime.data(ITEMS_MIME).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


class DigestModel(QAbstractItemModel):
    """Sections as top-level rows, their items as children; two columns (title, date)."""

    #: The digest changed through :meth:`apply` (an edit, an undo, a redo).
    edited = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._digest: Digest | None = None
        self._lookup: Mapping[str, NewsItem] = {}
        self._keys: list[int] = []  # a stable key per section row (the internal id of children)
        self._next_key = 1
        self._order: Sequence[str] = ()
        #: Where planned operations go (the undo stack); applies them directly when unset.
        self.submit_operations: Submit = self._apply_directly

    # -- state ---------------------------------------------------------------------------------
    @property
    def digest(self) -> Digest | None:
        return self._digest

    @property
    def lookup(self) -> Mapping[str, NewsItem]:
        return self._lookup

    def set_category_order(self, order: Sequence[str]) -> None:
        self._order = tuple(order)

    def set_digest(self, digest: Digest | None) -> None:
        """Show another digest (a reset: nothing of the previous one is kept)."""
        self.beginResetModel()
        self._digest = digest
        self._keys = [self._new_key() for _ in (digest.sections if digest else ())]
        self.endResetModel()

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
        if self._digest is not None and digest.id == self._digest.id:
            self._digest = digest

    def _new_key(self) -> int:
        key = self._next_key
        self._next_key += 1
        return key

    def _apply_directly(self, operations: list[Operation]) -> bool:
        self.apply_all(operations)
        return True

    # -- changes --------------------------------------------------------------------------------
    def apply_all(self, operations: Iterable[Operation]) -> list[Operation]:
        """Apply operations in order; returns their inverses in undo order."""
        inverses = [self.apply(operation) for operation in operations]
        inverses.reverse()
        return inverses

    def apply(self, operation: Operation) -> Operation:
        """Apply one operation to the digest, with the row signals it calls for."""
        if self._digest is None:
            raise ValidationError("digest", "no digest is open")
        new, inverse = operation.apply(self._digest)  # raises before anything changed
        root = QModelIndex()
        if isinstance(operation, AddItem):
            parent = self.index(operation.section, 0)
            self.beginInsertRows(parent, operation.position, operation.position)
            self._digest = new
            self.endInsertRows()
            self._section_changed(operation.section)
        elif isinstance(operation, RemoveItem):
            parent = self.index(operation.section, 0)
            self.beginRemoveRows(parent, operation.position, operation.position)
            self._digest = new
            self.endRemoveRows()
            self._section_changed(operation.section)
        elif isinstance(operation, MoveItem):
            self._move_item(operation, new)
        elif isinstance(operation, AddSection):
            self.beginInsertRows(root, operation.index, operation.index)
            self._digest = new
            self._keys.insert(operation.index, self._new_key())
            self.endInsertRows()
        elif isinstance(operation, RemoveSection):
            self.beginRemoveRows(root, operation.index, operation.index)
            self._digest = new
            del self._keys[operation.index]
            self.endRemoveRows()
        elif isinstance(operation, MoveSection):
            source, target = operation.from_index, operation.to_index
            if source != target:
                destination = target + 1 if target > source else target
                self.beginMoveRows(root, source, source, root, destination)
                self._digest = new
                self._keys.insert(target, self._keys.pop(source))
                self.endMoveRows()
            else:
                self._digest = new
        elif isinstance(operation, RenameSection):
            self._digest = new
            self._section_changed(operation.index)
        elif isinstance(operation, SetOverride):
            self._digest = new
            location = new.locate(operation.item_id)
            if location is not None:
                parent = self.index(location[0], 0)
                for row, item_id in enumerate(new.sections[location[0]].item_ids):
                    if item_id == operation.item_id:
                        self.dataChanged.emit(
                            self.index(row, 0, parent), self.index(row, len(COLUMNS) - 1, parent)
                        )
        elif isinstance(operation, SetField):
            self._digest = new
        else:  # an operation this adapter does not know: show the result from scratch
            self.beginResetModel()
            self._digest = new
            self._keys = [self._new_key() for _ in new.sections]
            self.endResetModel()
        self.edited.emit()
        return inverse

    def _move_item(self, operation: MoveItem, new: Digest) -> None:
        source, target = operation.from_section, operation.to_section
        row, to = operation.from_position, operation.to_position
        if source == target and row == to:
            self._digest = new
            return
        destination = to + 1 if source == target and to > row else to
        self.beginMoveRows(self.index(source, 0), row, row, self.index(target, 0), destination)
        self._digest = new
        self.endMoveRows()
        self._section_changed(source)
        if target != source:
            self._section_changed(target)

    def _section_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

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
        override = self._digest.override(item_id)
        overridden = frozenset(
            f for f in ("title", "summary") if override.get(f) is not None and item is not None
        )
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
        title = override.title if override.title is not None else item.title
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
        mime = QMimeData()
        if self._digest is None:
            return mime
        sections = sorted({i.row() for i in indexes if self.is_section(i)})
        items = (
            [] if sections else sorted({ref for i in indexes if (ref := self.ref(i)) is not None})
        )
        payload = {"digest": self._digest.id, "sections": sections, "items": items}
        mime.setData(ROWS_MIME, QByteArray(json.dumps(payload).encode("utf-8")))
        titles = [self._digest.sections[s].category for s in sections] + [
            str(self.data(self.index(p, 0, self.index(s, 0)))) for s, p in items
        ]
        mime.setText("\n".join(titles))
        return mime

    def _rows(self, mime: QMimeData) -> tuple[list[int], list[tuple[int, int]]] | None:
        if self._digest is None or not mime.hasFormat(ROWS_MIME):
            return None
        try:
            payload = json.loads(bytes(mime.data(ROWS_MIME).data()).decode("utf-8"))
            if payload.get("digest") != self._digest.id:
                return None
            sections = [int(s) for s in payload.get("sections", [])]
            items = [(int(s), int(p)) for s, p in payload.get("items", [])]
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
            return None
        return sections, items

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
        elif parent.isValid():
            section = parent.row()
        else:
            section = -1
        rows = self._rows(mime)
        if rows is not None:
            sections, items = rows
            if sections:
                target = section if section >= 0 else row  # onto a section: before it
                return plan_move_sections(digest, sections, target)
            if section < 0 or not items:
                return None  # items dropped between sections: no section to go to
            return plan_move_items(digest, items, section, row)
        ids = read_item_ids(mime)
        if not ids:
            return None
        chosen = [self._lookup[i] for i in ids if i in self._lookup]
        if not chosen:
            return None
        if section < 0:  # anywhere but a section: each into its category's section
            return plan_add_items(digest, chosen, self._lookup, self._order)
        position = row if row >= 0 else None
        return plan_add_items(
            digest, chosen, self._lookup, self._order, section=section, position=position
        )

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
