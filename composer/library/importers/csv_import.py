"""Reading news items from a CSV file as spreadsheets and CMS exports write it.

Comma, semicolon, tab or bar separated (Excel's ``sep=;`` line, else guessed from
the header row), a header row whose names may be the README's (category, title,
date, summary, url, image_url, image_alt, tags), a CMS export's (WordPress
``post_title``/``post_date``/``post_excerpt``, Drupal Views ``Sort Date``/``Page
Path``) or localised ones (``Titre``, ``Datum``, ``Fecha`` ...), see
:mod:`csv_columns` and :mod:`csv_plan`. Dates as spreadsheets write them, slash dates
in one order per column (:mod:`csv_dates`). Rows are numbered as the spreadsheet shows
them: the header is row 1; a row whose record spans several lines (a quoted summary of
paragraphs), or follows one that does, is named with its lines as a text editor numbers
them, from the line it starts on: "row 3 (lines 3-6)". Rows refused for one cause are
reported together, with the first rows and the count. Rows of a CMS export that are no
published post (a draft, a revision, the trash: ``post_status``, ``Status``,
``post_type``) are skipped with one warning per kind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from composer.errors import SourceError
from composer.library.importers.base import (
    DEFAULT_CATEGORY,
    SUMMARY_CUT,
    ImportReport,
    Rejection,
    ReportBuilder,
    fit_summary,
)
from composer.library.importers.csv_columns import (
    BODY,
    COLUMNS,
    column_field,
    header_key,
    header_languages,
)
from composer.library.importers.csv_dates import cause_reason, read_cell, read_date_column
from composer.library.importers.csv_plan import ColumnPlan, plan_columns
from composer.library.importers.csv_reader import Record, header_index, runaway_quote, split_records
from composer.library.importers.feed import html_to_text
from composer.library.item import MAX_SUMMARY, MAX_TAGS
from composer.text import clean_line

__all__ = ["COLUMNS", "column_field", "parse_csv", "row_location", "rows_location"]

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>")
_TAG_SEPARATORS = re.compile(r"[,;|]")  # as an item splits its tags


#: The lines (first, last) of each row's record, by row number: where a text editor shows
#: the row. A record whose quoted cell holds line breaks spans several lines.
LineSpans = Mapping[int, tuple[int, int]]


def _row_name(row: int, spans: LineSpans | None) -> str:
    """ "4", or "4 (line 6)", "4 (lines 6-9)" when the row is not on the line of its number."""
    first, last = (spans or {}).get(row, (row, row))
    if first == last == row:
        return str(row)
    return f"{row} (line {first})" if first == last else f"{row} (lines {first}-{last})"


def rows_location(rows: Sequence[int], shown: int = 3, spans: LineSpans | None = None) -> str:
    """ "row 4", "rows 4 and 9", "rows 4, 9, 17 and 11 more": where a cause struck.

    Rows are numbered as a spreadsheet shows them; with ``spans``, a row whose record is
    not on the line of its number (it spans several lines, or follows one that does) is
    named with its lines too: "row 4 (lines 4-7)", "rows 2 and 8 (line 11)".
    """
    names = [_row_name(row, spans) for row in rows[:shown]]
    if len(rows) == 1:
        return f"row {names[0]}"
    if len(rows) <= shown:
        return "rows " + ", ".join(names[:-1]) + f" and {names[-1]}"
    return "rows " + ", ".join(names) + f" and {len(rows) - shown} more"


def row_location(record: Record) -> str:
    """ "row 4", or "row 4 (lines 4-7)" for a record over several lines: where it starts."""
    return rows_location([record.row], spans={record.row: (record.first_line, record.last_line)})


class _Causes:
    """Rejected rows grouped by cause, reported as one line per cause."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._single: list[tuple[int, Rejection]] = []

    def add(self, kind: str, key: str, row: int, value: str = "") -> None:
        self._groups.setdefault((kind, key), []).append((row, value))

    def add_single(self, row: int, rejection: Rejection) -> None:
        self._single.append((row, rejection))

    def rejections(
        self, date_order: str | None, hint: str = "", spans: LineSpans | None = None
    ) -> list[Rejection]:
        found = list(self._single)
        for (kind, key), hits in self._groups.items():
            rows = [row for row, _ in hits]
            if kind == "date":
                values = [value for _, value in hits]
                reason = cause_reason(key, values, order=date_order, hint=hint)
            else:
                reason = key
            where = rows_location(rows, spans=spans)
            found.append((rows[0], Rejection(where, reason, count=len(rows))))
        return [rejection for _, rejection in sorted(found, key=lambda pair: pair[0])]


