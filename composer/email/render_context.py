"""The template context of a digest: every variable the email templates (and users' own) see.

Texts stay plain strings (Jinja2 escapes them: autoescape is on); only values we
build ourselves from checked parts are :class:`~markupsafe.Markup` (font stacks,
the preheader filler). Links other than http, https and mailto are dropped,
story links are tagged for the campaign when the theme says so
(:mod:`composer.email.campaign`), and dates are formatted for the theme's locale with
Babel.

Variables: ``digest`` (``id``, ``title``, ``preheader``, ``period``,
``period_label``, ``intro`` as HTML paragraphs, ``intro_text``, ``item_count``),
``sections`` (each ``category``, ``anchor``, ``entries``), ``entries`` (every
story in order; each ``id``, ``anchor``, ``number``, ``title``, ``url``,
``date_iso``, ``date_label``, ``summary`` paragraphs, ``teaser`` (one
sentence), ``image`` (``url``, ``alt``, ``width``) or ``None``,
``more_label`` (the accessible name of its "Read more" button), ``category``),
``featured`` (the first story with an image, else ``None``), ``theme``
(``organisation``, ``logo_url``, ``dark_logo_url``, ``logo_width``, ``colors``,
``fonts`` (``body``, ``heading``, ``mso``), ``footer`` paragraphs,
``postal_address``, ``lang``, ``dir``, ``start``/``end`` (``left``/``right``,
swapped for rtl), ``read_more`` (bool), ``layout``), ``contents`` (bool: show
the "In this issue" block), ``contents_setting`` (``auto``/``always``/``never``),
``links`` (``unsubscribe``, ``web_version``), ``labels`` (every fixed word, in
the locale), ``widths`` (``column``, ``content``, ``card``, ``thumb``) and
``preheader_filler``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from markupsafe import Markup

from composer.digest.drafting import period_label
from composer.digest.model import ResolvedDigest, ResolvedItem
from composer.email.campaign import Tagger
from composer.email.markup import safe_link, to_html_paragraphs, to_text_paragraphs
from composer.theme.labels import locale_labels
from composer.theme.model import DEFAULT_COLORS, Theme, language_tag, text_direction

#: Widths in the 600 px column: the column, its content (32 px padding each side),
#: a card of the two-column grid, and a thumbnail beside a story.
WIDTHS = {"column": 600, "content": 536, "card": 252, "thumb": 120}
#: Width of an item's image in the classic layout.
IMAGE_WIDTH = WIDTHS["content"]
TEASER_LIMIT = 220

#: Stand-ins for the links a profile fills in after inlining (plain ASCII, nothing to escape).
UNSUBSCRIBE_SENTINEL = "https://unsubscribe.newsdigest.invalid/"
WEB_VERSION_SENTINEL = "https://web-version.newsdigest.invalid/"

# After a short preheader, inboxes fill the preview with the body's first words; a run
# of invisible spacing stops them. Zero-width non-joiner + no-break space, as Cerberus
# does, with no font-size trick (font-size:1px is what SpamAssassin's FONT_INVIS rules see).
PREHEADER_FILLER = Markup("&zwnj;&nbsp;") * 60

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)»]?\s+(?=[\"“‘(«]?[A-Z0-9À-ÖØ-Þ\u0400-\u04ff])")


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def slug(text: str, used: set[str], fallback: str = "section") -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:40].strip("-") or fallback
    found, n = base, 2
    while found in used:
        found, n = f"{base}-{n}", n + 1
    used.add(found)
    return found


def teaser(summary: str, limit: int = TEASER_LIMIT) -> str:
    """The first sentence of ``summary`` (within ``limit`` characters, cut at a word)."""
    text = " ".join(summary.split())
    if not text:
        return ""
    for match in _SENTENCE_END.finditer(text):
        if match.start() >= 40:
            text = text[: match.start()].rstrip()
            break
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–— ") + "…"
    return text


@functools.lru_cache(maxsize=4096)
def format_date(date: dt.date, locale: str) -> str:
    """The date as the locale writes it in full ("31 January 2023"); a digest repeats its days,
    and Babel takes tens of microseconds for each."""
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(date, format="long", locale=locale))


def _web_link(url: str | None) -> str | None:
    link = safe_link(url)
    return link if link and not link.startswith("mailto:") else None


def build_context(
    resolved: ResolvedDigest,
    theme: Theme,
    *,
    unsubscribe: bool,
    web_version: bool,
    layout: str,
) -> dict[str, Any]:
    """The template variables (see the module docstring). Items twice are shown once."""
    digest = resolved.digest
    sections, entries = _sections_and_entries(resolved, theme)
    words = locale_labels(theme.locale)
    labels = {key: theme.label(key) for key in words if "{" not in words[key]}
    labels["unsubscribe_note"] = theme.label("unsubscribe_note", organisation=theme.organisation)
    return {
        "digest": {
            "id": digest.id,
            "title": digest.title,
            "preheader": digest.preheader,
            "period": digest.period,
            "period_label": period_label(digest.period, theme.locale) if digest.period else "",
            "intro": to_html_paragraphs(digest.intro),
            "intro_text": to_text_paragraphs(digest.intro),
            "item_count": len(entries),
        },
        "sections": sections,
        "entries": entries,
        "featured": next((e for e in entries if e["image"]), None),
        "theme": _theme_context(theme, layout),
        "contents": theme.contents_shown(len(entries)),
        "contents_setting": theme.show_contents,
        "links": {
            "unsubscribe": UNSUBSCRIBE_SENTINEL if unsubscribe else None,
            "web_version": WEB_VERSION_SENTINEL if web_version else None,
        },
        "labels": labels,
        "widths": dict(WIDTHS),
        "preheader_filler": PREHEADER_FILLER,
    }


def _sections_and_entries(
    resolved: ResolvedDigest, theme: Theme
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sections with their stories, and every story in order, each shown once.

    Anchors are handed out in reading order: a section's stories (s1, s2…), then its own.
    """
    tag = Tagger(theme, resolved.digest.period)
    sections: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    anchors: set[str] = {"top", "contents"}
    shown: set[str] = set()
    for section in resolved.sections:
        items: list[dict[str, Any]] = []
        for entry in section.items:
            if entry.item.id in shown:
                continue
            shown.add(entry.item.id)
            number = len(entries) + 1
            record = _entry_context(entry, theme, tag, slug(f"s{number}", anchors), number)
            items.append(record)
            entries.append(record)
        if items:
            sections.append(
                {
                    "category": section.category,
                    "anchor": slug(section.category, anchors),
                    "entries": items,
                }
            )
    return sections, entries


