"""Reading news items from a CSV file as spreadsheets export it.

Comma, semicolon or tab separated (guessed from the header row), a header row with
column names in any case and spacing: category, title, date, summary, url,
image_url ("image url"), image_alt, tags (split on ``,`` ``;`` ``|``), plus a few
common aliases (headline, link, description, ...). Rows are numbered as the
spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from typing import Any

from composer.errors import SourceError
from composer.importers.base import DEFAULT_CATEGORY, ImportReport, ReportBuilder
from composer.text import clean_line

#: The item fields a column can fill, in the order messages list them.
COLUMNS = ("category", "title", "date", "summary", "url", "image_url", "image_alt", "tags")

_ALIASES = {
    "headline": "title",
    "published": "date",
    "publication_date": "date",
    "description": "summary",
    "teaser": "summary",
    "text": "summary",
    "link": "url",
    "image": "image_url",
    "picture": "image_url",
    "alt": "image_alt",
    "alt_text": "image_alt",
    "image_alt_text": "image_alt",
    "tag": "tags",
    "keywords": "tags",
}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_LINE = re.compile(r"^sep=([,;\t|])[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s_\-.]+")
_DELIMITERS = (",", ";", "\t")
_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}


def column_field(header: str) -> str | None:
    """The item field a column header names ("Image URL" -> ``image_url``), or None."""
    key = _SEPARATORS.sub("_", clean_line(header).casefold()).strip("_")
    if key in COLUMNS:
        return key
    return _ALIASES.get(key)


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most known columns."""
    header = _LINE_BREAK.split(text, maxsplit=1)[0]
    best, best_score = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        if delimiter not in header:
            continue
        try:
            cells = next(csv.reader([header], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        known = sum(1 for cell in cells if column_field(cell))
        score = (known, len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse_csv(
    text: str,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
    warnings: list[str] | None = None,
    column_map: Mapping[str, str] | None = None,
    date_order: str | None = None,
) -> ImportReport:
    """Read the rows of a CSV export; ``warnings`` from decoding are put first in the report."""
    builder = ReportBuilder(
        source, "csv", item_source=item_source or source, default_category=default_category
    )
    for warning in warnings or ():
        builder.warn(warning)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceError(source, "is empty; a CSV file needs a header row with title and date")
    # Excel's "sep=;" first line names the delimiter and is no row of the sheet.
    if match := _SEP_LINE.match(text):
        delimiter, text = match[1], text[match.end() :]
    else:
        delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_number = 0
    try:
        header: list[str] = []
        for row in reader:
            row_number += 1
            if any(cell.strip() for cell in row):
                header = row
                break
        columns = _read_header(header, source, builder, delimiter)
        header_row = row_number
        for row in reader:
            row_number += 1
            if not any(cell.strip() for cell in row):
                continue
            fields: dict[str, Any] = {}
            for position, field in columns.items():
                if position < len(row):
                    fields[field] = row[position]
            builder.add(fields, f"row {row_number}")
    except csv.Error as error:
        raise SourceError(
            source, f"row {row_number + 1}: cannot be read as CSV ({error})"
        ) from None
    report = builder.report
    if row_number == header_row:
        raise SourceError(source, "has a header row but no rows of items")
    if not report.items and not report.rejected:
        raise SourceError(source, "has no rows of items")
    return report


def _read_header(
    header: list[str], source: str, builder: ReportBuilder, delimiter: str
) -> dict[int, str]:
    """Column position -> item field; warns about unknown and repeated columns."""
    columns: dict[int, str] = {}
    taken: dict[str, str] = {}
    for position, name in enumerate(header):
        shown = clean_line(name)
        if not shown:
            continue
        field = column_field(shown)
        if field is None:
            builder.warn(f"column '{shown[:40]}' is not an item field; it was ignored")
        elif field in taken:
            builder.warn(
                f"column '{shown[:40]}' repeats column '{taken[field]}' ({field}); it was ignored"
            )
        else:
            taken[field] = shown
            columns[position] = field
    found = ", ".join(f"'{clean_line(name)[:40]}'" for name in header if clean_line(name))
    for required in ("title", "date"):
        if required not in taken:
            raise SourceError(
                source,
                f"has no '{required}' column (the header row has {found or 'no names'}; "
                f"read as {_NAMES[delimiter]}-separated; known columns: {', '.join(COLUMNS)})",
            )
    return columns
