"""What is dragged onto the digest, and the operations a drop plans.

Two MIME types: :data:`ITEMS_MIME` (library item ids, from the library table)
and :data:`ROWS_MIME` (rows of the open digest being moved: its id, sections and
items as ``[section, position]``). :func:`plan_drop` turns a drop into the core's
plans (:mod:`composer.digest.editing`); the model submits them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData

from composer.digest.editing import plan_add_items, plan_move_items, plan_move_sections
from composer.digest.model import Digest
from composer.digest.operations import Operation
from composer.library.item import NewsItem

#: Library item ids dragged from the library table (JSON list of ids).
ITEMS_MIME = "application/x-newsdigest-item-ids"
#: Rows of the open digest being dragged (JSON: digest id, sections, items as [s, p]).
ROWS_MIME = "application/x-newsdigest-digest-rows"

Ref = tuple[int, int]


def item_ids_mime(ids: Sequence[str]) -> QMimeData:
    """The drag payload of library items."""
    mime = QMimeData()
    mime.setData(ITEMS_MIME, QByteArray(json.dumps(list(ids)).encode("utf-8")))
    return mime


def read_item_ids(mime: QMimeData) -> list[str]:
    if not mime.hasFormat(ITEMS_MIME):
        return []
    try:
        ids = json.loads(bytes(mime.data(ITEMS_MIME).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def rows_mime(digest_id: str, sections: list[int], items: list[Ref], text: str) -> QMimeData:
    """The drag payload of rows of the digest ``digest_id`` (``text`` for other programs)."""
    mime = QMimeData()
    payload: dict[str, Any] = {"digest": digest_id, "sections": sections, "items": items}
    mime.setData(ROWS_MIME, QByteArray(json.dumps(payload).encode("utf-8")))
    mime.setText(text)
    return mime


def read_rows(mime: QMimeData, digest_id: str) -> tuple[list[int], list[Ref]] | None:
    """The sections and items dragged from the digest ``digest_id``; ``None`` if not that."""
    if not mime.hasFormat(ROWS_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(ROWS_MIME).data()).decode("utf-8"))
        if payload.get("digest") != digest_id:
            return None
        sections = [int(s) for s in payload.get("sections", [])]
        items = [(int(s), int(p)) for s, p in payload.get("items", [])]
    except (ValueError, TypeError, AttributeError, UnicodeDecodeError):
        return None
    return sections, items


def plan_drop(
    digest: Digest,
    lookup: Mapping[str, NewsItem],
    category_order: Sequence[str],
    mime: QMimeData,
    section: int,
    row: int,
) -> list[Operation] | None:
    """The operations a drop before ``row`` of ``section`` (-1: between sections) plans.

    ``None`` when the drop is refused there; an empty list when it changes nothing.
    """
    rows = read_rows(mime, digest.id)
    if rows is not None:
        sections, items = rows
        if sections:
            target = section if section >= 0 else row  # onto a section: before it
            return plan_move_sections(digest, sections, target)
        if section < 0 or not items:
            return None  # items dropped between sections: no section to go to
        return plan_move_items(digest, items, section, row)
    chosen = [lookup[i] for i in read_item_ids(mime) if i in lookup]
    if not chosen:
        return None
    if section < 0:  # anywhere but a section: each into its category's section
        return plan_add_items(digest, chosen, lookup, category_order)
    position = row if row >= 0 else None
    return plan_add_items(
        digest, chosen, lookup, category_order, section=section, position=position
    )
