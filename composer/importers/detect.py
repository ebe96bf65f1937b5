"""Which importer reads a source: by its file extension, else by a look at its content."""

from __future__ import annotations

import csv
from urllib.parse import urlsplit

from composer.dates import looks_like_date
from composer.import_formats import FORMATS as FORMATS  # re-exported
from composer.importers.csv_import import column_field

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
}


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
        return "rss"  # XML or HTML: the feed reader says clearly when it is not a feed
    if head.startswith(("[", "{")):
        return "json"
    first_line = head.split("\n", 1)[0].strip("\r")
    if _looks_like_csv_header(first_line):
        return "csv"
    return "listing"


def _looks_like_csv_header(line: str) -> bool:
    if looks_like_date(line):
        return False
    for delimiter in (",", ";", "\t"):
        if delimiter not in line:
            continue
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        fields = {column_field(cell) for cell in cells}
        if {"title", "date"} <= fields:
            return True
    return False
