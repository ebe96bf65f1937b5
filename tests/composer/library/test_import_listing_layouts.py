"""Plain-text listings of every common layout, in several languages (issue #10, section 3).

Every input here is invented: organisations, stories and pages that do not exist,
written in the shapes that real listing pages give when copied in a browser.
"""

from __future__ import annotations

import pytest

from composer.errors import SourceError, ValidationError
from composer.library.importers import ReadOptions, import_text
from composer.library.importers.listing import LAYOUTS, parse_listing


def triples(report):
    return [(item.category, item.title, item.date.isoformat()) for item in report.items]


# -- title, then a labelled date line and label lines, no blank lines ---------------------
LABELLED = """Newsroom
Press releases of the Northern Rivers Council.
Council opens a new ferry landing in Eastport
Publication date: 22 January 2025
Content type: News
Where we are: Eastport District Office
The new landing serves two ferry lines and replaces the wooden pier built in 1961.
Council and university sign a water research agreement
Publication date: 17 January 2025
Content type: Press release
Where we are: Council Secretariat
What we do: Water, Environment
WESTBURY, 17 January 2025 – The council signed a five-year agreement with the university.
Youth forum elects its board
Publication date: 9 January 2025
Content type: News
"""


def test_title_above_a_labelled_date_line_with_a_content_type():
    report = import_text(LABELLED)
    assert report.layout == "title-date"
    assert triples(report) == [
        ("News", "Council opens a new ferry landing in Eastport", "2025-01-22"),
        ("Press release", "Council and university sign a water research agreement", "2025-01-17"),
        ("News", "Youth forum elects its board", "2025-01-09"),
    ]
    first, second, third = report.items
    # Label lines are neither text nor titles; the teaser's own dateline stays text.
    assert first.summary == (
        "The new landing serves two ferry lines and replaces the wooden pier built in 1961."
    )
    assert second.summary.startswith("WESTBURY, 17 January 2025 – The council signed")
    assert third.summary == ""
    assert report.warnings == ["lines 1-2 before the first story were skipped"]
    assert report.rejected == []


# -- category line, date line, title (Spanish), "Leer más", carousel counters -------------
CATEGORY_DATE_TITLE = """Novedades
Video
05 junio 2023
Mensaje de la directora de la Fundación Río Claro por el Día del Agua
Leer más
Historia
02 junio 2023
Voluntarios de la Fundación Río Claro limpian la ribera del río Seco
Leer más
Novedades
Comunicado de prensa
24 febrero 2023
La fundación abre su tercera oficina regional en Valle Alto
La oficina atenderá a más de cuarenta comunidades de la región.
1 / 5

Discurso
20 febrero 2023
Palabras de la presidenta en la asamblea anual de socios
Leer más
Novedades
Nuestros objetivos para 2030
La fundación trabaja para que cada comunidad tenga agua limpia y segura.
Historia
08 febrero 2023
Nueva planta potabilizadora en San Telmo
"""


def test_category_line_above_the_date_and_title_below_in_spanish():
    report = import_text(CATEGORY_DATE_TITLE)
    assert report.layout == "date-title"
    assert report.layouts[0] == "date-title"
    assert set(report.layouts) >= {"title-date", "date-title"}
    assert triples(report) == [
        (
            "Video",
            "Mensaje de la directora de la Fundación Río Claro por el Día del Agua",
            "2023-06-05",
        ),
        (
            "Historia",
            "Voluntarios de la Fundación Río Claro limpian la ribera del río Seco",
            "2023-06-02",
        ),
        (
            "Comunicado de prensa",
            "La fundación abre su tercera oficina regional en Valle Alto",
            "2023-02-24",
        ),
        ("Discurso", "Palabras de la presidenta en la asamblea anual de socios", "2023-02-20"),
        ("Historia", "Nueva planta potabilizadora en San Telmo", "2023-02-08"),
    ]
    office = report.items[2]
    assert office.summary == "La oficina atenderá a más de cuarenta comunidades de la región."
    speech = report.items[3]
    assert speech.summary == ""  # the undated block after its "Leer más" is not its text
    # ... and it is not silently dropped either: the warning names its lines.
    assert any(
        "lines 22-23 after the 'Read more' line of 'Palabras de la presidenta" in warning
        for warning in report.warnings
    ), report.warnings


