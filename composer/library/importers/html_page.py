"""Reading news items from HTML: a saved listing page, a clipboard fragment, an article page.

:func:`parse_html` decides what the page is. A **listing** (many stories: cards
that repeat, or a JSON-LD ``ItemList``) gives one item per story, with its title,
absolute link, date, teaser, category label and thumbnail (report format
``html``); an **article** (``og:type`` article, a JSON-LD ``NewsArticle`` as the
page's main entity, no repeated story cards) gives one item (format ``article``).

Relative links and images resolve against the user's ``base_url``, else the page's
``<base href>``, canonical url or ``og:url``, else ``page_url`` (where it was
downloaded from, or the page a paste was copied from). A story without a date is
rejected, saying so; a date is never invented. A card whose title links nowhere is a
story without a link (with a warning), never folded into its neighbour. A page with
no story cards and nothing that marks it as an article (a "Contact" page) is refused,
whatever dates its text mentions. A page that advertises a feed gets a note naming it.

A saved Windows CF_HTML payload (``Version:0.9 … SourceURL:…``) is read as its markup
with its ``SourceURL`` as the page url; a plain-text file with an HTML name is refused
with a hint to read it as a listing.
"""

from __future__ import annotations

from typing import Any

import lxml.html

from composer.errors import SourceError, ValidationError
from composer.library.importers.base import (
    DEFAULT_CATEGORY,
    ImportReport,
    ReportBuilder,
    fit_summary,
)
from composer.library.importers.clipboard import split_cf_html
from composer.library.importers.html_article import article_signs as page_is_story
from composer.library.importers.html_article import read_article
from composer.library.importers.html_card_model import Card
from composer.library.importers.html_dates import any_date, numeric_date, order_evidence
from composer.library.importers.html_document import (
    PageMeta,
    absolute,
    decode_html,
    page_meta,
    parse_document,
    saved_from,
)
from composer.library.importers.html_listing import (
    Group,
    find_story_cards,
    prose_lengths,
    single_card,
)
from composer.library.importers.html_structured import (
    json_ld_objects,
    listed_stories,
    main_article,
    microdata_articles,
)
from composer.library.importers.listing import parse_listing
from composer.library.item import MAX_CATEGORY
from composer.urls import canonical_url

#: A page with an article's signs but little text of its own is a listing when it has
#: this many dated cards (some CMSs call every page an article).
_MANY = 6
#: Characters of paragraph text outside the cards that make a page an article.
_PROSE = 1500
NO_BASE = (
    "the page's links and images are relative and it does not say which site it is from, "
    "so they were left out; give the page's address (--base-url, or the Base url field of "
    "the import preview)"
)
NOT_A_LISTING_PAGE = (
    "has no list of stories we can recognise (no repeated links with dates) "
    "and is not an article page"
)
NO_STORIES = (
    "has no stories: no repeated story cards with links and dates, and nothing marks it "
    "as an article (og:type article, a publication date in its metadata or by its "
    "headline, a <time> or an <article>)"
)


def parse_html(
    data: str | bytes,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
    base_url: str | None = None,
    page_url: str | None = None,
    content_type: str | None = None,
    kind: str = "auto",
    date_order: str | None = None,
) -> ImportReport:
    """Read the stories of an HTML page or fragment (see the module's docstring).

    ``kind`` "article" reads the page as one story whatever it looks like, "listing"
    as a list of stories; "auto" decides. ``date_order`` ("dmy"/"mdy") reads numeric
    dates such as ``05.06.15`` when the page's own dates do not tell the order.
    """
    text, warnings = decode_html(data, source, content_type)
    if text.startswith("Version:"):  # a Windows CF_HTML clipboard payload saved as a file
        text, cf_source = split_cf_html(text)
        page_url = page_url or cf_source
    root = parse_document(text, source)
    if kind != "article" and _plain_text(root):
        _refuse_plain_text(root, source, default_category, date_order)
    page_url = page_url or saved_from(text)
    meta = page_meta(root, base_url=base_url, page_url=page_url)
    objects = json_ld_objects(root)
    listed = [] if kind == "article" else listed_stories(objects)
    group = None if kind == "article" else find_story_cards(root, meta.base_url)
    if kind == "auto":
        # A JSON-LD list of stories makes a listing, unless the page is itself an article
        # (whose list is then its related stories).
        own = main_article(objects)
        kind = "listing" if listed and own is None else _decide(root, meta, objects, group)
    builder = ReportBuilder(
        source,
        "article" if kind == "article" else "html",
        item_source=item_source or source,
        default_category=default_category,
    )
    report = builder.report
    report.warnings.extend(warnings)
    report.base_url = meta.base_url
    if meta.feeds:
        report.feeds.extend(meta.feeds)
        report.notes.append(
            f"the page advertises a feed, {meta.feeds[0]}: import that address instead "
            "to get every new story with its date and link"
        )
    cards = group.cards if group is not None else []
    if kind == "none":
        raise SourceError(source, NO_STORIES)
    if kind == "article":
        _add_article(builder, root, meta, page_url)
    elif listed and _add_listed(builder, listed, group, meta):
        pass
    elif cards:
        _settle_numeric_dates(report, cards, date_order)
        _add_cards(builder, cards)
    elif not _whole_page(meta) and (card := single_card(root, meta.base_url)) is not None:
        cards = [card]
        _add_cards(builder, cards)
    else:
        raise SourceError(source, NO_STORIES)
    if meta.base_url is None and _relative_dropped(cards):
        builder.warn(NO_BASE)
    return report


