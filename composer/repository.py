"""The library's interface as the core and the GUI see it.

:class:`Library` is what ``store/`` implements on TinyDB today; a second backend
(PostgreSQL for teams sharing one library) implements the same protocol and
nothing in ``composer/`` or ``ui/`` changes. Digests, settings and send logs
cross this boundary as plain JSON-ready dictionaries: their models live in the
core, the store only keeps them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import os
import socket
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol, runtime_checkable

from composer.errors import DigestConflictError, SendLockedError
from composer.library.item import NewsItem

JSONDict = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class AddResult:
    """What :meth:`Library.add_items` did: items added, and items it already had.

    ``existing`` holds the items as given (not the stored ones they duplicate), a
    duplicate inside the batch included (:func:`composer.library.rules.split_new`).
    """

    new: tuple[NewsItem, ...]
    existing: tuple[NewsItem, ...]


HolderRole = Literal["window", "command"]


@dataclasses.dataclass(frozen=True)
class Holder:
    """Who holds a library (or a digest's send) open: told to whoever is refused.

    ``role`` is ``"window"`` for the desktop app and ``"command"`` for a command-line
    run; ``command`` names it (``"newsdigest send"``).
    """

    role: HolderRole
    command: str = ""
    pid: int = dataclasses.field(default_factory=os.getpid)
    host: str = dataclasses.field(default_factory=socket.gethostname)
    since: str = dataclasses.field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )

    def to_dict(self) -> JSONDict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Holder | None:
        """The holder a lock file names, or ``None`` when it names none we can read."""
        role = data.get("role")
        pid = data.get("pid")
        if role not in ("window", "command") or not isinstance(pid, int):
            return None
        return cls(
            role=role,
            command=str(data.get("command") or ""),
            pid=pid,
            host=str(data.get("host") or ""),
            since=str(data.get("since") or ""),
        )

    @classmethod
    def unknown(cls) -> Holder:
        """A holder whose lock is held but who names nobody (:meth:`describe` says so)."""
        return cls(role="command", pid=0, host="", since="")

    def describe(self) -> str:
        """``"the Newsdigest window (process 4242, since 16:03 UTC)"``, or a command's."""
        if self.pid <= 0:
            return "another Newsdigest window or command"
        where = f"process {self.pid}"
        if self.host and self.host != socket.gethostname():
            where += f" on {self.host}"
        try:
            when = dt.datetime.fromisoformat(self.since).astimezone(dt.UTC)
            where += f", since {when:%Y-%m-%d %H:%M} UTC"
        except ValueError:
            pass
        if self.role == "window":
            return f"the Newsdigest window ({where})"
        name = f"`{self.command}`" if self.command else "a Newsdigest command"
        return f"a command-line {name} ({where})"


def _nothing() -> None:
    pass


@dataclasses.dataclass(frozen=True)
class SendSession:
    """What :meth:`Library.send_lock` tells the run that holds it.

    A store whose sends are exclusive (the file) always gives the default: the run is
    alone. A store that lets several senders share one digest's queue (PostgreSQL)
    says whether others were already sending it when this run came in (``joined``):
    a run that joins queues only recipients the log does not have yet
    (``record_send(..., only_new=True)``), leaves others' ``sending`` entries alone
    (they are in flight, not interrupted) and claims each recipient before its message
    (:meth:`Library.claim_send`). ``ready`` is called once the run's queue is written
    (and, when alone, the leftovers of a dead run marked uncertain): until then no
    other sender may begin, so that nobody plans over a half-written queue.
    """

    joined: bool = False
    ready: Callable[[], None] = _nothing


ChangeKind = Literal["items", "digest", "settings", "send_log"]


@dataclasses.dataclass(frozen=True)
class LibraryChange:
    """Another process changed the library (for windows that show it live).

    ``kind`` says what changed; ``digest_id`` which digest (for ``"digest"`` and
    ``"send_log"``); ``by`` who changed it (:func:`saver_name`, empty when unknown) and
    ``at`` when (ISO, UTC). Only a hint to read again: what changed is read from the
    library, never from the change.
    """

    kind: ChangeKind
    digest_id: str = ""
    by: str = ""
    at: str = ""


ChangeListener = Callable[[LibraryChange], None]


#: The keys a store adds to a saved digest: who saved which version of it, and when.
DIGEST_STAMP = ("version", "updated_at", "updated_by")


def saver_name() -> str:
    """Who a save is recorded as: ``ann@office-2`` (the user's login name and host)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = "someone"
    return f"{user}@{socket.gethostname()}"


def stored_version(stored: Mapping[str, Any]) -> int:
    """A stored digest's ``version``: 0 for one saved before versions were kept."""
    version = stored.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else 0


def new_stamp(version: int) -> JSONDict:
    """The :data:`DIGEST_STAMP` of a save made now, at ``version``, by :func:`saver_name`."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return {"version": version, "updated_at": now, "updated_by": saver_name()}


def kept_saver(digest: Mapping[str, Any]) -> tuple[str | None, dt.datetime | None]:
    """Who saved ``digest`` last and when, as its stamp says (``updated_by``; ``updated_at``
    as an aware UTC time, to the second): what a save with ``keep_saver`` keeps. Each is
    None when the digest has none that can be read (one saved before stamps were kept)."""
    who = digest.get("updated_by")
    when: dt.datetime | None = None
    text = digest.get("updated_at")
    if isinstance(text, str):
        try:
            when = dt.datetime.fromisoformat(text.strip())
        except ValueError:
            when = None
    if when is not None:
        when = (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        when = when.replace(microsecond=0)
    return (who.strip() if isinstance(who, str) and who.strip() else None), when


def kept_stamp(digest: Mapping[str, Any], version: int) -> JSONDict:
    """The :data:`DIGEST_STAMP` of a save at ``version`` that keeps ``digest``'s saver and
    time (:func:`kept_saver`); what it lacks is this save's, as in :func:`new_stamp`."""
    stamp = new_stamp(version)
    who, when = kept_saver(digest)
    if who is not None:
        stamp["updated_by"] = who
    if when is not None:
        stamp["updated_at"] = when.isoformat(timespec="seconds")
    return stamp


def send_locked(digest_id: str, holder: Holder | None) -> SendLockedError:
    """The refusal of a second sender of ``digest_id`` (every backend says it so)."""
    who = holder.describe() if holder else "another Newsdigest window or command"
    return SendLockedError(f"the digest {digest_id} is being sent by {who}; wait for it to finish")


def digest_conflict(
    stored: Mapping[str, Any], given: Mapping[str, Any], expected: int
) -> DigestConflictError:
    """The refusal of a save of ``given`` based on ``expected``, over ``stored``."""
    title = stored.get("title") or given.get("title") or ""
    return DigestConflictError(
        str(given.get("id") or ""),
        title if isinstance(title, str) else "",
        version=stored_version(stored),
        expected=expected,
        updated_by=str(stored.get("updated_by") or ""),
        updated_at=str(stored.get("updated_at") or ""),
    )


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
        """Every item in the canonical order (:func:`composer.library.rules.item_sort_key`:
        newest first, ties by title, then id). A snapshot: safe to keep."""
        ...

    def get_item(self, item_id: str) -> NewsItem | None: ...

    def find_existing(self, item: NewsItem) -> NewsItem | None:
        """The stored item that is the same story (:func:`composer.library.rules.find_duplicate`:
        the same id, else the same title and date)."""
        ...

    def add_items(self, items: Iterable[NewsItem]) -> AddResult:
        """Add the items the library does not have yet, in one durable write (the split is
        :func:`composer.library.rules.split_new`'s)."""
        ...

    def save_item(self, item: NewsItem) -> None:
        """Insert the item, or replace the stored one with the same id."""
        ...

    def remove_items(self, item_ids: Iterable[str]) -> list[str]:
        """Remove the items with these ids in one write; returns the ids that were there."""
        ...

    # digests -----------------------------------------------------------------------------
    def digests(self) -> list[JSONDict]: ...

    def get_digest(self, digest_id: str) -> JSONDict | None:
        """The digest as saved, with the store's :data:`DIGEST_STAMP` keys: ``version`` (an
        integer, one more at each save), ``updated_at`` (ISO, UTC) and ``updated_by``
        (:func:`saver_name`). :meth:`digests` lists them with the same keys."""
        ...

    def save_digest(
        self,
        digest: Mapping[str, Any],
        expected_version: int | None = None,
        *,
        keep_saver: bool = False,
    ) -> int:
        """Insert or replace the digest whose ``id`` key matches; returns its new ``version``.

        The store sets the :data:`DIGEST_STAMP` keys (those ``digest`` has are ignored),
        but for ``keep_saver`` (a copy from another library): then the digest's own
        ``updated_by`` and ``updated_at`` are kept (:func:`kept_saver`; what it lacks is
        this save's), and only ``version`` is this library's count of saves.
        With ``expected_version`` (the version the editor loaded; 0 for a digest it made),
        a stored digest at another version is kept as it is and
        :class:`composer.errors.DigestConflictError` names who saved it and when; a digest
        that is not stored (never, or no longer) is inserted. Without it (imports, copies)
        the digest is saved whatever is stored.
        """
        ...

    def remove_digest(self, digest_id: str) -> bool: ...

    # settings ----------------------------------------------------------------------------
    def settings(self) -> JSONDict: ...

    def update_settings(self, changes: Mapping[str, Any]) -> None: ...

    # send logs ---------------------------------------------------------------------------
    def send_log(self, digest_id: str) -> list[JSONDict]:
        """The send-log entries of a digest (safe to call while a worker thread records)."""
        ...

    def send_states(self, digest_id: str) -> dict[str, str]:
        """Each recipient's state alone (``{"ann@x.org": "sent"}``): what planning needs,
        read without the memory of whole entries (a run plans again under its lock)."""
        ...

    def record_send(self, entries: Iterable[Mapping[str, Any]], *, only_new: bool = False) -> None:
        """Record send-log entries keyed by (digest_id, recipient), durably, before returning.

        An entry updates the recipient's earlier one (its keys win, keys it does not
        name are kept, e.g. ``queued_at``). With ``only_new``, the entries of recipients
        the log already has are left out, atomically with the others' insertion (what a
        run that joins another's send queues: never over a state the other wrote).

        The store appends them to the digest's journal (one record per entry, one flush
        to disk per call): a call costs the same whatever the log's size. A send runs
        on a worker thread: this, :meth:`send_log` and :meth:`compact_send_log` must be
        thread-safe.
        """
        ...

    def claim_send(self, entry: Mapping[str, Any]) -> bool:
        """Take a recipient for this run just before its message is built and sent.

        ``entry`` (state ``sending``, naming the digest and the recipient) is recorded
        and True returned when the recipient's state is ``queued`` and no other sender is
        taking it at the same moment (PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``);
        False, with nothing written, when another sender has it or has dealt with it.
        A store whose send lock is exclusive has no other sender: it writes nothing
        and returns True (the run records ``sending`` before ``DATA`` as always).
        """
        ...

    def send_log_mark(self, digest_id: str) -> Hashable | None:
        """A value that changes whenever the digest's send log changes, read cheaply.

        A run compares the mark taken before its plan was read with the one under its
        send lock, and plans again only if they differ. ``None``: the store cannot tell
        cheaply (the run always plans again).
        """
        ...

    def send_log_ids(self) -> list[str]:
        """The id of every digest the library holds a send log for, sorted (what a copy
        of the library takes along; a log with no entries is none)."""
        ...

    def compact_send_log(self, digest_id: str) -> None:
        """Fold the digest's journal into its send-log summary (at the end of a run).

        What :meth:`send_log` returns is the same before and after; a crash in the
        middle loses nothing (the journal is only dropped once the summary is durable).
        """
        ...

    def senders(self, digest_id: str) -> list[Holder]:
        """Who is sending ``digest_id`` now, in any process (first come first); [] if nobody.

        Read without taking anything: a command tells "another is sending it now" (join it,
        or wait) from "an earlier run stopped" before it plans. Someone holding the send
        who names nobody is :meth:`Holder.unknown`.
        """
        ...

    def send_lock(self, digest_id: str, holder: Holder) -> AbstractContextManager[SendSession]:
        """Held for the whole of a list send of ``digest_id``; gives the run its session.

        A file store's lock is exclusive: a second sender of the same digest, in this
        process or another, however it spelled the library's path, gets
        :class:`composer.errors.SendLockedError` naming the holder. A store that shares
        sends lets the second in with ``joined`` set (:class:`SendSession`). Either way
        the lock goes with the process, however it dies.
        """
        ...

    # changes -----------------------------------------------------------------------------
    def watch(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` when another process changes the library; returns the stop.

        ``listener`` is called from a thread of the store's (a window passes it on to
        its own thread), within about a second of the change being committed. A store
        that one process writes at a time (the file) never calls it. Calling the
        returned function stops the calls (twice is fine); :meth:`close` stops them all.
        """
        ...

    def close(self) -> None: ...
