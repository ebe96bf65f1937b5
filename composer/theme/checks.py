"""Checks of single theme values, and the constants they need (layouts, colours, choices).

Each check takes the value and the field's name for messages, and returns the
value in its stored form or raises :class:`~composer.errors.ValidationError`
saying what is wrong. :mod:`composer.theme.model` puts them in its table of fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from composer.errors import ValidationError
from composer.text import checked_text
from composer.theme.labels import DEFAULT_LABELS, FONT_STACKS
from composer.urls import check_web_url

SETTINGS_KEY = "theme"

DEFAULT_CATEGORY_ORDER = ("In Focus", "Project News", "Press Release", "Expert Voice")

#: The shipped layouts, with a line each for ``--help`` and the window.
LAYOUTS: dict[str, str] = {
    "classic": "one column: sections of linked titles, dates and summaries",
    "magazine": "masthead band, a lead story with a large image, image cards in two columns",
    "briefing": "compact: 'In this issue' contents, then title, date and a one-line teaser",
}
DEFAULT_LAYOUT = "classic"
#: Layout names of earlier versions, read as today's.
LAYOUT_ALIASES = {"default": "classic"}

CONTENTS_CHOICES = ("auto", "always", "never")
#: ``show_contents="auto"`` shows the contents when a digest has more items than this.
CONTENTS_AUTO_THRESHOLD = 8
READ_MORE_CHOICES = ("none", "button")

#: Colour roles of the templates and their defaults (light, then dark mode).
DEFAULT_COLORS: dict[str, str] = {
    "brand": "#0b4f6c",  # masthead band, headings
    "accent": "#b8420f",  # links, buttons
    "text": "#1f2933",
    "muted": "#52606d",  # dates, footer
    "background": "#eef1f4",  # around the 600 px column
    "surface": "#ffffff",  # the column itself
    "dark_brand": "#7cc4e4",
    "dark_accent": "#f0a36b",
    "dark_text": "#e4e7eb",
    "dark_muted": "#a3acb6",
    "dark_background": "#111418",
    "dark_surface": "#1c2127",
}
COLOR_HELP = {
    "brand": "masthead band and headings",
    "accent": "links and buttons",
    "text": "body text",
    "muted": "dates, captions and the footer",
    "background": "around the email's column",
    "surface": "the email's column",
}

#: The fields a theme needs before a digest may be sent (the plain profile's readiness rule).
READY_FIELDS = ("organisation", "from_address", "postal_address", "unsubscribe_url")

UNSUBSCRIBE_PLACEHOLDERS = ("email", "token")

#: What earlier versions stored as defaults: read as unset (the locale's words, no name).
LEGACY_ORGANISATION = "Newsdigest"
LEGACY_LABELS = {
    "read_more": "Read more: {title}",
    "web_version": "View this email in your browser",
    "unsubscribe": "Unsubscribe",
    "unsubscribe_note": (
        "You receive this digest because you subscribed to news from {organisation}."
    ),
    "in_this_issue": "In this issue",
    "and_more": "and {count} more",
    "digest_title": "{organisation} news digest: {period}",
}
#: The placeholders each label may use beyond those of its English words.
_EXTRA_PLACEHOLDERS = {"read_more": {"title"}}

_LABEL_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_UTM_VALUE = re.compile(r"^[A-Za-z0-9._~ -]{1,80}$")


# -- checks of single values -----------------------------------------------------------------------
Check = Callable[[Any, str], Any]


def _text(value: Any, field: str, limit: int, *, multiline: bool = False) -> str:
    return checked_text(value, field, limit, multiline=multiline)


def check_organisation(value: Any, field: str = "theme organisation") -> str:
    return _text(value, field, 200)


def check_footer(value: Any, field: str = "theme footer") -> str:
    return _text(value, field, 2_000, multiline=True)


def check_postal_address(value: Any, field: str = "theme postal_address") -> str:
    return _text(value, field, 500)


def check_url(value: Any, field: str = "theme url") -> str | None:
    """An http(s) url, or ``None`` when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    return check_web_url(value.strip(), field)


