"""HTML pages as a whole: the base relative links resolve against, charsets, broken markup."""

from __future__ import annotations

import contextlib
import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.errors import SourceError
from composer.library.importers import ReadOptions, import_source, import_text
from composer.library.importers.detect import format_from_name, sniff_format
from composer.library.importers.html_page import NO_BASE, parse_html

CARDS = """
<ul class="news">
  <li><h3><a href="story-one.html">Story one</a></h3><time datetime="2024-02-01">1 Feb</time>
    <img src="img/one.jpg" alt=""></li>
  <li><h3><a href="story-two.html">Story two</a></h3><time datetime="2024-01-15">15 Jan</time></li>
</ul>
"""


def listing(head: str = "", body: str = CARDS) -> str:
    return f"<html><head><title>News</title>{head}</head><body>{body}</body></html>"


def urls(report) -> list[str | None]:
    return [item.url for item in report.items]


def test_base_href_wins_over_canonical_and_page_url():
    html = listing(
        '<base href="https://cdn.example/archive/">'
        '<link rel="canonical" href="https://www.example/news/">'
    )
    report = parse_html(html, source="p", page_url="https://mirror.example/x/")
    assert urls(report) == [
        "https://cdn.example/archive/story-one.html",
        "https://cdn.example/archive/story-two.html",
    ]
    assert report.items[0].image_url == "https://cdn.example/archive/img/one.jpg"
    assert report.base_url == "https://cdn.example/archive/"


def test_canonical_then_og_url_then_page_url():
    canonical = listing('<link rel="canonical" href="https://www.example/news/">')
    assert parse_html(canonical, source="p").base_url == "https://www.example/news/"
    og = listing('<meta property="og:url" content="https://og.example/list/">')
    assert urls(parse_html(og, source="p"))[0] == "https://og.example/list/story-one.html"
    plain = parse_html(listing(), source="p", page_url="https://fetched.example/n/")
    assert urls(plain)[1] == "https://fetched.example/n/story-two.html"


def test_a_relative_canonical_resolves_against_the_page_url():
    html = listing('<link rel="canonical" href="index.html">')
    report = parse_html(html, source="p", page_url="https://site.example/news/")
    assert report.base_url == "https://site.example/news/index.html"
    assert urls(report)[0] == "https://site.example/news/story-one.html"


def test_the_users_base_url_wins():
    html = listing('<base href="https://cdn.example/archive/">')
    report = parse_html(html, source="p", base_url="https://mine.example/news/")
    assert urls(report)[0] == "https://mine.example/news/story-one.html"
    assert report.base_url == "https://mine.example/news/"


def test_base_url_option_through_import_source(tmp_path):
    path = tmp_path / "saved.html"
    path.write_text(listing(), encoding="utf-8")
    report = import_source(path, options=ReadOptions(base_url="https://saved.example/news/"))
    assert report.format == "html"
    assert urls(report)[0] == "https://saved.example/news/story-one.html"
    assert report.items[0].source == "saved.html"


def test_no_base_at_all_warns_once_and_stores_no_relative_links():
    report = parse_html(listing(), source="p")
    assert [item.title for item in report.items] == ["Story one", "Story two"]
    assert urls(report) == [None, None]
    assert report.items[0].image_url is None
    assert report.warnings == [NO_BASE]
    assert "--base-url" in NO_BASE
    assert report.base_url is None


@pytest.mark.parametrize(
    ("encoding", "declared", "content_type"),
    [
        ("cp1252", "<meta charset='windows-1252'>", None),
        (
            "latin-1",
            '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">',
            None,
        ),
        ("cp1252", "", "text/html; charset=ISO-8859-1"),
        ("utf-16", "", None),  # with its BOM
        ("utf-8-sig", "", "text/html; charset=latin-1"),  # the BOM wins over the header
        ("utf-8", "<meta charset='utf-8'>", None),
        ("utf-8", "", None),
    ],
)
def test_charsets(encoding, declared, content_type):
    html = listing(declared, CARDS.replace("Story one", "Café crème"))
    report = parse_html(
        html.encode(encoding), source="p", page_url="https://x.example/", content_type=content_type
    )
    assert [item.title for item in report.items] == ["Café crème", "Story two"]
    assert report.warnings == []


