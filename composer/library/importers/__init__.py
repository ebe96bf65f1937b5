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

import dataclasses
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from composer.errors import SourceError, ValidationError
from composer.library.importers.base import (
    DATE_ORDERS,
    DEFAULT_CATEGORY,
    MAX_SOURCE_BYTES,
    NOT_TEXT,
    ColumnUse,
    ImportReport,
    ReadOptions,
    Rejection,
    check_text_size,
    decode_text,
    looks_binary,
    read_source_file,
)
from composer.library.importers.clipboard import ClipboardContent, import_clipboard, read_clipboard
from composer.library.importers.csv_import import COLUMNS, parse_csv
from composer.library.importers.detect import FORMATS, format_from_name, sniff_format
from composer.library.importers.feed import parse_feed
from composer.library.importers.fetch import DEFAULT_TIMEOUT, Download, fetch_url
from composer.library.importers.html_page import parse_html
from composer.library.importers.json_import import parse_json
from composer.library.importers.listing import parse_listing
from composer.library.item import MAX_CATEGORY
from composer.text import clean_line
from composer.urls import WEB_SCHEMES, check_web_url

__all__ = [
    "DATE_ORDERS",
    "DEFAULT_CATEGORY",
    "FORMATS",
    "MAX_SOURCE_BYTES",
    "ClipboardContent",
    "ColumnUse",
    "ImportReport",
    "LoadedSource",
    "ReadOptions",
    "Rejection",
    "SourceError",
    "import_clipboard",
    "import_source",
    "import_text",
    "links_in_text",
    "load_source",
    "read_clipboard",
    "read_loaded",
]

_URL = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*)://")
# "javascript:...", "mailto:...": a scheme of two letters or more (one letter is a drive: C:\).
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]+):")
_ALIASES = {
    "atom": "rss",
    "feed": "rss",
    "text": "listing",
    "txt": "listing",
    "htm": "html",
    "page": "html",
}


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


@dataclasses.dataclass(frozen=True)
class LoadedSource:
    """A source's bytes, read or downloaded once, so the preview can read them again.

    ``name`` is how messages refer to it, ``item_source`` what each item's ``source``
    field gets; ``page_url`` is the address the bytes finally came from (for a
    download), ``format`` the format its name or content type says ("auto" if none).
    """

    name: str
    item_source: str
    data: bytes
    format: str = "auto"
    page_url: str | None = None
    content_type: str | None = None


def load_source(
    source: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT
) -> LoadedSource:
    """Read the file or download the http(s) URL ``source`` (nothing is parsed yet).

    Raises :class:`SourceError` naming the source when it cannot be had.
    """
    name = os.fspath(source)
    if match := _URL.match(name.strip()):
        url, scheme = name.strip(), match[1].lower()
        if scheme not in WEB_SCHEMES:
            raise SourceError(
                url, f"'{scheme}:' addresses cannot be imported; only http:// and https:// ones can"
            )
        download = fetch_url(url, timeout=timeout)
        fmt = format_from_name(urlsplit(download.final_url).path) or _url_format(download)
        return LoadedSource(
            name=url,
            item_source=url,
            data=download.data,
            format=fmt,
            page_url=download.final_url,
            content_type=download.content_type or None,
        )
    path = Path(name)
    if (match := _SCHEME.match(name)) and not _exists(path):
        raise SourceError(
            name,
            f"'{match[1]}:' addresses cannot be imported; give a file or an http(s) address",
        )
    data = read_source_file(path, name)
    fmt = format_from_name(path.name) or "auto"
    if fmt == "listing":  # .txt says little: a feed, a page or a CSV saved as .txt is read as such
        fmt = "auto"
    return LoadedSource(name=name, item_source=path.name, data=data, format=fmt)


def read_loaded(
    loaded: LoadedSource, *, format: str = "auto", options: ReadOptions | None = None
) -> ImportReport:
    """The items of a loaded source, read as ``format`` (or as its name and content say)."""
    options = _check_options(options or ReadOptions())
    fmt = _check_format(format)
    if fmt == "auto":
        fmt = loaded.format if loaded.format != "auto" else sniff_format(_peek(loaded.data))
    return _read(
        loaded.data,
        fmt,
        source=loaded.name,
        item_source=loaded.item_source,
        options=options,
        page_url=loaded.page_url,
        content_type=loaded.content_type,
    )


def import_source(
    source: str | os.PathLike[str],
    *,
    format: str = "auto",
    default_category: str = DEFAULT_CATEGORY,
    timeout: float = DEFAULT_TIMEOUT,
    options: ReadOptions | None = None,
) -> ImportReport:
    """Read the news items of a file or an http(s) URL (see the module's docstring).

    Items without a category of their own get ``default_category`` (unless ``options``
    names one). ``timeout`` bounds a download, in seconds.
    """
    options = options or ReadOptions(default_category=default_category)
    fmt = _check_format(format)
    _check_options(options)
    return read_loaded(load_source(source, timeout=timeout), format=fmt, options=options)