#: Why an image loaded over plain http is warned of (it is taken, never refused: it may show).
PLAIN_HTTP_IMAGE = (
    "many mail clients block or flag such images, and Gmail's image proxy may refuse them"
)


def is_plain_http(url: Any) -> bool:
    """True when ``url`` is an ``http://`` address (not https): an insecure image."""
    return isinstance(url, str) and url.strip().lower().startswith("http://")


def https_form(url: str) -> str:
    """``url`` with ``https://`` in place of ``http://``: what to try instead."""
    text = url.strip()
    return "https://" + text[len("http://") :] if is_plain_http(text) else text


def http_image_warning(value: Any, field: str) -> str | None:
    """A warning for an image url (a logo's) that is plain http, naming ``field``; else None.

    The value is still taken (the image may show): the warning says what may go wrong
    and what to give instead.
    """
    if not is_plain_http(value):
        return None
    url = str(value).strip()
    return (
        f"{field}: '{url[:80]}' is plain http, not https: {PLAIN_HTTP_IMAGE}; give its https "
        f"address ({https_form(url)[:80]}) if the site has one"
    )


def check_unsubscribe_url(value: Any, field: str = "theme unsubscribe_url") -> str | None:
    """An http(s) or mailto: link; ``{email}`` and ``{token}`` placeholders are kept as written."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    text = value.strip()
    for name in PLACEHOLDER.findall(text):
        if name not in UNSUBSCRIBE_PLACEHOLDERS:
            raise ValidationError(
                field,
                f"'{text[:80]}' has the placeholder {{{name}}}; only {{email}} and {{token}} "
                "are filled in per recipient",
            )
    probe = text.replace("{email}", "reader%40example.org").replace("{token}", "t0ken")
    if "{" in probe or "}" in probe:
        raise ValidationError(field, f"'{text[:80]}' has an unmatched {{ or }}")
    if probe.lower().startswith("mailto:"):
        address = probe[len("mailto:") :].partition("?")[0]
        if "@" not in address or any(ch.isspace() or ch in "<>\"'" for ch in probe):
            raise ValidationError(field, f"'{text[:80]}' is not a valid mailto: link")
        return text
    check_web_url(probe, field)
    return text


def check_from_address(value: Any, field: str = "theme from_address") -> str:
    """The sender: an address, or ``Name <address>``; empty when unset."""
    from composer.recipients import check_address

    text = _text(value, field, 400)
    if not text:
        return ""
    recipient = check_address(text, field)
    if recipient.address.lower().endswith(".invalid"):
        raise ValidationError(
            field, f"{recipient.address} is a placeholder (.invalid) address; give a real sender"
        )
    return f"{recipient.name} <{recipient.address}>" if recipient.name else recipient.address


def check_color(value: Any, role: str) -> str:
    if not isinstance(value, str) or not _COLOR.match(value.strip()):
        raise ValidationError(
            f"theme colour '{role}'", f"{str(value)[:20]!r} is not a colour like #0b4f6c"
        )
    return value.strip().lower()


def check_locale(value: Any, field: str = "theme locale") -> str:
    """A locale identifier Babel knows (``en_GB``, ``de``, ``fr-CA``), normalised to ``xx_YY``."""
    from babel import Locale, UnknownLocaleError

    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "is empty")
    try:
        locale = Locale.parse(value.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValidationError(field, f"'{value[:20]}' is not a known locale") from None
    return str(locale)


def check_template(value: Any, field: str = "theme template") -> str:
    """A layout: ``classic``, ``magazine``, ``briefing`` (``default`` reads as ``classic``), or
    the name of a folder in the user's templates folder."""
    if value is None or value == "":
        return DEFAULT_LAYOUT
    if not isinstance(value, str) or not _TEMPLATE_NAME.match(value.strip()):
        raise ValidationError(
            field,
            f"{str(value)[:40]!r} is not a theme name (one of {', '.join(LAYOUTS)}, or a folder "
            "name of letters, digits, - and _)",
        )
    name = value.strip()
    return LAYOUT_ALIASES.get(name.lower(), name)


