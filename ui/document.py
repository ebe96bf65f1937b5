"""The open digest: its model, its undo stack, and autosave into the library.

:class:`DigestDocument` ties together the :class:`~ui.digest_model.DigestModel`
(which holds the digest), a :class:`QUndoStack` of :class:`DigestCommand` s
(each holding the core operations of one edit and their inverses), and the
library, where the digest is saved about a second after the last edit
(:data:`AUTOSAVE_MS`) and whenever :meth:`DigestDocument.save` is called (on
close). Every edit is checked against the digest before it is pushed, so a
command on the stack always applies.

The autosave runs in the background, on the window's library worker (the ``runner``,
:meth:`ui.operations.Workers.library_op`; without one, at once): a team server that
stops answering never freezes the typing. The digest is taken on the GUI thread (stamped,
with the version it is based on), and the outcome comes back there: saved, the digest
takes the new version and stamp only (edits typed meanwhile stay, unsaved, and the next
autosave saves them on that version); refused for a newer version, the conflict below,
with every edit made since; failed, :attr:`~DigestDocument.save_failed` with the latest
edits. One save is in flight at a time; an autosave due meanwhile goes when it lands.
:meth:`~DigestDocument.save` (close, opening another digest, File → Save) stays
synchronous: it waits for the save in flight (at most :data:`SAVE_WAIT_S`, longer than
the library's own timeouts), takes its version, then saves what is left, saying a
failure or asking about a conflict once.

A save is based on the version the digest was loaded (or last saved) at: when
someone saved it since (another officer, on a shared library), the library refuses
it and the user chooses (:mod:`ui.digest_conflict`) to reload their version or to
keep these edits as a new digest. A digest is never overwritten silently.

When the window already knows the digest was changed elsewhere while edits here are
unsaved (the notice of :mod:`ui.digest_flow` is up), the autosave is *held*
(:meth:`DigestDocument.hold_autosave`): edits go on into the undo stack, unsaved, and
no autosave is refused and asked about meanwhile; the answer in the notice then
applies to all of them. An explicit :meth:`~DigestDocument.save` (closing, opening
another digest, File → Save) still saves, through the conflict path as always. Showing
another digest (or their version, or the copy) releases the hold.

A save that fails, whether the library refused it or the conflict's answer could not
be carried out (their version unreadable, the copy refused), emits
:attr:`DigestDocument.save_failed` with these edits, so they can be kept on this
computer (:mod:`ui.unsaved_edits`).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from composer.digest.editing import describe, duplicate_digest
from composer.digest.listing import load_digest
from composer.digest.model import Digest
from composer.digest.operations import Operation, apply_all
from composer.errors import DigestConflictError, LibraryUnreachableError, NewsdigestError
from composer.library.item import NewsItem
from composer.repository import Library
from ui.digest_conflict import ConflictChoice, ask_conflict
from ui.digest_model import DigestModel
from ui.operations import Operation as BackgroundOp
from ui.operations import SynchronousExecutor

log = logging.getLogger("newsdigest.window")

AUTOSAVE_MS = 1000
#: How long a save asked for now waits for the autosave in flight: longer than a library's
#: own timeouts (a team library waits 15 s for a connection, 30 s for a statement).
SAVE_WAIT_S = 60.0
#: What a background save is called in the log.
SAVING = "Saving the digest"
#: Runs a save's call off the GUI thread, as :meth:`ui.operations.Workers.library_op` does:
#: ``runner(call, parent=..., what=...)`` gives the operation, not yet started.
SaveRunner = Callable[..., BackgroundOp[None]]


@dataclasses.dataclass(eq=False)
class _Flight:
    """One autosave in the background: what was sent, and (once its call returned) how it went."""

    #: The digest as sent, stamped; its version the one the save is based on.
    sent: Digest
    #: The document's count of edits when it was taken (more since: they are still unsaved).
    edits: int
    operation: BackgroundOp[None] | None = None
    #: Set on the worker when the call returned: the new version, or the error.
    version: int | None = None
    error: BaseException | None = None
    done: bool = False


_MERGE_ID = 0x4E44  # commands with the same merge key (typing in one field) become one


class DigestCommand(QUndoCommand):
    """One undoable edit: core operations applied through the model, and their inverses."""

    def __init__(
        self,
        model: DigestModel,
        operations: Sequence[Operation],
        text: str,
        merge_key: str | None = None,
    ) -> None:
        super().__init__(text)
        self._model = model
        self.operations = list(operations)
        self.inverses: list[Operation] = []
        self.merge_key = merge_key

    def redo(self) -> None:
        self.inverses = self._model.apply_all(self.operations)

    def undo(self) -> None:
        self._model.apply_all(self.inverses)

    def id(self) -> int:
        return _MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, DigestCommand) or other.merge_key != self.merge_key:
            return False
        self.operations += other.operations
        self.inverses = other.inverses + self.inverses
        return True


class DigestDocument(QObject):
    """The digest being edited, its history, and its saving."""

    #: A digest was opened (or closed: ``None``).
    opened = Signal(object)
    #: The open digest changed (an edit, an undo or a redo).
    changed = Signal()
    #: The digest was saved to the library.
    saved = Signal()
    #: Something went wrong (a message for the user).
    failed = Signal(str)
    #: A save failed (the library refused it, not for a conflict; or a conflict's answer could
    #: not be carried out): the digest as it was to be saved (its version the one it started
    #: from) and the error (:mod:`ui.unsaved_edits` keeps it).
    save_failed = Signal(object, object)
    #: About to save: editors with text not yet pushed push it now.
    flushing = Signal()

    def __init__(
        self, library: Library, parent: Any = None, *, runner: SaveRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        #: Runs the autosave's library call (the window's library worker; here, at once).
        self._runner: SaveRunner = runner or _run_here
        #: The autosave in the background, until its outcome is applied (one at a time).
        self._flight: _Flight | None = None
        #: The autosave timer ran out while one was in flight: the next goes when it lands.
        self._due = False
        #: Edits made (and undone, redone) since the digest was shown: what a save covered.
        self._edits = 0
        self.model = DigestModel(self)
        self.model.submit_operations = self.submit
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(500)
        self.dirty = False
        #: Autosave is held (:meth:`hold_autosave`): edits wait for an answer or a save.
        self._held = False
        #: The last save failed (the library away): the next failures are not said again.
        self._failing = False
        self._autosave = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave.timeout.connect(self._autosave_due)
        self.model.edited.connect(self._edited)
        #: Asks what to do when a save is refused for a newer version (tests replace it).
        self.resolve_conflict: Callable[[DigestConflictError], ConflictChoice] = lambda conflict: (
            ask_conflict(conflict, self.parent())
        )

    @property
    def digest(self) -> Digest | None:
        return self.model.digest

    @property
    def lookup(self) -> Mapping[str, NewsItem]:
        return self.model.lookup

    # -- opening --------------------------------------------------------------------------------
    def open(self, digest: Digest | None, *, save: bool = False) -> None:
        """Show ``digest`` (saving the one open before); ``save`` stores the new one at once."""
        if self.digest is not None:
            self.save()  # pushes text typed but not committed yet, writes if anything changed
        self._show(digest, save=save)

    def _show(self, digest: Digest | None, *, save: bool = False) -> None:
        """Make ``digest`` the open one, with a history of its own (``save``: store it now)."""
        self._held = False  # the hold was about the digest open before
        self.stack.clear()
        self.model.set_digest(digest)
        self.dirty = False
        if digest is not None and save:
            self.dirty = True
            self.save()
        self.opened.emit(digest)

    def close_without_saving(self) -> None:
        """Close the digest and forget unsaved changes (it is being deleted)."""
        self._autosave.stop()
        if not self._settle():  # an autosave in flight lands first: never after a delete
            self._flight = None  # no answer in time: its outcome is not wanted any more
        self._held = False
        self.dirty = False
        self.stack.clear()
        self.model.set_digest(None)
        self.opened.emit(None)

    # -- editing --------------------------------------------------------------------------------
    def submit(
        self, operations: Sequence[Operation], *, text: str | None = None, merge_key: str = ""
    ) -> bool:
        """Check and push one undoable edit; ``False`` (and a message) when it cannot apply."""
        digest = self.digest
        if digest is None or not operations:
            return False
        try:
            apply_all(digest, list(operations))  # pure: nothing changes if it fails
            label = text or describe(operations, digest, self.lookup)
        except NewsdigestError as exc:
            self.failed.emit(str(exc))
            return False
        self.stack.push(DigestCommand(self.model, operations, label, merge_key or None))
        return True

    def _edited(self) -> None:
        self.dirty = True
        self._edits += 1
        if not self._held:
            self._autosave.start()
        self.changed.emit()

    # -- holding the autosave -------------------------------------------------------------------
    @property
    def autosave_held(self) -> bool:
        """Whether edits wait (unsaved) instead of being autosaved: see :meth:`hold_autosave`."""
        return self._held

    def hold_autosave(self) -> None:
        """No autosave until :meth:`release_autosave` or another digest is shown.

        For while the user is being asked, without a modal box, about a newer version
        saved elsewhere: edits go on into the undo stack (marked unsaved) instead of into
        saves the library would refuse. :meth:`save` itself still saves.
        """
        self._held = True
        self._due = False
        self._autosave.stop()

    def release_autosave(self) -> None:
        """Autosave again: edits made while held are saved :data:`AUTOSAVE_MS` from now."""
        if not self._held:
            return
        self._held = False
        if self.digest is not None and self.dirty:
            self._autosave.start()

    # -- saving ---------------------------------------------------------------------------------
    def save(self) -> bool:
        """Store the open digest in the library now (if it changed since it was last stored).

        An autosave in flight is waited for first and its outcome applied (its new version
        taken; its conflict or failure left to this save, which meets it again and says it
        once); then what is left is saved, here, before this returns.
        """
        self._autosave.stop()
        self.flushing.emit()
        self._autosave.stop()  # flushing may have pushed an edit
        settled = self._settle()
        digest = self.digest
        if not settled and digest is not None:
            return self._failed_save(digest.touched(), _no_answer())  # kept on this computer
        if digest is None or not self.dirty:
            return True
        stamped = digest.touched()
        try:
            version = self.library.save_digest(stamped.to_dict(), digest.version)
        except DigestConflictError as conflict:
            return self._resolve(stamped, conflict)
        except NewsdigestError as exc:
            return self._failed_save(stamped, exc)
        self._failing = False
        self._held = False  # these edits are in the library now: nothing waits any more
        self.model.restamp(dataclasses.replace(stamped, version=version))
        self.dirty = False
        self.stack.setClean()
        self.saved.emit()
        return True

    def _unsaved(self) -> Digest:
        """The open digest as a save would send it now (every edit in it), for keeping."""
        digest = self.digest
        assert digest is not None
        return digest.touched()

    def _failed_save(self, stamped: Digest, exc: NewsdigestError) -> bool:
        """The library refused ``stamped``: said once while it stays away; handed on to keep."""
        if not self._failing:  # said once; while the library stays away, autosaves are quiet
            self.failed.emit(f"The digest could not be saved: {exc}")
        self._failing = True
        self.save_failed.emit(stamped, exc)
        return False

    # -- the autosave, in the background --------------------------------------------------------
    @property
    def saving(self) -> bool:
        """An autosave is in flight (its outcome not applied yet)."""
        return self._flight is not None

    def _autosave_due(self) -> None:
        """The autosave timer ran out: save in the background, after the save in flight."""
        if self._flight is not None:
            self._due = True
        else:
            self._save_in_background()

    def _save_in_background(self) -> None:
        """Send the open digest, taken now, to the library off the GUI thread."""
        self._due = False
        self.flushing.emit()
        self._autosave.stop()  # flushing may have pushed an edit: it goes with this save
        digest = self.digest
        if digest is None or not self.dirty or self._held:
            return
        stamped = digest.touched()
        data, base, library = stamped.to_dict(), digest.version, self.library
        flight = self._flight = _Flight(stamped, self._edits)

        def call() -> None:  # on the library worker: records how it went, raises nothing
            try:
                flight.version = library.save_digest(data, base)
            except Exception as exc:
                flight.error = exc
            finally:
                flight.done = True

        operation = flight.operation = self._runner(call, parent=self, what=SAVING)
        operation.success(lambda _none: self._landed(flight))
        operation.run_in_background()
        if operation.finished and self._flight is flight:  # never ran: the window is closing
            self._flight = None

    def _settle(self) -> bool:
        """Wait for the autosave in flight and apply its new version; False: no answer in time.

        Its conflict or failure is not applied: the save that waited meets it itself.
        """
        flight = self._flight
        if flight is None:
            return True
        if flight.operation is not None and not flight.operation.wait(SAVE_WAIT_S):
            return False  # still in the library's hands: the lock is not to be waited for
        self._flight = None
        self._due = False
        if flight.done and flight.error is None:
            self._took(flight)
        elif flight.error is not None and not isinstance(flight.error, NewsdigestError):
            log.error("the autosave failed", exc_info=flight.error)
        return True

    def _landed(self, flight: _Flight) -> None:
        """An autosave's outcome, on the GUI thread (unless a save that waited took it)."""
        if flight is not self._flight:
            return  # applied by a save that waited for it, or the digest was closed
        self._flight = None
        error = flight.error
        if error is None:
            self._took(flight)
            if self._due and self.dirty and not self._held:  # edits made meanwhile
                self._save_in_background()
            return
        self._due = False
        if isinstance(error, DigestConflictError):
            if not self._held and self.digest is not None:  # held: the notice's answer decides
                self._autosave.stop()
                self._resolve(self._unsaved(), error)  # every edit, those typed meanwhile too
        elif isinstance(error, NewsdigestError):
            if self.digest is not None:
                self._failed_save(self._unsaved(), error)  # the latest edits are kept
        else:  # a bug: the crash handler shows it (and saves the digest)
            sys.excepthook(type(error), error, error.__traceback__)

    def _took(self, flight: _Flight) -> None:
        """The library took ``flight``: the digest is at its version, clean if nothing since."""
        digest = self.digest
        version = flight.version
        if digest is None or digest.id != flight.sent.id or version is None:
            return
        self._failing = False
        self._held = False  # what waited is in the library now (as in save)
        sent = flight.sent
        self.model.restamp(
            dataclasses.replace(digest, version=version, updated=sent.updated, created=sent.created)
        )
        if self._edits == flight.edits:
            self.dirty = False
            self.stack.setClean()
        self.saved.emit()

    def _resolve(self, mine: Digest, conflict: DigestConflictError) -> bool:
        """Someone saved the digest since: show theirs, or keep ``mine`` as a new digest.

        When the answer cannot be carried out, the edits stay open and unsaved, and
        :attr:`save_failed` hands ``mine`` on to be kept on this computer.
        """
        if self.resolve_conflict(conflict) == "reload":
            try:
                theirs = load_digest(self.library, mine.id)
            except NewsdigestError as exc:
                self.failed.emit(f"Their version of the digest could not be read: {exc}")
                self.save_failed.emit(mine, exc)
                return False
            if theirs is not None:
                self._show(theirs)
                return True
        copy = duplicate_digest(mine, f"{mine.title} (my copy)").touched()
        try:
            version = self.library.save_digest(copy.to_dict(), expected_version=0)
        except NewsdigestError as exc:  # the edits stay open and unsaved: nothing is lost
            self.failed.emit(f"Your copy of the digest could not be saved: {exc}")
            self.save_failed.emit(mine, exc)
            return False
        self._show(dataclasses.replace(copy, version=version))
        self.saved.emit()
        return True

    @property
    def autosave_pending(self) -> bool:
        return self._autosave.isActive()


def _run_here(call: Callable[[], None], *, parent: QObject, what: str) -> BackgroundOp[None]:
    """The runner of a document without a window's workers: the call runs at once, here."""
    return BackgroundOp(call, parent=parent, executor=_HERE, what=what)


_HERE = SynchronousExecutor()


def _no_answer() -> LibraryUnreachableError:
    return LibraryUnreachableError(
        f"the library did not answer the autosave in {SAVE_WAIT_S:.0f} s",
        "the library did not answer in time: its server is down, or the network to it is",
    )
