"""Which importer reads a source: by its file extension, else by a look at its content.

Markup is a feed when its root element is one (``<rss>``, ``<feed>``, ``<rdf:RDF>``)
and an HTML page or clipboard fragment otherwise (``<!doctype html>``, ``<html>``,
``<meta charset>`` then the selection's elements ...).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from composer.library.dates import looks_like_date
from composer.library.import_formats import FORMATS as FORMATS  # re-exported
from composer.library.importers.csv_import import column_field
from composer.library.importers.csv_reader import split_by_each_delimiter

EXTENSIONS = {
    ".txt": "listing",
    ".text": "listing",
    ".xml": "rss",
    ".rss": "rss",
    ".atom": "rss",
    ".feed": "rss",
    ".rdf": "rss",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
}
#: Root elements of feeds (RSS 0.9x/2.0, Atom, RSS 1.0).
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf", "channel"})
# The first element's name, after the XML declaration, comments and the doctype.
_FIRST_TAG = re.compile(r"<([a-zA-Z][\w:.-]*)")
_SKIPPED = re.compile(r"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>)", re.IGNORECASE | re.DOTALL)


def format_from_name(name: str) -> str | None:
    """The format a file name or URL path's extension stands for, if it is one we know."""
    path = urlsplit(name).path if "://" in name else name
    dot = path.rfind(".")
    if dot < 0 or "/" in path[dot:] or "\\" in path[dot:]:
        return None
    return EXTENSIONS.get(path[dot:].lower())


def sniff_format(text: str) -> str:
    """The format ``text`` most likely is in; ``listing`` when nothing else fits."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if head.startswith("<"):
        return _markup_format(head)
    if head.startswith(("[", "{")):
        return "json"
    if head.startswith("Version:") and "StartHTML:" in head[:400]:
        return "html"  # Windows' CF_HTML clipboard payload, saved to a file
    first_line = head.split("\n", 1)[0].strip("\r")
    if _looks_like_csv_header(first_line):
        return "csv"
    return "listing"


def _markup_format(head: str) -> str:
    """ "rss" for a feed (its root is ``<rss>``, ``<feed>`` or ``<rdf:RDF>``), else "html"
    for a page or a fragment of one; other XML is "rss" (the feed reader says what is wrong)."""
    rest = head
    while (skipped := _SKIPPED.match(rest)) and skipped.end() > 0:
        if skipped[0].lower().startswith("<!doctype"):
            return "html" if "html" in skipped[0].lower() else "rss"
        rest = rest[skipped.end() :]
    first = _FIRST_TAG.match(rest)
    if first is None:
        return "rss"
    name = first[1].lower()
    if name in _FEED_ROOTS:
        return "rss"
    if head.startswith("<?xml") and name not in ("html", "xhtml"):
        return "rss"
    return "html"


def _looks_like_csv_header(line: str) -> bool:
    if looks_like_date(line):
        return False
    return any(
        {"title", "date"} <= {column_field(cell) for cell in cells}
        for _delimiter, cells in split_by_each_delimiter(line, (",", ";", "\t"))
    )
