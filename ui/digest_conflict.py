"""The choice when a save of the open digest is refused because someone saved it since.

The library refused the save (:class:`composer.errors.DigestConflictError`, naming who
saved the newer version and when); nothing was overwritten. :func:`ask_conflict` asks
the user to reload their version (the edits made here since are dropped) or to keep
these edits as a new digest beside theirs. Closing the box keeps them: nothing is
lost by a key pressed by mistake.
"""

from __future__ import annotations

from typing import Any, Literal

from PySide6.QtWidgets import QMessageBox

from composer.errors import DigestConflictError

ConflictChoice = Literal["reload", "keep"]
RELOAD, KEEP = "reload", "keep"


def conflict_box(conflict: DigestConflictError, parent: Any = None) -> QMessageBox:
    """The question, with a Reload and a Keep-mine button (``objectName`` says which)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "The digest was changed elsewhere",
        f"{str(conflict)[:1].upper()}{str(conflict)[1:]}.",
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setInformativeText(
        "Reload shows their version (your changes since you opened it are dropped). "
        "Keep mine saves your version as a new digest beside theirs."
    )
    reload = box.addButton("Reload theirs", QMessageBox.ButtonRole.DestructiveRole)
    reload.setObjectName(RELOAD)
    keep = box.addButton("Keep mine as a new digest", QMessageBox.ButtonRole.AcceptRole)
    keep.setObjectName(KEEP)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    return box


def choice_of(box: QMessageBox) -> ConflictChoice:
    """What the user chose in ``box``: Reload only when its button was clicked."""
    clicked = box.clickedButton()
    return "reload" if clicked is not None and clicked.objectName() == RELOAD else "keep"


def ask_conflict(conflict: DigestConflictError, parent: Any = None) -> ConflictChoice:
    """Ask, and wait for the answer (the document's default; tests replace it)."""
    box = conflict_box(conflict, parent)
    box.exec()
    return choice_of(box)
