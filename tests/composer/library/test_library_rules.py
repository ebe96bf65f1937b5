"""The core's library rules on their own: the canonical order, the duplicate rule, the index.

Every backend is held to them through ``tests/store/test_library_contract.py``; these
tests state the rules without a library around them.
"""

from __future__ import annotations

import datetime as dt

from composer.library.item import NewsItem, make_item
from composer.library.rules import (
    StoryIndex,
    find_duplicate,
    item_sort_key,
    sorted_items,
    split_new,
)

DAY = dt.date(2023, 5, 4)


def story(title: str, date: dt.date = DAY, url: str | None = None) -> NewsItem:
    return make_item({"title": title, "date": date, "category": "In Focus", "url": url})


def test_the_order_is_newest_first_then_title_ignoring_case_then_id() -> None:
    old = story("Aardvark", DAY - dt.timedelta(days=1))
    lower, upper = story("beta"), story("Alpha")
    twins = [
        story("Gamma", url="https://example.org/1"),
        story("Gamma", url="https://example.org/2"),
    ]
    first, second = sorted(twins, key=lambda i: i.id)
    assert sorted_items([old, second, lower, first, upper]) == [upper, lower, first, second, old]
    assert item_sort_key(upper) < item_sort_key(lower) < item_sort_key(old)


def test_a_duplicate_with_the_same_id_wins_over_one_by_title_and_date() -> None:
    page = story("Harbour reopens", url="https://example.org/harbour")
    pasted = story("Harbour reopens")
    retitled = story("The harbour reopened", url="https://example.org/harbour")
    assert find_duplicate(retitled, [pasted, page]) is page
    assert find_duplicate(pasted, [story("Other"), page]) is page
    assert find_duplicate(story("Harbour reopens", url="https://example.org/x"), [page]) is None
    assert find_duplicate(pasted, []) is None


def test_split_new_counts_a_batch_duplicate_as_existing_and_keeps_the_order() -> None:
    known = story("Known story")
    a, b = story("First"), story("Second")
    again = story("FIRST")
    result = split_new([a, known, b, again], lambda item: known if item.id == known.id else None)
    assert result.new == (a, b)
    assert result.existing == (known, again)


def test_the_index_follows_additions_replacements_and_removals() -> None:
    page = story("Harbour reopens", url="https://example.org/harbour")
    index = StoryIndex([page])
    assert len(index) == 1 and page.id in index and list(index) == [page]
    assert index.find(story("harbour REOPENS")) == page  # the title index, built on first use
    renamed = page.edited(title="Port reopens")
    index.add(renamed)
    assert len(index) == 1 and index.get(page.id) == renamed
    assert index.find(story("Harbour reopens")) is None
    assert index.find(story("Port reopens")) == renamed
    later = story("Another", DAY + dt.timedelta(days=1))
    index.add(later)
    kept = index.in_order()
    assert kept == [later, renamed]
    kept.clear()  # a copy: the index's cache is untouched
    assert index.remove(renamed.id) == renamed and index.remove(renamed.id) is None
    assert index.in_order() == [later] and index.find(story("Port reopens")) is None
