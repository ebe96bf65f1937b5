"""Dialogs about digests: open (or delete) a saved digest, draft one from a month; and the
notice that another officer changed the digest open here (:class:`ChangedNotice`).

Who changed a digest and when is said the same way everywhere (:func:`changed_line`,
:func:`when_label`: the library's stamp, ``updated_by`` and ``updated_at``, in local time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from composer.digest.listing import DigestSummary, summary_of
from ui.digest_conflict import KEEP, RELOAD

DIGEST_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ["Title", "Period", "Items", "Last saved", "Changed by"]


def when_label(at: str, today: dt.date | None = None) -> str:
    """A stamp (ISO, any zone) in local time: ``14:03`` today, else ``2024-03-01 14:03``."""
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return ""
    local = when.astimezone() if when.tzinfo is not None else when
    if local.date() == (today or dt.datetime.now().astimezone().date()):
        return f"{local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def changed_line(by: str, at: str, *, today: dt.date | None = None) -> str:
    """``ann@office-2 changed this digest at 14:03`` (a stamp without a name: "someone")."""
    when = when_label(at, today)
    return f"{by or 'Someone'} changed this digest" + (f" at {when}" if when else "")


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
        self.list.setHeaderLabels(COLUMNS)
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        self.empty = QLabel("No digest has been saved in this library yet.", self)
        self.refill(digests)
        self.list.itemDoubleClicked.connect(self.accept)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(760, 360)

    def refill(self, digests: Sequence[DigestSummary | Mapping[str, Any]]) -> None:
        """List ``digests`` (again, when another officer changed one): the chosen row stays."""
        chosen = self.chosen_id()
        summaries = [d if isinstance(d, DigestSummary) else summary_of(d) for d in digests]
        ordered = sorted(summaries, key=lambda summary: summary.updated, reverse=True)
        self.list.clear()
        for summary in ordered:
            self.list.addTopLevelItem(_row(summary))
        for column in range(len(COLUMNS)):
            self.list.resizeColumnToContents(column)
        rows = [self.list.topLevelItem(n) for n in range(self.list.topLevelItemCount())]
        again = [row for row in rows if row is not None and row.data(0, DIGEST_ID_ROLE) == chosen]
        current = again[0] if again else self.list.topLevelItem(0)
        if current is not None:
            self.list.setCurrentItem(current)
        self.empty.setVisible(not ordered)

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
            summary.changed_by,
        ]
    )
    row.setData(0, DIGEST_ID_ROLE, summary.id)
    if summary.changed_label:
        row.setToolTip(len(COLUMNS) - 1, f"Last changed by {summary.changed_label} (UTC)")
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


class ChangedNotice(QFrame):
    """A bar over the digest: another officer changed it while edits here are unsaved.

    Not modal: typing goes on (while it is up, the edits wait unsaved for the answer:
    :mod:`ui.digest_flow` holds the autosave). Its buttons say what the conflict box says
    (:mod:`ui.digest_conflict`): *Reload* shows their version (the edits made here since
    are dropped), *Keep mine as a copy* saves these edits as a new digest beside theirs;
    :attr:`chosen` carries :data:`~ui.digest_conflict.RELOAD` or
    :data:`~ui.digest_conflict.KEEP`. Closing the bar (×) decides nothing: the next save
    is refused as any save over a newer version, and the conflict box asks then.
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("digest-changed-notice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("The digest was changed elsewhere")
        self.setStyleSheet(
            "#digest-changed-notice { background: #fff4ce; border: 1px solid #e0b400; "
            "border-radius: 4px; } #digest-changed-notice QLabel { color: #3b2f00; }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reload = QPushButton("Reload")
        self.reload.setObjectName(RELOAD)
        self.reload.setToolTip("Show their version; the changes made here since are dropped")
        self.keep = QPushButton("Keep mine as a copy")
        self.keep.setObjectName(KEEP)
        self.keep.setToolTip("Save the changes made here as a new digest beside theirs")
        self.dismiss = QPushButton("×")
        self.dismiss.setFlat(True)
        self.dismiss.setAccessibleName("Close the notice")
        self.dismiss.setToolTip("Close; autosaving goes on, and the next save asks again")
        self.dismiss.setFixedWidth(self.dismiss.fontMetrics().horizontalAdvance("×") + 16)
        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning.pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addWidget(self.label, 1)
        top.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reload)
        buttons.addWidget(self.keep)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(buttons)
        self.reload.clicked.connect(lambda: self._choose(RELOAD))
        self.keep.clicked.connect(lambda: self._choose(KEEP))
        self.dismiss.clicked.connect(self.hide)
        self.hide()

    def show_change(self, text: str) -> None:
        self.label.setText(text)
        self.show()

    def _choose(self, choice: str) -> None:
        self.hide()
        self.chosen.emit(choice)
