"""A text widget bound to one text of the digest: debounced commits, errors shown, re-synced.

A :class:`TextBinding` plans an operation from what the user typed a moment
(:data:`COMMIT_MS`) after typing stops, or when a line edit loses focus, submits
it, and says why a text cannot be taken; after an undo or redo it shows the
digest's text again unless the widget's (cleaned) text already says it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit

from composer.digest.operations import Operation
from composer.errors import ValidationError

COMMIT_MS = 300
TextWidget = QLineEdit | QPlainTextEdit


def text_of(widget: TextWidget) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


def set_text(widget: TextWidget, text: str) -> None:
    widget.blockSignals(True)
    if isinstance(widget, QLineEdit):
        widget.setText(text)
        widget.setCursorPosition(0)  # show the start of a long title
    else:
        widget.setPlainText(text)
    widget.blockSignals(False)


class TextBinding:
    """One text widget bound to a digest text: debounced commits, errors shown, re-synced."""

    def __init__(
        self,
        widget: TextWidget,
        plan: Callable[[str], Operation | None],
        current: Callable[[], str | None],
        submit: Callable[[Operation], bool],
        error: Callable[[TextWidget, str], None],
    ) -> None:
        self.widget = widget
        self._plan = plan
        self._current = current
        self._submit = submit
        self._error = error
        self.committing = False
        self.timer = QTimer(widget, singleShot=True, interval=COMMIT_MS)
        self.timer.timeout.connect(self.commit)
        widget.textChanged.connect(self.timer.start)
        if isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self.commit)

    def commit(self) -> None:
        self.timer.stop()
        try:
            operation = self._plan(text_of(self.widget))
        except ValidationError as exc:
            self._error(self.widget, exc.reason)
            return
        self._error(self.widget, "")
        if operation is None:
            return
        self.committing = True
        try:
            self._submit(operation)
        finally:
            self.committing = False

    def sync(self) -> None:
        """Show the digest's text unless the widget's (cleaned) text already says it."""
        if self.committing or self.timer.isActive():
            return
        text = self._current()
        if text is None:
            return
        try:
            unchanged = self._plan(text_of(self.widget)) is None
        except ValidationError:
            unchanged = False
        if not unchanged:
            set_text(self.widget, text)
            self._error(self.widget, "")
