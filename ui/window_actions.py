"""The window's actions, menus and toolbar: declared as tables, built by one function.

:data:`ACTIONS` has a row for each action the window makes: its name, text, shortcut,
tooltip, icon, the slot it calls (a path from the window: ``"digests.new_digest"`` is
``window.digests.new_digest``) and when it is enabled (:data:`DIGEST_OPEN`,
:data:`SELECTION`, :data:`ONE_SELECTED`). Other actions are made by their owners and
named here: Send test, Send and Sending settings (:mod:`ui.sending`), the digest tree's
moves (:mod:`ui.digest_editor`), the preview's toggles (:mod:`ui.preview`), Undo and
Redo (the undo stack makes them, with the step in their text), and the recent
libraries' submenu (:mod:`ui.open_library_dialog`). :data:`MENUS` and
:data:`TOOLBAR` lay them all out by name; :func:`install_actions` builds the lot.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QStyle, QToolButton

from ui.actions import make_action
from ui.export_flow import EXPORT_KINDS

if TYPE_CHECKING:
    from ui.main_window import MainWindow

Key = QKeySequence.StandardKey
Icon = QStyle.StandardPixmap
Role = QAction.MenuRole

#: When an action is enabled (always, when empty).
DIGEST_OPEN = "a digest is open"
SELECTION = "library items are selected"
ONE_SELECTED = "one library item is selected"


@dataclasses.dataclass(frozen=True)
class ActionSpec:
    """One action of the window, as :func:`install_actions` makes it."""

    name: str
    text: str
    shortcut: QKeySequence.StandardKey | str
    tip: str
    slot: str
    icon: QStyle.StandardPixmap | None = None
    enabled_when: str = ""
    args: tuple[str, ...] = ()
    role: QAction.MenuRole | None = None


EXPORT_SHORTCUTS = {
    "html": "Ctrl+E",
    "text": "Ctrl+Shift+T",
    "eml": "Ctrl+Shift+M",
    "zip": "Ctrl+Shift+B",
}
S = ActionSpec
ACTIONS: tuple[ActionSpec, ...] = (
    # digests
    S("new_digest", "&New digest", Key.New, "Start a new, empty digest",
      "digests.new_digest", Icon.SP_FileIcon),
    S("draft", "&Draft from month…", "Ctrl+Shift+N", "Draft a digest from every item of a month",
      "digests.draft_from_month", Icon.SP_FileDialogListView),
    S("open", "&Open digest…", Key.Open, "Open a digest saved in this library",
      "digests.open_digest", Icon.SP_DialogOpenButton),
    S("save", "&Save digest", Key.Save,
      "Save the digest now (it is also saved a second after every change)",
      "digests.save_digest", Icon.SP_DialogSaveButton, DIGEST_OPEN),
    S("duplicate", "D&uplicate digest", "Ctrl+Alt+D", "Make a copy of this digest and open it",
      "digests.duplicate_digest", None, DIGEST_OPEN),
    S("rename", "&Rename digest…", "Ctrl+Alt+R", "Change the digest's title",
      "digests.rename_digest", None, DIGEST_OPEN),
    S("delete_digest", "Delete digest…", "Ctrl+Shift+Del",
      "Delete this digest from the library (the items stay)",
      "digests.delete_digest", Icon.SP_TrashIcon, DIGEST_OPEN),
    # libraries
    S("open_library", "Open &library…", "Ctrl+Shift+O",
      "Open another library: a file, or a team library on PostgreSQL",
      "libraries.choose", Icon.SP_DirOpenIcon),
    # the library
    S("import", "&Import…", "Ctrl+I", "Import news items from a file or a feed address",
      "imports.import_file", Icon.SP_DialogOpenButton),
    S("paste", "&Paste news listing", "Ctrl+Shift+V",
      "Import the news listing (or the article links) on the clipboard",
      "imports.paste_listing", Icon.SP_FileDialogContentsView),
    S("sample", "Load &sample library", "Ctrl+Alt+L", "Add 48 fictional items to try the app",
      "imports.load_sample"),
    S("new_item", "New &item…", "Ctrl+Alt+I", "Type in a news item by hand",
      "library_pane.new_item", Icon.SP_FileDialogNewFolder),
    S("edit_item", "&Edit item…", "Ctrl+Shift+E", "Edit the selected library item",
      "library_pane.edit_item", None, ONE_SELECTED),
    S("remove_items", "&Remove items…", Key.Delete, "Remove the selected items from the library",
      "library_pane.remove_selected", Icon.SP_TrashIcon, SELECTION),
    S("add_to_digest", "&Add to digest", "Ctrl+Return",
      "Add the selected library items to the open digest",
      "digests.add_selected_to_digest", Icon.SP_ArrowRight, SELECTION),
    S("find", "&Find", Key.Find, "Search the library", "library_pane.search.setFocus"),
    # export
    *(
        S(f"export_{kind}", f"{label}…", EXPORT_SHORTCUTS[kind],
          f"Write the digest as a {suffix} file for the chosen mailing tool", "exports.export",
          Icon.SP_DialogSaveButton if kind == "html" else None, DIGEST_OPEN, (kind,))
        for kind, (label, _filter, suffix) in EXPORT_KINDS.items()
    ),
    S("copy_html", "&Copy HTML", "Ctrl+Shift+C",
      "Copy the email (HTML and plain text) to paste into a mailing tool",
      "exports.copy_html", Icon.SP_FileDialogDetailedView, DIGEST_OPEN),
    # settings, help, quit
    S("theme_settings", "&Theme settings…", "Ctrl+,",
      "Organisation, logo, colours, footer, locale, category order",
      "theme_setup.show_settings", Icon.SP_FileDialogInfoView),
    S("setup", "Or&ganisation and sending setup…", "Ctrl+Shift+,",
      "Who sends the digest: organisation, logo, sender, postal address, unsubscribe",
      "theme_setup.show_first_run"),
    S("quit", "&Quit", "Ctrl+Q", "Close Newsdigest", "close", role=Role.QuitRole),
    S("about", "&About Newsdigest", "F1", "Versions, licences and where the log file is",
      "show_about", Icon.SP_MessageBoxInformation, role=Role.AboutRole),
)  # fmt: skip
del S

#: The menus, by action name; "-" is a separator, "@recent_libraries" the recent list's submenu.
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("&File", (
        "new_digest", "draft", "open", "save", "duplicate", "rename", "delete_digest", "-",
        "open_library", "@recent_libraries", "-",
        "import", "sample", "-",
        "export_html", "export_text", "export_eml", "export_zip", "copy_html", "-",
        "send_test", "send", "-",
        "setup", "theme_settings", "sending_settings", "-",
        "quit",
    )),
    ("&Edit", (
        "undo", "redo", "-",
        "paste", "find", "add_to_digest", "-",
        "move_up", "move_down", "rename_entry", "remove_entry", "-",
        "new_item", "edit_item", "remove_items",
    )),
    ("&View", (
        "preview_email", "preview_text", "preview_source", "preview_desktop", "preview_mobile",
        "preview_dark", "preview_images_off", "preview_remote_images",
    )),
    ("&Help", ("about",)),
)  # fmt: skip
#: The toolbar; "@export_for" is the export profile's box, with its label.
TOOLBAR = (
    "new_digest", "open", "-", "import", "paste", "-", "undo", "redo", "-",
    "@export_for", "export_html", "copy_html", "-", "send_test", "send",
)  # fmt: skip
#: Shorter labels on the toolbar (the menus keep the full ones), so that Send fits a laptop.
TOOLBAR_TEXT = {"new_digest": "New", "open": "Open", "paste": "Paste listing"}
#: Known arrows: icons only, room for Send.
ICON_ONLY = ("undo", "redo")


def install_actions(window: MainWindow) -> dict[str, QAction]:
    """Make the window's actions, fill its menus and toolbar; the actions by name."""
    actions = {spec.name: _make(window, spec) for spec in ACTIONS}
    actions.update(_undo_redo(window))
    actions.update(_made_elsewhere(window))
    _fill_menus(window, actions)
    _fill_toolbar(window, actions)
    return actions


