"""The parts of the settings: which changed, and which the email is rendered from."""

from __future__ import annotations

from composer import settings_parts
from composer.email import export
from composer.settings_parts import changed_parts, needs_render
from composer.smtp_settings import SETTINGS_KEY as SMTP_KEY
from composer.theme.checks import SETTINGS_KEY as THEME_KEY


def test_the_part_names_are_the_keys_their_owners_store_under() -> None:
    assert settings_parts.THEME == THEME_KEY
    assert settings_parts.SMTP == SMTP_KEY
    assert settings_parts.EXPORT_PROFILES == export.SETTINGS_KEY


def test_changed_parts_names_changed_added_and_removed_keys_only() -> None:
    before = {"theme": {"organisation": "A"}, "smtp": {"host": "x"}, "send_pace": {}}
    after = {"theme": {"organisation": "B"}, "smtp": {"host": "x"}, "export_profiles": {}}
    assert changed_parts(before, after) == {"theme", "send_pace", "export_profiles"}
    assert changed_parts(after, dict(after)) == frozenset()


def test_only_the_theme_and_the_export_profiles_change_the_rendered_email() -> None:
    assert needs_render({"theme"}) and needs_render({"export_profiles", "smtp"})
    assert not needs_render({"smtp"}) and not needs_render({"send_pace"}) and not needs_render(())
