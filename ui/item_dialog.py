"""Adding or editing one news item by hand, validated exactly as the importers validate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)

from composer.errors import ValidationError
from composer.item import NewsItem, make_item


class ItemDialog(QDialog):
    """The fields of an item; OK gives :attr:`result_item` (checked by :func:`make_item`)."""

    def __init__(
        self,
        categories: Sequence[str],
        item: NewsItem | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.original = item
        self.result_item: NewsItem | None = None
        self.setWindowTitle("Edit item" if item else "New item")
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.setAccessibleName("Category")
        self.category.addItems(list(categories))
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setAccessibleName("Date")
        self.summary = QPlainTextEdit()
        self.summary.setAccessibleName("Summary")
        self.summary.setTabChangesFocus(True)
        self.url = QLineEdit()
        self.url.setAccessibleName("Link (https://…)")
        self.image_url = QLineEdit()
        self.image_url.setAccessibleName("Image url (https://…)")
        self.image_alt = QLineEdit()
        self.image_alt.setAccessibleName("Image description (alt text)")
        self.tags = QLineEdit()
        self.tags.setAccessibleName("Tags, separated by commas")
        for widget in (self.title, self.url, self.image_url, self.image_alt, self.tags):
            widget.setToolTip(widget.accessibleName())
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Item error")
        self.error.setStyleSheet("color: #c62828;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Category:", self.category)
        form.addRow("&Title:", self.title)
        form.addRow("&Date:", self.date)
        form.addRow("&Summary:", self.summary)
        form.addRow("&Link:", self.url)
        form.addRow("&Image url:", self.image_url)
        form.addRow("Image &description:", self.image_alt)
        form.addRow("T&ags:", self.tags)
        form.addRow(self.error)
        form.addRow(buttons)
        today = dt.date.today()
        self.date.setDate(QDate(today.year, today.month, today.day))
        if item is not None:
            self.category.setCurrentText(item.category)
            self.title.setText(item.title)
            self.date.setDate(QDate(item.date.year, item.date.month, item.date.day))
            self.summary.setPlainText(item.summary)
            self.url.setText(item.url or "")
            self.image_url.setText(item.image_url or "")
            self.image_alt.setText(item.image_alt)
            self.tags.setText(", ".join(item.tags))
        self.resize(560, 480)

    def fields(self) -> dict[str, Any]:
        qdate = self.date.date()
        return {
            "category": self.category.currentText(),
            "title": self.title.text(),
            "date": dt.date(qdate.year(), qdate.month(), qdate.day()),
            "summary": self.summary.toPlainText(),
            "url": self.url.text().strip() or None,
            "image_url": self.image_url.text().strip() or None,
            "image_alt": self.image_alt.text(),
            "tags": self.tags.text(),
            "source": self.original.source if self.original else "entered by hand",
        }

    def build(self) -> NewsItem:
        """The item as typed; raises :class:`ValidationError` naming the wrong field."""
        if self.original is not None:
            return self.original.edited(**self.fields())
        return make_item(self.fields())

    def accept(self) -> None:
        try:
            self.result_item = self.build()
        except ValidationError as exc:
            self.error.setText(f"⚠ {exc}")
            return
        super().accept()
