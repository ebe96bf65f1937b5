"""One story card of a listing page: its title and link, date, teaser, label and thumbnail.

A *card* is the element (or run of sibling elements) that holds one story in a
listing: an ``<article>``, a ``views-row``, an ``<li>``, a table row, a link wrapping
a picture and a title. :func:`read_card` reads what a person sees in it; nothing is
resolved or validated here except links and images, which are made absolute (the
thumbnail is :mod:`composer.library.importers.html_images`' to find). A card whose heading
links nowhere (no link, ``#``, ``javascript:``, ``mailto:``) is read as a story
without a link; it is dated only by a date the card shows as one, not by a sentence.
The category is :mod:`composer.library.importers.html_card_labels`' to read: a category
link, an element classed as a label ("category", "badge", "label" ...), the cell under a
table's "Type" column, or the word before the date in a meta line ("Pressemitteilung ·
14. Februar 2024"). :class:`Card` and the element rules the readers share are in
:mod:`composer.library.importers.html_card_model`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

import lxml.html

from composer.library.dates import find_date
from composer.library.importers.base import fit_summary
from composer.library.importers.html_card_labels import LABEL_MAX, label_classed, read_label
from composer.library.importers.html_card_model import (
    CATEGORY_PATH,
    DATE_CLASS,
    HEADINGS,
    INLINE,
    Card,
    card_elements,
    classes,
    inside,
    is_generic,
    usable_href,
)
from composer.library.importers.html_dates import (
    date_in_text,
    in_prose,
    machine_date,
    numeric_date,
    numeric_date_parts,
    placeholder_date,
)
from composer.library.importers.html_document import absolute, element_text, is_relative
from composer.library.importers.html_images import thumbnail
from composer.library.item import MAX_TITLE
from composer.text import clean_line

_TITLE_CLASS = re.compile(r"(title|headline|heading|entry-name|post-name)", re.IGNORECASE)
_TEASER_CLASS = re.compile(
    r"(excerpt|summary|teaser|description|desc\b|intro|lead|abstract|body|snippet|"
    r"article-style|entry-content|standfirst|chapo|text)",
    re.IGNORECASE,
)
#: A card holding more links than this is a container of several stories (a story's own
#: text may hold many links, but not this many) ...
MAX_CARD_LINKS = 40
#: ... and so is one holding headings that link to more than this many pages.
MAX_HEADING_LINKS = 2


def _link_of(element: lxml.html.HtmlElement, stop: lxml.html.HtmlElement | None) -> str | None:
    """The href of ``element`` itself, of a link inside it, or of a link around it."""
    if element.tag == "a" and (href := usable_href(element)):
        return href
    for link in element.iter("a"):
        if href := usable_href(link):
            return href
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == "a" and (href := usable_href(parent)):
            return href
        parent = parent.getparent()
    if stop is not None and stop.tag == "a":
        return usable_href(stop)
    return None


def _title_candidates(card: Card) -> Iterator[tuple[lxml.html.HtmlElement, str | None]]:
    elements = card.elements
    root = elements[0] if len(elements) == 1 else None
    everything = card.everything
    headings = [(e, _link_of(e, root)) for e in everything if e.tag in HEADINGS]
    # A heading that links nowhere beside one that links is a kicker ("Harbour" over
    # the linked title), not the story's title.
    some_linked = any(href for _, href in headings)
    for element, href in headings:  # a heading: inside a link, or holding one
        if some_linked and not href:
            continue
        inner = [a for a in element.iter("a") if usable_href(a) and element_text(a)]
        if len(inner) == 1 and element_text(inner[0]) != element_text(element):
            # "<h3><a>Title</a> <span>3 May 2024</span></h3>": the link is the title
            yield inner[0], usable_href(inner[0])
        yield element, href
    for element in everything:
        if element.get("itemprop") in ("headline", "name") or (
            element.tag not in ("a", "body", "html")
            and _TITLE_CLASS.search(element.get("class") or "")
            and not DATE_CLASS.search(element.get("class") or "")
        ):
            yield element, _link_of(element, root)
    links = [e for e in everything if e.tag == "a" and usable_href(e)]
    links.sort(key=lambda link: -len(element_text(link)))
    for link in links:
        yield link, usable_href(link)


def _read_title(card: Card, base: str | None) -> lxml.html.HtmlElement | None:
    fallback_href = None
    for element in card.elements:
        if element.tag == "a" and (href := usable_href(element)):
            fallback_href = href
    for element, href in _title_candidates(card):
        text = element_text(element) or clean_line(element.get("aria-label") or "")
        if len(text) < 2 or is_generic(text) or len(text) > MAX_TITLE or _URL_TEXT.match(text):
            continue
        if element.tag == "a" and element not in card.elements and _inline(element):
            continue  # a link in running text: prose, not a story's title
        if element.tag == "a" and (first := _first_line(element)) is not None:
            href = href or usable_href(element)
            element, text = first, element_text(first)
        href = href or fallback_href or _single_link(card) or _main_link(card)
        if not href:
            continue
        card.title = text
        card.headed = _is_heading(element)
        card.url = absolute(href, base)
        if card.url is None and is_relative(href):
            card.relative_dropped = True
        elif card.url is None:
            card.bad_link = clean_line(href)[:100]
        return element
    return _linkless_title(card)


def _linkless_title(card: Card) -> lxml.html.HtmlElement | None:
    """The heading of a card whose title links nowhere (a story the site did not link,
    or linked to ``#`` or ``javascript:``): it is still a story's title when the card's
    siblings are stories (the listing reader decides)."""
    for element in card.everything:
        if element.tag not in HEADINGS:
            continue
        text = element_text(element)
        if len(text) < 2 or is_generic(text) or len(text) > MAX_TITLE or _URL_TEXT.match(text):
            continue
        dead = [a.get("href") or "" for a in element.iter("a")]
        parent = element.getparent()
        if parent is not None and parent.tag == "a":
            dead.append(parent.get("href") or "")
        card.title, card.headed, card.linkless = text, True, True
        card.dead_link = clean_line(next((href for href in dead if href.strip()), ""))[:100]
        return element
    return None


#: Text before a link beyond this is prose around it, whatever it says.
_PROSE_BEFORE = 80
_URL_TEXT = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)
_BLOCKS = frozenset(
    {"p", "li", "td", "dd", "dt", "div", "section", "article", "blockquote", *HEADINGS}
)


def _first_line(link: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """In a link that wraps a whole teaser (a title, a paragraph, a date), the element
    holding its first words: the title. None for a link that is just a title."""
    if link.find(".//p") is None and link.find(".//div") is None:
        return None
    for element in link.iterdescendants():
        if not isinstance(element.tag, str) or element.tag in ("img", "picture", "source"):
            continue
        text = element_text(element)
        if element.tag in ("p", "div") and element.find(".//*") is not None:
            continue  # a wrapper: look inside it
        if len(text) >= 2 and not (date_in_text(text) and len(text) <= 40):
            return element
    return None


def _inline(link: lxml.html.HtmlElement) -> bool:
    """True when words come before ``link`` in its paragraph (or list item, cell ...)."""
    block = link.getparent()
    while block is not None and block.tag not in _BLOCKS:
        block = block.getparent()
    if block is None:
        return False
    before: list[str] = []
    for node in block.iter():  # document order: what is written before the link
        if node is link:
            break
        if not isinstance(node.tag, str):
            continue
        before.append(node.text or "")
        if not inside(link, node):  # an ancestor's tail comes after the link
            before.append(node.tail or "")
        if sum(len(text) for text in before) > _PROSE_BEFORE:
            return True
    written = clean_line("".join(before))
    # "3 March 2024 – <a>", "Press release: <a>": a date or a label, not a sentence
    if (found := find_date(written)) is not None:
        written = clean_line(written[: found.start] + written[found.end :])
    if len(written.strip(" ,.;:|–—-•·»()[]")) <= 3:
        return False
    return not (len(written) <= LABEL_MAX // 4 and written[-1] in ":|–—-•·»")


def _heading_links(everything: list[lxml.html.HtmlElement]) -> int:
    """How many different pages the card's headings link to."""
    hrefs: set[str] = set()
    for element in everything:
        if element.tag in HEADINGS:
            hrefs.update(h for a in element.iter("a") if (h := usable_href(a)))
            parent = element.getparent()
            if parent is not None and parent.tag == "a" and (h := usable_href(parent)):
                hrefs.add(h)
            if len(hrefs) > MAX_HEADING_LINKS:
                break
    return len(hrefs)


def _is_heading(element: lxml.html.HtmlElement) -> bool:
    """True for a heading, a link in one, or a link around one."""
    if element.tag in HEADINGS:
        return True
    parent = element.getparent()
    if parent is not None and parent.tag in HEADINGS:
        return True
    return any(e.tag in HEADINGS for e in element.iterdescendants())


def _single_link(card: Card) -> str | None:
    return card.hrefs[0] if len(card.hrefs) == 1 else None


def _main_link(card: Card) -> str | None:
    """The story's own link in a card whose title links nowhere: the one its picture and
    "Read more" share (not a category's or author's page)."""
    counts: dict[str, int] = {}
    for element in card.everything:
        if element.tag != "a" or (href := usable_href(element)) is None:
            continue
        rels = set((element.get("rel") or "").split())
        if rels & {"category", "tag", "author"} or CATEGORY_PATH.search(href):
            continue
        weight = 2 if element.find(".//img") is not None or is_generic(element_text(element)) else 1
        counts[href] = counts.get(href, 0) + weight
    if not counts:
        return None
    best = max(counts.values())
    winners = [href for href, count in counts.items() if count == best]
    return winners[0] if len(winners) == 1 or best > 1 else None


def _date_texts(
    card: Card, title: lxml.html.HtmlElement | None, teaser: lxml.html.HtmlElement | None
) -> Iterator[tuple[str, bool]]:
    """Where a card's date may be written, most telling first: ``<time>`` and
    ``datePublished``, elements classed as dates, then any text outside title and teaser;
    each with whether the page presents it as a date (an element for it) or not."""
    everything = card.everything
    for element in everything:
        # <abbr class="published" title="2024-03-03T10:00:00+01:00">: hAtom, Blogger, Hugo
        if (stamp := element.get("title")) and element.tag != "a" and (day := machine_date(stamp)):
            card.date, card.date_shown = day, True
            return
        if element.tag == "time" or element.get("itemprop") in ("datePublished", "dateCreated"):
            value = element.get("datetime") or element.get("content") or ""
            if day := machine_date(value):
                card.date, card.date_shown = day, True
                return
            if placeholder_date(value) and not card.date_text:
                card.date_text = value[:10]
            yield value, True
            yield _shown_date(card, element_text(element)), True
    for element in everything:
        if (
            DATE_CLASS.search(classes(element))
            and not inside(element, title)
            and not inside(element, teaser)
        ):
            yield _shown_date(card, element_text(element)), True
    # A block card ends where its element does; a link's card goes on after it (its
    # tail is what the page says about that link).
    outer = set() if card.elements[0].tag in INLINE else {id(e) for e in card.elements}
    for element in everything:
        parent = element.getparent()
        if element.text and not (inside(element, title) or inside(element, teaser)):
            yield element.text, False
        if (
            element.tail
            and id(element) not in outer
            and not (inside(parent, title) or inside(parent, teaser))
        ):
            yield element.tail, False


_RELATIVE = re.compile(r"\d|\bago\b|yesterday|today|hier|gestern|heute|aujourd|ayer|hoy", re.I)


def _shown_date(card: Card, text: str) -> str:
    """``text``, noted as what the card shows for a date if it looks like one ("3 days
    ago", "Mon 4th") in case no date can be read from it."""
    if not card.date_text and len(text) <= 40 and _RELATIVE.search(text):
        card.date_text = text
    return text


def _read_date(
    card: Card, title: lxml.html.HtmlElement | None, teaser: lxml.html.HtmlElement | None
) -> None:
    for text, presented in _date_texts(card, title, teaser):
        if card.date is not None:
            return
        if not text:
            continue
        shown = presented or not in_prose(text)
        if card.linkless and not shown:
            continue  # a story without a link is dated only by a date the page shows as one
        parts = numeric_date_parts(text)
        if day := date_in_text(text):
            card.date, card.date_shown = day, shown
            # A numeric date read one way may be read the other way once the page says so.
            if parts and day in (numeric_date(parts, "dmy"), numeric_date(parts, "mdy")):
                card.numeric, card.numeric_text = parts, clean_line(text)[:40]
            return
        if parts and card.numeric is None:
            card.numeric, card.numeric_text = parts, clean_line(text)[:40]
            card.date_shown = shown


def _read_teaser(card: Card, title: lxml.html.HtmlElement | None) -> lxml.html.HtmlElement | None:
    best: tuple[int, lxml.html.HtmlElement, str] | None = None
    for element in card.everything:
        if element.tag in HEADINGS or element.tag == "a" or inside(element, title):
            continue
        if title is not None and inside(title, element):
            continue
        marked = bool(_TEASER_CLASS.search(element.get("class") or ""))
        if not marked and element.tag not in ("p", "div", "span", "td", "dd", "section"):
            continue
        text = element_text(element)
        if len(text) < (20 if marked else 40) or text == card.title:
            continue
        if machine_date(text) or (len(text) < 60 and date_in_text(text)):
            continue
        rank = (2 if marked else 0) + (1 if element.tag == "p" else 0)
        if best is None or rank > best[0]:
            best = (rank, element, text)
    if best is None:
        best = _short_teaser(card, title)
    if best is None:
        return None
    card.summary = fit_summary(_without_more_links(best[1], best[2]))[0]
    return best[1]


def _short_teaser(
    card: Card, title: lxml.html.HtmlElement | None
) -> tuple[int, lxml.html.HtmlElement, str] | None:
    """A card's short teaser ("Vote passed."): its first paragraph (or element classed as
    a teaser) that is not its title, its date, a label or a "Read more" link."""
    for element in card.everything:
        marked = bool(_TEASER_CLASS.search(element.get("class") or ""))
        if element.tag != "p" and not marked:
            continue
        if element.tag in HEADINGS or element.tag == "a" or inside(element, title):
            continue
        if title is not None and inside(title, element):
            continue
        text = element_text(element)
        if len(text) < 2 or not any(ch.isalpha() for ch in text) or text == card.title:
            continue
        if is_generic(text) or machine_date(text) or (date_in_text(text) and not in_prose(text)):
            continue  # "Read more", "3 March 2024", "Posted on 3 March 2024"
        if DATE_CLASS.search(classes(element)) or label_classed(element):
            continue
        links = [element_text(a) for a in element.iter("a") if element_text(a)]
        if links and " ".join(links) == text:
            continue  # only links: a category's, an author's, "Continue reading"
        return (0, element, text)
    return None


def _without_more_links(element: lxml.html.HtmlElement, text: str) -> str:
    """A teaser's text without the "Continue reading" link at its end."""
    links = [a for a in element.iter("a") if is_generic(element_text(a))]
    for link in reversed(links):
        shown = element_text(link)
        if shown and text.endswith(shown):
            text = text[: -len(shown)].rstrip(" -–—|:»›→")
    return text


def _read_image(card: Card, base: str | None) -> None:
    found = thumbnail(card.everything, base)
    card.image_url, card.image_alt = found.url, found.alt
    card.relative_dropped = card.relative_dropped or found.relative_dropped


def read_card(elements: Sequence[lxml.html.HtmlElement], base: str | None) -> Card:
    """What the card made of ``elements`` shows."""
    card = Card(elements=elements)
    hrefs: dict[str, None] = {}
    for element in card_elements(elements):
        if element.tag == "a" and (href := usable_href(element)) is not None:
            hrefs[href] = None
            if len(hrefs) > MAX_CARD_LINKS:
                break
    card.hrefs = list(hrefs)
    card.link_count = len(hrefs)
    if card.link_count > MAX_CARD_LINKS:
        return card  # a container of many stories, not one
    card.everything = list(card_elements(elements))
    if _heading_links(card.everything) > MAX_HEADING_LINKS:
        card.link_count = MAX_CARD_LINKS + 1
        return card
    title = _read_title(card, base)
    if not card.title:
        return card
    teaser = _read_teaser(card, title)
    _read_date(card, title, teaser)
    if card.date is None and card.numeric is None and card.url:
        card.date = url_date(card.url)
        card.date_from_url = card.date is not None
    read_label(card, title)
    _read_image(card, base)
    card.text_length = sum(len(element_text(element)) for element in elements)
    return card


_URL_DAY = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:[/-]|$)")


def url_date(url: str) -> dt.date | None:
    """The day a permalink names (``/2024/03/14/slug``, ``/2024-03-14-slug``), if it does."""
    path = urlsplit(url).path
    if m := _URL_DAY.search(path):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None
