"""One story from its own page: an article's title, summary, image, date, address and section.

What the page says about itself wins over what it shows: ``og:*`` and
``article:*`` properties, then its JSON-LD ``NewsArticle`` (or ``Article``,
``BlogPosting``, ``Report`` ...), then microdata, then ``<title>``, ``<h1>``,
``<meta name="description">`` and ``<time>``. :func:`article_fields` gives the
fields found (the item dialog fills what it can, even without a date);
:func:`fetch_article` downloads a page and reads it into a one-item report.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import lxml.html

from composer.errors import SourceError
from composer.library.importers.base import DEFAULT_CATEGORY, ImportReport, fit_summary
from composer.library.importers.detect import sniff_format
from composer.library.importers.fetch import DEFAULT_TIMEOUT, fetch_url
from composer.library.importers.html_card_model import DATE_CLASS
from composer.library.importers.html_dates import any_date, date_in_text, line_date
from composer.library.importers.html_document import (
    PageMeta,
    absolute,
    decode_html,
    element_text,
    page_meta,
    parse_document,
)
from composer.library.importers.html_listing import is_furniture
from composer.library.importers.html_structured import (
    json_ld_objects,
    main_article,
    microdata_articles,
    page_date,
)
from composer.library.item import MAX_CATEGORY, MAX_TITLE
from composer.text import fold

_DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.date",
    "dcterms.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "citation_publication_date",
    "citation_date",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "og:updated_time",
)
_NAVIGATION = frozenset({"nav", "footer", "menu"})
#: Text pieces after the headline looked at for its date line.
_NEAR_HEADLINE = 12
_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ", " / ")


def _strip_site(title: str, meta: PageMeta, heading: str) -> str:
    """A page title without its site suffix ("Story | Site"), when the page shows which it is."""
    if (
        heading
        and title != heading
        and title.startswith(heading)
        and any(title[len(heading) :].startswith(sep) for sep in _SEPARATORS)
    ):
        return heading
    if meta.site_name:
        for sep in _SEPARATORS:
            if title.endswith(sep + meta.site_name):
                return title[: -len(sep + meta.site_name)].strip()
    return title


_URL_LIKE = re.compile(r"^(https?://|www\.|/)\S*$", re.IGNORECASE)


def _agrees(title: str, shown: str) -> bool:
    """True when ``title`` is what ``shown`` (a heading, a ``<title>``) says, or begins it."""
    a, b = fold(title), fold(shown)
    return bool(a and b) and (a == b or b.startswith(a) or a.startswith(b))


def _pick_title(stated: list[str], heading: str, meta: PageMeta) -> str:
    """The story's title: the first stated one (og, JSON-LD ...) that the page's heading
    or ``<title>`` agrees with, else the first stated one; with none stated, the heading
    when the ``<title>`` begins with it, else the ``<title>``."""
    for candidate in stated:
        if _agrees(candidate, heading) or _agrees(candidate, meta.title):
            return _strip_site(candidate, meta, heading)
    if stated:
        return _strip_site(stated[0], meta, heading)
    if heading and (not meta.title or _agrees(heading, meta.title)):
        return heading
    # They differ: the longer is the story's (a short one names the site or its section).
    if len(heading) > len(meta.title):
        return heading
    return _strip_site(meta.title, meta, heading)


def _main_heading(root: lxml.html.HtmlElement) -> str:
    for scope in (".//article//h1", ".//main//h1", ".//h1"):
        for heading in root.iterfind(scope):
            if not _in_furniture(heading) and (text := element_text(heading)):
                return text
    return ""


def _in_furniture(element: lxml.html.HtmlElement, *, strict: bool = True) -> bool:
    """True inside navigation, sidebars, headers and footers; with ``strict`` False only
    inside navigation, menus and footers (a side column may hold the page's own date)."""
    node: lxml.html.HtmlElement | None = element
    while node is not None:
        if node.tag in _NAVIGATION if not strict else is_furniture(node):
            return True
        node = node.getparent()
    return False


def _shown_date(root: lxml.html.HtmlElement, *, strict_only: bool = False) -> dt.date | None:
    """The date the page shows for itself: an itemprop, else the first ``<time>`` or
    date line of its article (or of its content outside navigation and sidebars), else a
    date line by its headline, else (unless ``strict_only``) one in a side column or page
    header. A date inside a sentence of the page's text is never its date."""
    for element in root.iterfind(".//*[@itemprop]"):
        if "datePublished" in (element.get("itemprop") or "").split():
            value = element.get("content") or element.get("datetime") or element_text(element)
            if day := any_date(value):
                return day
    times = [
        e
        for scope in (".//article//time", ".//main//time", ".//time")
        for e in root.iterfind(scope)
    ]
    lines = [
        e for e in root.iter() if isinstance(e.tag, str) and DATE_CLASS.search(e.get("class") or "")
    ]
    for strict in (True,) if strict_only else (True, False):
        for element in times:
            if _in_furniture(element, strict=strict):
                continue
            if day := any_date(element.get("datetime")) or any_date(element_text(element)):
                return day
        for element in lines:  # "Published 29 March 2024" in a byline or date line
            if (
                len(text := element_text(element)) <= 80
                and not _in_furniture(element, strict=strict)
                and (day := date_in_text(text))
            ):
                return day
        if strict and (day := _date_by_headline(root)):
            return day
    return None


def article_signs(
    root: lxml.html.HtmlElement, meta: PageMeta, objects: list[dict[str, Any]]
) -> bool:
    """True when the page says or shows that it is a story: ``og:type`` article, a
    publication date in its metadata, a JSON-LD or microdata article, an ``<article>``,
    or a ``<time>``, date element or date line by its headline. A page without any
    (a "Contact" or "About us" page) is no story, whatever dates its text mentions."""
    values = meta.values
    return (
        meta.og_type == "article"
        or any(any_date(values.get(name)) for name in _DATE_METAS)
        or main_article(objects) is not None
        or any_date(page_date(objects)) is not None
        or bool(microdata_articles(root))
        or root.find(".//article") is not None
        or _shown_date(root, strict_only=True) is not None
    )


def _date_by_headline(root: lxml.html.HtmlElement) -> dt.date | None:
    """A short line with a date just after the page's main heading, or just before it
    ("Veröffentlicht am 16.08.2019" under the headline)."""
    heading = next((h for h in root.iter("h1") if not _in_furniture(h)), None)
    if heading is None:
        return None
    after: list[str] = []
    for element in heading.itersiblings():
        if len(after) >= _NEAR_HEADLINE:
            break
        if isinstance(element.tag, str) and not is_furniture(element):
            after.extend(t for t in element.itertext() if t.strip())
    before = [
        t
        for e in heading.itersiblings(preceding=True)
        if isinstance(e.tag, str) and not is_furniture(e)
        for t in e.itertext()
        if t.strip()
    ]
    for text in [*after[:_NEAR_HEADLINE], *before[:3]]:
        if len(line := text.strip()) <= 80 and (day := line_date(line)):
            return day
    return None


def read_article(
    root: lxml.html.HtmlElement, meta: PageMeta, page_url: str | None
) -> dict[str, Any]:
    """The fields of the page's own story (``date`` is absent when the page has none)."""
    objects = json_ld_objects(root)
    ld = main_article(objects) or {}
    micro = microdata_articles(root)
    md = micro[0][1] if len(micro) == 1 else {}
    values = meta.values
    heading = _main_heading(root)
    stated = [
        values.get("og:title"),
        ld.get("title"),
        ld.get("name"),
        md.get("title"),
        values.get("twitter:title"),
        values.get("dc.title"),
    ]
    usable = [t for t in stated if t and not _URL_LIKE.match(t) and len(t) <= MAX_TITLE]
    title = _pick_title(usable, heading if len(heading) <= MAX_TITLE else "", meta)
    title = title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"
    summary = (
        values.get("og:description")
        or ld.get("summary")
        or md.get("summary")
        or values.get("twitter:description")
        or values.get("description")
        or ""
    )
    base = meta.base_url
    image = (
        meta.image
        or absolute(ld.get("image_url"), base)
        or absolute(md.get("image_url"), base)
        or absolute(values.get("twitter:image") or values.get("twitter:image:src"), base)
    )
    url = meta.url or absolute(ld.get("url"), base) or absolute(md.get("url"), base) or page_url
    fields: dict[str, Any] = {"title": title, "summary": fit_summary(summary)[0]}
    if url and absolute(url, None):
        fields["url"] = url
    if image:
        fields["image_url"] = image
        if meta.image_alt:
            fields["image_alt"] = meta.image_alt[:300]
    category = meta.section or ld.get("category") or md.get("category")
    if category and len(category) <= MAX_CATEGORY:
        fields["category"] = category
    day = None
    for name in _DATE_METAS:
        if day := any_date(values.get(name)):
            break
    day = (
        day
        or any_date(ld.get("date"))
        or any_date(md.get("date"))
        or any_date(page_date(objects))
        or _shown_date(root)
    )
    if day:
        fields["date"] = day
    return {key: value for key, value in fields.items() if value}


def article_fields(data: str | bytes, *, page_url: str | None) -> dict[str, Any]:
    """The item fields an article page gives (title, summary, date, url, image_url,
    image_alt, category: those it has). Raises :class:`SourceError` for a page that
    cannot be read at all."""
    source = page_url or "the page"
    text, _ = decode_html(data, source)
    root = parse_document(text, source)
    return read_article(root, page_meta(root, page_url=page_url), page_url)


def fetch_article(
    url: str, *, timeout: float = DEFAULT_TIMEOUT, default_category: str = DEFAULT_CATEGORY
) -> ImportReport:
    """Download the page at ``url`` and read its story: a report of one item, or of one
    rejection saying what the page lacks. Raises :class:`SourceError` when it cannot be
    downloaded or read."""
    from composer.library.importers.html_page import (
        parse_html,  # the page reader imports this module
    )

    download = fetch_url(url, timeout=timeout)
    kind = download.content_type.split(";", 1)[0].strip().lower()
    head = download.data[:2048].decode("utf-8", "replace")
    if sniff_format(head) == "rss" and "html" not in kind:
        raise SourceError(
            url, "is a feed, not an article's page: import it as a source to get all its stories"
        )
    if kind and not any(word in kind for word in ("html", "xml", "text")):
        raise SourceError(url, f"is not a web page (the server sent {kind})")
    return parse_html(
        download.data,
        source=url,
        item_source=url,
        default_category=default_category,
        page_url=download.final_url,
        content_type=download.content_type or None,
        kind="article",
    )
