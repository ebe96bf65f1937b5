"""Finding the list of stories in a listing page: the best group of repeated story cards.

The approach is the one content extractors (readability, trafilatura) share, aimed
at lists rather than at one article's text: every element's children are grouped
by tag; a group of two or more siblings that each hold a link with a heading-like
text, and usually a date and an image, is a candidate list, scored by how much its
members look like stories. Sections that are page furniture (``nav``, ``header``,
``footer``, ``aside``, menus, "most read"/"related" boxes, cookie banners,
pagination, share links) are never candidates. When a container holds its stories
as a flat run of headings with their date and teaser between them, each heading
starts a card. The best group wins.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator

import lxml.html

from composer.library.importers.html_card_model import DATE_CLASS as _DATE_CLASS
from composer.library.importers.html_card_model import HEADINGS, Card
from composer.library.importers.html_card_model import INLINE as _INLINE
from composer.library.importers.html_cards import MAX_CARD_LINKS, read_card
from composer.library.importers.html_dates import date_in_text, numeric_date_parts
from composer.library.importers.html_document import element_text

_FURNITURE_TAGS = frozenset({"nav", "footer", "aside", "menu", "dialog", "select", "button"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "dialog", "search"}
)
_FURNITURE = re.compile(
    r"^(?:.*[-_])?(?:nav|navbar|navigation|menu|menus|submenu|breadcrumbs?|footer|sidebar|"
    r"side-bar|widget-area|cookies?|cookie-?banner|consent|gdpr|popular|most-?read|most-?viewed|"
    r"trending|related|share|sharing|social|pagination|pager|paging|skip-?link|masthead|"
    r"site-header|topbar|top-bar|toolbar|banner|newsletter-signup|subscribe|references?|reflist|"
    r"citations?|footnotes?|endnotes?|bibliography|comments?|commentlist|comment-list|replies|"
    r"discussion|disqus|author-info|authors?-box|bio|tags|tagcloud|tag-cloud|"
    r"infobox|navbox|toc)(?:[-_].*)?$",
    re.IGNORECASE,
)
#: Elements never taken for furniture by their class (a body may be "one-sidebar").
_NEVER_BY_CLASS = frozenset({"html", "body", "main", "article"})
#: Words that make a class name a wrapper's, not a sidebar's or menu's.
_WRAPPER_WORDS = frozenset(
    {
        "wrap",
        "wrapper",
        "layout",
        "has",
        "no",
        "with",
        "without",
        "one",
        "two",
        "both",
        "container",
        "content",
        "page",
        "body",
        "open",
        "active",
        "toggle",
        "toggled",
        "enabled",
        "grid",
        "row",
        "col",
    }
)
_SKIPPED_CHILDREN = frozenset({"hr", "br", "script", "noscript", "link", "meta", "style"})
_MAX_GROUPS = 3000
#: Undated cards longer than this (median) are sections of an article, not story teasers.
_MAX_TEASER_CARD = 800


@dataclasses.dataclass
class Group:
    """A candidate list: its cards, and how much they look like stories."""

    cards: list[Card]
    score: float
    #: The element whose children the cards are, and what they are ("li", "run" ...).
    container: lxml.html.HtmlElement | None = None
    kind: str = ""

    @property
    def dated(self) -> int:
        return sum(1 for card in self.cards if (card.date or card.numeric) and card.score)

    @property
    def shown_dates(self) -> int:
        """Cards whose date is written on the page (not only in their link)."""
        return sum(
            1
            for card in self.cards
            if (card.date or card.numeric) and card.score and not card.date_from_url
        )


def is_furniture(element: lxml.html.HtmlElement) -> bool:
    """True for navigation, banners, sidebars, footers and the like (by tag, role or class)."""
    tag = element.tag
    if tag in _FURNITURE_TAGS:
        return True
    if tag == "header" and not _has_ancestor(element, ("article", "li", "main")):
        return True
    role = (element.get("role") or "").lower()
    if role in _FURNITURE_ROLES:
        return True
    if tag in _NEVER_BY_CLASS or role == "main":
        return False
    names = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    return any(_furniture_name(name) for name in names)


def _furniture_name(name: str) -> bool:
    """ "sidebar", "site-footer", "most-read", "cookie-notice": but not a wrapper's name
    that only mentions one ("content-sidebar-wrap", "has-sidebar", "one-sidebar")."""
    if not _FURNITURE.match(name):
        return False
    parts = set(re.split(r"[-_]+", name.lower()))
    return not parts & _WRAPPER_WORDS


def _has_ancestor(element: lxml.html.HtmlElement, tags: tuple[str, ...]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def is_hidden(element: lxml.html.HtmlElement) -> bool:
    """True for an element the page does not show (``hidden``, ``display: none``)."""
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def content_elements(root: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Every element outside page furniture and hidden parts, parents before children."""
    stack = [root]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str) or is_furniture(element) or is_hidden(element):
            continue
        yield element
        stack.extend(reversed([child for child in element if isinstance(child.tag, str)]))


