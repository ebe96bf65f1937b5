"""CSV exports as they come: CMS columns, localised headers, spreadsheet dates, broken quotes."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest

from composer.errors import SourceError
from composer.library.importers import ColumnUse, ReadOptions, import_source, import_text
from composer.library.importers.csv_import import column_field, rows_location


def write(tmp_path: Path, name: str, data: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding))
    return path


def dates(report) -> list[str]:
    return [item.date.isoformat() for item in report.items]


# --- CMS exports -------------------------------------------------------------------------


WORDPRESS = (
    '"ID","post_title","post_date","post_date_gmt","post_excerpt","post_content",'
    '"post_name","post_status","post_type","Permalink","Categories","post_tags"\n'
    '"11","Harbour clean-up day","2024-03-02 09:30:00","2024-03-02 08:30:00",'
    '"Volunteers cleared the old harbour.","<p>Long text.</p><p>More.</p>","harbour",'
    '"publish","post","https://seagrass.example/news/harbour","Events","harbour, volunteers"\n'
    '"12","New seagrass survey","2024/2/14 0:00","","","<p>The survey <b>begins</b>.</p>'
    '<p>Second paragraph.</p>","survey","publish","post",'
    '"https://seagrass.example/news/survey","Research|Events",""\n'
    '"13","Post without a date","","","","","undated","publish","post","","",""\n'
    '"14","Another undated post","","","","","other","publish","post","","",""\n'
)


def test_wordpress_export(tmp_path):
    report = import_source(write(tmp_path, "wp.csv", WORDPRESS))
    first, second = report.items
    assert (first.title, first.date, first.category) == (
        "Harbour clean-up day",
        dt.date(2024, 3, 2),
        "Events",
    )
    assert first.url == "https://seagrass.example/news/harbour"
    assert first.summary == "Volunteers cleared the old harbour."  # the excerpt, not the content
    assert first.tags == ("harbour", "volunteers")
    # no excerpt: the content, its HTML reduced to text; the first of several categories
    assert second.summary == "The survey begins.\n\nSecond paragraph."
    assert (second.date, second.category) == (dt.date(2024, 2, 14), "Research")
    assert second.tags == ("Events",)  # the other category, kept as a tag
    # the two undated rows: one line for the cause, with the count
    assert [(r.location, r.reason, r.count) for r in report.rejected] == [
        ("rows 4 and 5", "date is missing", 2)
    ]
    assert report.rejected_count == 2
    assert any(
        "'post_date_gmt' was not used: the date comes from column 'post_date'" in w
        for w in report.warnings
    )
    assert any("'ID', 'post_name', 'post_status', 'post_type'" in w for w in report.warnings)
    assert any("took the summary from column 'post_content'" in n for n in report.notes)


def test_drupal_views_export_infers_the_image_column_from_its_values(tmp_path):
    text = (
        '"Sort Date","Nid","Title","Page Path","Path","Type"\n'
        '"Mar 3, 2021","901","Choir tour announced","https://choir.example/news/tour",'
        '"","Article"\n'
        '"Feb 28, 2021","899","Rehearsal room reopens","https://choir.example/news/room",'
        '"https://choir.example/files/room.JPG","Press release"\n'
    )
    report = import_source(write(tmp_path, "views.csv", text))
    first, second = report.items
    assert (first.title, first.date, first.url, first.image_url) == (
        "Choir tour announced",
        dt.date(2021, 3, 3),
        "https://choir.example/news/tour",
        None,
    )
    assert second.image_url == "https://choir.example/files/room.JPG"
    assert [i.category for i in report.items] == ["Article", "Press release"]  # from Type
    assert report.columns == [
        ColumnUse(0, "Sort Date", "date"),
        ColumnUse(1, "Nid", None),
        ColumnUse(2, "Title", "title"),
        ColumnUse(3, "Page Path", "url"),
        ColumnUse(4, "Path", "image_url"),
        ColumnUse(5, "Type", "category"),
    ]
    assert report.warnings == ["column 'Nid' is not an item field; it was ignored"]
    assert report.notes == [
        "column 'Path' was read as the image url: its values are web addresses of images"
    ]


def test_a_column_of_page_addresses_is_the_link():
    text = "Title,Date,Where\nOpen day,2024-05-01,https://school.example/open-day\n"
    report = import_text(text)
    assert report.items[0].url == "https://school.example/open-day"
    assert report.columns[2] == ColumnUse(2, "Where", "url")


def test_a_second_category_column_is_named_in_a_warning():
    text = "Title,Date,Category,Type\nA story,2024-05-01,News,Article\n"
    report = import_text(text)
    assert report.items[0].category == "News"
    assert report.warnings == [
        "column 'Type' was not used: the category comes from column 'Category' "
        "(map the columns to choose another)"
    ]


# --- Localised spreadsheets --------------------------------------------------------------


def test_french_excel_semicolons_cp1252_and_sep_line(tmp_path):
    text = (
        "sep=;\r\n"
        "Titre;Date de publication;Catégorie;Résumé;Lien\r\n"
        "Fête du quartier;31/01/2023;Événements;Un résumé, avec virgule;"
        "https://quartier.example/fete\r\n"
        "Réunion publique;02/02/2023;Vie locale;;\r\n"
    )
    report = import_source(write(tmp_path, "export.csv", text, encoding="cp1252"))
    assert [(i.title, i.category) for i in report.items] == [
        ("Fête du quartier", "Événements"),
        ("Réunion publique", "Vie locale"),
    ]
    assert dates(report) == ["2023-01-31", "2023-02-02"]  # 31/01 shows the column is d/m/y
    assert report.date_order == "dmy"
    assert report.items[0].summary == "Un résumé, avec virgule"
    assert report.items[0].url == "https://quartier.example/fete"
    assert report.warnings == ["the file is not UTF-8; it was read as Windows-1252 (cp1252)"]


def test_german_excel_with_bom_dotted_dates_and_times(tmp_path):
    text = (
        "Datum;Titel;Kategorie;Zusammenfassung;Bild;Bildunterschrift\r\n"
        "31.01.2023 10:00;Neues Vereinsheim;Verein;Kurz gesagt.;"
        "https://verein.example/heim.png;Das Haus\r\n"
        "05.02.23;Sommerfest geplant;Termine;;;\r\n"
    )
    report = import_source(write(tmp_path, "liste.csv", text, encoding="utf-8-sig"))
    first, second = report.items
    assert (first.title, first.date, first.category) == (
        "Neues Vereinsheim",
        dt.date(2023, 1, 31),
        "Verein",
    )
    assert (first.image_url, first.image_alt) == ("https://verein.example/heim.png", "Das Haus")
    assert second.date == dt.date(2023, 2, 5)
    assert report.warnings == []
    assert report.date_order is None  # no slash dates


def test_google_sheets_us_export(tmp_path):
    text = (
        "Category,Title,Date,Summary\r\n"
        'News,Library extends hours,1/22/2025,"Open late, from Monday."\r\n'
        "News,Book fair,1/9/2025,\r\n"
        "Events,Reading night,12/3/2024,\r\n"
    )
    report = import_source(write(tmp_path, "sheet.csv", text))
    assert dates(report) == ["2025-01-22", "2025-01-09", "2024-12-03"]
    assert report.date_order == "mdy"
    assert not report.date_order_needed


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Título", "title"),
        ("Titolo", "title"),
        ("Fecha", "date"),
        ("Data di pubblicazione", "date"),
        ("Titre", "title"),
        ("Résumé", "summary"),
        ("Kategorie", "category"),
        ("Zusammenfassung", "summary"),
        ("Lien", "url"),
        ("Enlace", "url"),
        ("Bild", "image_url"),
        ("Permalink", "url"),
        ("post_excerpt", "summary"),
        ("post_category", "category"),
        ("post_tags", "tags"),
        ("Sort Date", "date"),
        ("Page Path", "url"),
        ("Publication date", "date"),
        ("Featured image", "image_url"),
        ("postTitle", "title"),
        ("Nid", None),
        ("post_status", None),
    ],
)
def test_header_aliases(header, field):
    assert column_field(header) == field


# --- Dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2023-01-31 10:00:00", "2023-01-31"),
        ("2023-01-31T10:00:00+01:00", "2023-01-31"),
        ("2013/9/13 0:00", "2013-09-13"),
        ("22.01.2025", "2025-01-22"),
        ("Jan 24, 2017", "2017-01-24"),
        ("24-Jan-2017", "2017-01-24"),
        ("24-Jan-17", "2017-01-24"),
        ("1/22/2025 2:30 PM", "2025-01-22"),
        ("1/22/25", "2025-01-22"),
    ],
)
def test_spreadsheet_date_forms(written, expected):
    report = import_text(f'title,date\nA story,"{written}"\n')
    assert dates(report) == [expected]


AMBIGUOUS = "title,date\nFirst,03/04/2023\nSecond,05/06/2023\nThird,07/07/2023\nBad,soon\n"


def test_ambiguous_slash_dates_without_an_order_ask_for_one():
    report = import_text(AMBIGUOUS)
    assert report.date_order_needed
    assert report.date_order is None
    assert [i.title for i in report.items] == ["Third"]  # 07/07 is the same day either way
    ambiguous, unreadable = report.rejected
    assert (ambiguous.location, ambiguous.count) == ("rows 2 and 3", 2)
    assert "--date-order dmy|mdy" in ambiguous.reason
    assert "'03/04/2023' and '05/06/2023'" in ambiguous.reason
    assert (unreadable.location, unreadable.count) == ("row 5", 1)
    assert "'soon'" in unreadable.reason


@pytest.mark.parametrize(("order", "first"), [("dmy", "2023-04-03"), ("mdy", "2023-03-04")])
def test_ambiguous_slash_dates_read_in_the_order_given(order, first):
    report = import_text(AMBIGUOUS, options=ReadOptions(date_order=order))
    assert dates(report)[0] == first
    assert report.date_order == order
    assert not report.date_order_needed
    assert report.rejected_count == 1


def test_the_column_decides_the_order_not_each_row():
    text = "title,date\nA,01/02/2023\nB,25/02/2023\nC,12/11/2023\n"
    report = import_text(text)
    assert dates(report) == ["2023-02-01", "2023-02-25", "2023-11-12"]
    assert report.date_order == "dmy"


def test_an_order_the_column_contradicts_is_not_used():
    report = import_text(
        "title,date\nA,01/02/2023\nB,25/02/2023\n", options=ReadOptions(date_order="mdy")
    )
    assert dates(report) == ["2023-02-01", "2023-02-25"]
    assert report.date_order == "dmy"
    assert "'25/02/2023' can be read no other way" in report.warnings[0]


def test_a_column_of_bad_dates_is_one_rejection_with_the_first_rows_and_the_count():
    rows = ["title,date"]
    bad = {4, 9, 17, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30}
    for row in range(2, 32):
        rows.append(f"Story {row},{'next week' if row in bad else '2024-01-15'}")
    rows.append(",2024-01-16")  # row 32: another cause, its own line
    report = import_text("\n".join(rows) + "\n")
    assert len(report.items) == 30 - len(bad)
    dates_line, title_line = report.rejected
    assert dates_line.location == "rows 4, 9, 17 and 11 more"
    assert dates_line.count == 14
    assert dates_line.reason.startswith("date 'next week' is not a date we can read")
    assert (title_line.location, title_line.reason) == ("row 32", "title is empty")
    assert report.rejected_count == 15


def test_rows_location():
    assert rows_location([4]) == "row 4"
    assert rows_location([4, 9]) == "rows 4 and 9"
    assert rows_location([4, 9, 17]) == "rows 4, 9 and 17"
    assert rows_location([4, 9, 17, 20]) == "rows 4, 9, 17 and 1 more"


# --- Explicit mapping --------------------------------------------------------------------


def test_column_map_wins_over_aliases_and_can_ignore_a_column():
    text = "Headline,Kicker,When,Link\nMain title,Short title,2024-06-01,https://x.example/a\n"
    options = ReadOptions(column_map={"kicker": "title", " LINK ": "ignore", "When": "date"})
    report = import_text(text, format="csv", options=options)
    (item,) = report.items
    assert (item.title, item.url) == ("Short title", None)
    assert report.columns == [
        ColumnUse(0, "Headline", None),
        ColumnUse(1, "Kicker", "title"),
        ColumnUse(2, "When", "date"),
        ColumnUse(3, "Link", None),
    ]
    assert report.warnings == [
        "column 'Headline' was not used: the title comes from column 'Kicker' "
        "(map the columns to choose another)",
        # a known column the mapping ignores is named too (issue 10)
        "column 'Link' was not used (the mapping ignores it): no column gives the url",
    ]


def test_mapping_ignores_case_and_spacing_of_headers():
    text = "Sort  Date,Nice Name\n2024-06-01,A story\n"
    report = import_text(text, format="csv", options=ReadOptions(column_map={"nicename": "title"}))
    assert report.items[0].title == "A story"


def test_a_mapped_header_not_in_the_file_names_the_headers_there_are():
    with pytest.raises(SourceError) as caught:
        import_text(
            "title,date\nA,2024-01-01\n", options=ReadOptions(column_map={"Teaser": "summary"})
        )
    assert "has no column 'Teaser' to map (the header row has 'title', 'date')" in str(caught.value)


def test_a_file_without_a_title_column_says_how_to_map_one():
    with pytest.raises(SourceError, match=r"--map COLUMN=title"):
        import_text("Kicker,Date\nA,2024-01-01\n", format="csv")


# --- Links -------------------------------------------------------------------------------


def test_relative_links_are_left_out_with_one_warning_or_resolved_with_a_base():
    text = "title,date,url\nA,2024-01-01,/news/a\nB,2024-01-02,/news/b\n"
    report = import_text(text)
    assert [i.url for i in report.items] == [None, None]
    assert report.warnings == [
        "rows 2 and 3: the url is a relative address ('/news/a'); it was left out (give the "
        "site's address as the base url, --base-url https://…, to keep it)"
    ]
    from composer.library.importers.csv_import import parse_csv

    report = parse_csv(text, source="t.csv", base_url="https://club.example/")
    assert [i.url for i in report.items] == [
        "https://club.example/news/a",
        "https://club.example/news/b",
    ]


# --- Broken files ------------------------------------------------------------------------


def test_an_unclosed_quote_is_refused_with_the_line_it_opens_on(tmp_path):
    text = (
        "title,date,summary\n"  # line 1
        "Good,2024-01-01,fine\n"  # line 2
        'Broken,2024-01-02,"starts here\n'  # line 3: never closed
        "Next,2024-01-03,more\n"
        "Last,2024-01-04,end\n"
    )
    path = write(tmp_path, "broken.csv", text)
    with pytest.raises(SourceError) as caught:
        import_source(path)
    message = str(caught.value)
    assert "line 3: the quote opened on this line is never closed" in message
    assert "lines 3-5" in message


def test_a_quote_closed_rows_too_late_rejects_that_row_with_its_lines():
    text = (
        "title,date,summary\n"  # line 1
        'First,2024-01-01,"one\n'  # line 2: the quote runs on
        "Second,2024-01-02,two\n"  # line 3: swallowed
        'Third,2024-01-03,three"\n'  # line 4: the quote closes here
        'Fourth,2024-01-04,"a summary\n\nof two paragraphs"\n'  # lines 5-7: a real multi-line cell
    )
    report = import_text(text)
    assert [i.title for i in report.items] == ["Fourth"]
    (rejection,) = report.rejected
    assert rejection.location == "line 2"
    assert "closes only on line 4" in rejection.reason
    assert rejection.count == 3


def test_no_traceback_on_odd_csv():
    for text in (
        'title,date\n"\n',
        'title,date\nA,"2024-01-01\n',
        "title;date\n;;;\nA;2024-01-01;extra;cells\n",
        "title,date,,\nA,2024-01-01,x,y\n",
    ):
        with contextlib.suppress(SourceError):
            import_text(text, format="csv")


def test_a_column_mixing_day_first_and_month_first_dates_asks_for_the_order():
    text = "title,date\nA,25/01/2023\nB,01/25/2023\nC,2023-01-05\n"
    report = import_text(text)
    assert [i.title for i in report.items] == ["C"]
    (rejection,) = report.rejected
    assert (rejection.location, rejection.count) == ("rows 2 and 3", 2)
    assert "both day-first and month-first" in rejection.reason
    assert report.date_order_needed
    chosen = import_text(text, options=ReadOptions(date_order="dmy"))
    assert [i.title for i in chosen.items] == ["A", "C"]
    assert [str(r) for r in chosen.rejected] == [
        "row 3: date '01/25/2023' is not a real date (read as day/month/year)"
    ]


def test_title_lines_before_the_header_are_skipped_with_a_warning():
    text = (
        "Press office export;;\r\nCreated 2024-03-09;;\r\n"
        "Title;Date;Category\r\nA;2024-03-01;News\r\n"
    )
    report = import_text(text, format="csv")
    assert [(i.title, i.category) for i in report.items] == [("A", "News")]
    assert report.warnings == ["rows 1-2 come before the header row (row 3) and were skipped"]


def test_html_entities_of_cms_exports_are_decoded_in_titles():
    report = import_text(
        "title,date,category\nQ&amp;A with the mayor,2024-03-01,Talks &#8211; live\n"
    )
    assert (report.items[0].title, report.items[0].category) == (
        "Q&A with the mayor",
        "Talks – live",
    )


def test_columns_known_only_by_their_values_or_weak_names():
    text = "Name,When,More\nSpring concert,2024-04-20,https://band.example/spring\n"
    report = import_text(text, format="csv")
    (item,) = report.items
    assert (item.title, item.date, item.url) == (
        "Spring concert",
        dt.date(2024, 4, 20),
        "https://band.example/spring",
    )
    assert [use.field for use in report.columns] == ["title", "date", "url"]


def test_a_mapping_to_no_item_field_is_refused():
    from composer.library.importers.csv_import import parse_csv

    with pytest.raises(SourceError, match="cannot map column 'title' to 'headline'"):
        parse_csv("title,date\nA,2024-01-01\n", source="x.csv", column_map={"title": "headline"})


def test_a_plugin_export_with_human_headers():
    text = (
        "ID,Title,Content,Excerpt,Date,Post Type,Permalink,Image URL,Image Title,"
        "Image Caption,Image Alt Text,Categories,Tags,Status,Author ID,Post Modified Date\n"
        '7,Garden open day,"<p>All day.</p>",Come and see.,2024-05-04 10:00:00,post,'
        "https://garden.example/open-day,https://garden.example/rose.webp,rose,"
        'A red rose,Red rose in bloom,Events,"roses, open day",publish,3,2024-05-06 08:00:00\n'
    )
    report = import_text(text, format="csv")
    (item,) = report.items
    assert (item.title, item.summary, item.date) == (
        "Garden open day",
        "Come and see.",
        dt.date(2024, 5, 4),
    )
    assert (item.image_url, item.image_alt) == (
        "https://garden.example/rose.webp",
        "Red rose in bloom",
    )
    assert item.tags == ("roses", "open day")
    assert report.warnings[-1] == (
        "column 'Content' was not used: the summary comes from column 'Excerpt' "
        "(map the columns to choose another)"
    )
    assert any(
        "'Post Modified Date' was not used: the date comes from column 'Date'" in w
        for w in report.warnings
    )


def test_headers_in_more_languages():
    text = "Tytuł;Data;Kategoria;Streszczenie\nNowy park;15.03.2024;Miasto;Krótko.\n"
    (item,) = import_text(text, format="csv").items
    assert (item.title, item.date, item.category, item.summary) == (
        "Nowy park",
        dt.date(2024, 3, 15),
        "Miasto",
        "Krótko.",
    )


def test_excel_day_numbers_in_the_date_column():
    report = import_text("title,date\nA,44957\nB,45000.25\n", format="csv")
    assert dates(report) == ["2023-01-31", "2023-03-15"]


def test_the_mapping_step_sending_every_column_back_reads_the_same():
    text = WORDPRESS
    first = import_text(text, format="csv")
    mapping = {use.header: use.field or "" for use in first.columns}
    again = import_text(text, format="csv", options=ReadOptions(column_map=mapping))
    assert [i.to_dict() | {"created": 0, "updated": 0} for i in again.items] == [
        i.to_dict() | {"created": 0, "updated": 0} for i in first.items
    ]
    assert again.columns == first.columns


def test_wordpress_revisions_attachments_and_trash_are_skipped_with_a_warning():
    text = (
        "post_title,post_date,post_type,post_status\n"
        "Real post,2024-01-02 10:00:00,post,publish\n"
        "Real post,2024-01-02 11:00:00,revision,inherit\n"
        "photo.jpg,2024-01-02 09:00:00,attachment,inherit\n"
        "Old post,2023-05-05 10:00:00,post,trash\n"
        "Another revision,2024-01-03 10:00:00,revision,inherit\n"
    )
    report = import_text(text, format="csv")
    assert [i.title for i in report.items] == ["Real post"]
    assert report.warnings[-3:] == [
        "rows 3 and 6: a WordPress revision, not a post; skipped",
        "row 4: a WordPress attachment (a media file), not a post; skipped",
        "row 5: in the WordPress trash; skipped",
    ]
