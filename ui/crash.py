"""Unexpected errors in the GUI: logged, the open digest saved, the user told; the app stays.

:class:`CrashHandler` replaces :data:`sys.excepthook` (which also receives what a
Qt slot or a Python override of a Qt method raises: PySide6 reports them there)
and :func:`threading.excepthook`. For each unexpected exception it writes the
traceback to the log file (:mod:`composer.logs`), then, on the GUI thread, asks
the window to save the open digest (``rescue``) and shows a :class:`CrashDialog`
saying what happened, whether the digest was saved, and where the log is. The
dialog is opened without blocking (:meth:`QDialog.open`); more errors while it is
open are counted in it, not stacked as new dialogs. The app goes on running: the
user decides to continue or to quit.
"""

from __future__ import annotations

import dataclasses
import faulthandler
import logging
import os
import sys
import threading
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from composer.fileio import PRIVATE_FILE, tighten
from ui.actions import add_button, open_folder_of

log = logging.getLogger("newsdigest.crash")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
#: Full tracebacks logged for one kind of error (type and place) before they are only counted.
FULL_TRACEBACKS = 5
_OUR_PACKAGES = ("composer", "store", "ui", "templates")


@dataclasses.dataclass(frozen=True)
class CrashReport:
    """What the crash dialog says about one unexpected exception."""

    summary: str  # "ValueError: the message"
    where: str  # "ui/main_window.py, line 123, in export"
    details: str  # the traceback
    thread: str
    saved: str = ""  # what became of the open digest
    log_file: Path | None = None

    @property
    def signature(self) -> str:
        return f"{self.summary.split(':', 1)[0]} {self.where}"


def _where(tb: TracebackType | None) -> str:
    """The innermost frame in Newsdigest's own code (else the innermost frame)."""
    frames = traceback.extract_tb(tb)
    if not frames:
        return "an unknown place"
    ours = [f for f in frames if Path(f.filename).parent.name in _OUR_PACKAGES]
    frame = (ours or frames)[-1]
    path = Path(frame.filename)
    shown = f"{path.parent.name}/{path.name}" if ours else path.name
    return f"{shown}, line {frame.lineno}, in {frame.name}"


def describe(info: ExcInfo, thread: str) -> CrashReport:
    """A :class:`CrashReport` for an exception (without the saving and the log file)."""
    exc_type, exc, tb = info
    message = str(exc).strip()
    summary = f"{exc_type.__name__}: {message}" if message else exc_type.__name__
    details = "".join(traceback.format_exception(exc_type, exc, tb))
    return CrashReport(summary=summary, where=_where(tb), details=details, thread=thread)


