"""The Open dialog lists what the core lists: newest first, a damaged digest named as such."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.memory_library import MemoryLibrary  # noqa: E402

from composer.digest.listing import saved_digests  # noqa: E402
from composer.digest.model import Section, make_digest  # noqa: E402
from ui.digest_dialogs import OpenDigestDialog  # noqa: E402


def library() -> MemoryLibrary:
    lib = MemoryLibrary()
    january = make_digest(
        digest_id="d-jan", title="January", period="2023-01", sections=[Section("N", ("a", "b"))]
    )
    lib.save_digest(january.touched("2023-02-01T09:00:00+00:00").to_dict())
    lib.save_digest(
        make_digest(digest_id="d-feb", title="February")
        .touched("2023-03-01T08:00:00+00:00")
        .to_dict()
    )
    lib.save_digest({"id": "d-bad", "title": "Damaged", "sections": "x"})
    return lib


def rows(dialog: OpenDigestDialog) -> list[list[str]]:
    tree = dialog.list
    return [
        [tree.topLevelItem(r).text(c) for c in range(4)] for r in range(tree.topLevelItemCount())
    ]


def test_the_open_dialog_shows_the_core_summaries(qtbot) -> None:
    lib = library()
    dialog = OpenDigestDialog(saved_digests(lib))
    qtbot.addWidget(dialog)
    assert rows(dialog) == [
        ["February", "", "0", "2023-03-01 08:00"],
        ["January", "2023-01", "2", "2023-02-01 09:00"],
        ["Damaged (cannot be read)", "", "", ""],
    ]
    assert dialog.chosen_id() == "d-feb"  # the newest is chosen
    damaged = dialog.list.topLevelItem(2)
    assert "sections: must be a list" in damaged.toolTip(0)
    # the stored dictionaries themselves are read through the core the same way
    raw = OpenDigestDialog(lib.digests())
    qtbot.addWidget(raw)
    assert rows(raw) == rows(dialog)
