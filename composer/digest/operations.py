"""Editing operations on a digest: pure, each returning the new digest and its inverse.

Every change the editor makes to a digest is one of these small frozen objects.
``op.apply(digest)`` returns ``(new_digest, inverse)``, where applying
``inverse`` to ``new_digest`` gives back ``digest`` exactly, so the GUI keeps an
undo stack of inverses and a redo stack of operations and never copies whole
digests. An operation that cannot apply (a position out of range, an item that
is already in the digest) raises :class:`~composer.errors.ValidationError` and
changes nothing.

Items are addressed by ``(section, position)``; positions count from 0. For a
move, the target position is counted in the target section *after* the item has
left its old place, so moving an item to where it already is changes nothing.
Adding refuses an item the digest already holds, and moving only relocates one
reference, so no operation ever loses or duplicates an item.

Each operation also says what it does to the rows of a view of the digest
(:meth:`Operation.changes`: a row inserted, removed or moved, rows changed), which
:class:`composer.digest.events.EventedDigest` emits as events.

Overrides follow their item: removing the last reference to an item drops its
override (and the inverse puts it back), so a digest never keeps overrides for
items it does not hold.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping

from composer.digest.model import (
    OVERRIDE_FIELDS,
    Digest,
    Override,
    Section,
    check_category,
    check_field,
    check_item_id,
    override_value,
)
from composer.errors import ValidationError

# -- what an operation does to the rows of a view ------------------------------------------------
#: Whose rows: ``None`` for the list of sections, a section's index for its items.
Parent = int | None


@dataclasses.dataclass(frozen=True, slots=True)
class Inserted:
    """A row appears at ``row`` of ``parent``."""

    parent: Parent
    row: int


@dataclasses.dataclass(frozen=True, slots=True)
class Removed:
    """The row at ``row`` of ``parent`` goes."""

    parent: Parent
    row: int


@dataclasses.dataclass(frozen=True, slots=True)
class Moved:
    """A row moves; ``to_row`` is counted after it left ``from_row`` (as operations count)."""

    from_parent: Parent
    from_row: int
    to_parent: Parent
    to_row: int

    @property
    def rows(self) -> tuple[Parent, int, Parent, int]:
        return self.from_parent, self.from_row, self.to_parent, self.to_row


@dataclasses.dataclass(frozen=True, slots=True)
class Changed:
    """These rows of ``parent`` stay where they are but show something new."""

    parent: Parent
    rows: tuple[int, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Reset:
    """Too much changed to say row by row: show the digest from scratch."""


RowChange = Inserted | Removed | Moved | Changed | Reset


class Operation(abc.ABC):
    """One undoable change to a digest."""

    #: Short text for an Undo/Redo menu entry ("Undo move item").
    label: str = "edit"

    @abc.abstractmethod
    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        """The changed digest and the operation that changes it back."""

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        """What applying this to ``digest`` (where it applies) does to a view's rows.

        At most one row appears, goes or moves; :class:`Changed` rows follow. An
        operation that does not say (this default) asks for a :class:`Reset`.
        """
        return (Reset(),)


def apply_all(digest: Digest, operations: list[Operation]) -> tuple[Digest, list[Operation]]:
    """Apply operations in order; returns the result and the inverses in undo order."""
    inverses: list[Operation] = []
    for operation in operations:
        digest, inverse = operation.apply(digest)
        inverses.append(inverse)
    inverses.reverse()
    return digest, inverses


# -- helpers ------------------------------------------------------------------------------------
def _section(digest: Digest, index: int) -> Section:
    if not 0 <= index < len(digest.sections):
        raise ValidationError(
            "section", f"there is no section {index + 1} (the digest has {len(digest.sections)})"
        )
    return digest.sections[index]


def _check_position(position: int, length: int, what: str) -> None:
    if not 0 <= position <= length:
        raise ValidationError("position", f"{position + 1} is outside {what} (0 to {length})")


def _replace_section(digest: Digest, index: int, section: Section) -> tuple[Section, ...]:
    sections = list(digest.sections)
    sections[index] = section
    return tuple(sections)


def _without_override(digest: Digest, item_id: str) -> dict[str, Override]:
    return {key: value for key, value in digest.overrides.items() if key != item_id}


# -- items -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class AddItem(Operation):
    """Insert ``item_id`` into section ``section`` at ``position`` (with an override, for undo)."""

    item_id: str
    section: int
    position: int
    override: Override | None = None
    label = "add item"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        target = _section(digest, self.section)
        check_item_id(self.item_id)
        if digest.contains(self.item_id):
            raise ValidationError("item", f"{self.item_id} is already in this digest")
        _check_position(self.position, len(target.item_ids), f"section '{target.category}'")
        ids = list(target.item_ids)
        ids.insert(self.position, self.item_id)
        overrides = dict(digest.overrides)
        if self.override is not None and not self.override.empty:
            overrides[self.item_id] = self.override
        changed = dataclasses.replace(
            digest,
            sections=_replace_section(digest, self.section, Section(target.category, tuple(ids))),
            overrides=overrides,
        )
        return changed, RemoveItem(self.section, self.position)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        return Inserted(self.section, self.position), Changed(None, (self.section,))


@dataclasses.dataclass(frozen=True)
class RemoveItem(Operation):
    """Remove the item at ``position`` of section ``section``."""

    section: int
    position: int
    label = "remove item"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        target = _section(digest, self.section)
        if not 0 <= self.position < len(target.item_ids):
            raise ValidationError(
                "position", f"section '{target.category}' has no item {self.position + 1}"
            )
        ids = list(target.item_ids)
        item_id = ids.pop(self.position)
        sections = _replace_section(digest, self.section, Section(target.category, tuple(ids)))
        still_held = any(item_id in section.item_ids for section in sections)
        dropped = None if still_held else digest.overrides.get(item_id)
        overrides = dict(digest.overrides) if still_held else _without_override(digest, item_id)
        changed = dataclasses.replace(digest, sections=sections, overrides=overrides)
        return changed, AddItem(item_id, self.section, self.position, dropped)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        return Removed(self.section, self.position), Changed(None, (self.section,))


@dataclasses.dataclass(frozen=True)
class MoveItem(Operation):
    """Move one item within its section or to another section."""

    from_section: int
    from_position: int
    to_section: int
    to_position: int
    label = "move item"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        source = _section(digest, self.from_section)
        target = _section(digest, self.to_section)
        if not 0 <= self.from_position < len(source.item_ids):
            raise ValidationError(
                "position", f"section '{source.category}' has no item {self.from_position + 1}"
            )
        source_ids = list(source.item_ids)
        item_id = source_ids.pop(self.from_position)
        sections = list(digest.sections)
        sections[self.from_section] = Section(source.category, tuple(source_ids))
        target_ids = list(sections[self.to_section].item_ids)
        _check_position(self.to_position, len(target_ids), f"section '{target.category}'")
        target_ids.insert(self.to_position, item_id)
        sections[self.to_section] = Section(target.category, tuple(target_ids))
        changed = dataclasses.replace(digest, sections=tuple(sections))
        return changed, MoveItem(
            self.to_section, self.to_position, self.from_section, self.from_position
        )

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        source, target = self.from_section, self.to_section
        if source == target and self.from_position == self.to_position:
            return ()
        moved = Moved(source, self.from_position, target, self.to_position)
        counts = (source,) if source == target else (source, target)
        return moved, *(Changed(None, (section,)) for section in counts)


# -- sections ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class AddSection(Operation):
    """Insert a section at ``index`` (with items and their overrides, when undoing a removal)."""

    index: int
    category: str
    item_ids: tuple[str, ...] = ()
    overrides: Mapping[str, Override] = dataclasses.field(default_factory=dict)
    label = "add section"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        category = check_category(self.category)
        existing = digest.section_index(category)
        if existing is not None:
            raise ValidationError(
                "section",
                f"the digest already has a section '{digest.sections[existing].category}'",
            )
        _check_position(self.index, len(digest.sections), "the list of sections")
        for item_id in self.item_ids:
            check_item_id(item_id)
        if len(set(self.item_ids)) != len(self.item_ids):
            raise ValidationError("section", "the same item is listed twice")
        for item_id in self.item_ids:
            if digest.contains(item_id):
                raise ValidationError("item", f"{item_id} is already in this digest")
        sections = list(digest.sections)
        sections.insert(self.index, Section(category, tuple(self.item_ids)))
        overrides = dict(digest.overrides)
        for item_id, override in self.overrides.items():
            if item_id in self.item_ids and not override.empty:
                overrides[item_id] = override
        changed = dataclasses.replace(digest, sections=tuple(sections), overrides=overrides)
        return changed, RemoveSection(self.index)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        return (Inserted(None, self.index),)


@dataclasses.dataclass(frozen=True)
class RemoveSection(Operation):
    """Remove the section at ``index`` and the items in it."""

    index: int
    label = "remove section"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        removed = _section(digest, self.index)
        sections = digest.sections[: self.index] + digest.sections[self.index + 1 :]
        held = {item_id for section in sections for item_id in section.item_ids}
        dropped = {
            item_id: override
            for item_id, override in digest.overrides.items()
            if item_id in removed.item_ids and item_id not in held
        }
        overrides = {k: v for k, v in digest.overrides.items() if k not in dropped}
        changed = dataclasses.replace(digest, sections=sections, overrides=overrides)
        return changed, AddSection(self.index, removed.category, removed.item_ids, dropped)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        return (Removed(None, self.index),)


@dataclasses.dataclass(frozen=True)
class MoveSection(Operation):
    """Move the section at ``from_index`` so that it ends up at ``to_index``."""

    from_index: int
    to_index: int
    label = "move section"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        moved = _section(digest, self.from_index)
        if not 0 <= self.to_index < len(digest.sections):
            raise ValidationError(
                "section", f"there is no place {self.to_index + 1} for the section"
            )
        sections = list(digest.sections)
        sections.pop(self.from_index)
        sections.insert(self.to_index, moved)
        changed = dataclasses.replace(digest, sections=tuple(sections))
        return changed, MoveSection(self.to_index, self.from_index)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        if self.from_index == self.to_index:
            return ()
        return (Moved(None, self.from_index, None, self.to_index),)


@dataclasses.dataclass(frozen=True)
class RenameSection(Operation):
    """Change the category (heading) of the section at ``index``."""

    index: int
    category: str
    label = "rename section"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        section = _section(digest, self.index)
        category = check_category(self.category)
        other = digest.section_index(category)
        if other is not None and other != self.index:
            raise ValidationError(
                "section", f"the digest already has a section '{digest.sections[other].category}'"
            )
        changed = dataclasses.replace(
            digest,
            sections=_replace_section(digest, self.index, Section(category, section.item_ids)),
        )
        return changed, RenameSection(self.index, section.category)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        return (Changed(None, (self.index,)),)


# -- overrides and fields ------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SetOverride(Operation):
    """Set (text) or clear (``None`` or blank) this digest's title or summary for an item."""

    item_id: str
    field: str
    value: str | None
    label = "change item text"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        if self.field not in OVERRIDE_FIELDS:
            raise ValidationError(
                "override", f"'{self.field}' cannot be overridden (only title, summary)"
            )
        if not digest.contains(self.item_id):
            raise ValidationError("item", f"{self.item_id} is not in this digest")
        value = override_value(self.field, self.value)
        current = digest.override(self.item_id)
        old = current.get(self.field)
        updated = current.with_field(self.field, value)
        overrides = _without_override(digest, self.item_id)
        if not updated.empty:
            overrides[self.item_id] = updated
        changed = dataclasses.replace(digest, overrides=overrides)
        return changed, SetOverride(self.item_id, self.field, old)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        return tuple(
            Changed(s, tuple(p for p, i in enumerate(section.item_ids) if i == self.item_id))
            for s, section in enumerate(digest.sections)
            if self.item_id in section.item_ids
        )


@dataclasses.dataclass(frozen=True)
class SetField(Operation):
    """Change the digest's title, period, preheader or intro."""

    field: str
    value: str
    label = "change field"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        old = digest.text_field(self.field)
        value = check_field(self.field, self.value)
        changes: dict[str, str] = {self.field: value}
        changed = dataclasses.replace(digest, **changes)  # type: ignore[arg-type]
        return changed, SetField(self.field, old)

    def changes(self, digest: Digest) -> tuple[RowChange, ...]:
        return ()  # no row shows the digest's fields
