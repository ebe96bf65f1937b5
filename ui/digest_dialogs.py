"""Dialogs about digests: open (or delete) a saved digest, draft one from a month."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from composer.digest.listing import DigestSummary, summary_of

DIGEST_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class OpenDigestDialog(QDialog):
    """The saved digests, newest first; open the chosen one.

    ``digests`` are the core's summaries (:func:`composer.digest.listing.saved_digests`);
    stored dictionaries are read through the core as well. A damaged digest is
    listed, saying it cannot be read (opening it says why).
    """

    def __init__(
        self, digests: Sequence[DigestSummary | Mapping[str, Any]], parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open a digest")
        self.list = QTreeWidget()
        self.list.setAccessibleName("Saved digests")
        self.list.setHeaderLabels(["Title", "Period", "Items", "Last saved"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        summaries = [d if isinstance(d, DigestSummary) else summary_of(d) for d in digests]
        ordered = sorted(summaries, key=lambda summary: summary.updated, reverse=True)
        for summary in ordered:
            self.list.addTopLevelItem(_row(summary))
        for column in range(4):
            self.list.resizeColumnToContents(column)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.list.itemDoubleClicked.connect(self.accept)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        if not ordered:
            layout.addWidget(QLabel("No digest has been saved in this library yet."))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def chosen_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(0, DIGEST_ID_ROLE))


def _row(summary: DigestSummary) -> QTreeWidgetItem:
    title = summary.title or "(untitled)"
    if not summary.readable:
        title += " (cannot be read)"
    row = QTreeWidgetItem(
        [
            title,
            summary.period,
            str(summary.items) if summary.readable else "",
            summary.updated_label,
        ]
    )
    row.setData(0, DIGEST_ID_ROLE, summary.id)
    if not summary.readable:
        row.setToolTip(0, f"This digest cannot be read: {summary.problem}")
    return row


class DraftDialog(QDialog):
    """Choose the month to draft a digest from (and, optionally, its title)."""

    def __init__(self, months: Sequence[tuple[str, int]], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draft a digest from a month")
        self.month = QComboBox()
        self.month.setAccessibleName("Month")
        self.month.setToolTip("Every library item dated in this month goes in")
        for month, count in months:
            self.month.addItem(f"{month}  ({count} item{'' if count == 1 else 's'})", month)
        self.title = QLineEdit()
        self.title.setAccessibleName("Digest title")
        self.title.setPlaceholderText("Default: “<organisation> news digest: <month>”")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Draft")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(months))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("&Month:", self.month)
        form.addRow("&Title:", self.title)
        form.addRow(buttons)

    def chosen_month(self) -> str:
        return str(self.month.currentData() or "")
