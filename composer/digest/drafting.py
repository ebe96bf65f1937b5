"""Drafting a digest from a month of the library, in the default order.

Sections come in the theme's category order (``In Focus``, ``Project News``,
``Press Release``, ``Expert Voice`` by default), then the other categories
alphabetically; within a section items are in the library's order
(:func:`composer.library.rules.item_sort_key`: newest first, ties by title), so the
same library always gives the same draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from composer.digest.model import Digest, Section, make_digest, month_of
from composer.errors import NewsdigestError, ValidationError
from composer.library.item import NewsItem
from composer.library.rules import item_sort_key
from composer.text import fold
from composer.theme.model import Theme

MAX_PREHEADER_DRAFT = 140


def check_month(month: str) -> tuple[int, int]:
    """``(year, month)`` of ``YYYY-MM``, or a :class:`ValidationError`."""
    parts = month_of(month)
    if parts is None:
        raise ValidationError("month", f"'{month[:20]}' is not a month written YYYY-MM (2023-01)")
    return parts


def category_sort_key(category: str, order: Sequence[str]) -> tuple[int, str, str]:
    """Sort key: the theme's order first, then alphabetical (case and accents ignored)."""
    folded = [fold(name) for name in order]
    key = fold(category)
    rank = folded.index(key) if key in folded else len(folded)
    return rank, key, category


def section_insert_index(digest: Digest, category: str, order: Sequence[str]) -> int:
    """Where a new section for ``category`` goes so the default order is kept."""
    key = category_sort_key(category, order)
    for index, section in enumerate(digest.sections):
        if category_sort_key(section.category, order) > key:
            return index
    return len(digest.sections)


def item_insert_position(section_items: Sequence[NewsItem | None], item: NewsItem) -> int:
    """Where ``item`` goes in a section so that newest-first order is kept."""
    key = item_sort_key(item)
    for position, other in enumerate(section_items):
        if other is not None and item_sort_key(other) > key:
            return position
    return len(section_items)


def items_of_month(items: Iterable[NewsItem], year: int, month: int) -> list[NewsItem]:
    return [item for item in items if item.date.year == year and item.date.month == month]


def arrange(items: Iterable[NewsItem], order: Sequence[str]) -> list[Section]:
    """Items grouped into sections in the default order."""
    groups: dict[str, list[NewsItem]] = {}
    names: dict[str, str] = {}
    for item in items:
        key = fold(item.category)
        names.setdefault(key, item.category)
        groups.setdefault(key, []).append(item)
    ordered = sorted(groups, key=lambda key: category_sort_key(names[key], order))
    return [
        Section(names[key], tuple(i.id for i in sorted(groups[key], key=item_sort_key)))
        for key in ordered
    ]


def period_label(period: str, locale: str) -> str:
    """``2023-01`` as ``January 2023`` in the locale; any other period as written."""
    parts = month_of(period)
    if parts is None:
        return period
    from babel.dates import format_date

    return str(format_date(dt.date(parts[0], parts[1], 1), "LLLL y", locale=locale))


def draft_preheader(titles: Sequence[str], theme: Theme) -> str:
    """ "In this issue: first title, second title and 4 more", within 140 characters."""
    if not titles:
        return ""
    lead = theme.label("in_this_issue")
    shown: list[str] = []
    for count, title in enumerate(titles):
        rest = len(titles) - count - 1
        candidate = ", ".join([*shown, title])
        tail = f" {theme.label('and_more', count=rest)}" if rest else ""
        if shown and len(f"{lead}: {candidate}{tail}") > MAX_PREHEADER_DRAFT:
            break
        shown.append(title)
    rest = len(titles) - len(shown)
    text = f"{lead}: {', '.join(shown)}"
    if rest:
        text += f" {theme.label('and_more', count=rest)}"
    if len(text) > MAX_PREHEADER_DRAFT:
        text = text[: MAX_PREHEADER_DRAFT - 1].rstrip() + "…"
    return text


def draft_digest(
    items: Iterable[NewsItem],
    month: str,
    theme: Theme,
    *,
    title: str | None = None,
    digest_id: str | None = None,
) -> Digest:
    """A digest of every library item dated in ``month`` (``YYYY-MM``), in the default order.

    Raises :class:`NewsdigestError` when the library has no item in that month.
    """
    year, number = check_month(month)
    chosen = items_of_month(items, year, number)
    period = f"{year:04d}-{number:02d}"
    if not chosen:
        raise NewsdigestError(
            f"the library has no items dated in {period_label(period, theme.locale)} ({period}); "
            "import some or choose another month"
        )
    sections = arrange(chosen, theme.category_order)
    by_id = {item.id: item for item in chosen}
    titles = [by_id[item_id].title for section in sections for item_id in section.item_ids]
    default_title = theme.digest_title(period_label(period, theme.locale))
    return make_digest(
        digest_id=digest_id,
        title=title or default_title,
        period=period,
        preheader=draft_preheader(titles, theme),
        sections=sections,
    )