# -- the date line holds the title (German), "Mehr: ..." lines ---------------------------
DATE_IN_TITLE_LINE = """Kurzmeldungen

Aktuelles aus dem Landesverband Nordheide

05.11.2018 Neue Beratungsstelle in Kleinfeld eröffnet

Kleinfeld: Die Beratungsstelle hat seit Montag geöffnet. Im Jahr 2017 kamen etwa 4.000 Ratsuchende.

Mehr: Externer Link: Zum Artikel im Kreisblatt (Öffnet neues Fenster) …

02.11.2018 "Wir bleiben vor Ort"

Nordheide: Die Vorsitzende sprach am 1.11. über die Zukunft der Beratung.

Mehr: Externer Link: Interview (Öffnet neues Fenster) …

30.10.2018 Jahresbericht 2017 erschienen

Der Bericht fasst die Arbeit der Beratungsstellen zusammen.
"""


def test_date_and_title_on_one_line_in_german():
    report = import_text(DATE_IN_TITLE_LINE, default_category="Meldungen")
    assert report.layout == "date-in-title-line"
    assert triples(report) == [
        ("Meldungen", "Neue Beratungsstelle in Kleinfeld eröffnet", "2018-11-05"),
        ("Meldungen", '"Wir bleiben vor Ort"', "2018-11-02"),
        ("Meldungen", "Jahresbericht 2017 erschienen", "2018-10-30"),
    ]
    assert report.items[0].summary.startswith("Kleinfeld: Die Beratungsstelle")
    assert "Mehr" not in report.items[0].summary
    assert report.rejected == []


# -- title, teaser, author, then the date with reading time and a type --------------------
TITLE_TEASER_DATE = """Home
Blog
Posts

Field Notes 12

The twelfth edition of our field notes, with reports from three survey teams.

Harbour Survey Team
Oct 30, 2025 1 min read newsletter

Tide gauge network completed

All twelve gauges now report every ten minutes.

Harbour Survey Team
Last updated on Oct 10, 2025 10 min read news

Field Notes 11

The eleventh edition of our field notes.

Harbour Survey Team
Sep 4, 2025 15 min read newsletter

©2026
"""


def test_title_and_teaser_before_the_date_with_a_type_after_the_reading_time():
    report = import_text(TITLE_TEASER_DATE)
    assert report.layout == "title-teaser-date"
    assert triples(report) == [
        ("newsletter", "Field Notes 12", "2025-10-30"),
        ("news", "Tide gauge network completed", "2025-10-10"),
        ("newsletter", "Field Notes 11", "2025-09-04"),
    ]
    # The author line met in every story is page furniture, not the teaser.
    assert report.items[1].summary == "All twelve gauges now report every ten minutes."


# -- CMS stamp "date | department", image names above, a title that holds a date ----------
STAMPS = """Skip to content
News

harbour-photo
November 7, 2016 | Office of the Mayor
Polling places open early on Tuesday
Polls open at 7:00 a.m. on Tuesday, November 8, 2016.

bus-depot
November 7, 2016 | Transit Office, Office of the Mayor
Bus drivers and the city agree on a new contract
Service resumes on all lines from Monday.

November 6, 2016 | Transit Office
Weekly roundup: November 6, 2016
Road works, ferry times and events of the week.

October 21, 2016 | Office of Education
Enrolment opens for free pre-school
"""


def test_stamps_name_the_category_and_a_title_with_a_date_stays_a_title():
    report = import_text(STAMPS)
    assert report.layout == "date-title"
    assert triples(report) == [
        ("Office of the Mayor", "Polling places open early on Tuesday", "2016-11-07"),
        ("Transit Office", "Bus drivers and the city agree on a new contract", "2016-11-07"),
        ("Transit Office", "Weekly roundup: November 6, 2016", "2016-11-06"),
        ("Office of Education", "Enrolment opens for free pre-school", "2016-10-21"),
    ]
    assert report.items[0].summary == "Polls open at 7:00 a.m. on Tuesday, November 8, 2016."


