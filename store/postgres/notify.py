"""Live changes: what other windows and commands wrote, heard through ``LISTEN/NOTIFY``.

The announcing is the database's: triggers (a migration of
:mod:`store.postgres.schema`) call ``pg_notify('newsdigest', …)`` in the writer's own
transaction, so a change is announced when it commits and never when it rolls back,
whoever made it (any Newsdigest, ``library copy``, a hand edit in ``psql``). Triggers
rather than ``pg_notify`` beside each write: no write path can forget it, and the
statement-level ones announce an import of 5,000 items, or a send's batch of entries,
once. The payload is a small JSON object::

    {"kind": "digest", "digest_id": "d-…", "by": "ann@office-2",
     "at": "2024-03-01T14:03:00+00:00", "origin": "9f…"}

``kind`` is ``items``, ``digest``, ``settings`` or ``send_log``; ``digest_id`` names the
digest (``""``: any, or none); ``by`` and ``at`` are the saver and stamp where the row
has them (a digest's), else ``""`` and the commit's time. ``origin`` is the writing
library's own id: every connection of a :class:`~store.postgres.library.PostgresLibrary`
carries it as the session setting ``newsdigest.origin`` (:func:`with_origin`), and the
library's listener drops what it wrote itself.

:class:`ChangeWatcher` is the listener: one thread per library, started by the first
:meth:`~store.postgres.library.PostgresLibrary.watch`, with a connection of its own
(not the pool's, which other threads share) that runs ``LISTEN`` and waits in
:meth:`psycopg.Connection.notifies` for a short while at a time, so that a stop is
heard within :data:`POLL_S`. Each announcement becomes a
:class:`composer.repository.LibraryChange` handed to every listener, on this thread.
Send-log changes come at most once per digest per :data:`SEND_LOG_EVERY_S` (the first at
once, the last of a burst at the end of its second: never lost). When the connection
drops (the server restarted, the session was terminated, the network went away, found
by a ``SELECT 1`` every :data:`CHECK_EVERY_S` when all is quiet), it connects again
with a growing pause (:data:`BACKOFF_S`); changes made meanwhile were not heard, so
after a reconnection every listener is told that the items, any digest and the
settings may have changed (they read them again).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable

import orjson
import psycopg

from composer.repository import ChangeKind, ChangeListener, LibraryChange
from store.postgres.connect import Connection, Target, configure, reason

log = logging.getLogger(__name__)

CHANNEL = "newsdigest"
#: The session setting that names the library a connection writes for.
ORIGIN_SETTING = "newsdigest.origin"
#: How long one wait for announcements lasts: the longest a stop waits to be heard.
POLL_S = 0.25
#: A quiet connection is checked this often (a dead one is noticed, and replaced).
CHECK_EVERY_S = 15.0
#: The pauses before each new attempt to connect, the last one repeated.
BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)
#: At most one send-log change per digest this often.
SEND_LOG_EVERY_S = 1.0
#: How long ``close`` waits for the listener's thread to end.
JOIN_TIMEOUT_S = 5.0
KINDS: tuple[ChangeKind, ...] = ("items", "digest", "settings", "send_log")
#: What a listener is told after a reconnection: everything may have changed meanwhile.
MISSED: tuple[LibraryChange, ...] = (
    LibraryChange("items"),
    LibraryChange("digest"),
    LibraryChange("settings"),
)


def new_origin() -> str:
    """A library's own id, put on each of its connections (32 hex digits)."""
    return uuid.uuid4().hex


def with_origin(target: Target, origin: str) -> Target:
    """``target`` whose connections carry ``origin`` (a ``-c newsdigest.origin=…`` option)."""
    options = f"{target.kwargs.get('options', '')} -c {ORIGIN_SETTING}={origin}".strip()
    return dataclasses.replace(target, kwargs={**target.kwargs, "options": options})


@dataclasses.dataclass(frozen=True)
class Announcement:
    """One notification read: the change, and which library made it."""

    change: LibraryChange
    origin: str


