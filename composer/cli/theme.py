"""``newsdigest settings theme``: set and show the theme's fields (who sends, how it looks).

Every option is generated from :data:`composer.theme.model.FIELDS`, the same table
the window's settings dialog and first-run setup are built from, and every
value goes through the same check: ``--organisation``, ``--logo-url``,
``--from``, ``--postal-address``, ``--unsubscribe-url``, ``--locale``,
``--theme NAME``, ``--font``, ``--show-contents auto|always|never``,
``--utm on|off``, the colours (``--brand-color '#0b4f6c'``), the fixed words
(``--label-unsubscribe``) and the rest. A bad value is refused with a message
naming its option and why, and then nothing is saved; ``''`` clears a field
back to its default. A value taken that may still go wrong (a logo over plain
http, which many mail clients block) is saved with a warning on stderr.
``--show`` prints every field, its value and whether it is the default (and the
same warnings, on stderr), then whether the theme is ready to send.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from composer.cli.options import ShowAction
from composer.email.readiness import how_to_set, missing_for_sending
from composer.errors import NewsdigestError, ValidationError
from composer.repository import Library
from composer.theme.fields import field_warnings
from composer.theme.model import (
    FIELDS,
    FIELDS_BY_NAME,
    Theme,
    ThemeField,
    describe,
    field_value,
    merge_theme,
    theme_from_settings,
    with_changes,
)

#: The headings of ``--show``, by :attr:`ThemeField.group` (the window's groups too).
GROUP_TITLES = {
    "sender": "Organisation",
    "links": "Email links",
    "look": "Look",
    "campaign": "Campaign tagging",
    "words": "Words",
}
_DEST = "theme_field_"


def _metavar(spec: ThemeField) -> str:
    if spec.kind == "bool":
        return "on|off"
    if spec.choices:
        named = [c for c in spec.choices if c]
        return "|".join(named) if 0 < len(named) <= 4 else "NAME"  # long lists: in the help
    if spec.kind == "color":
        return "#RRGGBB"
    if spec.kind in ("url", "email", "locale", "int", "domains", "list"):
        return {"email": "ADDRESS", "int": "N", "domains": "DOMAINS", "list": "A,B,..."}.get(
            spec.kind, spec.kind.upper()
        )
    return "FOLDER" if spec.name.endswith("_dir") else "TEXT"


def register(sections: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``theme`` to ``newsdigest settings``."""
    p = sections.add_parser(
        "theme",
        help="who sends the digest and how it looks (organisation, sender, links, layout...)",
        description="Save the theme settings in the library, or show them. Every value is "
        "checked as the window checks it; a bad one is refused and nothing is saved. "
        "'' clears a field back to its default.",
    )
    groups: dict[str, argparse._ArgumentGroup] = {}
    for spec in FIELDS:
        group = groups.get(spec.group)
        if group is None:
            group = p.add_argument_group(GROUP_TITLES.get(spec.group, spec.group.title()))
            groups[spec.group] = group
        group.add_argument(
            spec.flag,
            dest=_DEST + spec.name,
            metavar=_metavar(spec),
            help=spec.help.replace("%", "%%"),
        )
    p.add_argument(
        "--show",
        action=ShowAction,
        help="show every field, its value and whether it is the default (changes nothing)",
    )
    p.set_defaults(handler=cmd_settings_theme)


def changes_from(args: argparse.Namespace) -> dict[str, Any]:
    """The fields given on the command line, as field name -> text (``''`` clears)."""
    changes: dict[str, Any] = {}
    for spec in FIELDS:
        value = getattr(args, _DEST + spec.name, None)
        if value is not None:
            changes[spec.name] = value
    return changes


def check_changes(theme: Theme, changes: dict[str, Any]) -> Theme:
    """``theme`` with ``changes``, each checked; the error names the option and why."""
    for name, value in changes.items():
        spec = FIELDS_BY_NAME[name]
        if value == "":
            continue
        try:
            spec.check(value, spec.field_label)
        except ValidationError as exc:
            raise NewsdigestError(f"{spec.flag}: {exc.reason}; nothing was saved") from None
    try:
        return with_changes(theme, changes)
    except ValidationError as exc:
        raise NewsdigestError(f"{exc}; nothing was saved") from None


def cmd_settings_theme(args: argparse.Namespace, library: Library) -> int:
    changes = changes_from(args)
    if args.show and changes:
        raise NewsdigestError("--show only shows: run the changes first, then --show")
    stored = library.settings()
    try:
        current = theme_from_settings(stored)
    except ValidationError as exc:
        if not changes:
            raise NewsdigestError(
                f"the theme settings stored in {library.location} are not valid ({exc}); "
                "set the field again with `newsdigest settings theme`"
            ) from None
        current = Theme()
    if changes:
        check_changes(current, changes)
        try:
            library.update_settings(merge_theme({"theme": current.to_settings()}, changes))
        except ValidationError as exc:
            raise NewsdigestError(f"{exc}; nothing was saved") from None
        print(f"Saved the theme settings in {library.location}.")
        _print_warnings({name: value for name, value in changes.items() if value != ""})
        theme = theme_from_settings(library.settings())
        missing = missing_for_sending(theme)
        if missing:
            print(f"Not ready to send yet: {how_to_set(missing)}.")
        return 0
    show(theme_from_settings(library.settings()), library.location)
    return 0


def _print_warnings(values: dict[str, Any]) -> None:
    """What may go wrong with values that were taken (a logo over plain http), on stderr."""
    for warning in field_warnings(values, by_flag=True):
        print(f"warning: {warning}", file=sys.stderr)


def show_rows(theme: Theme) -> list[tuple[str, str, str, bool]]:
    """``(group title, label and option, value, is the default)`` for every field."""
    defaults = Theme()
    rows = []
    for spec, (label, text) in zip(FIELDS, describe(theme), strict=True):
        is_default = field_value(theme, spec.name) == field_value(defaults, spec.name)
        rows.append(
            (GROUP_TITLES.get(spec.group, spec.group), f"{label} ({spec.flag})", text, is_default)
        )
    return rows


def show(theme: Theme, location: str) -> None:
    """Print every field with its value, marking those left at their default."""
    print(f"Theme settings of {location}:")
    order = list(GROUP_TITLES.values())
    rows = sorted(show_rows(theme), key=lambda row: order.index(row[0]) if row[0] in order else 99)
    width = max(len(label) for _, label, _, _ in rows)
    heading = ""
    for group, label, text, is_default in rows:
        if group != heading:
            heading = group
            print(f"{group}:")
        print(f"  {label:<{width}}  {text}{'  (default)' if is_default else ''}")
    _print_warnings({spec.name: field_value(theme, spec.name) for spec in FIELDS if spec.warn})
    missing = missing_for_sending(theme)
    if missing:
        print(f"Not ready to send: {how_to_set(missing)}.")
    else:
        print("Ready to send: organisation, sender, postal address and unsubscribe link are set.")
