"""An HTML page or clipboard fragment as a parsed tree, with the facts its ``<head>`` states.

:func:`decode_html` turns bytes into text (the charset of the ``Content-Type``, a BOM,
``<meta charset>``, else UTF-8 with a Windows-1252 fallback); :func:`parse_document`
parses it with lxml, forgiving broken markup; :func:`page_meta` reads the page's own
metadata: ``og:*``/``twitter:*``/``article:*`` properties, ``<title>``, the canonical
url, advertised feeds, and the base that relative links resolve against.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.etree
import lxml.html

from composer.errors import SourceError, ValidationError
from composer.library.importers.base import NOT_TEXT, looks_binary
from composer.text import clean_line
from composer.urls import check_web_url

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
# Control characters other than tab and line breaks: no HTML text holds them (lxml refuses them).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Elements whose content is never page text.
_DROPPED = ("script", "style", "template", "svg", "math", "iframe", "object", "embed", "canvas")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None
    # A page labelled Latin-1 is in practice Windows-1252 (what browsers do too).
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def decode_html(
    data: str | bytes, source: str, content_type: str | None = None
) -> tuple[str, list[str]]:
    """The text of a page, and warnings about how it was read.

    Bytes are decoded by their BOM, the charset of ``content_type``, the page's own
    ``<meta charset>``, else as UTF-8, falling back to Windows-1252 with a warning.
    Binary data raises :class:`SourceError`.
    """
    warnings: list[str] = []
    if isinstance(data, str):
        text = data
    else:
        codec = next((name for bom, name in _BOMS if data.startswith(bom)), None)
        if codec is None and b"\x00" in data[:4096]:
            raise SourceError(source, NOT_TEXT)
        if codec is None and content_type and (header := _HEADER_CHARSET.search(content_type)):
            codec = _codec(header[1])
        if codec is None and (declared := _META_CHARSET.search(data[:8192])):
            codec = _codec(declared[1].decode("ascii", "replace"))
        codec = codec or "utf-8"
        if codec == "utf-8":
            codec = "utf-8-sig"
        text = _decode_as(data, codec, warnings)
    text = text.removeprefix("\ufeff")
    if looks_binary(text):
        raise SourceError(source, NOT_TEXT)
    return text, warnings


def _decode_as(data: bytes, codec: str, warnings: list[str]) -> str:
    """``data`` in ``codec``; else UTF-8 (pages saved as UTF-8 often keep an old charset
    declaration), else Windows-1252, with a warning."""
    for attempt in dict.fromkeys((codec, "utf-8-sig")):
        try:
            return data.decode(attempt)
        except UnicodeDecodeError:
            continue
    warnings.append(
        f"the page is not valid {codec.removesuffix('-sig').upper()}; "
        "it was read as Windows-1252 (cp1252)"
    )
    return data.decode("cp1252", "replace")


def parse_document(text: str, source: str) -> lxml.html.HtmlElement:
    """The page's element tree (broken markup is repaired the way lxml's HTML parser does).

    Scripts other than JSON-LD, styles, inline SVG and comments are removed. An empty
    page raises :class:`SourceError`.
    """
    text = _CONTROLS.sub(" ", _XML_DECLARATION.sub("", text, count=1))
    if not text.strip():
        raise SourceError(source, "is empty")
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as error:
        raise SourceError(source, f"has no HTML content we can read ({error})") from None
    doomed = []
    for element in root.iter(lxml.etree.Comment, lxml.etree.ProcessingInstruction, *_DROPPED):
        if element.tag == "script" and "ld+json" in (element.get("type") or "").lower():
            continue
        doomed.append(element)
    for element in doomed:
        if (parent := element.getparent()) is not None:
            _drop_keeping_tail(parent, element)
    return root


def _drop_keeping_tail(parent: lxml.etree._Element, element: lxml.etree._Element) -> None:
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def element_text(element: lxml.etree._Element) -> str:
    """The visible text of an element, on one line."""
    return clean_line(" ".join(str(text) for text in element.itertext()))


def _web(url: str | None) -> str | None:
    """``url`` if it is one an item may hold (absolute http(s), a valid host and port)."""
    if not url:
        return None
    try:
        return check_web_url(url)
    except ValidationError:
        return None


def absolute(href: str | None, base: str | None) -> str | None:
    """``href`` made absolute against ``base``: an http(s) url, or None when it cannot be one."""
    if not href:
        return None
    href = clean_line(href).replace(" ", "%20")
    if not href or href.startswith("#"):
        return None
    if href.startswith("//") and not base:
        href = "https:" + href
    try:
        resolved = urljoin(base, href) if base else href
    except ValueError:
        return None
    return _web(resolved.split("#", 1)[0] or None)


def is_relative(href: str | None) -> bool:
    """True when ``href`` is a relative address (it needs a base to become a link)."""
    if not href:
        return False
    href = href.strip()
    if not href or href.startswith(("#", "//")):
        return False
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:", href)


@dataclasses.dataclass
class PageMeta:
    """What a page says about itself in its ``<head>``."""

    title: str = ""
    description: str = ""
    image: str | None = None
    image_alt: str = ""
    og_type: str = ""
    site_name: str = ""
    url: str | None = None
    published: str = ""
    section: str = ""
    feeds: list[str] = dataclasses.field(default_factory=list)
    #: The address relative links resolve against (None: there is none).
    base_url: str | None = None
    #: The ``<meta>`` values by lower-cased name or property (the first of each).
    values: dict[str, str] = dataclasses.field(default_factory=dict)


def _meta_values(root: lxml.html.HtmlElement) -> dict[str, str]:
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip()
        content = meta.get("content")
        if key and content is not None and clean_line(content):
            values.setdefault(key.lower(), clean_line(content))
    return values


def _link_hrefs(root: lxml.html.HtmlElement, rel: str) -> list[lxml.html.HtmlElement]:
    return [
        link
        for link in root.iter("link")
        if rel in (link.get("rel") or "").lower().split() and (link.get("href") or "").strip()
    ]


_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(https?://[^\s>]+?)\s*-->", re.I)


def saved_from(text: str) -> str | None:
    """The address a browser noted when saving the page (``<!-- saved from url=(0042)https://…
    -->``, the "mark of the web"), if it did."""
    m = _SAVED_FROM.search(text[:4096])
    return _web(m[1]) if m else None


def _oembed_page(root: lxml.html.HtmlElement) -> str | None:
    """The page's own address as its oEmbed discovery link names it (``…/oembed?url=…``):
    WordPress writes one on every page, and it stays absolute in a saved copy."""
    for link in _link_hrefs(root, "alternate"):
        if "oembed" in (link.get("type") or "").lower():
            query = urlsplit(link.get("href") or "").query
            for value in parse_qs(query).get("url", []):
                if found := _web(value):
                    return found
    return None


def page_meta(
    root: lxml.html.HtmlElement, *, base_url: str | None = None, page_url: str | None = None
) -> PageMeta:
    """The page's metadata; ``base_url`` (the user's) wins, else ``<base>``, canonical, og:url,
    else ``page_url`` (where the page came from)."""
    values = _meta_values(root)
    page_url = _web(page_url) or _oembed_page(root)
    canonical_links = _link_hrefs(root, "canonical")
    canonical = canonical_links[0].get("href") if canonical_links else None
    base_tags = [b.get("href") for b in root.iter("base") if (b.get("href") or "").strip()]
    base = base_url
    if base is None and base_tags:
        base = absolute(base_tags[0], page_url)
    for candidate in (canonical, values.get("og:url")):
        if base is None and candidate:
            base = absolute(candidate, page_url)
    if base is None:
        base = page_url
    url = None
    for candidate in (canonical, values.get("og:url")):
        if url is None and candidate:
            url = absolute(candidate, page_url or base)
    found: list[tuple[bool, str]] = []
    for link in _link_hrefs(root, "alternate"):
        kind = (link.get("type") or "").strip().lower()
        href = absolute(link.get("href"), base)
        if kind in FEED_TYPES and href and all(href != seen for _, seen in found):
            comments = "comment" in (link.get("title") or "").lower() or "comments" in href
            found.append((comments, href))
    # Comment feeds last: the stories' feed is the one worth subscribing to.
    feeds = [href for _, href in sorted(found, key=lambda pair: pair[0])]
    title_element = root.find(".//title")
    title = element_text(title_element) if title_element is not None else ""
    return PageMeta(
        title=title,
        description=values.get("description", ""),
        image=absolute(values.get("og:image") or values.get("og:image:url"), base),
        image_alt=values.get("og:image:alt", ""),
        og_type=values.get("og:type", "").lower(),
        site_name=values.get("og:site_name", ""),
        url=url,
        published=values.get("article:published_time", ""),
        section=values.get("article:section", ""),
        feeds=feeds,
        base_url=base,
        values=values,
    )
