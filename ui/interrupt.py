"""Ctrl-C in the terminal the window was started from: closed as File → Quit closes it, exit 130.

Qt's event loop runs in C++, so a SIGINT only sets Python's flag: Python runs its
handler the next time it gets control, and the default handler would then raise
:class:`KeyboardInterrupt` inside whatever slot happened to run (the crash dialog). So
:class:`Interrupt` installs a handler of its own (:func:`signal.signal`) and a
:class:`QTimer` every :data:`WAKE_MS` that hands control to Python, which is enough for
the handler to run within that time (on Windows too: a console's Ctrl-C is a SIGINT).

The first Ctrl-C closes the window the way File → Quit does (``close``: the open digest
saved, or the user asked; the session then closes the library and removes the
single-instance server), and the run's exit status becomes :data:`INTERRUPTED` (130, the
command line's). A close the user refuses (a send under way, a digest that cannot be
saved) leaves the window open, and the next Ctrl-C tries again. A second Ctrl-C while
the first is closing (the window asking, or waiting for the message in flight) quits at
once: the event loop ends with 130 and the session closes the library; until the loop
has returned SIGINT has the system's default, so a third one ends a process that hangs.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

log = logging.getLogger("newsdigest.gui")

#: The exit status of a run ended by Ctrl-C (the command line's, see the README).
INTERRUPTED = 130
#: How often Python gets control to run a signal's handler.
WAKE_MS = 200
#: What the first Ctrl-C says in the terminal.
CLOSING = "newsdigest: interrupted: closing the window (Ctrl-C again to quit at once)"


class Interrupt(QObject):
    """SIGINT on the GUI thread: ``close`` the first time, the event loop ended the second."""

    def __init__(
        self,
        app: QCoreApplication,
        close: Callable[[], bool],
        quit_now: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(app)
        self.app = app
        #: Closes the window as File → Quit does; True when it closed.
        self.close = close
        #: Ends the event loops with a status: the app's ``exit``. Tests of this process pass
        #: their own, because ``QCoreApplication.exit`` leaves every event loop started
        #: afterwards returning at once until the app's ``exec`` runs again.
        self.quit_now = quit_now or app.exit
        self.interrupted = False
        self._closing = False
        self._quitting = False
        self._previous: Any = None
        self._timer = QTimer(self, interval=WAKE_MS)
        self._timer.timeout.connect(lambda: None)  # Python runs: a pending handler with it

    def install(self) -> None:
        self._previous = signal.signal(signal.SIGINT, self._heard)
        self._timer.start()

    def uninstall(self) -> None:
        """The previous SIGINT handler back (Python's: a Ctrl-C while the library closes
        is the command line's ``interrupted``, 130)."""
        self._timer.stop()
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        self._previous = None

    def status(self, status: int) -> int:
        """The run's exit status: :data:`INTERRUPTED` once Ctrl-C ended it."""
        return INTERRUPTED if self.interrupted else status

    def _heard(self, signum: int, frame: FrameType | None) -> None:
        """Python's handler: only ask the event loop (never act inside whatever runs now)."""
        if self._closing:
            self._quit_now()
            return
        QTimer.singleShot(0, self, self._close)

    def _close(self) -> None:
        if self._closing:
            return
        self._closing = True
        self.interrupted = True
        print(CLOSING, file=sys.stderr, flush=True)
        log.info("interrupted (Ctrl-C): closing the window")
        try:
            closed = self.close()
        finally:
            self._closing = False
        if not closed and not self._quitting:  # the user kept it open (asked, said no)
            self.interrupted = False
            log.info("interrupted, but the window stayed open")

    def _quit_now(self) -> None:
        log.warning("interrupted again (Ctrl-C): quitting at once")
        self.interrupted = self._quitting = True
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        self.quit_now(INTERRUPTED)


@contextmanager
def interruptible(app: QCoreApplication, close: Callable[[], bool]) -> Iterator[Interrupt]:
    """Ctrl-C closes the window while the block runs (the app's event loop, in :mod:`ui.app`)."""
    interrupt = Interrupt(app, close)
    interrupt.install()
    try:
        yield interrupt
    finally:
        interrupt.uninstall()
