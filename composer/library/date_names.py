"""Month and weekday names of every language CLDR knows, shipped as a table.

Reading every CLDR locale through Babel takes about a second, too slow for the
start of the app or the CLI, so the names are read once by ``python -m
composer.library.date_names`` into ``composer/data/date_names.json`` and loaded from there
(lazily, on the first date written with a month name). A test checks that the
shipped table matches the installed Babel.

Names are folded (:func:`composer.text.fold`, final period dropped). A month name
that means different months in two languages (outside :data:`PRIORITY_LOCALES`,
which win) is left out: it cannot be read without knowing the language.

Two-letter Latin weekday names ("Di", "Mo", "We") are common words too ("de",
"on", "to"), so they are not in the table's weekdays; :func:`short_weekday_names`
holds them (:data:`SHORT_WEEKDAYS`, checked against Babel by a test) for callers
that read them only where a weekday is written ("Di, 12.03.2024").
"""

from __future__ import annotations

import functools
import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from composer.text import fold

#: Languages whose names win a clash (a word that is a month in two languages).
PRIORITY_LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl", "ru", "uk", "tr", "pl", "ar")
TABLE_NAME = "date_names.json"
_WIDTHS = ("wide", "abbreviated")
_DAY_WIDTHS = ("wide", "abbreviated", "short")
#: Every two-letter Latin-script weekday name of CLDR, folded (:func:`build_short_weekdays`).
SHORT_WEEKDAYS = """
aa ah ai al an ao ar as az be br bu ce ch ci cn cp cs ct cu cé da db dc de dg
di dj dl dm do ds dt du dv dé dë dò dö dş et fi fl fr fö ga gh gu gw ha hó ia
ig ij is je jj jo ju ka ke kh ki kk kl ko kt ku la le lh li ll lp lr lu lx lá
lö lø ma md me mg mi mj mo mr ms mu mw mà má mä må mé më nd ne nj og on or ot
pa pb pe pi pj pk pn po pr pt pu pá pó pě pń pş ra rh ro rt sa sb sd se sh si
sk sm sn so sr ss st su sv sz sá sâ sö sø sü sş ta te th ti to tr tt tu ty tü
tý tū ut va ve vi vr vu vá wa we wo wt wu xk xo xu ya ye yş za ze zi zo zä ça
çb çş ét în út ýb þr če čt ĵa śr şb şm št
"""


def name_key(name: str) -> str:
    """How a month or weekday name is looked up: folded, without its final period."""
    return fold(name).rstrip(".")


def _usable(key: str) -> bool:
    """Not a single letter, no digits; a Latin-script name of two letters ("de", "ma") is
    also a common word, so it must be three letters or more."""
    if len(key) < 2 or any(char.isdigit() for char in key):
        return False
    return len(key) >= 3 or any(ord(char) > 0x24F for char in key)


def _is_short_weekday(key: str) -> bool:
    """A two-letter Latin-script name, which :func:`_usable` leaves out of the table."""
    return len(key) == 2 and key.isalpha() and all(ord(char) <= 0x24F for char in key)


def build_short_weekdays() -> frozenset[str]:
    """The two-letter weekday names of every CLDR locale, read from Babel (slow)."""
    from babel import Locale, localedata

    names: set[str] = set()
    for code in localedata.locale_identifiers():
        days = Locale.parse(code).days
        for context in ("format", "stand-alone"):
            for width in _DAY_WIDTHS:
                names.update(
                    key
                    for name in days[context][width].values()
                    if _is_short_weekday(key := name_key(name))
                )
    return frozenset(names)


def build_table() -> dict[str, Any]:
    """The table read from Babel's CLDR data: ``{"months": {name: n}, "weekdays": [...]}``."""
    import babel
    from babel import Locale, localedata

    codes = list(PRIORITY_LOCALES) + sorted(
        code for code in localedata.locale_identifiers() if code not in PRIORITY_LOCALES
    )
    months: dict[str, int] = {}
    from_priority: set[str] = set()
    clashing: set[str] = set()
    weekdays: set[str] = set()
    for code in codes:
        locale = Locale.parse(code)
        priority = code in PRIORITY_LOCALES
        for context in ("format", "stand-alone"):
            for width in _WIDTHS:
                for number, name in locale.months[context][width].items():
                    key = name_key(name)
                    if not _usable(key):
                        continue
                    known = months.get(key)
                    if known is None:
                        months[key] = int(number)
                        if priority:
                            from_priority.add(key)
                    elif known != number and key not in from_priority:
                        clashing.add(key)
            for width in _DAY_WIDTHS:
                for name in locale.days[context][width].values():
                    key = name_key(name)
                    if _usable(key):
                        weekdays.add(key)
    for key in clashing:
        del months[key]
    months.setdefault("sept", 9)
    return {
        "babel": babel.__version__,
        "months": dict(sorted(months.items())),
        "weekdays": sorted(weekdays),
    }


@functools.cache
def _table() -> dict[str, Any]:
    text = resources.files("composer.data").joinpath(TABLE_NAME).read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


@functools.cache
def month_names() -> dict[str, int]:
    """Folded month name -> month number (1-12), every CLDR language."""
    months: dict[str, int] = _table()["months"]
    return months


@functools.cache
def weekday_names() -> frozenset[str]:
    """Folded weekday names (wide, abbreviated, short), every CLDR language."""
    return frozenset(_table()["weekdays"])


@functools.cache
def short_weekday_names() -> frozenset[str]:
    """Folded two-letter weekday names ("di", "mo", "we"), every CLDR language."""
    return frozenset(SHORT_WEEKDAYS.split())


def write_table(path: Path) -> None:
    """Write the table built from Babel to ``path`` (UTF-8 JSON, one entry a line)."""
    text = json.dumps(build_table(), ensure_ascii=False, indent=0, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - run by hand when Babel changes
    target = Path(__file__).resolve().parent.parent / "data" / TABLE_NAME
    write_table(target)
    sys.stdout.write(f"wrote {target}\n")
