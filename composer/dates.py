"""Reading the dates people write in news listings, feeds and spreadsheets.

Accepted, the whole text being the date: ISO (``2023-01-31``, with or without a
time), day-month-year (``31 January 2023``, ``31 Jan. 2023``, ``31.01.2023``),
month-day-year (``January 31, 2023``), each optionally after a weekday
(``Tuesday, 31 January 2023``). Month names are English plus the wide and
abbreviated names of the languages in :data:`MONTH_LOCALES` (from Babel's CLDR
data), so a listing copied from a French or German site is read too.

Slash dates (``01/02/2023``) are refused on purpose: they mean different days
in Europe and in the United States.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from composer.errors import ValidationError
from composer.text import clean_line, fold

MONTH_LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "uk", "tr", "pl")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})$")
_MDY = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_WEEKDAY_PREFIX = re.compile(r"^[^\W\d_]+\.?,?\s+(?=\d|[^\W\d_]+\.?\s+\d)")


@functools.cache
def _month_names() -> dict[str, int]:
    """Folded month name (wide, abbreviated, genitive) -> month number, for all locales."""
    from babel import Locale  # imported lazily: Babel's data is only needed for word months

    names: dict[str, int] = {}
    for code in MONTH_LOCALES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    key = fold(name).rstrip(".")
                    names.setdefault(key, number)
    names.setdefault("sept", 9)
    return names


def _month_number(word: str) -> int | None:
    return _month_names().get(fold(word).rstrip("."))


def _match(text: str) -> tuple[int, int, int] | None:
    """Year, month, day if ``text`` has the shape of a date (the day may still be impossible)."""
    line = clean_line(text)
    if not line or len(line) > 40:
        return None
    if m := _ISO.match(line):
        return int(m[1]), int(m[2]), int(m[3])
    if m := _DOTTED.match(line):
        return int(m[3]), int(m[2]), int(m[1])
    candidates = [line]
    if stripped := _WEEKDAY_PREFIX.sub("", line, count=1):
        candidates.append(stripped)
    for candidate in candidates:
        if m := _DMY.match(candidate):
            month = _month_number(m[2])
            if month is not None:
                return int(m[3]), month, int(m[1])
        if m := _MDY.match(candidate):
            month = _month_number(m[1])
            if month is not None:
                return int(m[3]), month, int(m[2])
    return None


def looks_like_date(text: str) -> bool:
    """True when the text is a date line, even an impossible one such as 30 February."""
    return _match(text) is not None


def parse_date(text: str, field: str = "date") -> dt.date:
    """The date written in ``text``, or a :class:`ValidationError` saying why it is not one."""
    parts = _match(text)
    shown = clean_line(text)[:60]
    if parts is None:
        if not shown:
            raise ValidationError(field, "is missing")
        raise ValidationError(
            field,
            f"'{shown}' is not a date we can read "
            "(use 2023-01-31, 31 January 2023 or January 31, 2023)",
        )
    year, month, day = parts
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(field, f"'{shown}' is not a real date") from None