def _cell(cells: Sequence[str], position: int | None) -> str:
    if position is None or position >= len(cells):
        return ""
    return cells[position]


def _web_address(value: str, base_url: str | None) -> tuple[str, bool]:
    """``value`` made absolute when it can be; True when it is relative and cannot be."""
    text = clean_line(value)
    if not text or _SCHEME.match(text):
        return text, False
    if text.startswith("//"):
        return "https:" + text, False
    if text.casefold().startswith("www."):
        return "https://" + text, False
    if any(ch.isspace() for ch in text):
        return text, False  # no address at all: make_item says so
    if base_url:
        return urljoin(base_url, text), False
    return text, True


def parse_csv(
    text: str,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
    warnings: list[str] | None = None,
    column_map: Mapping[str, str] | None = None,
    date_order: str | None = None,
    base_url: str | None = None,
) -> ImportReport:
    """Read the rows of a CSV export; ``warnings`` from decoding are put first in the report.

    ``column_map`` (header as written -> item field, or ``""`` to ignore the column)
    wins over the header names; ``date_order`` ("dmy"/"mdy") reads slash dates that
    the column leaves ambiguous; ``base_url`` makes relative links absolute.
    """
    builder = ReportBuilder(
        source, "csv", item_source=item_source or source, default_category=default_category
    )
    for warning in warnings or ():
        builder.warn(warning)
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceError(source, "is empty; a CSV file needs a header row with title and date")
    parsed = split_records(text, source)
    if not parsed.records:
        raise SourceError(source, "has no header row; a CSV file needs one with title and date")
    start = header_index(parsed.records)
    header, *records = parsed.records[start:]
    plan = plan_columns(
        header.cells,
        [record.cells for record in records],
        source=source,
        delimiter=parsed.delimiter,
        column_map=column_map,
    )
    report = builder.report
    report.columns = plan.uses
    if start:
        skipped = parsed.records[start - 1].row
        builder.warn(
            f"{'row 1 comes' if skipped == 1 else f'rows 1-{skipped} come'} before the header "
            f"row (row {header.row}) and {'was' if skipped == 1 else 'were'} skipped"
        )
    for warning in plan.warnings:
        builder.warn(warning)
    report.notes.extend(plan.notes)
    if not records:
        raise SourceError(source, "has a header row but no rows of items")
    hint = order_hint(header.cells, parsed.delimiter)
    _read_rows(
        builder, plan, records, parsed.delimiter, len(header.cells), date_order, base_url, hint
    )
    if not report.items and not report.rejected:
        raise SourceError(source, "has no rows of items")
    return report


@dataclasses.dataclass
class _Tally:
    """What rows had in common, reported once after all of them (with the rows it struck)."""

    causes: _Causes = dataclasses.field(default_factory=_Causes)
    skipped: dict[str, list[int]] = dataclasses.field(default_factory=dict)  # no post: kind
    relative: dict[str, list[int]] = dataclasses.field(default_factory=dict)  # field: rows
    examples: dict[str, str] = dataclasses.field(default_factory=dict)  # field: first address
    cut: list[int] = dataclasses.field(default_factory=list)  # summaries cut to fit
    from_body: int = 0  # summaries taken from the body column
    several: list[int] = dataclasses.field(default_factory=list)  # several categories
    several_example: str = ""
    spans: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)  # row: lines


def _read_rows(
    builder: ReportBuilder,
    plan: ColumnPlan,
    records: Sequence[Record],
    delimiter: str,
    width: int,
    date_order: str | None,
    base_url: str | None,
    hint: str,
) -> None:
    report = builder.report
    date_at = plan.fields["date"]
    dates = read_date_column(
        [_cell(record.cells, date_at) for record in records],
        date_order=date_order,
        header=plan.header("date"),
    )
    report.date_order, report.date_order_needed = dates.order, dates.order_needed
    for warning in dates.warnings:
        builder.warn(warning)

    def is_row(cells: list[str]) -> bool:
        return len(cells) == width and not isinstance(read_cell(_cell(cells, date_at)), tuple)

    tally = _Tally(spans={record.row: (record.first_line, record.last_line) for record in records})
    not_a_post = _not_a_post(plan)
    for record, date in zip(records, dates.values, strict=True):
        if not_a_post and (kind := not_a_post(record.cells)):
            tally.skipped.setdefault(kind, []).append(record.row)
            continue
        if rejection := _runaway_rejection(record, delimiter, is_row):
            tally.causes.add_single(record.row, rejection)
            continue
        fields = _row_fields(record, plan, base_url, tally)
        if isinstance(date, dt.date):
            fields["date"] = date
        elif clean_line(fields.get("title", "")):
            tally.causes.add("date", date[0], record.row, date[1])
            continue
        before = len(report.rejected)
        builder.add(fields, row_location(record))
        if len(report.rejected) > before:
            tally.causes.add("field", report.rejected.pop().reason, record.row)
    report.rejected.extend(tally.causes.rejections(dates.order, hint, tally.spans))
    _summary_warnings(builder, plan, tally, records)
    _tally_warnings(builder, tally)