# -- title, then "date + type" with "Issues:" label blocks ----------------------------------
DATE_AND_TYPE = """Press Releases

Senator Vale Calls for Rural Broadband Funding

Apr 14, 2015 Press Release

Washington, DC [4/14/15] – Senator Vale asked for new funding for rural broadband.

Issues:
Economy, Technology

Vale Honoured for Clean Water Work

Apr 10, 2015 Press Release

Issues:
Environment

Vale Announces Student Art Contest

Mar 24, 2015 Press Release

Winning works hang for one year in the Capitol.
"""


def test_a_type_after_the_date_is_the_category_and_label_blocks_are_no_text():
    report = import_text(DATE_AND_TYPE)
    assert report.layout == "title-date"
    assert triples(report) == [
        ("Press Release", "Senator Vale Calls for Rural Broadband Funding", "2015-04-14"),
        ("Press Release", "Vale Honoured for Clean Water Work", "2015-04-10"),
        ("Press Release", "Vale Announces Student Art Contest", "2015-03-24"),
    ]
    assert report.items[0].summary.startswith("Washington, DC [4/14/15]")
    assert "Economy" not in report.items[0].summary
    assert report.items[1].summary == ""


# -- Arabic with Arabic-Indic digits and a reading time beside the date -----------------------
ARABIC = """الأخبار

التسجيل مفتوح: دورة البرمجة الصيفية للشباب

٧ يونيو ٢٠٢٤·٢ من الدقائق

إطلاق المكتبة الرقمية للجمعية

٢٧ مارس ٢٠٢٤·دقيقة واحدة

ورشة عمل حول الطاقة الشمسية

2 يناير 2024·3 من الدقائق
"""


def test_arabic_listing_with_arabic_indic_digits():
    report = import_text(ARABIC, default_category="أخبار")
    assert report.layout == "title-date"
    assert triples(report) == [
        ("أخبار", "التسجيل مفتوح: دورة البرمجة الصيفية للشباب", "2024-06-07"),
        ("أخبار", "إطلاق المكتبة الرقمية للجمعية", "2024-03-27"),
        ("أخبار", "ورشة عمل حول الطاقة الشمسية", "2024-01-02"),
    ]


# -- a date inside a short line (French), and the dateline of a teaser paragraph -------------
INNER_DATE = """Conseil des jeunes de Valmont
Réunion plénière 4 juin 2019 Lyon
Les jeunes élus ont voté le budget participatif.
Journée des associations
Forum annuel 18 mai 2019 Valmont
Plus de soixante associations ont présenté leurs activités.
"""

TEASER_DATELINE = (
    "18 May 2020\n\nVolunteers plant a thousand trees in Northfield\n\n"
    "Northfield, 15 May 2020 A group of two hundred volunteers planted trees along the river "
    "over the weekend, with the help of the parks service and the schools of the district, "
    "who brought their pupils [...]\n\n"
    "13 May 2020\n\nNew guide for community nurses\n\n"
    "Westbury, 12 May 2020 The association has published a guide for nurses working in village "
    "health posts, with checklists for home visits and advice on working with families [...]\n"
)


def test_a_date_inside_a_short_line_anchors_the_story():
    report = import_text(INNER_DATE)
    assert triples(report) == [
        ("News", "Conseil des jeunes de Valmont", "2019-06-04"),
        ("News", "Journée des associations", "2019-05-18"),
    ]


def test_a_date_inside_a_teaser_paragraph_is_not_a_date_line():
    report = import_text(TEASER_DATELINE)
    assert report.layout == "date-title"
    assert triples(report) == [
        ("News", "Volunteers plant a thousand trees in Northfield", "2020-05-18"),
        ("News", "New guide for community nurses", "2020-05-13"),
    ]
    assert report.items[0].summary.startswith("Northfield, 15 May 2020 A group")
    assert report.warnings == []


