"""Listing stories are never folded into one another, dropped or given a made-up date.

A story whose date line is missing or unreadable ("2 days ago", "5 avril") is a
rejection naming it; a second "updated" date line, a weekday ("Mi,") or a date
label ("Veröffentlicht am") belongs to the story's date line; a two-paragraph
teaser above the date keeps its title.
"""

from __future__ import annotations

import pytest

from composer.library.importers.listing import parse_listing


def _read(text: str, **options: str) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    report = parse_listing(text, source="paste", **options)
    items = [(i.title, i.date.isoformat(), i.category, i.summary) for i in report.items]
    return items, [str(rejection) for rejection in report.rejected]


# -- a story with no date line ------------------------------------------------------------
def test_an_undated_story_between_two_stories_is_a_rejection_naming_its_title() -> None:
    text = (
        "Latest\n\n"
        "Orchard harvest festival returns\n7 October 2025\nApple pressing for all ages.\n\n"
        "Choir wins regional contest\nOur singers beat eleven other choirs.\n\n"
        "Library adds evening hours\n1 October 2025\nThe library stays open until nine.\n"
    )
    items, rejected = _read(text)
    assert [(title, summary) for title, _, _, summary in items] == [
        ("Orchard harvest festival returns", "Apple pressing for all ages."),
        ("Library adds evening hours", "The library stays open until nine."),
    ]
    assert len(rejected) == 1
    assert rejected[0].startswith("line 7: 'Choir wins regional contest' has no date (")
    assert "'Orchard harvest festival returns'" in rejected[0]


def test_an_undated_story_in_a_date_title_listing_is_a_rejection() -> None:
    text = (
        "9 June 2025\nCanal towpath resurfaced\nWalkers can use the full length again.\n\n"
        "Allotment waiting list reopens\nApply at the town hall.\n\n"
        "2 June 2025\nNew recycling bins delivered\nEvery house gets a food caddy.\n\n"
        "28 May 2025\nSummer play scheme\nBookings open next week.\n"
    )
    items, rejected = _read(text)
    assert [title for title, *_ in items] == [
        "Canal towpath resurfaced",
        "New recycling bins delivered",
        "Summer play scheme",
    ]
    assert items[0][3] == "Walkers can use the full length again."
    assert len(rejected) == 1
    assert rejected[0].startswith("line 5: 'Allotment waiting list reopens' has no date")


def test_subheadings_of_stories_of_several_paragraphs_are_not_stories() -> None:
    text = (
        "Trust publishes its yearly accounts\n4 April 2025\nIncome rose by a tenth.\n\n"
        "Where the money went\nMost of it paid for the new visitor centre.\n\n"
        "Looking ahead\nA second centre is planned for the coast.\n\n"
        "Volunteer awards evening\n20 March 2025\nForty volunteers were thanked.\n\n"
        "The winners\nThe award went to the river wardens.\n"
    )
    items, rejected = _read(text)
    assert rejected == []
    assert [title for title, *_ in items] == [
        "Trust publishes its yearly accounts",
        "Volunteer awards evening",
    ]
    assert "Where the money went" in items[0][3] and "Looking ahead" in items[0][3]


# -- a date line we cannot read -----------------------------------------------------------
@pytest.mark.parametrize(
    ("stamp", "why"),
    [
        ("3 days ago", "a relative date"),
        ("vor 3 Tagen", "a relative date"),
        ("hace 2 días", "a relative date"),
        ("Posted yesterday", "a relative date"),
        ("Publié le 5 avril", "it has no year"),
        ("April 5th", "it has no year"),
        ("Mi, 5. März", "it has no year"),
    ],
)
def test_a_relative_or_yearless_date_line_is_a_rejection_naming_it(stamp: str, why: str) -> None:
    text = (
        "Ferry timetable changes\n8 April 2025\nThe early boat now leaves at six.\n\n"
        f"Lifeboat open day\n{stamp}\nCome and see the new boat.\n\n"
        "Beach huts for hire\n1 April 2025\nBook them by the week.\n"
    )
    items, rejected = _read(text)
    assert [(title, summary) for title, _, _, summary in items] == [
        ("Ferry timetable changes", "The early boat now leaves at six."),
        ("Beach huts for hire", "Book them by the week."),
    ]
    assert rejected == [
        f"line 6: '{stamp}' is not a date we can read: give the full date of the story "
        f"'Lifeboat open day' ({why})"
    ]


