"""A CSV row over several lines (a quoted summary of paragraphs) is named where it starts.

Rows keep the number a spreadsheet shows; a row whose record spans several lines, or
follows one that does, is named with the lines a text editor shows it on too, in the
rejections, warnings and notes, and in ``newsdigest import``'s output.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from composer.library.importers import import_source, import_text
from composer.library.importers.csv_import import rows_location

# line 1: header; line 2: a one-line row; lines 3-6: one record (row 3), its date impossible;
# line 7: a one-line row (row 4) after it
FOUR_LINES_BAD_DATE = (
    "title,date,summary\n"
    "Pond survey,2025-04-02,Frogs were counted at dusk.\n"
    'Hedge planting,2025-04-31,"We planted hazel and hawthorn.\n'
    "Bring gloves.\n"
    "\n"
    'Tea afterwards in the hall."\n'
    "Bat walk,2025-04-12,\n"
)


def test_a_record_over_four_lines_with_a_bad_date_is_named_by_its_lines():
    report = import_text(FOUR_LINES_BAD_DATE, format="csv")
    assert [item.title for item in report.items] == ["Pond survey", "Bat walk"]
    assert [str(rejection) for rejection in report.rejected] == [
        "row 3 (lines 3-6): date '2025-04-31' is not a real date"
    ]


def test_crlf_line_breaks_count_once_inside_and_between_records(tmp_path: Path):
    text = FOUR_LINES_BAD_DATE.replace("\n", "\r\n")
    path = tmp_path / "windows.csv"
    path.write_bytes(text.encode("utf-8"))
    report = import_source(path)
    assert [str(rejection) for rejection in report.rejected] == [
        "row 3 (lines 3-6): date '2025-04-31' is not a real date"
    ]


def test_a_one_line_row_after_a_record_over_several_lines_is_named_with_its_line():
    text = FOUR_LINES_BAD_DATE.replace("Bat walk,2025-04-12", "Bat walk,2025-04-99")
    report = import_text(text, format="csv")
    assert [item.title for item in report.items] == ["Pond survey"]
    (rejection,) = report.rejected  # one cause: both rows in one line, with their lines
    assert rejection.location == "rows 3 (lines 3-6) and 4 (line 7)"
    assert rejection.count == 2


def test_rows_on_the_line_of_their_number_are_named_by_row_only():
    report = import_text("title,date\nA,2025-04-01\nB,2025-04-31\n", format="csv")
    assert [str(rejection) for rejection in report.rejected] == [
        "row 3: date '2025-04-31' is not a real date"
    ]
    spans = {2: (2, 2), 3: (3, 5), 4: (6, 6), 5: (7, 7), 6: (8, 8)}
    assert rows_location([2, 3, 4, 5, 6], spans=spans) == (
        "rows 2, 3 (lines 3-5), 4 (line 6) and 2 more"
    )


def test_a_warning_names_the_lines_of_the_row_it_is_about():
    text = (
        "title,date,image_url\n"
        'Hedge planting,2025-04-03,"images/hedge.jpg"\n'
        '"Pond survey:\nfrogs at dusk",2025-04-02,images/pond.jpg\n'
    )
    report = import_text(text, format="csv")
    assert len(report.items) == 2
    (warning,) = report.warnings
    assert warning.startswith("rows 2 and 3 (lines 3-4): the image url is a relative address")


@pytest.mark.slow
def test_newsdigest_import_prints_the_lines_of_a_rejected_row(tmp_path: Path):
    path = tmp_path / "spring.csv"
    path.write_bytes(FOUR_LINES_BAD_DATE.replace("\n", "\r\n").encode("utf-8"))
    proc = run_cli("import", str(path), library=tmp_path / "lib.json")
    assert proc.returncode == 0, proc.stderr
    assert "2 new, 0 already in the library, 1 rejected" in proc.stdout
    assert "rejected row 3 (lines 3-6): date '2025-04-31' is not a real date" in proc.stdout
