"""The column plan of a CSV file: which column fills which item field, and what is left.

Each header cell is read as the user mapped it (``column_map``, header as written ->
field, or ``""`` to ignore it), else by its name (:mod:`csv_columns`), else by its
values where they leave no doubt: a column of web addresses of images is the image,
one of other web addresses the link, one of dates the date. When several columns
could fill one field the best ranked is used and the others are named in a warning;
columns that fill nothing are named in one warning too. A column whose name (or
values) says what it holds and that the mapping ignores is named in a warning too:
the preview's mapping step sends every column, so a column it shows as ignored is
mapped to ``""`` when the mapping is changed again.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from composer.errors import SourceError
from composer.library.importers.base import ColumnUse
from composer.library.importers.csv_columns import (
    BODY,
    COLUMNS,
    header_key,
    mapping_key,
    ranked_field,
)
from composer.library.importers.csv_dates import read_cell
from composer.library.importers.csv_reader import DELIMITER_NAMES
from composer.text import clean_line

_WEB_URL = re.compile(r"^(?:https?:)?//\S+$", re.IGNORECASE)
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif", ".bmp", ".tif")
#: How many values of a column are looked at to tell what it holds.
_SAMPLE = 500


@dataclasses.dataclass
class ColumnPlan:
    """Field -> column position (``body`` for the full text), and how each column is read."""

    fields: dict[str, int]
    uses: list[ColumnUse]
    #: Positions of full-text columns (HTML in them is reduced to text, long text is cut).
    full_text: set[int]
    warnings: list[str]
    notes: list[str]

    def header(self, field: str) -> str:
        return self.uses[self.fields[field]].header


def _is_image(url: str) -> bool:
    path = urlsplit(url).path.casefold()
    return path.endswith(_IMAGE_EXTENSIONS)


def infer_field(values: Sequence[str]) -> str | None:
    """The field a column's values show it to be, when they leave no doubt; else None."""
    sample = [clean_line(value) for value in values[: _SAMPLE * 4] if value.strip()][:_SAMPLE]
    if not sample:
        return None
    if all(_WEB_URL.match(value) for value in sample):
        images = sum(1 for value in sample if _is_image(value))
        if images == len(sample):
            return "image_url"
        return "url" if images == 0 else None
    if all(not isinstance(read_cell(value), tuple) for value in sample):
        return "date"
    return None


def _label(field: str) -> str:
    return "summary" if field == BODY else field.replace("_", " ")


def _named(header: str, position: int) -> str:
    return f"'{header[:40]}'" if header else f"column {position + 1} (no name)"


#: (rank, position, field): a column that could fill a field; the lowest rank wins it
#: (-1 mapped by the user, 0-2 named or shown by its values, 3 weakly named).
_Candidate = tuple[int, int, str]


@dataclasses.dataclass
class _Columns:
    """The header as shown (cleaned), and the rows below it to read a column's values from."""

    shown: list[str]
    rows: Sequence[Sequence[str]]

    def values(self, position: int) -> list[str]:
        return [row[position] if position < len(row) else "" for row in self.rows]

    def named(self, position: int) -> str:
        return _named(self.shown[position], position)


@dataclasses.dataclass
class _Sorting:
    """The columns sorted by what their names, the mapping and their values say they hold."""

    candidates: list[_Candidate] = dataclasses.field(default_factory=list)
    full_text: set[int] = dataclasses.field(default_factory=set)
    undecided: list[tuple[int, str | None]] = dataclasses.field(default_factory=list)
    unmapped: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # mapping ignores
    unknown: list[int] = dataclasses.field(default_factory=list)  # fill nothing
    notes: list[str] = dataclasses.field(default_factory=list)


def plan_columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    source: str,
    delimiter: str,
    column_map: Mapping[str, str] | None = None,
) -> ColumnPlan:
    """How the columns of ``header`` are read, given the ``rows`` below it."""
    columns = _Columns([clean_line(name) for name in header], rows)
    found = ", ".join(f"'{name[:40]}'" for name in columns.shown if name)
    mapped = _checked_mapping(columns.shown, column_map or {}, source, found)
    sorting = _sort_by_name(columns, mapped)
    sorting.candidates = _full_text_mapped_with_an_excerpt(sorting.candidates, sorting.full_text)
    _sort_by_values(columns, sorting)
    fields, warnings = _choose(columns, sorting.candidates)
    warnings += _unmapped_warnings(columns, sorting.unmapped, fields)
    if BODY in fields and "summary" not in fields:
        fields["summary"] = fields.pop(BODY)
    elif BODY in fields and fields[BODY] == fields.get("summary"):
        del fields[BODY]
    warnings += _unknown_warnings(columns, sorting.unknown)
    for required in ("title", "date"):
        if required not in fields:
            raise SourceError(
                source,
                f"has no '{required}' column (the header row has {found or 'no names'}; "
                f"read as {DELIMITER_NAMES[delimiter]}-separated; known columns: "
                f"{', '.join(COLUMNS)}; name a column with --map COLUMN={required})",
            )
    by_position = {position: field for field, position in fields.items()}
    uses = [
        ColumnUse(position, name, _item_field(by_position.get(position)))
        for position, name in enumerate(columns.shown)
    ]
    return ColumnPlan(fields, uses, sorting.full_text, warnings, sorting.notes)


