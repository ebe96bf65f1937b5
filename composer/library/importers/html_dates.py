"""Dates as web pages write them: machine-readable attributes, and dates inside a line of text.

:func:`machine_date` reads ``datetime``/``content`` values (``2024-06-07``,
``2024-06-07T10:00:00+02:00``, ``2024-06-07 00:00:00 +0000 UTC``);
:func:`date_in_text` finds a written date inside a short text ("Posted on 3 March
2024 by Ann", "Apr 14, 2015 | Press release") with :func:`composer.library.dates.find_dates`
doing the reading, so every language it knows is known here too.

Slash dates (``03/04/2024``) are read here only when they cannot be misread (a part
over 12, or the year first); :func:`numeric_date_parts` and :func:`order_evidence` let
the listing reader decide the order once for all the stories of a page.
"""

from __future__ import annotations

import datetime as dt
import re

from composer.library.dates import find_dates

_ISO_START = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s_])")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T)")
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


def date_in_text(text: str) -> dt.date | None:
    """The first readable date written inside ``text``, or None.

    :func:`composer.library.dates.find_dates` finds them (every CLDR language, any script's
    digits); a slash date counts only when one of its numbers shows the order.
    """
    text = text[:_MAX_TEXT].replace("\u00a0", " ")
    if not any(ch.isdigit() for ch in text):
        return None
    for found in find_dates(text):
        order = None
        if found.is_slash:
            order = "dmy" if found.first > 12 else "mdy" if found.second > 12 else None
            if order is None:
                continue  # 03/04/2024: the page's other dates may tell (see numeric_date)
        day = found.date(order)
        if day is not None and 1900 <= day.year <= 2200:
            return day
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


#: Words a date line may hold beside its date ("Posted on 3 March 2024 by Ann Smith")
#: before it reads as a sentence that only mentions a date.
_LINE_WORDS = 3
_MANY_WORDS = 10
_SENTENCE_END = re.compile(r"[.!?\u3002\u061f]\s*$")
_WORD = re.compile(r"\w+")


def in_prose(text: str) -> bool:
    """True when the date in ``text`` is part of a sentence ("Office open since 3 March
    1999.") rather than a line that presents a date ("Published 3 March 2024 by Ann",
    "Pressemitteilung · 14. Februar 2024").

    What is left once the date is taken out counts: more than a few words that end
    like a sentence, or many words, are prose.
    """
    text = text[:_MAX_TEXT].replace("\u00a0", " ").strip()
    found = find_dates(text)
    rest = text
    for date in reversed(found):
        rest = rest[: date.start] + " " + rest[date.end :]
    words = len(_WORD.findall(rest))
    if words <= _LINE_WORDS:
        return False
    return words > _MANY_WORDS or bool(_SENTENCE_END.search(text))


def line_date(text: str) -> dt.date | None:
    """The date of a line that presents one (see :func:`in_prose`), or None."""
    day = date_in_text(text)
    return day if day is not None and not in_prose(text) else None


_PLACEHOLDER = re.compile(r"^\s*0{4}-0{2}-0{2}|^\s*0{2}[./-]0{2}[./-]0{4}")


def placeholder_date(value: str | None) -> bool:
    """True for the all-zero date a CMS writes for a story it has no date for
    (WordPress's ``0000-00-00 00:00:00``)."""
    return bool(value and _PLACEHOLDER.match(value))


def any_date(value: str | None) -> dt.date | None:
    """A machine date, else a date written in the text."""
    if not value:
        return None
    return machine_date(value) or date_in_text(value)
