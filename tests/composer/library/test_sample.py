"""The shipped sample library: enough varied, valid, original items over three months."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import re
from urllib.parse import urlsplit

import pytest
from conftest import LISTING

from composer.library.item import FIELDS, NewsItem, make_item
from composer.library.sample import SAMPLE_SOURCE, load_sample_items
from composer.text import fold

MONTHS = {"2026-08", "2026-09", "2026-10"}
RUN = 8  # words in a row that, shared with the fixture, would mean copied text


@pytest.fixture(scope="module")
def items() -> list[NewsItem]:
    return load_sample_items()


@pytest.fixture(scope="module")
def raw() -> list[dict[str, object]]:
    resource = importlib.resources.files("composer.data").joinpath("sample_library.json")
    data = json.loads(resource.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


def test_enough_items_over_three_months_and_several_categories(items: list[NewsItem]) -> None:
    assert len(items) >= 40
    months = {item.month for item in items}
    assert len(months) >= 3 and months == MONTHS
    for month in MONTHS:
        assert sum(item.month == month for item in items) >= 14, month
    categories = {item.category for item in items}
    assert len(categories) >= 4
    assert {"In Focus", "Project News", "Press Release", "Expert Voice", "Event"} <= categories


def test_every_entry_is_valid_and_already_clean(raw: list[dict[str, object]]) -> None:
    for number, entry in enumerate(raw, start=1):
        assert set(entry) == set(FIELDS) - {"id", "created", "updated"}, number
        item = make_item(entry)  # raises on a bad entry
        # the file is written clean: validation changes nothing a reader would see
        shown = item.to_dict()
        for field in ("category", "title", "date", "summary", "url", "image_url", "image_alt"):
            assert shown[field] == entry[field], (number, field)
        assert shown["tags"] == entry["tags"], number


def test_loaded_items_match_the_file(items: list[NewsItem], raw: list[dict[str, object]]) -> None:
    assert [item.title for item in items] == [entry["title"] for entry in raw]
    assert all(item.source == SAMPLE_SOURCE for item in items)


def test_ids_are_unique(items: list[NewsItem]) -> None:
    ids = [item.id for item in items]
    assert len(set(ids)) == len(ids)
    assert len({item.title_key for item in items}) == len(items)


def test_urls_are_https_on_the_reserved_example_site(items: list[NewsItem]) -> None:
    for item in items:
        for url in (item.url, item.image_url):
            if url is None:
                continue
            parts = urlsplit(url)
            assert parts.scheme == "https" and parts.hostname == "northwind.example", url
        assert item.url is not None and item.url.startswith("https://northwind.example/news/")
    with_image = [item for item in items if item.image_url]
    assert len(items) // 5 <= len(with_image) <= len(items) // 2
    for item in items:
        assert bool(item.image_url) == bool(item.image_alt), item.title


def test_dates_fall_within_the_three_months(items: list[NewsItem]) -> None:
    for item in items:
        assert dt.date(2026, 8, 1) <= item.date <= dt.date(2026, 10, 31), item.title


def test_texts_have_the_intended_shape(items: list[NewsItem]) -> None:
    for item in items:
        assert 40 <= len(item.title) <= 110, item.title
        assert 200 <= len(item.summary) <= 700, item.title
        assert 1 <= item.summary.count("\n\n") + 1 <= 3, item.title
        assert 1 <= len(item.tags) <= 3 and all(re.fullmatch(r"[a-z]+", t) for t in item.tags)


def test_no_text_is_shared_with_the_fixture_listing(items: list[NewsItem]) -> None:
    fixture_runs = _runs(_words(LISTING.read_text(encoding="utf-8")))
    assert len(fixture_runs) > 1000  # the fixture was read and has real text
    for item in items:
        shared = _runs(_words(f"{item.title}\n{item.summary}")) & fixture_runs
        assert not shared, (item.title, sorted(shared)[:1])
