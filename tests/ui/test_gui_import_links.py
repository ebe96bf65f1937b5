"""Items from their links: pasted or dropped links fetched in the background, the item
dialog's "Fetch details from link…", and the digest pane's mark on items without a link.

Article pages are served by a real http server on 127.0.0.1 (invented pages).
"""

from __future__ import annotations

import http.server
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, window_factory  # noqa: E402
from helpers.http_server import serving  # noqa: E402
from PySide6.QtCore import QByteArray, QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from composer.library.item import make_item  # noqa: E402
from ui.digest_model import NO_LINK_ROLE  # noqa: E402
from ui.import_preview_model import COLUMNS, NEW, REJECTED, STATE_ROLE  # noqa: E402
from ui.item_dialog import ItemDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

ARTICLE = """<!DOCTYPE html>
<html><head><title>{title} | Harbour Trust</title>
<link rel="canonical" href="{base}/news/{slug}">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{summary}">
<meta property="og:image" content="{base}/media/{slug}.jpg">
<meta property="article:published_time" content="{date}T09:00:00Z">
<meta property="article:section" content="{section}">
</head><body><nav><a href="/">Home</a></nav>
<article><h1>{title}</h1><p>{summary}</p></article></body></html>
"""
PAGES = {
    "ferry-timetable": (
        "New ferry timetable for the winter",
        "The winter timetable adds two early crossings.",
        "2024-11-04",
        "Harbour News",
    ),
    "lighthouse": (
        "Lighthouse reopens to visitors",
        "After two years of repairs the lighthouse is open again.",
        "2024-10-28",
        "Heritage",
    ),
}


LISTING_PAGE = """<!DOCTYPE html>
<html><head><title>News | Harbour Trust</title>
<link rel="alternate" type="application/rss+xml" title="News" href="/news/feed.xml">
</head><body><main><ul>
<li class="card"><h3><a href="/news/ferry-timetable">New ferry timetable for the winter</a></h3>
<time datetime="2024-11-04">4 November 2024</time><p>Two early crossings.</p></li>
<li class="card"><h3><a href="/news/lighthouse">Lighthouse reopens to visitors</a></h3>
<time datetime="2024-10-28">28 October 2024</time><p>Open again.</p></li>
</ul></main></body></html>
"""
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Trust</title><link>{base}/news/</link>
<item><title>New ferry timetable for the winter</title><link>{base}/news/ferry-timetable</link>
<pubDate>Mon, 04 Nov 2024 09:00:00 GMT</pubDate><category>Harbour News</category>
<description>The winter timetable adds two early crossings.</description></item>
<item><title>Lighthouse reopens to visitors</title><link>{base}/news/lighthouse</link>
<pubDate>Mon, 28 Oct 2024 09:00:00 GMT</pubDate><category>Heritage</category>
<description>Open again.</description></item>
<item><title>Volunteers clean the north beach</title><link>{base}/news/beach</link>
<pubDate>Sat, 12 Oct 2024 09:00:00 GMT</pubDate><category>Community</category>
<description>Forty volunteers.</description></item>
</channel></rss>
"""


@pytest.fixture
def windows(qtbot, tmp_path) -> Iterator[Windows]:
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def site() -> Iterator[str]:
    """A loopback web site with two article pages; any other path is a 404."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            slug = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            kind = "text/html; charset=utf-8"
            if slug == "news":
                body = LISTING_PAGE.encode("utf-8")
            elif slug == "feed.xml":
                body, kind = FEED.format(base=base).encode("utf-8"), "application/rss+xml"
            elif slug in PAGES:
                title, summary, date, section = PAGES[slug]
                body = ARTICLE.format(
                    base=base, slug=slug, title=title, summary=summary, date=date, section=section
                ).encode("utf-8")
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url


def column(window: MainWindow, name: str) -> list[str]:
    dialog = window.import_preview
    assert dialog is not None
    n = COLUMNS.index(name)
    return [dialog.model.index(r, n).data() for r in range(dialog.model.rowCount())]


