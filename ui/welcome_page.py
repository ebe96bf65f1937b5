"""The page an empty library shows: the three ways in, instead of an empty table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStyle, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    """Import a file, paste a listing, or load the sample library."""

    import_requested = Signal()
    paste_requested = Signal()
    sample_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        heading = QLabel("<h1>Your news library is empty</h1>")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Newsdigest keeps the news items you publish and turns a month of them into an "
            "email digest.<br>Start by bringing some items in:"
        )
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addSpacing(16)
        style = self.style()
        buttons = (
            (
                "Import a file…",
                "Listing text, RSS or Atom feed, CSV or JSON (Ctrl+I)",
                QStyle.StandardPixmap.SP_DialogOpenButton,
                self.import_requested,
            ),
            (
                "Paste a news listing",
                "Copy a news page from your website, then paste its text here (Ctrl+Shift+V)",
                QStyle.StandardPixmap.SP_FileDialogContentsView,
                self.paste_requested,
            ),
            (
                "Load the sample library",
                "48 fictional items over three months, to try Newsdigest out",
                QStyle.StandardPixmap.SP_DirHomeIcon,
                self.sample_requested,
            ),
        )
        for label, tip, icon, signal in buttons:
            button = QPushButton(style.standardIcon(icon), label)
            button.setToolTip(tip)
            button.setAccessibleName(label.rstrip("…"))
            button.setMinimumWidth(280)
            button.setMinimumHeight(36)
            button.clicked.connect(signal.emit)
            layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignHCenter)
            hint = QLabel(f"<small>{tip}</small>")
            hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(hint)
            layout.addSpacing(8)
        layout.addStretch(3)
