"""The library's interface as the core and the GUI see it.

:class:`Library` is what ``store/`` implements on TinyDB today; a second backend
(PostgreSQL for teams sharing one library) implements the same protocol and
nothing in ``composer/`` or ``ui/`` changes. Digests, settings and send logs
cross this boundary as plain JSON-ready dictionaries: their models live in the
core, the store only keeps them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, runtime_checkable

from composer.item import NewsItem

JSONDict = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class AddResult:
    """What :meth:`Library.add_items` did: items added, and items it already had."""

    new: tuple[NewsItem, ...]
    existing: tuple[NewsItem, ...]


@runtime_checkable
class Library(Protocol):
    """A user's library of news items, digests, settings and send logs."""

    @property
    def location(self) -> str:
        """Where the library lives, for messages ("/home/ann/.../library.json")."""
        ...

    @property
    def read_only(self) -> bool: ...

    # items -------------------------------------------------------------------------------
    def items(self) -> list[NewsItem]:
        """Every item, newest first (ties by title). A snapshot: safe to keep."""
        ...

    def get_item(self, item_id: str) -> NewsItem | None: ...

    def find_existing(self, item: NewsItem) -> NewsItem | None:
        """The stored item that is the same story (same id, or same title and date)."""
        ...

    def add_items(self, items: Iterable[NewsItem]) -> AddResult:
        """Add the items the library does not have yet, in one durable write."""
        ...

    def save_item(self, item: NewsItem) -> None:
        """Insert the item, or replace the stored one with the same id."""
        ...

    def remove_items(self, item_ids: Iterable[str]) -> list[str]:
        """Remove the items with these ids in one write; returns the ids that were there."""
        ...

    # digests -----------------------------------------------------------------------------
    def digests(self) -> list[JSONDict]: ...

    def get_digest(self, digest_id: str) -> JSONDict | None: ...

    def save_digest(self, digest: Mapping[str, Any]) -> None:
        """Insert or replace the digest whose ``id`` key matches."""
        ...

    def remove_digest(self, digest_id: str) -> bool: ...

    # settings ----------------------------------------------------------------------------
    def settings(self) -> JSONDict: ...

    def update_settings(self, changes: Mapping[str, Any]) -> None: ...

    # send logs ---------------------------------------------------------------------------
    def send_log(self, digest_id: str) -> list[JSONDict]:
        """The send-log entries of a digest (safe to call while a worker thread records)."""
        ...

    def record_send(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """Insert or replace send-log entries keyed by (digest_id, recipient), durably.

        A send runs on a worker thread: this and :meth:`send_log` must be thread-safe.
        """
        ...

    def close(self) -> None: ...
