"""What a browser puts on the clipboard, and reading a paste from it.

A copy in a browser offers several flavours at once: ``text/plain``, the
selection's HTML (``text/html``, with every story's absolute link and thumbnail)
and, depending on the browser and system, the address of the page it came from:

- Chromium: ``chromium/x-source-url`` (macOS: the ``org.chromium.source-url`` type);
- Firefox: ``text/x-moz-url-priv`` (UTF-16 on most systems);
- Windows: the CF_HTML ``HTML Format`` whose header has a ``SourceURL:`` line (Qt offers
  it raw as ``application/x-qt-windows-mime;value="HTML Format"``, and its ``text/html``
  may still carry the header).

:func:`read_clipboard` turns those flavours (format name -> bytes, as the window
takes them from ``QMimeData``) into a :class:`ClipboardContent`;
:func:`import_clipboard` reads the HTML when there is some and falls back to the text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from composer.errors import SourceError
from composer.library.importers.base import ImportReport, ReadOptions

#: The name a paste has in messages and in its items' ``source`` field.
CLIPBOARD = "clipboard"

_HTML_TYPES = ("text/html", "public.html", "html format")
_TEXT_TYPES = ("text/plain;charset=utf-8", "text/plain", "utf8_string", "public.utf8-plain-text")
_URL_TYPES = ("x-source-url", "source-url", "x-moz-url-priv", "public.url")
_CF_HTML_KEY = re.compile(rb"^([A-Za-z]+):(.*)$")
_WEB_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class ClipboardContent:
    """A paste: its HTML and text flavours (either may be missing), and the page it came from."""

    html: str | None = None
    text: str | None = None
    source_url: str | None = None

    @property
    def empty(self) -> bool:
        return not ((self.html or "").strip() or (self.text or "").strip())


def _decode(data: bytes) -> str:
    """Clipboard bytes as text: UTF-16 when they say so (BOM, or NULs between ASCII), else UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if len(data) >= 2 and data.count(b"\x00") * 3 >= len(data):
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return data.decode(encoding, "replace")
    return data.decode("utf-8", "replace")


def _kind(name: str) -> str | None:
    lowered = name.lower()
    if any(marker in lowered for marker in _URL_TYPES):
        return "url"
    if any(lowered == kind or lowered.endswith(f'"{kind}"') for kind in _HTML_TYPES):
        return "html"
    if lowered.startswith("text/html"):
        return "html"
    if lowered in _TEXT_TYPES or lowered.startswith("text/plain"):
        return "text"
    return None


def split_cf_html(data: str) -> tuple[str, str | None]:
    """The HTML and ``SourceURL`` of a Windows CF_HTML ``HTML Format`` payload.

    CF_HTML starts with ``Key:value`` header lines (Version, StartHTML, EndHTML,
    StartFragment, EndFragment, SourceURL) before the markup; text that has no such
    header is returned as it is.
    """
    if not data.startswith("Version:"):
        return data, None
    source_url: str | None = None
    offsets: dict[str, int] = {}
    position = 0
    for line in data.splitlines(keepends=True):
        match = _CF_HTML_KEY.match(line.rstrip("\r\n").encode("utf-8"))
        if line.lstrip().startswith("<") or match is None:
            break
        key, value = match[1].decode().lower(), match[2].decode("utf-8", "replace").strip()
        if key == "sourceurl":
            source_url = value or None
        elif value.isdigit():
            offsets[key] = int(value)
        position += len(line)
    # The offsets count bytes of the UTF-8 payload; the markup also simply follows the header.
    raw = data.encode("utf-8")
    start = offsets.get("starthtml", -1)
    end = offsets.get("endhtml", -1)
    if 0 <= start < end <= len(raw):
        html = raw[start:end].decode("utf-8", "replace")
    else:
        html = data[position:]
    return html, source_url


def _first_url(text: str) -> str | None:
    for line in text.replace("\x00", "").splitlines():
        line = line.strip()
        if _WEB_URL.match(line):
            return line
    return None


def read_clipboard(formats: Mapping[str, bytes]) -> ClipboardContent:
    """The paste that ``formats`` (clipboard format name -> its bytes) holds."""
    html: str | None = None
    text: str | None = None
    source_url: str | None = None
    for name, data in formats.items():
        kind = _kind(name)
        if kind is None or not data:
            continue
        value = _decode(bytes(data))
        if kind == "url":
            source_url = source_url or _first_url(value)
        elif kind == "html":
            markup, cf_source = split_cf_html(value.lstrip("\ufeff"))
            source_url = source_url or cf_source
            if html is None or name.lower().startswith("text/html"):
                html = markup
        elif text is None:
            text = value
    return ClipboardContent(html=html, text=text, source_url=source_url)


def import_clipboard(
    content: ClipboardContent, *, options: ReadOptions | None = None, name: str = CLIPBOARD
) -> ImportReport:
    """Read a paste: its HTML flavour when there is one, else (or when that finds nothing) the text.

    Raises :class:`SourceError` when neither flavour holds a story.
    """
    from composer.library.importers import import_text  # the package imports this module

    options = options or ReadOptions()
    if content.empty:
        raise SourceError(name, "is empty; copy a news listing or an article link first")
    html_error: SourceError | None = None
    if (content.html or "").strip():
        try:
            report = import_text(
                content.html or "",
                name=name,
                format="html",
                options=_with_page(options, content.source_url),
            )
        except SourceError as error:
            html_error = error
        else:
            if report.items or report.rejected or not (content.text or "").strip():
                return report
    if not (content.text or "").strip():
        assert html_error is not None
        raise html_error
    report = import_text(content.text or "", name=name, options=options)
    if html_error is not None or content.html:
        report.warnings.insert(
            0,
            "the copied page's HTML held no stories"
            + (f" ({html_error.reason})" if html_error else "")
            + "; its plain text was read instead, so the items have no links",
        )
    return report


def _with_page(options: ReadOptions, source_url: str | None) -> ReadOptions:
    """The options with the clipboard's page address as the page url, unless a base is given."""
    return dataclasses.replace(options, page_url=options.page_url or source_url)