def check_choice(choices: Sequence[str], default: str) -> Check:
    def check(value: Any, field: str) -> str:
        if value is None or value == "":
            return default
        text = str(value).strip().lower()
        if text not in choices:
            raise ValidationError(field, f"{str(value)[:30]!r} is not one of {', '.join(choices)}")
        return text

    return check


def check_font(value: Any, field: str = "theme font") -> str:
    return str(check_choice(tuple(FONT_STACKS), "system")(value, field))


def check_heading_font(value: Any, field: str = "theme heading_font") -> str:
    """A font name, or empty for the body's font."""
    if value is None or value == "":
        return ""
    return check_font(value, field)


def check_int(low: int, high: int, default: int) -> Check:
    def check(value: Any, field: str) -> int:
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValidationError(field, f"must be a whole number, not {value!r}")
        try:
            number = int(value)
        except ValueError:
            raise ValidationError(field, f"must be a whole number, not {value!r}") from None
        if not low <= number <= high:
            raise ValidationError(field, f"must be between {low} and {high}, not {number}")
        return number

    return check


def check_bool(value: Any, field: str) -> bool:
    """``True``/``False``, or the words on/off, yes/no, true/false, 1/0."""
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    text = str(value).strip().lower()
    if text in ("1", "on", "yes", "true"):
        return True
    if text in ("0", "off", "no", "false"):
        return False
    raise ValidationError(field, f"{str(value)[:20]!r} is not on or off")


def check_utm(default: str) -> Check:
    def check(value: Any, field: str) -> str:
        text = _text(value, field, 80)
        if not text:
            return default
        if not _UTM_VALUE.match(text):
            raise ValidationError(
                field, f"{text!r} may hold only letters, digits, spaces and . _ ~ -"
            )
        return text

    return check


def check_domains(value: Any, field: str = "theme own_domains") -> tuple[str, ...]:
    """Domain names (``example.org``), as a list or comma/space separated text."""
    if value is None or value == "":
        return ()
    parts: Sequence[Any]
    if isinstance(value, str):
        parts = re.split(r"[\s,]+", value)
    elif isinstance(value, list | tuple):
        parts = value
    else:
        raise ValidationError(field, "must be a list of domain names")
    domains: list[str] = []
    for part in parts:
        if not isinstance(part, str):
            raise ValidationError(field, f"{part!r} is not a domain name")
        text = part.strip().lower().rstrip(".").removeprefix("www.")
        if not text:
            continue
        try:
            ascii_form = text.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_form = ""
        if not _DOMAIN.match(ascii_form):
            raise ValidationError(field, f"{part[:60]!r} is not a domain name like example.org")
        if text not in domains:
            domains.append(text)
    return tuple(domains)


def check_category_order(value: Any, field: str = "theme category_order") -> tuple[str, ...]:
    if value is None or value == "":
        return DEFAULT_CATEGORY_ORDER
    if isinstance(value, str):
        value = re.split(r"[,\n]", value)
    if not isinstance(value, list | tuple):
        raise ValidationError(field, "must be a list of category names")
    order: list[str] = []
    for name in value:
        text = _text(name, field, 80)
        if text and text.casefold() not in {o.casefold() for o in order}:
            order.append(text)
    return tuple(order)


def check_templates_dir(value: Any, field: str = "theme templates_dir") -> str:
    return _text(value, field, 1_000)


def check_label(key: str) -> Check:
    def check(value: Any, field: str) -> str:
        text = _text(value, field, 300)
        if text:
            names = set(PLACEHOLDER.findall(DEFAULT_LABELS[key]))
            names |= _EXTRA_PLACEHOLDERS.get(key, set())
            for name in _LABEL_PLACEHOLDER.findall(text):
                if name not in names:
                    allowed = ", ".join(f"{{{n}}}" for n in sorted(names)) or "none"
                    raise ValidationError(
                        field, f"{text[:60]!r} uses {{{name}}}; this label may use {allowed}"
                    )
        return text

    return check