def needing(actions: Mapping[str, QAction], condition: str) -> list[QAction]:
    """The actions enabled only when ``condition`` holds (:data:`DIGEST_OPEN`...)."""
    found = (actions.get(spec.name) for spec in ACTIONS if spec.enabled_when == condition)
    return [action for action in found if action is not None]


def _make(window: MainWindow, spec: ActionSpec) -> QAction:
    target: Callable[..., object] = operator.attrgetter(spec.slot)(window)
    slot = partial(target, *spec.args) if spec.args else target
    icon = window.style().standardIcon(spec.icon) if spec.icon is not None else None
    action = make_action(window, spec.text, spec.shortcut, spec.tip, slot=slot, icon=icon)
    if spec.role is not None:
        action.setMenuRole(spec.role)
    return action


def _undo_redo(window: MainWindow) -> dict[str, QAction]:
    """The undo stack's actions: their text names the step ("Undo move 'Workshop on…'")."""
    style = window.style()
    stack = window.document.stack
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    undo.setIcon(style.standardIcon(Icon.SP_ArrowBack))
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    redo.setIcon(style.standardIcon(Icon.SP_ArrowForward))
    undo.setToolTip("Undo the last change to the digest (Ctrl+Z)")
    redo.setToolTip("Redo the change undone last (Ctrl+Shift+Z)")
    return {"undo": undo, "redo": redo}


def _made_elsewhere(window: MainWindow) -> dict[str, QAction]:
    """The actions of the window's parts, by the names the menus use."""
    editor, sending = window.editor, window.sending
    made = {
        "send_test": sending.test_action,
        "send": sending.send_action,
        "sending_settings": sending.settings_action,
        "move_up": editor.up_action,
        "move_down": editor.down_action,
        "rename_entry": editor.rename_action,
        "remove_entry": editor.remove_action,
    }
    made.update({f"preview_{name}": a for name, a in window.previewing.toggles().items()})
    return made


def _fill_menus(window: MainWindow, actions: Mapping[str, QAction]) -> None:
    bar = window.menuBar()
    for title, names in MENUS:
        menu = bar.addMenu(title)
        for name in names:
            if name == "-":
                menu.addSeparator()
            elif name == "@recent_libraries":
                menu.addMenu(window.libraries.recent_menu)
            else:
                menu.addAction(actions[name])
    # the preview's toggles work wherever the focus is
    window.addActions([a for n, a in actions.items() if n.startswith("preview_")])


def _fill_toolbar(window: MainWindow, actions: Mapping[str, QAction]) -> None:
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for name, short in TOOLBAR_TEXT.items():
        actions[name].setIconText(short)
    for name in TOOLBAR:
        if name == "-":
            toolbar.addSeparator()
        elif name == "@export_for":
            toolbar.addWidget(QLabel(" Export for: "))
            toolbar.addWidget(window.exports.profile)
        else:
            toolbar.addAction(actions[name])
            if name in ICON_ONLY:
                button = toolbar.widgetForAction(actions[name])
                if isinstance(button, QToolButton):
                    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
