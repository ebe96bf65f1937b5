"""One story card of a listing page: its title and link, date, teaser, label and thumbnail.

A *card* is the element (or run of sibling elements) that holds one story in a
listing: an ``<article>``, a ``views-row``, an ``<li>``, a table row, a link wrapping
a picture and a title. :func:`read_card` reads what a person sees in it; nothing is
resolved or validated here except links and images, which are made absolute (the
thumbnail is :mod:`composer.library.importers.html_images`' to find). A card whose heading
links nowhere (no link, ``#``, ``javascript:``, ``mailto:``) is read as a story
without a link; it is dated only by a date the card shows as one, not by a sentence.
The category is a category link, an element classed as a label ("category",
"badge", "label" ...), the cell under a table's "Type" column, or the word before
the date in a meta line ("Pressemitteilung · 14. Februar 2024").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from urllib.parse import urlsplit

import lxml.html

from composer.library.dates import find_date
from composer.library.importers.base import fit_summary
from composer.library.importers.html_dates import (
    NumericDate,
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
from composer.text import clean_line, fold

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_CLASS = re.compile(r"(title|headline|heading|entry-name|post-name)", re.IGNORECASE)
DATE_CLASS = re.compile(r"(date|time|posted|published|meta|byline|stamp)", re.IGNORECASE)
_TEASER_CLASS = re.compile(
    r"(excerpt|summary|teaser|description|desc\b|intro|lead|abstract|body|snippet|"
    r"article-style|entry-content|standfirst|chapo|text)",
    re.IGNORECASE,
)
_LABEL_PARTS = frozenset(
    {
        "category",
        "categories",
        "cat",
        "section",
        "kicker",
        "eyebrow",
        "type",
        "rubric",
        "rubrique",
        "topic",
        "department",
        "kind",
        "genre",
        "tag",
        "tags",
        "badge",
        "label",
    }
)
#: Table column headings that name a story's category ("Type", "Rubrique", "Kategorie").
_LABEL_COLUMNS = frozenset(
    {
        "type",
        "category",
        "categorie",
        "categoria",
        "kategorie",
        "typ",
        "art",
        "rubrik",
        "rubrique",
        "rubrica",
        "section",
        "seccion",
        "sezione",
        "tipo",
        "genre",
        "soort",
        "kind",
        "topic",
        "thema",
        "theme",
        "tema",
    }
)
#: The separators of a meta line ("Pressemitteilung · 14. Februar 2024").
_META_SEPARATORS = re.compile(r"\s+[|/–—-]\s+|\s*[·•]\s*")
_AUTHOR = re.compile(r"^(by|von|par|por|di|door|av|af|de)\s|:", re.IGNORECASE)
#: A label beside a date is a word or a few, not a sentence.
_META_LABEL_WORDS = 4
#: Link texts that are never a story's title.
GENERIC_LINKS = frozenset(
    {
        "read more",
        "more",
        "continue reading",
        "read the full story",
        "full story",
        "learn more",
        "details",
        "see more",
        "view",
        "lire la suite",
        "en savoir plus",
        "suite",
        "weiterlesen",
        "mehr",
        "mehr lesen",
        "leer más",
        "leer mas",
        "ver más",
        "leggi tutto",
        "leggi di più",
        "lees meer",
        "saiba mais",
        "ler mais",
        "читать далее",
        "подробнее",
        "اقرأ المزيد",
        "التفاصيل",
        "»",
        "›",
        "→",
    }
)
_SKIP_HREF = re.compile(r"^\s*(javascript|mailto|tel|sms|data):", re.IGNORECASE)
_LABEL_MAX = 80
#: A card holding more links than this is a container of several stories (a story's own
#: text may hold many links, but not this many) ...
MAX_CARD_LINKS = 40
#: ... and so is one holding headings that link to more than this many pages.
MAX_HEADING_LINKS = 2


@dataclasses.dataclass
class Card:
    """What one card shows, links and images absolute (or None when they cannot be)."""

    elements: Sequence[lxml.html.HtmlElement]
    title: str = ""
    url: str | None = None
    date: dt.date | None = None
    summary: str = ""
    category: str = ""
    image_url: str | None = None
    image_alt: str = ""
    #: A relative link or image was dropped for want of a base.
    relative_dropped: bool = False
    #: The story's link, when it is not a valid web address (the story is kept without it).
    bad_link: str = ""
    #: How many different links the card holds (a container of many stories has many).
    link_count: int = 0
    hrefs: list[str] = dataclasses.field(default_factory=list)
    #: Every element of the card, in document order.
    everything: list[lxml.html.HtmlElement] = dataclasses.field(default_factory=list, repr=False)
    #: A date written with numbers only (``05.06.15``): the page decides its order.
    numeric: NumericDate | None = None
    numeric_text: str = ""
    #: What a date element shows when no date could be read from it ("3 days ago").
    date_text: str = ""
    #: The title is a heading's (or a link's in or around a heading).
    headed: bool = False
    #: The date is the one of a heading over the whole list ("Friday, March 29, 2013").
    date_from_heading: bool = False
    #: The date is only the one its link's path names (``/2024/03/14/``).
    date_from_url: bool = False
    #: Characters of text the card holds (a whole article is no card).
    text_length: int = 0
    #: The title is a heading that links nowhere (no link, or ``#``, ``javascript:``,
    #: ``mailto:``): a story without a link of its own, if its siblings are stories.
    linkless: bool = False
    #: What the title's link pointed at when it is no page ("#", "javascript:void(0)").
    dead_link: str = ""
    #: The date was read from a ``<time>``, a date element or a line that presents it
    #: (not from a sentence that mentions it).
    date_shown: bool = False

    @property
    def line(self) -> int | None:
        return self.elements[0].sourceline if self.elements else None

    @property
    def score(self) -> float:
        """How much this looks like one story (0 when it is not one)."""
        if not self.title or not (
            self.url or self.relative_dropped or self.bad_link or self.linkless
        ):
            return 0.0
        return (
            (0.5 if self.linkless else 1.0)
            + (2.0 if self.date or self.numeric else 0.0)
            + (0.5 if self.image_url else 0.0)
            + (0.5 if self.summary else 0.0)
        )


def _iter(elements: Sequence[lxml.html.HtmlElement]) -> Iterator[lxml.html.HtmlElement]:
    for element in elements:
        if isinstance(element.tag, str):
            yield from (e for e in element.iter() if isinstance(e.tag, str))


def _classes(element: lxml.html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def _usable_href(element: lxml.html.HtmlElement) -> str | None:
    href: str | None = element.get("href")
    if not href or not href.strip() or href.strip().startswith("#") or _SKIP_HREF.match(href):
        return None
    return href


def _link_of(element: lxml.html.HtmlElement, stop: lxml.html.HtmlElement | None) -> str | None:
    """The href of ``element`` itself, of a link inside it, or of a link around it."""
    if element.tag == "a" and (href := _usable_href(element)):
        return href
    for link in element.iter("a"):
        if href := _usable_href(link):
            return href
    parent = element.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == "a" and (href := _usable_href(parent)):
            return href
        parent = parent.getparent()
    if stop is not None and stop.tag == "a":
        return _usable_href(stop)
    return None


def is_generic(text: str) -> bool:
    """True for "Read more", "Lire la suite" and the like."""
    folded = text.strip(" .…:»›→").casefold()
    return folded in GENERIC_LINKS or not folded


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
        inner = [a for a in element.iter("a") if _usable_href(a) and element_text(a)]
        if len(inner) == 1 and element_text(inner[0]) != element_text(element):
            # "<h3><a>Title</a> <span>3 May 2024</span></h3>": the link is the title
            yield inner[0], _usable_href(inner[0])
        yield element, href
    for element in everything:
        if element.get("itemprop") in ("headline", "name") or (
            element.tag not in ("a", "body", "html")
            and _TITLE_CLASS.search(element.get("class") or "")
            and not DATE_CLASS.search(element.get("class") or "")
        ):
            yield element, _link_of(element, root)
    links = [e for e in everything if e.tag == "a" and _usable_href(e)]
    links.sort(key=lambda link: -len(element_text(link)))
    for link in links:
        yield link, _usable_href(link)


def _read_title(card: Card, base: str | None) -> lxml.html.HtmlElement | None:
    fallback_href = None
    for element in card.elements:
        if element.tag == "a" and (href := _usable_href(element)):
            fallback_href = href
    for element, href in _title_candidates(card):
        text = element_text(element) or clean_line(element.get("aria-label") or "")
        if len(text) < 2 or is_generic(text) or len(text) > MAX_TITLE or _URL_TEXT.match(text):
            continue
        if element.tag == "a" and element not in card.elements and _inline(element):
            continue  # a link in running text: prose, not a story's title
        if element.tag == "a" and (first := _first_line(element)) is not None:
            href = href or _usable_href(element)
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
#: Elements inside a line of text.
INLINE = frozenset({"a", "span", "small", "em", "strong", "b", "i", "font", "label", "time"})
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
        if not _inside(link, node):  # an ancestor's tail comes after the link
            before.append(node.tail or "")
        if sum(len(text) for text in before) > _PROSE_BEFORE:
            return True
    written = clean_line("".join(before))
    # "3 March 2024 – <a>", "Press release: <a>": a date or a label, not a sentence
    if (found := find_date(written)) is not None:
        written = clean_line(written[: found.start] + written[found.end :])
    if len(written.strip(" ,.;:|–—-•·»()[]")) <= 3:
        return False
    return not (len(written) <= _LABEL_MAX // 4 and written[-1] in ":|–—-•·»")


def _heading_links(everything: list[lxml.html.HtmlElement]) -> int:
    """How many different pages the card's headings link to."""
    hrefs: set[str] = set()
    for element in everything:
        if element.tag in HEADINGS:
            hrefs.update(h for a in element.iter("a") if (h := _usable_href(a)))
            parent = element.getparent()
            if parent is not None and parent.tag == "a" and (h := _usable_href(parent)):
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
        if element.tag != "a" or (href := _usable_href(element)) is None:
            continue
        rels = set((element.get("rel") or "").split())
        if rels & {"category", "tag", "author"} or _CATEGORY_PATH.search(href):
            continue
        weight = 2 if element.find(".//img") is not None or is_generic(element_text(element)) else 1
        counts[href] = counts.get(href, 0) + weight
    if not counts:
        return None
    best = max(counts.values())
    winners = [href for href, count in counts.items() if count == best]
    return winners[0] if len(winners) == 1 or best > 1 else None


