"""The digest's Qt model follows the core's evented digest, whoever applies the operations."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import sample_items  # noqa: E402
from PySide6.QtCore import QPersistentModelIndex  # noqa: E402

from composer.digest.drafting import draft_digest  # noqa: E402
from composer.digest.events import EventedDigest  # noqa: E402
from composer.digest.operations import (  # noqa: E402
    AddSection,
    MoveItem,
    MoveSection,
    RemoveItem,
    RemoveSection,
    SetOverride,
)
from composer.theme.model import Theme  # noqa: E402
from ui.digest_model import DigestModel  # noqa: E402

ITEMS = sample_items()
LOOKUP = {i.id: i for i in ITEMS}


def rows(model: DigestModel) -> list[tuple[str, list[str]]]:
    """What the model shows, read through Qt's API only."""
    shown = []
    for s in range(model.rowCount()):
        section = model.index(s, 0)
        shown.append(
            (
                str(section.data()),
                [str(model.index(p, 0, section).data()) for p in range(model.rowCount(section))],
            )
        )
    return shown


def expected(document: EventedDigest) -> list[tuple[str, list[str]]]:
    digest = document.digest
    assert digest is not None
    return [
        (
            s.category,
            [
                digest.override(i).title or LOOKUP[i].title if i in LOOKUP else "?"
                for i in s.item_ids
            ],
        )
        for s in digest.sections
    ]


def test_operations_applied_to_the_core_document_reach_the_view(qapp, qtmodeltester) -> None:
    document = EventedDigest(draft_digest(ITEMS, "2023-01", Theme()))
    model = DigestModel(document=document)
    model.set_lookup(LOOKUP)
    qtmodeltester.check(model)
    edits: list[str] = []
    model.edited.connect(lambda: edits.append("edited"))
    first_section = QPersistentModelIndex(model.index(0, 0))
    first_category = first_section.data()
    first_item = QPersistentModelIndex(model.index(0, 0, model.index(0, 0)))
    first_title = first_item.data()
    undo = []
    for operation in (
        AddSection(0, "Events"),
        MoveItem(1, 0, 0, 0),  # the first item into the new section
        MoveSection(0, 2),
        SetOverride(model.item_id(first_item) or "", "title", "Its own title"),
        RemoveItem(1, 0),
        RemoveSection(1),
    ):
        undo.append(document.apply(operation))  # not through the model: it only listens
        assert rows(model) == expected(document)
        # persistent indexes follow their section through inserts, moves and removals
        assert first_section.data() == first_category
    assert len(edits) == 6
    for inverse in reversed(undo):
        document.apply(inverse)
        assert rows(model) == expected(document)
    # the item moved away and back, its title overridden and restored: the index followed it
    assert first_item.isValid() and first_item.data() == first_title
    assert QPersistentModelIndex(first_item.parent()) == first_section
    document.set_digest(None)
    assert model.rowCount() == 0 and model.digest is None
