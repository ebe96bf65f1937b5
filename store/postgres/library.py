""":class:`PostgresLibrary`: the :class:`composer.repository.Library` protocol on PostgreSQL.

A team's library: several windows and commands, on several machines, open it for
writing at once, and nothing one of them writes is lost or doubled:

* items: duplicates are decided by the database under row locks
  (:mod:`store.postgres.items`), in the core's rules; ``items()`` is in the core's
  canonical order (sorted in Python with :func:`composer.library.rules.item_sort_key`:
  the server's collation cannot fold case as Python does);
* digests, settings and send logs are the core's JSON dictionaries kept as JSONB (a
  digest with a ``version``, ``updated_at`` and ``updated_by`` the server keeps: a save
  based on an older version is refused, :mod:`store.postgres.digests`);
* several senders of one digest, on any machine, share its list: each claims a
  recipient before its message (:mod:`store.postgres.locks`, :mod:`store.postgres.send_log`).

Each call takes a connection from a small pool (one to four connections, shared by the
threads of the process: a send records from a worker thread while the window reads) and
is one statement or one transaction, so it is durable when it returns. Every statement
binds its values as parameters; the identifiers are fixed in the code. A read-only
open refuses every change before it reaches the server, and its sessions are read-only
besides. The schema is created or upgraded when a writer opens the library
(:mod:`store.postgres.schema`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any

from psycopg_pool import ConnectionPool

from composer.errors import LibraryError, LibraryUnreachableError
from composer.library.item import NewsItem
from composer.library.rules import sorted_items
from composer.repository import AddResult, ChangeListener, Holder, JSONDict
from composer.secrets import DatabasePasswordStore
from store.postgres import digests as digest_rows
from store.postgres import items as item_rows
from store.postgres import send_log
from store.postgres.connect import (
    CONNECT_TIMEOUT_S,
    Connection,
    Reachability,
    configure,
    database_errors,
    first_connection,
    target_for,
)
from store.postgres.documents import to_json
from store.postgres.locks import SendLock, current_holders
from store.postgres.notify import ChangeWatcher, new_origin, with_origin
from store.postgres.schema import ensure_schema

log = logging.getLogger(__name__)
# the pool logs at INFO each connection it lends and takes back (three lines a call, thousands
# a send); its warnings (a broken connection, a failed reconnection) are what a log is for
_pool_log = logging.getLogger("psycopg.pool")
if _pool_log.level == logging.NOTSET:
    _pool_log.setLevel(logging.WARNING)

POOL_MIN, POOL_MAX = 1, 4
#: How long a call waits for a free (or new) connection before it says the server is away.
POOL_WAIT_S = CONNECT_TIMEOUT_S + 5


class PostgresLibrary:
    """A library in a PostgreSQL database, named by its url (``postgresql://…``)."""

    def __init__(
        self,
        url: str,
        *,
        read_only: bool = False,
        holder: Holder | None = None,
        passwords: DatabasePasswordStore | None = None,
    ) -> None:
        self._read_only = read_only
        #: Who opened it (a database lets several writers in, so nobody is refused for it).
        self.holder = holder
        #: Stored items that could not be read as items (hand edits), from the last read.
        self.problems: list[str] = []
        #: This library's id on its connections: its listener ignores the changes it made.
        self.origin = new_origin()
        target = with_origin(target_for(url, read_only=read_only), self.origin)
        self._location = target.location
        conn, self._target = first_connection(target, passwords or DatabasePasswordStore())
        try:
            self.schema_version = ensure_schema(conn, self._location, read_only=read_only)
        finally:
            conn.close()
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            self._target.url,
            kwargs=self._target.kwargs,
            min_size=POOL_MIN,
            max_size=POOL_MAX,
            open=True,
            name="newsdigest",
            configure=configure,
            timeout=POOL_WAIT_S,
        )
        self._closed = False
        self._reach = Reachability()
        self._watch_lock = threading.Lock()
        self._watcher: ChangeWatcher | None = None
        log.info("library %s opened (schema %d)", self._location, self.schema_version)

    @contextlib.contextmanager
    def _connection(self, doing: str) -> Iterator[Connection]:
        """A pooled connection for one call; the driver's errors said in words.

        A server found out of reach is not waited for again at every call for a while
        (:class:`store.postgres.connect.Reachability`).
        """
        self._reach.check(self._location, doing)
        try:
            with database_errors(self._location, doing), self._pool.connection() as conn:
                yield conn
        except LibraryUnreachableError as exc:
            self._reach.failed(exc)
            raise
        self._reach.succeeded()

    # -- protocol -----------------------------------------------------------------------------
    @property
    def location(self) -> str:
        """The url without its password."""
        return self._location

    @property
    def read_only(self) -> bool:
        return self._read_only

    def _check_writable(self) -> None:
        if self._read_only:
            raise LibraryError(f"the library {self._location} was opened read-only")

    # items -------------------------------------------------------------------------------
    def items(self) -> list[NewsItem]:
        problems: list[str] = []
        with self._connection("reading the items") as conn:
            found = item_rows.all_items(conn, problems)
        self.problems = problems
        return sorted_items(found)

    def get_item(self, item_id: str) -> NewsItem | None:
        with self._connection("reading an item") as conn:
            return item_rows.get_item(conn, item_id)

    def find_existing(self, item: NewsItem) -> NewsItem | None:
        with self._connection("looking for a story") as conn:
            return item_rows.find_existing(conn, item)

    def add_items(self, items: Iterable[NewsItem]) -> AddResult:
        self._check_writable()
        batch = list(items)
        with self._connection(f"adding {len(batch)} items") as conn:
            return item_rows.retrying(lambda: item_rows.add_items(conn, batch))

    def save_item(self, item: NewsItem) -> None:
        self._check_writable()
        with self._connection(f"saving the item {item.id}") as conn:
            item_rows.retrying(lambda: item_rows.save_item(conn, item))

    def remove_items(self, item_ids: Iterable[str]) -> list[str]:
        self._check_writable()
        wanted = list(item_ids)
        with self._connection("removing items") as conn:
            return item_rows.remove_items(conn, wanted)

    # digests -----------------------------------------------------------------------------
    def digests(self) -> list[JSONDict]:
        with self._connection("reading the digests") as conn:
            return digest_rows.all_digests(conn)

    def get_digest(self, digest_id: str) -> JSONDict | None:
        with self._connection(f"reading the digest {digest_id}") as conn:
            return digest_rows.get_digest(conn, digest_id)

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
        with self._connection(f"saving the digest {digest_id}") as conn:
            return digest_rows.save_digest(
                conn, digest_id, digest, expected_version, keep_saver=keep_saver
            )

    def remove_digest(self, digest_id: str) -> bool:
        self._check_writable()
        with self._connection(f"removing the digest {digest_id}") as conn:
            row = conn.execute(
                "DELETE FROM digests WHERE id = %s RETURNING id", (digest_id,)
            ).fetchone()
        return row is not None

    # settings ----------------------------------------------------------------------------
    def settings(self) -> JSONDict:
        with self._connection("reading the settings") as conn:
            row = conn.execute("SELECT doc FROM settings").fetchone()
        return row[0] if row is not None else {}

    def update_settings(self, changes: Mapping[str, Any]) -> None:
        self._check_writable()
        document = to_json(changes, "the settings")
        with self._connection("saving the settings") as conn:
            conn.execute(  # a shallow merge, as the file store's update
                "INSERT INTO settings (doc) VALUES (%s::jsonb) "
                "ON CONFLICT (singleton) DO UPDATE SET doc = settings.doc || EXCLUDED.doc",
                (document,),
            )

    # send logs ---------------------------------------------------------------------------
    def send_log(self, digest_id: str) -> list[JSONDict]:
        with self._connection(f"reading the send log of {digest_id}") as conn:
            return send_log.entries(conn, digest_id)

    def send_states(self, digest_id: str) -> dict[str, str]:
        with self._connection(f"reading the send log of {digest_id}") as conn:
            return send_log.states(conn, digest_id)

    def record_send(self, entries: Iterable[Mapping[str, Any]], *, only_new: bool = False) -> None:
        self._check_writable()
        documents = send_log.merged(entries)  # every entry checked before any is sent
        with self._connection("recording the send log") as conn:
            send_log.record(conn, documents, only_new=only_new)

    def claim_send(self, entry: Mapping[str, Any]) -> bool:
        self._check_writable()
        ((key, document),) = send_log.merged([entry]).items()
        with self._connection(f"claiming {key[1]} in the send of {key[0]}") as conn:
            return send_log.claim(conn, key, document)

    def send_log_mark(self, digest_id: str) -> Hashable | None:
        """The digest's counter in ``send_log_marks`` (0 before its log's first change),
        which every statement that changes the log bumps in its own transaction."""
        with self._connection(f"reading the send log of {digest_id}") as conn:
            return send_log.mark(conn, digest_id)

    def watch(self, listener: ChangeListener) -> Callable[[], None]:
        """Hear other libraries' changes (:mod:`store.postgres.notify`), never this one's.

        The first listener starts the library's listener thread (one connection of its
        own, outside the pool); the last one's stop, or :meth:`close`, ends it.
        """
        with self._watch_lock:
            if self._closed:
                raise LibraryError(f"the library {self._location} is closed")
            if self._watcher is None or self._watcher.closed:
                self._watcher = ChangeWatcher(self._target, self.origin)
            return self._watcher.add(listener)

    @property
    def watcher(self) -> ChangeWatcher | None:
        """The listener thread's owner, while one runs (tests look at it)."""
        return self._watcher

    def send_log_ids(self) -> list[str]:
        with self._connection("listing the send logs") as conn:
            return send_log.digest_ids(conn)

    def compact_send_log(self, digest_id: str) -> None:
        """Nothing to fold: each entry is one row, updated in place."""
        self._check_writable()

    def senders(self, digest_id: str) -> list[Holder]:
        with self._connection(f"reading who sends {digest_id}") as conn:
            return current_holders(conn, digest_id)

    def send_lock(self, digest_id: str, holder: Holder) -> SendLock:
        if self._read_only:
            raise LibraryError(
                f"the library {self._location} was opened read-only; "
                "sending needs it open for writing"
            )
        return SendLock(self._target, digest_id, holder)

    def close(self) -> None:
        with self._watch_lock:
            watcher, self._watcher = self._watcher, None
            if self._closed:
                return
            self._closed = True
        if watcher is not None:
            watcher.close()
        self._pool.close()

    def __enter__(self) -> PostgresLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
