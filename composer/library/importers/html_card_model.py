"""A story card of a listing page, and the rules on elements every part of its reading shares.

:class:`Card` is what :func:`composer.library.importers.html_cards.read_card` reads in
one card; the rules here tell a heading, a date's element, an inline element, a link
that goes somewhere (:func:`usable_href`) and a "Read more" link (:func:`is_generic`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator, Sequence

import lxml.html

from composer.library.importers.html_dates import NumericDate

HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
DATE_CLASS = re.compile(r"(date|time|posted|published|meta|byline|stamp)", re.IGNORECASE)
#: Elements inside a line of text.
INLINE = frozenset({"a", "span", "small", "em", "strong", "b", "i", "font", "label", "time"})
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
CATEGORY_PATH = re.compile(
    r"/(categor(?:y|ies|ie|ia|ias)|kategorie|rubri(?:que|k|ca)|sections?|topics?|themen?)/",
    re.IGNORECASE,
)


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


def card_elements(elements: Sequence[lxml.html.HtmlElement]) -> Iterator[lxml.html.HtmlElement]:
    """Every element of a card made of ``elements``, in document order (no comments)."""
    for element in elements:
        if isinstance(element.tag, str):
            yield from (e for e in element.iter() if isinstance(e.tag, str))


def classes(element: lxml.html.HtmlElement) -> str:
    """The element's class and id, where pages say what an element is."""
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def usable_href(element: lxml.html.HtmlElement) -> str | None:
    """The element's href when it leads to a page (not ``#``, ``javascript:``, ``mailto:`` ...)."""
    href: str | None = element.get("href")
    if not href or not href.strip() or href.strip().startswith("#") or _SKIP_HREF.match(href):
        return None
    return href


def is_generic(text: str) -> bool:
    """True for "Read more", "Lire la suite" and the like."""
    folded = text.strip(" .…:»›→").casefold()
    return folded in GENERIC_LINKS or not folded


def inside(element: lxml.html.HtmlElement, container: lxml.html.HtmlElement | None) -> bool:
    """True when ``element`` is ``container`` or inside it."""
    if container is None:
        return False
    while element is not None:
        if element is container:
            return True
        element = element.getparent()
    return False