def _runaway_rejection(
    record: Record, delimiter: str, is_row: Callable[[list[str]], bool]
) -> Rejection | None:
    """The rejection of a record that a quote left open swallowed several rows into; or None."""
    if record.last_line <= record.first_line:
        return None
    runaway = runaway_quote(record, delimiter, is_row)
    if not runaway:
        return None
    opened, closed, swallowed = runaway
    return Rejection(
        f"line {opened}",
        f"the quote opened on line {opened} closes only on line {closed}, so "
        f"lines {opened}-{closed} ({swallowed + 1} rows) were read as one cell; "
        'close the quote where the cell ends, or double a quote inside a cell ("")',
        count=swallowed + 1,
    )


def _row_fields(
    record: Record, plan: ColumnPlan, base_url: str | None, tally: _Tally
) -> dict[str, Any]:
    """A row's item fields (all but the date): the summary, absolute links, entities decoded,
    the first of several categories (the others go to the tags)."""
    fields: dict[str, Any] = {}
    for field, position in plan.fields.items():
        if field not in ("summary", BODY):
            fields[field] = _cell(record.cells, position)
    fields["summary"] = _row_summary(record, plan, tally)
    for field in ("url", "image_url"):
        if field in fields:
            fields[field], is_relative = _web_address(fields[field], base_url)
            if is_relative:
                tally.relative.setdefault(field, []).append(record.row)
                tally.examples.setdefault(field, fields[field])
                fields[field] = ""
    for field in ("title", "category", "image_alt", "tags"):
        value = fields.get(field)
        if value and "&" in value and _ENTITY.search(value):  # CMS exports: "Q&amp;A"
            fields[field] = html.unescape(value)
    category = fields.get("category")
    if isinstance(category, str) and "|" in category:  # "News|Events"
        names = [part for part in category.split("|") if part.strip()]
        fields["category"] = names[0] if names else ""
        if len(names) > 1:
            fields["tags"] = _with_tags(fields.get("tags", ""), names[1:])
            tally.several.append(record.row)
            tally.several_example = tally.several_example or clean_line(category)
    return fields


def _row_summary(record: Record, plan: ColumnPlan, tally: _Tally) -> str:
    """The summary column's cell, else the body column's, fitted to an item's summary."""
    summary_at, body_at = plan.fields.get("summary"), plan.fields.get(BODY)
    summary, summary_from = _cell(record.cells, summary_at), summary_at
    if not summary.strip() and body_at is not None:
        summary, summary_from = _cell(record.cells, body_at), body_at
        tally.from_body += bool(summary.strip())
    if summary.strip():
        summary, was_cut = _fit_cell(summary, summary_from in plan.full_text)
        if was_cut:
            tally.cut.append(record.row)
    return summary


def _tally_warnings(builder: ReportBuilder, tally: _Tally) -> None:
    """The notes and warnings of several rows: categories split, posts skipped, links dropped."""
    if tally.several:
        builder.report.notes.append(
            f"{rows_location(tally.several, spans=tally.spans)}: the category names several "
            f"categories ('{tally.several_example[:60]}'); the first is the category, the "
            "others were added to the tags"
        )
    for kind, rows in tally.skipped.items():
        count = f"{len(rows)} rows skipped" if len(rows) > 3 else "skipped"
        builder.warn(f"{rows_location(rows, spans=tally.spans)}: {kind}; {count}")
    for field, rows in tally.relative.items():
        builder.warn(
            f"{rows_location(rows, spans=tally.spans)}: the {field.replace('_', ' ')} is a "
            f"relative address ('{tally.examples[field][:60]}'); it was left out (give the "
            "site's address as the base url, --base-url https://…, to keep it)"
        )


#: How much of a long cell is read first for its summary: enough for any summary but of
#: an HTML cell that is mostly markup (then the whole cell is read).
_HEAD = 10 * MAX_SUMMARY