class CrashHandler(QObject):
    """Installs the exception hooks; logs, rescues the digest and shows the dialog."""

    #: A report was shown (or counted in the dialog already open): the :class:`CrashReport`.
    reported = Signal(object)
    _from_thread = Signal(object, str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        log_file: Path | None = None,
        rescue: Callable[[], str] | None = None,
        dialog_parent: QWidget | None = None,
        quit_app: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.log_file = log_file
        #: Saves the open digest; returns what happened, in a sentence for the user.
        self.rescue = rescue
        self.dialog_parent = dialog_parent
        #: What "Quit Newsdigest" in the dialog does (default: close the window, or quit Qt).
        self.quit_app = quit_app
        self.dialog: CrashDialog | None = None
        self.reports: list[CrashReport] = []
        self._seen: Counter[str] = Counter()
        self._busy = False
        self._previous_hook: Callable[..., Any] | None = None
        self._previous_thread_hook: Callable[..., Any] | None = None
        self._from_thread.connect(self._report, Qt.ConnectionType.QueuedConnection)

    # -- hooks ------------------------------------------------------------------------------------
    def install(self) -> None:
        """Route unexpected exceptions here (until :meth:`uninstall`)."""
        if self._previous_hook is None:
            self._previous_hook = sys.excepthook
            self._previous_thread_hook = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Put back the hooks that were there before :meth:`install`."""
        if self._previous_hook is not None:
            if sys.excepthook == self.excepthook:
                sys.excepthook = self._previous_hook
            if threading.excepthook == self.thread_excepthook:
                threading.excepthook = self._previous_thread_hook  # type: ignore[assignment]
        self._previous_hook = self._previous_thread_hook = None

    def attach(self, window: QWidget, rescue: Callable[[], str] | None) -> None:
        """Save through ``rescue`` and show the dialog over ``window`` from now on."""
        self.dialog_parent = window
        self.rescue = rescue

    def excepthook(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """:data:`sys.excepthook`: the main thread, Qt slots and overrides."""
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            (self._previous_hook or sys.__excepthook__)(exc_type, exc, tb)
            return
        thread = threading.current_thread()
        report = self._log(describe((exc_type, exc, tb), thread.name))
        if thread is threading.main_thread():
            self._report(report, thread.name)
        else:
            self._from_thread.emit(report, thread.name)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """:func:`threading.excepthook`: what a thread's function let escape."""
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        report = self._log(describe((args.exc_type, args.exc_value, args.exc_traceback), name))
        self._from_thread.emit(report, name)

    # -- handling ---------------------------------------------------------------------------------
    def _log(self, report: CrashReport) -> CrashReport:
        """Write the traceback to the log (and stderr); repeated ones are only counted."""
        self._seen[report.signature] += 1
        count = self._seen[report.signature]
        if count <= FULL_TRACEBACKS:
            log.error(
                "unexpected error in %s (thread %s):\n%s",
                report.where,
                report.thread,
                report.details.rstrip(),
            )
            if count == 1 and len(self._seen) == 1:
                log.error("versions: %s", _versions_line())
        elif count % 100 == 0:
            log.error("the same error again (%d times): %s", count, report.summary)
        stream = sys.stderr
        if stream is not None and count <= FULL_TRACEBACKS:  # a windowed app may have none
            try:
                stream.write(report.details)
                stream.flush()
            except (OSError, ValueError):
                pass
        return report

    def _report(self, report: CrashReport, thread: str) -> None:
        """On the GUI thread: save the digest, then show the dialog (or count in the open one)."""
        if self._busy:
            return  # raised while saving or building the dialog: logged, nothing more
        self._busy = True
        try:
            if self.dialog is not None and self.dialog.isVisible():
                self.reports.append(report)
                self.dialog.count_another(report)
                self.reported.emit(report)
                return
            saved = self._rescue()
            full = dataclasses.replace(report, saved=saved, log_file=self.log_file)
            self.reports.append(full)
            self.dialog = self.show_dialog(full)
            self.reported.emit(full)
        finally:
            self._busy = False

    def _rescue(self) -> str:
        if self.rescue is None:
            return ""
        try:
            return self.rescue()
        except Exception as exc:
            log.exception("saving the digest after the error failed")
            return f"The open digest could not be saved ({type(exc).__name__}: {exc})."

    def show_dialog(self, report: CrashReport) -> CrashDialog:
        """Open the dialog without blocking (window-modal over the window)."""
        dialog = CrashDialog(report, self.dialog_parent)
        dialog.quit_requested.connect(self._quit)
        dialog.finished.connect(self._dialog_closed)
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None

    def _quit(self) -> None:
        if self.quit_app is not None:
            self.quit_app()
            return
        window = self.dialog_parent
        if window is None:
            QGuiApplication.quit()
        else:
            window.close()  # saves, and may ask (the last window closed, the app quits)


FAULT_LOG = "newsdigest-faults.log"
_fault_stream: Any = None


def enable_fault_log(log_file: Path | None) -> Path | None:
    """Have :mod:`faulthandler` write the Python stacks of a hard crash beside the log.

    A crash in native code (Qt, Chromium) ends the process before any Python handler
    runs; the stacks then tell where it was. Returns the file, or ``None``.
    """
    global _fault_stream
    if log_file is None:
        return None
    path = log_file.parent / FAULT_LOG
    if _fault_stream is None:
        try:  # the stacks may hold personal data: the owner's only, like the log
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
            _fault_stream = os.fdopen(fd, "a", encoding="utf-8")  # open for the process's life
        except OSError:
            return None
        tighten(path)  # one made 0644 by an older version
    faulthandler.enable(file=_fault_stream, all_threads=True)
    return path


def _versions_line() -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from composer.app_info import component_versions, platform_description

    parts = [f"{name} {value}" for name, value in component_versions()]
    parts += [f"Qt {qVersion()}", f"PySide6 {pyside_version}", platform_description()]
    return ", ".join(parts)


class CrashDialog(QDialog):
    """Tells what went wrong, whether the digest was saved, and where the log is."""

    quit_requested = Signal()

    def __init__(self, report: CrashReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.more = 0
        self.setWindowTitle("Newsdigest: unexpected error")
        self.setObjectName("crash-dialog")
        self.setAccessibleName("Unexpected error")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size)
        )
        text = self._build_texts(report)
        self._build_details(report)
        buttons = self._build_buttons(report)

        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())
        #: Opens the log folder (tests replace it).
        self.opener: Callable[[QUrl], object] = QDesktopServices.openUrl

    def _build_texts(self, report: CrashReport) -> QVBoxLayout:
        """What went wrong, what became of the digest, where the log is, what to do."""
        self.headline = QLabel("<b>Something went wrong inside Newsdigest.</b>")
        self.message = QLabel(f"{report.summary}\n(in {report.where})")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setAccessibleName("What went wrong")
        self.saved = QLabel(report.saved or "")
        self.saved.setWordWrap(True)
        self.saved.setVisible(bool(report.saved))
        self.saved.setAccessibleName("What became of the open digest")
        self.log_label = QLabel()
        self.log_label.setWordWrap(True)
        self.log_label.setTextFormat(Qt.TextFormat.RichText)
        self.log_label.setOpenExternalLinks(True)
        self.log_label.setAccessibleName("Where the log file is")
        if report.log_file is not None:
            url = QUrl.fromLocalFile(str(report.log_file)).toString()
            self.log_label.setText(
                f"The details are in the log file <a href='{url}'>{_escape(report.log_file)}</a>; "
                "please attach it when you report the problem."
            )
        else:
            self.log_label.setText("No log file could be written: the details are below.")
        self.advice = QLabel(
            "You can go on working. If the window misbehaves, quit and start Newsdigest again: "
            "everything that was saved is kept."
        )
        self.advice.setWordWrap(True)
        self.more_label = QLabel()
        self.more_label.setAccessibleName("Errors since")
        self.more_label.hide()
        text = QVBoxLayout()
        for widget in (self.headline, self.message, self.saved, self.log_label, self.advice):
            text.addWidget(widget)
        text.addWidget(self.more_label)
        return text

    def _build_details(self, report: CrashReport) -> None:
        """The traceback, hidden until its button is pressed."""
        self.details = QPlainTextEdit(report.details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setMinimumHeight(160)
        self.details.hide()
        self.details_button = QPushButton("Show &details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Show the traceback (what the log file holds)")
        self.details_button.toggled.connect(self._toggle_details)

    def _build_buttons(self, report: CrashReport) -> QDialogButtonBox:
        """Copy the details, open the log folder, quit, or go on working (the default)."""
        buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.copy_button = add_button(
            buttons,
            "&Copy details",
            "Copy the error and its traceback, for a bug report",
            self.copy_details,
        )
        self.folder_button = add_button(
            buttons, "Open &log folder", "Show the folder of the log file", self.open_log_folder
        )
        self.folder_button.setEnabled(report.log_file is not None)
        self.quit_button = add_button(
            buttons,
            "&Quit Newsdigest",
            "Close the window (the digest is saved as it closes)",
            self._quit,
            role.DestructiveRole,
        )
        self.continue_button = add_button(
            buttons,
            "C&ontinue",
            "Close this message and go on working",
            self.accept,
            role.AcceptRole,
        )
        self.continue_button.setDefault(True)
        return buttons

    def count_another(self, report: CrashReport) -> None:
        """Another error happened while the dialog is open: count it, keep its traceback."""
        self.more += 1
        errors = "error" if self.more == 1 else "errors"
        self.more_label.setText(
            f"{self.more} more unexpected {errors} since (also in the log); the last: "
            f"{report.summary}"
        )
        self.more_label.show()
        self.details.appendPlainText(f"\n{report.details}")

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(
            f"{self.report.summary}\n(in {self.report.where})\n\n{self.details.toPlainText()}"
        )

    def open_log_folder(self) -> None:
        if self.report.log_file is not None:
            open_folder_of(self.report.log_file, self.opener)

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("Hide &details" if shown else "Show &details")

    def _quit(self) -> None:
        self.accept()
        self.quit_requested.emit()


def _escape(value: object) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
