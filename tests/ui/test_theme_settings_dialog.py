"""The theme settings dialog: one editor per field of composer.theme.model FIELDS, grouped in pages;
every field set in the dialog is stored and shown again; a bad value keeps OK disabled."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from composer.theme.model import FIELDS, Theme, ThemeField, field_value, theme_from_settings  # noqa: E402
from ui.settings_dialog import PAGES, SettingsDialog  # noqa: E402

_TEXT = {
    "organisation": "Quarry Hill Arts Centre",
    "postal_address": "40 Kiln Row, Quarry Hill 5120",
    "utm_source": "quarry_letter",
    "utm_medium": "mail",
    "utm_campaign": "autumn",
    "templates_dir": "/srv/quarry/templates",
    "from_address": "Quarry Hill <hello@quarry.example.org>",
    "logo_url": "https://quarry.example.org/logo.png",
    "dark_logo_url": "https://quarry.example.org/logo-dark.png",
    "unsubscribe_url": "https://quarry.example.org/leave?who={email}&t={token}",
    "web_version_url": "https://quarry.example.org/letters/latest",
    "logo_width": "220",
    "own_domains": "quarry.example.org, quarry-arts.example.net",
    "footer": "Quarry Hill Arts Centre is a charity.\n\nWrite to us any time.",
    "locale": "fr_FR",
}


def _value(spec: ThemeField, n: int) -> Any:
    if spec.name in _TEXT:
        return _TEXT[spec.name]
    if spec.name.startswith("label_"):
        return f"Quarry words {n}"
    if spec.kind == "color":
        return f"#{n:02x}{n:02x}56"
    if spec.kind == "bool":
        return True
    if spec.kind == "list":
        return ["Exhibitions", "Workshops", "Residencies"]
    if spec.kind == "choice":
        return next(c for c in reversed(spec.choices) if c and c != spec.default)
    raise AssertionError(f"no test value for {spec.name} ({spec.kind})")


def test_every_field_has_an_editor_on_its_page(qtbot) -> None:
    dialog = SettingsDialog({})
    qtbot.addWidget(dialog)
    assert set(dialog.editors) == {spec.name for spec in FIELDS}
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == list(PAGES.values())
    assert {"Organisation", "Look", "Email links", "Campaign tagging"} <= set(titles)
    for spec in FIELDS:
        widget = dialog.editors[spec.name].widget
        assert widget.toolTip() == spec.help, spec.name
        page = dialog.tabs.widget(list(PAGES).index(spec.group))
        assert page.isAncestorOf(widget), spec.name


def test_every_field_round_trips(qtbot) -> None:
    dialog = SettingsDialog({})
    qtbot.addWidget(dialog)
    values = {spec.name: _value(spec, n) for n, spec in enumerate(FIELDS)}
    for name, value in values.items():
        dialog.editors[name].set_value(value)
    assert dialog.check() is not None, dialog.error.text()
    stored = dialog.settings_changes()
    theme = theme_from_settings(stored)
    defaults = Theme()
    for spec in FIELDS:
        expected = spec.check(values[spec.name], spec.field_label)
        assert field_value(theme, spec.name) == expected, spec.name
        assert field_value(theme, spec.name) != field_value(defaults, spec.name), spec.name
    # opened again on what was stored, the dialog shows every value and stores it unchanged
    again = SettingsDialog(stored)
    qtbot.addWidget(again)
    assert again.check() is not None
    assert again.settings_changes() == stored


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("brand_color", "#12", "colour"),
        ("from_address", "not an address", "Sender"),
        ("logo_url", "ftp://quarry.example.org/logo.png", "Logo url"),
        ("unsubscribe_url", "https://quarry.example.org/u?x={name}", "{name}"),
        ("locale", "xx_QQ", "not a known locale"),
        ("logo_width", "9000", "between 16 and 600"),
    ],
)
def test_a_bad_value_is_named_and_keeps_ok_disabled(qtbot, name, value, message) -> None:
    dialog = SettingsDialog({})
    qtbot.addWidget(dialog)
    dialog.editors[name].set_value(value)
    assert dialog.check() is None
    assert message in dialog.error.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_restore_defaults_keeps_the_organisation(qtbot) -> None:
    dialog = SettingsDialog({"theme": {"organisation": "Quarry Hill", "font": "georgia"}})
    qtbot.addWidget(dialog)
    dialog.restore_defaults()
    theme = dialog.check()
    assert theme is not None
    assert theme.organisation == "Quarry Hill" and theme.font == "system"
