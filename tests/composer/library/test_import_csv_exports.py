"""CSV exports a tester met: long post bodies, unpublished posts, mappings, European dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer.errors import SourceError
from composer.library.importers import ReadOptions, import_source, import_text
from composer.library.importers.base import MAX_SOURCE_BYTES, SUMMARY_CUT
from composer.library.importers.csv_columns import header_languages
from composer.library.importers.csv_import import parse_csv
from composer.library.item import MAX_SUMMARY


def write(tmp_path: Path, name: str, data: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding))
    return path


def long_text(size: int) -> str:
    """Paragraphs of invented prose, ``size`` characters or a little more."""
    paragraph = "The allotment society counted its bean rows again this spring. " * 8
    return "\n\n".join([paragraph.strip()] * (size // len(paragraph) + 1))


# --- Large cells -------------------------------------------------------------------------


def test_a_cell_over_128_kb_is_read_and_its_summary_cut_with_a_warning():
    text = (
        "title,date,summary\n"
        f'Allotment report,2024-02-01,"{long_text(300_000)}"\n'
        "Seed swap,2024-02-02,Bring your own jars.\n"
    )
    report = import_text(text, format="csv")
    first, second = report.items
    assert first.title == "Allotment report"
    assert 0 < len(first.summary) <= MAX_SUMMARY
    assert first.summary.startswith("The allotment society")
    assert second.summary == "Bring your own jars."
    assert report.rejected == []
    last = text.count("\n", 0, text.index("Seed swap"))  # the line before Seed swap
    assert report.warnings == [f"row 2 (lines 2-{last}): {SUMMARY_CUT}"]


def test_a_wordpress_body_over_128_kb_is_reduced_to_text_and_cut():
    body = "<p>" + long_text(200_000).replace("\n\n", "</p><p>") + "</p>"
    text = (
        "post_title,post_date,post_excerpt,post_content\n"
        f'Long post,2024-03-01 10:00:00,,"{body}"\n'
        "Short post,2024-03-02 10:00:00,A teaser.,<p>Body.</p>\n"
    )
    report = import_text(text, format="csv")
    first, second = report.items
    assert "<p>" not in first.summary
    assert len(first.summary) <= MAX_SUMMARY
    assert second.summary == "A teaser."
    assert f"row 2: {SUMMARY_CUT}" in report.warnings


def test_an_unclosed_quote_in_a_large_file_is_still_named_with_its_line():
    rows = "".join(f"Row {n},2024-01-{n % 28 + 1:02d},plain text\n" for n in range(8000))
    text = 'title,date,summary\nFirst,2024-01-01,fine\nOpen,2024-01-02,"never closed\n' + rows
    assert len(text) > 200_000
    with pytest.raises(SourceError) as caught:
        import_text(text, format="csv")
    message = str(caught.value)
    assert "line 3: the quote opened on this line is never closed" in message
    assert "128 KB" not in message


def test_a_csv_text_over_the_source_limit_is_refused_as_too_large():
    text = 'title,date,summary\nA,2024-01-01,"' + "y" * (MAX_SOURCE_BYTES + 10) + '"\n'
    with pytest.raises(SourceError, match="the limit is 20 MB"):
        parse_csv(text, source="huge.csv")


# --- Known columns the mapping leaves unused ---------------------------------------------


DRUPAL = (
    '"Nid","Title","Sort Date","Page Path","Type"\n'
    '"71","Ferry timetable changes","2024-05-02","https://isle.example/news/ferry","News"\n'
    '"72","Harbour wall repaired","2024-04-20","https://isle.example/news/wall","Notice"\n'
)


def test_a_known_column_displaced_by_the_mapping_is_named():
    report = import_text(DRUPAL, format="csv", options=ReadOptions(column_map={"Nid": "title"}))
    assert [item.title for item in report.items] == ["71", "72"]
    assert any(
        warning.startswith("column 'Title' was not used: the title comes from column 'Nid'")
        for warning in report.warnings
    )


def test_the_mapping_step_sending_every_column_back_still_names_the_unused_column():
    first = import_text(DRUPAL, format="csv", options=ReadOptions(column_map={"Nid": "title"}))
    # the preview's mapping step sends each column as it shows it: 'Title' as ignored
    shown = {use.header: use.field or "" for use in first.columns}
    assert shown["Title"] == ""
    again = import_text(DRUPAL, format="csv", options=ReadOptions(column_map=shown))
    assert (
        "column 'Title' was not used (the mapping ignores it): column 'Nid' gives the title"
        in again.warnings
    )


def test_a_known_column_the_mapping_ignores_is_named_and_an_unknown_one_is_not():
    mapping = {"Page Path": "ignore", "Type": "", "Nid": "ignore"}
    report = import_text(DRUPAL, format="csv", options=ReadOptions(column_map=mapping))
    assert [item.url for item in report.items] == [None, None]
    assert report.warnings == [
        "column 'Page Path' was not used (the mapping ignores it): no column gives the url",
        "column 'Type' was not used (the mapping ignores it): no column gives the category",
    ]


def test_an_ignored_full_text_column_names_the_excerpt_that_gives_the_summary():
    text = "Title,Date,Excerpt,Body\nA,2024-01-05,Short.,<p>Long.</p>\n"
    report = import_text(text, format="csv", options=ReadOptions(column_map={"Body": ""}))
    assert report.items[0].summary == "Short."
    assert report.warnings == [
        "column 'Body' was not used (the mapping ignores it): column 'Excerpt' gives the summary"
    ]


# --- Unpublished posts ---------------------------------------------------------------------


def test_unpublished_wordpress_rows_are_skipped_with_one_warning_per_kind():
    text = (
        "post_title,post_date,post_status,post_type\n"
        "Published one,2024-06-01 09:00:00,publish,post\n"  # row 2
        "Draft one,2024-06-02 09:00:00,draft,post\n"  # row 3
        "Waiting,2024-06-03 09:00:00,pending,post\n"  # row 4
        "Members only,2024-06-04 09:00:00,private,post\n"  # row 5
        "Next week,2024-06-20 09:00:00,future,post\n"  # row 6
        "Draft two,2024-06-05 09:00:00,draft,post\n"  # row 7
        "Draft three,2024-06-06 09:00:00,Draft,post\n"  # row 8
        "Draft four,2024-06-07 09:00:00,draft,post\n"  # row 9
        "Binned,2024-06-08 09:00:00,trash,post\n"  # row 10
        "Published two,2024-06-09 09:00:00,publish,post\n"  # row 11
    )
    report = import_text(text, format="csv")
    assert [item.title for item in report.items] == ["Published one", "Published two"]
    assert report.rejected == []
    skipped = [warning for warning in report.warnings if "skipped" in warning]
    assert skipped == [
        "rows 3, 7, 8 and 1 more: a draft, not published (post_status 'draft'); 4 rows skipped",
        "row 4: waiting for review, not published (post_status 'pending'); skipped",
        "row 5: a private post, not published (post_status 'private'); skipped",
        "row 6: scheduled for later, not yet published (post_status 'future'); skipped",
        "row 10: in the WordPress trash; skipped",
    ]


def test_a_status_column_of_an_export_plugin_or_drupal_skips_unpublished_rows():
    text = (
        "Title,Date,Status\n"
        "Open day,2024-07-01,Published\n"
        "Not yet,2024-07-02,Unpublished\n"
        "Sketch,2024-07-03,Draft\n"
        "Odd status,2024-07-04,Featured\n"  # not a publishing status: kept
    )
    report = import_text(text, format="csv")
    assert [item.title for item in report.items] == ["Open day", "Odd status"]
    assert "row 3: not published (Status 'unpublished'); skipped" in report.warnings
    assert "row 4: a draft, not published (Status 'draft'); skipped" in report.warnings


# --- Several categories ----------------------------------------------------------------------


def test_several_categories_keep_the_first_and_the_others_as_tags_with_one_note():
    text = (
        "Title,Date,Categories,Tags\n"
        "Choir concert,2024-05-01,Events|Music|Volunteering,summer\n"
        "Bake sale,2024-05-02,Fundraising|Events,\n"
        "Plain,2024-05-03,Notices,\n"
    )
    report = import_text(text, format="csv")
    first, second, third = report.items
    assert (first.category, first.tags) == ("Events", ("summer", "Music", "Volunteering"))
    assert (second.category, second.tags) == ("Fundraising", ("Events",))
    assert (third.category, third.tags) == ("Notices", ())
    notes = [note for note in report.notes if "several categories" in note]
    assert notes == [
        "rows 2 and 3: the category names several categories ('Events|Music|Volunteering'); "
        "the first is the category, the others were added to the tags"
    ]


# --- European exports and the date order ---------------------------------------------------


def test_a_french_excel_export_says_the_order_is_probably_day_first_but_does_not_choose(
    tmp_path,
):
    text = (
        "Titre;Date;Résumé;Catégorie\r\n"
        "Marché de printemps;14/03/2024;Place de l'église;Vie locale\r\n"
        "Concert à l'église;04/03/2024;Entrée libre;Culture\r\n"
        "Collecte des encombrants;02/04/2024;Sortez-les la veille;Travaux\r\n"
    )
    path = write(tmp_path, "mairie.csv", text, encoding="cp1252")
    report = import_source(path)
    # 14/03 proves this column day first: read without a word of doubt
    assert [item.date.isoformat() for item in report.items] == [
        "2024-03-14",
        "2024-03-04",
        "2024-04-02",
    ]
    ambiguous = text.replace("14/03/2024", "03/03/2024")
    report = import_source(write(tmp_path, "mairie2.csv", ambiguous, encoding="cp1252"))
    assert [item.title for item in report.items] == ["Marché de printemps"]  # 03/03: no doubt
    (rejection,) = report.rejected
    assert rejection.count == 2
    assert rejection.reason.endswith(
        "choose the order with --date-order dmy|mdy (or in the import preview); "
        "this looks like a French export: --date-order dmy probably"
    )
    assert not report.date_order  # never guessed


def test_the_hint_names_every_language_the_headers_may_be_in():
    report = import_text("Titel;Datum\nA;03/04/2024\n", format="csv")
    assert "this looks like a German, Dutch or Swedish export" in report.rejected[0].reason
    report = import_text("Título,Fecha\nA,03/04/2024\n", format="csv")
    assert "this looks like a Spanish export: --date-order dmy" in report.rejected[0].reason


def test_english_headers_with_semicolons_hint_at_a_european_excel():
    report = import_text("Title;Date\nA;03/04/2024\n", format="csv")
    assert report.rejected[0].reason.endswith(
        "this looks like an Excel export from a European locale (semicolon-separated): "
        "--date-order dmy probably"
    )
    plain = import_text("Title,Date\nA,03/04/2024\n", format="csv")
    assert "looks like" not in plain.rejected[0].reason


def test_header_languages():
    assert header_languages(["Titre de l'article", "Date", "Lien"]) == ["French"]
    assert header_languages(["Titolo", "Data"]) == ["Italian"]
    assert header_languages(["Title", "Date", "Summary"]) == []


def test_a_long_cell_gives_the_summary_its_whole_text_would():
    from composer.library.importers.base import fit_summary
    from composer.library.importers.csv_import import _fit_cell
    from composer.library.importers.feed import html_to_text

    prose = "<p>" + long_text(400_000).replace("\n\n", "</p><p>") + "</p>"
    # markup with no text for longer than the head that is read first: the whole is read
    hidden = '<span class="x"></span>' * 20_000 + prose
    for cell in (prose, hidden):
        assert _fit_cell(cell, True) == fit_summary(html_to_text(cell))
    plain = long_text(400_000)
    assert _fit_cell(plain, False) == fit_summary(plain)
