"""The category label of a story card: a category link, a label's element, a table's "Type"
column, or the word before the date in a meta line ("Pressemitteilung · 14. Februar 2024").
"""

from __future__ import annotations

import re
import unicodedata

import lxml.html

from composer.library.importers.html_card_model import (
    CATEGORY_PATH,
    DATE_CLASS,
    Card,
    classes,
    inside,
    is_generic,
)
from composer.library.importers.html_dates import date_in_text
from composer.library.importers.html_document import element_text
from composer.text import fold

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
#: The longest text read as a label (a longer one is a sentence or a title).
LABEL_MAX = 80


def _label_text(element: lxml.html.HtmlElement) -> str:
    links = [element_text(a) for a in element.iter("a") if element_text(a)]
    text = links[0] if links else element_text(element)
    if text.endswith(":"):
        return ""  # "Category:" introduces the label; it is not one
    text = text.strip(" |·•,;:-–—")
    return text if 0 < len(text) <= LABEL_MAX and not is_generic(text) else ""


def label_classed(element: lxml.html.HtmlElement) -> bool:
    """True for an element whose class names it a label ("badge", "category", "kicker")."""
    return bool(set(re.split(r"[\s_-]+", (element.get("class") or "").lower())) & _LABEL_PARTS)


def read_label(card: Card, title: lxml.html.HtmlElement | None) -> None:
    for element in card.everything:
        rels = set((element.get("rel") or "").split())
        if element.tag == "a" and {"category", "tag"} & rels and (text := _label_text(element)):
            card.category = text
            return
    for element in card.everything:  # a link to the category's page
        if (
            element.tag == "a"
            and not inside(element, title)
            and CATEGORY_PATH.search(element.get("href") or "")
            and (text := _label_text(element))
            and text != card.title
        ):
            card.category = text
            return
    for element in card.everything:
        if element in card.elements or inside(element, title):
            continue
        if (
            label_classed(element)
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
        if not DATE_CLASS.search(classes(element)) or inside(element, title):
            continue
        text = element_text(element)
        if len(text) > LABEL_MAX or date_in_text(text) is None:
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
