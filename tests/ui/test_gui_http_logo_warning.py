"""A logo over plain http is warned of in the window, never refused: Theme settings and setup.

In the real window on a library file: typing an ``http://`` logo (or dark logo) url in
File ▸ Theme settings… shows the core's warning (many mail clients block such images,
give its https address) in the dialog's message area with OK still enabled, and OK saves
the url as typed; the first-run setup shows it under the Logo field with Save enabled.
An https url shows nothing. ``NEWSDIGEST_SHOTS=folder`` keeps pictures of both dialogs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox, QWidget  # noqa: E402

from composer.theme.model import theme_from_settings  # noqa: E402
from ui.first_run import FirstRunDialog  # noqa: E402
from ui.settings_dialog import SettingsDialog  # noqa: E402

HTTP_LOGO = "http://fernhill.example.org/logo.png"
HTTPS_LOGO = "https://fernhill.example.org/logo.png"
WARNED = "is plain http, not https: many mail clients block or flag such images"


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def _picture(widget: QWidget, name: str) -> None:
    folder = os.environ.get("NEWSDIGEST_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))


def _type(qtbot, line, text: str) -> None:
    line.clear()
    qtbot.keyClicks(line, text)


def test_theme_settings_warn_of_an_http_logo_and_ok_saves_it(windows: Windows, qtbot) -> None:
    windows.library(items=sample_items())
    window = windows.open()
    dialog = window.theme_setup.show_settings()
    qtbot.waitExposed(dialog)
    assert isinstance(dialog, SettingsDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    logo, dark = dialog.editors["logo_url"].line, dialog.editors["dark_logo_url"].line
    assert logo is not None and dark is not None
    dialog.tabs.setCurrentIndex(0)  # Organisation, where the logos are

    _type(qtbot, logo, HTTPS_LOGO)
    qtbot.waitUntil(lambda: dialog.theme.logo_url == HTTPS_LOGO)  # checked (after the pause)
    assert not dialog.warning.isVisibleTo(dialog) and dialog.warning.text() == ""

    _type(qtbot, logo, HTTP_LOGO)
    qtbot.waitUntil(lambda: dialog.warning.isVisibleTo(dialog))
    text = dialog.warning.text()
    assert f"Organisation ▸ Logo url: '{HTTP_LOGO}' {WARNED}" in text
    assert f"give its https address ({HTTPS_LOGO})" in text
    assert ok.isEnabled() and dialog.error.text() == ""  # warned of, not refused
    _type(qtbot, dark, "http://fernhill.example.org/dark.png")
    qtbot.waitUntil(lambda: dialog.warning.text().count(WARNED) == 2)
    assert "Organisation ▸ Dark-mode logo url: 'http://fernhill.example.org/dark.png'" in (
        dialog.warning.text()
    )
    _picture(dialog, "theme-settings-http-logo.png")

    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    theme = theme_from_settings(window.library.settings())
    assert theme.logo_url == HTTP_LOGO
    assert theme.dark_logo_url == "http://fernhill.example.org/dark.png"


def test_the_setup_warns_under_the_logo_and_saves_it(windows: Windows, qtbot) -> None:
    windows.library(items=sample_items())
    window = windows.open(first_run=True)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(FirstRunDialog)))
    dialog = next(d for d in window.findChildren(FirstRunDialog) if d.isVisible())
    warning = dialog.warnings["logo_url"]
    assert not warning.isVisibleTo(dialog)

    qtbot.keyClicks(dialog.edits["organisation"], "Fernhill Botanical Society")
    qtbot.keyClicks(dialog.edits["logo_url"], HTTPS_LOGO)
    assert not warning.isVisibleTo(dialog) and warning.text() == ""
    _type(qtbot, dialog.edits["logo_url"], HTTP_LOGO)
    assert warning.isVisibleTo(dialog)
    assert f"Logo url: '{HTTP_LOGO}' {WARNED}" in warning.text()
    assert not dialog.errors["logo_url"].isVisibleTo(dialog)
    assert dialog.save_button.isEnabled()
    _picture(dialog, "setup-http-logo.png")
    # a value the check refuses is a problem, not a warning
    _type(qtbot, dialog.edits["logo_url"], "http://")
    assert dialog.errors["logo_url"].isVisibleTo(dialog) and not warning.isVisibleTo(dialog)
    _type(qtbot, dialog.edits["logo_url"], HTTP_LOGO)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    theme = theme_from_settings(window.library.settings())
    assert theme.logo_url == HTTP_LOGO and theme.organisation == "Fernhill Botanical Society"
