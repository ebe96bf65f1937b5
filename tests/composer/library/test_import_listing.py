"""The listing importer: text copied from an organisation's news page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from composer.errors import SourceError
from composer.library.importers import import_source, import_text
from composer.library.importers.listing import looks_like_category, parse_listing

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "news-listing-2023-01.txt"

# Read off the fixture by hand: (category, title, date) of each of its 14 stories.
EXPECTED = [
    ("Project News", "WELLSPRING Project: Scoping Visit to Vostrana", "2023-01-31"),
    (
        "Project News",
        "HARVEST LINK project names the winners of its opening grant rounds",
        "2023-01-24",
    ),
    ("Project News", "LANTERN Project: Orvanne’s Returning Talent Awards 2022", "2023-01-18"),
    (
        "Press Release",
        "Rural Water Forecast 2023: Drier summers could double the demand for irrigation advice "
        "across the plains",
        "2023-01-18",
    ),
    (
        "Expert Voice",
        "Soil sensors – how cheap electronics and a mobile phone help small farms save water, "
        "seed and money",
        "2023-01-13",
    ),
    (
        "Project News",
        "GREENFIELD trains seed bank staff in Seed Saving and Crop Records for Kürnavia’s village "
        "network",
        "2023-01-09",
    ),
    ("In Focus", "Kürnavia becomes host country to an OCRC office", "2022-12-22"),
    ("Project News", "Planners in Vostrana compare flood maps", "2022-12-21"),
    (
        "Project News",
        "TIDEWAY 2 and the River Authority of Brennmark celebrate the National Day of Clean "
        "Rivers with 150 guests",
        "2022-12-19",
    ),
    ("Project News", "KINDLE Project: Local firms’ views on apprenticeship schemes", "2022-12-19"),
    (
        "In Focus",
        "OCRC marks ten years of its Village Water Fellowship with a reunion of past fellows",
        "2022-12-19",
    ),
    (
        "Project News",
        "River rescue teams and fire brigades train together in Skellbrook",
        "2022-12-16",
    ),
    (
        "In Focus",
        "Quillmere Forum ministers adopt a new work plan on rivers, soils and farming",
        "2022-12-16",
    ),
    (
        "In Focus",
        "Study asks where families displaced by the spring floods will live in the long term",
        "2022-12-12",
    ),
]


def fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def triples(report) -> list[tuple[str, str, str]]:
    return [(item.category, item.title, item.date.isoformat()) for item in report.items]


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


# -- the real fixture ---------------------------------------------------------------------
def test_fixture_gives_exactly_the_14_stories():
    report = import_source(FIXTURE)
    assert report.format == "listing"
    assert triples(report) == EXPECTED
    assert report.rejected == []
    assert report.warnings == []
    counts: dict[str, int] = {}
    for item in report.items:
        counts[item.category] = counts.get(item.category, 0) + 1
    assert counts == {"Project News": 8, "Press Release": 1, "Expert Voice": 1, "In Focus": 4}


def test_fixture_items_name_their_source_and_keep_each_paragraph_once():
    report = import_source(FIXTURE)
    assert {item.source for item in report.items} == {FIXTURE.name}
    wellspring, harvest, lantern = report.items[:3]
    assert wellspring.summary.startswith("From 7 to 12 November 2022, a team of four engineers")
    assert "\n" not in wellspring.summary
    # The teaser repeated verbatim (one copy ending in a NBSP) is kept once.
    assert harvest.summary.count("On 17 January 2023") == 1
    assert lantern.summary.count("Orvanne’s Returning Talent Awards are an annual evening") == 1
    assert lantern.summary.endswith("in cooperation with OCRC.")
    assert "\xa0" not in lantern.summary
    for item in report.items:
        assert item.url is None
        assert item.summary
        assert item.id.startswith("t-")


def test_fixture_via_import_text_is_the_same():
    report = import_text(fixture_text(), name="pasted")
    assert report.format == "listing"
    assert triples(report) == EXPECTED
    assert {item.source for item in report.items} == {"pasted"}


# -- variants -----------------------------------------------------------------------------
def test_windows_line_endings(tmp_path):
    path = write(tmp_path, "crlf.txt", fixture_text().replace("\n", "\r\n"))
    report = import_source(path)
    assert triples(report) == EXPECTED
    assert all("\r" not in item.summary for item in report.items)


def test_old_mac_line_endings(tmp_path):
    path = write(tmp_path, "cr.txt", fixture_text().replace("\n", "\r"))
    assert triples(import_source(path)) == EXPECTED


def test_utf8_bom(tmp_path):
    path = write(tmp_path, "bom.txt", fixture_text().encode("utf-8-sig"))
    report = import_source(path)
    assert triples(report) == EXPECTED
    assert report.items[0].category == "Project News"  # not "\ufeffProject News"


def test_us_dates(tmp_path):
    text = re.sub(
        r"^(\d{2}) (\w+) (\d{4})$",
        lambda m: f"{m[2]} {int(m[1])}, {m[3]}",
        fixture_text(),
        flags=re.M,
    )
    assert "January 31, 2023" in text
    assert triples(import_source(write(tmp_path, "us.txt", text))) == EXPECTED


def test_iso_dates(tmp_path):
    def iso(match: re.Match[str]) -> str:
        return dt.datetime.strptime(match[0], "%d %B %Y").date().isoformat()

    text = re.sub(r"^\d{2} \w+ \d{4}$", iso, fixture_text(), flags=re.M)
    assert "\n2023-01-31\n" in text
    assert triples(import_source(write(tmp_path, "iso.txt", text))) == EXPECTED


def test_blocks_without_category_get_the_default_category():
    text = (
        "First story without a category\n\n31 January 2023\n\nBody one.\n\n"
        "Second story\n\n30 January 2023\n\nBody two.\n"
    )
    report = import_text(text, default_category="Updates")
    assert triples(report) == [
        ("Updates", "First story without a category", "2023-01-31"),
        ("Updates", "Second story", "2023-01-30"),
    ]
    assert [item.summary for item in report.items] == ["Body one.", "Body two."]


def test_mixed_blocks_with_and_without_category():
    text = (
        "Press Release\nWith a category\n\n31 January 2023\n\nBody one.\n\n"
        "No category here\n\n30 January 2023\n\nBody two.\n"
    )
    report = import_text(text)
    assert triples(report) == [
        ("Press Release", "With a category", "2023-01-31"),
        ("News", "No category here", "2023-01-30"),
    ]


def test_unknown_category_is_kept_as_it_is():
    text = "Call for Tenders\nProcurement of IT equipment\n\n2 February 2023\n\nDeadline soon.\n"
    report = import_text(text)
    assert triples(report) == [("Call for Tenders", "Procurement of IT equipment", "2023-02-02")]


def test_non_latin_scripts():
    text = (
        "Новости проекта\nОзнакомительный визит в Вострану\n\n31 января 2023\n\n"
        "Инженеры посетили три района.\n\n"
        "أخبار المشروع\nمقارنة خرائط الفيضانات\n\n2023-01-24\n\nنظمت ورشة عمل.\n\n"
        "项目新闻\n奥尔万归国人才奖\n\n18 January 2023\n\n活动每年举办一次。\n"
    )
    report = import_text(text)
    assert triples(report) == [
        ("Новости проекта", "Ознакомительный визит в Вострану", "2023-01-31"),
        ("أخبار المشروع", "مقارنة خرائط الفيضانات", "2023-01-24"),
        ("项目新闻", "奥尔万归国人才奖", "2023-01-18"),
    ]
    assert report.items[2].summary == "活动每年举办一次。"


def test_no_blank_lines_at_all(tmp_path):
    text = "\n".join(line for line in fixture_text().splitlines() if line.strip())
    assert "\n\n" not in text
    report = import_source(write(tmp_path, "dense.txt", text))
    assert triples(report) == EXPECTED
    # Each line is a paragraph; the repeated teaser is still kept once.
    harvest = report.items[1]
    assert harvest.summary.count("On 17 January 2023") == 1
    assert "\n" not in harvest.summary


def test_body_paragraphs_are_kept_with_blank_lines_between():
    text = (
        "In Focus\nA story\n\n31 January 2023\n\nFirst paragraph\nstill the first.\n\n"
        "Second paragraph.\n\nFirst paragraph\xa0 still the first.  \n"
    )
    (item,) = import_text(text).items
    assert item.summary == "First paragraph still the first.\n\nSecond paragraph."


def test_read_more_lines_are_dropped_and_a_bare_url_becomes_the_link():
    text = (
        "Project News\nA story with a link\n\n31 January 2023\n\nThe teaser.\n\n"
        "Read more\n\nhttps://example.org/news/a-story?utm_source=x\n\n"
        "Project News\nA story with read-more link\n30 January 2023\nTeaser two.\n"
        "Read more » https://example.org/news/two\n"
        "Expert Voice\nNo link\n29 January 2023\nTeaser three.\nRead more…\n"
    )
    report = import_text(text)
    one, two, three = report.items
    assert one.summary == "The teaser."
    assert one.url == "https://example.org/news/a-story?utm_source=x"
    assert one.id.startswith("u-")
    assert two.summary == "Teaser two."
    assert two.url == "https://example.org/news/two"
    assert three.summary == "Teaser three."
    assert three.url is None
    assert report.warnings == []


def test_second_bare_url_stays_as_text_and_javascript_is_just_text():
    text = (
        "News\nLinks\n\n31 January 2023\n\nhttps://example.org/a\n\nhttps://example.org/b\n\n"
        "javascript:alert(1)\n"
    )
    (item,) = import_text(text).items
    assert item.url == "https://example.org/a"
    assert item.summary == "https://example.org/b\n\njavascript:alert(1)"


def test_script_in_a_listing_is_stored_as_plain_text():
    text = "News\n<script>alert(1)</script> title\n\n31 January 2023\n\n<b>bold</b> & more\n"
    (item,) = import_text(text).items
    assert item.title == "<script>alert(1)</script> title"
    assert item.summary == "<b>bold</b> & more"


def test_lines_before_the_first_story_are_skipped_with_a_warning():
    text = "Home > News\nLatest news\n\n\nProject News\nA story\n\n31 January 2023\n\nBody.\n"
    report = import_text(text)
    assert triples(report) == [("Project News", "A story", "2023-01-31")]
    assert report.warnings == ["lines 1-2 before the first story were skipped"]


def test_weekday_and_abbreviated_dates():
    text = "News\nOne\nTuesday, 31 January 2023\nBody.\nNews\nTwo\n30 Jan. 2023\nBody.\n"
    assert [d for _, _, d in triples(import_text(text))] == ["2023-01-31", "2023-01-30"]


# -- bad blocks ---------------------------------------------------------------------------
def test_impossible_date_rejects_that_block_only():
    text = (
        "Project News\nGood one\n\n31 January 2023\n\nBody.\n\n"
        "Project News\nBad date\n\n30 February 2023\n\nBody.\n\n"
        "In Focus\nGood two\n\n1 February 2023\n\nBody.\n"
    )
    report = import_text(text)
    assert [item.title for item in report.items] == ["Good one", "Good two"]
    assert [str(r) for r in report.rejected] == [
        "line 11: date '30 February 2023' is not a real date"
    ]


def test_date_without_title_is_rejected_with_its_line_number():
    text = "31 January 2023\n\nOrphan body.\n\nNews\nA story\n\n30 January 2023\n\nBody.\n"
    report = import_text(text)
    assert triples(report) == [("News", "A story", "2023-01-30")]
    assert [str(r) for r in report.rejected] == [
        "line 1: date '31 January 2023' has no title line above it"
    ]


def test_two_date_lines_in_a_row_reject_the_second():
    text = "News\nA story\n31 January 2023\n30 January 2023\nBody.\n"
    report = import_text(text)
    assert triples(report) == [("News", "A story", "2023-01-31")]
    assert [r.location for r in report.rejected] == ["line 4"]
    assert "has no title line" in report.rejected[0].reason


def test_a_long_paragraph_above_a_date_is_not_a_title():
    text = f"News\nA story\n31 January 2023\n{'word ' * 100}\n30 January 2023\nBody.\n"
    report = import_text(text)
    assert [item.title for item in report.items] == ["A story"]
    assert report.items[0].summary.startswith("word word")
    assert report.rejected[0].location == "line 5"
    assert "paragraph of 499 characters" in report.rejected[0].reason


def test_a_line_too_long_for_a_title_is_reported():
    title = "T" * 280 + " " + "x" * 30  # 311 characters: over the 300 a title may have
    text = f"News\n{title}\n\n31 January 2023\n\nBody.\n"
    report = import_text(text)
    assert report.items == []
    assert [str(r) for r in report.rejected] == [
        "line 4: date '31 January 2023' has no title line above it "
        "(line 2 is a paragraph of 311 characters)"
    ]


def test_same_story_twice_is_kept_once_with_a_warning():
    block = "Project News\nThe same story\n\n31 January 2023\n\nBody.\n\n"
    report = import_text(block + block)
    assert len(report.items) == 1
    assert report.warnings == ["line 11: 'The same story' is the same story as line 4; kept once"]


def test_no_date_lines_at_all_explains_the_expected_shape(tmp_path):
    path = write(tmp_path, "notes.txt", "Just some notes\n\nwithout any dates in them.\n")
    with pytest.raises(SourceError) as caught:
        import_source(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: has no date lines")
    assert "title line" in message and "31 January 2023" in message


def test_empty_listing_is_a_source_error():
    with pytest.raises(SourceError, match="is empty"):
        import_text("  \n\n \xa0\n", format="listing")


def test_looks_like_category():
    assert looks_like_category("Project News")
    assert looks_like_category("项目新闻")
    assert not looks_like_category("A sentence that ends with a period.")
    assert not looks_like_category("31 January 2023")
    assert not looks_like_category("Read more")
    assert not looks_like_category("one two three four five six seven")
    assert not looks_like_category("https://example.org")


def test_parse_listing_directly_names_items_after_item_source():
    report = parse_listing(
        "News\nA\n31 January 2023\nB\n", source="/tmp/x.txt", item_source="x.txt"
    )
    assert report.source == "/tmp/x.txt"
    assert report.items[0].source == "x.txt"


# -- speed --------------------------------------------------------------------------------
def test_ten_thousand_stories_import_every_one():
    # speed is a benchmark row (benchmarks/bench_import.py, bench_listing.py), not a timed test
    blocks = []
    for n in range(10_000):
        day = dt.date(2020, 1, 1) + dt.timedelta(days=n % 1000)
        teaser = f"Teaser number {n} about the project's activities in the region."
        blocks.append(
            f"Project News\nStory number {n}\n\n{day:%d %B %Y}\n\n{teaser}\n\n{teaser}\xa0\n"
        )
    text = "\n".join(blocks)
    report = import_text(text)
    assert len(report.items) == 10_000
    assert report.rejected == []
    assert all(item.summary.count("Teaser number") == 1 for item in report.items)


def test_rejections_come_in_line_order():
    text = (
        "News\nBad date\n30 February 2023\nBody.\n"
        "News\nFine\n1 February 2023\n2 February 2023\nBody.\n"
    )
    report = import_text(text)
    assert [r.location for r in report.rejected] == ["line 3", "line 8"]
