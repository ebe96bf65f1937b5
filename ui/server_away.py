"""The team library's server cannot be reached at start: Retry, Open a local library…, Quit.

When the library to open at start is a database and its server cannot be reached (the
composition root tells that apart from a wrong password or a refused schema, which
stay plain errors), :class:`ServerAwayDialog` says so: the location, the reason in
words, and three ways on:

- **Retry** opens the library again, in the background (an :class:`ui.operations.Operation`
  on a thread of the dialog's own): the dialog stays responsive, says it is trying, and
  **Stop trying** gives up on that attempt (a library it opens after all is closed);
- **Open a local library…**: the default library file, or another one chosen with
  File → Open library…'s dialog (:class:`ui.open_library_dialog.OpenLibraryDialog`);
- **Quit**.

:meth:`ServerAwayDialog.wait` shows it and returns the library opened (the window is
then made on it), or None when the user quit.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from composer.repository import Library
from ui.open_library_dialog import OpenLibraryDialog
from ui.operations import Failure, Operation

log = logging.getLogger("newsdigest.gui")
#: Tells a failure to reach the server (its reason in words) from any other (None).
AwayReason = Callable[[BaseException], "str | None"]
#: Where a reason's words end and the details (the driver's own message) begin.
DETAILS = "\n\nDetails: "


class ServerAwayDialog(QDialog):
    """What the window says when the team library's server cannot be reached at start."""

    def __init__(
        self,
        location: str,
        reason: str,
        *,
        retry: Callable[[], Library],
        opener: Callable[[str], Library] | None = None,
        default_library: str = "",
        away_reason: AwayReason | None = None,
        executor: concurrent.futures.Executor | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("server-away-dialog")
        self.setWindowTitle("Newsdigest: the team library cannot be reached")
        self.setMinimumWidth(560)
        self.location = location
        self._retry_call = retry
        self.opener = opener
        self.default_library = default_library
        self.away_reason = away_reason
        self._own_executor = executor is None
        self.executor = executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=2,
            thread_name_prefix="newsdigest-retry",  # one may hang, stopped
        )
        #: The library opened (the dialog is then accepted), and whether it is the one asked
        #: for (Retry) rather than a local one.
        self.library: Library | None = None
        self.retried = False
        #: The attempt under way (its number), 0 when none is.
        self.attempt = 0
        self._attempts = 0
        #: Asks for another library (tests replace it): a location, or None.
        self.ask_location: Callable[[], str | None] = self._ask_location
        self._make_widgets(reason)
        self._lay_out()
        self._idle()

    # -- widgets ----------------------------------------------------------------------------------
    def _make_widgets(self, reason: str) -> None:
        self.icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.icon.setPixmap(icon.pixmap(size, size))
        self.heading = QLabel("<b>The team library cannot be reached</b>")
        self.where = QLabel(self.location)
        self.where.setObjectName("server-away-location")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.where.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setObjectName("server-away-reason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setObjectName("server-away-details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setStyleSheet("color: palette(placeholder-text);")
        self.show_reason(reason)
        self.advice = QLabel(
            "Your work is safe: the library is on the server, and an edit that could not be "
            "saved is kept on this computer and offered again once the library opens. Retry "
            "when the network or the server is back, or work on a local library meanwhile."
        )
        self.advice.setWordWrap(True)
        self.status = QLabel()
        self.status.setObjectName("server-away-status")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.retry_button = self.buttons.addButton("&Retry", role.AcceptRole)
        self.retry_button.setObjectName("retry")
        self.retry_button.setToolTip("Try to reach the server again")
        self.stop_button = self.buttons.addButton("&Stop trying", role.ActionRole)
        self.stop_button.setObjectName("stop")
        self.local_button = self.buttons.addButton("Open a &local library…", role.ActionRole)
        self.local_button.setObjectName("open-local")
        self.local_button.setToolTip("Work on a library file on this computer instead")
        self.local_menu = QMenu(self.local_button)
        self.default_action = QAction(f"The default library ({self.default_library})", self)
        self.other_action = QAction("Another library…", self)
        self.local_menu.addActions([self.default_action, self.other_action])
        self.local_button.setMenu(self.local_menu)
        self.local_button.setVisible(self.opener is not None)
        self.default_action.setVisible(bool(self.default_library))
        self.quit_button = self.buttons.addButton("&Quit", role.RejectRole)
        self.quit_button.setObjectName("quit")
        self.retry_button.clicked.connect(self.retry)
        self.stop_button.clicked.connect(self.stop)
        self.default_action.triggered.connect(lambda: self.open_local(self.default_library))
        self.other_action.triggered.connect(self.open_other)
        self.quit_button.clicked.connect(self.reject)

    def _lay_out(self) -> None:
        text = QVBoxLayout()
        labels = (self.heading, self.where, self.reason, self.details, self.advice, self.status)
        for label in labels:
            text.addWidget(label)
        top = QHBoxLayout()
        top.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def show_reason(self, reason: str) -> None:
        """The reason in words, and the details (what libpq said) below it, smaller."""
        words, _, details = reason.partition(DETAILS)
        self.reason.setText(words[:1].upper() + words[1:])
        self.details.setText(details)
        self.details.setVisible(bool(details))

    def _idle(self, status: str = "") -> None:
        """No attempt under way: Retry and the local library offered."""
        self.attempt = 0
        self.status.setText(status)
        self.retry_button.setVisible(True)
        self.retry_button.setEnabled(True)
        self.retry_button.setDefault(True)
        self.stop_button.setVisible(False)
        self.local_button.setEnabled(True)

    def _trying(self, what: str) -> int:
        self._attempts += 1
        self.attempt = self._attempts
        self.status.setText(what)
        self.retry_button.setEnabled(False)
        self.stop_button.setVisible(True)
        self.local_button.setEnabled(False)
        return self.attempt

    # -- the choices ------------------------------------------------------------------------------
    def retry(self) -> Operation[Library] | None:
        """Open the library again, in the background."""
        if self.attempt:
            return None
        return self._open(self._retry_call, "Trying to reach the server again…", away=True)

    def open_local(self, location: str) -> Operation[Library] | None:
        """Open the library file at ``location`` instead (through the composition root)."""
        opener = self.opener
        if self.attempt or opener is None or not location:
            return None
        return self._open(lambda: opener(location), f"Opening {location}…", away=False)

    def open_other(self) -> Operation[Library] | None:
        location = self.ask_location()
        return self.open_local(location) if location else None

    def _ask_location(self) -> str | None:
        dialog = OpenLibraryDialog(self, suggested_file=self.default_library)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.location()
        finally:
            dialog.deleteLater()

    def stop(self) -> None:
        """Give up on the attempt under way (what it opens after all is closed)."""
        if self.attempt:
            log.info("stopped trying to open the library %s", self.location)
            self._idle("Stopped trying. Retry, open a local library, or quit.")

    def _open(self, call: Callable[[], Library], what: str, *, away: bool) -> Operation[Library]:
        number = self._trying(what)
        operation = Operation(call, parent=self, executor=self.executor, what=what)
        operation.success(lambda library: self._opened(number, library, retried=away))
        operation.failure(lambda failure: self._failed(number, failure, away=away))
        return operation.run_in_background()

    def _opened(self, number: int, library: Library, *, retried: bool) -> None:
        if number != self.attempt:
            library.close()  # stopped, or quit, meanwhile
            return
        log.info("the library %s opened", library.location)
        self.library, self.retried = library, retried
        self.attempt = 0
        self.accept()

    def _failed(self, number: int, failure: Failure, *, away: bool) -> None:
        if number != self.attempt:
            return
        reason = self.away_reason(failure.exception) if self.away_reason is not None else None
        now = dt.datetime.now().strftime("%H:%M")
        if away and reason is not None:
            self.show_reason(reason)
            self._idle(f"Tried again at {now}: the server still cannot be reached.")
        else:
            self._idle(f"At {now}: {failure.message}")

    # -- the end ----------------------------------------------------------------------------------
    def wait(self) -> Library | None:
        """Show the dialog until a library is opened (returned) or the user quits (None)."""
        self.exec()
        self.finish()
        return self.library

    def finish(self) -> None:
        """Stop the attempt under way, if any, and the dialog's thread."""
        self.attempt = 0
        if self._own_executor and isinstance(self.executor, concurrent.futures.ThreadPoolExecutor):
            self.executor.shutdown(wait=False, cancel_futures=True)

    def reject(self) -> None:
        self.attempt = 0  # an attempt still under way is dropped
        super().reject()
