"""Reading a CSV file's date column as spreadsheets write it, one decision per column.

Spreadsheets and CMS exports write dates in many ways: ``2023-01-31 10:00:00``,
``2013/9/13 0:00``, ``1/22/2025`` (Google Sheets, en_US), ``22/01/2025`` and
``22.01.2025`` (Excel in European locales), ``Jan 24, 2017``, ``24-Jan-2017``. A time
after the date is dropped. Everything :func:`composer.library.dates.parse_date` reads is read.

Slash dates (``03/04/2023``) mean different days in Europe and in the United States,
so their order is decided once for the whole column, never row by row: year first
(``2013/9/13``) is never in doubt; otherwise a first number over 12 somewhere in the
column makes it day/month/year, a second number over 12 month/day/year. When the
column proves neither, the ``date_order`` the user chose decides; without one, those
rows are rejected with one reason asking for the order (and saying what the file
suggests, when its headers' language or separator does). Two-digit years
(``1/22/25``, ``24-Jan-17``) are read as the nearest year not more than a year ahead
of today. A column of Excel's day numbers (``44957``, a date cell saved without its
format) is read as such.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

from composer.errors import ImpossibleDateError, ValidationError
from composer.library.dates import parse_date
from composer.text import clean_line

#: What a date cell rejected for one cause is told; the cause groups the rows.
MISSING = "missing"
UNREADABLE = "unreadable"
IMPOSSIBLE = "impossible"
#: A slash date that is no real date in the column's order (13/13/2023, or 22/01 as mdy).
NOT_IN_ORDER = "not in order"
AMBIGUOUS = "ambiguous"
MIXED = "mixed"

_ORDER_NAMES = {"dmy": "day/month/year", "mdy": "month/day/year"}
_READABLE = "use 2023-01-31, 31 January 2023, January 31, 2023 or 31.01.2023"

# A time after the date: "10:00", "0:00", "10:00:00.5", "2:30 PM", "T10:00:00Z",
# "10:00 +01:00", a CMS stamp's " - 10:33", "à 10h30"-style words are not handled.
_TIME = re.compile(
    r"(?:[T ]|\s*[-,@|]\s*|\s+(?:at|à|um|a las|alle|às|om)\s+)"
    r"\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:\s*[AaPp]\.?\s?[Mm]\.?)?"
    r"(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT|[A-Z]{3,4}))?$"
)
# Numbers: 2013/9/13, 1/22/2025, 22/01/25, 22.01.2025, 22-01-2025, 2023.01.31.
_NUMERIC = re.compile(r"^(\d{1,4})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})\.?$")
# A weekday before a numeric date: "Ven, 03/17/2017", "Mon 1/22/2025".
_WEEKDAY = re.compile(r"^[^\W\d_]{2,}\.?,?\s+(?=\d)")
# Month words between numbers: 24-Jan-2017, 24-Jan-17, 24 Jan 17, 24/Jan/2017.
_DAY_WORD_YEAR = re.compile(r"^(\d{1,2})[\s/\-.]+([^\W\d_]{3,})\.?[\s/\-.,]+(\d{2}|\d{4})$")
# Jan-24-2017, Jan 24 17.
_WORD_DAY_YEAR = re.compile(r"^([^\W\d_]{3,})\.?[\s/\-]+(\d{1,2})[\s/\-,]+(\d{2}|\d{4})$")


# Excel's serial day numbers, 1954-08-08 to 2119-01-14: a date column saved unformatted.
_SERIAL = re.compile(r"^[2-7]\d{4}(?:[.,]\d+)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def full_year(year: int, digits: int) -> int:
    """A year as written: two digits are the nearest such year up to a year from now."""
    if digits > 2:
        return year
    limit = dt.date.today().year + 1
    century = limit - limit % 100
    candidate = century + year
    return candidate if candidate <= limit else candidate - 100


def strip_time(text: str) -> str:
    """``text`` without a time of day after the date (``2013/9/13 0:00`` -> ``2013/9/13``)."""
    return _TIME.sub("", text).strip()


@dataclasses.dataclass(frozen=True)
class _Slash:
    """A day and month written as numbers whose order the column decides."""

    first: int
    second: int
    year: int


#: One cell read: a date, a slash date waiting for the column's order, or why not.
_Reading = dt.date | _Slash | tuple[str, str]


def _word_date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return parse_date(f"{day} {month} {full_year(int(year), len(year))}")
    except ValidationError:
        return None


def _real(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_cell(text: str) -> _Reading:
    """What one date cell holds, before the column's slash order is known."""
    shown = clean_line(text)
    if not shown:
        return (MISSING, "")
    value = strip_time(shown)
    m = _NUMERIC.match(value)
    if m is None and (prefix := _WEEKDAY.match(value)):  # "Ven, 03/17/2017"
        m = _NUMERIC.match(value[prefix.end() :])
    if m is not None:
        first, separator, second, last = m[1], m[2], int(m[3]), m[4]
        if len(first) == 4 or len(first) == 3:  # year first: 2013/9/13, 2023.01.31
            if len(last) > 2:
                return (UNREADABLE, shown)
            date = _real(int(first), second, int(last))
            return date if date else (IMPOSSIBLE, shown)
        year = full_year(int(last), len(last))
        if separator == ".":  # 31.01.2023: dotted dates are day first everywhere
            date = _real(year, second, int(first))
            return date if date else (IMPOSSIBLE, shown)
        return _Slash(int(first), second, year)
    for pattern, order in ((_DAY_WORD_YEAR, (1, 2, 3)), (_WORD_DAY_YEAR, (2, 1, 3))):
        if m := pattern.match(value):
            day, month, year_text = (m[i] for i in order)
            if date := _word_date(day, month, year_text):
                return date
    for candidate in (value, shown) if value != shown else (shown,):
        try:
            return parse_date(candidate)
        except ImpossibleDateError:
            return (IMPOSSIBLE, shown)
        except ValidationError:
            pass
    return (UNREADABLE, shown)


