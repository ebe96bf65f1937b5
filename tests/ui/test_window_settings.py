"""The window's settings, declared once (ui/window_settings.py): typed, with defaults, under
keys no other module spells; the preview toggles once keyed by their labels still restore."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402
from PySide6.QtCore import QByteArray, QSettings  # noqa: E402

from ui.window_settings import (  # noqa: E402
    EXPORT_FOLDER,
    GEOMETRY,
    LAST_DIGEST,
    PREVIEW_TOGGLES,
    SETUP_SKIPPED,
    PerLibrary,
    Setting,
    declared,
    library_key,
)

# the keys of the preview toggles before they had stable names: their visible labels
OLD_TOGGLE_KEYS = {
    "email": "preview/Email",
    "text": "preview/Plain text",
    "source": "preview/HTML source",
    "desktop": "preview/Desktop",
    "mobile": "preview/Mobile",
    "dark": "preview/Dark",
    "images_off": "preview/Images off",
    "remote_images": "preview/Load remote images",
}


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def ini(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


def _keys(setting: Setting[object] | PerLibrary[object]) -> list[str]:
    if isinstance(setting, PerLibrary):
        return [setting.pattern]
    return [setting.key, *setting.old_keys]


def test_every_key_is_declared_once_and_old_keys_differ_by_more_than_case() -> None:
    keys = [key.lower() for setting in declared() for key in _keys(setting)]
    assert len(declared()) >= 15
    assert len(keys) == len(set(keys))  # the Windows registry ignores case


def test_no_other_module_of_the_window_spells_a_settings_key() -> None:
    literal = re.compile(r"\.(value|setValue|contains|remove)\(\s*f?[\"']")
    through_settings = re.compile(r"settings\.(value|setValue|contains|remove)\(")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "ui").rglob("*.py"))
        if path.name != "window_settings.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line) or through_settings.search(line)
    ]
    assert found == []


def test_a_setting_gives_its_default_until_written_then_its_type(tmp_path: Path) -> None:
    settings = ini(tmp_path / "ui.ini")
    dark = PREVIEW_TOGGLES["dark"]
    assert dark.read(settings) is False and EXPORT_FOLDER.read(settings) == ""
    assert GEOMETRY.read(settings) is None
    dark.write(settings, True)
    EXPORT_FOLDER.write(settings, str(tmp_path))
    GEOMETRY.write(settings, QByteArray(b"\x01\x02geometry"))
    settings.sync()
    again = ini(tmp_path / "ui.ini")  # an ini file gives strings back: read as the type
    assert dark.read(again) is True
    assert EXPORT_FOLDER.read(again) == str(tmp_path)
    assert GEOMETRY.read(again) == QByteArray(b"\x01\x02geometry")
    dark.write(again, False)
    assert dark.read(again) is False


def test_an_old_key_is_read_until_the_new_one_is_written(tmp_path: Path) -> None:
    settings = ini(tmp_path / "ui.ini")
    images_off = PREVIEW_TOGGLES["images_off"]
    settings.setValue("preview/Images off", "true")
    assert images_off.read(settings) is True
    images_off.write(settings, False)
    assert not settings.contains("preview/Images off")
    assert settings.value(images_off.key) in (False, "false")
    assert images_off.read(settings) is False
    settings.setValue("preview/Images off", "true")  # the new key wins over a stray old one
    assert images_off.read(settings) is False


def test_a_library_has_its_own_last_digest_under_the_key_the_smoke_test_seeds() -> None:
    location = "/home/ann/Newsdigest/library.json"
    short = hashlib.sha1(location.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    assert library_key(location) == short
    assert LAST_DIGEST.of(short).key == f"libraries/{short}/last_digest"
    assert SETUP_SKIPPED.of(short).key == f"setup/{short}/skipped"
    assert LAST_DIGEST.of(library_key("/elsewhere.json")).key != LAST_DIGEST.of(short).key


def test_every_preview_toggle_has_a_declared_setting(windows: Windows) -> None:
    windows.library(items=sample_items())
    window = windows.open()
    toggles = window.previewing.toggles()
    assert list(toggles) == list(PREVIEW_TOGGLES) == list(OLD_TOGGLE_KEYS)
    assert list(toggles.values()) == window.preview.actions_list
    for name, action in toggles.items():
        assert PREVIEW_TOGGLES[name].default is action.isChecked()  # the pane's own start
        assert PREVIEW_TOGGLES[name].old_keys == (OLD_TOGGLE_KEYS[name],)


def test_toggles_saved_under_their_labels_survive_and_move_to_the_new_keys(
    windows: Windows,
) -> None:
    windows.library(items=sample_items())
    saved = ini(windows.settings_path)
    saved.setValue("preview/Dark", "true")
    saved.setValue("preview/Images off", "true")
    saved.setValue("preview/Mobile", "false")
    saved.sync()
    window = windows.open()
    assert window.preview.dark_action.isChecked()
    assert window.preview.images_off_action.isChecked()
    assert (
        window.preview.desktop_action.isChecked() and not window.preview.remote_action.isChecked()
    )
    windows.close(window)

    stored = ini(windows.settings_path)
    assert not any(stored.contains(key) for key in OLD_TOGGLE_KEYS.values())
    assert PREVIEW_TOGGLES["dark"].read(stored) is True
    assert PREVIEW_TOGGLES["images_off"].read(stored) is True
    assert PREVIEW_TOGGLES["mobile"].read(stored) is False
    again = windows.open()
    assert again.preview.dark_action.isChecked() and again.preview.images_off_action.isChecked()


def test_the_last_digest_and_the_export_profile_are_kept_for_the_next_start(
    windows: Windows,
) -> None:
    path = windows.library(items=sample_items())
    window = windows.open(path)
    digest = window.digests.draft_from_month("2023-01")
    profile = window.exports.profile
    profile.setCurrentIndex(profile.findData("mailchimp"))
    windows.close(window)
    stored = ini(windows.settings_path)
    assert LAST_DIGEST.of(window.library_key).read(stored) == digest.id
    again = windows.open(path)
    assert again.document.digest is not None and again.document.digest.id == digest.id
    assert again.exports.profile.currentData() == "mailchimp"
