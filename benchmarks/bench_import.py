"""Importing real-world shapes: a 10,000-row CSV, a 1 MB listing page and paste, an article fetch.

Target (issue 10): a 10,000-row CSV or a 1 MB page imports in under 2 s. Each row
also gives a baseline that does the least any importer must do with the same input,
so the ratio shows what our reading costs on top:

- CSV: the standard library's ``csv.DictReader`` over the same text, each row made
  an item with :func:`composer.library.item.make_item` (no header aliases, no date columns);
- a page or a paste: ``lxml.html`` parsing the same markup (no story finding);
- a plain-text listing: splitting the same text into lines;
- an article fetch: a bare ``urllib`` GET of the same page from the same loopback
  server (no parsing).

The inputs are made up here, in the shapes of real exports and pages.
"""

from __future__ import annotations

import csv
import http.server
import io
import statistics
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator

import lxml.html

from composer.library.importers import ClipboardContent, import_clipboard, import_text
from composer.library.importers.html_article import fetch_article
from composer.library.item import make_item

Row = tuple[str, float, float, str, str]
_TARGET = "< 2 s"
_WORDS = (
    "water",
    "school",
    "partnership",
    "climate",
    "training",
    "ministry",
    "report",
    "regional",
    "dialogue",
    "harvest",
)


def _best(run: Callable[[], object], repeat: int = 3) -> float:
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _words(i: int, n: int) -> str:
    return " ".join(_WORDS[(i * 7 + k) % len(_WORDS)] for k in range(n))


def wordpress_csv(rows: int) -> str:
    """A WordPress-style export: post_* columns, date-times, a permalink, a category."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["post_id", "post_title", "post_date", "post_excerpt", "Permalink", "Categories"]
    )
    for i in range(rows):
        writer.writerow(
            [
                i,
                f"Story {i}: {_words(i, 8)}",
                f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d} 10:00:00",
                _words(i + 3, 60).capitalize() + ".",
                f"https://www.example.org/news/story-{i}",
                ("Project News", "Press Release", "In Focus")[i % 3],
            ]
        )
    return out.getvalue()


def _plain_csv(text: str) -> None:
    for row in csv.DictReader(io.StringIO(text)):
        make_item(
            {
                "title": row["post_title"],
                "date": row["post_date"][:10],
                "summary": row["post_excerpt"],
                "url": row["Permalink"],
                "category": row["Categories"],
            }
        )


def listing_page(size: int) -> str:
    """A CMS listing page of ``<article>`` cards with lazy images, about ``size`` bytes."""
    cards: list[str] = []
    i = 0
    total = 0
    while total < size:
        card = (
            f'<article class="post-card"><a href="/news/story-{i}/">'
            f'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
            f'data-src="/media/story-{i}.jpg" alt=""></a>'
            f'<span class="category">{("Press Release", "Project News")[i % 2]}</span>'
            f'<h2 class="post-title"><a href="/news/story-{i}/">Story {i}: {_words(i, 8)}</a></h2>'
            f'<time datetime="2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}">'
            f"{i % 28 + 1} January 2023</time>"
            f"<p>{_words(i + 1, 40).capitalize()}.</p></article>\n"
        )
        cards.append(card)
        total += len(card)
        i += 1
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>News</title>'
        '<link rel="canonical" href="https://www.example.org/news/"></head><body>'
        '<nav><a href="/">Home</a><a href="/about/">About</a></nav><main>'
        + "".join(cards)
        + "</main><footer><a href='/privacy/'>Privacy</a></footer></body></html>"
    )


def listing_text(size: int) -> str:
    """A plain-text listing (category, title, date, teaser), about ``size`` bytes."""
    blocks: list[str] = []
    total = 0
    i = 0
    while total < size:
        block = (
            f"{('Press Release', 'Project News')[i % 2]}\nStory {i}: {_words(i, 8)}\n"
            f"{i % 28 + 1} January 2023\n\n{_words(i + 1, 60).capitalize()}.\n\n"
        )
        blocks.append(block)
        total += len(block)
        i += 1
    return "".join(blocks)


def article_page() -> bytes:
    body = "".join(f"<p>{_words(i, 80).capitalize()}.</p>" for i in range(60))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>A well for the school | Example</title>"
        '<meta property="og:type" content="article">'
        '<meta property="og:title" content="A well for the school">'
        '<meta property="og:description" content="The village has clean water again.">'
        '<meta property="og:image" content="https://www.example.org/media/well.jpg">'
        '<meta property="article:published_time" content="2023-01-31T09:00:00+01:00">'
        '<link rel="canonical" href="https://www.example.org/news/well/">'
        f"</head><body><article><h1>A well for the school</h1>{body}</article></body></html>"
    ).encode()


class _Page(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def _served(body: bytes) -> Iterator[str]:
    _Page.body = body
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/news/well/"
    finally:
        server.shutdown()
        server.server_close()


def run() -> list[Row]:
    rows: list[Row] = []
    text = wordpress_csv(10_000)
    count = len(import_text(text, name="export.csv", format="csv").items)
    ours = _best(lambda: import_text(text, name="export.csv", format="csv"))
    rows.append(
        (
            f"import CSV, 10,000 rows ({count} items)",
            ours,
            _best(lambda: _plain_csv(text)),
            "s",
            _TARGET,
        )
    )

    page = listing_page(1_000_000)
    found = len(import_text(page, name="page.html", format="html").items)
    ours = _best(lambda: import_text(page, name="page.html", format="html"))
    parse = _best(lambda: lxml.html.fromstring(page.encode()))
    rows.append((f"import 1 MB listing page ({found} items)", ours, parse, "s", _TARGET))

    paste = ClipboardContent(html=page, text="", source_url="https://www.example.org/news/")
    pasted = len(import_clipboard(paste).items)
    ours = _best(lambda: import_clipboard(paste))
    rows.append((f"paste 1 MB of copied HTML ({pasted} items)", ours, parse, "s", _TARGET))

    listing = listing_text(1_000_000)
    stories = len(import_text(listing, format="listing").items)
    ours = _best(lambda: import_text(listing, format="listing"))
    split = _best(lambda: listing.splitlines())
    rows.append((f"paste 1 MB listing text ({stories} items)", ours, split, "s", _TARGET))

    for url in _served(article_page()):
        rows.append(_article_row(url))
    return rows


def _article_row(url: str) -> Row:
    fetch_article(url)  # warm: the first request pays for imports and the connection
    ours = statistics.median(_best(lambda: fetch_article(url), 1) for _ in range(5))
    bare = statistics.median(_best(lambda: urllib.request.urlopen(url).read(), 1) for _ in range(5))
    return ("article fetch on loopback (one item)", ours * 1000, bare * 1000, "ms", "")