def _sibling_groups(parent: lxml.html.HtmlElement) -> Iterator[list[list[lxml.html.HtmlElement]]]:
    by_tag: dict[str, list[lxml.html.HtmlElement]] = {}
    for child in parent:
        if isinstance(child.tag, str) and child.tag not in _SKIPPED_CHILDREN:
            by_tag.setdefault(child.tag, []).append(child)
    if parent.tag == "dl" and "dt" in by_tag:  # <dt>date</dt><dd><a>title</a></dd> pairs
        yield _definition_pairs(parent)
        return
    for tag, members in by_tag.items():
        if len(members) >= 2 and tag not in HEADINGS:
            kept = [
                m
                for m in members
                if not (is_furniture(m) or is_hidden(m)) and (_has_link(m) or _has_heading(m))
            ]
            if len(kept) >= 2 and tag == "a" and parent.tag not in _INLINE:
                yield _link_runs(parent, kept)  # links one a line: <a>…</a> 3 May<br>
            elif len(kept) >= 2:
                yield [[member] for member in kept]
    headings = [c for c in parent if isinstance(c.tag, str) and c.tag in HEADINGS and _has_link(c)]
    if len(headings) >= 2:
        yield _heading_runs(parent, headings)


def _link_runs(
    parent: lxml.html.HtmlElement, links: list[lxml.html.HtmlElement]
) -> list[list[lxml.html.HtmlElement]]:
    """Cards of links written one a line: each link with what follows it (its tail text,
    a ``<br>``, a ``<small>`` date) up to the next link."""
    starts = {id(link) for link in links}
    runs: list[list[lxml.html.HtmlElement]] = []
    for child in parent:
        if id(child) in starts:
            runs.append([child])
        elif runs and isinstance(child.tag, str) and child.tag in _INLINE | {"br"}:
            runs[-1].append(child)
    return runs


def _definition_pairs(parent: lxml.html.HtmlElement) -> list[list[lxml.html.HtmlElement]]:
    """The cards of a definition list: each ``<dt>`` with the ``<dd>``s after it."""
    cards: list[list[lxml.html.HtmlElement]] = []
    for child in parent:
        if child.tag == "dt":
            cards.append([child])
        elif child.tag == "dd" and cards:
            cards[-1].append(child)
    return cards


def _has_link(element: lxml.html.HtmlElement) -> bool:
    if element.tag == "a" and element.get("href"):
        return True
    return any(link.get("href") for link in element.iter("a"))


def _has_heading(element: lxml.html.HtmlElement) -> bool:
    """True for an element holding a heading (a card whose title may link nowhere)."""
    return any(isinstance(e.tag, str) and e.tag in HEADINGS for e in element.iterdescendants())


