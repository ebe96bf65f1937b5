"""The CSV importer: spreadsheets' exports, with their encodings and delimiters."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer.errors import SourceError
from composer.library.importers import import_source, import_text
from composer.library.importers.csv_import import column_field


def write(tmp_path: Path, name: str, data: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def test_excel_export_with_bom_and_semicolons(tmp_path):
    text = (
        "Category;Title;Date;Summary;URL;Image URL;Image alt;Tags\r\n"
        "Project News;Scoping visit to Vostrana;31.01.2023;"
        '"First paragraph; with a semicolon.\n\nSecond paragraph.";'
        "https://example.org/wellspring;https://example.org/wellspring.jpg;Experts at work;"
        "Vostrana; water|rivers\r\n"
        "Press Release;Rural Water Forecast 2023;18 January 2023;;;;;\r\n"
    )
    path = write(tmp_path, "export.csv", text, encoding="utf-8-sig")
    report = import_source(path)
    assert report.format == "csv"
    assert report.rejected == []
    assert report.warnings == []
    first, second = report.items
    assert (first.category, first.title, first.date.isoformat()) == (
        "Project News",
        "Scoping visit to Vostrana",
        "2023-01-31",
    )
    assert first.summary == "First paragraph; with a semicolon.\n\nSecond paragraph."
    assert first.url == "https://example.org/wellspring"
    assert first.image_url == "https://example.org/wellspring.jpg"
    assert first.image_alt == "Experts at work"
    assert first.source == "export.csv"
    assert (second.category, second.title, second.date.isoformat()) == (
        "Press Release",
        "Rural Water Forecast 2023",
        "2023-01-18",
    )
    assert second.url is None


def test_tags_are_split_on_commas_semicolons_and_bars(tmp_path):
    text = 'title,date,tags\nA story,2023-01-31,"Vostrana, water; rivers|EU"\n'
    (item,) = import_source(write(tmp_path, "tags.csv", text)).items
    assert item.tags == ("Vostrana", "water", "rivers", "EU")


def test_comma_delimited_with_odd_header_case_and_spaces(tmp_path):
    text = (
        "  TITLE , DaTe ,category,image url, Image_Alt ,Author\n"
        "Planners compare flood maps,2022-12-21,Project News,https://example.org/i.png,"
        "A workshop,Ann\n"
    )
    report = import_source(write(tmp_path, "odd.csv", text))
    (item,) = report.items
    assert (item.category, item.title, item.date.isoformat()) == (
        "Project News",
        "Planners compare flood maps",
        "2022-12-21",
    )
    assert item.image_url == "https://example.org/i.png"
    assert item.image_alt == "A workshop"
    assert report.warnings == ["column 'Author' is not an item field; it was ignored"]


def test_tab_separated(tmp_path):
    text = "Title\tDate\tCategory\nIn Focus story\tJanuary 31, 2023\tIn Focus\n"
    (item,) = import_source(write(tmp_path, "items.tsv", text)).items
    assert (item.category, item.title, item.date.isoformat()) == (
        "In Focus",
        "In Focus story",
        "2023-01-31",
    )


def test_missing_category_column_uses_the_default(tmp_path):
    text = "title,date\nA story,2023-01-31\n"
    report = import_source(write(tmp_path, "plain.csv", text), default_category="Updates")
    assert report.items[0].category == "Updates"


def test_cp1252_file_is_read_with_a_warning(tmp_path):
    text = "title;date;summary\nCafé in Kürnavia – “quoted”;2023-01-31;Résumé\n"
    report = import_source(write(tmp_path, "ansi.csv", text, encoding="cp1252"))
    (item,) = report.items
    assert item.title == "Café in Kürnavia – “quoted”"
    assert item.summary == "Résumé"
    assert report.warnings == ["the file is not UTF-8; it was read as Windows-1252 (cp1252)"]


def test_utf16_unicode_text_export(tmp_path):
    text = "Title\tDate\tCategory\r\nНовости\t2023-01-31\tПроект\r\n"
    (item,) = import_source(write(tmp_path, "unicode.csv", text, encoding="utf-16")).items
    assert (item.category, item.title) == ("Проект", "Новости")


def test_missing_title_column_names_the_header(tmp_path):
    path = write(tmp_path, "nohead.csv", "headline2,date,summary\nx,2023-01-31,y\n")
    with pytest.raises(SourceError) as caught:
        import_source(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: has no 'title' column")
    assert "'headline2', 'date', 'summary'" in message


def test_missing_date_column_names_the_header(tmp_path):
    with pytest.raises(SourceError, match="has no 'date' column"):
        import_source(write(tmp_path, "nodate.csv", "title,summary\nx,y\n"))


def test_row_errors_are_rejected_with_spreadsheet_row_numbers(tmp_path):
    text = (
        "title,date,url\n"  # row 1
        "Good,2023-01-31,https://example.org/good\n"  # row 2
        ",2023-01-31,\n"  # row 3: no title
        "Bad date,30 February 2023,\n"  # row 4
        '"Multi\nline title is joined",2023-01-30,\n'  # row 5 (one record over two lines)
        "Script link,2023-01-29,javascript:alert(1)\n"  # row 6
        ",,\n"  # row 7: empty, skipped
        "Unreadable date,01/02/2023,\n"  # row 8
    )
    report = import_source(write(tmp_path, "rows.csv", text))
    assert [item.title for item in report.items] == ["Good", "Multi line title is joined"]
    assert [str(r) for r in report.rejected] == [
        "row 3: title is empty",
        "row 4: date '30 February 2023' is not a real date",
        # after the record over two lines, a row's number is no longer its line: both named
        "row 6 (line 7): url 'javascript:alert(1)' must start with http:// or https:// (it has "
        "'javascript:')",
        "row 8 (line 9): date '01/02/2023' could be day/month/year or month/day/year and no "
        "date in the column tells which; choose the order with --date-order dmy|mdy "
        "(or in the import preview)",
    ]
    assert report.date_order_needed


def test_script_in_a_cell_is_stored_as_plain_text(tmp_path):
    text = 'title,date,summary\n"<script>alert(1)</script>",2023-01-31,<b>x</b>\n'
    (item,) = import_source(write(tmp_path, "script.csv", text)).items
    assert item.title == "<script>alert(1)</script>"
    assert item.summary == "<b>x</b>"


def test_same_story_twice_is_kept_once(tmp_path):
    text = "title,date\nA story,2023-01-31\na  STORY,2023-01-31\n"
    report = import_source(write(tmp_path, "dupes.csv", text))
    assert len(report.items) == 1
    assert report.warnings == ["row 3: 'a STORY' is the same story as row 2; kept once"]


def test_header_only_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="no rows of items"):
        import_source(write(tmp_path, "empty.csv", "title,date\n"))


def test_pasted_csv_is_recognised():
    report = import_text("Title,Date,Category\nPasted,2023-01-31,In Focus\n")
    assert report.format == "csv"
    assert report.items[0].category == "In Focus"


def test_column_field_aliases():
    assert column_field(" Image URL ") == "image_url"
    assert column_field("image-url") == "image_url"
    assert column_field("IMAGE_ALT") == "image_alt"
    assert column_field("Headline") == "title"
    assert column_field("Author") is None


def test_ten_thousand_rows_import(tmp_path):
    rows = ["Category;Title;Date;Summary;URL"]
    for n in range(10_000):
        rows.append(
            f"Project News;Story {n};2023-01-{n % 28 + 1:02d};Teaser {n} of the story.;"
            f"https://example.org/news/{n}"
        )
    path = write(tmp_path, "big.csv", "\n".join(rows), encoding="utf-8-sig")
    report = import_source(path)  # its speed is measured in benchmarks/, not asserted here
    assert len(report.items) == 10_000


def test_excel_sep_line_names_the_delimiter(tmp_path):
    text = "sep=;\r\nTitle;Date;Summary\r\nA, B and C;2023-01-31;One, two\r\nBad;x;y\r\n"
    report = import_source(write(tmp_path, "sep.csv", text))
    assert [(i.title, i.summary) for i in report.items] == [("A, B and C", "One, two")]
    # the sep= line is no row of the sheet, but it is the file's line 1
    assert [str(r)[:19] for r in report.rejected] == ["row 3 (line 4): dat"]


def test_csv_saved_as_txt_is_recognised(tmp_path):
    report = import_source(write(tmp_path, "export.txt", "title,date\nA,2023-01-31\n"))
    assert report.format == "csv"
