"""URL checks and canonical forms: only http(s) links reach a digest, and one story has one id."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from composer.errors import ValidationError
from composer.text import clean_line

WEB_SCHEMES = frozenset({"http", "https"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_TRACKING_PREFIXES = ("utm_", "mc_", "_hs", "pk_")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "igshid", "yclid", "ref_src"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def check_web_url(value: str, field: str = "url") -> str:
    """``value`` cleaned, if it is an absolute http or https URL with a host; else a clear error."""
    url = clean_line(value)
    if not url:
        raise ValidationError(field, "is missing")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(field, f"'{url[:80]}' is not a valid web address") from None
    if parts.scheme.lower() not in WEB_SCHEMES:
        shown = f"'{parts.scheme}:'" if parts.scheme else "no scheme"
        raise ValidationError(
            field, f"'{url[:80]}' must start with http:// or https:// (it has {shown})"
        )
    if not parts.hostname or (port is not None and not 0 < port < 65536):
        raise ValidationError(field, f"'{url[:80]}' has no valid host name")
    if any(ch.isspace() for ch in url):
        raise ValidationError(field, f"'{url[:80]}' contains spaces")
    return url


def canonical_url(url: str) -> str:
    """The form of ``url`` under which the same page is recognised however it was linked.

    Scheme and host lower-cased, default port, fragment, trailing slash and
    tracking parameters (utm_*, fbclid, ...) removed, remaining parameters sorted.
    ``http`` and ``https`` count as the same page.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_KEYS
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", netloc, path, urlencode(query), ""))