def _decide(
    root: lxml.html.HtmlElement,
    meta: PageMeta,
    objects: list[dict[str, Any]],
    group: Group | None,
) -> str:
    """ "listing" or "article": what the page most likely is."""
    article_signs = (
        meta.og_type == "article"
        or main_article(objects) is not None
        or len(microdata_articles(root)) == 1
        or (len(root.findall(".//article")) == 1 and len(root.findall(".//article//h1")) == 1)
    )
    has_story = bool(meta.values.get("og:title") or root.find(".//h1") is not None)
    dated = group.shown_dates if group is not None else 0
    if group is not None and dated == 1 and _whole_page(meta) and has_story:
        group = None  # one dated link on a page with a heading of its own: an article
    if group is not None:
        # An article's text with a rail of other stories beside it is still the article.
        if has_story and (_prose_page(root, group) or (article_signs and dated < _MANY)):
            return "article"
        return "listing"
    fragment = not _whole_page(meta)
    if group is None and fragment and single_card(root, meta.base_url) is not None:
        return "listing"
    if article_signs or page_is_story(root, meta, objects):
        return "article"
    return "none"  # a page of another kind (contact, about us): no stories at all


#: The only elements of a "page" that is plain text (lxml wraps text in html, body, p).
_PLAIN = frozenset({"html", "head", "body", "p", "br", "meta", "title"})


def _plain_text(root: lxml.html.HtmlElement) -> bool:
    """True when the document has no markup to speak of: text, or paragraphs and breaks."""
    return all(element.tag in _PLAIN for element in root.iter() if isinstance(element.tag, str))


def _text_lines(root: lxml.html.HtmlElement) -> str:
    """The text of a plain document, one line per line break or paragraph."""
    body = root.find("body")
    parts: list[str] = []
    for element in (body if body is not None else root).iter():
        if element.tag == "br" or element.tag == "p":
            parts.append("\n")
        if isinstance(element.tag, str) and element.tag != "br" and element.text:
            parts.append(element.text)
        if element.tail:
            parts.append(element.tail)
    return "".join(parts)


def _refuse_plain_text(
    root: lxml.html.HtmlElement, source: str, default_category: str, date_order: str | None
) -> None:
    """A plain-text file with an HTML name holds no cards: refuse it, saying so, and
    whether it reads as a listing (then ``--format listing`` reads its stories)."""
    hint = ""
    try:
        listed = parse_listing(
            _text_lines(root),
            source=source,
            default_category=default_category,
            date_order=date_order,
        )
    except (SourceError, ValidationError):
        listed = None
    if listed is not None and (listed.items or listed.rejected):
        count = len(listed.items)
        hint = (
            f"; it is plain text, not a web page: read as a listing (use --format listing) "
            f"it gives {count} {'story' if count == 1 else 'stories'}"
        )
    raise SourceError(source, NOT_A_LISTING_PAGE + hint)


def _whole_page(meta: PageMeta) -> bool:
    """True for a whole page (a ``<title>`` or metadata), False for a clipboard fragment."""
    return bool(meta.title or meta.values)


def _prose_page(root: lxml.html.HtmlElement, group: Group) -> bool:
    """True when most of the page's text is prose outside the cards: an article with a
    few links and dates in it (references, related stories), not a list of stories."""
    inside, outside = prose_lengths(root, group)
    return outside > _PROSE and outside > 2 * inside


