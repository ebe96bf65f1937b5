"""One sender per digest, across machines: a session advisory lock held for the whole run.

:class:`SendLock` opens a connection of its own (not one of the pool's, which other
threads share), takes ``pg_try_advisory_lock`` on a key derived from the digest's id,
and keeps the connection until the run ends. The lock belongs to that session: it is
released when the run closes it, and by the server when the process dies however it
dies (its connection goes with it). A second sender, in this process or on another
machine, is refused at once with :class:`composer.errors.SendLockedError`.

Who holds the lock (:class:`composer.repository.Holder`) is written to
``send_holders`` with the holder's server process id, so that the refusal names them;
a row whose server process is gone (a holder killed before it could remove it) is
ignored, as the file store ignores a dead holder's sidecar.
"""

from __future__ import annotations

import contextlib
import logging

import orjson
import psycopg

from composer.repository import Holder, send_locked
from store.lock import HeldForABlock
from store.postgres.connect import Connection, Target, configure, database_errors
from store.postgres.schema import advisory_key

log = logging.getLogger(__name__)


def send_lock_key(digest_id: str) -> int:
    return advisory_key(f"send\0{digest_id}")


def current_holder(conn: Connection, digest_id: str) -> Holder | None:
    """Who the holders' table names for ``digest_id``, if their session is still there."""
    row = conn.execute(
        "SELECT holder FROM send_holders h WHERE digest_id = %s "
        "AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = h.backend_pid)",
        (digest_id,),
    ).fetchone()
    if row is None or not isinstance(row[0], dict):
        return None
    return Holder.from_dict(row[0])


class SendLock(HeldForABlock):
    """Held for the whole of a list send of ``digest_id`` (a context manager)."""

    def __init__(self, target: Target, digest_id: str, holder: Holder) -> None:
        self.target = target
        self.digest_id = digest_id
        self.holder = holder
        self._conn: Connection | None = None

    def acquire(self) -> None:
        location = self.target.location
        with database_errors(location, f"locking the send of the digest {self.digest_id}"):
            conn: Connection = psycopg.connect(self.target.url, **self.target.kwargs)
            try:
                configure(conn)
                taken = conn.execute(
                    "SELECT pg_try_advisory_lock(%s)", (send_lock_key(self.digest_id),)
                ).fetchone()
                if taken is None or not taken[0]:
                    holder = current_holder(conn, self.digest_id)
                    raise send_locked(self.digest_id, holder)
                conn.execute(
                    "INSERT INTO send_holders (digest_id, holder, backend_pid) "
                    "VALUES (%s, %s::jsonb, pg_backend_pid()) "
                    "ON CONFLICT (digest_id) DO UPDATE SET holder = EXCLUDED.holder, "
                    "backend_pid = EXCLUDED.backend_pid, since = now()",
                    (self.digest_id, orjson.dumps(self.holder.to_dict()).decode()),
                )
            except BaseException:
                conn.close()
                raise
        self._conn = conn

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(
                "DELETE FROM send_holders WHERE digest_id = %s AND backend_pid = pg_backend_pid()",
                (self.digest_id,),
            )
            conn.execute("SELECT pg_advisory_unlock(%s)", (send_lock_key(self.digest_id),))
        except Exception as exc:  # the connection is gone: so is the lock, with the session
            log.warning(
                "releasing the send lock of %s at %s: %s", self.digest_id, self.target.location, exc
            )
        finally:
            with contextlib.suppress(Exception):
                conn.close()
