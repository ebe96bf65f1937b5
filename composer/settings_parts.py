"""The parts of a library's settings: which changed, and which the email is rendered from.

A library's settings are one JSON object whose top-level keys are its parts, each
written whole by the one that owns it (a store's ``update_settings`` merges the top
level only): the theme (``theme``: the email's look, words and links,
:mod:`composer.theme.model`), the sending settings (``smtp``,
:mod:`composer.smtp_settings`), the export profiles (``export_profiles``,
:mod:`composer.email.export`: the mailing tools' link rules), the measured send pace,
and whatever a later version adds.

A window that hears that another officer changed the settings reads them again and
compares them with what it had (:func:`changed_parts`); the preview is rendered again
only when a part it is rendered from changed (:func:`needs_render`), and a dialog open
on a part is told when that part changed under it (saving the dialog writes its part
whole, over the other officer's).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: The theme's key (:data:`composer.theme.checks.SETTINGS_KEY`).
THEME = "theme"
#: The sending settings' key (:data:`composer.smtp_settings.SETTINGS_KEY`).
SMTP = "smtp"
#: The export profiles' key (:data:`composer.email.export.SETTINGS_KEY`).
EXPORT_PROFILES = "export_profiles"
#: The parts the email (and so the preview, its findings and its size) is rendered from.
RENDERED_PARTS = frozenset({THEME, EXPORT_PROFILES})


def changed_parts(before: Mapping[str, Any], after: Mapping[str, Any]) -> frozenset[str]:
    """The parts (top-level keys) whose value differs, added or removed ones included."""
    keys = set(before) | set(after)
    return frozenset(key for key in keys if before.get(key) != after.get(key))


def needs_render(parts: Iterable[str]) -> bool:
    """Whether a change of ``parts`` changes the rendered email."""
    return not RENDERED_PARTS.isdisjoint(parts)
