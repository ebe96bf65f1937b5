"""Making the window's actions (every one with its shortcut named in its tooltip) and buttons.

One place for what each action of the app carries (the brief asks for a
shortcut and a tooltip on every action): text, shortcut, a tooltip that names
the shortcut ("Send the digest… (Ctrl+Alt+M)"), a status-bar tip, an optional
icon, and the slot it calls.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QDialogButtonBox, QPushButton


def make_action(
    parent: QObject,
    text: str,
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
    tip: str,
    *,
    slot: Callable[[], object] | None = None,
    icon: QIcon | None = None,
    checkable: bool = False,
    checked: bool = False,
) -> QAction:
    action = QAction(text, parent)
    if icon is not None:
        action.setIcon(icon)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip} ({shown})" if shown else tip)
    action.setStatusTip(tip)
    if checkable:
        action.setCheckable(True)
        action.setChecked(checked)
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


def add_button(
    buttons: QDialogButtonBox,
    text: str,
    tip: str,
    slot: Callable[[], object],
    role: QDialogButtonBox.ButtonRole = QDialogButtonBox.ButtonRole.ActionRole,
) -> QPushButton:
    """A dialog's own button (Copy details, Open log folder…), with its tooltip and slot."""
    button = buttons.addButton(text, role)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


def open_folder_of(file: Path, opener: Callable[[QUrl], object]) -> None:
    """Show the folder ``file`` is in (made first, if it cannot be, the file manager says so)."""
    with contextlib.suppress(OSError):
        file.parent.mkdir(parents=True, exist_ok=True)
    opener(QUrl.fromLocalFile(str(file.parent)))