def _check_options(options: ReadOptions) -> ReadOptions:
    category = _check_category(options.default_category)
    if options.date_order is not None and options.date_order not in DATE_ORDERS:
        raise ValidationError(
            "date order", f"'{options.date_order}' is not one of {', '.join(DATE_ORDERS)}"
        )
    base_url = options.base_url
    if base_url is not None:
        try:
            base_url = check_web_url(base_url)
        except ValidationError as error:
            raise ValidationError("base url", error.reason) from None
    column_map: dict[str, str] = {}
    for column, field in options.column_map.items():
        target = field.strip().lower()
        if target in ("", "-", "ignore", "none"):
            target = ""
        elif target not in COLUMNS:
            raise ValidationError(
                "column mapping",
                f"'{column}={field}': '{field}' is not an item field; "
                f"use one of {', '.join(COLUMNS)}, or 'ignore'",
            )
        column_map[column] = target
    page_url = options.page_url
    if page_url is not None:
        try:
            page_url = check_web_url(page_url)
        except ValidationError:
            page_url = None  # a browser's odd source address is no reason to refuse a paste
    return dataclasses.replace(
        options,
        default_category=category,
        base_url=base_url,
        column_map=column_map,
        page_url=page_url,
    )


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _url_format(download: Download) -> str:
    """The format of a download whose address has no telling extension: feeds unless not."""
    content_type = download.content_type.lower()
    if "json" in content_type:
        return "json"
    if "csv" in content_type or "tab-separated" in content_type:
        return "csv"
    if "html" in content_type:
        return "html"
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
    options: ReadOptions,
    page_url: str | None = None,
    content_type: str | None = None,
) -> ImportReport:
    if fmt == "rss":
        return parse_feed(
            data,
            source=source,
            item_source=item_source,
            default_category=options.default_category,
            base_url=options.base_url or page_url,
            content_type=content_type,
        )
    if fmt == "html":  # the page's own charset decides how its bytes are read
        return _parse_html(data, source, item_source, options, page_url, content_type)
    text, warnings = decode_text(data, source, allow_cp1252=fmt != "json")
    report = _parse_text(text, fmt, source=source, item_source=item_source, options=options)
    report.warnings[:0] = warnings
    return report


def _parse_html(
    data: str | bytes,
    source: str,
    item_source: str,
    options: ReadOptions,
    page_url: str | None = None,
    content_type: str | None = None,
) -> ImportReport:
    return parse_html(
        data,
        source=source,
        item_source=item_source,
        default_category=options.default_category,
        base_url=options.base_url,
        page_url=page_url or options.page_url,
        content_type=content_type,
        date_order=options.date_order,
    )


def _parse_text(
    text: str, fmt: str, *, source: str, item_source: str, options: ReadOptions
) -> ImportReport:
    category = options.default_category
    if fmt == "csv":
        return parse_csv(
            text,
            source=source,
            item_source=item_source,
            default_category=category,
            column_map=options.column_map,
            date_order=options.date_order,
            base_url=options.base_url,
        )
    if fmt == "json":
        return parse_json(text, source=source, item_source=item_source, default_category=category)
    if fmt == "html":
        return _parse_html(text, source, item_source, options)
    return parse_listing(
        text,
        source=source,
        item_source=item_source,
        default_category=category,
        layout=options.layout,
        date_order=options.date_order,
    )


def import_text(
    text: str,
    *,
    name: str = "clipboard",
    format: str = "auto",
    default_category: str = DEFAULT_CATEGORY,
    options: ReadOptions | None = None,
) -> ImportReport:
    """Read the news items of pasted text; ``name`` is how messages and items refer to it."""
    fmt = _check_format(format)
    options = _check_options(options or ReadOptions(default_category=default_category))
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
            default_category=options.default_category,
            base_url=options.base_url,
            content_type="application/xml; charset=utf-8",
        )
    return _parse_text(text, fmt, source=name, item_source=name, options=options)


_LINK_LINE = re.compile(r"^https?://\S+$", re.IGNORECASE)


def links_in_text(text: str) -> list[str]:
    """The article addresses of a paste that holds nothing but http(s) links, one a line.

    Empty when the text holds anything else (then it is a listing, a feed or a CSV).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or len(lines) > 500 or not all(_LINK_LINE.match(line) for line in lines):
        return []
    seen: dict[str, None] = {}
    for line in lines:
        seen.setdefault(line, None)
    return list(seen)
