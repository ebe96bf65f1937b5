"""The open digest as an evented document: every change says which rows it touches.

A view of a digest (the window's tree of sections and items) must know, around
each change, which rows appear, go, move or show new text. :class:`EventedDigest`
holds the digest being edited, applies :mod:`composer.digest.operations` to it
(edits, undos and redos alike) and emits, for each, the row changes the
operation states (:meth:`~composer.digest.operations.Operation.changes`):

* ``inserting(parent, row)`` then ``inserted(parent, row)``;
* ``removing(parent, row)`` then ``removed(parent, row)``;
* ``moving(from_parent, from_row, to_parent, to_row)`` then ``moved(...)``, with
  ``to_row`` counted after the row left its place (as the operations count it);
* ``changed(parent, rows)``: those rows show something new (a count, a title);
* ``resetting()`` then ``reset()``: another digest, or a change too large to list;
* ``edited()``: after every change made by an operation.

``parent`` is ``None`` for the rows of the sections and a section's index for
the rows of its items. The first event of each pair comes while the document
still holds the digest as it was, the second once it holds the new one, so a
Qt model can call ``beginInsertRows``/``endInsertRows`` from them (compare
napari's evented list and ``_base_item_model``). Pure Python: no Qt here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, ParamSpec

from composer.digest.model import Digest
from composer.digest.operations import (
    Changed,
    Inserted,
    Moved,
    Operation,
    Parent,
    Removed,
    Reset,
    RowChange,
)
from composer.errors import ValidationError

P = ParamSpec("P")


class Event(Generic[P]):
    """Callbacks called, in the order connected, each time the event is emitted."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[P, object]] = []

    def connect(self, callback: Callable[P, object]) -> Callable[P, object]:
        """Call ``callback`` on every emit (connecting it twice calls it twice)."""
        self._callbacks.append(callback)
        return callback

    def disconnect(self, callback: Callable[P, object]) -> None:
        """Stop calling ``callback`` (nothing happens if it was not connected)."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for callback in list(self._callbacks):
            callback(*args, **kwargs)


class DigestEvents:
    """The events of an :class:`EventedDigest` (see the module's documentation)."""

    def __init__(self) -> None:
        self.inserting: Event[[Parent, int]] = Event()
        self.inserted: Event[[Parent, int]] = Event()
        self.removing: Event[[Parent, int]] = Event()
        self.removed: Event[[Parent, int]] = Event()
        self.moving: Event[[Parent, int, Parent, int]] = Event()
        self.moved: Event[[Parent, int, Parent, int]] = Event()
        self.changed: Event[[Parent, tuple[int, ...]]] = Event()
        self.resetting: Event[[]] = Event()
        self.reset: Event[[]] = Event()
        self.edited: Event[[]] = Event()


class EventedDigest:
    """The digest being edited (or ``None``); changed only by operations, with events."""

    def __init__(self, digest: Digest | None = None) -> None:
        self.events = DigestEvents()
        self._digest = digest

    @property
    def digest(self) -> Digest | None:
        return self._digest

    def set_digest(self, digest: Digest | None) -> None:
        """Hold another digest (or none): a reset."""
        self.events.resetting.emit()
        self._digest = digest
        self.events.reset.emit()

    def restamp(self, digest: Digest) -> None:
        """Take the saved copy of the digest held (same content, new timestamps): no event."""
        if self._digest is not None and digest.id == self._digest.id:
            self._digest = digest

    def apply(self, operation: Operation) -> Operation:
        """Apply ``operation`` with its events; returns its inverse.

        Raises :class:`~composer.errors.ValidationError` (and emits nothing) when no
        digest is held or the operation cannot apply.
        """
        if self._digest is None:
            raise ValidationError("digest", "no digest is open")
        new, inverse = operation.apply(self._digest)  # raises before anything changed
        changes = operation.changes(self._digest)
        rows = [change for change in changes if not isinstance(change, Changed)]
        if len(rows) > 1 or any(isinstance(change, Reset) for change in rows):
            self.set_digest(new)  # more than one row change at once: shown from scratch
        else:
            for row in rows:
                self._before(row)
            self._digest = new
            for row in rows:
                self._after(row)
            for shown in changes:
                if isinstance(shown, Changed):
                    self.events.changed.emit(shown.parent, shown.rows)
        self.events.edited.emit()
        return inverse

    def apply_all(self, operations: Iterable[Operation]) -> list[Operation]:
        """Apply operations in order; returns their inverses in undo order."""
        inverses = [self.apply(operation) for operation in operations]
        inverses.reverse()
        return inverses

    def _before(self, change: RowChange) -> None:
        if isinstance(change, Inserted):
            self.events.inserting.emit(change.parent, change.row)
        elif isinstance(change, Removed):
            self.events.removing.emit(change.parent, change.row)
        elif isinstance(change, Moved):
            self.events.moving.emit(*change.rows)

    def _after(self, change: RowChange) -> None:
        if isinstance(change, Inserted):
            self.events.inserted.emit(change.parent, change.row)
        elif isinstance(change, Removed):
            self.events.removed.emit(change.parent, change.row)
        elif isinstance(change, Moved):
            self.events.moved.emit(*change.rows)