def test_stories_without_blank_lines_and_a_relative_date_are_not_folded() -> None:
    text = (
        "Ferry timetable changes\n8 April 2025\nThe early boat now leaves at six.\n"
        "Lifeboat open day\n2 weeks ago\nCome and see the new boat.\n"
        "Beach huts for hire\n1 April 2025\nBook them by the week.\n"
    )
    items, rejected = _read(text)
    assert [summary for *_, summary in items] == [
        "The early boat now leaves at six.",
        "Book them by the week.",
    ]
    assert rejected[0].startswith("line 5: '2 weeks ago' is not a date we can read")


def test_a_relative_date_in_the_first_story_is_a_rejection_not_a_skipped_line() -> None:
    text = (
        "Café reopens on the square\n5 hours ago\nCoffee and cake from eight.\n\n"
        "Market moves indoors\n3 February 2025\nStalls are in the hall until spring.\n\n"
        "Road closed for resurfacing\n28 January 2025\nDiversions are signed.\n"
    )
    report = parse_listing(text, source="paste")
    assert [item.title for item in report.items] == [
        "Market moves indoors",
        "Road closed for resurfacing",
    ]
    assert [str(r) for r in report.rejected] == [
        "line 2: '5 hours ago' is not a date we can read: give the full date of the story "
        "'Café reopens on the square' (a relative date)"
    ]
    assert report.warnings == []


def test_a_relative_date_in_a_title_teaser_date_listing_ends_the_story_before_it() -> None:
    text = (
        "Hedgehog hospital opens\nIt can treat twenty animals.\n12 May 2025\n\n"
        "Swift boxes go up\nThe church tower has forty boxes.\nyesterday\n\n"
        "Bat walk in the park\nBring a torch and warm clothes.\n2 May 2025\n\n"
        "Pond dipping for families\nNets are provided.\n25 April 2025\n"
    )
    items, rejected = _read(text)
    assert [(title, summary) for title, _, _, summary in items] == [
        ("Hedgehog hospital opens", "It can treat twenty animals."),
        ("Bat walk in the park", "Bring a torch and warm clothes."),
        ("Pond dipping for families", "Nets are provided."),
    ]
    assert rejected == [
        "line 7: 'yesterday' is not a date we can read: give the full date of the story "
        "'Swift boxes go up' (a relative date)"
    ]


# -- weekdays and date labels -------------------------------------------------------------
def test_two_letter_weekday_stamps_are_date_lines_and_never_categories() -> None:
    text = (
        "Schwimmbad öffnet früher\nMi, 06.03.2024 - 08:30\nAb Montag um sechs Uhr.\n\n"
        "Neue Buslinie\nFr. 01.03.2024\nDie Linie 7 fährt bis zum Bahnhof.\n"
    )
    items, rejected = _read(text)
    assert rejected == []
    assert items == [
        ("Schwimmbad öffnet früher", "2024-03-06", "News", "Ab Montag um sechs Uhr."),
        ("Neue Buslinie", "2024-03-01", "News", "Die Linie 7 fährt bis zum Bahnhof."),
    ]


def test_a_story_after_an_ambiguous_date_is_neither_lost_nor_folded() -> None:
    text = (
        "Tree planting day\nMis à jour le 04/03/2024 à 09h30\nThanks to every helper.\n\n"
        "Town hall repainted\nDo, 14.03.2024 - 11:00\nThe scaffolding comes down soon.\n\n"
        "Cycle lane finished\n21 March 2024\nIt runs to the station.\n"
    )
    items, rejected = _read(text)
    assert [title for title, *_ in items] == ["Town hall repainted", "Cycle lane finished"]
    assert len(rejected) == 1 and rejected[0].startswith("line 2: date '04/03/2024'")
    items, rejected = _read(text, date_order="dmy")
    assert rejected == []
    assert [(title, date, summary) for title, date, _, summary in items] == [
        ("Tree planting day", "2024-03-04", "Thanks to every helper."),
        ("Town hall repainted", "2024-03-14", "The scaffolding comes down soon."),
        ("Cycle lane finished", "2024-03-21", "It runs to the station."),
    ]


@pytest.mark.parametrize(
    "label",
    [
        "Published on",
        "Publié le",
        "Veröffentlicht am",
        "Publicado el",
        "Pubblicato il",
        "نشر في:",
        "Veröffentlicht:",
        "Opublikowano:",
    ],
)
def test_date_labels_are_never_categories(label: str) -> None:
    text = (
        f"Harbour festival announced\n{label} 14 May 2025\nThree days of music.\n\n"
        f"Sailing school opens\n{label} 2 May 2025\nLessons for all ages.\n"
    )
    items, rejected = _read(text, default_category="Town")
    assert rejected == []
    assert [(title, date, category) for title, date, category, _ in items] == [
        ("Harbour festival announced", "2025-05-14", "Town"),
        ("Sailing school opens", "2025-05-02", "Town"),
    ]


