"""An item from its link: article pages read on their own and served on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import http.server
from collections.abc import Iterator
from typing import ClassVar

import pytest
from helpers.http_server import serving

from composer.errors import SourceError
from composer.library.importers import MAX_SOURCE_BYTES, import_source
from composer.library.importers.html_article import article_fields, fetch_article
from composer.library.importers.html_page import parse_html

OG_AND_JSON_LD = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Wetland funding approved | Lakeside Trust</title>
<meta property="og:type" content="article">
<meta property="og:site_name" content="Lakeside Trust">
<meta property="og:title" content="Wetland funding approved">
<meta property="og:description" content="The regional council backs the five-year plan.">
<meta property="og:image" content="/media/wetland-1200.jpg">
<meta property="og:image:alt" content="Reeds and open water">
<meta property="og:url" content="/news/wetland-funding">
<link rel="canonical" href="/news/wetland-funding">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Wetland funding approved",
 "datePublished": "2024-04-09T11:00:00+02:00", "articleSection": "Funding",
 "description": "A longer description from JSON-LD.", "image": ["/media/other.jpg"]}
</script>
</head><body>
<nav class="menu"><a href="/">Home</a> <time datetime="2020-01-01">1 Jan 2020</time></nav>
<article><h1>Wetland funding approved</h1><p>Body text.</p></article>
<aside class="related"><h2>Related</h2><ul>
 <li><a href="/news/a">Older story A</a> <time datetime="2023-01-01">1 Jan 2023</time></li>
 <li><a href="/news/b">Older story B</a> <time datetime="2023-02-01">1 Feb 2023</time></li>
 <li><a href="/news/c">Older story C</a> <time datetime="2023-03-01">1 Mar 2023</time></li>
</ul></aside>
</body></html>
"""

TITLE_AND_DESCRIPTION = """<html><head><title>Annual meeting moved to May - Harbour Club</title>
<meta name="description" content="The annual meeting is now on 14 May in the boat house.">
</head><body><div class="page"><h1>Annual meeting moved to May</h1>
<div class="meta">Published <time datetime="2024-03-20">20 March 2024</time></div>
<p>Members are asked to reply by the end of April.</p></div></body></html>
"""

PUBLISHED_TIME = """<html><head><title>Survey results</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Survey results are in">
<meta property="article:published_time" content="2023-11-02T07:45:00Z">
<meta property="article:section" content="Research">
</head><body><h1>Survey results are in</h1><p>Three hundred members answered.</p>
<p class="date">Updated 5 December 2023</p></body></html>
"""

UNDATED = """<html><head><meta property="og:title" content="About our work">
<meta property="og:type" content="article"><meta name="description" content="Who we are.">
</head><body><h1>About our work</h1></body></html>
"""

