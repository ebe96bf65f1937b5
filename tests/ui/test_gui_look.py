"""Look and feel that can be checked: shortcuts, tooltips, accessible names, default sizes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidget,
)


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


def test_every_menu_action_has_a_shortcut_and_a_tooltip(windows: Windows) -> None:
    windows.library(items=sample_items())
    window = windows.open()
    window.digests.draft_from_month("2023-01")
    seen = []
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if action.isSeparator() or action.menu() is not None:
                continue
            seen.append(action.text())
            assert not action.shortcut().isEmpty(), action.text()
            tip = action.toolTip()
            assert tip and tip != action.text().replace("&", ""), action.text()
    assert len(seen) >= 30
    # a key may do two things only in two different widgets (Delete: in the library table,
    # in the digest tree)
    by_key: dict[str, list] = {}
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if not action.isSeparator() and action.menu() is None:
                by_key.setdefault(action.shortcut().toString(), []).append(action)
    for key, actions in by_key.items():
        if len({id(a) for a in actions}) > 1:
            contexts = {a.shortcutContext() for a in actions}
            assert contexts == {Qt.ShortcutContext.WidgetWithChildrenShortcut}, key


def test_every_control_has_an_accessible_name(windows: Windows) -> None:
    windows.library(items=sample_items())
    window = windows.open()
    window.digests.draft_from_month("2023-01")
    window.editor.select_item(window.document.digest.sections[0].item_ids[0])
    kinds = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractItemView, QAbstractButton)
    unnamed = [
        f"{type(w).__name__} in {type(w.parent()).__name__}"
        for w in window.findChildren(QWidget)
        if isinstance(w, kinds)
        and w.isVisibleTo(window)
        and not isinstance(w, QToolButton)  # named by their action's text
        and not isinstance(w.parent(), QComboBox)  # a combo box's own line edit
        and type(w).__name__ != "QHeaderView"
        and not w.accessibleName()
    ]
    assert unnamed == []


def test_the_three_panes_start_with_sensible_sizes(windows: Windows) -> None:
    windows.library(items=sample_items())
    window = windows.open()
    window.resize(1440, 900)
    library, editor, right = window.splitter.sizes()
    assert 250 <= library <= 500 and 300 <= editor <= 600 and right >= 500
    preview, preflight = window.right.sizes()
    assert preview > 2 * preflight > 0


def test_windows_starts_qt_telling_altgr_from_ctrl_alt() -> None:
    from ui.app import windows_platform

    assert windows_platform("win32", None) == "windows:altgr"
    assert windows_platform("win32", "") == "windows:altgr"
    assert windows_platform("win32", "windows:darkmode=2") == "windows:darkmode=2,altgr"
    assert windows_platform("win32", "windows") == "windows:altgr"
    assert windows_platform("win32", "windows:altgr") is None
    assert windows_platform("win32", "offscreen") is None  # the user's choice stands
    assert windows_platform("linux", None) is None
    assert windows_platform("darwin", None) is None
