"""Importing from http(s) URLs, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from helpers.http_server import serving

from composer import __version__
from composer.errors import SourceError
from composer.library.importers import MAX_SOURCE_BYTES, import_source
from composer.library.importers.fetch import USER_AGENT, ascii_url, fetch_url

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Served</title><link>http://127.0.0.1/</link>
<item><title>Served story</title><link>/news/served</link>
<pubDate>Tue, 31 Jan 2023 10:00:00 GMT</pubDate><category>Press Release</category>
<description>&lt;p&gt;From the server.&lt;/p&gt;</description></item>
</channel></rss>
"""
CSV = b"title,date,category\nFrom a CSV url,2023-01-31,In Focus\n"
LISTING = b"""<!DOCTYPE html><html><head><title>News</title></head><body><ul>
<li><a href="/news/served">Served story</a> <time datetime="2023-01-31">31 Jan</time></li>
<li><a href="/news/second">Second served story</a> <time datetime="2023-01-30">30 Jan</time></li>
</ul></body></html>"""


class Handler(http.server.BaseHTTPRequestHandler):
    seen_agents: ClassVar[list[str]] = []
    seen_accepts: ClassVar[list[str]] = []
    release = threading.Event()

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def send_body(self, body: bytes, content_type: str = "application/rss+xml") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        Handler.seen_accepts.append(self.headers.get("Accept", ""))
        if self.path == "/feed":
            self.send_body(FEED)
        elif self.path == "/feed-as-text":
            self.send_body(FEED, "text/plain; charset=utf-8")
        elif self.path == "/export":
            self.send_body(CSV, "text/csv; charset=utf-8")
        elif self.path == "/old-feed":
            self.send_response(301)
            self.send_header("Location", "/feed")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/feed.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(MAX_SOURCE_BYTES + 1))
            self.end_headers()
            self.wfile.write(b"<rss>")  # then hang up: the client must not wait for the rest
        elif self.path == "/huge-undeclared":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()  # no Content-Length: read until the connection closes
            chunk = b"x" * 65536
            try:
                for _ in range(64):  # 4 MiB, more than the test's cap
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif self.path == "/slow":
            Handler.release.wait(5)  # longer than the client's timeout
            with contextlib.suppress(OSError):
                self.send_body(FEED)
        elif self.path == "/page":
            self.send_body(b"<!DOCTYPE html><html><body>Not a feed</body></html>", "text/html")
        elif self.path == "/listing":
            self.send_body(LISTING, "text/html; charset=utf-8")
        elif self.path == "/actualit%C3%A9s":  # the client sent the address percent-encoded
            self.send_body(FEED)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/drip":  # a byte every 0.2 s, well past the client's deadline
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(50):
                    if Handler.release.wait(0.2):
                        break
                    self.wfile.write(b" ")
                    self.wfile.flush()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    try:
        with serving(Handler) as url:
            yield url
    finally:
        Handler.release.set()


def test_feed_from_a_url(server):
    url = f"{server}/feed"
    report = import_source(url)
    assert report.source == url
    assert report.format == "rss"
    (item,) = report.items
    assert item.title == "Served story"
    assert item.category == "Press Release"
    assert item.summary == "From the server."
    assert item.source == url
    # The relative link is resolved against the feed's address.
    assert item.url == f"{server}/news/served"
    assert Handler.seen_agents[-1] == USER_AGENT == f"Newsdigest/{__version__}"


def test_redirect_to_http_is_followed(server):
    report = import_source(f"{server}/old-feed")
    assert [item.title for item in report.items] == ["Served story"]
    assert report.items[0].url == f"{server}/news/served"


def test_csv_url_is_recognised_by_content_type(server):
    report = import_source(f"{server}/export")
    assert report.format == "csv"
    assert report.items[0].title == "From a CSV url"


