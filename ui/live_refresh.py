"""Other officers' changes, live in the window: the library's announcements on the GUI thread.

A shared library (PostgreSQL) tells its listeners when another window or command
changed it (:meth:`composer.repository.Library.watch`, called from a thread of the
store's); a file library never does, and this does nothing there. :class:`LiveRefresh`
subscribes once for the window, carries each :class:`~composer.repository.LibraryChange`
to the GUI thread with a signal (a queued connection), and gathers a burst of them for
:data:`GATHER_MS` into one refresh:

- items: the library pane reads them again (:meth:`ui.library_pane.LibraryPane.reload_items`);
- digests: the digest flow looks at the open digest again (reloaded, or the notice that
  offers Reload or Keep mine) and refills an Open dialog on screen
  (:meth:`ui.digest_flow.DigestFlow.changed_elsewhere`);
- settings: the window reads them again and what shows them follows
  (:meth:`ui.theme_setup.ThemeSetup.changed_elsewhere`): the theme (the preview rendered
  again, the category order, the layout picker's default), the export profiles, the
  sending settings of a Send dialog not sending. A settings dialog open on a part that
  changed is not overwritten under the user's hands (what they typed stays): a notice
  at its top says so (:func:`tell_changed_under`), and the user decides (OK writes their
  part over the other officer's, Cancel keeps theirs);
- send logs: a Send dialog open on that digest, and not sending itself, reads the log
  again, its counts and the plan of a next run
  (:meth:`ui.sending.SendController.send_log_changed`).

What changed is always read from the library (through the window's library thread),
never taken from the announcement.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QDialog, QLabel

from composer.repository import LibraryChange

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("newsdigest.window")

#: How long changes are gathered before the window refreshes once for all of them.
GATHER_MS = 150


class LiveRefresh(QObject):
    """The window's one subscription to its library's changes."""

    #: A change, emitted on the store's thread and received on the GUI thread.
    arrived = Signal(object)
    #: A gathered burst was handed on (tests wait for it): the changes, in order.
    refreshed = Signal(list)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.stopped = False
        self._pending: list[LibraryChange] = []
        self._timer = QTimer(self, singleShot=True, interval=GATHER_MS)
        self._timer.timeout.connect(self.apply)
        self.arrived.connect(self._gather, Qt.ConnectionType.QueuedConnection)
        self._stop = window.library.watch(self._heard)

    def _heard(self, change: LibraryChange) -> None:
        """On the store's thread: hand the change over (dropped once the window is gone)."""
        with contextlib.suppress(RuntimeError):  # the window was deleted meanwhile
            self.arrived.emit(change)

    def _gather(self, change: LibraryChange) -> None:
        if self.stopped:
            return
        self._pending.append(change)
        if not self._timer.isActive():  # the first of a burst: the refresh comes after it
            self._timer.start()

    def apply(self) -> None:
        """Refresh what the gathered changes touch, once each."""
        self._timer.stop()
        changes, self._pending = self._pending, []
        if self.stopped or not changes:
            return
        log.info("changes made elsewhere: %s", ", ".join(sorted({c.kind for c in changes})))
        if any(change.kind == "items" for change in changes):
            self.window.library_pane.reload_items()
        digests = [change for change in changes if change.kind == "digest"]
        if digests:
            self.window.digests.changed_elsewhere(digests)
        if any(change.kind == "settings" for change in changes):
            self.window.theme_setup.changed_elsewhere()
        send_logs = {change.digest_id for change in changes if change.kind == "send_log"}
        if send_logs:
            self.window.sending.send_log_changed(send_logs)
        self.refreshed.emit(changes)

    def stop(self) -> None:
        """No more changes (the window is closing); twice is fine."""
        if self.stopped:
            return
        self.stopped = True
        self._timer.stop()
        self._pending = []
        self._stop()


#: The notice's object name (one per dialog: a second change rewords it).
NOTICE_NAME = "changed-elsewhere"


def tell_changed_under(dialog: QDialog, what: str) -> QLabel:
    """Say at the top of ``dialog`` that another officer changed ``what`` while it was open.

    Nothing the user typed is replaced: OK saves what the dialog shows, over the other
    officer's change; Cancel keeps theirs.
    """
    label = dialog.findChild(QLabel, NOTICE_NAME)
    if label is None:
        label = QLabel(dialog)
        label.setObjectName(NOTICE_NAME)
        label.setWordWrap(True)
        label.setAccessibleName("Changed elsewhere")
        label.setStyleSheet(
            "background: #fff4ce; color: #4d3800; border: 1px solid #e0b400; padding: 6px;"
        )
        layout = dialog.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, label)
    label.setText(
        f"⚠ Another officer changed {what} while this dialog was open. OK saves what this "
        "dialog shows, over their change; Cancel keeps theirs (open the dialog again to see "
        "them)."
    )
    label.show()
    return label