def _heading_runs(
    parent: lxml.html.HtmlElement, headings: list[lxml.html.HtmlElement]
) -> list[list[lxml.html.HtmlElement]]:
    """Cards of a flat run: each linked heading with the siblings up to the next one.

    When the run writes each date just before its heading (a short line without a
    link), that line goes with the heading after it, not with the story before.
    """
    level = headings[0].tag
    starts = {id(h) for h in headings if h.tag == level}
    children = [
        child
        for child in parent
        if isinstance(child.tag, str) and child.tag not in _SKIPPED_CHILDREN
    ]
    first = next(index for index, child in enumerate(children) if id(child) in starts)
    leading = first > 0 and _date_line(children[first - 1])
    runs: list[list[lxml.html.HtmlElement]] = []
    current: list[lxml.html.HtmlElement] | None = None
    for index, child in enumerate(children):
        if id(child) in starts:
            current = [child]
            if leading:
                back = index - 1
                while back >= 0 and id(children[back]) not in starts and _date_line(children[back]):
                    back -= 1
                moved = children[back + 1 : index]
                if runs:
                    runs[-1] = [e for e in runs[-1] if all(e is not m for m in moved)]
                current = [*moved, child]
            runs.append(current)
        elif current is not None:
            if child.tag in HEADINGS and child.tag <= level:
                current = None
            else:
                current.append(child)
    return runs


def _date_line(element: lxml.html.HtmlElement) -> bool:
    """A short element without links that holds a date: a story's date line."""
    if element.tag == "a" or element.find(".//a") is not None:
        return False
    text = element_text(element)
    return 0 < len(text) <= 60 and bool(date_in_text(text) or numeric_date_parts(text))


def _group_of(cards_elements: list[list[lxml.html.HtmlElement]], base: str | None) -> Group | None:
    cards = [read_card(elements, base) for elements in cards_elements]
    good = [c for c in cards if c.score and c.link_count <= MAX_CARD_LINKS]
    if len(good) < 2:
        return None
    titles = {card.title for card in good}
    linked = [card.url or card.bad_link for card in good if card.url or card.bad_link]
    if len(titles) < 2 or (len(linked) >= 2 and len(set(linked)) < 2):
        return None  # one link for every card: a page's sections or one story's parts
    if all(card.linkless for card in good) and not all(
        card.date_shown and not card.numeric for card in good
    ):
        # Headings that link nowhere are a page's sections unless each shows its date.
        return None
    undated = [card for card in good if not (card.date or card.numeric)]
    if undated and len(undated) * 2 >= len(good):
        day = _heading_date(cards_elements[0][0])
        for card in undated:
            card.date, card.date_from_heading = day, day is not None
    score = sum(card.score for card in good)
    return Group(cards=cards, score=score)


def _heading_date(first: lxml.html.HtmlElement) -> dt.date | None:
    """The date of a list whose stories are undated but follow a date heading
    ("Friday, March 29, 2013" over the day's stories)."""
    node: lxml.html.HtmlElement | None = first
    for _ in range(3):
        if node is None or node.tag == "body":
            return None
        sibling = node.getprevious()
        for _ in range(3):
            if sibling is None:
                break
            if isinstance(sibling.tag, str) and (
                sibling.tag in HEADINGS or _DATE_CLASS.search(sibling.get("class") or "")
            ):
                text = element_text(sibling)
                if len(text) <= 60 and (day := date_in_text(text)):
                    return day
                break
            sibling = sibling.getprevious()
        node = node.getparent()
    return None


def find_story_cards(root: lxml.html.HtmlElement, base: str | None) -> Group | None:
    """The group of cards most likely to be the page's stories, or None."""
    body = root.find("body")
    start = body if body is not None else root
    best: Group | None = None
    undated: Group | None = None
    examined = 0
    found: list[tuple[lxml.html.HtmlElement, Group]] = []
    for element in content_elements(start):
        for members in _sibling_groups(element):
            examined += 1
            if examined > _MAX_GROUPS:
                break
            group = _group_of(members, base)
            if group is None:
                continue
            group.container, group.kind = element, _kind(members)
            found.append((element, group))
    nesting = _holding_lists(found)
    for _, group in found:
        if any(id(element) in nesting for card in group.cards for element in card.elements):
            continue  # its "cards" hold lists of stories: the lists are the cards' level
        if group.dated and (best is None or group.score > best.score):
            best = group
        elif (
            not group.dated
            and _story_like(group)
            and (undated is None or group.score > undated.score)
        ):
            undated = group
    if best is not None:
        return _with_sections(best, found)
    # Stories without dates are still stories (each is rejected, saying so).
    return undated


