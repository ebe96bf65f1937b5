"""A story card's thumbnail: the picture it really shows, lazy loading and all.

:func:`image_source` reads an ``<img>`` the way lazy-loading scripts leave it
(``data-src``, ``data-lazy-src`` ... over a placeholder ``src``), else its ``src``,
else the widest ``srcset`` candidate (or a ``<picture>``'s ``<source>``), skipping
``data:`` placeholders; :func:`thumbnail` picks a card's first real picture (not an
avatar or icon), or a CSS ``background-image``.
"""

from __future__ import annotations

import dataclasses
import re

import lxml.html

from composer.library.importers.html_document import absolute, is_relative
from composer.text import clean_line

_SKIP_IMAGE_CLASS = re.compile(r"(avatar|icon|emoji|logo-img|gravatar|author)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"(^data:|blank\.gif|spacer\.gif|placeholder|lazy[-_]?load|1x1)", re.I)
_BACKGROUND = re.compile(r"background(?:-image)?\s*:[^;]*url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.I)
_LAZY = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url")
#: Pictures this small (width or height, in pixels) are icons, not thumbnails.
_ICON = 40


@dataclasses.dataclass(frozen=True)
class Thumbnail:
    """A card's picture: its absolute address and alt text, or none; ``relative_dropped``
    when a picture was left out for want of a base to resolve it against."""

    url: str | None = None
    alt: str = ""
    relative_dropped: bool = False


def _srcset_pick(srcset: str) -> str | None:
    """The widest candidate of a ``srcset`` (the first when none says its width)."""
    best: tuple[float, str] | None = None
    for index, candidate in enumerate(srcset.split(",")):
        parts = candidate.split()
        if not parts or parts[0].startswith("data:"):
            continue
        size = 0.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit():
            size = float(parts[1][:-1]) * (1 if parts[1].endswith("w") else 1000)
        key = size if size else -index
        if best is None or key > best[0]:
            best = (key, parts[0])
    return best[1] if best else None


def image_source(image: lxml.html.HtmlElement) -> str | None:
    """The address an ``<img>`` really shows: lazy-loading attributes, ``src``, ``srcset``."""
    for attribute in _LAZY:
        value = (image.get(attribute) or "").strip()
        if value and not _PLACEHOLDER.search(value):
            return value
    src = (image.get("src") or "").strip()
    if src and not _PLACEHOLDER.search(src):
        return src
    for attribute in ("data-srcset", "data-lazy-srcset", "srcset"):
        if (value := image.get(attribute)) and (picked := _srcset_pick(value)):
            return picked
    parent = image.getparent()
    if parent is not None and parent.tag == "picture":
        for source in parent.iter("source"):
            srcset = source.get("srcset") or source.get("data-srcset")
            if srcset and (picked := _srcset_pick(srcset)):
                return picked
    return None


def _small(image: lxml.html.HtmlElement) -> bool:
    for attribute in ("width", "height"):
        value = (image.get(attribute) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 40:
            return True
    return False


def _classes(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def thumbnail(elements: list[lxml.html.HtmlElement], base: str | None) -> Thumbnail:
    """The first real picture among ``elements`` (a card's, in document order)."""
    dropped = False
    for image in elements:
        if image.tag != "img" or _small(image) or _SKIP_IMAGE_CLASS.search(_classes(image)):
            continue
        src = image_source(image)
        if not src:
            continue
        url = absolute(src, base)
        if url is None and (srcset := image.get("srcset")):
            url = absolute(_srcset_pick(srcset), base)  # a srcset may be absolute
        if url:
            return Thumbnail(url, clean_line(image.get("alt") or "")[:300], dropped)
        dropped = dropped or is_relative(src)
    for element in elements:  # a thumbnail drawn as a CSS background
        style = element.get("style") or ""
        if "url(" in style and (m := _BACKGROUND.search(style)):
            src = m[2].strip()
            if src and not _PLACEHOLDER.search(src):
                if url := absolute(src, base):
                    return Thumbnail(url, "", dropped)
                dropped = dropped or is_relative(src)
    return Thumbnail(relative_dropped=dropped)
