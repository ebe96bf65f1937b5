"""A small in-memory Library for the digest, render and export tests.

It satisfies :class:`composer.repository.Library` with plain dictionaries and
copies every document in and out as JSON would, so a test that passes here
does not depend on sharing objects with the store.
"""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from composer.errors import LibraryError, SendLockedError
from composer.library.item import NewsItem, same_story
from composer.repository import AddResult, Holder, JSONDict


class MemoryLibrary:
    """A Library held in memory; digests, settings and logs round-trip through JSON."""

    def __init__(self, items: Iterable[NewsItem] = (), settings: Mapping[str, Any] | None = None):
        self._items: dict[str, NewsItem] = {item.id: item for item in items}
        self._digests: dict[str, str] = {}
        self._settings: str = json.dumps(dict(settings or {}))
        self._sends: dict[tuple[str, str], str] = {}
        self._senders: dict[str, Holder] = {}  # digest id -> who holds its send lock
        self._send_guard = threading.Lock()  # a send records on a worker thread

    @property
    def location(self) -> str:
        return "<memory>"

    @property
    def read_only(self) -> bool:
        return False

    def items(self) -> list[NewsItem]:
        return sorted(self._items.values(), key=lambda i: (-i.date.toordinal(), i.title))

    def get_item(self, item_id: str) -> NewsItem | None:
        return self._items.get(item_id)

    def find_existing(self, item: NewsItem) -> NewsItem | None:
        if item.id in self._items:
            return self._items[item.id]
        return next((i for i in self._items.values() if same_story(i, item)), None)

    def add_items(self, items: Iterable[NewsItem]) -> AddResult:
        new: list[NewsItem] = []
        existing: list[NewsItem] = []
        for item in items:
            found = self.find_existing(item)
            if found is None:
                self._items[item.id] = item
                new.append(item)
            else:
                existing.append(found)
        return AddResult(tuple(new), tuple(existing))

    def save_item(self, item: NewsItem) -> None:
        self._items[item.id] = item

    def remove_items(self, item_ids: Iterable[str]) -> list[str]:
        return [i for i in item_ids if self._items.pop(i, None) is not None]

    def digests(self) -> list[JSONDict]:
        return [json.loads(doc) for doc in self._digests.values()]

    def get_digest(self, digest_id: str) -> JSONDict | None:
        doc = self._digests.get(digest_id)
        return None if doc is None else json.loads(doc)

    def save_digest(self, digest: Mapping[str, Any]) -> None:
        self._digests[str(digest["id"])] = json.dumps(dict(digest))

    def remove_digest(self, digest_id: str) -> bool:
        return self._digests.pop(digest_id, None) is not None

    def settings(self) -> JSONDict:
        return json.loads(self._settings)

    def update_settings(self, changes: Mapping[str, Any]) -> None:
        current = json.loads(self._settings)
        current.update(copy.deepcopy(dict(changes)))
        self._settings = json.dumps(current)

    def send_log(self, digest_id: str) -> list[JSONDict]:
        with self._send_guard:
            return [json.loads(v) for (d, _), v in self._sends.items() if d == digest_id]

    def send_states(self, digest_id: str) -> dict[str, str]:
        return {str(e["recipient"]): str(e.get("state") or "") for e in self.send_log(digest_id)}

    def record_send(self, entries: Iterable[Mapping[str, Any]]) -> None:
        """A later entry's keys replace the recipient's, as the store's journal merges them."""
        batch = list(entries)
        for entry in batch:
            if not isinstance(entry.get("digest_id"), str) or not isinstance(
                entry.get("recipient"), str
            ):
                raise LibraryError("a send-log entry needs a digest_id and a recipient")
        with self._send_guard:
            for entry in batch:
                key = (str(entry["digest_id"]), str(entry["recipient"]))
                earlier = json.loads(self._sends.get(key, "{}"))
                self._sends[key] = json.dumps({**earlier, **dict(entry)})

    def compact_send_log(self, digest_id: str) -> None:
        """Nothing to fold in memory: the states stay as they are."""

    @contextlib.contextmanager
    def send_lock(self, digest_id: str, holder: Holder) -> Iterator[None]:
        """One sender per digest in this process; a second is refused, naming the first."""
        with self._send_guard:
            current = self._senders.get(digest_id)
            if current is not None:
                raise SendLockedError(
                    f"the digest {digest_id} is being sent by {current.describe()}; "
                    "wait for it to finish"
                )
            self._senders[digest_id] = holder
        try:
            yield
        finally:
            with self._send_guard:
                del self._senders[digest_id]

    def close(self) -> None:
        pass