# -- CMS stamps with slash dates: read when the paste shows the order, else reported ----------
def _stamped(dates):
    return "".join(
        f"Story {n}\nHarbour Agency - News - Ven, {date} - 10:33\nText {n}.\n\n"
        for n, date in enumerate(dates, 1)
    )


def test_slash_dates_in_stamps_are_read_when_a_day_over_12_shows_the_order():
    report = import_text(_stamped(["03/17/2017", "03/04/2017"]))
    assert [item.date.isoformat() for item in report.items] == ["2017-03-17", "2017-03-04"]
    assert report.date_order == "mdy" and not report.date_order_needed
    assert [item.category for item in report.items] == ["News", "News"]

    report = import_text(_stamped(["17/03/2017", "03/04/2017"]))
    assert [item.date.isoformat() for item in report.items] == ["2017-03-17", "2017-04-03"]


def test_ambiguous_slash_dates_are_reported_never_guessed():
    report = import_text(_stamped(["03/04/2017", "05/06/2017"]))
    assert report.items == []
    assert report.date_order_needed
    assert [r.location for r in report.rejected] == ["line 2", "line 6"]
    assert "could be day/month or month/day" in report.rejected[0].reason


# -- nothing silently absorbed ---------------------------------------------------------------
def test_a_page_footer_after_the_last_story_is_skipped_with_a_warning():
    footer = "\n".join(f"Menu entry {n}" for n in range(12))
    text = (
        "News\nFirst story\n31 January 2023\nBody one.\n"
        "News\nSecond story\n30 January 2023\nBody two.\n" + footer + "\n"
    )
    report = import_text(text)
    assert [item.summary for item in report.items] == [
        "Body one.",
        "Body two.\n\nMenu entry 0\n\nMenu entry 1",
    ]
    assert report.warnings == ["lines 11-20 after the last story were skipped"]


def test_a_dated_line_kept_in_a_summary_is_pointed_out():
    text = (
        "13 May 2020\n\nFirst story\n\nText.\n\nBoard meeting 12 May 2020 Westbury\n\n"
        "5 May 2020\n\nSecond story\n\nMore text.\n\n4 May 2020\n\nThird story\n\nEnd.\n"
    )
    report = import_text(text)
    assert [item.title for item in report.items] == ["First story", "Second story", "Third story"]
    assert any(
        "line 7: 'Board meeting 12 May 2020 Westbury' holds a date" in w for w in report.warnings
    )


# -- choosing and forcing the layout ------------------------------------------------------------
def test_the_layout_can_be_forced_and_unknown_layouts_are_named():
    report = import_text(TEASER_DATELINE, options=ReadOptions(layout="title-date"))
    assert report.layout == "title-date"
    assert report.layouts[0] == "title-date"
    assert "date-title" in report.layouts
    with pytest.raises(ValidationError, match="'sideways' is not a layout; use one of title-date"):
        parse_listing(TEASER_DATELINE, source="x", layout="sideways")
    assert set(LAYOUTS) == {"title-date", "date-title", "date-in-title-line", "title-teaser-date"}


def test_the_fixture_layout_is_title_date_and_offers_the_others():
    report = import_text("News\nA story\n\n31 January 2023\n\nBody.\n")
    assert report.layout == "title-date"
    assert "date-in-title-line" not in report.layouts  # no date line holds a title


# -- a useful refusal ------------------------------------------------------------------------------
def test_a_refusal_points_at_the_lines_that_nearly_were_date_lines():
    text = (
        "Harbour news\nA new ferry line\nPublishing date: January 2025\nText.\n"
        "Another story\nPosted 22 January\nMore text.\n"
    )
    with pytest.raises(SourceError) as caught:
        import_text(text)
    message = str(caught.value)
    assert message.startswith("clipboard: has no date lines")
    assert (
        "line 3 looks like a date line, 'Publishing date: January 2025', but it has no day"
        in message
    )
    assert "line 6 looks like a date line, 'Posted 22 January', but it has no year" in message


def test_a_refusal_names_a_date_buried_in_a_paragraph():
    text = "Our news\n" + "Westbury, 15 May 2020 The association " + "met again " * 30 + "\n"
    with pytest.raises(
        SourceError, match="line 2 has a date, '15 May 2020', but inside a paragraph"
    ):
        import_text(text)


