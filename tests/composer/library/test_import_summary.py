"""The import summary the command line prints and the window shows: one text, in one order."""

from __future__ import annotations

from composer.library.import_adding import ImportAdded
from composer.library.import_summary import SummaryLine, summary_lines
from composer.library.importers.base import ImportReport, Rejection
from composer.library.item import NewsItem, make_item
from composer.repository import AddResult


def _story(title: str, day: int = 2) -> NewsItem:
    return make_item({"category": "Vostrana", "title": title, "date": f"2024-03-{day:02d}"})


def _reports() -> tuple[list[ImportReport], NewsItem, NewsItem]:
    well, road = _story("A well for the school"), _story("A road to the clinic", 3)
    sheet = ImportReport(
        source="stories.csv",
        format="csv",
        items=[well, road],
        rejected=[Rejection("row 4", "date '2024-13-02' is not a real date")],
        warnings=["row 2: the summary was cut to 600 characters"],
        notes=["the Link column holds the stories' addresses"],
        date_order="dmy",
    )
    page = ImportReport(
        source="https://news.example.org/",
        format="html",
        items=[],
        base_url="https://news.example.org/",
    )
    return [sheet, page], well, road


def test_each_source_then_the_mended_stories_then_the_failures() -> None:
    reports, well, road = _reports()
    mended = _story("Kürnavia harbour reopens", 1)
    outcome = ImportAdded(AddResult(new=(well,), existing=(road,)), mended=(mended,))
    lines = summary_lines(reports, outcome, ["missing.csv: no such file"])
    assert [line.plain() for line in lines] == [
        "stories.csv: 1 new, 1 already in the library, 1 rejected (dates day/month/year)",
        "  note: the Link column holds the stories' addresses",
        "  warning: row 2: the summary was cut to 600 characters",
        "  rejected row 4: date '2024-13-02' is not a real date",
        "https://news.example.org/: 0 new, 0 already in the library, 0 rejected "
        "(links resolved against https://news.example.org/)",
        "1 story already in the library got their link, image or summary",
        "missing.csv: no such file",
    ]
    assert [line.kind for line in lines] == [
        "source",
        "note",
        "warning",
        "rejected",
        "source",
        "mended",
        "failure",
    ]
    # each source's lines name it, and the report they come from
    assert {(line.source, line.report) for line in lines[:4]} == {("stories.csv", 0)}
    assert lines[4].report == 1 and lines[5].report == lines[6].report == -1


def test_a_message_box_caps_the_warnings_and_rejections_and_says_how_many_more() -> None:
    report = ImportReport(
        source="big.txt",
        format="listing",
        rejected=[Rejection(f"line {n}", "no date") for n in range(1, 8)],
        warnings=[f"line {n}: a date in the future" for n in range(1, 5)],
    )
    lines = summary_lines([report], ImportAdded(AddResult((), ())), max_warnings=3, max_rejected=5)
    details = [line.plain() for line in lines if line.detail]
    assert details[3] == "  … and 1 more warning"
    assert details[-1] == "  … and 2 more rejected"
    assert len([line for line in lines if line.kind == "rejected"]) == 5
    assert [line.kind for line in lines].count("more") == 2
    # a terminal shows everything
    everything = summary_lines([report], ImportAdded(AddResult((), ())))
    assert len([line for line in everything if line.kind == "rejected"]) == 7
    assert "more" not in [line.kind for line in everything]


def test_nothing_read_is_no_line_and_a_failure_is_its_own_line() -> None:
    nothing = ImportAdded(AddResult((), ()))
    assert summary_lines([], nothing) == []
    assert summary_lines([], nothing, ["clipboard: no story found"]) == [
        SummaryLine("failure", "clipboard: no story found")
    ]
