"""The open digest: its model, its undo stack, and autosave into the library.

:class:`DigestDocument` ties together the :class:`~ui.digest_model.DigestModel`
(which holds the digest), a :class:`QUndoStack` of :class:`DigestCommand` s
(each holding the core operations of one edit and their inverses), and the
library, where the digest is saved about a second after the last edit
(:data:`AUTOSAVE_MS`) and whenever :meth:`DigestDocument.save` is called (on
close). Every edit is checked against the digest before it is pushed, so a
command on the stack always applies.

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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from composer.digest.editing import describe, duplicate_digest
from composer.digest.listing import load_digest
from composer.digest.model import Digest
from composer.digest.operations import Operation, apply_all
from composer.errors import DigestConflictError, NewsdigestError
from composer.library.item import NewsItem
from composer.repository import Library
from ui.digest_conflict import ConflictChoice, ask_conflict
from ui.digest_model import DigestModel

AUTOSAVE_MS = 1000
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

    def __init__(self, library: Library, parent: Any = None) -> None:
        super().__init__(parent)
        self.library = library
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
        self._autosave.timeout.connect(self.save)
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
        """Store the open digest in the library now (if it changed since it was last stored)."""
        self._autosave.stop()
        self.flushing.emit()
        self._autosave.stop()  # flushing may have pushed an edit
        digest = self.digest
        if digest is None or not self.dirty:
            return True
        stamped = digest.touched()
        try:
            version = self.library.save_digest(stamped.to_dict(), digest.version)
        except DigestConflictError as conflict:
            return self._resolve(stamped, conflict)
        except NewsdigestError as exc:
            if not self._failing:  # said once; while the library stays away, autosaves are quiet
                self.failed.emit(f"The digest could not be saved: {exc}")
            self._failing = True
            self.save_failed.emit(stamped, exc)
            return False
        self._failing = False
        self._held = False  # these edits are in the library now: nothing waits any more
        self.model.restamp(dataclasses.replace(stamped, version=version))
        self.dirty = False
        self.stack.setClean()
        self.saved.emit()
        return True

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
