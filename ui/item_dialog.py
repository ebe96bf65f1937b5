"""Adding or editing one news item by hand, validated exactly as the importers validate.

"Fetch details from link…" reads the article at the typed link in the background
(:mod:`ui.link_fetch`, an operation on the executor given: the window's work pool) and
fills the fields still empty: title, summary, date,
image, category and the page's canonical link. A field the user typed that the
page says otherwise is replaced only when they confirm.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
)

from composer.errors import ValidationError
from composer.library.import_formats import DEFAULT_CATEGORY
from composer.library.item import NewsItem, make_item
from composer.urls import canonical_url
from ui.operations import Failure, Operation, OpKind

if TYPE_CHECKING:
    from composer.library.importers.base import ImportReport

#: The fields a fetched article fills, as the confirmation names them.
FETCHED_FIELDS = {
    "title": "title",
    "summary": "summary",
    "date": "date",
    "category": "category",
    "url": "link",
    "image_url": "image",
    "image_alt": "image description",
}


def _names(fields: Sequence[str]) -> str:
    names = [FETCHED_FIELDS[f] for f in fields]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class ItemDialog(QDialog):
    """The fields of an item; OK gives :attr:`result_item` (checked by :func:`make_item`)."""

    def __init__(
        self,
        categories: Sequence[str],
        item: NewsItem | None = None,
        parent: Any = None,
        *,
        executor: concurrent.futures.Executor,
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
        form.addRow("&Link:", self._fetch_row(executor))
        form.addRow("", self.fetch_status)
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
        self._watch_choices(chosen=item is not None)
        self.resize(620, 500)

    def _fetch_row(self, executor: concurrent.futures.Executor) -> QHBoxLayout:
        """The link field and its "Fetch details from link…" button."""
        self.fetch_button = QPushButton("&Fetch details from link…")
        self.fetch_button.setAccessibleName("Fetch details from link")
        self.fetch_button.setToolTip(
            "Read the article at this link and fill the empty fields from it"
        )
        self.fetch_button.setAutoDefault(False)
        self.fetch_button.clicked.connect(self.fetch_details)
        self.fetch_status = QLabel()
        self.fetch_status.setWordWrap(True)
        self.fetch_status.setAccessibleName("Fetch status")
        self.executor = executor
        self.fetches = OpKind()
        row = QHBoxLayout()
        row.addWidget(self.url, 1)
        row.addWidget(self.fetch_button)
        return row

    def _watch_choices(self, *, chosen: bool) -> None:
        """What a new item shows before the user chose it counts as empty for a fetch."""
        self._chosen = {"date": chosen, "category": chosen}
        self.date.dateChanged.connect(lambda _d: self._chosen.update(date=True))
        self.category.currentTextChanged.connect(lambda _t: self._chosen.update(category=True))
        self.url.textChanged.connect(lambda text: self.fetch_button.setEnabled(bool(text.strip())))
        self.fetch_button.setEnabled(bool(self.url.text().strip()))

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

    # -- fetching details from the link -----------------------------------------------------
    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (tests replace this method)."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def fetch_details(self) -> None:
        """Read the article at the typed link in the background, then fill the fields."""
        from ui.link_fetch import fetch_article_report

        url = self.url.text().strip()
        if not url or self.fetches.running:
            return
        category = self.category.currentText().strip() or DEFAULT_CATEGORY
        self.fetch_button.setEnabled(False)
        self.fetch_status.setText(f"Fetching {url}…")
        self.error.clear()
        Operation(
            lambda: fetch_article_report(url, category),
            parent=self,
            executor=self.executor,
            what=url,
            kind=self.fetches,
        ).success(self._fetched).failure(self._not_fetched).run_in_background()

    def _not_fetched(self, failure: Failure) -> None:
        self._fetched(None, failure.message)

    def _fetched(self, report: ImportReport | None, error: str = "") -> None:
        self.fetch_button.setEnabled(bool(self.url.text().strip()))
        if error or report is None or not report.items:
            why = error or (str(report.rejected[0]) if report and report.rejected else "")
            self.fetch_status.setText("")
            self.error.setText(f"⚠ The page gave no details: {why or 'no story found'}")
            return
        filled = self.fill_from(report.items[0])
        self.fetch_status.setText(
            f"Filled {_names(filled)} from the page." if filled else "The page had nothing new."
        )

    def _current(self, field: str) -> Any:
        if field == "date":
            return _day(self.date.date()) if self._chosen["date"] else None
        if field == "category":
            return self.category.currentText().strip() if self._chosen["category"] else ""
        if field == "summary":
            return self.summary.toPlainText().strip()
        widget: QLineEdit = getattr(self, field)
        return widget.text().strip()

    def _set(self, field: str, value: Any) -> None:
        if field == "date":
            self.date.setDate(QDate(value.year, value.month, value.day))
        elif field == "category":
            self.category.setCurrentText(value)
        elif field == "summary":
            self.summary.setPlainText(value)
        else:
            getattr(self, field).setText(value)

    def fill_from(self, item: NewsItem) -> list[str]:
        """Put the article's values in the empty fields; ask before replacing typed ones.

        Returns the fields changed.
        """
        page: dict[str, Any] = {
            "title": item.title,
            "summary": item.summary,
            "date": item.date,
            "category": item.category,
            "url": item.url or "",
            "image_url": item.image_url or "",
            "image_alt": item.image_alt,
        }
        empty, differing = [], []
        for field, value in page.items():
            current = self._current(field)
            if not value or current == value:
                continue
            if not current or (field == "url" and canonical_url(current) == canonical_url(value)):
                empty.append(field)
            else:
                differing.append(field)
        if differing and self.confirm(
            "Replace what you typed?",
            f"The page gives another {_names(differing)} than the one typed here. "
            "Replace it with the page's?",
        ):
            empty.extend(differing)
        for field in empty:
            self._set(field, page[field])
        return [field for field in page if field in empty]


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())
