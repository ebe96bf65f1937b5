"""Dates as web pages write them: machine-readable attributes, and dates inside a line of text.

:func:`machine_date` reads ``datetime``/``content`` values (``2024-06-07``,
``2024-06-07T10:00:00+02:00``, ``2024-06-07 00:00:00 +0000 UTC``);
:func:`date_in_text` finds a written date inside a short text ("Posted on 3 March
2024 by Ann", "Apr 14, 2015 | Press release") with :func:`composer.dates.parse_date`
doing the reading, so every language it knows is known here too.

Slash dates (``03/04/2024``) are read here only when they cannot be misread (a part
over 12, or the year first); :func:`numeric_date_parts` and :func:`order_evidence` let
the listing reader decide the order once for all the stories of a page.
"""

from __future__ import annotations

import datetime as dt
import re

from composer.dates import parse_date
from composer.errors import ValidationError

_ISO_START = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s_])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
_WORD = r"[^\W\d_]{3,}\.?"
_CANDIDATES = re.compile(
    "|".join(
        (
            r"(?P<iso>\b\d{4}-\d{1,2}-\d{1,2}\b)",
            r"(?P<dotted>\b\d{1,2}\.\d{1,2}\.\d{4}\b)",
            rf"(?P<dmy>\b\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s+{_WORD},?\s+\d{{4}}\b)",
            rf"(?P<mdy>{_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)",
            r"(?P<slash>\b\d{1,4}/\d{1,2}/\d{1,4}\b)",
        )
    )
)
_MAX_TEXT = 400


def _real(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2200:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def machine_date(value: str | None) -> dt.date | None:
    """The day of an ISO-style machine date (the time and zone are ignored)."""
    if not value:
        return None
    if m := _ISO_START.match(value) or _COMPACT.match(value):
        return _real(int(m[1]), int(m[2]), int(m[3]))
    return None


def _slash(text: str) -> dt.date | None:
    parts = [int(p) for p in text.split("/")]
    if parts[0] > 31:  # 2024/03/04: year first
        return _real(parts[0], parts[1], parts[2])
    if parts[2] < 100:
        return None
    if parts[0] > 12 >= parts[1]:
        return _real(parts[2], parts[1], parts[0])
    if parts[1] > 12 >= parts[0]:
        return _real(parts[2], parts[0], parts[1])
    return None  # 03/04/2024: April or March, nothing on the page says


def date_in_text(text: str) -> dt.date | None:
    """The first readable date written inside ``text``, or None."""
    text = text[:_MAX_TEXT].replace("\u00a0", " ")
    if not any(ch.isdigit() for ch in text):
        return None
    for m in _CANDIDATES.finditer(text):
        found = m[0]
        if m["slash"]:
            if (day := _slash(found)) is not None:
                return day
            continue
        if m["iso"]:
            day = machine_date(found)
            if day is not None:
                return day
            continue
        words = found.split()
        # "on March 3, 2024": the month word may follow another word the pattern took.
        for start in range(min(2, len(words))):
            try:
                return parse_date(" ".join(words[start:]))
            except ValidationError:
                continue
    return None


_NUMERIC = re.compile(r"(?<![\d.:/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d:/-]|\.\d)")

#: Two numbers and a year as a page writes them ("05.19.15": 5, 19, 2015).
NumericDate = tuple[int, int, int]


def numeric_date_parts(text: str) -> NumericDate | None:
    """The first day-and-month-in-some-order date of ``text`` (``05.19.15``, ``3/4/2024``):
    its two leading numbers as written and its year (a two-digit year is 19xx or 20xx)."""
    m = _NUMERIC.search(text[:_MAX_TEXT])
    if m is None:
        return None
    year = int(m[4])
    if len(m[4]) == 2:
        year += 2000 if 2000 + year <= dt.date.today().year + 1 else 1900
    return int(m[1]), int(m[3]), year


def order_evidence(parts: NumericDate) -> str | None:
    """ "dmy" or "mdy" when the numbers themselves say which (one is over 12), else None."""
    first, second, _ = parts
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    return None


def numeric_date(parts: NumericDate, order: str) -> dt.date | None:
    """The day ``parts`` stand for read in ``order`` ("dmy" or "mdy"), None if impossible."""
    first, second, year = parts
    day, month = (first, second) if order == "dmy" else (second, first)
    return _real(year, month, day)


def any_date(value: str | None) -> dt.date | None:
    """A machine date, else a date written in the text."""
    if not value:
        return None
    return machine_date(value) or date_in_text(value)