def _checked_mapping(
    shown: Sequence[str], column_map: Mapping[str, str], source: str, found: str
) -> dict[str, tuple[str, str]]:
    """The user's mapping: key of a header -> (header as written, field or ``""``).

    Raises :class:`SourceError` for a field that is none, or a column the header lacks.
    """
    mapped = {
        mapping_key(name): (name, _target(name, field, source))
        for name, field in column_map.items()
    }
    present = {mapping_key(name) for name in shown}
    missing = [name for key, (name, _) in mapped.items() if key not in present]
    if missing:
        raise SourceError(
            source,
            f"has no column {', '.join(repr(name) for name in missing)} to map "
            f"(the header row has {found or 'no names'})",
        )
    return mapped


def _sort_by_name(columns: _Columns, mapped: Mapping[str, tuple[str, str]]) -> _Sorting:
    """The columns the mapping or a clear name assigns; the others are left undecided."""
    sorting = _Sorting()
    for position, name in enumerate(columns.shown):
        known = ranked_field(name) if name else None
        if known and known[0] == BODY:
            sorting.full_text.add(position)
        if mapping_key(name) in mapped:
            field = mapped[mapping_key(name)][1]
            if field:
                sorting.candidates.append((-1, position, field))
            elif natural := (known[0] if known else infer_field(columns.values(position))):
                sorting.unmapped.append((position, natural))
        elif known and known[1] < 3:
            sorting.candidates.append((known[1], position, known[0]))
        else:
            sorting.undecided.append((position, known[0] if known else None))
    return sorting


def _sort_by_values(columns: _Columns, sorting: _Sorting) -> None:
    """The undecided columns: read by their values when those leave no doubt and no strong
    column fills that field, else by their weak name, else unknown."""
    strong = {field for rank, _, field in sorting.candidates if rank <= 2}
    for position, weak in sorting.undecided:
        inferred = infer_field(columns.values(position))
        if inferred and inferred not in strong:
            sorting.candidates.append((2, position, inferred))
            strong.add(inferred)
            sorting.notes.append(
                f"column {columns.named(position)} was read as the "
                f"{_label(inferred)}: its values are {_VALUES[inferred]}"
            )
        elif weak:
            sorting.candidates.append((3, position, weak))
        else:
            sorting.unknown.append(position)


def _choose(columns: _Columns, candidates: list[_Candidate]) -> tuple[dict[str, int], list[str]]:
    """Field -> the best ranked column for it, and a warning for each column left out."""
    shown = columns.shown
    fields: dict[str, int] = {}
    warnings: list[str] = []
    for rank, position, field in sorted(candidates):
        winner = fields.get(field)
        if winner is None:
            fields[field] = position
            continue
        if header_key(shown[winner]) == header_key(shown[position]):
            warnings.append(
                f"column {columns.named(position)} repeats column "
                f"'{shown[winner][:40]}' ({_label(field)}); it was ignored"
            )
        elif rank <= 3:
            warnings.append(
                f"column {columns.named(position)} was not used: the "
                f"{_label(field)} comes from column '{shown[winner][:40]}' "
                "(map the columns to choose another)"
            )
    return fields, warnings


def _unmapped_warnings(
    columns: _Columns, unmapped: Sequence[tuple[int, str]], fields: Mapping[str, int]
) -> list[str]:
    """A warning for each column the mapping ignores although it says what it holds."""
    warnings = []
    for position, field in unmapped:
        given = fields.get(field)
        if given is None and field in ("summary", BODY):  # the excerpt, or the full text
            given = fields.get(BODY if field == "summary" else "summary")
        source_of = (
            f"column '{columns.shown[given][:40]}' gives"
            if given is not None
            else "no column gives"
        )
        warnings.append(
            f"column {columns.named(position)} was not used (the mapping ignores "
            f"it): {source_of} the {_label(field)}"
        )
    return warnings


def _unknown_warnings(columns: _Columns, unknown: Sequence[int]) -> list[str]:
    """One warning naming the columns that fill no field (unless unnamed and empty)."""
    shown = columns.shown
    unnamed = [
        p for p in unknown if shown[p] or any(v.strip() for v in columns.values(p)[:_SAMPLE])
    ]
    names = [columns.named(p) for p in unnamed]
    if not names:
        return []
    if len(names) == 1:
        return [f"column {names[0]} is not an item field; it was ignored"]
    return [f"columns {', '.join(names)} are not item fields; they were ignored"]


def _full_text_mapped_with_an_excerpt(
    candidates: list[_Candidate], full_text: set[int]
) -> list[_Candidate]:
    """Both an excerpt and a full-text column mapped to the summary (as the preview's mapping
    step sends them): the full text stays what fills an empty excerpt."""
    mapped = [position for rank, position, field in candidates if rank == -1 and field == "summary"]
    if not any(p in full_text for p in mapped) or all(p in full_text for p in mapped):
        return candidates
    return [
        (
            rank,
            position,
            BODY if rank == -1 and field == "summary" and position in full_text else field,
        )
        for rank, position, field in candidates
    ]


def _target(column: str, field: str, source: str) -> str:
    """The field a ``--map`` entry names, ``""`` for a column to ignore."""
    target = field.strip().lower().replace(" ", "_")
    if target in ("", "-", "ignore", "none"):
        return ""
    if target not in COLUMNS:
        raise SourceError(
            source,
            f"cannot map column '{column}' to '{field}': it is not an item field "
            f"(use one of {', '.join(COLUMNS)}, or ignore)",
        )
    return target


def _item_field(field: str | None) -> str | None:
    return "summary" if field == BODY else field


_VALUES = {
    "image_url": "web addresses of images",
    "url": "web addresses",
    "date": "dates",
}
