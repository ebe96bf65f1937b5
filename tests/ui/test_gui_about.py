"""The About box (Help menu, F1): versions of Newsdigest and its parts, licence notices, the log."""

from __future__ import annotations

import platform
from importlib import metadata

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

import PySide6  # noqa: E402
from helpers.gui_helpers import window_factory  # noqa: E402
from PySide6.QtCore import Qt, qVersion  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from composer.version import version  # noqa: E402
from ui.about import AboutDialog  # noqa: E402


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def about_box(qtbot, window) -> AboutDialog:
    qtbot.waitUntil(lambda: bool(window.findChildren(AboutDialog)))
    (dialog,) = window.findChildren(AboutDialog)
    qtbot.waitExposed(dialog)
    return dialog


def test_f1_opens_the_about_box_from_the_help_menu(qtbot, windows) -> None:
    window = windows.open()
    action = window.actions_by_name["about"]
    help_menu = next(m for m in window.menuBar().actions() if m.text() == "&Help").menu()
    assert action in help_menu.actions()
    assert action.shortcut().toString() == "F1"
    assert "(F1)" in action.toolTip()
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = about_box(qtbot, window)
    assert dialog.isVisible() and dialog.windowTitle() == "About Newsdigest"
    dialog.reject()


def test_the_about_box_shows_the_versions_of_the_parts(qtbot, windows) -> None:
    window = windows.open()
    dialog = window.show_about()
    qtbot.waitExposed(dialog)
    assert f"Newsdigest {version()}" in dialog.title.text()
    shown = {name: label.text() for name, label in dialog.version_labels.items()}
    assert shown["Newsdigest"] == version()
    assert shown["Qt"] == qVersion()
    assert shown["PySide6"] == PySide6.__version__
    assert shown["premailer"] == metadata.version("premailer")
    assert shown["TinyDB"] == metadata.version("tinydb")
    assert shown["Python"].startswith(platform.python_version())
    assert "Chromium" in shown["Qt WebEngine"]
    assert dialog.log_label.text().endswith("newsdigest.log")
    clipboard = QGuiApplication.clipboard()
    try:
        dialog.copy_button.click()
        copied = clipboard.text()
        assert f"Qt: {qVersion()}" in copied and f"TinyDB: {metadata.version('tinydb')}" in copied
    finally:
        clipboard.clear()  # the offscreen platform's clipboard must be empty at exit
    opened = []
    dialog.opener = opened.append
    dialog.folder_button.click()
    assert [url.toLocalFile() for url in opened] == [str(dialog.log_file.parent)]
    dialog.reject()


def test_the_about_box_carries_the_licence_notices(qtbot, windows) -> None:
    window = windows.open()
    dialog = window.show_about()
    qtbot.waitExposed(dialog)
    text = dialog.licences.toPlainText()
    assert "Copyright (c) 2019 Rémi Parmentier" in text  # the caniemail data's MIT notice
    assert "Permission is hereby granted, free of charge" in text
    assert "LGPL-3.0" in text and "Qt and Qt for Python" in text
    assert "premailer" in text and "Peter Bengtsson" in text
    assert "TinyDB" in text and "Markus Siemens" in text
    assert "Jinja2" in text and "BSD-3-Clause" in text
    dialog.tabs.setCurrentWidget(dialog.licences)
    assert dialog.licences.isVisible()
    dialog.reject()


def test_the_about_box_is_accessible(qtbot, windows) -> None:
    window = windows.open()
    dialog = window.show_about()
    qtbot.waitExposed(dialog)
    assert dialog.accessibleName() == "About Newsdigest"
    for label in dialog.version_labels.values():
        assert label.accessibleName().endswith(" version")
    named = [dialog.licences, dialog.tabs, dialog.log_label]
    assert all(w.accessibleName() for w in named)
    for button in (dialog.copy_button, dialog.folder_button):
        assert button.toolTip()
    dialog.reject()


def test_the_window_has_the_app_icon(windows) -> None:
    window = windows.open()
    sizes = {(s.width(), s.height()) for s in window.windowIcon().availableSizes()}
    assert {(48, 48), (128, 128), (256, 256)} <= sizes
