"""Property tests for HTML: whatever the markup, a paste or a page gives a report or a SourceError.

Pages are built from the pieces real listings are made of (cards with links, dates,
images, lazy images, JSON-LD, navigation) filled with arbitrary text and addresses,
and from arbitrary bytes; nothing but :class:`SourceError` may escape, and every
item that comes out has an absolute http(s) link or none.
"""

from __future__ import annotations

import html
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.errors import SourceError
from composer.library.importers import (
    FORMATS,
    ClipboardContent,
    ImportReport,
    import_clipboard,
    import_text,
)
from composer.library.importers.html_article import article_fields

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
hrefs = st.one_of(
    st.sampled_from(
        ["/news/a", "news/b?x=1#f", "https://example.org/c", "javascript:alert(1)", "", "//cdn.x/y"]
    ),
    words,
)
dates = st.one_of(
    st.sampled_from(["2024-03-02", "2 March 2024", "02/03/2024", "31 février 2023", "yesterday"]),
    words,
)


@st.composite
def cards(draw: st.DrawFn) -> str:
    title = html.escape(draw(words))
    href = html.escape(draw(hrefs), quote=True)
    date = html.escape(draw(dates), quote=True)
    image = html.escape(draw(hrefs), quote=True)
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return (
            f'<article><h2><a href="{href}">{title}</a></h2><time datetime="{date}">{date}</time>'
            f'<img data-src="{image}" src="data:,"><p>{html.escape(draw(words))}</p></article>'
        )
    if shape == 1:
        return f'<li><a href="{href}">{title}</a> <span class="date">{date}</span></li>'
    if shape == 2:
        return f'<tr><td>{date}</td><td><a href="{href}">{title}</a></td></tr>'
    return f'<div class="views-row"><img srcset="{image} 2x, {href} 480w"><a>{title}</a></div>'


@st.composite
def pages(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(cards(), max_size=8)))
    head = ""
    if draw(st.booleans()):
        head += f'<base href="{html.escape(draw(hrefs), quote=True)}">'
    if draw(st.booleans()):
        item = {
            "@type": draw(st.sampled_from(["NewsArticle", "ItemList", "Thing"])),
            "name": draw(words),
        }
        head += f'<script type="application/ld+json">{json.dumps(item)}</script>'
    if draw(st.booleans()):
        head += '<meta property="og:type" content="article">'
    nav = "<nav><a href='/'>Home</a></nav>" if draw(st.booleans()) else ""
    return f"<html><head>{head}</head><body>{nav}<main>{body}</main></body></html>"


def check(report: ImportReport) -> None:
    assert report.format in (*FORMATS, "article")
    for item in report.items:
        assert item.title and item.category
        assert item.url is None or item.url.startswith(("http://", "https://"))
        assert item.image_url is None or item.image_url.startswith(("http://", "https://"))
    for rejection in report.rejected:
        assert rejection.location and rejection.reason and rejection.count >= 1


@SETTINGS
@given(pages(), st.sampled_from([None, "https://example.org/news/"]))
def test_pages_of_cards_give_a_report_or_a_source_error(page: str, base: str | None) -> None:
    try:
        report = import_clipboard(ClipboardContent(html=page, text="", source_url=base))
    except SourceError as error:
        assert error.reason
        return
    check(report)


@SETTINGS
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_as_a_page(data: bytes) -> None:
    text = data.decode("utf-8", "replace").replace("\x00", "")
    try:
        report = import_text("<html>" + text, format="html")
    except SourceError as error:
        assert error.reason
        return
    check(report)


@SETTINGS
@given(pages())
def test_article_fields_give_fields_or_a_source_error(page: str) -> None:
    try:
        fields = article_fields(page, page_url="https://example.org/a")
    except SourceError as error:
        assert error.reason  # e.g. control characters: "is not a text file"
        return
    assert isinstance(fields, dict)
    assert all(isinstance(key, str) for key in fields)
