"""Property tests: whatever the input, an importer returns a report or raises SourceError.

Nothing else may escape (no UnicodeDecodeError, KeyError, csv.Error, ...): the CLI
and the GUI show a SourceError's message, and any other exception would be a crash.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from composer.errors import SourceError
from composer.library.importers import FORMATS, ImportReport, import_source, import_text
from composer.library.item import FIELDS, NewsItem

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_counter = itertools.count()


def check(report: ImportReport) -> None:
    assert isinstance(report, ImportReport)
    assert report.format in FORMATS
    for item in report.items:
        assert isinstance(item, NewsItem)
        assert item.title and item.category
        assert item.url is None or item.url.startswith(("http://", "https://"))
    for rejection in report.rejected:
        assert rejection.location and rejection.reason
    assert len({item.id for item in report.items}) == len(report.items)
    assert all(isinstance(warning, str) for warning in report.warnings)


def text_outcome(text: str, fmt: str) -> None:
    try:
        report = import_text(text, format=fmt)
    except SourceError as error:
        assert error.source == "clipboard" and error.reason
        event(f"{fmt}: source error")
        return
    check(report)
    event(f"{fmt}: {'items' if report.items else 'report without items'}")


def file_outcome(path: Path) -> None:
    try:
        report = import_source(path)
    except SourceError as error:
        assert error.source == str(path) and error.reason
        event("source error")
        return
    check(report)
    event(f"{report.format}: {'items' if report.items else 'report without items'}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property-sources")


# -- arbitrary input ----------------------------------------------------------------------
@SETTINGS
@given(text=st.text(max_size=2000), fmt=st.sampled_from(("auto", *FORMATS)))
def test_import_text_with_any_text(text, fmt):
    text_outcome(text, fmt)


@SETTINGS
@given(
    data=st.binary(max_size=2000),
    extension=st.sampled_from(["txt", "xml", "atom", "csv", "tsv", "json", "dat", ""]),
)
def test_import_source_with_any_bytes(folder, data, extension):
    path = folder / f"source{next(_counter)}.{extension}".rstrip(".")
    path.write_bytes(data)
    file_outcome(path)


# -- input that looks almost right --------------------------------------------------------
LINE = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\xa0",
            "Project News",
            "In Focus",
            "Новости",
            "项目新闻",
            "31 January 2023",
            "January 31, 2023",
            "2023-01-31",
            "30 February 2023",
            "2023-13-45",
            "Tuesday, 31 January 2023",
            "Read more",
            "Read more » https://example.org/x",
            "https://example.org/story",
            "http://",
            "javascript:alert(1)",
            "<script>alert(1)</script>",
            "A title that is a sentence.",
            "x" * 350,
        ]
    ),
    st.text(max_size=60),
)


@SETTINGS
@given(
    lines=st.lists(LINE, max_size=40),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
)
def test_listing_like_text(lines, newline, bom):
    text = ("\ufeff" if bom else "") + newline.join(lines)
    text_outcome(text, "listing")
    text_outcome(text, "auto")


HEADER = st.sampled_from(
    ["title", "Title ", "DATE", "date", "category", "Image URL", "url", "tags", "Author", ""]
)
DATE = st.sampled_from(
    ["2023-01-31", "31 January 2023", "January 31, 2023", "30 February 2023", "01/02/2023", ""]
)
CELL = st.one_of(
    DATE,
    st.sampled_from(["https://e.org/a", "javascript:x", "Project News", "a;b|c"]),
    st.text(max_size=30),
)


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    header = draw(st.lists(HEADER, max_size=5))
    if draw(st.integers(0, 9)):  # mostly with the two required columns
        header += ["Title", "date"]
    header = draw(st.permutations(header)) if header else [""]
    date_column = header.index("date") if "date" in header else -1
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = draw(st.lists(CELL, min_size=len(header) - 1, max_size=len(header) + 1))
        if 0 <= date_column < len(row):
            row[date_column] = draw(DATE)
        rows.append(row)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@SETTINGS
@given(text=csv_text())
def test_csv_like_text(text):
    text_outcome(text, "csv")
    text_outcome(text, "auto")


JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
FIELD_VALUE = st.one_of(
    JSON_VALUE,
    DATE,
    st.sampled_from(["https://e.org/a", "u-0123456789abcdef", "2023-01-31T10:00:00+00:00"]),
    st.lists(st.text(max_size=10), max_size=4),
)
ENTRY = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), FIELD_VALUE, max_size=8),
    st.fixed_dictionaries(
        {"title": st.text(min_size=1, max_size=40), "date": DATE},
        optional={field: FIELD_VALUE for field in FIELDS if field not in ("title", "date")},
    ),
    JSON_VALUE,
)


@SETTINGS
@given(entries=st.lists(ENTRY, max_size=10))
def test_json_like_text(entries):
    text = json.dumps(entries)
    text_outcome(text, "json")
    text_outcome(text, "auto")


FEED_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            "Tue, 31 Jan 2023 10:00:00 GMT",
            "2023-01-31T23:30:00-05:00",
            "2023-02-30",
            "javascript:alert(1)",
            "https://example.org/a",
            "<p>para</p><script>x</script>",
            "&lt;b&gt;escaped&lt;/b&gt;",
        ]
    ),
    st.text(max_size=40),
)


@SETTINGS
@given(
    items=st.lists(
        st.tuples(FEED_TEXT, FEED_TEXT, FEED_TEXT, FEED_TEXT, FEED_TEXT, st.booleans()),
        max_size=6,
    ),
    atom=st.booleans(),
)
def test_feed_like_text(items, atom):
    parts = []
    for title, link, date, summary, category, escaped in items:

        def put(value: str, escaped: bool = escaped) -> str:
            return escape(value) if escaped else value

        if atom:
            parts.append(
                f'<entry><title>{put(title)}</title><link href="{escape(link)}"/>'
                f'<updated>{put(date)}</updated><summary type="html">{put(summary)}</summary>'
                f'<category term="{escape(category)}"/></entry>'
            )
        else:
            parts.append(
                f"<item><title>{put(title)}</title><link>{put(link)}</link>"
                f"<pubDate>{put(date)}</pubDate><description>{put(summary)}</description>"
                f"<category>{put(category)}</category>"
                f'<media:content url="{escape(link)}" medium="image"/></item>'
            )
    body = "".join(parts)
    if atom:
        text = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{body}</feed>'
    else:
        text = (
            '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
            f"<channel><title>t</title>{body}</channel></rss>"
        )
    text_outcome(text, "rss")
    text_outcome(text, "auto")


@SETTINGS
@given(
    lines=st.lists(LINE, max_size=30),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "koi8-r"]),
    extension=st.sampled_from(["txt", "csv", "json", "xml", "dat"]),
)
def test_text_files_in_any_encoding(folder, lines, encoding, extension):
    path = folder / f"encoded{next(_counter)}.{extension}"
    path.write_bytes("\n".join(lines).encode(encoding, "replace"))
    file_outcome(path)
