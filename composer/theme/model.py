"""Theme settings: who sends the digest and how it looks, declared once as data and checked.

Every setting is one row of :data:`FIELDS` (name, label, kind, default, help
text, command-line flag, choices and check), so the ``settings theme`` command,
its ``--show``, the window's settings dialog and the first-run setup are all
generated from the same table. Colours and labels are one row per role/word
(``brand_color``, ``label_read_more``) stored under the nested ``colors`` and
``labels`` objects (:attr:`ThemeField.key`).

The theme lives under the ``"theme"`` key of the library's settings dictionary
(:meth:`composer.repository.Library.settings`). :func:`theme_from_settings`
reads it, filling every missing key with its default; :func:`merge_theme`
returns the settings dictionary with changes (field names, or stored keys)
merged in and checked, for :meth:`~composer.repository.Library.update_settings`.

Colours go into a ``<style>`` block where escaping does not protect, so they
must be ``#rgb`` or ``#rrggbb``; urls must be http or https (or mailto for the
unsubscribe link); the unsubscribe url may carry ``{email}`` and ``{token}``
placeholders, kept as written; the locale must be one Babel knows.

The defaults are honest: no organisation, no sender, no address. A theme is
*sendable* only when :func:`missing_for_sending` names nothing (the "plain
profile" readiness rule); until then the digest's title reads "News digest:
January 2023", never a made-up organisation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from composer.errors import ValidationError
from composer.theme.checks import (
    CONTENTS_AUTO_THRESHOLD,
    CONTENTS_CHOICES,
    DEFAULT_CATEGORY_ORDER,
    DEFAULT_COLORS,
    DEFAULT_LAYOUT,
    LAYOUT_ALIASES,
    LAYOUTS,
    LEGACY_LABELS,
    LEGACY_ORGANISATION,
    READ_MORE_CHOICES,
    READY_FIELDS,
    SETTINGS_KEY,
    UNSUBSCRIBE_PLACEHOLDERS,
    check_color,
    check_locale,
)
from composer.theme.fields import FIELDS, FIELDS_BY_NAME, TOP_LEVEL_KEYS, ThemeField
from composer.theme.labels import (
    DEFAULT_LABELS,
    FONT_STACKS,
    MSO_FALLBACK_FONTS,
    locale_labels,
)

__all__ = [
    "CONTENTS_CHOICES",
    "DEFAULT_CATEGORY_ORDER",
    "DEFAULT_COLORS",
    "DEFAULT_LABELS",
    "DEFAULT_LAYOUT",
    "FIELDS",
    "FIELDS_BY_NAME",
    "FONT_STACKS",
    "LAYOUTS",
    "LAYOUT_ALIASES",
    "READY_FIELDS",
    "READ_MORE_CHOICES",
    "SETTINGS_KEY",
    "UNSUBSCRIBE_PLACEHOLDERS",
    "Theme",
    "ThemeField",
    "check_color",
    "check_locale",
    "describe",
    "field_value",
    "is_sendable",
    "language_tag",
    "merge_theme",
    "missing_for_sending",
    "text_direction",
    "theme_from_mapping",
    "theme_from_settings",
    "with_changes",
]


# -- the theme -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Theme:
    """The sender and the look of a digest (see :data:`FIELDS` for what each field means)."""

    organisation: str = ""
    logo_url: str | None = None
    logo_width: int = 180
    dark_logo_url: str | None = None
    from_address: str = ""
    postal_address: str = ""
    unsubscribe_url: str | None = None
    web_version_url: str | None = None
    locale: str = "en_GB"
    template: str = DEFAULT_LAYOUT
    colors: Mapping[str, str] = dataclasses.field(default_factory=lambda: dict(DEFAULT_COLORS))
    font: str = "system"
    heading_font: str = ""
    show_contents: str = "auto"
    read_more: str = "none"
    footer: str = ""
    category_order: tuple[str, ...] = DEFAULT_CATEGORY_ORDER
    utm_enabled: bool = False
    utm_source: str = "newsletter"
    utm_medium: str = "email"
    utm_campaign: str = ""
    own_domains: tuple[str, ...] = ()
    templates_dir: str = ""
    #: The user's own words; missing ones come from the locale (:meth:`label`).
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def color(self, role: str) -> str:
        return self.colors.get(role) or DEFAULT_COLORS[role]

    def label(self, key: str, **values: object) -> str:
        """A fixed word of the templates, in the theme's locale, with ``{placeholders}`` filled.

        ``digest_title`` and ``unsubscribe_note`` without an organisation use their plain
        forms ("News digest: January 2023"), never an invented name.
        """
        own = self.labels.get(key, "")
        if (
            key in ("digest_title", "unsubscribe_note")
            and not values.get("organisation")
            and (not own or "{organisation}" in own)
        ):
            key = f"{key}_plain"
        words = locale_labels(self.locale)
        text = self.labels.get(key) or words[key]
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return words[key].format(**values)

    def digest_title(self, period_label: str) -> str:
        """The default title of a digest: "Acme news digest: January 2023" (or "News digest: …")."""
        return self.label("digest_title", organisation=self.organisation, period=period_label)

    @property
    def font_stack(self) -> str:
        return FONT_STACKS[self.font]

    @property
    def heading_font_stack(self) -> str:
        return FONT_STACKS[self.heading_font or self.font]

    @property
    def mso_font_stack(self) -> str:
        """The body font for classic Outlook, which falls back to Times on unknown first fonts."""
        return MSO_FALLBACK_FONTS.get(self.font, FONT_STACKS[self.font])

    def contents_shown(self, item_count: int) -> bool:
        """Whether a digest of ``item_count`` items gets its "In this issue" contents."""
        if self.show_contents == "always":
            return True
        if self.show_contents == "never":
            return False
        return item_count > CONTENTS_AUTO_THRESHOLD

    def own_domain_set(self) -> frozenset[str]:
        """The domains whose links are tagged: :attr:`own_domains`, else those of the theme's
        web version, unsubscribe and logo urls (``www.`` dropped)."""
        if self.own_domains:
            return frozenset(self.own_domains)
        hosts = set()
        for url in (self.web_version_url, self.unsubscribe_url, self.logo_url):
            if url and not url.lower().startswith("mailto:"):
                host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
                if host:
                    hosts.add(host)
        return frozenset(hosts)

    def campaign(self, period: str) -> str:
        """The utm_campaign value: the theme's, else the digest's period."""
        return self.utm_campaign or period

    def to_settings(self) -> dict[str, Any]:
        """The JSON-ready form stored under ``settings["theme"]``."""
        data: dict[str, Any] = {}
        for name in TOP_LEVEL_KEYS:
            value = getattr(self, name)
            if name in ("colors", "labels"):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif value is None:
                value = ""
            data[name] = value
        return data


# -- reading and changing --------------------------------------------------------------------------
def theme_from_mapping(data: Mapping[str, Any]) -> Theme:
    """A checked :class:`Theme` from the stored form; missing keys take their defaults.

    Unknown keys are ignored (a newer version's settings still open); an earlier version's
    ``template: default`` reads as ``classic``.
    """
    if not isinstance(data, Mapping):
        raise ValidationError("theme", "must be an object")
    values: dict[str, Any] = {}
    colors = dict(DEFAULT_COLORS)
    labels: dict[str, str] = {}
    for name in ("colors", "labels"):
        if data.get(name) is not None and not isinstance(data.get(name), Mapping):
            raise ValidationError(f"theme {name}", "must be an object of name -> text")
    for spec in FIELDS:
        if len(spec.key) == 2:
            group = data.get(spec.key[0]) or {}
            raw = group.get(spec.key[1])
            if raw in (None, "") or LEGACY_LABELS.get(spec.key[1]) == raw:
                continue
            checked = spec.check(raw, spec.field_label)
            if spec.key[0] == "colors":
                colors[spec.key[1]] = checked
            elif checked:
                labels[spec.key[1]] = checked
        elif data.get(spec.name) not in (None, ""):
            values[spec.name] = spec.check(data[spec.name], spec.field_label)
    if values.get("organisation") == LEGACY_ORGANISATION:
        del values["organisation"]
    return Theme(**values, colors=colors, labels=labels)


def theme_from_settings(settings: Mapping[str, Any]) -> Theme:
    """The theme stored in the library's settings, or the default theme."""
    stored = settings.get(SETTINGS_KEY)
    if stored is None:
        return Theme()
    return theme_from_mapping(stored)


def _apply(current: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    for name, value in changes.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is not None and len(spec.key) == 2:
            current[spec.key[0]] = {**current[spec.key[0]], spec.key[1]: value}
        elif name in ("colors", "labels"):
            if not isinstance(value, Mapping):
                raise ValidationError(f"theme {name}", "must be an object of name -> text")
            current[name] = {**current[name], **value}
        elif name in TOP_LEVEL_KEYS:
            current[name] = value
        else:
            raise ValidationError("theme", f"unknown setting {name!r}")
    return current


def with_changes(current: Theme, changes: Mapping[str, Any]) -> Theme:
    """``current`` with ``changes`` applied and checked.

    Keys are field names of :data:`FIELDS` (``brand_color``, ``label_read_more``) or stored
    keys (``colors`` as a mapping, merged role by role). ``None`` clears a field to its
    default; an unknown name is refused.
    """
    merged = _apply(current.to_settings(), {k: v for k, v in changes.items()})
    return theme_from_mapping(merged)


def merge_theme(settings: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``{"theme": ...}`` with ``changes`` merged into the stored theme and checked.

    Pass the result to :meth:`Library.update_settings`. See :func:`with_changes`.
    """
    return {SETTINGS_KEY: with_changes(theme_from_settings(settings), changes).to_settings()}


def field_value(theme: Theme, name: str) -> Any:
    """The current value of the field ``name`` (stored form: ``None`` for an unset url)."""
    spec = FIELDS_BY_NAME[name]
    if len(spec.key) == 2:
        group: Mapping[str, Any] = getattr(theme, spec.key[0])
        return group.get(spec.key[1], spec.default)
    return getattr(theme, spec.key[0])


def describe(theme: Theme) -> list[tuple[str, str]]:
    """``(label, value)`` rows for ``settings theme --show`` and the window, every field."""
    rows = []
    for spec in FIELDS:
        value = field_value(theme, spec.name)
        if spec.name.startswith("label_") and not value:
            text = f"- ({locale_labels(theme.locale)[spec.key[1]]})"
        elif isinstance(value, bool):
            text = "on" if value else "off"
        elif isinstance(value, tuple | list):
            text = ", ".join(value) if value else "-"
        elif spec.name == "utm_campaign" and not value:
            text = "- (the digest's period)"
        elif spec.name == "heading_font" and not value:
            text = f"- (the body font, {theme.font})"
        elif spec.name == "own_domains" and not value:
            derived = sorted(theme.own_domain_set())
            text = f"- ({', '.join(derived)})" if derived else "-"
        else:
            text = str(value) if value not in (None, "") else "-"
        rows.append((spec.label, text))
    return rows


def missing_for_sending(theme: Theme) -> list[str]:
    """The fields of :data:`READY_FIELDS` a theme still lacks to be sendable, in that order.

    Empty means ready. The plain profile uses it to say, in the email and at build time,
    that the digest is not ready to send.
    """
    return [name for name in READY_FIELDS if not field_value(theme, name)]


def is_sendable(theme: Theme) -> bool:
    return not missing_for_sending(theme)


def text_direction(locale: str) -> str:
    """``rtl`` for right-to-left languages (Arabic, Hebrew, Persian, Urdu...), else ``ltr``."""
    from babel import Locale

    return "rtl" if Locale.parse(locale).character_order == "right-to-left" else "ltr"


def language_tag(locale: str) -> str:
    """The BCP 47 tag for ``lang=""``: ``en_GB`` -> ``en-GB``."""
    return locale.replace("_", "-")
