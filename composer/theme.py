"""Theme settings: who sends the digest and how it looks, kept in the library's settings.

The theme lives under the ``"theme"`` key of the library's settings dictionary
(:meth:`composer.repository.Library.settings`). :func:`theme_from_settings`
reads it, filling every missing key with its default, and
:func:`merge_theme` returns the settings dictionary with changes merged in, for
:meth:`~composer.repository.Library.update_settings`. Every value is checked:
colours go into a ``<style>`` block where escaping does not protect, so they
must be ``#rgb`` or ``#rrggbb``; urls must be http, https (or mailto for the
unsubscribe link); the locale must be one Babel knows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from composer.errors import ValidationError
from composer.text import checked_text
from composer.urls import check_web_url

SETTINGS_KEY = "theme"

DEFAULT_CATEGORY_ORDER = ("In Focus", "Project News", "Press Release", "Expert Voice")

#: Colour roles of the default template and their light-mode defaults.
DEFAULT_COLORS: dict[str, str] = {
    "brand": "#0b4f6c",  # header band, headings
    "accent": "#b8420f",  # links, "read more"
    "text": "#1f2933",
    "muted": "#52606d",  # dates, footer
    "background": "#eef1f4",  # around the 600 px column
    "surface": "#ffffff",  # the column itself
    "dark_background": "#111418",
    "dark_surface": "#1c2127",
    "dark_text": "#e4e7eb",
    "dark_accent": "#f0a36b",
}

#: Fixed words of the templates, for organisations writing in another language.
DEFAULT_LABELS: dict[str, str] = {
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

_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_TEMPLATE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


@dataclasses.dataclass(frozen=True)
class Theme:
    """The sender and the look of a digest."""

    organisation: str = "Newsdigest"
    logo_url: str | None = None
    logo_width: int = 180
    colors: Mapping[str, str] = dataclasses.field(default_factory=lambda: dict(DEFAULT_COLORS))
    footer: str = ""
    postal_address: str = ""
    locale: str = "en_GB"
    category_order: tuple[str, ...] = DEFAULT_CATEGORY_ORDER
    unsubscribe_url: str | None = None
    web_version_url: str | None = None
    from_address: str = ""
    template: str = "default"
    templates_dir: str = ""
    labels: Mapping[str, str] = dataclasses.field(default_factory=lambda: dict(DEFAULT_LABELS))

    def color(self, role: str) -> str:
        return self.colors.get(role) or DEFAULT_COLORS[role]

    def label(self, key: str, **values: object) -> str:
        """A fixed word of the template with ``{placeholders}`` filled in."""
        text = self.labels.get(key) or DEFAULT_LABELS[key]
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return DEFAULT_LABELS[key].format(**values)

    def to_settings(self) -> dict[str, Any]:
        """The JSON-ready form stored under ``settings["theme"]``."""
        return {
            "organisation": self.organisation,
            "logo_url": self.logo_url or "",
            "logo_width": self.logo_width,
            "colors": dict(self.colors),
            "footer": self.footer,
            "postal_address": self.postal_address,
            "locale": self.locale,
            "category_order": list(self.category_order),
            "unsubscribe_url": self.unsubscribe_url or "",
            "web_version_url": self.web_version_url or "",
            "from_address": self.from_address,
            "template": self.template,
            "templates_dir": self.templates_dir,
            "labels": dict(self.labels),
        }


# -- checks ---------------------------------------------------------------------------------------
def _text(value: Any, field: str, limit: int, *, multiline: bool = False) -> str:
    return checked_text(value, f"theme {field}", limit, multiline=multiline)


def _url(value: Any, field: str, *, mailto: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValidationError(f"theme {field}", f"must be text, not {type(value).__name__}")
    text = value.strip()
    if mailto and text.lower().startswith("mailto:"):
        address = text[len("mailto:") :]
        if "@" not in address or any(ch.isspace() or ch in "<>\"'" for ch in address):
            raise ValidationError(f"theme {field}", f"'{text[:80]}' is not a valid mailto: link")
        return text
    return check_web_url(text, f"theme {field}")


def check_color(value: Any, role: str) -> str:
    if not isinstance(value, str) or not _COLOR.match(value.strip()):
        raise ValidationError(
            f"theme colour '{role}'", f"{str(value)[:20]!r} is not a colour like #0b4f6c"
        )
    return value.strip().lower()


def check_locale(value: Any) -> str:
    """A locale identifier Babel knows (``en_GB``, ``de``, ``fr-CA``), normalised to ``xx_YY``."""
    from babel import Locale, UnknownLocaleError

    if not isinstance(value, str) or not value.strip():
        raise ValidationError("theme locale", "is empty")
    try:
        locale = Locale.parse(value.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValidationError("theme locale", f"'{value[:20]}' is not a known locale") from None
    return str(locale)


def _colors(value: Any) -> dict[str, str]:
    colors = dict(DEFAULT_COLORS)
    if value is None:
        return colors
    if not isinstance(value, Mapping):
        raise ValidationError("theme colors", "must be an object of role -> #colour")
    for role, color in value.items():
        if role in DEFAULT_COLORS and color not in (None, ""):
            colors[role] = check_color(color, str(role))
    return colors


def _labels(value: Any) -> dict[str, str]:
    labels = dict(DEFAULT_LABELS)
    if value is None:
        return labels
    if not isinstance(value, Mapping):
        raise ValidationError("theme labels", "must be an object of name -> text")
    for key, text in value.items():
        if key in DEFAULT_LABELS and isinstance(text, str) and text.strip():
            labels[key] = _text(text, f"label '{key}'", 300)
    return labels


def _category_order(value: Any) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_CATEGORY_ORDER
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list | tuple):
        raise ValidationError("theme category_order", "must be a list of category names")
    order: list[str] = []
    for name in value:
        text = _text(name, "category_order", 80)
        if text and text.casefold() not in {o.casefold() for o in order}:
            order.append(text)
    return tuple(order)


def _int(value: Any, field: str, low: int, high: int, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(f"theme {field}", f"must be a whole number, not {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ValidationError(f"theme {field}", f"must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise ValidationError(f"theme {field}", f"must be between {low} and {high}")
    return number


def theme_from_mapping(data: Mapping[str, Any]) -> Theme:
    """A checked :class:`Theme` from the stored form; missing keys take their defaults."""
    if not isinstance(data, Mapping):
        raise ValidationError("theme", "must be an object")
    defaults = Theme()
    template = data.get("template") or defaults.template
    if not isinstance(template, str) or not _TEMPLATE_NAME.match(template):
        raise ValidationError("theme template", f"{str(template)[:40]!r} is not a template name")
    organisation = _text(data.get("organisation"), "organisation", 200) or defaults.organisation
    return Theme(
        organisation=organisation,
        logo_url=_url(data.get("logo_url"), "logo_url"),
        logo_width=_int(data.get("logo_width"), "logo_width", 16, 600, defaults.logo_width),
        colors=_colors(data.get("colors")),
        footer=_text(data.get("footer"), "footer", 2_000, multiline=True),
        postal_address=_text(data.get("postal_address"), "postal_address", 500),
        locale=check_locale(data.get("locale") or defaults.locale),
        category_order=_category_order(data.get("category_order")),
        unsubscribe_url=_url(data.get("unsubscribe_url"), "unsubscribe_url", mailto=True),
        web_version_url=_url(data.get("web_version_url"), "web_version_url"),
        from_address=_text(data.get("from_address"), "from_address", 300),
        template=template,
        templates_dir=_text(data.get("templates_dir"), "templates_dir", 1_000),
        labels=_labels(data.get("labels")),
    )


def theme_from_settings(settings: Mapping[str, Any]) -> Theme:
    """The theme stored in the library's settings, or the default theme."""
    stored = settings.get(SETTINGS_KEY)
    if stored is None:
        return Theme()
    return theme_from_mapping(stored)


def merge_theme(settings: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``{"theme": ...}`` with ``changes`` merged into the stored theme and checked.

    Pass the result to :meth:`Library.update_settings`. Nested ``colors`` and
    ``labels`` are merged key by key.
    """
    current = theme_from_settings(settings).to_settings()
    for key, value in changes.items():
        if key in ("colors", "labels") and isinstance(value, Mapping):
            current[key] = {**current[key], **value}
        else:
            current[key] = value
    return {SETTINGS_KEY: theme_from_mapping(current).to_settings()}


def text_direction(locale: str) -> str:
    """``rtl`` for right-to-left languages (Arabic, Hebrew, Persian, Urdu...), else ``ltr``."""
    from babel import Locale

    return "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"


def language_tag(locale: str) -> str:
    """The BCP 47 tag for ``lang=""``: ``en_GB`` -> ``en-GB``."""
    return locale.replace("_", "-")
