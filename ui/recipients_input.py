"""Who a send goes to, as the user gives it: a list file, pasted addresses, or test addresses.

:class:`RecipientsInput` is the Send dialog's input. For a list send: "Open list…"
(a CSV or text file), "Clear", the file's name, and a box for pasted addresses; for
a test send, one line of addresses. The core reads and checks what is given
(:mod:`composer.recipients`), off the GUI thread (an :class:`~ui.operations.Operation`
on the window's work pool: about 40 µs an address, seconds for a big list).
``edited`` says the input was typed in (the dialog waits for a pause), ``chosen``
that a file was opened or the input cleared, ``read`` that a reading finished;
:meth:`RecipientsInput.state` says where things stand, and starts a reading when
the input changed since the last one.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from composer.recipients import RecipientList, parse_recipients_text, read_recipients_file
from ui.operations import Operation

State = Literal["empty", "reading", "ready"]
Key = tuple[str, str]
NO_FILE = "or paste the addresses below"


class RecipientsInput(QWidget):
    """A list file or pasted addresses (or test addresses), read in the background."""

    edited = Signal()  # typed: worth a pause before checking
    chosen = Signal()  # a file opened, or the input cleared: check now
    read = Signal()

    def __init__(
        self,
        executor: concurrent.futures.Executor,
        *,
        test: bool,
        test_addresses: str = "",
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.test = test
        self.executor = executor
        self._file: Path | None = None
        self._read_key: Key | None = None  # the input last read,
        self._read_list: RecipientList | None = None  # what it gave,
        self._read_error = ""  # or why it could not be read
        self._reading: Key | None = None  # the input being read now
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if test:
            self.addresses = QLineEdit(test_addresses)
            self.addresses.setAccessibleName("Test addresses")
            self.addresses.setPlaceholderText("you@example.org, colleague@example.org")
            self.addresses.setToolTip("One or more addresses, separated by commas")
            self.addresses.textChanged.connect(self.edited)
            layout.addWidget(self.addresses)
            self.setFocusProxy(self.addresses)  # the form label's shortcut lands here
            return
        self.open_button = QPushButton("Open &list…")
        self.open_button.setToolTip(
            "A CSV file with an email column (and optionally names), or a text file of addresses"
        )
        self.open_button.clicked.connect(self.choose_file)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Forget the list and the pasted addresses")
        self.clear_button.clicked.connect(self.clear)
        self.file_label = QLabel(NO_FILE)
        row = QHBoxLayout()
        row.addWidget(self.open_button)
        row.addWidget(self.clear_button)
        row.addWidget(self.file_label, 1)
        self.pasted = QPlainTextEdit()
        self.pasted.setAccessibleName("Pasted recipients")
        self.pasted.setPlaceholderText(
            "One address per line, or 'Name <address>', or two columns pasted from a spreadsheet"
        )
        self.pasted.setTabChangesFocus(True)
        self.pasted.setMaximumHeight(90)
        self.pasted.textChanged.connect(self.edited)
        layout.addLayout(row)
        layout.addWidget(self.pasted)
        self.setFocusProxy(self.pasted)

    # -- what the user does -----------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Recipients", "", "Recipient lists (*.csv *.txt);;All files (*)"
        )
        if path:
            self.load_file(path)

    def load_file(self, path: str | Path) -> None:
        """Take the recipients from a file (read in the background; a bad one is explained)."""
        self._file = Path(path)
        self.file_label.setText(self._file.name)
        self.pasted.setEnabled(False)
        self.chosen.emit()

    def clear(self) -> None:
        self._forget_file()
        self._read_key, self._read_list, self._read_error = None, None, ""
        self.pasted.blockSignals(True)  # one check for the whole clear
        self.pasted.clear()
        self.pasted.blockSignals(False)
        self.chosen.emit()

    def set_running(self, running: bool) -> None:
        """Locked while a send runs (it goes to the list it started with)."""
        if self.test:
            self.addresses.setEnabled(not running)
            return
        self.open_button.setEnabled(not running)
        self.clear_button.setEnabled(not running)
        self.pasted.setEnabled(not running and self._file is None)

    def _forget_file(self) -> None:
        self._file = None
        self.file_label.setText(NO_FILE)
        self.pasted.setEnabled(True)

    # -- reading ----------------------------------------------------------------------------------
    def _input(self) -> tuple[Key, Callable[[], RecipientList]] | None:
        """What the recipients are read from (a key to cache by) and how, or None."""
        if self.test:
            text = self.addresses.text().strip()
            if not text:
                return None
            return ("test", text), lambda: parse_recipients_text(text, "the test addresses")
        if self._file is not None:
            path = self._file
            stamp = ""
            with contextlib.suppress(OSError):
                stamp = str(path.stat().st_mtime_ns)
            return ("file", f"{path}\0{stamp}"), lambda: read_recipients_file(path)
        pasted = self.pasted.toPlainText()
        if not pasted.strip():
            return None
        return ("text", pasted), lambda: parse_recipients_text(pasted)

    def state(self) -> tuple[State, RecipientList | None, str]:
        """Where the input stands: its list once read, and the last reading's error.

        A changed input starts a reading and is ``"reading"`` until :attr:`read`.
        The error stays after a file that could not be read (the input is then
        empty again), so that the dialog can say why.
        """
        current = self._input()
        if current is None:
            return "empty", None, self._read_error if self._read_key else ""
        key, work = current
        if key != self._read_key:
            if key != self._reading:
                self._reading = key
                self._start_reading(key, work)
            if key != self._read_key:  # a synchronous executor has read it already
                return "reading", None, ""
        self._reading = None
        return "ready", self._read_list, self._read_error

    def _start_reading(self, key: Key, work: Callable[[], RecipientList]) -> None:
        Operation(work, parent=self, executor=self.executor, what="Reading the recipients").success(
            lambda result: self._read(key, result, "")
        ).failure(lambda failure: self._read(key, None, failure.message)).run_in_background()

    def _read(self, key: Key, result: RecipientList | None, error: str) -> None:
        current = self._input()
        if current is None or current[0] != key:
            return  # the input changed meanwhile (its own reading is under way), or was cleared
        self._read_key, self._read_list, self._read_error = key, result, error
        if error and key[0] == "file":  # back to pasting; the reason stays shown
            self._forget_file()
        self.read.emit()
