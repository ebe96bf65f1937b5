"""Dates in every language CLDR knows, dates inside lines, and the shipped table of names."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from composer.library.date_names import (
    TABLE_NAME,
    build_short_weekdays,
    build_table,
    month_names,
    short_weekday_names,
)
from composer.library.dates import (
    find_date,
    find_dates,
    looks_like_date,
    parse_date,
    slash_order,
    vague_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("٢٢ يناير ٢٠٢٥", dt.date(2025, 1, 22)),  # Arabic-Indic digits
        ("۱۴ فوریه ۲۰۲۴", dt.date(2024, 2, 14)),  # Extended Arabic-Indic (Persian) digits
        ("الأحد، ٧ يونيو ٢٠٢٤", dt.date(2024, 6, 7)),  # weekday and Arabic comma
        ("7 كانون الثاني 2024", dt.date(2024, 1, 7)),  # a month name of two words
        ("24 de febrero de 2022", dt.date(2022, 2, 24)),
        ("5 de junho de 2023", dt.date(2023, 6, 5)),
        ("1er mars 2024", dt.date(2024, 3, 1)),
        ("mardi 31 janvier 2023", dt.date(2023, 1, 31)),
        ("31 січня 2023", dt.date(2023, 1, 31)),
        ("12 Ekim 2023", dt.date(2023, 10, 12)),
        ("3 października 2022", dt.date(2022, 10, 3)),
        ("2023. január 31.", dt.date(2023, 1, 31)),
        ("2023年1月31日", dt.date(2023, 1, 31)),
        ("2023년 1월 31일", dt.date(2023, 1, 31)),
        ("15 สิงหาคม 2023", dt.date(2023, 8, 15)),
        ("2013/9/13 0:00", dt.date(2013, 9, 13)),
        ("2023-01-31 10:00:00", dt.date(2023, 1, 31)),
    ],
)
def test_dates_in_many_languages_are_read(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected
    assert looks_like_date(text)


@pytest.mark.parametrize(
    "text",
    ["May", "Juni", "mar", "5 de 2020", "the 5th", "May 2023", "1 / 5", "Video 2023", "03/04/2023"],
)
def test_words_and_numbers_that_are_no_date(text: str) -> None:
    assert not looks_like_date(text)


@pytest.mark.parametrize(
    ("line", "found", "parts"),
    [
        ("Publication date: 3 March 2024", "3 March 2024", (2024, 3, 3)),
        ("Rencontre régionale 4 juin 2019 Lyon", "4 juin 2019", (2019, 6, 4)),
        ("05.11.2018 Neue Beratungsstelle eröffnet", "05.11.2018", (2018, 11, 5)),
        ("Last updated on Oct 10, 2022 10 min read news", "Oct 10, 2022", (2022, 10, 10)),
        ("Helpdesk | 14 Mar 2021", "14 Mar 2021", (2021, 3, 14)),
    ],
)
def test_a_date_is_found_anywhere_in_a_line(line: str, found: str, parts: tuple[int, ...]) -> None:
    date = find_date(line)
    assert date is not None
    assert (date.text, date.parts()) == (found, parts)
    assert line[date.start : date.end] == found


def test_slash_dates_are_found_but_their_order_comes_from_the_whole_source() -> None:
    (date,) = find_dates("Agency - News - Ven, 03/17/2017 - 10:33")
    assert date.is_slash and date.parts() is None
    assert date.parts("mdy") == (2017, 3, 17)
    assert date.date("dmy") is None  # month 17
    assert slash_order(find_dates("03/17/2017")) == "mdy"
    assert slash_order(find_dates("17/03/2017")) == "dmy"
    assert slash_order(find_dates("03/04/2017")) is None
    assert slash_order([*find_dates("17/03/2017"), *find_dates("03/17/2017")]) is None
    with pytest.raises(Exception, match="not a date we can read"):
        parse_date("03/04/2017")


def test_an_impossible_date_is_found_but_is_not_a_date() -> None:
    date = find_date("Board meeting 30 February 2023")
    assert date is not None and date.date() is None
    with pytest.raises(Exception, match="'2023-02-30' is not a real date"):
        parse_date("2023-02-30")


def test_the_shipped_table_matches_babel() -> None:
    shipped = json.loads(
        resources.files("composer.data").joinpath(TABLE_NAME).read_text(encoding="utf-8")
    )
    assert shipped == build_table(), "run: python -m composer.library.date_names"


def test_the_table_reads_every_language_but_not_two_letter_words() -> None:
    names = month_names()
    assert names["يونيو"] == 6
    assert names["janvier"] == 1 and names["januar"] == 1 and names["junio"] == 6
    assert "de" not in names and "on" not in names
    assert len(names) > 3000


def test_the_shipped_two_letter_weekdays_match_babel() -> None:
    assert short_weekday_names() == build_short_weekdays(), "update SHORT_WEEKDAYS"
    assert {"di", "mo", "we", "vr", "lu"} <= short_weekday_names()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mi, 06.03.2024", dt.date(2024, 3, 6)),
        ("Fr. 15.03.2024 - 09:00", dt.date(2024, 3, 15)),
        ("wo. 6 maart 2024", dt.date(2024, 3, 6)),
        ("Tu, 5 March 2024", dt.date(2024, 3, 5)),
    ],
)
def test_a_two_letter_weekday_written_as_an_abbreviation_goes_with_the_date(
    text: str, expected: dt.date
) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["EU, 06.03.2024", "de 06.03.2024", "Mi 06.03.2024 Mi"])
def test_two_letters_that_are_no_weekday_abbreviation_are_not_part_of_a_date(text: str) -> None:
    assert not looks_like_date(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2 days ago", "relative"),
        ("an hour ago", "relative"),
        ("il y a 3 jours", "relative"),
        ("vor 2 Wochen", "relative"),
        ("hace 5 minutos", "relative"),
        ("3 giorni fa", "relative"),
        ("2 dagen geleden", "relative"),
        ("Gestern", "relative"),
        ("aujourd'hui", "relative"),
        ("3 mars", "no year"),
        ("March 3rd", "no year"),
        ("Mar. 3", "no year"),
        ("4. Mai", "no year"),
        ("5 de abril", "no year"),
        ("Tuesday, 5 March", "no year"),
        ("Di, 5. März 10:00", "no year"),
    ],
)
def test_a_date_without_a_year_or_a_relative_one_is_vague(text: str, why: str) -> None:
    assert vague_date(text) == why


@pytest.mark.parametrize(
    "text",
    ["3 March 2024", "Council approves", "3 comments", "Room 12", "Page 2 of 5", "the 5th", ""],
)
def test_full_dates_and_other_text_are_not_vague(text: str) -> None:
    assert vague_date(text) is None