def test_404(server):
    url = f"{server}/missing"
    with pytest.raises(SourceError) as caught:
        import_source(url)
    assert str(caught.value) == f"{url}: cannot be downloaded: the server answered 404 Not Found"


@pytest.mark.parametrize(("path", "target"), [("/to-ftp", "ftp:"), ("/to-file", "file:")])
def test_redirect_to_another_scheme_is_refused(server, path, target):
    url = f"{server}{path}"
    with pytest.raises(SourceError) as caught:
        import_source(url)
    message = str(caught.value)
    assert message.startswith(f"{url}: redirects to '{target}")
    assert "not an http(s) address" in message


def test_declared_oversized_body_is_refused_before_reading(server):
    with pytest.raises(SourceError, match="the limit is 20 MB"):
        import_source(f"{server}/huge-declared")


def test_undeclared_oversized_body_is_cut_off(server):
    with pytest.raises(SourceError, match=r"is 1(\.\d)? MB; the limit is 1 MB"):
        fetch_url(f"{server}/huge-undeclared", max_bytes=1_000_000)


def test_slow_server_times_out(server):
    url = f"{server}/slow"
    with pytest.raises(SourceError) as caught:
        import_source(url, timeout=0.3)
    assert str(caught.value) == f"{url}: timed out after 0.3 seconds"


def test_a_web_page_is_read_as_a_page(server):
    # Served as text/html, it goes to the page reader (not the feed reader), which says
    # what it found: here no stories at all.
    url = f"{server}/page"
    with pytest.raises(SourceError) as caught:
        import_source(url)
    assert str(caught.value) == (
        f"{url}: has no list of stories we can recognise (no repeated links with dates) "
        "and is not an article page"
    )


def test_a_listing_page_from_a_url(server):
    report = import_source(f"{server}/listing")
    assert report.format == "html"
    assert [item.title for item in report.items] == ["Served story", "Second served story"]
    assert report.items[0].url == f"{server}/news/served"
    assert report.base_url == f"{server}/listing"
    assert "text/html" in Handler.seen_accepts[-1]


def test_nothing_listening():
    with pytest.raises(SourceError, match="cannot be downloaded"):
        import_source("http://127.0.0.1:9/feed", timeout=2)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/feed.xml", "file:///etc/passwd", "gopher://example.org/"]
)
def test_other_schemes_are_refused(url):
    with pytest.raises(SourceError) as caught:
        import_source(url)
    assert str(caught.value).startswith(f"{url}: ")
    assert "cannot be imported" in str(caught.value)


def test_fetch_url_refuses_other_schemes():
    with pytest.raises(SourceError, match="must start with http:// or https://"):
        fetch_url("ftp://example.org/feed.xml")


def test_feed_served_as_text_plain_is_still_a_feed(server):
    report = import_source(f"{server}/feed-as-text")
    assert report.format == "rss"
    assert [item.title for item in report.items] == ["Served story"]


def test_a_server_that_drips_is_stopped_at_the_deadline(server):
    with pytest.raises(SourceError, match="timed out after 1 seconds"):
        fetch_url(f"{server}/drip", timeout=1)


def test_an_address_as_the_browser_shows_it_is_sent_percent_encoded(server):
    report = import_source(f"{server}/actualités")
    assert report.format == "rss" and report.items


def test_ascii_url_encodes_the_host_and_the_path():
    assert ascii_url("https://bücher.example/actualités?q=été#à") == (
        "https://xn--bcher-kva.example/actualit%C3%A9s?q=%C3%A9t%C3%A9#%C3%A0"
    )
    assert ascii_url("https://example.org/a%20b?x=1") == "https://example.org/a%20b?x=1"


def test_a_redirect_loop_is_named(server):
    with pytest.raises(SourceError, match="keeps redirecting"):
        fetch_url(f"{server}/loop")


def test_a_download_too_large_gets_advice_for_an_address(server):
    with pytest.raises(SourceError, match="smaller page or feed"):
        fetch_url(f"{server}/huge-declared")
