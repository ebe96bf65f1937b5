"""Reading the dates people write in news listings, feeds and spreadsheets.

:func:`parse_date` and :func:`looks_like_date` read a text that is a date as a
whole: ISO (``2023-01-31``, with or without a time; ``2023/1/31 0:00``),
day-month-year (``31 January 2023``, ``31 Jan. 2023``, ``31.01.2023``, ``24 de
febrero de 2023``), month-day-year (``January 31, 2023``), year-month-day
(``2023. január 31.``, ``2023年1月31日``), each optionally with a weekday
(``Tuesday, 31 January 2023``) or a time. Month names are those of every
language CLDR knows (:mod:`composer.library.date_names`), and digits may be Arabic-Indic
(``٢٢ يناير ٢٠٢٥``) or of any other script.

:func:`find_date` finds such a date anywhere in a line ("Publishing date: 22
January 2025", "Comité 4 juin 2019 Strasbourg") and also day/month slash dates
(``03/17/2017``), which :func:`parse_date` refuses on purpose: ``01/02/2023``
means different days in Europe and in the United States, so their order is
decided for a whole source (:func:`slash_order`), never guessed date by date.

:func:`vague_date` tells a text that is a date without a year ("3 mars", "March
3rd") or a relative one ("2 days ago", "hace 3 días", "gestern"): shown, never
read, since any year or day given to it would be made up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable

from composer.errors import ImpossibleDateError, ValidationError
from composer.library.date_names import month_names, name_key, short_weekday_names, weekday_names
from composer.text import clean_line

# A word: letters with their combining marks (Arabic vowels, Indic vowel signs).
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_MARKS += "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u0981-\u0983\u09bc-\u09d7"
_MARKS += "\u0a01-\u0a03\u0a3c-\u0a51\u0a81-\u0a83\u0abc-\u0acd\u0b01-\u0b03\u0b3c-\u0b57"
_MARKS += "\u0b82\u0bbe-\u0bcd\u0c00-\u0c04\u0c3e-\u0c56\u0c81-\u0c83\u0cbc-\u0cd6"
_MARKS += "\u0d00-\u0d03\u0d3b-\u0d57\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1-\u0ebc\u1000-\u109f"
_W = rf"(?:[^\W\d_]|[{_MARKS}])(?:[^\W\d_]|[{_MARKS}]|['’])*"
_NOT_WORD_BEFORE = rf"(?<![^\W_])(?<![{_MARKS}])"
_D = r"\d{1,2}"
_Y = r"\d{4}"
_ORD = r"(?:st|nd|rd|th|er|re|e|º|ª|°)?\.?"
_CONNECT = r"(?:(?:de|del|di|of|du|van|von)\s+)?"
_TIME = (
    r"(?:\d{1,2}[:h.]\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[aApP]\.?\s?[mM]\.?)?(?:Z|[+-]\d{2}:?\d{2})?)"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(rf"(?<!\d)({_Y})-({_D})-({_D})(?!\d)(?:[T ]{_TIME})?")),
    ("ymd", re.compile(rf"(?<!\d)({_Y})/({_D})/({_D})(?!\d)")),
    ("cjk", re.compile(rf"(?<!\d)({_Y})\s*[年년]\s*({_D})\s*[月월]\s*({_D})\s*[日일]?")),
    ("dotted", re.compile(rf"(?<![\d.])({_D})\.\s?({_D})\.\s?({_Y})(?![\d.]\d)")),
    ("slash", re.compile(rf"(?<![\d/])({_D})/({_D})/({_Y})(?![\d/])")),
    (
        "dmy",
        re.compile(
            rf"(?<![\d.,])({_D}){_ORD}\s*{_CONNECT}({_W})\.?(?:[\s-]({_W}))?\.?,?\s*"
            rf"{_CONNECT}({_Y})(?!\d)"
        ),
    ),
    (
        "mdy",
        re.compile(
            rf"{_NOT_WORD_BEFORE}({_W})\.?(?:\s+({_W})\.?)?\s+({_D})(?:st|nd|rd|th)?\.?,?\s+"
            rf"({_Y})(?!\d)"
        ),
    ),
    ("ywd", re.compile(rf"(?<!\d)({_Y})\.?\s+({_W})\.?\s+({_D})\.?(?![\d.]\d)")),
]
_YEAR = re.compile(r"\d{4}")
_PLAIN_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BEFORE_YEAR = 60  # "24 de septiembre de " is 20 characters; a long month name 30
_AFTER_YEAR = 30  # "2023年1月31日", "2023. január 31." (an ISO time is matched whole)
# Characters a pattern cannot match without: a quick test before the regex.
_NEEDS = {"iso": "-", "ymd": "/", "slash": "/", "cjk": "年년", "dotted": "."}
_CONNECTORS = frozenset({"de", "del", "di", "of", "du", "van", "von"})
_LEADING_TIME = re.compile(rf"^[\W_]*{_TIME}")
_TRAILING_TIME = re.compile(rf"{_TIME}[\W_]*$")
_WORDS = re.compile(_W)
# A two-letter weekday is one only when written as an abbreviation: "Di," or "Mo.".
_SHORT_WEEKDAY = re.compile(rf"{_NOT_WORD_BEFORE}({_W})[.,]")
_NUMBER_WORDS = (
    r"\d+|an?|one|two|three|un|une|deux|trois|ein|eine|einem|einer|zwei|drei|uno|una|dos|tres"
)
_UNITS = (
    r"sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|days?|weeks?|months?|years?"
    r"|secondes?|heures?|jours?|semaines?|mois|ans?|années?"
    r"|sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?"
    r"|segundos?|minutos?|horas?|días?|dias?|semanas?|mes(?:es)?|años?|anos?"
    r"|secondi|minuti|ore|ora|giorni|giorno|settimane?|mesi|mese|anni|anno"
    r"|seconden|minuten|uur|uren|dagen|dag|weken|week|maanden|maand|jaren|jaar"
)
_RELATIVE = re.compile(
    rf"^(?:(?:about|around|over|il y a|vor|hace|há|ha|circa)\s+)?(?:{_NUMBER_WORDS})\s+"
    rf"(?:{_UNITS})(?:\s+(?:ago|fa|geleden|atrás|atras))?$"
    r"|^(?:yesterday|today|just now|last (?:week|month|year)|this (?:week|morning)"
    r"|hier|avant-hier|aujourd'hui|aujourd’hui|gestern|vorgestern|heute|ayer|anteayer|hoy"
    r"|ieri|oggi|ontem|hoje|gisteren|vandaag|вчера|сегодня|أمس|اليوم|昨天|今天)$",
    re.IGNORECASE,
)
_MAX_VAGUE = 40
_DAY_NUMBER = re.compile(r"(?<!\d)\d{1,2}(?!\d)")
_DAY_THEN_MONTH = re.compile(rf"^({_D}){_ORD}\s*{_CONNECT}({_W})\.?$")
_MONTH_THEN_DAY = re.compile(rf"^({_W})\.?\s+({_D})(?:st|nd|rd|th)?\.?$")


@dataclasses.dataclass(frozen=True)
class FoundDate:
    """A date found in a line: where it is, and its parts.

    ``month`` and ``day`` are None for a slash date (``03/04/2017``) whose order is
    not known; ``first`` and ``second`` are then its two numbers as written.
    """

    start: int
    end: int
    text: str
    year: int
    month: int | None
    day: int | None
    first: int = 0
    second: int = 0

    @property
    def is_slash(self) -> bool:
        """True for a day/month slash date, read only once the order is known."""
        return self.month is None

    def parts(self, order: str | None = None) -> tuple[int, int, int] | None:
        """Year, month, day; a slash date needs ``order`` ("dmy" or "mdy")."""
        if self.month is not None and self.day is not None:
            return self.year, self.month, self.day
        if order == "dmy":
            return self.year, self.second, self.first
        if order == "mdy":
            return self.year, self.first, self.second
        return None

    def date(self, order: str | None = None) -> dt.date | None:
        """The date, or None when it is impossible (30 February) or its order unknown."""
        parts = self.parts(order)
        if parts is None:
            return None
        try:
            return dt.date(*parts)
        except ValueError:
            return None


def _month(*words: str | None) -> int | None:
    names = month_names()
    present = [word for word in words if word]
    if len(present) == 2:
        both = names.get(name_key(f"{present[0]} {present[1]}"))
        if both is not None:
            return both
    return names.get(name_key(present[0])) if present else None


def _found(kind: str, m: re.Match[str]) -> FoundDate | None:
    start, end = m.span()
    text = m[0]
    if kind in ("iso", "ymd", "cjk"):
        return FoundDate(start, end, text, int(m[1]), int(m[2]), int(m[3]))
    if kind == "dotted":
        return FoundDate(start, end, text, int(m[3]), int(m[2]), int(m[1]))
    if kind == "slash":
        return FoundDate(start, end, text, int(m[3]), None, None, int(m[1]), int(m[2]))
    if kind == "dmy":
        word, extra = m[2], m[3]
        month = _month(word, extra) if extra and name_key(extra) not in _CONNECTORS else None
        if month is None:
            month = _month(word)
            if month is not None and extra and name_key(extra) not in _CONNECTORS:
                return None  # "5 May Foo 2023": the month is not next to the year
        if month is None:
            return None
        return FoundDate(start, end, text, int(m[4]), month, int(m[1]))
    if kind == "mdy":
        word, extra = m[1], m[2]
        if extra:
            month = _month(word, extra)
            if month is None:
                month = _month(extra)
                start = m.start(2)
                text = m[0][m.start(2) - m.start() :]
        else:
            month = _month(word)
        if month is None:
            return None
        return FoundDate(start, end, text, int(m[4]), month, int(m[3]))
    # ywd: 2023. január 31.
    month = _month(m[2])
    if month is None:
        return None
    return FoundDate(start, end, text, int(m[1]), month, int(m[3]))


def find_dates(text: str) -> list[FoundDate]:
    """Every date written in ``text`` (one line), in the order they appear.

    A date needs a day, a month and a four-digit year; "May 2023" or "the 5th" is none.
    """
    windows: list[list[int]] = []  # every date has a four-digit year: look around those
    for year in _YEAR.finditer(text):
        low, high = max(0, year.start() - _BEFORE_YEAR), year.end() + _AFTER_YEAR
        if windows and low <= windows[-1][1]:
            windows[-1][1] = high
        else:
            windows.append([low, high])
    if not windows:
        return []
    found: list[FoundDate] = []
    for kind, pattern in _PATTERNS:
        needs = _NEEDS.get(kind)
        if needs is not None and not any(char in text for char in needs):
            continue
        matches = (m for low, high in windows for m in pattern.finditer(text, low, high))
        for m in matches:
            date = _found(kind, m)
            if date is None or not (1 <= (date.day or date.first) <= 31):
                continue
            if date.month is not None and not 1 <= date.month <= 12:
                continue
            if any(date.start < other.end and other.start < date.end for other in found):
                continue
            found.append(date)
    return sorted(found, key=lambda date: date.start)


def find_date(text: str) -> FoundDate | None:
    """The first date written in ``text`` (see :func:`find_dates`), or None."""
    dates = find_dates(text)
    return dates[0] if dates else None


def is_decoration(text: str) -> bool:
    """True when ``text`` beside a date holds only weekdays, a time and punctuation."""
    text = _TRAILING_TIME.sub("", _LEADING_TIME.sub("", text))
    if any(char.isdigit() for char in text):
        return False
    weekdays = weekday_names()
    short = short_weekday_names()
    abbreviated = {name_key(m[1]) for m in _SHORT_WEEKDAY.finditer(text)}
    return all(
        (key := name_key(word)) in weekdays or (key in abbreviated and key in short)
        for word in _WORDS.findall(text)
    )


def _strip_decoration(text: str) -> str:
    """``text`` without weekdays and clock times at its edges."""
    words = text.split()
    while words and is_decoration(words[0]):
        words.pop(0)
    while words and is_decoration(words[-1]):
        words.pop()
    return " ".join(words).strip(" ,;")


def vague_date(text: str) -> str | None:
    """Why ``text``, as a whole, is a date that cannot be read, or None.

    "relative" for "2 days ago", "il y a 3 jours", "yesterday"; "no year" for a day
    and a month ("3 mars", "March 3rd", "Mon 4 March"). A weekday or a time may go
    with it. A full date, or any other text, gives None.
    """
    if len(text) > _MAX_VAGUE:
        return None
    line = clean_line(text)
    if _RELATIVE.match(line.rstrip(".")):
        return "relative"
    if _DAY_NUMBER.search(line) is None:  # a day of one or two digits
        return None
    months = month_names()
    for core in dict.fromkeys((line, _strip_decoration(line))):  # "Mar. 3": "mar" is a weekday too
        if (m := _DAY_THEN_MONTH.match(core)) is not None:
            day, month = m[1], m[2]
        elif (m := _MONTH_THEN_DAY.match(core)) is not None:
            month, day = m[1], m[2]
        else:
            continue
        if name_key(month) in months and 1 <= int(day) <= 31:
            return "no year"
    return None


def _whole(text: str) -> FoundDate | None:
    """The date that ``text`` is, as a whole (a weekday and a time may go with it)."""
    line = clean_line(text)
    if not line or len(line) > 60:
        return None
    date = find_date(line)
    if date is None or date.is_slash:
        return None
    if not (is_decoration(line[: date.start]) and is_decoration(line[date.end :])):
        return None
    return date


def looks_like_date(text: str) -> bool:
    """True when the text is a date, even an impossible one such as 30 February."""
    return _whole(text) is not None


def parse_date(text: str, field: str = "date") -> dt.date:
    """The date written in ``text``, or a :class:`ValidationError` saying why it is not one."""
    if isinstance(text, str) and _PLAIN_ISO.match(text):  # the common case, read quickly
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ImpossibleDateError(field, f"'{text}' is not a real date") from None
    date = _whole(text)
    shown = clean_line(text)[:60]
    if date is None:
        if not shown:
            raise ValidationError(field, "is missing")
        raise ValidationError(
            field,
            f"'{shown}' is not a date we can read "
            "(use 2023-01-31, 31 January 2023 or January 31, 2023)",
        )
    value = date.date()
    if value is None:
        raise ImpossibleDateError(field, f"'{shown}' is not a real date")
    return value


def slash_order(dates: Iterable[FoundDate]) -> str | None:
    """The order ("dmy" or "mdy") that the slash dates of one source show, else None.

    A first number over 12 shows day-month, a second over 12 month-day; a source that
    shows both, or neither, has no order that can be read from it.
    """
    day_first = month_first = False
    for date in dates:
        if not date.is_slash:
            continue
        day_first = day_first or date.first > 12
        month_first = month_first or date.second > 12
    if day_first == month_first:
        return None
    return "dmy" if day_first else "mdy"