def _fit_cell(cell: str, full_text: bool) -> tuple[str, bool]:
    """The summary a cell gives (a full-text cell's HTML reduced to text), cut to fit, and
    whether it was cut. Of a cell of megabytes only the head is read when it is enough."""

    def fit(text: str) -> tuple[str, bool]:
        if full_text and _MARKUP.search(text):
            text = html_to_text(text)
        return fit_summary(text)

    if len(cell) > _HEAD:
        summary, was_cut = fit(cell[:_HEAD])
        if was_cut:
            return summary, True
    return fit(cell)


def _with_tags(tags: str, more: Sequence[str]) -> list[str]:
    """The tags of a cell with ``more`` after them, as many as an item may have."""
    own = [tag for tag in _TAG_SEPARATORS.split(tags) if tag.strip()]
    return [*own, *more][: max(MAX_TAGS, len(own))]


def order_hint(header: Sequence[str], delimiter: str) -> str:
    """What the header row suggests of the slash dates' order, for a rejection; or "".

    Headers in a language that writes dates day first (``Titre``, ``Datum``), or the
    semicolons of Excel in a European locale, suggest day/month/year; it is said, never
    chosen for the user.
    """
    languages = header_languages(header)
    if languages:
        names = (
            languages[0]
            if len(languages) == 1
            else (", ".join(languages[:-1]) + f" or {languages[-1]}")
        )
        return f"this looks like a {names} export: --date-order dmy probably"
    if delimiter == ";":
        return (
            "this looks like an Excel export from a European locale (semicolon-separated): "
            "--date-order dmy probably"
        )
    return ""


# What a WordPress posts table holds besides posts (post_type, post_status).
_NOT_POST_TYPES = {
    "revision": "a WordPress revision, not a post",
    "attachment": "a WordPress attachment (a media file), not a post",
    "nav_menu_item": "a WordPress menu item, not a post",
    "customize_changeset": "a WordPress settings change, not a post",
    "custom_css": "a WordPress style sheet, not a post",
    "oembed_cache": "a WordPress cache entry, not a post",
    "wp_block": "a WordPress reusable block, not a post",
    "wp_template": "a WordPress template, not a post",
    "wp_template_part": "a WordPress template, not a post",
    "wp_global_styles": "a WordPress style, not a post",
    "wp_navigation": "a WordPress menu, not a post",
}
_NOT_POST_STATUSES = {
    "trash": "in the WordPress trash",
    "auto-draft": "a WordPress automatic draft, not a post",
    "inherit": "a WordPress revision, not a post",
}
# Statuses of a post that is not published (WordPress's, Drupal's).
_UNPUBLISHED = {
    "draft": "a draft, not published",
    "pending": "waiting for review, not published",
    "private": "a private post, not published",
    "future": "scheduled for later, not yet published",
    "unpublished": "not published",
    "not published": "not published",
}
#: Headers of a post's status: WordPress's ``post_status``, an export plugin's ``Status``.
_STATUS_HEADERS = ("post_status", "status")


def _not_a_post(plan: ColumnPlan) -> Callable[[Sequence[str]], str | None] | None:
    """For a CMS posts table, what a row is when it is no published post (a revision, a
    draft ...)."""
    keys: dict[str, int] = {}
    for use in plan.uses:
        keys.setdefault(header_key(use.header), use.position)
    type_at = keys.get("post_type")
    status_at = next((keys[name] for name in _STATUS_HEADERS if name in keys), None)
    if type_at is None and status_at is None:
        return None
    status_header = plan.uses[status_at].header[:40] if status_at is not None else ""

    def kind(cells: Sequence[str]) -> str | None:
        post_type = _cell(cells, type_at).strip().casefold()
        status = " ".join(_cell(cells, status_at).split()).casefold()
        if found := _NOT_POST_TYPES.get(post_type) or _NOT_POST_STATUSES.get(status):
            return found
        if unpublished := _UNPUBLISHED.get(status):
            return f"{unpublished} ({status_header} '{status}')"
        return None

    return kind


def _summary_warnings(
    builder: ReportBuilder,
    plan: ColumnPlan,
    tally: _Tally,
    records: Sequence[Record],
) -> None:
    from_body = tally.from_body
    if tally.cut:
        builder.warn(f"{rows_location(tally.cut, spans=tally.spans)}: {SUMMARY_CUT}")
    body_at = plan.fields.get(BODY)
    if body_at is None:
        return
    body, summary = plan.uses[body_at].header[:40], plan.header("summary")[:40]
    if from_body:
        builder.report.notes.append(
            f"{from_body} row{'s' if from_body != 1 else ''} with an empty '{summary}' took "
            f"the summary from column '{body}'"
        )
    elif any(_cell(record.cells, body_at).strip() for record in records):
        builder.warn(
            f"column '{body}' was not used: the summary comes from column '{summary}' "
            "(map the columns to choose another)"
        )
