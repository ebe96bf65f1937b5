"""The preflight panel: the findings of the last render, with severity icons.

:class:`FindingsModel` lists the core's :class:`~composer.email.preflight.Finding` s;
:class:`PreflightPanel` shows them with a one-line summary and emits
:attr:`PreflightPanel.activated` with the finding the user clicked, so the
window can select the item (or focus the field) it concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # lxml and the caniemail table load with the first render
    from composer.email.preflight import Finding

Index = QModelIndex | QPersistentModelIndex
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 2

_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}
_NAMES = {"error": "Error", "warning": "Warning", "info": "Note"}


class FindingsModel(QAbstractListModel):
    """The findings, in the order the core sorted them (errors first)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._findings: list[Finding] = []

    @property
    def findings(self) -> list[Finding]:
        return list(self._findings)

    def set_findings(self, findings: Sequence[Finding]) -> None:
        if list(findings) == self._findings:
            return
        self.beginResetModel()
        self._findings = list(findings)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._findings)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._findings):
            return None
        finding = self._findings[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return finding.message
        if role == Qt.ItemDataRole.DecorationRole:
            from PySide6.QtWidgets import QApplication

            return QApplication.style().standardIcon(_ICONS[finding.severity])
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f"\nWhere: {finding.where}" if finding.where else ""
            clickable = finding.item_id or finding.section is not None or finding.digest_field
            hint = "\nClick to select it." if clickable else ""
            return f"{_NAMES[finding.severity]}: {finding.message}{where}{hint}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{_NAMES[finding.severity]}: {finding.message}"
        if role == FINDING_ROLE:
            return finding
        if role == SEVERITY_ROLE:
            return finding.severity
        return None

    def counts(self) -> dict[str, int]:
        result = {"error": 0, "warning": 0, "info": 0}
        for finding in self._findings:
            result[finding.severity] += 1
        return result


def summary_text(counts: dict[str, int]) -> str:
    """ "2 errors, 1 warning" / "No problems found"."""
    parts = []
    for severity, word in (("error", "error"), ("warning", "warning"), ("info", "note")):
        n = counts.get(severity, 0)
        if n:
            parts.append(f"{n} {word}{'' if n == 1 else 's'}")
    return ", ".join(parts) if parts else "No problems found"


class PreflightPanel(QWidget):
    """A heading with the counts, and the list of findings."""

    activated = Signal(object)  # Finding

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = FindingsModel(self)
        self.summary = QLabel("Preflight: nothing rendered yet")
        self.summary.setAccessibleName("Preflight summary")
        self.summary.setWordWrap(True)  # its text must not change the window's minimum size
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName("Preflight findings")
        self.list.setToolTip("What would go wrong if this email were sent now; click one")
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setAlternatingRowColors(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.clicked.connect(self._clicked)
        self.list.activated.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self.model.set_findings(findings)
        self.summary.setText(f"<b>Preflight</b>: {summary_text(self.model.counts())}")

    def _clicked(self, index: QModelIndex) -> None:
        finding = index.data(FINDING_ROLE)
        if finding is not None:
            self.activated.emit(finding)
