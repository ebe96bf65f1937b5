"""The selected item's title and summary in this digest, and whether they are its own."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
)

from composer.digest.model import Digest, shown_text
from composer.library.item import NewsItem
from ui.text_binding import set_text


class ItemTextPanel(QGroupBox):
    """This digest's title and summary for the selected item, shown as overridden."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__("Selected item", parent)
        self.setAccessibleName("Selected item's text in this digest")
        self.about = QLabel("Select one item to change its title or summary for this digest.")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Item title in this digest")
        self.title_edit.setToolTip(
            "The item's title in this digest only; the library keeps its own"
        )
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setAccessibleName("Item summary in this digest")
        self.summary_edit.setToolTip(
            "The item's summary in this digest only; the library keeps its own"
        )
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setMinimumHeight(60)
        self.title_state = QLabel()
        self.summary_state = QLabel()
        for state in (self.title_state, self.summary_state):
            state.setAccessibleName("Override state")
        self.reset_title = QPushButton("Use library title")
        self.reset_title.setToolTip("Forget this digest's title for the item (Ctrl+Alt+T)")
        self.reset_title.setShortcut(QKeySequence("Ctrl+Alt+T"))
        self.reset_title.setAccessibleName("Use library title")
        self.reset_summary = QPushButton("Use library summary")
        self.reset_summary.setToolTip("Forget this digest's summary for the item (Ctrl+Alt+S)")
        self.reset_summary.setShortcut(QKeySequence("Ctrl+Alt+S"))
        self.reset_summary.setAccessibleName("Use library summary")
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_edit, 1)
        title_row.addWidget(self.reset_title)
        summary_buttons = QHBoxLayout()
        summary_buttons.addWidget(self.summary_state, 1)
        summary_buttons.addWidget(self.reset_summary)
        title_label = QLabel("T&itle:")
        title_label.setBuddy(self.title_edit)
        form = QFormLayout(self)
        form.addRow(self.about)
        form.addRow(title_label, title_row)
        form.addRow("", self.title_state)
        form.addRow("Su&mmary:", self.summary_edit)
        form.addRow("", summary_buttons)
        self.item: NewsItem | None = None

    def show_item(self, item: NewsItem | None, digest: Digest | None) -> None:
        self.item = item
        enabled = item is not None and digest is not None
        for widget in (self.title_edit, self.summary_edit):
            widget.setEnabled(enabled)
        if item is None or digest is None:
            self.about.setText("Select one item to change its title or summary for this digest.")
            self.title_edit.setPlaceholderText("")
            set_text(self.title_edit, "")
            set_text(self.summary_edit, "")
            self.reset_title.setEnabled(False)
            self.reset_summary.setEnabled(False)
            self.title_state.clear()
            self.summary_state.clear()
            return
        shown = shown_text(digest, item)
        link = item.url or "⚠ no link: readers cannot read more"
        self.about.setText(f"{item.category} · {item.date.isoformat()} · {link}")
        self.title_edit.setPlaceholderText(item.title)
        set_text(self.title_edit, shown.title)
        set_text(self.summary_edit, shown.summary)
        self.show_state(digest)

    def show_state(self, digest: Digest) -> None:
        if self.item is None:
            return
        overridden = shown_text(digest, self.item).overridden
        title_changed = "title" in overridden
        summary_changed = "summary" in overridden
        self.reset_title.setEnabled(title_changed)
        self.reset_summary.setEnabled(summary_changed)
        self.title_state.setText(
            "✎ <i>Changed for this digest</i>" if title_changed else "Library title"
        )
        self.summary_state.setText(
            "✎ <i>Changed for this digest</i>" if summary_changed else "Library summary"
        )
        for widget, changed in (
            (self.title_edit, title_changed),
            (self.summary_edit, summary_changed),
        ):
            font = widget.font()
            font.setItalic(changed)
            widget.setFont(font)
