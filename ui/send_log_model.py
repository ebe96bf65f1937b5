"""A table of what happened to each recipient of a digest: the Send dialog's log view.

Rows come from the library's send log (one entry per recipient, with its state,
the server's reply and the time) and are updated in place as the worker reports
events, so the view shows the same thing the log on disk says. Read-only: the
states are the core's to change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from composer.send import FAILED, QUEUED, SENDING, SENT, UNCERTAIN, SendEvent, now_iso

COLUMNS = ("Recipient", "State", "Server reply", "Updated")
STATE_LABELS = {
    QUEUED: "queued",
    SENDING: "sending",
    SENT: "sent",
    FAILED: "failed",
    UNCERTAIN: "uncertain",
    "retrying": "retrying later",
}
STATE_COLORS = {FAILED: "#c62828", UNCERTAIN: "#b26a00", "retrying": "#b26a00", SENT: "#2e7d32"}

Index = QModelIndex | QPersistentModelIndex


def _reply(entry: Mapping[str, Any]) -> str:
    code = entry.get("code")
    text = str(entry.get("text") or "")
    return f"{code} {text}".strip() if code else text


def _time(stamp: Any) -> str:
    """``2026-11-27T00:12:03+00:00`` -> ``2026-11-27 01:12:03`` in the computer's time zone."""
    text = str(stamp or "")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text[:19].replace("T", " ")
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


class SendLogModel(QAbstractTableModel):
    """Recipient, state, reply and time of each entry; :meth:`apply` updates one row."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, str]] = []
        self._index: dict[str, int] = {}

    # -- filling ----------------------------------------------------------------------------------
    def reset(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Show these send-log entries (oldest first)."""
        ordered = sorted(entries, key=lambda e: str(e.get("queued_at") or e.get("updated_at")))
        self.beginResetModel()
        self._rows = [
            {
                "recipient": str(e.get("recipient", "")),
                "state": str(e.get("state", "")),
                "reply": _reply(e),
                "updated": _time(e.get("updated_at")),
            }
            for e in ordered
        ]
        self._index = {row["recipient"]: n for n, row in enumerate(self._rows)}
        self.endResetModel()

    def apply(self, event: SendEvent) -> None:
        """A worker's event: the recipient's row takes the new state (added when new)."""
        values = {
            "recipient": event.recipient,
            "state": event.state,
            "reply": _reply({"code": event.code, "text": event.text}),
            "updated": _time(now_iso()),
        }
        row = self._index.get(event.recipient)
        if row is None:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.append(values)
            self._index[event.recipient] = row
            self.endInsertRows()
            return
        self._rows[row] = values
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, recipient: str) -> int:
        return self._index.get(recipient, -1)

    def state_of(self, recipient: str) -> str | None:
        row = self._index.get(recipient)
        return None if row is None else self._rows[row]["state"]

    def recipients_in(self, state: str) -> list[str]:
        return [row["recipient"] for row in self._rows if row["state"] == state]

    # -- Qt ---------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return row["recipient"]
            if column == 1:
                return STATE_LABELS.get(row["state"], row["state"])
            if column == 2:
                return row["reply"]
            if column == 3:
                return row["updated"]
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            color = STATE_COLORS.get(row["state"])
            return QBrush(QColor(color)) if color else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def log_table(model: SendLogModel) -> QTableView:
    """The Send dialog's table of ``model``: whole rows, no row numbers, sized columns."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName("What happened to each recipient")
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(False)
    stamp = view.fontMetrics().horizontalAdvance("2026-11-27 00:00:00") + 24
    for column, width in enumerate((230, 90, 200, stamp)):
        view.setColumnWidth(column, width)
    return view