def test_pasted_links_are_fetched_in_the_background_into_filled_items(
    windows: Windows, qtbot, site: str
) -> None:
    windows.library()
    win = windows.open(threaded=True)
    clipboard = QGuiApplication.clipboard()
    try:
        clipboard.setText(
            f"{site}/news/ferry-timetable?utm_source=newsletter\n"
            f"{site}/news/lighthouse\n"
            f"{site}/news/gone\n"
        )
        task = win.actions_by_name["paste"].trigger()
        del task
        qtbot.waitUntil(lambda: win.import_preview is not None, timeout=30_000)
    finally:
        clipboard.clear()
    dialog = win.import_preview
    assert dialog is not None
    states = [dialog.model.index(r, 0).data(STATE_ROLE) for r in range(dialog.model.rowCount())]
    assert states == [NEW, NEW, REJECTED]
    assert column(win, "Title")[:2] == [PAGES[s][0] for s in ("ferry-timetable", "lighthouse")]
    assert column(win, "Link")[:2] == [f"{site}/news/ferry-timetable", f"{site}/news/lighthouse"]
    assert column(win, "Category")[:2] == ["Harbour News", "Heritage"]
    assert column(win, "Date")[:2] == ["2024-11-04", "2024-10-28"]
    assert f"{site}/news/gone" in column(win, "Title")[2]
    dialog.import_button.click()
    ferry = next(i for i in win.library.items() if i.title.startswith("New ferry"))
    assert ferry.summary == PAGES["ferry-timetable"][1]
    assert ferry.image_url == f"{site}/media/ferry-timetable.jpg"
    assert len(win.library.items()) == 2


def drop_on(target: QWidget, mime: QMimeData) -> bool:
    """Drag ``mime`` over ``target`` and drop it there; whether the drop was taken."""
    actions = Qt.DropAction.CopyAction | Qt.DropAction.LinkAction
    point = QPointF(target.rect().center())
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    with warnings.catch_warnings():  # PySide marks Qt 6's only constructor deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, keys)
    QApplication.sendEvent(target, enter)  # a drop goes to the widget that took the drag
    if not enter.isAccepted():
        return False
    drop = QDropEvent(point, actions, mime, buttons, keys)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def test_a_link_dropped_on_the_library_is_fetched(windows: Windows, qtbot, site: str) -> None:
    older = make_item({"category": "Harbour News", "title": "Older story", "date": "2024-01-02"})
    windows.library(items=[older])
    win = windows.open()
    mime = QMimeData()
    mime.setUrls([QUrl(f"{site}/news/lighthouse")])
    assert drop_on(win.library_pane.table.viewport(), mime)
    qtbot.waitUntil(lambda: win.import_preview is not None, timeout=30_000)
    assert column(win, "Title") == ["Lighthouse reopens to visitors"]


def test_a_file_dropped_on_the_welcome_page_is_previewed(
    windows: Windows, qtbot, tmp_path: Path
) -> None:
    sheet = tmp_path / "news.csv"
    sheet.write_text(
        "title,date,category\nHarbour crane restored,2024-09-02,Heritage\n", encoding="utf-8"
    )
    windows.library()
    win = windows.open()
    assert win.library_pane.currentIndex() == 0  # an empty library shows the welcome page
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sheet))])
    assert drop_on(win.library_pane.welcome, mime)
    qtbot.waitUntil(lambda: win.import_preview is not None, timeout=30_000)
    assert column(win, "Title") == ["Harbour crane restored"]
    library_drag = QMimeData()  # the library's own drags are not imports
    library_drag.setData("application/x-newsdigest-item-ids", QByteArray(b'["t-1"]'))
    library_drag.setUrls([QUrl("https://www.harbourtrust.example/news/x")])
    assert not drop_on(win.library_pane.welcome, library_drag)


