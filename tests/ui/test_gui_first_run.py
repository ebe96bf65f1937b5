"""First-run setup in the window: offered for a library not set up, checked as typed, saved in
the library's theme, never asked again once skipped or done; reopened from the File menu.
And the theme picker: the open digest's layout, an undoable edit that the preview shows."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.digest_samples import sample_theme  # noqa: E402
from helpers.gui_helpers import Windows, sample_items, wait_for_preview, window_factory  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from composer.theme.model import merge_theme, theme_from_settings  # noqa: E402
from store.tinydb_library import TinyDBLibrary  # noqa: E402
from ui.first_run import FIRST_RUN_FIELDS, FirstRunDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

VALUES = {
    "organisation": "Fernhill Botanical Society",
    "logo_url": "https://fernhill.example.org/logo.png",
    "from_address": "Fernhill News <news@fernhill.example.org>",
    "postal_address": "7 Glasshouse Lane, Fernhill 3321",
    "unsubscribe_url": "https://fernhill.example.org/unsubscribe",
}


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def _setup_dialog(window: MainWindow) -> FirstRunDialog | None:
    found = [d for d in window.findChildren(FirstRunDialog) if d.isVisible()]
    return found[0] if found else None


def _open(windows: Windows, **options) -> MainWindow:
    window = windows.open(first_run=True, **options)
    return window


def test_the_setup_asks_for_the_first_run_fields() -> None:
    assert [spec.name for spec in FIRST_RUN_FIELDS] == list(VALUES)


def test_shown_on_first_start_and_values_saved(windows: Windows, qtbot) -> None:
    windows.library(items=sample_items())
    window = _open(windows)
    qtbot.waitUntil(lambda: _setup_dialog(window) is not None)
    dialog = _setup_dialog(window)
    assert dialog is not None
    assert "Still needed before sending" in dialog.missing.text()
    for name, value in VALUES.items():
        qtbot.keyClicks(dialog.edits[name], value)
    assert dialog.save_button.isEnabled()
    assert dialog.missing.text() == "Everything needed to send is here."
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    theme = theme_from_settings(window.library.settings())
    assert theme.organisation == VALUES["organisation"]
    assert theme.logo_url == VALUES["logo_url"]
    assert theme.from_address == VALUES["from_address"]
    assert theme.postal_address == VALUES["postal_address"]
    assert theme.unsubscribe_url == VALUES["unsubscribe_url"]
    assert window.theme.organisation == VALUES["organisation"]
    # set up: not asked again on the next start
    path = window.library.location
    windows.close(window)
    again = _open(windows)
    qtbot.wait(50)
    assert _setup_dialog(again) is None, path


def test_each_field_is_checked_as_typed(windows: Windows, qtbot) -> None:
    windows.library(items=sample_items())
    window = _open(windows)
    qtbot.waitUntil(lambda: _setup_dialog(window) is not None)
    dialog = _setup_dialog(window)
    assert dialog is not None
    qtbot.keyClicks(dialog.edits["from_address"], "not an address")
    assert dialog.errors["from_address"].isVisibleTo(dialog)
    assert "not a valid address" in dialog.errors["from_address"].text()
    assert not dialog.save_button.isEnabled()
    dialog.edits["from_address"].setText("news@fernhill.example.org")
    assert not dialog.errors["from_address"].isVisibleTo(dialog)
    qtbot.keyClicks(dialog.edits["unsubscribe_url"], "javascript:alert(1)")
    assert dialog.errors["unsubscribe_url"].isVisibleTo(dialog)
    assert not dialog.save_button.isEnabled()
    dialog.edits["unsubscribe_url"].setText("mailto:leave@fernhill.example.org")
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.edits["logo_url"], "ftp://fernhill.example.org/logo.png")
    assert not dialog.save_button.isEnabled()
    dialog.edits["logo_url"].clear()
    assert dialog.save_button.isEnabled()
    dialog.skip_button.click()


def test_skipped_is_remembered_and_not_asked_again(windows: Windows, qtbot) -> None:
    windows.library(items=sample_items())
    window = _open(windows)
    qtbot.waitUntil(lambda: _setup_dialog(window) is not None)
    dialog = _setup_dialog(window)
    assert dialog is not None
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert theme_from_settings(window.library.settings()).organisation == ""
    windows.close(window)
    again = _open(windows)
    qtbot.wait(50)
    assert _setup_dialog(again) is None
    # it can be reopened from the File menu
    again.actions_by_name["setup"].trigger()
    reopened = _setup_dialog(again)
    assert reopened is not None
    reopened.edits["organisation"].setText("Fernhill Botanical Society")
    reopened.accept()
    assert again.theme.organisation == "Fernhill Botanical Society"


def test_not_shown_when_the_theme_is_set_up(windows: Windows, qtbot) -> None:
    path = windows.library(items=sample_items())
    library = TinyDBLibrary(path)
    library.update_settings(merge_theme(library.settings(), sample_theme().to_settings()))
    library.close()
    window = _open(windows)
    qtbot.wait(50)
    assert _setup_dialog(window) is None


def test_tests_windows_do_not_ask_unless_told(windows: Windows, qtbot) -> None:
    windows.library(items=sample_items())
    window = windows.open()
    qtbot.wait(50)
    assert _setup_dialog(window) is None
    assert window.actions_by_name["setup"] in window.menuBar().actions()[0].menu().actions()


# -- the theme picker ---------------------------------------------------------------------------
def _layout_marker(html: str) -> str:
    """The layout the HTML was rendered with, from the blocks only it has."""
    if 'class="mast' in html:  # Magazine's masthead band
        return "magazine"
    if 'class="toc' in html:  # Briefing's "In this issue" contents
        return "briefing"
    return "classic"


def test_the_theme_picker_changes_the_preview(windows: Windows, qtbot) -> None:
    path = windows.library(items=sample_items())
    library = TinyDBLibrary(path)
    library.update_settings(merge_theme(library.settings(), sample_theme().to_settings()))
    library.close()
    window = windows.open()
    wait_for_preview(qtbot, window, lambda: window.digests.draft_from_month("2023-01"))
    picker = window.theme_picker
    assert picker.isEnabled()
    assert picker.currentData() == "classic"
    assert [picker.itemData(i) for i in range(picker.count())] == [
        "classic",
        "magazine",
        "briefing",
    ]
    before = window.previewing.last_result.rendered.html
    assert picker.choose("magazine")
    window.previewing.request_render(now=True)
    assert window.document.digest.template == "magazine"
    assert picker.currentData() == "magazine"
    after = window.previewing.last_result.rendered.html
    assert after != before
    assert _layout_marker(before) == "classic" and _layout_marker(after) == "magazine"
    assert picker.choose("briefing")
    window.previewing.request_render(now=True)
    assert _layout_marker(window.previewing.last_result.rendered.html) == "briefing"
    window.actions_by_name["undo"].trigger()
    # undoable
    window.actions_by_name["undo"].trigger()
    window.previewing.request_render(now=True)
    assert window.document.digest.template == ""
    assert picker.currentData() == "classic"
    assert window.previewing.last_result.rendered.html == before
    # saved with the digest
    window.actions_by_name["redo"].trigger()
    assert window.document.save()
    stored = window.library.get_digest(window.document.digest.id)
    assert stored is not None and stored["template"] == "magazine"
