"""The news item: validation with clear messages, stable ids, dates as people write them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.errors import ValidationError
from composer.library.dates import looks_like_date, parse_date
from composer.library.item import ID_PATTERN, NewsItem, derive_id, item_from_stored, make_item
from composer.library.search import ItemFilter, SearchIndex, parse_month
from composer.urls import canonical_url

BASE = {"title": "Planners compare flood maps", "date": "2022-12-21", "category": "Project News"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31 January 2023", dt.date(2023, 1, 31)),
        ("09 January 2023", dt.date(2023, 1, 9)),
        ("January 31, 2023", dt.date(2023, 1, 31)),
        ("Jan. 5, 2023", dt.date(2023, 1, 5)),
        ("2023-01-31", dt.date(2023, 1, 31)),
        ("2023-01-31T08:30:00+01:00", dt.date(2023, 1, 31)),
        ("Tuesday, 31 January 2023", dt.date(2023, 1, 31)),
        ("31.01.2023", dt.date(2023, 1, 31)),
        ("5th March 2023", dt.date(2023, 3, 5)),
        ("31 janvier 2023", dt.date(2023, 1, 31)),
        ("31. Januar 2023", dt.date(2023, 1, 31)),
        ("31 мая 2023", dt.date(2023, 5, 31)),
        ("\u00a031\u00a0January 2023 ", dt.date(2023, 1, 31)),
    ],
)
def test_dates_people_write_are_read(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected
    assert looks_like_date(text)


@pytest.mark.parametrize("text", ["Project News", "01/02/2023", "In 2023 we met", "", "2023"])
def test_text_that_is_not_a_date_is_refused_with_advice(text: str) -> None:
    assert not looks_like_date(text)
    with pytest.raises(ValidationError, match="date"):
        parse_date(text)


def test_an_impossible_date_has_the_shape_of_a_date_but_is_refused() -> None:
    assert looks_like_date("30 February 2023")
    with pytest.raises(ValidationError, match="'30 February 2023' is not a real date"):
        parse_date("30 February 2023")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": "   "}, "title: is empty"),
        ({"title": None}, "title: is empty"),
        ({"date": "2023-02-29"}, "date: '2023-02-29' is not a real date"),
        ({"date": None}, "date: is missing"),
        ({"url": "javascript:alert(1)"}, "must start with http:// or https://"),
        ({"url": "ftp://example.org/x"}, "must start with http:// or https://"),
        ({"url": "https://"}, "no valid host"),
        ({"image_url": "data:image/png;base64,AAAA"}, "image_url: .* must start with http"),
        ({"title": "x" * 301}, "title: is 301 characters long; the limit is 300"),
        ({"tags": 5}, "tags: must be a list"),
        ({"category": ""}, "category: is empty"),
    ],
)
def test_validation_names_the_field_and_the_problem(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make_item({**BASE, **change})


def test_default_category_fills_a_missing_one() -> None:
    assert make_item({**BASE, "category": ""}, default_category="News").category == "News"


def test_text_is_cleaned_not_mangled() -> None:
    item = make_item(
        {
            **BASE,
            "title": "  Kürnavia\u00a0and  OCRC \x07sign ",
            "summary": "First  para.\r\n\r\n\r\nSecond\u00a0para.\n",
            "tags": "borders, Borders; research",
        }
    )
    assert item.title == "Kürnavia and OCRC sign"
    assert item.summary == "First para.\n\nSecond para."
    assert item.tags == ("borders", "research")


def test_ids_are_stable_and_come_from_the_canonical_url() -> None:
    a = make_item({**BASE, "url": "https://www.example.org/news/floods/?utm_source=mail#top"})
    b = make_item({**BASE, "title": "Other words", "url": "http://example.org/news/floods"})
    assert a.id == b.id and a.id.startswith("u-")
    assert canonical_url("https://Example.org:443/a/?b=2&a=1&fbclid=x") == (
        "https://example.org/a?a=1&b=2"
    )


def test_ids_without_url_come_from_normalised_title_and_date() -> None:
    a = make_item(BASE)
    b = make_item({**BASE, "title": "  PLANNERS compare   flood maps!"})
    c = make_item({**BASE, "date": "2022-12-22"})
    assert a.id == b.id != c.id
    assert a.id.startswith("t-") and ID_PATTERN.match(a.id)


def test_a_well_formed_given_id_is_kept_so_exports_round_trip() -> None:
    original = make_item({**BASE, "url": "https://example.org/x"})
    copy = make_item(original.to_dict())
    assert copy == original
    assert item_from_stored(original.to_dict()) == original


def test_editing_keeps_the_id_and_created_time() -> None:
    original = make_item({**BASE, "url": "https://example.org/x", "created": "2023-01-01T00:00:00"})
    edited = original.edited(title="Renamed", url="https://example.org/y")
    assert edited.id == original.id and edited.created == original.created
    assert edited.title == "Renamed" and edited.updated >= original.updated
    with pytest.raises(ValidationError):
        original.edited(title="")


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*BASE, "url", "tags", "summary"]), st.text()))
def test_make_item_accepts_or_explains_any_text(fields: dict[str, str]) -> None:
    try:
        item = make_item(fields)
    except ValidationError as exc:
        assert exc.field in fields or exc.field in ("title", "date", "category")
    else:
        assert isinstance(item, NewsItem) and item.title
        assert item.id == derive_id(item.url, item.title, item.date)


def test_search_matches_all_words_in_title_summary_or_tags() -> None:
    items = [
        make_item({**BASE, "summary": "Vostrana planners met", "tags": ["reception"]}),
        make_item(
            {**BASE, "title": "Homecoming awards", "date": "2023-01-18", "category": "In Focus"}
        ),
    ]
    index = SearchIndex(items)
    assert index.filter(ItemFilter(text="vostrana RECEPTION")) == [items[0]]
    assert index.filter(ItemFilter(text="vostrana awards")) == []
    assert index.filter(ItemFilter(category="in focus")) == [items[1]]
    assert index.filter(ItemFilter(month="2023-01")) == [items[1]]
    assert index.filter(ItemFilter(date_to=dt.date(2022, 12, 31))) == [items[0]]
    assert index.filter(ItemFilter()) == items


@pytest.mark.parametrize("text", ["2023-13", "23-01", "January", "2023-1-1"])
def test_a_month_must_be_written_yyyy_mm(text: str) -> None:
    with pytest.raises(ValidationError, match="YYYY-MM"):
        parse_month(text)