def test_a_title_in_the_declared_charset():
    data = (
        "<meta charset='iso-8859-15'><ul>"
        "<li><a href='/a'>Été à la plage</a> 3 juillet 2024</li>"
        "<li><a href='/b'>Hiver</a> 3 janvier 2024</li></ul>"
    ).encode("iso-8859-15")
    report = parse_html(data, source="p", page_url="https://x.example/")
    assert report.items[0].title == "Été à la plage"
    assert report.items[0].date == dt.date(2024, 7, 3)


def test_undeclared_non_utf8_bytes_are_read_as_windows_1252_with_a_warning():
    data = listing().replace("Story one", "Caf\x00").encode().replace(b"\x00", b"\xe9")
    report = parse_html(data, source="p", page_url="https://x.example/")
    assert report.items[0].title == "Café"
    assert "read as Windows-1252" in report.warnings[0]


def test_detection():
    assert format_from_name("saved/News.HTML") == "html"
    assert format_from_name("https://example.org/news/index.htm") == "html"
    assert sniff_format("<!DOCTYPE html><html><body>") == "html"
    assert sniff_format("  <html lang='en'>") == "html"
    assert sniff_format("<meta charset='utf-8'><div><a href='x'>A</a></div>") == "html"
    assert sniff_format("<?xml version='1.0'?>\n<!-- c --><rss version='2.0'/>") == "rss"
    assert sniff_format("<feed xmlns='http://www.w3.org/2005/Atom'>") == "rss"
    assert sniff_format("<?xml version='1.0'?><rdf:RDF>") == "rss"


def test_a_txt_file_holding_a_page_is_read_as_html(tmp_path):
    path = tmp_path / "copied.txt"
    path.write_text(listing('<base href="https://b.example/">'), encoding="utf-8")
    report = import_source(path)
    assert report.format == "html"
    assert urls(report)[0] == "https://b.example/story-one.html"


@pytest.mark.parametrize(
    "html",
    [
        "<",
        "<html",
        "<html><body><div><div><a href='x'>unclosed",
        "<table><tr><td><a href='/a'>A</a> 1 May 2024<td><a href='/b'>B</a> 2 May 2024",
        "<a href='javascript:alert(1)'>Click</a> 1 May 2024 <a href='javascript:x'>X</a> 2 May",
        "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
        "<html><body>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "</body></html>",
        "<ul><li><a href='http://[::1'>Broken host</a> 1 May 2024</li>"
        "<li><a href='http://x:99999/'>Bad port</a> 2 May 2024</li></ul>",
        '<script type="application/ld+json">{"@type": "ItemList", "itemListElement": 5}</script>',
        '<script type="application/ld+json">{not json</script><h1>x</h1>',
        "<meta charset='no-such-charset'><p>x</p>",
        "<html><body><time datetime='9999-99-99'>x</time><h1>T</h1></body></html>",
        "\x00\x01\x02<html>",
    ],
)
def test_broken_html_is_a_clear_error_or_a_report_never_a_traceback(html):
    try:
        report = import_text(
            html, format="html", options=ReadOptions(base_url="https://x.example/")
        )
    except SourceError as error:
        assert str(error).startswith("clipboard: ")
    else:
        for item in report.items:
            assert item.url is None or item.url.startswith(("http://", "https://"))


