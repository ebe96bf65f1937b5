"""Planning editor gestures as digest operations, and naming them for Undo/Redo.

The composer window turns a gesture (drop three library items on a section,
drag two items below a third, press Alt+Up, type in the title field) into the
pure operations of :mod:`composer.digest.operations`, and shows what Edit → Undo will
undo ("Undo move 'Seed fair in Orvanne…'"). That translation is here, free
of Qt, so it is tested on its own and the GUI only carries out the plan:

* :func:`plan_add_items` — library items into the digest: each into its
  category's section by default (a missing section is created where the theme's
  category order puts it, the item where newest-first order puts it), or at a
  given place of a given section;
* :func:`plan_move_items` / :func:`plan_move_sections` — drag and drop within the
  digest, with the drop row counted the way Qt's views count it (before the
  dragged rows leave their places);
* :func:`plan_nudge` (Alt+Up / Alt+Down) and :func:`plan_remove` (Delete);
* :func:`plan_field` and :func:`plan_override` — a text the user typed, as an
  operation, or ``None`` when it changes nothing;
* :func:`describe` — the Undo/Redo text of a list of operations;
* :func:`empty_digest` and :func:`duplicate_digest` — new digests.

Every plan is a list of operations meant to be applied in order to the digest
it was planned for; an empty list means the gesture changes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from composer.digest.drafting import item_insert_position, period_label, section_insert_index
from composer.digest.model import (
    MAX_TITLE,
    Digest,
    check_field,
    library_text,
    make_digest,
    new_digest_id,
    override_value,
    shown_text,
)
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
from composer.library.item import NewsItem
from composer.theme.model import Theme

#: How many characters of a title an Undo/Redo text quotes.
LABEL_LENGTH = 28

Ref = tuple[int, int]  # (section, position)


# -- naming --------------------------------------------------------------------------------------
def shorten(text: str, limit: int = LABEL_LENGTH) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with "…" when cut."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if " " in cut and not words[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


def item_title(digest: Digest, lookup: Mapping[str, NewsItem], item_id: str) -> str:
    """The title the digest shows for ``item_id`` (its override, the library's, or the id)."""
    item = lookup.get(item_id)
    if item is not None:
        return shown_text(digest, item).title
    return digest.override(item_id).title or item_id  # deleted from the library


def _quoted(text: str) -> str:
    return f"'{shorten(text)}'"


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _subject(operation: Operation, digest: Digest, lookup: Mapping[str, NewsItem]) -> str:
    """The item title or section name ``operation`` touches in ``digest``, for its label."""
    if isinstance(operation, MoveItem):
        ids = digest.sections[operation.from_section].item_ids
        return item_title(digest, lookup, ids[operation.from_position])
    if isinstance(operation, RemoveItem):
        ids = digest.sections[operation.section].item_ids
        return item_title(digest, lookup, ids[operation.position])
    if isinstance(operation, AddItem | SetOverride):
        item = lookup.get(operation.item_id)
        return item.title if item is not None else operation.item_id
    if isinstance(operation, MoveSection):
        return digest.sections[operation.from_index].category
    if isinstance(operation, RemoveSection | RenameSection):
        return digest.sections[operation.index].category
    if isinstance(operation, AddSection):
        return operation.category
    return ""


def describe(
    operations: Sequence[Operation], digest: Digest, lookup: Mapping[str, NewsItem]
) -> str:
    """What ``operations`` (planned for ``digest``) do, for "Undo …" and "Redo …"."""
    if not operations:
        return "nothing"
    named: list[tuple[Operation, str]] = []  # each operation and the item or section it touches
    current = digest
    for operation in operations:
        named.append((operation, _subject(operation, current, lookup)))
        current, _ = operation.apply(current)
    kinds = {type(op) for op, _ in named}
    items = [subject for op, subject in named if not isinstance(op, AddSection)]
    if kinds <= {AddItem, AddSection} and AddItem in kinds:
        return (
            f"add {_quoted(items[0])}" if len(items) == 1 else f"add {_count(len(items), 'item')}"
        )
    if kinds == {MoveItem}:
        return (
            f"move {_quoted(items[0])}" if len(items) == 1 else f"move {_count(len(items), 'item')}"
        )
    if kinds == {MoveSection}:
        if len(named) == 1:
            return f"move section {_quoted(named[0][1])}"
        return f"move {_count(len(named), 'section')}"
    if kinds <= {RemoveItem, RemoveSection}:
        sections = [subject for op, subject in named if isinstance(op, RemoveSection)]
        removed = [subject for op, subject in named if isinstance(op, RemoveItem)]
        if sections and not removed:
            if len(sections) == 1:
                return f"remove section {_quoted(sections[0])}"
            return f"remove {_count(len(sections), 'section')}"
        if len(removed) == 1 and not sections:
            return f"remove {_quoted(removed[0])}"
        parts = [_count(len(removed), "item")] if removed else []
        parts += [_count(len(sections), "section")] if sections else []
        return "remove " + " and ".join(parts)
    if kinds == {AddSection} and len(named) == 1:
        return f"add section {_quoted(named[0][1])}"
    if kinds == {RenameSection} and len(named) == 1:
        return f"rename section {_quoted(named[0][1])}"
    if kinds == {SetOverride}:
        first = named[0][0]
        assert isinstance(first, SetOverride)
        what = (
            first.field
            if len({op.field for op, _ in named if isinstance(op, SetOverride)}) == 1
            else "text"
        )
        if len(named) == 1 and override_value(first.field, first.value) is None:
            return f"restore the library {what} of {_quoted(named[0][1])}"
        return f"change {what} of {_quoted(named[0][1])}"
    if kinds == {SetField}:
        names = [op.field for op, _ in named if isinstance(op, SetField)]
        return f"change {names[0]}" if len(set(names)) == 1 else "change digest fields"
    return _count(len(named), "change")


# -- adding ----------------------------------------------------------------------------------------
def plan_add_items(
    digest: Digest,
    items: Sequence[NewsItem],
    lookup: Mapping[str, NewsItem],
    category_order: Sequence[str],
    *,
    section: int | None = None,
    position: int | None = None,
) -> list[Operation]:
    """Operations adding ``items`` (those the digest does not hold yet, each once).

    With ``section`` ``None`` every item goes to the section of its category, created
    where ``category_order`` puts it when missing, at its newest-first place. With a
    ``section``, the items go there in the order given, from ``position`` on (``None``
    or out of range: each at its newest-first place).
    """
    known = {**lookup, **{item.id: item for item in items}}
    operations: list[Operation] = []
    current = digest
    fresh: dict[str, NewsItem] = {}
    for item in items:
        if not digest.contains(item.id):
            fresh.setdefault(item.id, item)
    if section is not None and not 0 <= section < len(digest.sections):
        return []
    for offset, item in enumerate(fresh.values()):
        if section is None:
            index = current.section_index(item.category)
            if index is None:
                index = section_insert_index(current, item.category, category_order)
                operations.append(AddSection(index, item.category))
                current, _ = operations[-1].apply(current)
            where = _sorted_position(current, index, item, known)
        else:
            index = section
            length = len(current.sections[index].item_ids)
            if position is None or not 0 <= position <= length - offset:
                where = _sorted_position(current, index, item, known)
            else:
                where = min(position + offset, length)
        operations.append(AddItem(item.id, index, where))
        current, _ = operations[-1].apply(current)
    return operations


def _sorted_position(
    digest: Digest, section: int, item: NewsItem, lookup: Mapping[str, NewsItem]
) -> int:
    return item_insert_position(
        [lookup.get(item_id) for item_id in digest.sections[section].item_ids], item
    )


# -- moving ----------------------------------------------------------------------------------------
def _block_moves(
    lists: list[list[Ref]], moved: Sequence[Ref], target: int, row: int
) -> list[tuple[Ref, Ref]]:
    """Moves (from, to) that put the ``moved`` tokens, in order, before ``row`` of ``target``.

    ``lists`` holds a unique token per entry; ``row`` counts the entries of the
    target list before any of them left (Qt's drop row); ``-1`` means the end.
    Each move's target position is counted after the entry left its place.
    """
    moved_set = set(moved)
    target_list = lists[target]
    if row < 0 or row > len(target_list):
        row = len(target_list)
    stays_before = sum(1 for token in target_list[:row] if token not in moved_set)
    result: list[tuple[Ref, Ref]] = []
    previous: Ref | None = None
    for token in moved:
        source = next(s for s, entries in enumerate(lists) if token in entries)
        source_position = lists[source].index(token)
        lists[source].pop(source_position)
        if previous is None:
            seen = 0
            where = 0
            for index, other in enumerate(lists[target]):
                if seen == stays_before:
                    break
                if other not in moved_set:
                    seen += 1
                where = index + 1
        else:
            where = lists[target].index(previous) + 1
        lists[target].insert(where, token)
        previous = token
        if (source, source_position) != (target, where):
            result.append(((source, source_position), (target, where)))
    return result


def plan_move_items(
    digest: Digest, refs: Iterable[Ref], to_section: int, to_row: int
) -> list[Operation]:
    """Move the items at ``refs`` (in digest order) before row ``to_row`` of ``to_section``.

    ``to_row`` is counted as Qt's views count a drop row, before the dragged items
    leave their places; ``-1`` (or past the end) means the end of the section.
    """
    chosen = sorted(set(refs))
    for s, p in chosen:
        if not (0 <= s < len(digest.sections) and 0 <= p < len(digest.sections[s].item_ids)):
            return []
    if not 0 <= to_section < len(digest.sections) or not chosen:
        return []
    lists: list[list[Ref]] = [
        [(s, p) for p in range(len(section.item_ids))] for s, section in enumerate(digest.sections)
    ]
    return [
        MoveItem(source[0], source[1], target[0], target[1])
        for source, target in _block_moves(lists, chosen, to_section, to_row)
    ]


def plan_move_sections(digest: Digest, indices: Iterable[int], to_row: int) -> list[Operation]:
    """Move the sections at ``indices`` (in order) before row ``to_row`` (Qt's drop row)."""
    chosen = sorted({i for i in indices if 0 <= i < len(digest.sections)})
    if not chosen:
        return []
    lists: list[list[Ref]] = [[(0, i) for i in range(len(digest.sections))]]
    return [
        MoveSection(source[1], target[1])
        for source, target in _block_moves(lists, [(0, i) for i in chosen], 0, to_row)
    ]


def plan_nudge(
    digest: Digest, refs: Iterable[Ref], sections: Iterable[int], delta: int
) -> list[Operation]:
    """Alt+Up (``delta`` -1) / Alt+Down (+1) on a selection of items or of sections.

    Items move one place within their section, and across into the neighbouring
    section at its edge; several items move when they are all in one section.
    Sections move one place. A selection that cannot move gives no operation.
    """
    if delta not in (-1, 1):
        raise ValueError("delta must be -1 or 1")
    chosen_sections = sorted(set(sections))
    if chosen_sections:
        first, last = chosen_sections[0], chosen_sections[-1]
        if last - first + 1 != len(chosen_sections):
            return []
        if delta < 0:
            return [] if first == 0 else plan_move_sections(digest, chosen_sections, first - 1)
        if last + 1 >= len(digest.sections):
            return []
        return plan_move_sections(digest, chosen_sections, last + 2)
    chosen = sorted(set(refs))
    if not chosen or len({s for s, _ in chosen}) != 1:
        return []
    section = chosen[0][0]
    if not 0 <= section < len(digest.sections):
        return []
    low, high = chosen[0][1], chosen[-1][1]
    length = len(digest.sections[section].item_ids)
    if delta < 0:
        if low > 0:
            return plan_move_items(digest, chosen, section, low - 1)
        if section == 0:
            return []
        return plan_move_items(digest, chosen, section - 1, -1)
    if high + 1 < length:
        return plan_move_items(digest, chosen, section, high + 2)
    if section + 1 >= len(digest.sections):
        return []
    return plan_move_items(digest, chosen, section + 1, 0)


def plan_remove(digest: Digest, refs: Iterable[Ref], sections: Iterable[int]) -> list[Operation]:
    """Remove the items at ``refs`` and the sections at ``sections`` (with their items)."""
    gone = {i for i in sections if 0 <= i < len(digest.sections)}
    operations: list[Operation] = [
        RemoveItem(s, p)
        for s, p in sorted(set(refs), reverse=True)
        if s not in gone
        and 0 <= s < len(digest.sections)
        and 0 <= p < len(digest.sections[s].item_ids)
    ]
    operations.extend(RemoveSection(i) for i in sorted(gone, reverse=True))
    return operations


# -- text ------------------------------------------------------------------------------------------
def plan_field(digest: Digest, field: str, text: str) -> Operation | None:
    """``SetField`` for what the user typed, ``None`` when the cleaned text is unchanged.

    Raises :class:`~composer.errors.ValidationError` when the text cannot be accepted.
    """
    value = check_field(field, text)
    return None if value == digest.text_field(field) else SetField(field, value)


def plan_override(digest: Digest, item: NewsItem, field: str, text: str | None) -> Operation | None:
    """``SetOverride`` for the title or summary typed for ``item`` in this digest.

    Text equal to the library's (or blank) clears the override; ``None`` is
    returned when nothing would change. Raises ``ValidationError`` for bad text.
    """
    value = override_value(field, text)
    if value is not None and value == library_text(item, field):
        value = None
    if value == digest.override(item.id).get(field):
        return None
    return SetOverride(item.id, field, value)


def plan_rename_section(digest: Digest, index: int, name: str) -> Operation | None:
    """``RenameSection``, or ``None`` when the name is unchanged (raises for a bad name)."""
    from composer.digest.model import check_category

    category = check_category(name)
    if category == digest.sections[index].category:
        return None
    return RenameSection(index, category)


# -- new digests -----------------------------------------------------------------------------------
def current_month(today: dt.date | None = None) -> str:
    day = today or dt.date.today()
    return f"{day.year:04d}-{day.month:02d}"


def empty_digest(theme: Theme, period: str | None = None) -> Digest:
    """A new digest without items, titled for ``period`` (default: this month)."""
    month = period if period is not None else current_month()
    label = period_label(month, theme.locale) if month else ""
    title = theme.digest_title(label)
    return make_digest(title=title[:MAX_TITLE].strip() or "Untitled digest", period=month)


def duplicate_digest(digest: Digest, title: str | None = None) -> Digest:
    """A copy of ``digest`` with a new id, titled "Copy of …" unless ``title`` is given."""
    name = title if title is not None else f"Copy of {digest.title}"
    return dataclasses.replace(
        digest,
        id=new_digest_id(),
        title=check_field("title", shorten(name, MAX_TITLE)),
        created="",
        updated="",
        version=0,  # a new digest: its first save may not meet another's
    )