# -- what sits beside a date is no category: authors, clock times, comment counters ------------
def test_authors_times_and_comment_counters_are_not_categories():
    text = (
        "Spring volunteer day\nPosted on March 3, 2021 by admin\nWe planted trees.\nRead more\n"
        "Board elections\nPosted on February 20, 2021 at 9:30 am\n3 comments\nVote now.\n"
        "Annual report\nPosted on February 2, 2021 by Jane Roe\nNo comments\n"
    )
    report = import_text(text)
    assert triples(report) == [
        ("News", "Spring volunteer day", "2021-03-03"),
        ("News", "Board elections", "2021-02-20"),
        ("News", "Annual report", "2021-02-02"),
    ]
    assert report.items[1].summary == "Vote now."


def test_a_stamp_with_a_time_before_its_label_names_the_category():
    text = (
        "3 March 2021 · Events\nSpring volunteer day\nWe planted trees.\n\n"
        "2 February 2021 at 10:30 · Reports\nAnnual report\nThe report is out.\n"
    )
    assert triples(import_text(text)) == [
        ("Events", "Spring volunteer day", "2021-03-03"),
        ("Reports", "Annual report", "2021-02-02"),
    ]


def test_a_teaser_with_a_date_between_dashes_is_no_stamp():
    teaser = (
        "Marais du Pré – Côte-Verte – Acquisition le 24 février 2020 de 15 ha de prairies "
        "humides et de bois"
    )
    text = (
        f"14 mars 2020\n\nNouvelle acquisition\n\n{teaser}\n\n"
        "2 mars 2020\n\nChantier nature\n\nUn chantier avec les bénévoles.\n"
    )
    report = import_text(text)
    assert triples(report) == [
        ("News", "Nouvelle acquisition", "2020-03-14"),
        ("News", "Chantier nature", "2020-03-02"),
    ]
    assert report.items[0].summary == teaser


def test_drupal_submitted_by_lines_and_posted_in_a_category():
    drupal = (
        "Spring volunteer day\nSubmitted by Jane Roe on Wed, 03/17/2021 - 10:33\n"
        "We planted trees.\nBoard elections\nSubmitted by admin on Sat, 02/20/2021 - 09:00\n"
        "Vote now.\n"
    )
    report = import_text(drupal)
    assert triples(report) == [
        ("News", "Spring volunteer day", "2021-03-17"),
        ("News", "Board elections", "2021-02-20"),
    ]
    assert report.date_order == "mdy"
    wordpress = (
        "Spring volunteer day\nPosted on March 3, 2021 in Events by admin\nWe planted trees.\n"
        "Board elections\nPosted on February 20, 2021 in Governance by admin\nVote now.\n"
    )
    assert triples(import_text(wordpress)) == [
        ("Events", "Spring volunteer day", "2021-03-03"),
        ("Governance", "Board elections", "2021-02-20"),
    ]


def test_a_story_without_a_readable_date_folded_into_another_is_pointed_out():
    text = LABELLED.replace("Publication date: 17 January 2025", "Publication date: January 2025")
    report = import_text(text)
    assert [item.title for item in report.items] == [
        "Council opens a new ferry landing in Eastport",
        "Youth forum elects its board",
    ]
    assert any(
        "line 10: the story 'Council opens a new ferry landing in Eastport' (line 4) has a second "
        "'Content type: Press release'" in warning
        for warning in report.warnings
    ), report.warnings


def test_a_type_line_below_the_date_in_most_stories_is_the_category():
    text = (
        "Harbour opens a second ferry pier\n\n12 March 2024\nPress Release\n\n"
        "The pier opens in May.\n\n"
        "Ferry timetable for the summer\n\n1 March 2024\nNotice\n\nBoats run every hour.\n\n"
        "Meet the new harbour master\n\n20 February 2024\nInterview\n\n"
        "She has sailed for thirty years.\n"
    )
    report = import_text(text)
    assert report.layout == "title-date"
    assert triples(report) == [
        ("Press Release", "Harbour opens a second ferry pier", "2024-03-12"),
        ("Notice", "Ferry timetable for the summer", "2024-03-01"),
        ("Interview", "Meet the new harbour master", "2024-02-20"),
    ]
    assert report.items[0].summary == "The pier opens in May."