def _holding_lists(found: list[tuple[lxml.html.HtmlElement, Group]]) -> set[int]:
    """The ids of elements that hold a list of two or more dated stories."""
    holders: set[int] = set()
    for container, group in found:
        good = [card for card in group.cards if card.score and (card.date or card.numeric)]
        own = [
            card
            for card in good
            if card.headed or not card.date_from_heading or card.elements[0].tag not in _INLINE
        ]
        if len(own) < 2:
            continue  # links side by side under the card's date: labels, not stories
        node = container
        while node is not None and id(node) not in holders:
            holders.add(id(node))
            node = node.getparent()
    return holders


def _kind(members: list[list[lxml.html.HtmlElement]]) -> str:
    """What the group's cards are: their tag, or "run" for heading runs."""
    tags = {elements[0].tag for elements in members}
    return f"{tags.pop()}" if len(tags) == 1 and all(len(m) == 1 for m in members) else "run"


def _ancestor(element: lxml.html.HtmlElement, levels: int) -> lxml.html.HtmlElement | None:
    node: lxml.html.HtmlElement | None = element
    for _ in range(levels):
        node = node.getparent() if node is not None else None
    return node


def _with_sections(best: Group, found: list[tuple[lxml.html.HtmlElement, Group]]) -> Group:
    """The best group with the lists beside it that hold the same kind of cards: an
    archive splits its stories by month or day ("March 2024" then a list, "February
    2024" then another), each list in its own section or not."""
    container = best.container
    if container is None:
        return best
    for levels in range(3):
        mine = _ancestor(container, levels)
        if mine is None or (parent := mine.getparent()) is None:
            return best
        sections = []
        for element, group in found:
            theirs = _ancestor(element, levels)
            if (
                theirs is not None
                and theirs.getparent() is parent
                and theirs.tag == mine.tag
                and element.tag == container.tag
                and group.kind == best.kind
                and group.dated
            ):
                sections.append((theirs, group))
        if len(sections) >= 2:
            order = {id(child): index for index, child in enumerate(parent)}
            sections.sort(key=lambda pair: order.get(id(pair[0]), 0))
            merged = Group(
                cards=[card for _, group in sections for card in group.cards],
                score=sum(group.score for _, group in sections),
            )
            merged.container, merged.kind = container, best.kind
            return merged
    return best


def _story_like(group: Group) -> bool:
    """Undated cards that still look like stories: three or more, most with a teaser, an
    image or a date we cannot read ("3 days ago")."""
    good = [card for card in group.cards if card.score]
    rich = [card for card in good if card.summary or card.image_url or card.date_text]
    lengths = sorted(card.text_length for card in good)
    short = bool(lengths) and lengths[len(lengths) // 2] <= _MAX_TEASER_CARD
    return len(good) >= 3 and len(rich) * 2 > len(good) and short


def single_card(root: lxml.html.HtmlElement, base: str | None) -> Card | None:
    """A fragment holding one story (a single card copied from a listing), or None."""
    body = root.find("body")
    start = body if body is not None else root
    headings = [e.tag for e in start.iter() if isinstance(e.tag, str) and e.tag in HEADINGS]
    if headings and headings.count(headings[0]) > 1:
        return None  # several stories' headings (or a page's sections), not one card
    card = read_card([start], base)
    if card.score and card.date and not card.linkless and card.link_count <= 4:
        return card
    return None


def prose_lengths(root: lxml.html.HtmlElement, group: Group) -> tuple[int, int]:
    """Characters of paragraph text inside the group's cards, and outside them (furniture
    not counted)."""
    cards = {id(element) for card in group.cards if card.score for element in card.elements}
    inside = outside = 0
    for paragraph in root.iter("p"):
        in_cards = False
        node = paragraph
        furniture = False
        while node is not None:
            if id(node) in cards:
                in_cards = True
                break
            if is_furniture(node):
                furniture = True
                break
            node = node.getparent()
        if furniture:
            continue
        length = len(element_text(paragraph))
        if in_cards:
            inside += length
        else:
            outside += length
    return inside, outside
