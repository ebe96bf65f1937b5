"""Planning editor gestures (composer/digest/editing.py): drops, moves, nudges, removals, undo."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers.digest_samples import item, january_items
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.digest.drafting import draft_digest
from composer.digest.editing import (
    describe,
    duplicate_digest,
    empty_digest,
    plan_add_items,
    plan_field,
    plan_move_items,
    plan_move_sections,
    plan_nudge,
    plan_override,
    plan_remove,
    shorten,
)
from composer.digest.model import Section, make_digest
from composer.digest.operations import MoveItem, Operation, apply_all
from composer.errors import ValidationError
from composer.theme.model import Theme

THEME = Theme()


def _apply(digest, operations: list[Operation]):
    result, inverses = apply_all(digest, operations)
    back, _ = apply_all(result, inverses)
    assert back == digest  # every plan is undoable exactly
    return result


def _shape(digest) -> list[tuple[str, list[str]]]:
    return [(s.category, list(s.item_ids)) for s in digest.sections]


def _digest(shape: list[list[str]]):
    return make_digest(
        title="T",
        sections=[Section(f"S{n}", tuple(ids)) for n, ids in enumerate(shape)],
    )


def test_shorten_cuts_at_a_word_and_marks_it() -> None:
    assert shorten("Planners in Vostrana compare flood maps") == "Planners in Vostrana…"
    assert shorten("Short title") == "Short title"
    assert len(shorten("x" * 80)) == 28


def test_items_go_to_their_category_section_created_in_theme_order() -> None:
    items = january_items()
    lookup = {i.id: i for i in items}
    digest = empty_digest(THEME, "2023-01")
    expert = next(i for i in items if i.category == "Expert Voice")
    press = next(i for i in items if i.category == "Press Release")
    news = [i for i in items if i.category == "Project News"]
    digest = _apply(digest, plan_add_items(digest, [expert], lookup, THEME.category_order))
    digest = _apply(digest, plan_add_items(digest, [press], lookup, THEME.category_order))
    digest = _apply(digest, plan_add_items(digest, news[::-1], lookup, THEME.category_order))
    assert [s.category for s in digest.sections] == [
        "Project News",
        "Press Release",
        "Expert Voice",
    ]
    # newest first within the section, whatever order they came in
    assert list(digest.sections[0].item_ids) == [i.id for i in news]
    # the same items again: nothing to do
    assert plan_add_items(digest, items, lookup, THEME.category_order) == []
    drafted = draft_digest(items, "2023-01", THEME)
    assert _shape(digest) == _shape(drafted)


def test_items_dropped_at_a_place_stay_in_the_order_given() -> None:
    a, b, c, d = (item(n) for n in range(4))
    lookup = {i.id: i for i in (a, b, c, d)}
    digest = make_digest(
        title="T", sections=[Section("Press Release"), Section("In Focus", (a.id, b.id))]
    )
    ops = plan_add_items(digest, [d, c], lookup, THEME.category_order, section=1, position=1)
    digest = _apply(digest, ops)
    assert list(digest.sections[1].item_ids) == [a.id, d.id, c.id, b.id]
    ops = plan_add_items(digest, [item(9)], lookup, THEME.category_order, section=0)
    assert _apply(digest, ops).sections[0].item_ids == (item(9).id,)


@settings(max_examples=300, deadline=None)
@given(
    shape=st.lists(st.integers(0, 5), min_size=1, max_size=4),
    data=st.data(),
)
def test_moving_a_selection_matches_cut_and_paste(shape: list[int], data) -> None:
    lists = [[f"i{s}-{p}" for p in range(n)] for s, n in enumerate(shape)]
    digest = _digest(lists)
    refs = [(s, p) for s, n in enumerate(shape) for p in range(n)]
    chosen = sorted(data.draw(st.sets(st.sampled_from(refs), min_size=1)) if refs else [])
    if not chosen:
        return
    target = data.draw(st.integers(0, len(shape) - 1))
    row = data.draw(st.integers(-1, shape[target]))
    moved_ids = [lists[s][p] for s, p in chosen]
    # the expected result: cut the selection, paste it where the drop row points
    before = lists[target][: row if row >= 0 else len(lists[target])]
    keep_before = len([i for i in before if i not in moved_ids])
    expected = [[i for i in ids if i not in moved_ids] for ids in lists]
    expected[target][keep_before:keep_before] = moved_ids
    result = _apply(digest, plan_move_items(digest, chosen, target, row))
    assert [list(s.item_ids) for s in result.sections] == expected


def test_moving_sections_and_nothing_to_do() -> None:
    digest = _digest([["a"], ["b"], ["c"]])
    result = _apply(digest, plan_move_sections(digest, [0], 3))
    assert [s.category for s in result.sections] == ["S1", "S2", "S0"]
    assert plan_move_sections(digest, [1], 1) == []
    assert plan_move_sections(digest, [1], 2) == []
    assert plan_move_items(digest, [(0, 0)], 0, 0) == []


def test_alt_up_and_down_cross_section_edges() -> None:
    digest = _digest([["a", "b"], ["c"]])
    down = _apply(digest, plan_nudge(digest, [(0, 1)], [], +1))
    assert _shape(down) == [("S0", ["a"]), ("S1", ["b", "c"])]
    up = _apply(down, plan_nudge(down, [(1, 0)], [], -1))
    assert _shape(up) == _shape(digest)
    assert plan_nudge(digest, [(0, 0)], [], -1) == []
    assert plan_nudge(digest, [(1, 0)], [], +1) == []
    moved = _apply(digest, plan_nudge(digest, [], [1], -1))
    assert [s.category for s in moved.sections] == ["S1", "S0"]
    assert plan_nudge(digest, [], [0], -1) == []


def test_delete_removes_items_and_sections_in_one_undoable_step() -> None:
    digest = _digest([["a", "b"], ["c"], ["d"]])
    result = _apply(digest, plan_remove(digest, [(0, 0), (1, 0), (0, 1)], [1, 2]))
    assert _shape(result) == [("S0", [])]


def test_typed_text_becomes_an_operation_only_when_it_changes_something() -> None:
    items = january_items()
    digest = draft_digest(items, "2023-01", THEME)
    first = items[0]
    assert plan_field(digest, "title", f"  {digest.title} ") is None
    op = plan_field(digest, "intro", "A **busy** month.")
    assert op is not None
    with pytest.raises(ValidationError):
        plan_field(digest, "title", "   ")
    assert plan_override(digest, first, "title", first.title) is None
    changed = _apply(digest, [plan_override(digest, first, "title", "Vostrana visit")])
    assert changed.override(first.id).title == "Vostrana visit"
    # typing the library's text again clears the override
    cleared = plan_override(changed, first, "title", first.title)
    assert cleared is not None and _apply(changed, [cleared]).overrides == {}


def test_undo_texts_name_what_they_undo() -> None:
    items = january_items()
    lookup = {i.id: i for i in items}
    digest = draft_digest(items, "2023-01", THEME)
    first_title = lookup[digest.sections[0].item_ids[0]].title
    move = [MoveItem(0, 0, 0, 1)]
    assert describe(move, digest, lookup) == f"move '{shorten(first_title)}'"
    assert (
        describe(plan_remove(digest, [], [1]), digest, lookup) == "remove section 'Press Release'"
    )
    assert describe(plan_remove(digest, [(0, 0), (0, 1)], []), digest, lookup) == "remove 2 items"
    assert describe(plan_move_sections(digest, [2], 0), digest, lookup) == (
        "move section 'Expert Voice'"
    )
    op = plan_override(digest, items[0], "summary", "Shorter.")
    assert describe([op], digest, lookup).startswith("change summary of 'WELLSPRING Project")
    assert describe([plan_field(digest, "intro", "Hello")], digest, lookup) == "change intro"


def test_new_and_duplicated_digests() -> None:
    digest = empty_digest(THEME, "2023-01")
    # the theme names no organisation: the title never makes one up
    assert digest.title == "News digest: January 2023" and digest.sections == ()
    copy = duplicate_digest(digest.touched("2023-02-01T00:00:00+00:00"))
    assert copy.id != digest.id and copy.title.startswith("Copy of ")
    assert copy.created == "" and copy.period == "2023-01"
    assert empty_digest(THEME, "").period == ""
    assert dt.date.today().strftime("%Y-%m") == empty_digest(THEME).period
