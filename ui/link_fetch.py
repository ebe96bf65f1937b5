"""Items from article links: pasted or dropped links fetched in the background.

A paste (or a drop onto the library) that is nothing but http(s) links becomes
an :class:`~ui.importing.ImportTask` (a work operation, on the window's work pool)
whose reader fetches each article with the core's
:func:`composer.library.importers.html_article.fetch_article` (title, summary, date,
image, category and canonical url from the page itself). :func:`merge_links`
then makes one preview source of them all, a link that could not be read being
a rejected entry that names it. :class:`LinkDropFilter` lets a widget take such
drops without changing the widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

from composer.library.import_formats import DEFAULT_CATEGORY
from ui.digest_model import ITEMS_MIME
from ui.importing import Reader, SourceRead

if TYPE_CHECKING:
    from PySide6.QtCore import QMimeData

    from composer.library.importers.base import ImportReport

#: Seconds one article page may take.
ARTICLE_TIMEOUT = 15.0


def fetch_article_report(
    url: str, default_category: str = DEFAULT_CATEGORY, timeout: float = ARTICLE_TIMEOUT
) -> ImportReport:
    """The one item of an article page (runs on the worker)."""
    from composer.library.importers.html_article import fetch_article

    return fetch_article(url, timeout=timeout, default_category=default_category)


def article_reader(default_category: str = DEFAULT_CATEGORY) -> Reader:
    """A task reader that fetches each link (a link that fails is a read with its error:
    the task makes it, as for any source)."""

    def read(url: str) -> SourceRead:
        return SourceRead(url, fetch_article_report(url, default_category))

    return read


def merge_links(reads: Sequence[SourceRead]) -> SourceRead:
    """One preview source for the links fetched: every item, and the links that failed."""
    from composer.library.importers.base import ImportReport, Rejection

    count = len(reads)
    name = reads[0].name if count == 1 else f"{count} pasted links"
    merged = ImportReport(source=name, format="article")
    for read in reads:
        report = read.report
        if report is None:
            reason = read.error.removeprefix(f"{read.name}: ")
            merged.rejected.append(Rejection(read.name, reason or "could not be read"))
            continue
        merged.items.extend(report.items)
        merged.rejected.extend(
            Rejection(f"{read.name}: {r.location}", r.reason, r.count) for r in report.rejected
        )
        merged.warnings.extend(f"{read.name}: {warning}" for warning in report.warnings)
        merged.notes.extend(f"{read.name}: {note}" for note in report.notes)
        merged.feeds.extend(f for f in report.feeds if f not in merged.feeds)
    return SourceRead(name, merged)


def files_in_mime(mime: QMimeData) -> list[str]:
    """The local files a drop carries (a file manager's drag), to import them."""
    if mime.hasFormat(ITEMS_MIME) or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


def links_in_mime(mime: QMimeData) -> list[str]:
    """The http(s) links a drop carries: its urls, or a text that is nothing but links."""
    if mime.hasFormat(ITEMS_MIME):
        return []
    if mime.hasUrls():
        urls: list[QUrl] = mime.urls()
        links = [u.toString() for u in urls if u.scheme().lower() in ("http", "https")]
        if links:
            return list(dict.fromkeys(links))
    if mime.hasText():
        from composer.library.importers import links_in_text

        return links_in_text(mime.text())
    return []


class LinkDropFilter(QObject):
    """An event filter: drops of article links (or of files) on the watched widgets.

    Links emit :attr:`dropped`, local files :attr:`files_dropped`; any other drag is
    left to the widget itself.
    """

    dropped = Signal(list)  # the links, in order, once each
    files_dropped = Signal(list)  # local file paths

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, (QDragEnterEvent, QDragMoveEvent)):
            mime = event.mimeData()
            if files_in_mime(mime) or links_in_mime(mime):
                event.acceptProposedAction()
                return True
            return False
        if isinstance(event, QDropEvent):
            mime = event.mimeData()
            files, links = files_in_mime(mime), links_in_mime(mime)
            if files or links:
                event.acceptProposedAction()
                if files:
                    self.files_dropped.emit(files)
                else:
                    self.dropped.emit(links)
                return True
        return False

    def watch(self, *widgets: Any) -> None:
        """Take link drops on these widgets (their own drags and drops are left alone)."""
        for widget in widgets:
            widget.setAcceptDrops(True)
            widget.installEventFilter(self)