def _entry_context(
    entry: ResolvedItem, theme: Theme, tag: Tagger, anchor: str, number: int
) -> dict[str, Any]:
    """One story's variables: ``number`` counts from 1 through the whole email."""
    item = entry.item
    image_url = _web_link(item.image_url)
    return {
        "id": item.id,
        "anchor": anchor,
        "number": number,
        "title": entry.title,
        "url": tag(_web_link(item.url)),
        "date_iso": item.date.isoformat(),
        "date_label": format_date(item.date, theme.locale),
        "summary": paragraphs(entry.summary),
        "teaser": teaser(entry.summary),
        "image": (
            {"url": image_url, "alt": item.image_alt or entry.title, "width": IMAGE_WIDTH}
            if image_url
            else None
        ),
        "more_label": theme.label("read_more_aria", title=entry.title),
        "category": item.category,
    }


def _theme_context(theme: Theme, layout: str) -> dict[str, Any]:
    """The ``theme`` variable: the look, the texts around the stories, the reading direction."""
    direction = text_direction(theme.locale)
    return {
        "organisation": theme.organisation,
        "logo_url": _web_link(theme.logo_url),
        "dark_logo_url": _web_link(theme.dark_logo_url),
        "logo_width": theme.logo_width,
        "colors": {role: theme.color(role) for role in DEFAULT_COLORS},
        # Our own constants (FONT_STACKS), chosen by a checked name: their quotes stay.
        "fonts": {
            "body": Markup(theme.font_stack),  # noqa: S704
            "heading": Markup(theme.heading_font_stack),  # noqa: S704
            "mso": Markup(theme.mso_font_stack),  # noqa: S704
        },
        "footer": paragraphs(theme.footer),
        "postal_address": theme.postal_address,
        "lang": language_tag(theme.locale),
        "dir": direction,
        "start": "right" if direction == "rtl" else "left",
        "end": "left" if direction == "rtl" else "right",
        "read_more": theme.read_more == "button",
        "layout": layout,
    }
