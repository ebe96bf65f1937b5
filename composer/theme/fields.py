"""The theme's fields, declared once as data: the CLI, ``--show``, the dialog and setup use them.

:data:`FIELDS` lists every theme setting as a :class:`ThemeField` (name, label,
kind, default, help, command-line flag, stored key, check). Import them from
:mod:`composer.theme.model`, which re-exports them beside :class:`~composer.theme.model.Theme`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from composer.theme.checks import (
    COLOR_HELP,
    CONTENTS_AUTO_THRESHOLD,
    CONTENTS_CHOICES,
    DEFAULT_CATEGORY_ORDER,
    DEFAULT_COLORS,
    DEFAULT_LAYOUT,
    LAYOUTS,
    PLACEHOLDER,
    READ_MORE_CHOICES,
    READY_FIELDS,
    Check,
    check_bool,
    check_category_order,
    check_choice,
    check_color,
    check_domains,
    check_font,
    check_footer,
    check_from_address,
    check_heading_font,
    check_int,
    check_label,
    check_locale,
    check_organisation,
    check_postal_address,
    check_template,
    check_templates_dir,
    check_unsubscribe_url,
    check_url,
    check_utm,
    http_image_warning,
)
from composer.theme.labels import DEFAULT_LABELS, FONT_STACKS


# -- the table -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class ThemeField:
    """One theme setting as the CLI, ``--show``, the settings dialog and first-run setup show it.

    ``kind`` says which editor fits: ``text``, ``multiline``, ``url``, ``email``, ``int``,
    ``choice`` (see ``choices``), ``bool``, ``color``, ``locale``, ``domains``, ``list``.
    ``key`` is where the value is stored: ``("organisation",)``, ``("colors", "brand")``.
    ``group`` sorts fields into the dialog's pages: sender, look, links, campaign, words.
    ``first_run`` marks the fields first-run setup asks for. ``warn`` says what may go wrong
    with a value its check takes (a logo over plain http), naming the field as given; or None.
    """

    name: str
    label: str
    kind: str
    default: Any
    help: str
    check: Check
    flag: str
    key: tuple[str, ...]
    group: str
    choices: tuple[str, ...] = ()
    required_to_send: bool = False
    first_run: bool = False
    warn: Callable[[Any, str], str | None] | None = None

    @property
    def field_label(self) -> str:
        """How error messages name the field: ``theme organisation``, ``theme colour 'brand'``."""
        return f"theme {self.name}"


def _f(
    name: str,
    label: str,
    kind: str,
    default: Any,
    help: str,
    check: Check,
    group: str,
    *,
    choices: Sequence[str] = (),
    key: tuple[str, ...] | None = None,
    flag: str | None = None,
    first_run: bool = False,
    warn: Callable[[Any, str], str | None] | None = None,
) -> ThemeField:
    return ThemeField(
        name=name,
        label=label,
        kind=kind,
        default=default,
        help=help,
        check=check,
        flag=flag or "--" + name.replace("_", "-"),
        key=key or (name,),
        group=group,
        choices=tuple(choices),
        required_to_send=name in READY_FIELDS,
        first_run=first_run,
        warn=warn,
    )


def _color_check(role: str) -> Check:
    def check(value: Any, field: str) -> str:
        return check_color(value, role)

    return check


def _color_field(role: str) -> ThemeField:
    dark = role.startswith("dark_")
    base = role.removeprefix("dark_")
    words = f"{base} colour in dark mode" if dark else f"{base} colour"
    return _f(
        f"{role}_color",
        words[0].upper() + words[1:],
        "color",
        DEFAULT_COLORS[role],
        f"{COLOR_HELP[base]}{' (dark mode)' if dark else ''}, as #rrggbb",
        _color_check(role),
        "look",
        key=("colors", role),
    )


def _label_field(key: str) -> ThemeField:
    names = sorted(set(PLACEHOLDER.findall(DEFAULT_LABELS[key])))
    uses = f"; may use {', '.join('{' + n + '}' for n in names)}" if names else ""
    return _f(
        f"label_{key}",
        f"Words: {key.replace('_', ' ')}",
        "text",
        "",
        f"replaces '{DEFAULT_LABELS[key]}' (empty: the locale's words){uses}",
        check_label(key),
        "words",
        key=("labels", key),
    )


FIELDS: tuple[ThemeField, ...] = (
    _f(
        "organisation",
        "Organisation",
        "text",
        "",
        "the organisation's name, shown in the title, masthead and footer",
        check_organisation,
        "sender",
        first_run=True,
    ),
    _f(
        "logo_url",
        "Logo url",
        "url",
        None,
        "https address of the logo image (PNG or JPEG; twice its shown width for sharp screens)",
        check_url,
        "sender",
        first_run=True,
        warn=http_image_warning,
    ),
    _f(
        "logo_width",
        "Logo width (px)",
        "int",
        180,
        "width the logo is shown at, in pixels (16-600)",
        check_int(16, 600, 180),
        "sender",
    ),
    _f(
        "dark_logo_url",
        "Dark-mode logo url",
        "url",
        None,
        "optional logo for dark mode (light on transparent), swapped in where clients allow",
        check_url,
        "sender",
        warn=http_image_warning,
    ),
    _f(
        "from_address",
        "Sender",
        "email",
        "",
        "sender address, or 'Name <address>'",
        check_from_address,
        "sender",
        flag="--from",
        first_run=True,
    ),
    _f(
        "postal_address",
        "Postal address",
        "text",
        "",
        "the organisation's postal address, shown in the footer (required by anti-spam laws)",
        check_postal_address,
        "sender",
        first_run=True,
    ),
    _f(
        "unsubscribe_url",
        "Unsubscribe url",
        "url",
        None,
        "https or mailto: link to unsubscribe; may carry {email} and {token}, filled per reader",
        check_unsubscribe_url,
        "links",
        first_run=True,
    ),
    _f(
        "web_version_url",
        "Web version url",
        "url",
        None,
        "https address where the digest can be read in a browser",
        check_url,
        "links",
    ),
    _f(
        "locale",
        "Locale",
        "locale",
        "en_GB",
        "language and region for dates and fixed words (en_GB, de, fr_CA, ar ...)",
        check_locale,
        "look",
    ),
    _f(
        "template",
        "Theme",
        "choice",
        DEFAULT_LAYOUT,
        "layout: " + "; ".join(f"{name}: {text}" for name, text in LAYOUTS.items()),
        check_template,
        "look",
        choices=tuple(LAYOUTS),
        flag="--theme",
    ),
    *(_color_field(role) for role in DEFAULT_COLORS),
    _f(
        "font",
        "Font",
        "choice",
        "system",
        "body text font (web-safe stacks): " + ", ".join(FONT_STACKS),
        check_font,
        "look",
        choices=tuple(FONT_STACKS),
    ),
    _f(
        "heading_font",
        "Heading font",
        "choice",
        "",
        "font of titles and headings (empty: the body font): " + ", ".join(FONT_STACKS),
        check_heading_font,
        "look",
        choices=("", *FONT_STACKS),
    ),
    _f(
        "show_contents",
        "Contents",
        "choice",
        "auto",
        f"'In this issue' contents: auto (more than {CONTENTS_AUTO_THRESHOLD} items), "
        "always or never",
        check_choice(CONTENTS_CHOICES, "auto"),
        "look",
        choices=CONTENTS_CHOICES,
    ),
    _f(
        "read_more",
        "Read more",
        "choice",
        "none",
        "after each story's linked title: none, or a short 'Read more' button",
        check_choice(READ_MORE_CHOICES, "none"),
        "look",
        choices=READ_MORE_CHOICES,
    ),
    _f(
        "footer",
        "Footer",
        "multiline",
        "",
        "text at the foot of every digest (paragraphs separated by a blank line)",
        check_footer,
        "sender",
    ),
    _f(
        "category_order",
        "Category order",
        "list",
        DEFAULT_CATEGORY_ORDER,
        "order of the sections in a new digest (comma separated)",
        check_category_order,
        "look",
    ),
    _f(
        "utm_enabled",
        "Campaign tagging",
        "bool",
        False,
        "add utm_source, utm_medium and utm_campaign to story links on the own domains (on/off)",
        check_bool,
        "campaign",
        flag="--utm",
    ),
    _f(
        "utm_source",
        "utm_source",
        "text",
        "newsletter",
        "utm_source of tagged links",
        check_utm("newsletter"),
        "campaign",
    ),
    _f(
        "utm_medium",
        "utm_medium",
        "text",
        "email",
        "utm_medium of tagged links",
        check_utm("email"),
        "campaign",
    ),
    _f(
        "utm_campaign",
        "utm_campaign",
        "text",
        "",
        "utm_campaign of tagged links (empty: the digest's period, e.g. 2023-01)",
        check_utm(""),
        "campaign",
    ),
    _f(
        "own_domains",
        "Own domains",
        "domains",
        (),
        "the organisation's domains, whose links are tagged (empty: the domains of the web "
        "version, unsubscribe and logo urls)",
        check_domains,
        "campaign",
    ),
    _f(
        "templates_dir",
        "Templates folder",
        "text",
        "",
        "folder of the user's own templates (empty: the default per-user folder)",
        check_templates_dir,
        "look",
    ),
    *(_label_field(key) for key in DEFAULT_LABELS),
)
FIELDS_BY_NAME: dict[str, ThemeField] = {spec.name: spec for spec in FIELDS}
TOP_LEVEL_KEYS: tuple[str, ...] = tuple(dict.fromkeys(spec.key[0] for spec in FIELDS))


def field_warnings(values: Mapping[str, Any], *, by_flag: bool = False) -> list[str]:
    """The warnings of the values taken for theme fields (field name -> value): what may go
    wrong though each was accepted, such as a logo over plain http. Each names its field
    as the window does (its label), or by its command-line option with ``by_flag``."""
    warnings: list[str] = []
    for name, value in values.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None or spec.warn is None:
            continue
        if warning := spec.warn(value, spec.flag if by_flag else spec.label):
            warnings.append(warning)
    return warnings
