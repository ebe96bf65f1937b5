"""The app's one window and the library it shows; File → Open library… swaps both.

:class:`WindowSession` owns, while the app runs, the :class:`~ui.main_window.MainWindow`,
its library and the single-instance server named after that library
(:mod:`ui.single_instance`). :meth:`WindowSession.show` makes the window on a library;
:meth:`WindowSession.switch_to` opens another one in its place:

1. a library already open here, or in another window (which then comes to the front),
   is not opened twice;
2. the chosen library is opened in the background through the composition root's
   opener (``Callable[[str], Library]``: any file path or url); an error (a locked
   file, a url that is not one, a server that cannot be reached) is shown and the
   window stays on its library, untouched;
3. the window is closed as a user closing it would: the open digest is saved, or the
   user is asked (a refusal, or a send under way, keeps everything as it was and the
   new library is closed again);
4. the old library is closed (its file's lock released), a new window is made on the
   new one, the single-instance server follows the new location, the location goes
   first in the recent list (:func:`ui.open_library_dialog.remember_library`), and
   edits kept for that library (:mod:`ui.unsaved_edits`) are offered.

A new window rather than the same one re-bound: every part of the window (the
document, the library pane, the send controller, the workers) is made for one
library, and a new window restores the state the old one saved on closing.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from composer.repository import Library
from ui.open_library_dialog import is_url, remember_library
from ui.operations import Failure, Operation
from ui.single_instance import (
    Delivery,
    Handover,
    InstanceServer,
    WindowFront,
    hand_over,
    server_name,
)

if TYPE_CHECKING:
    from ui.crash import CrashHandler
    from ui.main_window import MainWindow

log = logging.getLogger("newsdigest.gui")
Opener = Callable[[str], Library]
WindowMaker = Callable[[Library], "MainWindow"]


def _main_window(library: Library) -> MainWindow:
    from ui.main_window import MainWindow

    return MainWindow(library)


def same_location(typed: str, current: str) -> bool:
    """Whether ``typed`` (as chosen) names the library at ``current`` (as opened)."""
    typed = typed.strip()
    if is_url(typed) or is_url(current):
        return typed == current
    try:
        return Path(typed).expanduser().resolve() == Path(current).resolve()
    except (OSError, RuntimeError):
        return False


def _open_elsewhere(location: str) -> bool:
    """Whether another window has the library file at ``location`` open (it comes to the front).

    Only for a file (a database lets several windows in; a second one on it is harmless).
    """
    if is_url(location):
        return False
    try:
        resolved = str(Path(location).expanduser().resolve())
    except (OSError, RuntimeError):
        return False
    return hand_over(server_name(resolved), Handover()) is Delivery.DELIVERED


def _closes(window: MainWindow) -> bool:
    """Close ``window`` as the user would (the digest saved, or the user asked); whether it did."""
    window.close()
    return window.closed


class WindowSession(QObject):
    """The window on one library at a time, its single-instance server, and the switch."""

    def __init__(
        self,
        app: QApplication,
        *,
        opener: Opener | None = None,
        crash: CrashHandler | None = None,
        make_window: WindowMaker = _main_window,
        executor: concurrent.futures.Executor | None = None,
    ) -> None:
        super().__init__(app)
        self.app = app
        self.opener = opener
        self.crash = crash
        self.make_window = make_window
        self._own_executor = executor is None
        self.executor = executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="newsdigest-open"
        )
        self.window: MainWindow | None = None
        self.library: Library | None = None
        self.server: InstanceServer | None = None
        self.front: WindowFront | None = None
        #: The switch under way (its opening), if one is.
        self.opening: Operation[Library] | None = None

    # -- showing a library ------------------------------------------------------------------------
    def show(
        self,
        library: Library,
        handover: Handover | None = None,
        *,
        location: str = "",
        away_from: str = "",
    ) -> MainWindow:
        """Make and show the window on ``library`` (the session closes the library later).

        ``location`` names the single-instance server (default: the library's own);
        ``away_from`` is the library whose server was away (``library`` is a local one
        opened meanwhile): it stays first in the recent list, so the next start tries it; what
        :meth:`make_window` raises is raised (the caller says the window could not be
        opened, and closes the library).
        """
        window = self.make_window(library)
        self.window, self.library = window, library
        if self.crash is not None:
            self.crash.attach(window, window.save_after_crash)
        if self.opener is not None:
            window.libraries.switcher = self.switch_to
        log.info("window opened on the library %s", library.location)
        window.show()
        self._listen(window, location or library.location)
        remember_library(window.settings, library.location)
        if away_from:
            remember_library(window.settings, away_from)
        window.libraries.fill_recent()
        if handover is not None and handover.sources:  # once the window is up (first run too)
            assert self.front is not None
            self.front.import_sources(handover.sources, delay_ms=WindowFront.RETRY_MS)
        QTimer.singleShot(0, window, window.unsaved.offer)
        return window

    def _listen(self, window: MainWindow, location: str) -> None:
        self._stop_listening()
        self.front = WindowFront(window)
        self.server = InstanceServer(server_name(location), parent=self)
        self.server.received.connect(self.front.present)
        if self.server.listen():
            log.info("second starts on this library come to %s", self.server.full_name())

    # -- switching --------------------------------------------------------------------------------
    def switch_to(self, location: str) -> Operation[Library] | None:
        """Open ``location`` in the window's place (see the module's steps); the opening."""
        window, opener = self.window, self.opener
        if window is None or opener is None or self.opening is not None:
            return None
        location = location.strip()
        if same_location(location, window.library.location):
            window.statusBar().showMessage(f"The library {location} is the one open", 5000)
            return None
        if _open_elsewhere(location):
            window.statusBar().showMessage(
                f"The library {location} is open in another window: brought it to the front",
                8000,
            )
            return None
        window.statusBar().showMessage(f"Opening the library {location}…")
        window.libraries.busy(True)
        operation = Operation(
            lambda: opener(location),
            parent=self,
            executor=self.executor,
            what=f"Opening the library {location}",
        )
        self.opening = operation
        operation.success(self._opened).failure(lambda failure: self._not_opened(location, failure))
        return operation.run_in_background()

    def _not_opened(self, location: str, failure: Failure) -> None:
        self.opening = None
        window = self.window
        if window is None or window.closed:
            return
        window.libraries.busy(False)
        window.statusBar().showMessage(f"Still on the library {window.library.location}", 8000)
        window.show_problem(
            f"{location}\n\n{failure.message}\n\nThe library {window.library.location} stays open.",
            title="Newsdigest cannot open the library",
        )

    def _opened(self, library: Library) -> None:
        self.opening = None
        old_window, old_library = self.window, self.library
        if old_window is None or old_window.closed or old_library is None:  # quit meanwhile
            library.close()
            return
        old_window.libraries.busy(False)
        quits = self.app.quitOnLastWindowClosed()
        self.app.setQuitOnLastWindowClosed(False)  # the new window comes once the old is gone
        try:
            if not _closes(old_window):
                library.close()
                old_window.statusBar().showMessage(
                    f"Still on the library {old_library.location}", 8000
                )
                return
            self._retire(old_window, old_library)
            self._show_new(library, old_library.location)
        finally:
            self.app.setQuitOnLastWindowClosed(quits)

    def _stop_listening(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server.deleteLater()
            self.server = None

    def _retire(self, window: MainWindow, library: Library) -> None:
        self._stop_listening()
        library.close()  # the file's lock is released here
        log.info("the library %s was closed", library.location)
        window.deleteLater()
        self.window = self.library = None

    def _show_new(self, library: Library, previous: str) -> None:
        try:
            self.show(library)
        except Exception as exc:
            log.exception("the window could not be opened on %s", library.location)
            library.close()
            self.window = self.library = None
            QMessageBox.critical(
                None,
                "Newsdigest could not open the window",
                f"The window could not be opened on {library.location}: "
                f"{type(exc).__name__}: {exc}. Newsdigest opens {previous} again.",
            )
            self._reopen(previous)

    def _reopen(self, location: str) -> None:
        assert self.opener is not None
        try:
            self.show(self.opener(location))
        except Exception:
            log.exception("the library %s could not be opened again", location)
            self.app.quit()

    # -- the end ----------------------------------------------------------------------------------
    def close(self) -> None:
        """The app is over: stop listening, close the library (the window is closed already)."""
        self._stop_listening()
        if self.library is not None:
            self.library.close()
            self.library = None
        if self._own_executor and isinstance(self.executor, concurrent.futures.ThreadPoolExecutor):
            self.executor.shutdown(wait=False, cancel_futures=True)
