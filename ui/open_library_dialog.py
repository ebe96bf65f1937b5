"""File → Open library…: choose a library file or type a team library's url; the recent list.

:class:`OpenLibraryDialog` asks for one location: a library file on this computer (a
file chooser; a name that does not exist yet makes a new, empty library) or the url of
a team library on PostgreSQL (``postgresql://…``). The password is never typed here:
libpq takes it from ``PGPASSWORD`` or ``~/.pgpass``, Newsdigest from the system keychain
(the README says how), so a url that carries one is refused with that hint
(:func:`location_problem`).

:class:`LibraryMenu` is the window's end of it: the Open library… action's slot, and
the File menu's list of the libraries opened last (:data:`ui.window_settings.RECENT_LIBRARIES`,
locations only, never a password). It does not open anything itself: whoever owns the
window (:class:`ui.library_switch.WindowSession`) sets :attr:`LibraryMenu.switcher`,
which saves the open digest, closes this library and opens the chosen one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.window_settings import RECENT_LIBRARIES, RECENT_LIMIT

if TYPE_CHECKING:
    from ui.main_window import MainWindow

FILE, URL = "file", "url"
URL_SCHEMES = ("postgresql://", "postgres://")
URL_EXAMPLE = "postgresql://you@server.example.org/newsdigest"
URL_HINT = (
    "The url names the server, your role and the database, as your team's administrator "
    "gave it (add ?sslmode=verify-full&sslrootcert=/path/ca.pem for a server that asks for "
    "TLS). The password is not typed here: it comes from the system keychain, PGPASSWORD "
    "or ~/.pgpass (see the README)."
)
FILE_HINT = "An existing library file, or a new name: a new, empty library is made there."
FILE_FILTER = "Newsdigest library (*.json);;All files (*)"
#: Menu entries longer than this are shortened in the middle (the tooltip has them whole).
SHOWN_CHARS = 72


def is_url(text: str) -> bool:
    return text.strip().lower().startswith(URL_SCHEMES)


def location_problem(kind: str, text: str) -> str | None:
    """Why ``text`` cannot be opened as a ``kind`` (:data:`FILE` or :data:`URL`); None if it can."""
    text = text.strip()
    if not text:
        return "Choose a library file." if kind == FILE else "Type the team library's url."
    if kind == FILE:
        return "That is a url: choose “A team library on PostgreSQL”." if is_url(text) else None
    if not is_url(text):
        return f"A team library's url starts with postgresql:// ({URL_EXAMPLE})."
    try:
        parts = urlsplit(text)
        password = parts.password
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return f"This url cannot be read: write it as {URL_EXAMPLE}."
    if password is not None or any(key.lower() == "password" for key, _ in query):
        return (
            "Leave the password out of the url: Newsdigest takes it from the system keychain, "
            "PGPASSWORD or ~/.pgpass, and never keeps it in its settings."
        )
    return None


def shortened(location: str, limit: int = SHOWN_CHARS) -> str:
    """``location`` cut in the middle to ``limit`` characters (the file name stays whole)."""
    if len(location) <= limit:
        return location
    head = limit // 3
    return f"{location[:head]}…{location[-(limit - head - 1) :]}"


def remember_library(settings: QSettings, location: str) -> tuple[str, ...]:
    """Put ``location`` first in the recent list (once, at most :data:`RECENT_LIMIT`)."""
    recent = RECENT_LIBRARIES.read(settings)
    updated = (location, *(entry for entry in recent if entry != location))[:RECENT_LIMIT]
    RECENT_LIBRARIES.write(settings, updated)
    settings.sync()
    return updated


class OpenLibraryDialog(QDialog):
    """A library file (chosen, or a new name) or a team library's url; :meth:`location`."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        current: str = "",
        suggested_file: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("open-library-dialog")
        self.setWindowTitle("Open library")
        self.setMinimumWidth(560)
        #: Asks for a file (tests replace it): the path chosen, or None.
        self.ask_file: Callable[[str], str | None] = self._ask_file
        self.file_choice = QRadioButton("A library &file on this computer")
        self.url_choice = QRadioButton("A &team library on PostgreSQL")
        self.kinds = QButtonGroup(self)
        for button in (self.file_choice, self.url_choice):
            self.kinds.addButton(button)
        self.file = QLineEdit(suggested_file if not is_url(current) else "")
        self.file.setObjectName("library-file")
        self.file.setPlaceholderText(str(Path.home() / "newsletter-library.json"))
        self.browse = QPushButton("&Choose…")
        self.browse.setToolTip("Choose an existing library file, or a name for a new one")
        self.browse.clicked.connect(self.choose_file)
        self.url = QLineEdit(current if is_url(current) else "")
        self.url.setObjectName("library-url")
        self.url.setPlaceholderText(URL_EXAMPLE)
        self.problem = QLabel()
        self.problem.setObjectName("open-library-problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("font-weight: 600;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._lay_out()
        (self.url_choice if is_url(current) else self.file_choice).setChecked(True)
        for signal in (self.kinds.buttonToggled, self.file.textChanged, self.url.textChanged):
            signal.connect(self._update)
        self.file.textEdited.connect(lambda _text: self.file_choice.setChecked(True))
        self.url.textEdited.connect(lambda _text: self.url_choice.setChecked(True))
        self._update()

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_choice)
        row = QHBoxLayout()
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.file, 1)
        row.addWidget(self.browse)
        layout.addLayout(row)
        layout.addWidget(_hint(FILE_HINT))
        layout.addSpacing(10)
        layout.addWidget(self.url_choice)
        url_row = QHBoxLayout()
        url_row.setContentsMargins(24, 0, 0, 0)
        url_row.addWidget(self.url)
        layout.addLayout(url_row)
        layout.addWidget(_hint(URL_HINT))
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    @property
    def kind(self) -> str:
        return URL if self.url_choice.isChecked() else FILE

    def location(self) -> str:
        """What was chosen: a file's path or a url, as typed (without spaces around)."""
        return (self.url if self.kind == URL else self.file).text().strip()

    def choose_file(self) -> None:
        chosen = self.ask_file(self.file.text().strip())
        if chosen:
            self.file.setText(chosen)
            self.file_choice.setChecked(True)

    def _ask_file(self, start: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Choose a library file",
            start or str(Path.home()),
            FILE_FILTER,
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return path or None

    def _update(self, *_args: Any) -> None:
        problem = location_problem(self.kind, self.location())
        empty = not self.location()
        self.problem.setText("" if empty else (problem or ""))
        button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        button.setEnabled(problem is None)

    def accept(self) -> None:
        if location_problem(self.kind, self.location()) is None:
            super().accept()


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setContentsMargins(24, 0, 0, 0)
    label.setStyleSheet("color: palette(placeholder-text);")
    return label


class LibraryMenu(QObject):
    """The window's Open library… and its recent list; :attr:`switcher` does the opening."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        #: Opens another library in the window's place (set by the window's owner); True when
        #: it did. Without one (a window made alone, as in tests) nothing can be opened.
        self.switcher: Callable[[str], object] | None = None
        self.recent_menu = QMenu("Open r&ecent library", window)
        self.recent_menu.setObjectName("recent-libraries")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.fill_recent()
        #: The dialog of the last :meth:`choose` (tests look at it, and answer it).
        self.dialog: OpenLibraryDialog | None = None
        #: Shows the dialog and waits (tests replace it to answer it).
        self.run_dialog: Callable[[OpenLibraryDialog], bool] = lambda dialog: (
            dialog.exec() == QDialog.DialogCode.Accepted
        )

    def busy(self, opening: bool) -> None:
        """While a library is being opened, nothing else can be chosen."""
        action = self.window.actions_by_name.get("open_library")
        if action is not None:
            action.setEnabled(not opening)
        self.recent_menu.setEnabled(not opening)

    def recent(self) -> tuple[str, ...]:
        return RECENT_LIBRARIES.read(self.window.settings)

    def fill_recent(self) -> None:
        """The recent list as it is now in the settings (refilled each time it is shown)."""
        menu = self.recent_menu
        menu.clear()
        current = self.window.library.location
        recent = self.recent()
        for number, location in enumerate(recent, start=1):
            prefix = f"&{number} " if number < 10 else ""
            action = menu.addAction(f"{prefix}{shortened(location)}")
            action.setToolTip(location)
            action.setData(location)
            if location == current:
                action.setText(f"{prefix}{shortened(location)} (open now)")
                action.setEnabled(False)
            else:
                action.triggered.connect(partial(self.open_location, location))
        if not recent:
            menu.addAction("No library opened yet").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear the list", self.clear_recent)

    def clear_recent(self) -> None:
        current = self.window.library.location
        RECENT_LIBRARIES.write(self.window.settings, (current,))
        self.window.settings.sync()
        self.fill_recent()

    def choose(self) -> str | None:
        """File → Open library…: ask, then open the library chosen; the location chosen."""
        current = self.window.library.location
        dialog = OpenLibraryDialog(
            self.window, current=current, suggested_file="" if is_url(current) else current
        )
        self.dialog = dialog
        try:
            if not self.run_dialog(dialog):
                return None
            location = dialog.location()
        finally:
            dialog.deleteLater()
        self.open_location(location)
        return location

    def open_location(self, location: str, *_args: object) -> None:
        """Open ``location`` in the window's place (its owner does it)."""
        if self.switcher is None:
            self.window.show_problem(
                "This window cannot open another library; start Newsdigest with --library "
                f"{location}",
                title="Open library",
            )
            return
        self.switcher(location)

    def locations(self) -> Sequence[str]:
        """What the recent menu lists now (for tests)."""
        return [str(a.data()) for a in self.recent_menu.actions() if a.data()]
