"""Splitting CSV text into records, each with the row and line it starts on.

The delimiter is Excel's ``sep=;`` first line when there is one, else the one
(comma, semicolon, tab or bar) that splits the header line into the most known
columns. Rows are numbered as a spreadsheet shows them (a record over several lines
is one row); lines as a text editor does (a CRLF is one line break), for the messages
about quotes and to say where a row over several lines starts and ends. A quote
that is never closed is refused with the line it opens on, rather than read as one
cell holding the rest of the file. A cell may be as large as a source may be
(:data:`~composer.library.importers.base.MAX_SOURCE_BYTES`): a CMS export's full text of a
long post is one cell.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Iterator, Sequence

from composer.errors import SourceError
from composer.library.importers.base import MAX_SOURCE_BYTES, check_text_size
from composer.library.importers.csv_columns import column_field

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEP_LINE = re.compile(r"^sep=([,;\t|])[ \t]*(?:\r\n|\r|\n)", re.IGNORECASE)
_DELIMITERS = (",", ";", "\t", "|")
#: How many lines at the top of a file may come before its header row.
HEADER_SEARCH = 10
DELIMITER_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}


@dataclasses.dataclass(frozen=True)
class Record:
    """One record of the file: its cells, its spreadsheet row and the lines it spans."""

    cells: list[str]
    row: int
    first_line: int
    last_line: int


@dataclasses.dataclass
class CsvText:
    """A CSV file split into records (blank records left out) and how it was read."""

    records: list[Record]
    delimiter: str


def line_breaks(text: str) -> int:
    """How many line breaks ``text`` holds (CRLF counts once)."""
    return len(_LINE_BREAK.findall(text))


def split_by_each_delimiter(
    line: str, delimiters: Sequence[str] = _DELIMITERS
) -> Iterator[tuple[str, list[str]]]:
    """``line`` read as a CSV record with each of ``delimiters`` it holds."""
    for delimiter in delimiters:
        if delimiter not in line:
            continue
        try:
            yield delimiter, next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits a header line into the most known columns.

    The header is usually the first line; an export may put a title line or two
    before it, so the first few lines are looked at.
    """
    lines = [line for line in _LINE_BREAK.split(text[:65536], maxsplit=HEADER_SEARCH) if line]
    best, best_score = ",", (0, -1)
    for line in lines[:HEADER_SEARCH]:
        for delimiter, cells in split_by_each_delimiter(line):
            known = sum(1 for cell in cells if column_field(cell))
            score = (known, len(cells))
            if score > best_score:
                best, best_score = delimiter, score
        if best_score[0] >= 2:
            break
    return best


def header_index(records: Sequence[Record]) -> int:
    """Which of the first records is the header: the first that names a title and a date."""
    for index, record in enumerate(records[:HEADER_SEARCH]):
        fields = {column_field(cell) for cell in record.cells}
        if {"title", "date"} <= fields:
            return index
    return 0


def _unclosed_at_end(raw: str, delimiter: str) -> bool:
    """True when the last record's text ends inside a quoted cell."""
    try:
        for _ in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        return "unexpected end of data" in str(error)
    return False


def _quote_line(record: Record, cell: int) -> int:
    """The line on which the quoted ``cell`` of ``record`` opens."""
    later = sum(line_breaks(text) for text in record.cells[cell:])
    return record.last_line - later


def _allow_large_cells() -> None:
    """Let the csv module read cells up to the source size limit (its default is 128 KB)."""
    if csv.field_size_limit() < MAX_SOURCE_BYTES:
        csv.field_size_limit(MAX_SOURCE_BYTES)


def _unclosed_message(opened: int, last_line: int) -> str:
    rest = (
        f", so the rest of the file (lines {opened}-{last_line}) would be one cell"
        if last_line > opened
        else ""
    )
    return (
        f"line {opened}: the quote opened on this line is never closed{rest}; close "
        'the quote, or double a quote that is part of the text ("")'
    )


def split_records(text: str, source: str) -> CsvText:
    """The records of CSV ``text`` (BOM already removed); SourceError for a broken quote.

    Text over the source size limit is refused, so no cell can outgrow the csv module's
    field limit (raised to that size).
    """
    check_text_size(text, source)
    _allow_large_cells()
    offset = 0
    if match := _SEP_LINE.match(text):  # Excel's "sep=;" line is no row of the sheet
        delimiter, text, offset = match[1], text[match.end() :], 1
    else:
        delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    row = 0
    line = 0
    try:
        for cells in reader:
            row += 1
            first = line + 1
            line = reader.line_num
            if any(cell.strip() for cell in cells):
                records.append(Record(cells, row, first + offset, line + offset))
    except csv.Error as error:
        where = line + 1 + offset
        raise SourceError(source, f"line {where}: cannot be read as CSV ({error})") from None
    if records:
        last = records[-1]
        lines = _LINE_BREAK.split(text)
        raw = "\n".join(lines[last.first_line - 1 - offset :])
        if _unclosed_at_end(raw, delimiter):
            cells = list(last.cells)
            cells[-1] = _LINE_BREAK.sub("\n", cells[-1]).removesuffix("\n")
            opened = _quote_line(dataclasses.replace(last, cells=cells), len(cells) - 1)
            raise SourceError(source, _unclosed_message(opened, last.last_line))
    return CsvText(records, delimiter)


def runaway_quote(
    record: Record, delimiter: str, is_row: Callable[[list[str]], bool]
) -> tuple[int, int, int] | None:
    """A quote that swallowed rows: (line it opens on, line it closes on, rows swallowed).

    A cell over several lines is normal (a summary of paragraphs); one whose inner
    lines read as rows of the file (``is_row``: the right number of cells, a date
    where the date goes) is a quote closed far too late.
    """
    for position, cell in enumerate(record.cells):
        lines = _LINE_BREAK.split(cell)
        if len(lines) < 2:
            continue
        rows = 0
        for inner in lines[1:]:
            if delimiter not in inner:
                continue
            try:
                cells = next(csv.reader([inner], delimiter=delimiter))
            except (csv.Error, StopIteration):
                continue
            if is_row(cells):
                rows += 1
        if rows:
            opened = _quote_line(record, position)
            return opened, opened + len(lines) - 1, rows
    return None
