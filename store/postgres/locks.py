"""Senders of one digest share its list, across machines: session advisory locks held for a run.

:class:`SendLock` opens a connection of its own (not one of the pool's, which other
threads share) and keeps it until the run ends. Its locks belong to that session: they
are released when the run closes it, and by the server when the process dies however it
dies (its connection goes with it). Two keys per digest:

* the *setup* key, taken exclusively (``pg_advisory_lock``) while a sender plans again
  and writes its queue: one sender at a time sets up, so that nobody plans over a
  half-written queue. It waits at most :data:`SETUP_WAIT_S` (``lock_timeout``): a
  setup that takes longer is refused in words naming who sets up, never a hang.
  :meth:`SendLock.session`'s ``ready`` lets it go once the queue is written;
* the *run* key, held shared for the whole run by every sender of the digest. A
  sender that can take it exclusively for a moment (``pg_try_advisory_lock``) is
  alone (``joined=False``: it may mark a dead run's leftovers uncertain); then it
  holds it shared and drops the exclusive hold. A sender that cannot joins the others
  (``joined=True``) and takes it shared. Liveness is the session's: a dead sender's
  session is gone, and its locks with it.

Each sender is written to ``send_holders`` (one row per server process, ``ready``
false while it sets up), so that a refusal can name who holds what; a row whose server
process is gone (a holder killed before it could remove it) is ignored, as the file
store ignores a dead holder's sidecar. The run key is the one an older Newsdigest took
exclusively for its whole run: such a sender is still refused, by name.
"""

from __future__ import annotations

import contextlib
import logging

import orjson
import psycopg

from composer.errors import SendLockedError
from composer.repository import Holder, SendSession, send_locked
from store.lock import HeldForABlock
from store.postgres.connect import Connection, Target, configure, database_errors
from store.postgres.schema import advisory_key

log = logging.getLogger(__name__)

#: How long a sender waits for another to finish setting up (writing its queue).
SETUP_WAIT_S = 60.0


def send_lock_key(digest_id: str) -> int:
    """The run key: held shared by every sender of ``digest_id``."""
    return advisory_key(f"send\0{digest_id}")


def setup_lock_key(digest_id: str) -> int:
    """The setup key: held by the one sender that plans and queues at this moment."""
    return advisory_key(f"send-setup\0{digest_id}")


def current_holders(conn: Connection, digest_id: str, *, setting_up: bool = False) -> list[Holder]:
    """Who the holders' table names for ``digest_id`` (first come first), sessions alive only.

    ``setting_up``: only those still writing their queue (not yet ready).
    """
    rows = conn.execute(
        "SELECT holder FROM send_holders h WHERE digest_id = %s "
        "AND (NOT %s OR NOT ready) "
        "AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = h.backend_pid) "
        "ORDER BY since, backend_pid",
        (digest_id, setting_up),
    ).fetchall()
    found = (Holder.from_dict(row[0]) for row in rows if isinstance(row[0], dict))
    return [holder for holder in found if holder is not None]


def current_holder(conn: Connection, digest_id: str) -> Holder | None:
    """The first sender the holders' table names for ``digest_id``, if any is alive."""
    holders = current_holders(conn, digest_id)
    return holders[0] if holders else None


def _setup_too_long(digest_id: str, holders: list[Holder], waited: float) -> SendLockedError:
    who = holders[0].describe() if holders else "another Newsdigest window or command"
    return SendLockedError(
        f"the send of the digest {digest_id} could not be joined: {who} has been setting "
        f"it up (writing its queue) for more than {waited:g} s; wait for it to start "
        "sending, or stop it, then try again"
    )


