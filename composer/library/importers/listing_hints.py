"""Why a pasted listing gave no stories: the lines that nearly were date lines.

A refusal that says only "no date lines" leaves the user guessing; these hints
point at a line that holds a date inside a paragraph, or a month without a day
or a year ("line 5 looks like a date line, 'Publishing date: January 2025', but
it has no day").
"""

from __future__ import annotations

import re

from composer.library.date_names import month_names, name_key
from composer.library.dates import find_date

_WORD = r"[^\W\d_]+"
_MONTH_YEAR = re.compile(rf"(?<!\d)(?:({_WORD})\.?,?\s+(\d{{4}}))(?!\d)")
_DAY_MONTH = re.compile(rf"(?<![\d.])(\d{{1,2}})\.?\s+({_WORD})\b(?!\.?,?\s*\d)")
_SHORT_SLASH = re.compile(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{2}(?![\d/])")
_MAX_HINTS = 3
_SHORT_LINE = 80


def _shown(line: str) -> str:
    return line if len(line) <= 60 else line[:57] + "…"


def _hint(number: int, line: str) -> str | None:
    found = find_date(line)
    if found is not None:
        return (
            f"line {number} has a date, '{found.text}', but inside a paragraph of "
            f"{len(line)} characters, which is not a date line"
        )
    if len(line) > _SHORT_LINE:
        return None
    months = month_names()
    start = f"line {number} looks like a date line, '{_shown(line)}', but"
    for m in _MONTH_YEAR.finditer(line):
        if name_key(m[1]) in months:
            return f"{start} it has no day"
    for m in _DAY_MONTH.finditer(line):
        if name_key(m[2]) in months:
            return f"{start} it has no year"
    if _SHORT_SLASH.search(line):
        return f"{start} its year has two digits"
    return None


def near_misses(lines: list[str]) -> list[str]:
    """Up to three hints about lines of ``lines`` that nearly were date lines."""
    hints: list[str] = []
    for index, line in enumerate(lines):
        if not line or not any(char.isdigit() for char in line):
            continue
        hint = _hint(index + 1, line)
        if hint is not None:
            hints.append(hint)
            if len(hints) == _MAX_HINTS:
                break
    return hints
