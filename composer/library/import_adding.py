"""Adding what an import read to the library: new stories, and what known ones lacked.

A story already in the library is not added twice (:func:`composer.library.item.same_story`
decides), but when it was first pasted as text it has no link, image or summary; the
same story read later from the page or a feed brings them, and :func:`add_imported`
fills them in (:func:`composer.library.item.mended`) without replacing anything written.
The command line and the window both add imports through here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from composer.library.item import NewsItem, mended
from composer.repository import AddResult, Library


@dataclasses.dataclass(frozen=True)
class ImportAdded:
    """What an import did: the library's :class:`AddResult`, and the stored stories it mended."""

    added: AddResult
    mended: tuple[NewsItem, ...] = ()

    def mended_line(self) -> str:
        """ "3 stories already in the library got their link, image or summary", or ""."""
        count = len(self.mended)
        if not count:
            return ""
        stories = "story" if count == 1 else "stories"
        return f"{count} {stories} already in the library got their link, image or summary"


def add_imported(library: Library, items: Iterable[NewsItem]) -> ImportAdded:
    """Add the new stories in one write; fill in what known stories lacked."""
    items = list(items)
    added = library.add_items(items)
    new_ids = {item.id for item in added.new}
    repaired: list[NewsItem] = []
    for item in items:
        if item.id in new_ids:
            continue
        stored = library.find_existing(item)
        better = mended(stored, item) if stored is not None else None
        if better is not None:
            library.save_item(better)
            repaired.append(better)
    return ImportAdded(added, tuple(repaired))