class SendLock(HeldForABlock):
    """Held for the whole of a list send of ``digest_id`` (a context manager)."""

    def __init__(
        self, target: Target, digest_id: str, holder: Holder, *, setup_wait: float | None = None
    ) -> None:
        self.target = target
        self.digest_id = digest_id
        self.holder = holder
        #: Seconds to wait for another sender's setup (None: :data:`SETUP_WAIT_S`, read then).
        self.setup_wait = setup_wait
        self.joined = False
        self._conn: Connection | None = None
        self._setting_up = False

    def acquire(self) -> None:
        location = self.target.location
        with database_errors(location, f"locking the send of the digest {self.digest_id}"):
            conn: Connection = psycopg.connect(self.target.url, **self.target.kwargs)
            try:
                configure(conn)
                self._take(conn)
            except BaseException:
                conn.close()
                raise
        self._conn = conn

    def _take(self, conn: Connection) -> None:
        """The setup key (waited for), then the run key: alone, or joining the others."""
        waiting = SETUP_WAIT_S if self.setup_wait is None else self.setup_wait
        wait_ms = max(1, round(waiting * 1000))
        conn.execute(
            "SELECT set_config('lock_timeout', %s, false), "
            "set_config('statement_timeout', %s, false)",
            (str(wait_ms), str(wait_ms + 5000)),
        )
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (setup_lock_key(self.digest_id),))
            waited_too_long = False
        except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled):
            waited_too_long = True
        conn.execute("RESET lock_timeout")
        conn.execute("RESET statement_timeout")  # back to the connection's own (its options)
        if waited_too_long:
            holders = current_holders(conn, self.digest_id, setting_up=True)
            raise _setup_too_long(self.digest_id, holders, waiting)
        run_key = send_lock_key(self.digest_id)
        alone = conn.execute("SELECT pg_try_advisory_lock(%s)", (run_key,)).fetchone()
        if alone is not None and alone[0]:
            conn.execute("SELECT pg_advisory_lock_shared(%s)", (run_key,))  # ours: no wait
            conn.execute("SELECT pg_advisory_unlock(%s)", (run_key,))  # the exclusive hold
            self.joined = False
        else:
            shared = conn.execute("SELECT pg_try_advisory_lock_shared(%s)", (run_key,)).fetchone()
            if shared is None or not shared[0]:  # held exclusively: an older Newsdigest's run
                raise send_locked(self.digest_id, current_holder(conn, self.digest_id))
            self.joined = True
        conn.execute(
            "INSERT INTO send_holders (digest_id, holder, backend_pid, ready) "
            "VALUES (%s, %s::jsonb, pg_backend_pid(), false) "
            "ON CONFLICT (backend_pid) DO UPDATE SET digest_id = EXCLUDED.digest_id, "
            "holder = EXCLUDED.holder, ready = false, since = now()",
            (self.digest_id, orjson.dumps(self.holder.to_dict()).decode()),
        )
        self._setting_up = True

    def session(self) -> SendSession:
        return SendSession(joined=self.joined, ready=self.ready)

    def ready(self) -> None:
        """The queue is written: let the next sender set up (once; later calls do nothing)."""
        conn = self._conn
        if conn is None or not self._setting_up:
            return
        self._setting_up = False
        try:
            conn.execute("SELECT pg_advisory_unlock(%s)", (setup_lock_key(self.digest_id),))
            conn.execute(
                "UPDATE send_holders SET ready = true WHERE backend_pid = pg_backend_pid()"
            )
        except psycopg.Error as exc:  # the connection is gone: so are its locks
            log.warning(
                "letting other senders of %s at %s set up: %s",
                self.digest_id,
                self.target.location,
                exc,
            )

    def release(self) -> None:
        conn, self._conn = self._conn, None
        self._setting_up = False
        if conn is None:
            return
        try:
            conn.execute("DELETE FROM send_holders WHERE backend_pid = pg_backend_pid()")
            conn.execute("SELECT pg_advisory_unlock_all()")
        except Exception as exc:  # the connection is gone: so are the locks, with the session
            log.warning(
                "releasing the send lock of %s at %s: %s", self.digest_id, self.target.location, exc
            )
        finally:
            with contextlib.suppress(Exception):
                conn.close()
