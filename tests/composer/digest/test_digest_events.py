"""The evented digest: a view kept only from its events always shows the digest.

A mirror that changes its rows only on ``inserted``/``removed``/``moved``/``changed``/
``reset`` (reading the new row's content the way a Qt model reads ``data()``) must
equal the digest after every operation, undo and redo; and the first event of each
pair must come while the document still holds the digest as it was.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_digest_operations import digests, operations

from composer.digest.events import Event, EventedDigest
from composer.digest.model import Digest, Override, Section, make_digest
from composer.digest.operations import (
    AddItem,
    AddSection,
    MoveItem,
    MoveSection,
    Operation,
    RemoveItem,
    RemoveSection,
    RenameSection,
    SetField,
    SetOverride,
)
from composer.errors import ValidationError

Rows = list[tuple[str, list[str]]]  # (category, item ids) per section


def structure(digest: Digest | None) -> Rows:
    if digest is None:
        return []
    return [(s.category, list(s.item_ids)) for s in digest.sections]


class Mirror:
    """What a view would show, changed by the events alone; records every event."""

    def __init__(self, document: EventedDigest) -> None:
        self.document = document
        self.rows: Rows = structure(document.digest)
        self.log: list[tuple[object, ...]] = []
        events = document.events
        for name in ("inserting", "removing", "moving", "resetting"):
            getattr(events, name).connect(self._before(name))
        events.inserted.connect(self._inserted)
        events.removed.connect(self._removed)
        events.moved.connect(self._moved)
        events.changed.connect(self._changed)
        events.reset.connect(self._reset)
        events.edited.connect(lambda: self.log.append(("edited",)))

    def _before(self, name: str) -> Callable[..., None]:
        def check(*args: object) -> None:
            assert self.rows == structure(self.document.digest), f"{name}: not the old digest"
            self.log.append((name, *args))

        return check

    def _digest(self) -> Digest:
        digest = self.document.digest
        assert digest is not None
        return digest

    def _inserted(self, parent: int | None, row: int) -> None:
        self.log.append(("inserted", parent, row))
        sections = self._digest().sections
        if parent is None:
            self.rows.insert(row, (sections[row].category, list(sections[row].item_ids)))
        else:
            self.rows[parent][1].insert(row, sections[parent].item_ids[row])

    def _removed(self, parent: int | None, row: int) -> None:
        self.log.append(("removed", parent, row))
        if parent is None:
            del self.rows[row]
        else:
            del self.rows[parent][1][row]

    def _moved(
        self, from_parent: int | None, from_row: int, to_parent: int | None, to_row: int
    ) -> None:
        self.log.append(("moved", from_parent, from_row, to_parent, to_row))
        if from_parent is None:
            self.rows.insert(to_row, self.rows.pop(from_row))
        else:
            assert to_parent is not None
            self.rows[to_parent][1].insert(to_row, self.rows[from_parent][1].pop(from_row))

    def _changed(self, parent: int | None, rows: tuple[int, ...]) -> None:
        self.log.append(("changed", parent, rows))
        sections = self._digest().sections
        if parent is None:  # a section's heading (or its count) shows anew
            for row in rows:
                self.rows[row] = (sections[row].category, self.rows[row][1])

    def _reset(self) -> None:
        self.log.append(("reset",))
        self.rows = structure(self.document.digest)


def _two_sections() -> Digest:
    return make_digest(
        digest_id="d-ev",
        title="Digest",
        sections=[Section("A", ("a1", "a2", "a3")), Section("B", ("b1",))],
        overrides={"a2": Override(title="Own")},
    )


@settings(max_examples=300, deadline=None)
@given(digests(), st.lists(operations, max_size=12))
def test_a_view_kept_from_the_events_shows_the_digest(start: Digest, ops: list[Operation]) -> None:
    document = EventedDigest(start)
    mirror = Mirror(document)
    undo: list[Operation] = []
    for op in ops:
        before = document.digest
        try:
            undo.append(document.apply(op))
        except ValidationError:
            assert document.digest is before  # refused: nothing changed, nothing emitted
            continue
        assert mirror.rows == structure(document.digest)
    for inverse in reversed(undo):
        document.apply(inverse)
        assert mirror.rows == structure(document.digest)
    assert document.digest == start


def test_each_operation_states_its_rows() -> None:
    cases: list[tuple[Operation, list[tuple[object, ...]]]] = [
        (AddItem("n1", 1, 0), [("inserting", 1, 0), ("inserted", 1, 0), ("changed", None, (1,))]),
        (RemoveItem(0, 2), [("removing", 0, 2), ("removed", 0, 2), ("changed", None, (0,))]),
        (
            MoveItem(0, 0, 1, 1),
            [
                ("moving", 0, 0, 1, 1),
                ("moved", 0, 0, 1, 1),
                ("changed", None, (0,)),
                ("changed", None, (1,)),
            ],
        ),
        (MoveItem(0, 1, 0, 1), []),  # where it already is: no row moves
        (AddSection(1, "C"), [("inserting", None, 1), ("inserted", None, 1)]),
        (RemoveSection(0), [("removing", None, 0), ("removed", None, 0)]),
        (MoveSection(1, 0), [("moving", None, 1, None, 0), ("moved", None, 1, None, 0)]),
        (MoveSection(1, 1), []),
        (RenameSection(1, "Bee"), [("changed", None, (1,))]),
        (SetOverride("a2", "title", None), [("changed", 0, (1,))]),
        (SetField("title", "Another"), []),
    ]
    for op, expected in cases:
        document = EventedDigest(_two_sections())
        mirror = Mirror(document)
        document.apply(op)
        assert mirror.log == [*expected, ("edited",)], op
        assert mirror.rows == structure(document.digest)


def test_an_operation_without_row_changes_resets_the_view() -> None:
    class Retitle(Operation):
        def apply(self, digest: Digest) -> tuple[Digest, Operation]:
            changed, _ = SetField("title", "Renamed").apply(digest)
            return changed, SetField("title", digest.title)

    document = EventedDigest(_two_sections())
    mirror = Mirror(document)
    document.apply(Retitle())
    assert mirror.log == [("resetting",), ("reset",), ("edited",)]
    assert document.digest is not None and document.digest.title == "Renamed"


def test_opening_closing_and_refusals() -> None:
    document = EventedDigest()
    mirror = Mirror(document)
    with pytest.raises(ValidationError, match="no digest is open"):
        document.apply(SetField("title", "x"))
    document.set_digest(_two_sections())
    assert mirror.rows == structure(document.digest)
    mirror.log.clear()
    with pytest.raises(ValidationError):
        document.apply(RemoveItem(1, 5))
    assert mirror.log == []  # refused before any event
    saved = _two_sections()
    document.restamp(saved.touched("2024-01-01T00:00:00+00:00"))
    assert document.digest is not None and document.digest.updated.startswith("2024")
    assert mirror.log == []  # a saved copy: nothing to show anew
    inverses = document.apply_all([AddItem("n1", 0, 0), AddItem("n2", 0, 0)])
    assert inverses == [RemoveItem(0, 0), RemoveItem(0, 0)]
    document.set_digest(None)
    assert mirror.rows == [] and mirror.log[-2:] == [("resetting",), ("reset",)]


def test_events_call_each_callback_in_order_until_disconnected() -> None:
    heard: list[str] = []
    event: Event[[str]] = Event()

    def first(text: str) -> None:
        heard.append(f"first {text}")

    event.connect(first)
    event.connect(lambda text: heard.append(f"second {text}"))
    event.emit("one")
    event.disconnect(first)
    event.disconnect(first)  # not connected any more: nothing happens
    event.emit("two")
    assert heard == ["first one", "second one", "second two"]
