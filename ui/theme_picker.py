"""The theme picker: which layout the open digest is rendered with (Classic, Magazine, Briefing).

A combo box in the digest editor's fields (below the intro). Choosing a
layout is an undoable edit of the open digest (:class:`SetLayout`, through the
document's undo stack, saved with the digest like any other edit); the window
re-renders the preview on every edit, so the preview shows the new layout at
once. A digest that never chose one follows the theme settings' layout, shown
as the current choice.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QComboBox

from composer.digest.model import Digest, check_digest_template
from composer.digest.operations import Operation, SetField
from composer.theme.model import LAYOUTS
from ui.document import DigestDocument


@dataclasses.dataclass(frozen=True)
class SetLayout(SetField):
    """Change the digest's layout (``template``); its inverse restores the one before.

    A :class:`~composer.digest.operations.SetField` as far as the digest model is
    concerned (one field of the digest changes, no rows move).
    """

    field: str = "template"
    value: str = ""
    label = "change theme"

    def apply(self, digest: Digest) -> tuple[Digest, Operation]:
        value = check_digest_template(self.value)
        return dataclasses.replace(digest, template=value), SetLayout("template", digest.template)


def layout_title(name: str) -> str:
    return name.replace("-", " ").replace("_", " ").title()


class ThemePicker(QComboBox):
    """Classic, Magazine, Briefing (and a user's own layout, when the settings name one)."""

    def __init__(self, document: DigestDocument, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self.default_layout = "classic"
        self.setObjectName("theme-picker")
        self.setAccessibleName("Theme of this digest")
        self.setToolTip(
            "The layout of the open digest: "
            + "; ".join(f"{layout_title(n)}: {text}" for n, text in LAYOUTS.items())
        )
        for name in LAYOUTS:
            self.addItem(layout_title(name), name)
        self.activated.connect(self._chosen)
        document.opened.connect(self.sync)
        document.changed.connect(self.sync)
        self.sync()

    def current_layout(self) -> str:
        digest = self.document.digest
        return (digest.template if digest is not None else "") or self.default_layout

    def set_default(self, name: str) -> None:
        """The theme settings' layout, used by digests that chose none."""
        self.default_layout = name or "classic"
        self.sync()

    def sync(self, *args: Any) -> None:
        """Show the open digest's layout (no digest: disabled)."""
        name = self.current_layout()
        if self.findData(name) < 0:
            self.addItem(layout_title(name), name)  # a user's own template folder
        self.blockSignals(True)
        self.setCurrentIndex(self.findData(name))
        self.blockSignals(False)
        self.setEnabled(self.document.digest is not None)

    def choose(self, name: str) -> bool:
        """Render the open digest with ``name`` (an undoable edit); ``False`` if nothing changed."""
        digest = self.document.digest
        if digest is None or name == self.current_layout():
            self.sync()
            return False
        done = self.document.submit(
            [SetLayout("template", name)], text=f"use the {layout_title(name)} theme"
        )
        self.sync()
        return done

    def _chosen(self, index: int) -> None:
        self.choose(str(self.itemData(index)))