def parse(payload: str) -> Announcement | None:
    """The announcement in a notification's payload; ``None`` for one that is not ours."""
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        return None

    def text(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    change = LibraryChange(
        kind=data["kind"], digest_id=text("digest_id"), by=text("by"), at=text("at")
    )
    return Announcement(change, text("origin"))


class SendLogThrottle:
    """At most one send-log change per digest per ``every`` seconds, the last never lost.

    :meth:`offer` says whether a change goes out now; one held back is kept (the newest
    of its digest) and :meth:`due` hands it out once its digest's interval is over.
    """

    def __init__(
        self, every: float = SEND_LOG_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every = every
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, LibraryChange] = {}

    def offer(self, change: LibraryChange) -> bool:
        now = self._clock()
        last = self._last.get(change.digest_id)
        if last is None or now - last >= self.every:
            self._last[change.digest_id] = now
            self._held.pop(change.digest_id, None)
            return True
        self._held[change.digest_id] = change
        return False

    def due(self) -> list[LibraryChange]:
        now = self._clock()
        ready = [
            digest_id
            for digest_id in self._held
            if now - self._last.get(digest_id, 0.0) >= self.every
        ]
        for digest_id in ready:
            self._last[digest_id] = now
        return [self._held.pop(digest_id) for digest_id in ready]

    @property
    def waiting(self) -> bool:
        return bool(self._held)


class ChangeWatcher:
    """The listener thread of one library: announcements in, :class:`LibraryChange` out."""

    def __init__(self, target: Target, origin: str, *, name: str = "newsdigest-listen") -> None:
        self._target = target
        self._origin = origin
        self._listeners: list[ChangeListener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._throttle = SendLogThrottle()
        #: Set once the first ``LISTEN`` is in place (tests wait for it), cleared when it drops.
        self.listening = threading.Event()
        #: How many times it connected again after a drop.
        self.reconnections = 0
        #: The server process of its connection (``pg_terminate_backend`` in the tests).
        self.backend_pid: int | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    # -- listeners (any thread) -----------------------------------------------------------------
    def add(self, listener: ChangeListener) -> Callable[[], None]:
        """Call ``listener`` with every change from now on; returns its stop (idempotent)."""
        with self._lock:
            self._listeners.append(listener)
            if not self._thread.is_alive() and not self._stop.is_set():
                self._thread.start()

        def stop() -> None:
            with self._lock:
                with contextlib.suppress(ValueError):
                    self._listeners.remove(listener)
                last = not self._listeners
            if last:
                self.close()

        return stop

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def closed(self) -> bool:
        """Stopped for good (a library starts a new watcher for the next listener)."""
        return self._stop.is_set()

    def close(self, timeout: float = JOIN_TIMEOUT_S) -> None:
        """Stop listening and wait (up to ``timeout``) for the thread to end."""
        self._stop.set()
        with self._lock:
            self._listeners.clear()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the change listener of %s did not stop", self._target.location)

    # -- the thread -----------------------------------------------------------------------------
    def _run(self) -> None:
        attempt = 0
        connected_before = False
        while not self._stop.is_set():
            try:
                conn = self._connect()
            except psycopg.Error as exc:
                pause = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                attempt += 1
                log.warning(
                    "listening for changes at %s: cannot connect (%s); again in %.1f s",
                    self._target.location,
                    reason(exc),
                    pause,
                )
                self._stop.wait(pause)
                continue
            attempt = 0
            if connected_before:
                self.reconnections += 1
                log.info("listening for changes at %s again", self._target.location)
                for change in MISSED:
                    self._deliver(change)
            connected_before = True
            try:
                self._listen(conn)
            except psycopg.Error as exc:
                if not self._stop.is_set():
                    log.warning(
                        "listening for changes at %s: the connection dropped (%s)",
                        self._target.location,
                        reason(exc),
                    )
            finally:
                self.listening.clear()
                with contextlib.suppress(Exception):
                    conn.close()
            self._stop.wait(BACKOFF_S[0])

    def _connect(self) -> Connection:
        conn: Connection = psycopg.connect(self._target.url, **self._target.kwargs)
        try:
            configure(conn)
            conn.execute("LISTEN newsdigest")  # CHANNEL
            self.backend_pid = conn.info.backend_pid
        except BaseException:
            conn.close()
            raise
        self.listening.set()
        return conn

    def _listen(self, conn: Connection) -> None:
        """Hand on what comes, until stopped or the connection fails (a psycopg error)."""
        quiet_since = time.monotonic()
        while not self._stop.is_set():
            heard = False
            for notify in conn.notifies(timeout=POLL_S):
                heard = True
                self._heard(notify.payload)
                if self._stop.is_set():
                    return
            for change in self._throttle.due():
                self._deliver(change)
            if heard:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= CHECK_EVERY_S:
                conn.execute("SELECT 1")  # what arrives meanwhile waits for the next notifies()
                quiet_since = time.monotonic()

    def _heard(self, payload: str) -> None:
        announcement = parse(payload)
        if announcement is None:
            log.debug("ignored a notification on %s: %.80r", CHANNEL, payload)
            return
        if announcement.origin == self._origin:
            return  # our own change: the library that made it knows
        change = announcement.change
        if change.kind == "send_log" and not self._throttle.offer(change):
            return
        self._deliver(change)

    def _deliver(self, change: LibraryChange) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(change)
            except Exception:  # a listener's bug must not stop the others, or the listening
                log.exception("a listener of %s failed on %s", self._target.location, change)
