"""Campaign tagging: ``utm_source``, ``utm_medium`` and ``utm_campaign`` on story links.

Only links to the organisation's own domains are tagged (a partner's site or a
news agency gets the link as the editor gave it), only when the theme turns
tagging on (off by default), and a parameter the link already carries is kept
as it is. The campaign defaults to the digest's period.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from composer.theme.model import Theme


def on_domains(url: str, domains: Iterable[str]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or a subdomain of one (``www.`` ignored)."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".").removeprefix("www.")
    except ValueError:
        return False
    return bool(host) and any(host == d or host.endswith("." + d) for d in domains)


def tag_url(url: str, source: str, medium: str, campaign: str) -> str:
    """``url`` with the three utm parameters added (those it already has are kept)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {key.lower() for key, _ in query}
    added = [
        (key, value)
        for key, value in (
            ("utm_source", source),
            ("utm_medium", medium),
            ("utm_campaign", campaign),
        )
        if value and key not in present
    ]
    if not added:
        return url
    extra = urlencode(added, quote_via=quote)
    joined = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, joined, parts.fragment))


class Tagger:
    """Tags story links for one digest as its theme says (a no-op when tagging is off)."""

    def __init__(self, theme: Theme, period: str) -> None:
        self.enabled = theme.utm_enabled
        self.domains = theme.own_domain_set()
        self.source = theme.utm_source
        self.medium = theme.utm_medium
        self.campaign = theme.campaign(period) or "digest"

    def __call__(self, url: str | None) -> str | None:
        if not url or not self.enabled or not on_domains(url, self.domains):
            return url
        return tag_url(url, self.source, self.medium, self.campaign)