def _location(card: Card, number: int) -> str:
    return f"line {card.line}" if card.line else f"story {number}"


def _settle_numeric_dates(report: ImportReport, cards: list[Card], date_order: str | None) -> None:
    """Read the numbers-only dates of a page's cards in one order for the whole page:
    the one given, else the one its dates show (a number over 12), else none."""
    numeric = [card for card in cards if card.numeric is not None and card.score]
    if not numeric:
        return
    shown = {order for card in numeric if (order := order_evidence(card.numeric or (0, 0, 0)))}
    order = date_order or (shown.pop() if len(shown) == 1 else None)
    if order is None:
        report.date_order_needed = any(card.date is None for card in numeric)
        return
    report.date_order = order
    for card in numeric:
        card.date = numeric_date(card.numeric or (0, 0, 0), order)


def _add_cards(builder: ReportBuilder, cards: list[Card]) -> None:
    for number, card in enumerate(cards, 1):
        if not card.score:
            continue
        where = _location(card, number)
        if card.date is None and card.numeric is not None:
            builder.reject(
                where,
                f"the date '{card.numeric_text}' of '{card.title[:80]}' may be day-month or "
                "month-day, and no date on the page tells which; choose the date order "
                "(--date-order dmy or mdy)",
            )
            continue
        if card.date is None and card.date_text:
            builder.reject(
                where, f"'{card.title[:80]}' has no full publication date ('{card.date_text}')"
            )
            continue
        if card.date is None:
            builder.reject(where, f"no date found near '{card.title[:80]}'")
            continue
        if builder.add(_card_fields(card), where) is None:
            continue
        if card.bad_link:
            builder.warn(
                f"{where}: the link of '{card.title[:80]}', '{card.bad_link}', is not a valid "
                "web address; the story was kept without a link"
            )
        elif card.linkless:
            points = f" (it points at '{card.dead_link}')" if card.dead_link else ""
            builder.warn(
                f"{where}: the title '{card.title[:80]}' links to no page{points}; "
                "the story was kept without a link"
            )


def _card_fields(card: Card) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": card.title,
        "date": card.date,
        "summary": card.summary,
        "url": card.url,
        "image_url": card.image_url,
        "image_alt": card.image_alt,
    }
    if card.category:
        fields["category"] = card.category
    return fields


def _add_listed(
    builder: ReportBuilder, listed: list[dict[str, Any]], group: Group | None, meta: PageMeta
) -> bool:
    """Add the stories a page lists in JSON-LD (completed from its cards); False if unusable."""
    cards: dict[str, Card] = {}
    for shown in group.cards if group is not None else []:
        if shown.url:
            cards.setdefault(canonical_url(shown.url), shown)
    usable = []
    for story in listed:
        url = absolute(story.get("url"), meta.base_url)
        card = cards.get(canonical_url(url)) if url else None
        title = story.get("title") or (card.title if card else "")
        if title and (url or card):
            usable.append((story, url, card, title))
    if len(usable) < 2 and not (usable and group is None):
        return False
    for number, (story, url, card, title) in enumerate(usable, 1):
        where = f"JSON-LD entry {number}"
        day = any_date(story.get("date")) or (card.date if card else None)
        if day is None:
            builder.reject(where, f"no date found near '{title[:80]}'")
            continue
        image = absolute(story.get("image_url"), meta.base_url) or (
            card.image_url if card else None
        )
        fields: dict[str, Any] = {
            "title": title,
            "date": day,
            "summary": fit_summary(story.get("summary") or (card.summary if card else ""))[0],
            "url": url or (card.url if card else None),
            "image_url": image,
            "image_alt": story.get("image_alt") or (card.image_alt if card else ""),
        }
        category = story.get("category") or (card.category if card else "")
        if category and len(category) <= MAX_CATEGORY:
            fields["category"] = category
        builder.add(fields, where)
    return True


def _add_article(
    builder: ReportBuilder,
    root: lxml.html.HtmlElement,
    meta: PageMeta,
    page_url: str | None,
) -> None:
    fields = read_article(root, meta, page_url)
    title = fields.get("title", "")
    if not title:
        builder.reject("the page", "has no title (no og:title, JSON-LD headline, <h1> or <title>)")
    elif "date" not in fields:
        builder.reject("the page", f"no date found near '{title[:80]}'")
    else:
        builder.add(fields, "the page")


def _relative_dropped(cards: list[Card]) -> bool:
    return any(card.relative_dropped for card in cards)