@dataclasses.dataclass
class DateColumn:
    """A date column read: each row's date or the cause it was refused for."""

    #: Per row (in the order given): a date, or (cause, value as written).
    values: list[dt.date | tuple[str, str]]
    #: The order slash dates were read in, None when the column had none to order.
    order: str | None = None
    #: True when slash dates were ambiguous and no order was given.
    order_needed: bool = False
    warnings: list[str] = dataclasses.field(default_factory=list)


def _evidence(slashes: Sequence[_Slash]) -> tuple[_Slash | None, _Slash | None]:
    """A slash date that proves day first (13/01), and one that proves month first (01/13)."""
    day_first = next((s for s in slashes if 12 < s.first <= 31 and s.second <= 12), None)
    month_first = next((s for s in slashes if 12 < s.second <= 31 and s.first <= 12), None)
    return day_first, month_first


def _read_serials(readings: list[_Reading]) -> None:
    """Excel's day numbers (``44957`` is 2023-01-31), when every unread value is one."""
    unread = [r for r in readings if isinstance(r, tuple) and r[0] == UNREADABLE]
    if not unread or not all(_SERIAL.match(value) for _, value in unread):
        return
    for index, reading in enumerate(readings):
        if isinstance(reading, tuple) and reading[0] == UNREADABLE:
            days = float(reading[1].replace(",", "."))
            readings[index] = _EXCEL_EPOCH + dt.timedelta(days=int(days))


def read_date_column(
    cells: Sequence[str], *, date_order: str | None = None, header: str = "date"
) -> DateColumn:
    """The dates of a column's ``cells``, slash dates read in one order for the whole column."""
    cache: dict[str, _Reading] = {}
    readings: list[_Reading] = []
    for cell in cells:
        reading = cache.get(cell)
        if reading is None:
            reading = cache[cell] = read_cell(cell)
        readings.append(reading)
    _read_serials(readings)
    written = {
        r: clean_line(c) for r, c in zip(readings, cells, strict=True) if isinstance(r, _Slash)
    }
    slashes = list(written)
    column = DateColumn(values=[])
    order: str | None = None
    if slashes:
        day_first, month_first = _evidence(slashes)
        if day_first and not month_first:
            order = "dmy"
        elif month_first and not day_first:
            order = "mdy"
        elif date_order is not None:
            order = date_order
        proof = day_first or month_first
        if order and date_order and order != date_order and proof:
            column.warnings.append(
                f"column '{header}': its dates are {_ORDER_NAMES[order]} ('{written[proof]}' "
                f"can be read no other way), so they were read so and not as "
                f"{_ORDER_NAMES[date_order]}"
            )
        needs_order = any(s.first != s.second for s in slashes)
        column.order = order if (order and (needs_order or date_order)) else None
        column.order_needed = order is None and needs_order
        unordered = MIXED if day_first and month_first else AMBIGUOUS
    else:
        unordered = AMBIGUOUS
    for reading, cell in zip(readings, cells, strict=True):
        if isinstance(reading, _Slash):
            column.values.append(_ordered(reading, order, clean_line(cell), unordered))
        else:
            column.values.append(reading)
    return column


def _ordered(
    slash: _Slash, order: str | None, shown: str, unordered: str
) -> dt.date | tuple[str, str]:
    if order is None:
        if slash.first == slash.second:
            return _real(slash.year, slash.first, slash.first) or (IMPOSSIBLE, shown)
        return (unordered, shown)
    day, month = (slash.first, slash.second) if order == "dmy" else (slash.second, slash.first)
    return _real(slash.year, month, day) or (NOT_IN_ORDER, shown)


def _values(shown: Sequence[str], limit: int = 3) -> str:
    quoted = [f"'{value[:40]}'" for value in shown[:limit]]
    if len(shown) > limit:
        return ", ".join(quoted) + f" and {len(shown) - limit} more"
    if len(quoted) > 1:
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return quoted[0] if quoted else ""


def cause_reason(
    cause: str, shown: Sequence[str], *, order: str | None = None, hint: str = ""
) -> str:
    """The rejection reason for rows whose dates failed for ``cause`` (values as written).

    ``hint`` ("this looks like a French export: --date-order dmy probably") ends the reason
    of ambiguous dates: what the file suggests, never a choice made for the user.
    """
    distinct = list(dict.fromkeys(shown))
    many = len(distinct) > 1
    if cause == MISSING:
        return "date is missing"
    if cause == UNREADABLE:
        if len(shown) == 1:
            try:
                parse_date(shown[0])
            except ValidationError as error:
                return f"{error.field} {error.reason}"
        verb = "are not dates" if many else "is not a date"
        return f"date {_values(distinct)} {verb} we can read ({_READABLE})"
    if cause in (IMPOSSIBLE, NOT_IN_ORDER):
        verb = "are not real dates" if many else "is not a real date"
        in_order = f" (read as {_ORDER_NAMES[order]})" if order and cause == NOT_IN_ORDER else ""
        return f"date {_values(distinct)} {verb}{in_order}"
    if cause == MIXED:
        return (
            f"date {_values(distinct)}: the column holds both day-first and month-first dates; "
            "choose the order with --date-order dmy|mdy (or in the import preview)"
        )
    return (
        f"date {_values(distinct)} could be day/month/year or month/day/year and no date in "
        "the column tells which; choose the order with --date-order dmy|mdy "
        "(or in the import preview)" + (f"; {hint}" if hint else "")
    )
