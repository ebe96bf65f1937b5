"""Importing news items from files, feed URLs and pasted text.

:func:`import_source` reads a file path or an http(s) URL, :func:`import_text`
reads pasted text. Both return an :class:`ImportReport` (items, rejected entries
with where and why, warnings) and write nothing: the caller adds
``report.items`` to the library. A source that is unusable as a whole (missing,
too large, binary, of the wrong format, without a single entry) raises
:class:`SourceError` naming it.

Formats (:data:`FORMATS`): ``listing`` (text copied from a website's news page),
``rss`` (RSS and Atom feeds), ``csv`` and ``json``. With ``format="auto"`` the
file extension decides (.xml/.rss/.atom feed, .csv/.tsv, .json; .txt is a
listing unless its content is plainly a feed, CSV or JSON), URLs are feeds unless
their extension, content type or content says otherwise, and anything else is
recognised by its content.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from composer.errors import SourceError, ValidationError
from composer.importers.base import (
    DEFAULT_CATEGORY,
    MAX_SOURCE_BYTES,
    NOT_TEXT,
    ImportReport,
    Rejection,
    check_text_size,
    decode_text,
    looks_binary,
    read_source_file,
)
from composer.importers.csv_import import parse_csv
from composer.importers.detect import FORMATS, format_from_name, sniff_format
from composer.importers.feed import parse_feed
from composer.importers.fetch import DEFAULT_TIMEOUT, Download, fetch_url
from composer.importers.json_import import parse_json
from composer.importers.listing import parse_listing
from composer.item import MAX_CATEGORY
from composer.text import clean_line
from composer.urls import WEB_SCHEMES

__all__ = [
    "DEFAULT_CATEGORY",
    "FORMATS",
    "MAX_SOURCE_BYTES",
    "ImportReport",
    "Rejection",
    "SourceError",
    "import_source",
    "import_text",
]

_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*)://")
# "javascript:...", "mailto:...": a scheme of two letters or more (one letter is a drive: C:\).
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]+):")
_ALIASES = {"atom": "rss", "feed": "rss", "text": "listing", "txt": "listing"}


def _check_format(format: str) -> str:
    name = _ALIASES.get(format.strip().lower(), format.strip().lower())
    if name != "auto" and name not in FORMATS:
        raise ValidationError(
            "format", f"'{format}' is not a format we can read; use auto, {', '.join(FORMATS)}"
        )
    return name


def _check_category(default_category: str) -> str:
    category = clean_line(default_category) if isinstance(default_category, str) else ""
    if not category:
        raise ValidationError("default category", "is empty")
    if len(category) > MAX_CATEGORY:
        raise ValidationError(
            "default category", f"is {len(category)} characters long; the limit is {MAX_CATEGORY}"
        )
    return category


def import_source(
    source: str | os.PathLike[str],
    *,
    format: str = "auto",
    default_category: str = DEFAULT_CATEGORY,
    timeout: float = DEFAULT_TIMEOUT,
) -> ImportReport:
    """Read the news items of a file or an http(s) URL (see the module's docstring).

    Items without a category of their own get ``default_category``. ``timeout``
    bounds a download, in seconds.
    """
    name = os.fspath(source)
    fmt = _check_format(format)
    category = _check_category(default_category)
    if match := _URL.match(name.strip()):
        return _import_url(name.strip(), match[1].lower(), fmt, category, timeout)
    path = Path(name)
    if (match := _SCHEME.match(name)) and not _exists(path):
        raise SourceError(
            name,
            f"'{match[1]}:' addresses cannot be imported; give a file or an http(s) address",
        )
    data = read_source_file(path, name)
    if fmt == "auto":
        fmt = format_from_name(path.name) or "listing"
        if fmt == "listing":  # .txt says little: a feed or CSV saved as .txt is read as such
            fmt = sniff_format(_peek(data))
    return _read(data, fmt, source=name, item_source=path.name, category=category)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _import_url(url: str, scheme: str, fmt: str, category: str, timeout: float) -> ImportReport:
    if scheme not in WEB_SCHEMES:
        raise SourceError(
            url, f"'{scheme}:' addresses cannot be imported; only http:// and https:// ones can"
        )
    download = fetch_url(url, timeout=timeout)
    if fmt == "auto":
        fmt = format_from_name(urlsplit(download.final_url).path) or _url_format(download)
    return _read(
        download.data,
        fmt,
        source=url,
        item_source=url,
        category=category,
        base_url=download.final_url,
        content_type=download.content_type or None,
    )


def _url_format(download: Download) -> str:
    """The format of a download whose address has no telling extension: feeds unless not."""
    content_type = download.content_type.lower()
    if "json" in content_type:
        return "json"
    if "csv" in content_type or "tab-separated" in content_type:
        return "csv"
    sniffed = sniff_format(_peek(download.data))
    if sniffed == "listing" and "text/plain" not in content_type:
        return "rss"  # the feed reader explains what is wrong with it
    return sniffed


def _peek(data: bytes) -> str:
    """The start of ``data`` as text, good enough to guess its format."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    return head.decode("utf-8", "replace")


def _read(
    data: bytes,
    fmt: str,
    *,
    source: str,
    item_source: str,
    category: str,
    base_url: str | None = None,
    content_type: str | None = None,
) -> ImportReport:
    if fmt == "rss":
        return parse_feed(
            data,
            source=source,
            item_source=item_source,
            default_category=category,
            base_url=base_url,
            content_type=content_type,
        )
    text, warnings = decode_text(data, source, allow_cp1252=fmt != "json")
    report = _parse_text(text, fmt, source=source, item_source=item_source, category=category)
    report.warnings[:0] = warnings
    return report


def _parse_text(
    text: str, fmt: str, *, source: str, item_source: str, category: str
) -> ImportReport:
    if fmt == "csv":
        return parse_csv(text, source=source, item_source=item_source, default_category=category)
    if fmt == "json":
        return parse_json(text, source=source, item_source=item_source, default_category=category)
    return parse_listing(text, source=source, item_source=item_source, default_category=category)


def import_text(
    text: str,
    *,
    name: str = "clipboard",
    format: str = "auto",
    default_category: str = DEFAULT_CATEGORY,
) -> ImportReport:
    """Read the news items of pasted text; ``name`` is how messages and items refer to it."""
    fmt = _check_format(format)
    category = _check_category(default_category)
    if not isinstance(text, str):
        raise SourceError(name, f"must be text, not {type(text).__name__}")
    check_text_size(text, name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a broken clipboard
        text = text.encode("utf-8", "replace").decode("utf-8")
    text = text.removeprefix("\ufeff")
    if looks_binary(text):
        raise SourceError(name, NOT_TEXT)
    if fmt == "auto":
        fmt = sniff_format(text)
    if fmt == "rss":
        return parse_feed(
            text.encode("utf-8"),
            source=name,
            item_source=name,
            default_category=category,
            content_type="application/xml; charset=utf-8",
        )
    return _parse_text(text, fmt, source=name, item_source=name, category=category)