def test_a_teaser_sentence_that_starts_with_a_date_is_not_a_date_line():
    text = (
        "05.11.2018 Neue Beratungsstelle in Kleinfeld eröffnet\n\n"
        "12.10.2018 hatte der Vorstand des Vereins beschlossen, die neue Beratungsstelle "
        "in Kleinfeld zu eröffnen.\n\n"
        "02.11.2018 Jahresbericht erschienen\n\nDer Bericht fasst die Arbeit zusammen.\n\n"
        "30.10.2018 Neue Website online\n\nDie Website ist barrierefrei.\n"
    )
    report = import_text(text)
    assert report.layout == "date-in-title-line"
    assert [item.title for item in report.items] == [
        "Neue Beratungsstelle in Kleinfeld eröffnet",
        "Jahresbericht erschienen",
        "Neue Website online",
    ]
    assert report.items[0].summary.startswith("12.10.2018 hatte der Vorstand")


def test_an_empty_label_does_not_swallow_the_next_story_after_a_blank_line():
    text = (
        "First story\n\n31 January 2023\n\nBody one.\n\nTags:\n\n"
        "Second story\n\n30 January 2023\n\nBody two.\n\nTags:\nHarbour, Ferries\n"
    )
    report = import_text(text)
    assert [item.title for item in report.items] == ["First story", "Second story"]
    assert [item.summary for item in report.items] == ["Body one.", "Body two."]


def test_rows_copied_from_a_table_give_date_title_and_type():
    text = (
        "31 January 2023\tCouncil opens a ferry landing\tPress release\n"
        "24 January 2023\tYouth forum elects its new board for the next two years\tNews\n"
        "\t18 January 2023\tHarbour master retires\tInterview\t\n"
    )
    report = import_text(text, format="listing")
    assert report.layout == "date-in-title-line"
    assert triples(report) == [
        ("Press release", "Council opens a ferry landing", "2023-01-31"),
        ("News", "Youth forum elects its new board for the next two years", "2023-01-24"),
        ("Interview", "Harbour master retires", "2023-01-18"),
    ]


def test_a_date_order_given_reads_ambiguous_slash_dates():
    report = parse_listing(_stamped(["03/04/2017", "05/06/2017"]), source="x", date_order="dmy")
    assert [item.date.isoformat() for item in report.items] == ["2017-04-03", "2017-06-05"]
    assert report.date_order == "dmy" and not report.date_order_needed
    with pytest.raises(ValidationError, match="'ymd' is not one of dmy, mdy"):
        parse_listing("x", source="x", date_order="ymd")


def test_a_page_heading_above_the_first_story_only_is_no_category():
    text = (
        "Harbour News\n12 March 2024\nA second ferry pier opens\nThe pier opens in May.\n\n"
        "1 March 2024\nFerry timetable for the summer\nBoats run every hour.\n\n"
        "20 February 2024\nMeet the new harbour master\nShe has sailed for thirty years.\n"
    )
    report = import_text(text)
    assert [item.category for item in report.items] == ["News", "News", "News"]
    assert report.warnings == ["line 1 before the first story was skipped"]


def test_a_dash_between_the_date_and_the_title():
    text = (
        "05.11.2018 – Neue Beratungsstelle eröffnet\n\nText eins.\n\n"
        "02.11.2018 – Jahresbericht erschienen\n\nText zwei.\n\n"
        "30.10.2018 | Neue Website online\n\nText drei.\n"
    )
    report = import_text(text)
    assert report.layout == "date-in-title-line"
    assert [item.title for item in report.items] == [
        "Neue Beratungsstelle eröffnet",
        "Jahresbericht erschienen",
        "Neue Website online",
    ]
    assert [item.category for item in report.items] == ["News", "News", "News"]