def test_a_date_label_beside_a_category_in_a_stamp_leaves_the_category() -> None:
    text = (
        "Harbour festival announced\nEvents | Publié le 14 mai 2025\nThree days of music.\n\n"
        "Sailing school opens\nSport | Publié le 2 mai 2025\nLessons for all ages.\n"
    )
    items, _ = _read(text)
    assert [category for _, _, category, _ in items] == ["Events", "Sport"]


# -- a second, "updated" date line ---------------------------------------------------------
@pytest.mark.parametrize(
    ("published", "updated"),
    [
        ("Publié le 2 juin 2025 par Paul Martin", "Mis à jour le 4 juin 2025"),
        ("Posted 2 June 2025 by Ann Lee", "Updated: 4 June 2025"),
        ("Veröffentlicht am 02.06.2025 von Redaktion", "Aktualisiert am 04.06.2025"),
        ("Publicado el 2 de junio de 2025", "Actualizado el 4 de junio de 2025"),
        ("2 June 2025", "Last modified 4 June 2025"),
    ],
)
def test_an_updated_stamp_after_the_date_line_is_part_of_the_story(
    published: str, updated: str
) -> None:
    blocks = [
        f"Story {name} of the week\n{published}\n{updated}\nThe {name} text, in full.\n"
        for name in ("first", "second", "third")
    ]
    items, rejected = _read("\n".join(blocks))
    assert rejected == []
    assert [(title, date, summary) for title, date, _, summary in items] == [
        (f"Story {name} of the week", "2025-06-02", f"The {name} text, in full.")
        for name in ("first", "second", "third")
    ]


def test_an_updated_date_line_that_is_the_only_one_is_the_story_date() -> None:
    text = (
        "Well dressing weekend\nMis à jour le 9 juin 2025\nThe wells are decorated.\n\n"
        "Village show results\n1 June 2025\nThe biggest marrow won again.\n"
    )
    items, rejected = _read(text)
    assert rejected == []
    assert [(title, date) for title, date, *_ in items] == [
        ("Well dressing weekend", "2025-06-09"),
        ("Village show results", "2025-06-01"),
    ]


# -- title, teaser of two paragraphs, date -------------------------------------------------
@pytest.mark.parametrize("heading", ["", "What's new\n\n"])
def test_a_teaser_of_two_paragraphs_above_the_date_keeps_its_title(heading: str) -> None:
    text = (
        f"{heading}Dental surgery takes new patients\n"
        "Families can register online from Monday.\n\n"
        "The practice has hired two more dentists.\n12 February 2025\n\n"
        "Pharmacy opens on Sundays\nThe pharmacy on Mill Lane now opens on Sundays.\n"
        "3 February 2025\n\n"
        "Blood donation session\nNo appointment is needed.\n27 January 2025\n"
    )
    report = parse_listing(text, source="paste")
    assert report.layout == "title-teaser-date"
    assert [item.title for item in report.items] == [
        "Dental surgery takes new patients",
        "Pharmacy opens on Sundays",
        "Blood donation session",
    ]
    assert report.items[0].summary == (
        "Families can register online from Monday.\n\nThe practice has hired two more dentists."
    )
    assert report.rejected == []
    assert report.warnings == ([] if not heading else ["line 1 before the first story was skipped"])


# -- messages -----------------------------------------------------------------------------
def test_an_ambiguous_slash_date_names_the_date_order_option_and_the_preview() -> None:
    _, rejected = _read("News\nBand night\n05/06/2025\nTickets at the door.\n")
    assert rejected == [
        "line 3: date '05/06/2025' could be day/month or month/day, and no date in this "
        "listing shows which (a day over 12); give the date order with --date-order dmy|mdy, "
        "or choose the date order in the import preview"
    ]


def test_two_letters_ending_a_title_before_its_date_are_the_title_s() -> None:
    text = (
        "Die Stadt schafft neue Parkbänke an, 04.09.2019\n"
        "Der Tourismus zieht wieder an, 12.08.2019\n"
        "Das Bürgerbüro öffnet samstags, 01.08.2019\n"
    )
    items, rejected = _read(text)
    assert rejected == []
    assert [(title, date) for title, date, *_ in items] == [
        ("Die Stadt schafft neue Parkbänke an", "2019-09-04"),
        ("Der Tourismus zieht wieder an", "2019-08-12"),
        ("Das Bürgerbüro öffnet samstags", "2019-08-01"),
    ]
