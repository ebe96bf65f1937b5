"""The library on TinyDB: items, digests, settings in one file; send logs beside it.

Everything is loaded into memory when the library opens (searching and filtering
never query TinyDB); each mutating call is one durable write of the file. The items
are held in the core's :class:`composer.library.rules.StoryIndex`, so the order and
the duplicate rule are the core's, not the store's. Digest, settings and send-log
documents are the core's JSON dictionaries, kept as given. A read-only open refuses
every change before anything, in memory or on disk, is touched.
Send logs live beside the library, one summary and one append-only journal per
digest (:mod:`store.send_journal`): recording a recipient's state appends a line
and never rewrites the library or the log.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB

from composer.errors import LibraryError, NewsdigestError
from composer.fileio import atomic_write_bytes, make_private_folder, tighten
from composer.library.item import NewsItem, item_from_stored
from composer.library.rules import StoryIndex, split_new
from composer.repository import (
    AddResult,
    ChangeListener,
    Holder,
    JSONDict,
    digest_conflict,
    kept_stamp,
    new_stamp,
    stored_version,
)
from store import migrations
from store.durable_storage import DurableJSONStorage, Tables, load_library_file
from store.locations import real_path
from store.lock import LibraryLock, SendLock, safe_file_name
from store.send_journal import JOURNAL_SUFFIX, SUMMARY_SUFFIX, SendJournal

log = logging.getLogger(__name__)
_SETTINGS_DOC = 1


def _stop_nothing() -> None:
    pass


class TinyDBLibrary:
    """:class:`composer.repository.Library` on a TinyDB file, with one writer at a time."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        durable: bool = True,
        holder: Holder | None = None,
    ) -> None:
        self.path = real_path(Path(path))  # one file, one lock, however it was spelled
        self._read_only = read_only
        self._durable = durable
        #: Stored documents that could not be read as items (hand edits): shown, never dropped.
        self.problems: list[str] = []
        self.backups: list[Path] = []
        self._lock: LibraryLock | None = None
        self._send_log_lock = threading.Lock()
        self._journals: dict[str, SendJournal] = {}  # by file stem: one object per file
        if not read_only:
            try:
                make_private_folder(self.path.parent)
            except OSError as exc:
                raise LibraryError(
                    f"cannot create the folder {self.path.parent}: {exc.strerror}"
                ) from None
            self._lock = LibraryLock(self.path, holder)
            self._lock.acquire()
            tighten(self.path)  # a library written by an older version may be 0644
        try:
            tables = self._upgrade()
            self._db = TinyDB(
                self.path, storage=DurableJSONStorage, read_only=read_only, durable=durable
            )
            self._load(tables)
        except BaseException:
            self._release()
            raise

    # -- opening ------------------------------------------------------------------------------
    def _upgrade(self) -> Tables | None:
        """The file's tables, brought to the current schema (a backup is taken first).

        A new or empty file is written at the current schema; a read-only open of an
        older file is migrated in memory only.
        """
        tables = load_library_file(self.path)
        existed = tables is not None
        if tables is None:
            tables = {}
        version = migrations.schema_version(tables)
        if not migrations.pending(version):
            return tables
        migrations.migrate(tables)
        if self._read_only:
            return tables if existed else None
        if existed:
            self.backups.append(migrations.backup(self.path, version))
            log.info("library %s backed up to %s before migration", self.path, self.backups[-1])
        atomic_write_bytes(self.path, orjson.dumps(tables))
        return tables

    def _load(self, tables: Tables | None) -> None:
        storage = self._storage
        storage._data, storage._loaded = tables, True  # parsed once, in _upgrade
        items: dict[str, NewsItem] = {}
        self._doc_ids: dict[str, int] = {}
        # the parsed documents themselves: TinyDB's Document wrappers cost a third of the
        # opening time of a big library, and nothing here keeps them
        raw = (tables or {}).get("items") or {}
        for key, doc in raw.items():
            doc_id = int(key)
            if not isinstance(doc, dict):
                self.problems.append(f"stored item #{doc_id} cannot be read: not an object")
                continue
            try:
                item = item_from_stored(doc)
            except NewsdigestError as exc:
                self.problems.append(f"stored item #{doc_id} cannot be read: {exc}")
                continue
            items[item.id] = item
            self._doc_ids[item.id] = doc_id
        self._items = StoryIndex(items.values())

    @property
    def _storage(self) -> DurableJSONStorage:
        storage = self._db.storage
        assert isinstance(storage, DurableJSONStorage)
        return storage

    # -- protocol -----------------------------------------------------------------------------
    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def write_count(self) -> int:
        """Durable writes made since opening (tests and benchmarks count them)."""
        return self._storage.write_count

    def _check_writable(self) -> None:
        """Refuse a change to a read-only open before TinyDB's memory copy is touched."""
        if self._read_only:
            raise LibraryError(f"the library {self.path} was opened read-only")

    def items(self) -> list[NewsItem]:
        return self._items.in_order()

    def get_item(self, item_id: str) -> NewsItem | None:
        return self._items.get(item_id)

    def find_existing(self, item: NewsItem) -> NewsItem | None:
        return self._items.find(item)

    def add_items(self, items: Iterable[NewsItem]) -> AddResult:
        self._check_writable()
        result = split_new(items, self._items.find)
        if result.new:
            doc_ids = self._db.table("items").insert_multiple(item.to_dict() for item in result.new)
            for item, doc_id in zip(result.new, doc_ids, strict=True):
                self._items.add(item)
                self._doc_ids[item.id] = doc_id
        return result

    def save_item(self, item: NewsItem) -> None:
        self._check_writable()
        table = self._db.table("items")
        doc_id = self._doc_ids.get(item.id)
        if doc_id is None:
            self._doc_ids[item.id] = table.insert(item.to_dict())
        else:
            table.update(item.to_dict(), doc_ids=[doc_id])
        self._items.add(item)

    def remove_items(self, item_ids: Iterable[str]) -> list[str]:
        self._check_writable()
        present = [i for i in dict.fromkeys(item_ids) if i in self._items]
        if not present:
            return []
        self._db.table("items").remove(doc_ids=[self._doc_ids[i] for i in present])
        for item_id in present:
            self._items.remove(item_id)
            del self._doc_ids[item_id]
        return present

    # digests -----------------------------------------------------------------------------
    def _digest_doc_id(self, digest_id: str) -> int | None:
        for doc in self._db.table("digests"):
            if doc.get("id") == digest_id:
                return int(doc.doc_id)
        return None

    def digests(self) -> list[JSONDict]:
        return [copy.deepcopy(dict(doc)) for doc in self._db.table("digests")]

    def get_digest(self, digest_id: str) -> JSONDict | None:
        doc_id = self._digest_doc_id(digest_id)
        if doc_id is None:
            return None
        doc = self._db.table("digests").get(doc_id=doc_id)
        return copy.deepcopy(dict(doc)) if doc is not None else None

    def save_digest(
        self,
        digest: Mapping[str, Any],
        expected_version: int | None = None,
        *,
        keep_saver: bool = False,
    ) -> int:
        """Saved with a new version stamp (one writer per file, but two windows over
        time, or a copy of the file, can still be based on an older version); with
        ``keep_saver``, the digest's own saver and time are kept in it."""
        self._check_writable()
        digest_id = digest.get("id")
        if not isinstance(digest_id, str) or not digest_id:
            raise LibraryError("a digest needs an id to be saved")
        table = self._db.table("digests")
        doc_id = self._digest_doc_id(digest_id)
        stored = table.get(doc_id=doc_id) if doc_id is not None else None
        version = 1
        if stored is not None:
            if expected_version is not None and stored_version(stored) != expected_version:
                raise digest_conflict(stored, digest, expected_version)
            version = stored_version(stored) + 1
        stamp = kept_stamp(digest, version) if keep_saver else new_stamp(version)
        doc = {**copy.deepcopy(dict(digest)), **stamp}
        if doc_id is None:
            table.insert(doc)
        else:
            # replace the whole document (TinyDB's update merges keys; removed keys must go)
            def replace(stored: MutableMapping[Any, Any]) -> None:
                stored.clear()
                stored.update(doc)

            table.update(replace, doc_ids=[doc_id])
        return version

    def remove_digest(self, digest_id: str) -> bool:
        self._check_writable()
        doc_id = self._digest_doc_id(digest_id)
        if doc_id is None:
            return False
        self._db.table("digests").remove(doc_ids=[doc_id])
        return True

    # settings ----------------------------------------------------------------------------
    def settings(self) -> JSONDict:
        doc = self._db.table("settings").get(doc_id=_SETTINGS_DOC)
        return copy.deepcopy(dict(doc)) if doc is not None else {}

    def update_settings(self, changes: Mapping[str, Any]) -> None:
        self._check_writable()
        table = self._db.table("settings")
        values = copy.deepcopy(dict(changes))
        if table.contains(doc_id=_SETTINGS_DOC):
            table.update(values, doc_ids=[_SETTINGS_DOC])
        else:
            from tinydb.table import Document

            table.insert(Document(values, doc_id=_SETTINGS_DOC))

    # send logs ---------------------------------------------------------------------------
    @property
    def send_log_folder(self) -> Path:
        """``<library>.sendlogs`` beside the library: one summary and one journal per digest."""
        return self.path.with_name(self.path.stem + ".sendlogs")

    def _journal(self, digest_id: str) -> SendJournal:
        """The digest's send journal, opened once (call with ``_send_log_lock`` held)."""
        stem = safe_file_name(digest_id)
        journal = self._journals.get(stem)
        if journal is None:
            journal = SendJournal(
                self.send_log_folder, digest_id, read_only=self._read_only, durable=self._durable
            )
            self._journals[stem] = journal
        return journal

    def send_log(self, digest_id: str) -> list[JSONDict]:
        with self._send_log_lock:
            return list(self._journal(digest_id).entries().values())

    def send_states(self, digest_id: str) -> dict[str, str]:
        with self._send_log_lock:
            return self._journal(digest_id).states()

    def record_send(self, entries: Iterable[Mapping[str, Any]], *, only_new: bool = False) -> None:
        by_digest: dict[str, list[Mapping[str, Any]]] = {}
        for entry in entries:
            digest_id, recipient = entry.get("digest_id"), entry.get("recipient")
            if not isinstance(digest_id, str) or not isinstance(recipient, str):
                raise LibraryError("a send-log entry needs a digest_id and a recipient")
            by_digest.setdefault(digest_id, []).append(entry)
        with self._send_log_lock:  # a send runs on a worker thread; the window reads the log
            for digest_id, batch in by_digest.items():
                journal = self._journal(digest_id)
                if only_new:  # under the lock: nobody else writes this log meanwhile
                    known = journal.states()
                    batch = [e for e in batch if e["recipient"] not in known]
                    if not batch:
                        continue
                journal.append(batch)  # one write and one fsync per digest

    def claim_send(self, entry: Mapping[str, Any]) -> bool:
        """Always the run's: the send lock is exclusive, so nobody else can take anyone."""
        self._check_writable()
        return True

    def send_log_mark(self, digest_id: str) -> Hashable | None:
        """The summary's and the journal's (inode, size, modification time)."""
        with self._send_log_lock:
            return self._journal(digest_id).mark()

    def send_log_ids(self) -> list[str]:
        """The digest ids the entries of the ``.sendlogs`` summaries and journals name.

        A file's name is the digest id made safe (``d/1`` -> ``d_1``), which cannot be
        reversed: the id comes from the entries, which carry their ``digest_id``.
        """
        try:
            names = [p.name for p in self.send_log_folder.iterdir() if p.is_file()]
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise LibraryError(
                f"cannot list the send logs in {self.send_log_folder}: {exc.strerror}"
            ) from None
        stems = {
            name[: -len(suffix)]
            for name in names
            for suffix in (SUMMARY_SUFFIX, JOURNAL_SUFFIX)
            if name.endswith(suffix) and len(name) > len(suffix)
        }
        stems = {stem for stem in stems if safe_file_name(stem) == stem}  # ours, not strays
        found: set[str] = set()
        with self._send_log_lock:
            for stem in sorted(stems):
                journal = self._journals.get(stem)
                if journal is None:  # read it aside: the stem is not the digest's id
                    journal = SendJournal(self.send_log_folder, stem, read_only=True)
                    found.update(journal.digest_ids())
                    journal.close()
                else:
                    found.update(journal.digest_ids())
        return sorted(found)

    def compact_send_log(self, digest_id: str) -> None:
        with self._send_log_lock:
            self._journal(digest_id).compact()

    def senders(self, digest_id: str) -> list[Holder]:
        return SendLock(self.send_log_folder, digest_id, Holder.unknown()).current_senders()

    def send_lock(self, digest_id: str, holder: Holder) -> SendLock:
        if self._read_only:
            raise LibraryError(
                f"the library {self.path} was opened read-only; sending needs it open for writing"
            )
        return SendLock(self.send_log_folder, digest_id, holder)

    def watch(self, listener: ChangeListener) -> Callable[[], None]:
        """Never called: one process at a time writes the file (its lock says so)."""
        return _stop_nothing

    def close(self) -> None:
        try:
            with self._send_log_lock:
                for journal in self._journals.values():
                    journal.close()
                self._journals.clear()
            self._db.close()
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> TinyDBLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
