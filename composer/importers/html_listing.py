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
import re
from collections.abc import Iterator

import lxml.html

from composer.importers.html_cards import HEADINGS, Card, read_card

_FURNITURE_TAGS = frozenset({"nav", "footer", "aside", "form", "menu", "dialog", "select"})
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "menu", "menubar", "dialog", "search"}
)
_FURNITURE = re.compile(
    r"^(?:.*[-_])?(?:nav|navbar|navigation|menu|menus|submenu|breadcrumbs?|footer|sidebar|"
    r"side-bar|widget-area|cookies?|cookie-?banner|consent|gdpr|popular|most-?read|most-?viewed|"
    r"trending|related|share|sharing|social|pagination|pager|paging|skip-?link|masthead|"
    r"site-header|topbar|top-bar|toolbar|banner|newsletter-signup|subscribe)(?:[-_].*)?$",
    re.IGNORECASE,
)
_SKIPPED_CHILDREN = frozenset({"hr", "br", "script", "noscript", "link", "meta", "style"})
#: A card holding more links than this is a container of several stories.
_MAX_CARD_LINKS = 12
_MAX_GROUPS = 3000


@dataclasses.dataclass
class Group:
    """A candidate list: its cards, and how much they look like stories."""

    cards: list[Card]
    score: float

    @property
    def dated(self) -> int:
        return sum(1 for card in self.cards if card.date and card.score)


def is_furniture(element: lxml.html.HtmlElement) -> bool:
    """True for navigation, banners, sidebars, footers and the like (by tag, role or class)."""
    tag = element.tag
    if tag in _FURNITURE_TAGS:
        return True
    if tag == "header" and not _has_ancestor(element, ("article", "li", "main")):
        return True
    if (element.get("role") or "").lower() in _FURNITURE_ROLES:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''}".split()
    return any(_FURNITURE.match(name) for name in names)


def _has_ancestor(element: lxml.html.HtmlElement, tags: tuple[str, ...]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.getparent()
    return False


def content_elements(root: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """Every element outside page furniture, parents before children."""
    stack = [root]
    while stack:
        element = stack.pop()
        if not isinstance(element.tag, str) or is_furniture(element):
            continue
        yield element
        stack.extend(reversed([child for child in element if isinstance(child.tag, str)]))


def _sibling_groups(parent: lxml.html.HtmlElement) -> Iterator[list[list[lxml.html.HtmlElement]]]:
    by_tag: dict[str, list[lxml.html.HtmlElement]] = {}
    for child in parent:
        if isinstance(child.tag, str) and child.tag not in _SKIPPED_CHILDREN:
            by_tag.setdefault(child.tag, []).append(child)
    for tag, members in by_tag.items():
        if len(members) >= 2 and tag not in HEADINGS:
            kept = [m for m in members if not is_furniture(m) and _has_link(m)]
            if len(kept) >= 2:
                yield [[member] for member in kept]
    headings = [c for c in parent if isinstance(c.tag, str) and c.tag in HEADINGS and _has_link(c)]
    if len(headings) >= 2:
        yield _heading_runs(parent, headings)


def _has_link(element: lxml.html.HtmlElement) -> bool:
    if element.tag == "a" and element.get("href"):
        return True
    return any(link.get("href") for link in element.iter("a"))


def _heading_runs(
    parent: lxml.html.HtmlElement, headings: list[lxml.html.HtmlElement]
) -> list[list[lxml.html.HtmlElement]]:
    """Cards of a flat run: each linked heading with the siblings up to the next one."""
    level = headings[0].tag
    starts = {id(h) for h in headings if h.tag == level}
    runs: list[list[lxml.html.HtmlElement]] = []
    current: list[lxml.html.HtmlElement] | None = None
    for child in parent:
        if not isinstance(child.tag, str) or child.tag in _SKIPPED_CHILDREN:
            continue
        if id(child) in starts:
            current = [child]
            runs.append(current)
        elif current is not None:
            if child.tag in HEADINGS and child.tag <= level:
                current = None
            else:
                current.append(child)
    return runs


def _group_of(cards_elements: list[list[lxml.html.HtmlElement]], base: str | None) -> Group | None:
    cards = [read_card(elements, base) for elements in cards_elements]
    good = [c for c in cards if c.score and c.link_count <= _MAX_CARD_LINKS]
    if len(good) < 2:
        return None
    titles = {card.title for card in good}
    urls = {card.url for card in good if card.url}
    if len(titles) < 2 or (urls and len(urls) < 2):
        return None
    score = sum(card.score for card in good)
    return Group(cards=cards, score=score)


def find_story_cards(root: lxml.html.HtmlElement, base: str | None) -> Group | None:
    """The group of cards most likely to be the page's stories, or None."""
    body = root.find("body")
    start = body if body is not None else root
    best: Group | None = None
    examined = 0
    for element in content_elements(start):
        for members in _sibling_groups(element):
            examined += 1
            if examined > _MAX_GROUPS:
                break
            group = _group_of(members, base)
            if group is None or not group.dated:
                continue
            if best is None or group.score > best.score:
                best = group
    return best


def single_card(root: lxml.html.HtmlElement, base: str | None) -> Card | None:
    """A fragment holding one story (a single card copied from a listing), or None."""
    body = root.find("body")
    start = body if body is not None else root
    card = read_card([start], base)
    if card.score and card.date and card.link_count <= 4:
        return card
    return None
