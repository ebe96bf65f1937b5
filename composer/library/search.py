"""Searching and filtering the library in memory, as the GUI does on every keystroke.

The library is loaded once; a :class:`SearchIndex` keeps a folded text per item
so a query is one substring test per item, never a database query.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence

from composer.errors import ValidationError
from composer.library.item import NewsItem
from composer.text import fold


def parse_month(text: str, field: str = "month") -> tuple[int, int]:
    """``YYYY-MM`` as (year, month), or a clear error."""
    value = text.strip()
    try:
        year_text, month_text = value.split("-")
        year, month = int(year_text), int(month_text)
        dt.date(year, month, 1)
    except ValueError:
        raise ValidationError(field, f"'{value}' is not a month; write it as YYYY-MM") from None
    if len(year_text) != 4:
        raise ValidationError(field, f"'{value}' is not a month; write it as YYYY-MM")
    return year, month


@dataclasses.dataclass(frozen=True)
class ItemFilter:
    """What the user narrowed the library to. Empty fields do not filter."""

    text: str = ""
    category: str = ""
    month: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def words(self) -> list[str]:
        return fold(self.text).split()


class SearchIndex:
    """Folded search text per item, built once per library snapshot."""

    def __init__(self, items: Iterable[NewsItem]) -> None:
        self._items: list[NewsItem] = list(items)
        self._haystacks: list[str] = [
            fold(" ".join((item.title, item.summary, " ".join(item.tags)))) for item in self._items
        ]

    @property
    def items(self) -> Sequence[NewsItem]:
        return self._items

    def filter(self, spec: ItemFilter) -> list[NewsItem]:
        """Items matching every word of the text (title, summary or tags) and the other fields."""
        words = spec.words()
        category = fold(spec.category)
        year_month = parse_month(spec.month) if spec.month else None
        result: list[NewsItem] = []
        for item, haystack in zip(self._items, self._haystacks, strict=True):
            if category and fold(item.category) != category:
                continue
            if year_month and (item.date.year, item.date.month) != year_month:
                continue
            if spec.date_from and item.date < spec.date_from:
                continue
            if spec.date_to and item.date > spec.date_to:
                continue
            if words and not all(word in haystack for word in words):
                continue
            result.append(item)
        return result


def filter_items(items: Iterable[NewsItem], spec: ItemFilter) -> list[NewsItem]:
    """One-off filtering (the CLI); the GUI keeps a :class:`SearchIndex` instead."""
    return SearchIndex(items).filter(spec)