def test_random_tag_soup_never_raises_anything_but_a_source_error():
    rng = random.Random(10)
    pieces = [
        "<div class='card'>",
        "</div>",
        "<a href='/s/",
        "'>",
        "</a>",
        "<h2>",
        "</h2>",
        "3 May 2024",
        "2024-05-03",
        "<time datetime='2024-05-0",
        "<img src='",
        "data:",
        "<li>",
        "</li>",
        "<ul>",
        "<table><tr><td>",
        "<script type='application/ld+json'>{",
        "</script>",
        "Title words here",
        "<",
        ">",
        "'",
        '"',
        "&amp;",
        "&#x0;",
        "<nav>",
        "<p>",
    ]
    for _ in range(300):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 60)))
        with contextlib.suppress(SourceError):
            parse_html(html, source="soup", page_url="https://soup.example/")


def test_the_address_a_browser_noted_when_saving_the_page():
    html = (
        "<!DOCTYPE html>\n<!-- saved from url=(0031)https://saved.example/archive/ -->\n"
        + listing()
    )
    report = parse_html(html, source="p")
    assert report.base_url == "https://saved.example/archive/"
    assert urls(report)[0] == "https://saved.example/archive/story-one.html"
    assert report.warnings == []


def test_the_oembed_link_names_the_page_of_a_saved_wordpress_copy():
    head = (
        '<link rel="canonical" href="index.html">'
        '<link rel="alternate" type="application/json+oembed" '
        'href="../wp-json/oembed/1.0/embed?url=https%3A%2F%2Fwp.example%2Fnews%2F">'
    )
    report = parse_html(listing(head), source="p")
    assert report.base_url == "https://wp.example/news/index.html"
    assert urls(report)[1] == "https://wp.example/news/story-two.html"


def test_an_absolute_srcset_serves_when_src_is_relative_and_there_is_no_base():
    body = CARDS.replace(
        '<img src="img/one.jpg" alt="">',
        '<img src="img/one.jpg" srcset="https://cdn.example/one-800.jpg 800w" alt="">',
    )
    report = parse_html(listing(body=body), source="p")
    assert report.items[0].image_url == "https://cdn.example/one-800.jpg"
    assert report.warnings == [NO_BASE]  # the links are still relative


_TAGS = ["div", "li", "ul", "a", "h2", "h3", "p", "time", "img", "table", "tr", "td", "article"]
_ATTRS = [
    "href='/s/x'",
    "href='javascript:x'",
    "datetime='2024-05-03'",
    "src='data:x'",
    "srcset='/a.jpg 2x, '",
    "class='date'",
    "class='sidebar'",
    "itemprop='datePublished'",
]


@given(
    st.lists(
        st.one_of(
            st.builds(lambda t, a: f"<{t} {a}>", st.sampled_from(_TAGS), st.sampled_from(_ATTRS)),
            st.builds(lambda t: f"</{t}>", st.sampled_from(_TAGS)),
            st.sampled_from(["3 May 2024", "05/06/07", "Title words", "&amp;", "<", "\u202e"]),
            st.text(max_size=12),
        ),
        max_size=50,
    ),
    st.sampled_from([None, "https://h.example/news/"]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_markup_is_a_report_or_a_source_error(pieces, page_url):
    try:
        report = parse_html("".join(pieces), source="gen", page_url=page_url)
    except SourceError as error:
        assert str(error).startswith("gen: ")
    else:
        for item in report.items:
            assert item.url is None or item.url.startswith(("http://", "https://"))
            assert item.image_url is None or item.image_url.startswith(("http://", "https://"))


def test_a_story_with_a_broken_link_is_kept_without_it_saying_so():
    html = (
        "<ul><li><a href='http://x.example:99999/'>Bad port</a> 2 May 2024 "
        "<img src='http://[::1' alt=''></li><li><a href='/b'>Good</a> 1 May 2024</li></ul>"
    )
    report = parse_html(html, source="p", page_url="https://e.example/")
    assert [(item.title, item.url) for item in report.items] == [
        ("Bad port", None),
        ("Good", "https://e.example/b"),
    ]
    assert report.items[0].image_url is None
    assert report.warnings == [
        "line 1: the link of 'Bad port', 'http://x.example:99999/', is not a valid web address; "
        "the story was kept without a link"
    ]