LISTING = """<!DOCTYPE html><html><head><title>News</title>
<link rel="alternate" type="application/atom+xml" href="/news/atom.xml"></head><body>
<div class="news-list">
 <div class="news-item"><h3><a href="wetland-funding">Wetland funding approved</a></h3>
  <span class="date">9 April 2024</span><img src="/media/wetland-300.jpg" alt=""></div>
 <div class="news-item"><h3><a href="annual-meeting">Annual meeting moved to May</a></h3>
  <span class="date">20 March 2024</span></div>
 <div class="news-item"><h3><a href="survey">Survey results are in</a></h3>
  <span class="date">2 November 2023</span></div>
</div></body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[bytes, str]]] = {
        "/news/": (LISTING.encode(), "text/html; charset=utf-8"),
        "/news/wetland-funding": (OG_AND_JSON_LD.encode(), "text/html; charset=utf-8"),
        "/news/annual-meeting": (TITLE_AND_DESCRIPTION.encode("cp1252"), "text/html"),
        "/news/survey": (PUBLISHED_TIME.encode(), "text/html;charset=UTF-8"),
        "/news/undated": (UNDATED.encode(), "text/html"),
        "/feed.xml": (b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>", "text/xml"),
        "/report.pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
    }
    accepts: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Handler.accepts.append(self.headers.get("Accept", ""))
        if self.path in self.pages:
            body, content_type = self.pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path in ("/short/wetland", "/to-ftp"):
            self.send_response(301 if self.path == "/short/wetland" else 302)
            target = "/news/wetland-funding" if self.path == "/short/wetland" else "ftp://x/a"
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(MAX_SOURCE_BYTES + 1))
            self.end_headers()
            self.wfile.write(b"<html>")
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(Handler) as url:
        yield url


def test_og_and_json_ld_article():
    report = parse_html(
        OG_AND_JSON_LD, source="a.html", page_url="https://lakeside.example/news/wetland-funding"
    )
    assert report.format == "article"
    (item,) = report.items
    assert item.title == "Wetland funding approved"
    assert item.summary == "The regional council backs the five-year plan."
    assert item.image_url == "https://lakeside.example/media/wetland-1200.jpg"
    assert item.image_alt == "Reeds and open water"
    assert item.url == "https://lakeside.example/news/wetland-funding"
    assert item.date == dt.date(2024, 4, 9)  # JSON-LD, not the menu's or the related stories'
    assert item.category == "Funding"


def test_only_title_and_description():
    report = parse_html(
        TITLE_AND_DESCRIPTION, source="b.html", page_url="https://club.example/news/meeting"
    )
    assert report.format == "article"
    (item,) = report.items
    assert item.title == "Annual meeting moved to May"  # without the site's suffix
    assert item.summary == "The annual meeting is now on 14 May in the boat house."
    assert item.date == dt.date(2024, 3, 20)
    assert item.url == "https://club.example/news/meeting"
    assert item.image_url is None
    assert item.category == "News"


def test_article_published_time_and_section():
    report = parse_html(PUBLISHED_TIME, source="c.html", default_category="Updates")
    (item,) = report.items
    assert item.title == "Survey results are in"
    assert item.date == dt.date(2023, 11, 2)
    assert item.category == "Research"
    assert item.url is None  # no address anywhere: none is invented


def test_an_undated_article_is_rejected_saying_so():
    report = parse_html(UNDATED, source="d.html", page_url="https://x.example/about")
    assert report.items == []
    (rejection,) = report.rejected
    assert rejection.location == "the page"
    assert rejection.reason == "no date found near 'About our work'"


def test_article_fields_without_a_date():
    fields = article_fields(UNDATED.encode(), page_url="https://x.example/about")
    assert fields == {
        "title": "About our work",
        "summary": "Who we are.",
        "url": "https://x.example/about",
    }


def test_article_fields_with_everything():
    fields = article_fields(OG_AND_JSON_LD, page_url="https://lakeside.example/x")
    assert fields["date"] == dt.date(2024, 4, 9)
    assert fields["url"] == "https://lakeside.example/news/wetland-funding"
    assert fields["category"] == "Funding"


def test_listing_page_from_a_url(server):
    report = import_source(f"{server}/news/")
    assert report.format == "html"
    assert [item.title for item in report.items] == [
        "Wetland funding approved",
        "Annual meeting moved to May",
        "Survey results are in",
    ]
    assert report.items[0].url == f"{server}/news/wetland-funding"
    assert report.items[0].image_url == f"{server}/media/wetland-300.jpg"
    assert report.items[0].source == f"{server}/news/"
    assert report.notes and f"{server}/news/atom.xml" in report.notes[0]
    assert "text/html" in Handler.accepts[-1]


def test_article_page_from_a_url(server):
    report = import_source(f"{server}/news/wetland-funding")
    assert report.format == "article"
    (item,) = report.items
    assert item.url == f"{server}/news/wetland-funding"
    assert item.image_url == f"{server}/media/wetland-1200.jpg"
    assert item.date == dt.date(2024, 4, 9)


def test_fetch_article_follows_redirects_to_the_canonical_page(server):
    report = fetch_article(f"{server}/short/wetland", default_category="Press")
    (item,) = report.items
    assert item.title == "Wetland funding approved"
    assert item.url == f"{server}/news/wetland-funding"
    assert item.source == f"{server}/short/wetland"


def test_fetch_article_reads_the_servers_charset(server):
    (item,) = fetch_article(f"{server}/news/annual-meeting").items
    assert item.title == "Annual meeting moved to May"


def test_fetch_article_of_a_listing_still_gives_one_story(server):
    report = fetch_article(f"{server}/news/")
    assert report.format == "article"
    assert len(report.items) + len(report.rejected) == 1


def test_fetch_article_without_a_date(server):
    report = fetch_article(f"{server}/news/undated")
    assert report.items == []
    assert report.rejected[0].reason == "no date found near 'About our work'"


def test_fetch_article_refuses_a_redirect_to_ftp(server):
    with pytest.raises(SourceError, match="redirects to 'ftp://x/a'"):
        fetch_article(f"{server}/to-ftp")


def test_fetch_article_refuses_an_oversized_page(server):
    with pytest.raises(SourceError, match="the limit is 20 MB"):
        fetch_article(f"{server}/huge")


def test_fetch_article_of_a_missing_page(server):
    with pytest.raises(SourceError, match="the server answered 404"):
        fetch_article(f"{server}/nowhere")


def test_fetch_article_refuses_other_schemes():
    with pytest.raises(SourceError, match="must start with http:// or https://"):
        fetch_article("file:///etc/passwd")


def test_fetch_article_of_a_feed_says_to_import_it(server):
    with pytest.raises(SourceError, match="is a feed, not an article's page"):
        fetch_article(f"{server}/feed.xml")


def test_fetch_article_of_a_pdf_says_what_it_is(server):
    url = f"{server}/report.pdf"
    with pytest.raises(SourceError) as caught:
        fetch_article(url)
    assert str(caught.value) == f"{url}: is not a web page (the server sent application/pdf)"


@pytest.mark.parametrize(
    "body",
    [
        # a date line under the headline, no markup saying so
        "<div class='c'><h1>Club news</h1><p>Veröffentlicht am 16.08.2019</p><p>Text.</p></div>",
        # the article's meta column is an <aside>
        "<div class='c'><aside class='columns'><ul><li class='meta__date'>16.08.2019</li></ul>"
        "</aside><h1>Club news</h1><p>Text.</p></div>",
        # the page's own date in a WebPage object (a CMS's SEO plugin writes one)
        '<script type="application/ld+json">{"@graph": [{"@type": "WebPage", '
        '"datePublished": "2019-08-16T10:13:17+00:00"}]}</script><h1>Club news</h1>',
    ],
)
def test_an_article_date_written_in_other_places(body):
    html = f"<html><head><title>Club news</title></head><body>{body}</body></html>"
    fields = article_fields(html, page_url="https://club.example/news")
    assert fields["date"] == dt.date(2019, 8, 16)
    assert fields["title"] == "Club news"


def test_an_article_date_in_the_menu_or_footer_is_not_the_articles():
    html = (
        "<html><head><title>About</title></head><body><nav><a href='/'>Home</a> "
        "<time datetime='2020-01-01'>1 Jan</time></nav><h1>About</h1><p>Who we are.</p>"
        "<footer><p class='date'>Updated 3 March 2021</p></footer></body></html>"
    )
    assert "date" not in article_fields(html, page_url="https://club.example/about")


def test_an_article_whose_json_ld_also_lists_related_stories_is_the_article():
    related = ",".join(
        f'{{"@type": "ListItem", "position": {n}, "url": "https://x.example/news/r{n}", '
        f'"name": "Related {n}"}}'
        for n in (1, 2, 3)
    )
    html = (
        "<html><head><title>Main story</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Main story", '
        '"datePublished": "2024-05-05"}</script>'
        '<script type="application/ld+json">'
        f'{{"@type": "ItemList", "itemListElement": [{related}]}}'
        "</script></head><body><h1>Main story</h1><p>Text.</p></body></html>"
    )
    report = parse_html(html, source="a.html", page_url="https://x.example/news/main")
    assert report.format == "article"
    assert [item.title for item in report.items] == ["Main story"]


def test_overlong_metadata_does_not_lose_the_story():
    html = (
        "<html><head>"
        f"<meta property='og:title' content='{'Very long title ' * 30}'>"
        f"<meta property='article:section' content='{'Section ' * 20}'>"
        "<meta property='article:published_time' content='2024-02-02'>"
        f"<meta name='description' content='{'Words. ' * 4000}'>"
        "</head><body><h1>The real headline</h1></body></html>"
    )
    report = parse_html(html, source="long.html", page_url="https://x.example/long")
    (item,) = report.items
    assert item.title == "The real headline"
    assert item.category == "News"
    assert len(item.summary) <= 20_000
