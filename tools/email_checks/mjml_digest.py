"""The same digest written in MJML, to compare what MJML compiles with our own markup.

:func:`digest_mjml` writes an ``<mjml>`` document of a digest in the shape of
ours: a masthead (logo, organisation and title), the intro, a heading per section,
each item as its title link, date, summary and image (when it has one) and a
"Read more" button when the theme has them, then a
footer with the postal address and the unsubscribe link. It uses MJML's stock
components (``mj-section``, ``mj-column``, ``mj-text``, ``mj-image``,
``mj-button``), as an MJML user would.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from composer.digest.model import Digest
from composer.library.item import NewsItem
from composer.theme.model import Theme


def _item(item: NewsItem, theme: Theme) -> str:
    title = escape(item.title)
    heading = f'<a href="{escape(item.url)}">{title}</a>' if item.url else title
    parts = []
    if item.image_url:
        parts.append(
            f'<mj-image src="{escape(item.image_url)}" alt="{escape(item.image_alt)}" '
            'width="552px" padding="0 24px 12px" />'
        )
    summary = "<br /><br />".join(escape(p) for p in item.summary.split("\n\n") if p.strip())
    parts.append(
        f'<mj-text padding="0 24px" font-size="18px" line-height="24px" '
        f'color="{theme.color("brand")}" font-weight="bold">{heading}</mj-text>'
    )
    parts.append(
        f'<mj-text padding="4px 24px" font-size="13px" color="{theme.color("muted")}">'
        f"{item.date.isoformat()}</mj-text>"
    )
    if summary:
        parts.append(f'<mj-text padding="4px 24px 20px">{summary}</mj-text>')
    if item.url and getattr(theme, "read_more", "none") == "button":
        parts.append(
            f'<mj-button href="{escape(item.url)}" align="left" padding="0 24px 20px" '
            f'background-color="{theme.color("accent")}" color="#ffffff" border-radius="4px">'
            "Read more</mj-button>"
        )
    return "\n".join(parts)


def digest_mjml(digest: Digest, items: Mapping[str, NewsItem], theme: Theme) -> str:
    """An MJML document of ``digest`` (items looked up in ``items``) in ``theme``'s colours."""
    body: list[str] = []
    logo = (
        f'<mj-image src="{escape(theme.logo_url)}" alt="{escape(theme.organisation)}" '
        f'width="{theme.logo_width}px" align="left" padding="0 24px 12px" />'
        if theme.logo_url
        else ""
    )
    body.append(
        f'<mj-section background-color="{theme.color("brand")}" padding="24px 0">'
        f'<mj-column>{logo}<mj-text color="#ffffff" font-size="14px">'
        f"{escape(theme.organisation)}</mj-text>"
        f'<mj-text color="#ffffff" font-size="26px" line-height="32px" font-weight="bold">'
        f"{escape(digest.title)}</mj-text></mj-column></mj-section>"
    )
    if digest.intro:
        body.append(
            f'<mj-section background-color="{theme.color("surface")}"><mj-column>'
            f"<mj-text>{escape(digest.intro)}</mj-text></mj-column></mj-section>"
        )
    for section in digest.sections:
        entries = [items[i] for i in section.item_ids if i in items]
        rows = "\n".join(_item(item, theme) for item in entries)
        body.append(
            f'<mj-section background-color="{theme.color("surface")}" padding="8px 0">'
            '<mj-column><mj-text padding="16px 24px 8px" font-size="13px" '
            f'text-transform="uppercase" color="{theme.color("brand")}" font-weight="bold">'
            f"{escape(section.category)}</mj-text>\n{rows}</mj-column></mj-section>"
        )
    unsubscribe = escape(theme.unsubscribe_url or "")
    body.append(
        '<mj-section padding="24px 0"><mj-column>'
        f'<mj-text align="center" font-size="12px" color="{theme.color("muted")}">'
        f"{escape(theme.organisation)}, {escape(theme.postal_address)}<br />"
        f'<a href="{unsubscribe}">{escape(theme.label("unsubscribe"))}</a>'
        "</mj-text></mj-column></mj-section>"
    )
    lang = theme.locale.split("_")[0]
    return (
        f'<mjml lang="{lang}">\n<mj-head><mj-title>{escape(digest.title)}</mj-title>'
        f"<mj-preview>{escape(digest.preheader)}</mj-preview>"
        f'<mj-attributes><mj-all font-family="Arial, Helvetica, sans-serif" />'
        f'<mj-text font-size="15px" line-height="22px" color="{theme.color("text")}" />'
        "</mj-attributes></mj-head>\n"
        f'<mj-body background-color="{theme.color("background")}" width="600px">\n'
        + "\n".join(body)
        + "\n</mj-body>\n</mjml>\n"
    )
