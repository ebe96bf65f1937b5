"""Editing operations: each returns its inverse, and moving never loses or duplicates an item."""

from __future__ import annotations

import contextlib
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    apply_all,
)
from composer.errors import ValidationError

CATEGORIES = ["In Focus", "Project News", "Press Release", "Expert Voice", "Events"]
POOL = [f"u-{n:016x}" for n in range(12)]


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    count = draw(st.integers(1, 4))
    categories = draw(st.permutations(CATEGORIES))[:count]
    ids = draw(st.permutations(POOL))
    cuts = sorted(draw(st.lists(st.integers(0, 8), min_size=count - 1, max_size=count - 1)))
    used = ids[: draw(st.integers(0, 8))]
    bounds = [0, *[min(c, len(used)) for c in cuts], len(used)]
    sections = [
        Section(categories[i], tuple(used[bounds[i] : bounds[i + 1]])) for i in range(count)
    ]
    overrides = {
        item_id: Override(title=f"Own title {item_id[-2:]}")
        for item_id in used
        if draw(st.booleans())
    }
    return make_digest(digest_id="d-prop", title="Digest", sections=sections, overrides=overrides)


small = st.integers(-1, 9)
operations = st.one_of(
    st.builds(AddItem, st.sampled_from(POOL), small, small),
    st.builds(RemoveItem, small, small),
    st.builds(MoveItem, small, small, small, small),
    st.builds(AddSection, small, st.sampled_from([*CATEGORIES, "New"])),
    st.builds(RemoveSection, small),
    st.builds(MoveSection, small, small),
    st.builds(RenameSection, small, st.sampled_from([*CATEGORIES, "Renamed", ""])),
    st.builds(
        SetOverride,
        st.sampled_from(POOL),
        st.sampled_from(["title", "summary", "date"]),
        st.sampled_from([None, "", "  New   text ", "Other"]),
    ),
    st.builds(
        SetField,
        st.sampled_from(["title", "period", "preheader", "intro", "id"]),
        st.sampled_from(["", "New title", "2023-02", "  spaced  "]),
    ),
)


def _invariants(digest: Digest) -> None:
    ids = digest.item_ids()
    assert len(ids) == len(set(ids)), "an item is in the digest twice"
    assert set(digest.overrides) <= set(ids), "an override outlived its item"
    categories = [s.category.casefold() for s in digest.sections]
    assert len(categories) == len(set(categories))


@settings(max_examples=300, deadline=None)
@given(digests(), st.lists(operations, max_size=12))
def test_every_operation_is_undone_by_its_inverse(start: Digest, ops: list[Operation]) -> None:
    digest = start
    undo: list[tuple[Digest, Operation]] = []
    for op in ops:
        try:
            changed, inverse = op.apply(digest)
        except ValidationError:
            continue  # refused, and nothing changed
        _invariants(changed)
        restored, redo = inverse.apply(changed)
        assert restored == digest
        assert redo.apply(restored)[0] == changed
        if isinstance(op, MoveItem):
            assert Counter(changed.item_ids()) == Counter(digest.item_ids())
            assert changed.overrides == digest.overrides
        undo.append((digest, inverse))
        digest = changed
    for before, inverse in reversed(undo):
        digest, _ = inverse.apply(digest)
        assert digest == before
    assert digest == start


@settings(max_examples=200, deadline=None)
@given(digests(), st.lists(st.tuples(small, small, small, small), max_size=20))
def test_moves_never_lose_or_duplicate_items(start: Digest, moves: list[tuple[int, ...]]) -> None:
    digest = start
    for a, b, c, d in moves:
        with contextlib.suppress(ValidationError):
            digest, _ = MoveItem(a, b, c, d).apply(digest)
        assert Counter(digest.item_ids()) == Counter(start.item_ids())
        assert [s.category for s in digest.sections] == [s.category for s in start.sections]


def _two_sections() -> Digest:
    return make_digest(
        digest_id="d-1",
        title="T",
        sections=[Section("A", ("u-1", "u-2", "u-3")), Section("B", ("u-4",))],
        overrides={"u-2": Override(summary="own")},
    )


def test_move_positions_count_after_removal() -> None:
    digest = _two_sections()
    moved, inverse = MoveItem(0, 0, 0, 2).apply(digest)
    assert moved.sections[0].item_ids == ("u-2", "u-3", "u-1")
    assert inverse == MoveItem(0, 2, 0, 0)
    across, _ = MoveItem(0, 1, 1, 1).apply(digest)
    assert across.sections[0].item_ids == ("u-1", "u-3")
    assert across.sections[1].item_ids == ("u-4", "u-2")
    assert across.overrides == digest.overrides


def test_remove_drops_the_override_and_undo_restores_it() -> None:
    digest = _two_sections()
    removed, inverse = RemoveItem(0, 1).apply(digest)
    assert "u-2" not in removed.overrides
    assert inverse == AddItem("u-2", 0, 1, Override(summary="own"))
    assert inverse.apply(removed)[0] == digest


def test_remove_section_and_undo() -> None:
    digest = _two_sections()
    removed, inverse = RemoveSection(0).apply(digest)
    assert removed.item_ids() == ["u-4"] and not removed.overrides
    assert inverse.apply(removed)[0] == digest


def test_refusals_say_what_is_wrong() -> None:
    digest = _two_sections()
    with pytest.raises(ValidationError, match="already in this digest"):
        AddItem("u-4", 0, 0).apply(digest)
    with pytest.raises(ValidationError, match="no section 3"):
        RemoveItem(2, 0).apply(digest)
    with pytest.raises(ValidationError, match="already has a section 'B'"):
        AddSection(0, "b").apply(digest)
    with pytest.raises(ValidationError, match="only title, summary"):
        SetOverride("u-1", "date", "x").apply(digest)
    with pytest.raises(ValidationError, match="title: is empty"):
        SetField("title", "   ").apply(digest)


def test_set_and_clear_override_and_fields() -> None:
    digest = _two_sections()
    changed, inverse = SetOverride("u-1", "title", "  Short  ").apply(digest)
    assert changed.overrides["u-1"] == Override(title="Short")
    cleared, _ = SetOverride("u-1", "title", "").apply(changed)
    assert "u-1" not in cleared.overrides
    assert inverse.apply(changed)[0] == digest
    renamed, _ = SetField("preheader", "Six stories from January").apply(digest)
    assert renamed.preheader == "Six stories from January"


def test_apply_all_returns_inverses_in_undo_order() -> None:
    digest = _two_sections()
    ops: list[Operation] = [MoveSection(1, 0), AddItem("u-9", 0, 1), SetField("title", "New")]
    changed, inverses = apply_all(digest, ops)
    assert changed.sections[0].item_ids == ("u-4", "u-9")
    restored, _ = apply_all(changed, inverses)
    assert restored == digest