def _inside(element: lxml.html.HtmlElement, container: lxml.html.HtmlElement | None) -> bool:
    if container is None:
        return False
    while element is not None:
        if element is container:
            return True
        element = element.getparent()
    return False


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
            DATE_CLASS.search(_classes(element))
            and not _inside(element, title)
            and not _inside(element, teaser)
        ):
            yield _shown_date(card, element_text(element)), True
    # A block card ends where its element does; a link's card goes on after it (its
    # tail is what the page says about that link).
    outer = set() if card.elements[0].tag in INLINE else {id(e) for e in card.elements}
    for element in everything:
        parent = element.getparent()
        if element.text and not (_inside(element, title) or _inside(element, teaser)):
            yield element.text, False
        if (
            element.tail
            and id(element) not in outer
            and not (_inside(parent, title) or _inside(parent, teaser))
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
        if element.tag in HEADINGS or element.tag == "a" or _inside(element, title):
            continue
        if title is not None and _inside(title, element):
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
        if element.tag in HEADINGS or element.tag == "a" or _inside(element, title):
            continue
        if title is not None and _inside(title, element):
            continue
        text = element_text(element)
        if len(text) < 2 or not any(ch.isalpha() for ch in text) or text == card.title:
            continue
        if is_generic(text) or machine_date(text) or (date_in_text(text) and not in_prose(text)):
            continue  # "Read more", "3 March 2024", "Posted on 3 March 2024"
        if DATE_CLASS.search(_classes(element)) or _label_classed(element):
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


def _label_text(element: lxml.html.HtmlElement) -> str:
    links = [element_text(a) for a in element.iter("a") if element_text(a)]
    text = links[0] if links else element_text(element)
    if text.endswith(":"):
        return ""  # "Category:" introduces the label; it is not one
    text = text.strip(" |·•,;:-–—")
    return text if 0 < len(text) <= _LABEL_MAX and not is_generic(text) else ""


def _label_classed(element: lxml.html.HtmlElement) -> bool:
    """True for an element whose class names it a label ("badge", "category", "kicker")."""
    return bool(set(re.split(r"[\s_-]+", (element.get("class") or "").lower())) & _LABEL_PARTS)


def _read_label(card: Card, title: lxml.html.HtmlElement | None) -> None:
    for element in card.everything:
        rels = set((element.get("rel") or "").split())
        if element.tag == "a" and {"category", "tag"} & rels and (text := _label_text(element)):
            card.category = text
            return
    for element in card.everything:  # a link to the category's page
        if (
            element.tag == "a"
            and not _inside(element, title)
            and _CATEGORY_PATH.search(element.get("href") or "")
            and (text := _label_text(element))
            and text != card.title
        ):
            card.category = text
            return
    for element in card.everything:
        if element in card.elements or _inside(element, title):
            continue
        if (
            _label_classed(element)
            and (text := _label_text(element))
            and not date_in_text(text)
            and text != card.title
        ):
            card.category = text
            return
    card.category = _column_label(card) or _meta_label(card, title)


def _column_label(card: Card) -> str:
    """The category of a table row: its cell under a "Type" or "Category" heading."""
    row = card.elements[0]
    if row.tag != "tr" or len(card.elements) != 1:
        return ""
    table = row.getparent()
    while table is not None and table.tag != "table":
        table = table.getparent()
    if table is None:
        return ""
    heads: list[lxml.html.HtmlElement] = []
    for other in table.iter("tr"):
        cells = [c for c in other if isinstance(c.tag, str) and c.tag in ("th", "td")]
        if cells and all(c.tag == "th" for c in cells):
            heads = cells
            break
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")]
    if len(heads) != len(cells):
        return ""
    for head, cell in zip(heads, cells, strict=True):
        name = unicodedata.normalize("NFKD", fold(element_text(head)))
        name = "".join(ch for ch in name if not unicodedata.combining(ch))
        text = _label_text(cell)
        if name in _LABEL_COLUMNS and text and text != card.title and not date_in_text(text):
            return text
    return ""


def _meta_label(card: Card, title: lxml.html.HtmlElement | None) -> str:
    """The label a card's meta line puts before its date ("Pressemitteilung · 14. Februar
    2024", "News | 3 March 2024"): a word or a few, without digits, not an author's name."""
    for element in card.everything:
        if not DATE_CLASS.search(_classes(element)) or _inside(element, title):
            continue
        text = element_text(element)
        if len(text) > _LABEL_MAX or date_in_text(text) is None:
            continue
        parts = [part.strip() for part in _META_SEPARATORS.split(text)]
        for part in parts:
            if date_in_text(part) or any(ch.isdigit() for ch in part):
                break  # the date: what follows it is a byline or a reading time
            if (
                part
                and len(part.split()) <= _META_LABEL_WORDS
                and not _AUTHOR.search(part)
                and not is_generic(part)
                and part != card.title
            ):
                return part
        return ""
    return ""


_CATEGORY_PATH = re.compile(
    r"/(categor(?:y|ies|ie|ia|ias)|kategorie|rubri(?:que|k|ca)|sections?|topics?|themen?)/",
    re.IGNORECASE,
)


def _read_image(card: Card, base: str | None) -> None:
    found = thumbnail(card.everything, base)
    card.image_url, card.image_alt = found.url, found.alt
    card.relative_dropped = card.relative_dropped or found.relative_dropped


def read_card(elements: Sequence[lxml.html.HtmlElement], base: str | None) -> Card:
    """What the card made of ``elements`` shows."""
    card = Card(elements=elements)
    hrefs: dict[str, None] = {}
    for element in _iter(elements):
        if element.tag == "a" and (href := _usable_href(element)) is not None:
            hrefs[href] = None
            if len(hrefs) > MAX_CARD_LINKS:
                break
    card.hrefs = list(hrefs)
    card.link_count = len(hrefs)
    if card.link_count > MAX_CARD_LINKS:
        return card  # a container of many stories, not one
    card.everything = list(_iter(elements))
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
    _read_label(card, title)
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