def test_the_item_dialog_fetches_details_from_the_link(windows: Windows, site: str) -> None:
    windows.library()
    win = windows.open()
    dialog = ItemDialog(["Harbour News", "Heritage"], parent=win, executor=win.workers.work)
    try:
        assert not dialog.fetch_button.isEnabled()  # no link typed yet
        dialog.url.setText(f"{site}/news/lighthouse?utm_campaign=x")
        dialog.summary.setPlainText("My own words about the lighthouse.")
        asked: list[str] = []

        def refuse(title: str, text: str) -> bool:
            asked.append(text)
            return False

        dialog.confirm = refuse  # type: ignore[method-assign]
        dialog.fetch_button.click()
        assert dialog.title.text() == "Lighthouse reopens to visitors"
        assert dialog.date.date().toString("yyyy-MM-dd") == "2024-10-28"
        assert dialog.category.currentText() == "Heritage"
        assert dialog.image_url.text() == f"{site}/media/lighthouse.jpg"
        assert dialog.url.text() == f"{site}/news/lighthouse"  # the canonical link
        assert dialog.summary.toPlainText() == "My own words about the lighthouse."
        assert asked and "summary" in asked[0]
        dialog.confirm = lambda title, text: True  # type: ignore[method-assign]
        dialog.fetch_button.click()
        assert dialog.summary.toPlainText() == PAGES["lighthouse"][1]
        dialog.accept()
        item = dialog.result_item
        assert item is not None and item.url == f"{site}/news/lighthouse"
    finally:
        dialog.deleteLater()


def test_a_link_that_cannot_be_read_is_explained_in_the_item_dialog(
    windows: Windows, site: str
) -> None:
    windows.library()
    win = windows.open()
    dialog = ItemDialog([], parent=win, executor=win.workers.work)
    try:
        dialog.url.setText(f"{site}/news/gone")
        dialog.fetch_button.click()
        assert "404" in dialog.error.text() or "not" in dialog.error.text()
        assert dialog.title.text() == ""
    finally:
        dialog.deleteLater()


def test_digest_items_without_a_link_are_marked(windows: Windows) -> None:
    linked = make_item(
        {"category": "Heritage", "title": "Linked story", "date": "2023-01-10",
         "url": "https://www.harbourtrust.example/news/linked"}
    )  # fmt: skip
    bare = make_item({"category": "Heritage", "title": "Bare story", "date": "2023-01-11"})
    windows.library(items=[linked, bare])
    win = windows.open()
    win.digests.draft_from_month("2023-01")
    model = win.document.model
    marks = {}
    for item in (linked, bare):
        index = model.index_of_item(item.id)
        marks[item.title] = (
            index.data(NO_LINK_ROLE),
            index.siblingAtColumn(1).data(Qt.ItemDataRole.DecorationRole) is not None,
            "No link: readers cannot read more" in index.data(Qt.ItemDataRole.ToolTipRole),
        )
    assert marks == {"Linked story": (False, False, False), "Bare story": (True, True, True)}
    assert "no link" in win.document.model.index_of_item(bare.id).data(
        Qt.ItemDataRole.AccessibleTextRole
    )


def test_a_listing_page_that_advertises_a_feed_offers_to_import_the_feed(
    windows: Windows, qtbot, site: str
) -> None:
    windows.library()
    win = windows.open(threaded=True)  # the page, and then the feed, are read on the worker
    win.import_sources([f"{site}/news/"], preview=True)
    qtbot.waitUntil(lambda: win.import_preview is not None, timeout=30_000)
    dialog = win.import_preview
    assert dialog is not None
    assert column(win, "Link") == [f"{site}/news/ferry-timetable", f"{site}/news/lighthouse"]
    notes = [dialog.messages.item(n).text() for n in range(dialog.messages.count())]
    assert any(f"{site}/news/feed.xml" in note for note in notes)
    assert dialog.feed_button.isVisibleTo(dialog)
    dialog.feed_button.click()
    qtbot.waitUntil(lambda: not dialog.rereads.running, timeout=30_000)
    assert dialog.reads[0].name == f"{site}/news/feed.xml"
    assert column(win, "Category") == ["Harbour News", "Heritage", "Community"]
    assert dialog.import_button.text().replace("&", "") == "Import 3 items"
    dialog.import_button.click()
    assert len(win.library.items()) == 3


def test_cancelling_the_link_fetch_adds_nothing(windows: Windows, qtbot, site: str) -> None:
    windows.library()
    win = windows.open(threaded=True)
    links = [f"{site}/news/lighthouse", f"{site}/news/ferry-timetable"]
    task = win.imports.fetch_links(links)
    task.cancel()
    qtbot.waitUntil(lambda: task.outcome is not None, timeout=30_000)
    assert "cancelled" in win.imports.last_import_summary
    assert win.import_preview is None and win.library.items() == []
