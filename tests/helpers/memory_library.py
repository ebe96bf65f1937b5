"""A small in-memory Library for the digest, render and export tests.

It satisfies :class:`composer.repository.Library` and passes the same contract suite
as the TinyDB store (``tests/store/test_library_contract.py``): the core's order and
duplicate rules (:mod:`composer.library.rules`), documents copied in and out as JSON
would, refused writes that change nothing, one writer at a time. What it holds lives
in a :class:`MemoryShelf`, the in-memory counterpart of a library file: opening the
same shelf again is reopening the library (``MemoryLibrary(shelf=shelf)``).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import Any

from composer.errors import LibraryError, LibraryLockedError, SendLockedError
from composer.library.item import NewsItem
from composer.library.rules import StoryIndex, split_new
from composer.repository import (
    AddResult,
    ChangeListener,
    Holder,
    JSONDict,
    SendSession,
    digest_conflict,
    kept_stamp,
    new_stamp,
    stored_version,
)


def _stored(document: Mapping[str, Any], what: str) -> str:
    """``document`` as JSON text, or the :class:`LibraryError` the store would give."""
    try:
        return json.dumps(dict(document))
    except (TypeError, ValueError) as exc:
        raise LibraryError(f"{what} cannot be stored: {exc}") from None


class MemoryShelf:
    """What one in-memory library holds, shared by every open of it, as a file is."""

    def __init__(self, location: str = "<memory>") -> None:
        self.location = location
        self.items = StoryIndex()
        self.digests: dict[str, str] = {}
        self.settings = "{}"
        self.sends: dict[tuple[str, str], str] = {}
        self.senders: dict[str, Holder] = {}  # digest id -> who holds its send lock
        self.writer: Holder | None = None  # who has it open for writing, when named
        self.written = False  # whether it is open for writing at all
        self.guard = threading.Lock()  # a send records on a worker thread


class MemoryLibrary:
    """A Library held in memory; digests, settings and logs round-trip through JSON."""

    def __init__(
        self,
        items: Iterable[NewsItem] = (),
        settings: Mapping[str, Any] | None = None,
        *,
        shelf: MemoryShelf | None = None,
        read_only: bool = False,
        holder: Holder | None = None,
    ) -> None:
        self.shelf = shelf if shelf is not None else MemoryShelf()
        self._read_only = read_only
        self._writing = False
        if not read_only:
            self._take(holder)
        for item in items:
            self.shelf.items.add(item)
        if settings:
            self.update_settings(settings)

    def _take(self, holder: Holder | None) -> None:
        """One writer at a time, as the store's library lock: a second is refused by name."""
        shelf = self.shelf
        with shelf.guard:
            if shelf.written:
                who = shelf.writer.describe() if shelf.writer else "another window or command"
                raise LibraryLockedError(
                    f"{shelf.location}: this library is in use by {who}; close it first"
                )
            shelf.written, shelf.writer = True, holder
        self._writing = True

    def _check_writable(self) -> None:
        if self._read_only:
            raise LibraryError(f"the library {self.location} was opened read-only")

    @property
    def location(self) -> str:
        return self.shelf.location

    @property
    def read_only(self) -> bool:
        return self._read_only

    # items -------------------------------------------------------------------------------
    def items(self) -> list[NewsItem]:
        return self.shelf.items.in_order()

    def get_item(self, item_id: str) -> NewsItem | None:
        return self.shelf.items.get(item_id)

    def find_existing(self, item: NewsItem) -> NewsItem | None:
        return self.shelf.items.find(item)

    def add_items(self, items: Iterable[NewsItem]) -> AddResult:
        self._check_writable()
        result = split_new(items, self.shelf.items.find)
        for item in result.new:
            self.shelf.items.add(item)
        return result

    def save_item(self, item: NewsItem) -> None:
        self._check_writable()
        self.shelf.items.add(item)

    def remove_items(self, item_ids: Iterable[str]) -> list[str]:
        self._check_writable()
        return [i for i in dict.fromkeys(item_ids) if self.shelf.items.remove(i) is not None]

    # digests -----------------------------------------------------------------------------
    def digests(self) -> list[JSONDict]:
        return [json.loads(doc) for doc in self.shelf.digests.values()]

    def get_digest(self, digest_id: str) -> JSONDict | None:
        doc = self.shelf.digests.get(digest_id)
        return None if doc is None else json.loads(doc)

    def save_digest(
        self,
        digest: Mapping[str, Any],
        expected_version: int | None = None,
        *,
        keep_saver: bool = False,
    ) -> int:
        self._check_writable()
        digest_id = digest.get("id")
        if not isinstance(digest_id, str) or not digest_id:
            raise LibraryError("a digest needs an id to be saved")
        with self.shelf.guard:  # the check and the write as one, as the database's UPDATE
            before = self.shelf.digests.get(digest_id)
            stored = json.loads(before) if before is not None else None
            version = 1
            if stored is not None:
                if expected_version is not None and stored_version(stored) != expected_version:
                    raise digest_conflict(stored, digest, expected_version)
                version = stored_version(stored) + 1
            stamp = kept_stamp(digest, version) if keep_saver else new_stamp(version)
            stamped = {**digest, **stamp}
            self.shelf.digests[digest_id] = _stored(stamped, f"the digest {digest_id}")
        return version

    def remove_digest(self, digest_id: str) -> bool:
        self._check_writable()
        return self.shelf.digests.pop(digest_id, None) is not None

    # settings ----------------------------------------------------------------------------
    def settings(self) -> JSONDict:
        return dict(json.loads(self.shelf.settings))

    def update_settings(self, changes: Mapping[str, Any]) -> None:
        self._check_writable()
        merged = {**json.loads(self.shelf.settings), **json.loads(_stored(changes, "settings"))}
        self.shelf.settings = json.dumps(merged)

    # send logs ---------------------------------------------------------------------------
    def send_log(self, digest_id: str) -> list[JSONDict]:
        with self.shelf.guard:
            return [json.loads(v) for (d, _), v in self.shelf.sends.items() if d == digest_id]

    def send_states(self, digest_id: str) -> dict[str, str]:
        states: dict[str, str] = {}
        for entry in self.send_log(digest_id):
            state = entry.get("state")
            states[str(entry["recipient"])] = state if isinstance(state, str) else ""
        return states

    def record_send(self, entries: Iterable[Mapping[str, Any]], *, only_new: bool = False) -> None:
        """A later entry's keys replace the recipient's, as the store's journal merges them."""
        if self._read_only:
            raise LibraryError(f"the send log of {self.location} was opened read-only")
        batch: list[tuple[tuple[str, str], JSONDict]] = []
        for entry in entries:
            digest_id, recipient = entry.get("digest_id"), entry.get("recipient")
            if not isinstance(digest_id, str) or not isinstance(recipient, str):
                raise LibraryError("a send-log entry needs a digest_id and a recipient")
            text = _stored(entry, f"a send-log entry of digest {digest_id}")
            batch.append(((digest_id, recipient), json.loads(text)))
        with self.shelf.guard:  # all of the call or nothing: checked above, applied here
            for key, entry_copy in batch:
                if only_new and key in self.shelf.sends:
                    continue
                earlier = json.loads(self.shelf.sends.get(key, "{}"))
                self.shelf.sends[key] = json.dumps({**earlier, **entry_copy})

    def send_log_ids(self) -> list[str]:
        with self.shelf.guard:
            return sorted({digest_id for digest_id, _ in self.shelf.sends})

    def compact_send_log(self, digest_id: str) -> None:
        """Nothing to fold in memory: the states stay as they are."""
        if self._read_only:
            raise LibraryError(f"the send log of {self.location} was opened read-only")

    def claim_send(self, entry: Mapping[str, Any]) -> bool:
        """Always the run's: the send lock is exclusive, as the file store's."""
        if self._read_only:
            raise LibraryError(f"the send log of {self.location} was opened read-only")
        return True

    def send_log_mark(self, digest_id: str) -> Hashable | None:
        """The digest's entries as text: changes with any of them."""
        with self.shelf.guard:
            return tuple(sorted((k, v) for k, v in self.shelf.sends.items() if k[0] == digest_id))

    def watch(self, listener: ChangeListener) -> Callable[[], None]:
        """Never called: one writer at a time."""
        return lambda: None

    def senders(self, digest_id: str) -> list[Holder]:
        with self.shelf.guard:
            current = self.shelf.senders.get(digest_id)
        return [current] if current is not None else []

    def send_lock(self, digest_id: str, holder: Holder) -> AbstractContextManager[SendSession]:
        """One sender per digest; a second, on any thread, is refused, naming the first."""
        if self._read_only:  # refused at the call, as the store does, not on entering
            raise LibraryError(
                f"the library {self.location} was opened read-only; "
                "sending needs it open for writing"
            )
        return self._held_send(digest_id, holder)

    @contextlib.contextmanager
    def _held_send(self, digest_id: str, holder: Holder) -> Iterator[SendSession]:
        with self.shelf.guard:
            current = self.shelf.senders.get(digest_id)
            if current is not None:
                raise SendLockedError(
                    f"the digest {digest_id} is being sent by {current.describe()}; "
                    "wait for it to finish"
                )
            self.shelf.senders[digest_id] = holder
        try:
            yield SendSession()
        finally:
            with self.shelf.guard:
                del self.shelf.senders[digest_id]

    def close(self) -> None:
        """Let the next writer in (closing twice is fine)."""
        if self._writing:
            with self.shelf.guard:
                self.shelf.written, self.shelf.writer = False, None
            self._writing = False
