"""Send logs in PostgreSQL: one row per (digest, recipient), upserted with the store's merge.

An entry recorded for a recipient who has one updates it as the file store's journal
does: the later entry's keys win and the keys it does not name are kept
(``entry || EXCLUDED.entry``). A call is one statement, so it is durable when it
returns and all of it or none of it is kept; entries of one recipient within a call
are merged in order first (a statement may not touch one row twice). The state is a
column the server derives from the entry (``send_states`` reads it alone), and the
log comes back in the order recipients were first recorded. There is no journal to
fold: compaction has nothing to do. The log's mark is a counter per digest that a
trigger bumps with every statement that changes its rows (:func:`mark`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from composer.errors import LibraryError
from composer.repository import JSONDict
from store.postgres.connect import Connection
from store.postgres.documents import to_json

Key = tuple[str, str]


def merged(entries: Iterable[Mapping[str, Any]]) -> dict[Key, str]:
    """Each (digest, recipient)'s entries of one call merged in order, as JSON text.

    Every entry is checked before any is stored: one without its digest or recipient,
    or one that is not JSON, refuses the whole call.
    """
    by_key: dict[Key, JSONDict] = {}
    for entry in entries:
        digest_id, recipient = entry.get("digest_id"), entry.get("recipient")
        if not isinstance(digest_id, str) or not isinstance(recipient, str):
            raise LibraryError("a send-log entry needs a digest_id and a recipient")
        key = (digest_id, recipient)
        by_key[key] = {**by_key.get(key, {}), **entry}
    return {
        key: to_json(entry, f"a send-log entry of digest {key[0]}") for key, entry in by_key.items()
    }


_UPSERT = (
    "INSERT INTO send_log (digest_id, recipient, entry) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::jsonb[]) "
    "ON CONFLICT (digest_id, recipient) DO UPDATE SET entry = send_log.entry || EXCLUDED.entry"
)
_INSERT_NEW = (
    "INSERT INTO send_log (digest_id, recipient, entry) "
    "SELECT * FROM unnest(%s::text[], %s::text[], %s::jsonb[]) "
    "ON CONFLICT (digest_id, recipient) DO NOTHING"
)


def record(conn: Connection, documents: Mapping[Key, str], *, only_new: bool = False) -> None:
    """Upsert :func:`merged`'s documents in one statement (``only_new``: insert the absent)."""
    if not documents:
        return
    digests = [key[0] for key in documents]
    recipients = [key[1] for key in documents]
    conn.execute(
        _INSERT_NEW if only_new else _UPSERT, (digests, recipients, list(documents.values()))
    )


def claim(conn: Connection, key: Key, document: str) -> bool:
    """Merge ``document`` into the recipient's row if it is ``queued`` and nobody holds it.

    ``FOR UPDATE SKIP LOCKED``: a row another sender is claiming at this moment is
    skipped, not waited for; the update is committed with the statement, so the claim
    is durable (and the row ``sending``) before the message is built.
    """
    row = conn.execute(
        "WITH free AS (SELECT seq FROM send_log WHERE digest_id = %s AND recipient = %s "
        "AND state = 'queued' FOR UPDATE SKIP LOCKED) "
        "UPDATE send_log SET entry = send_log.entry || %s::jsonb "
        "FROM free WHERE send_log.seq = free.seq RETURNING send_log.seq",
        (key[0], key[1], document),
    ).fetchone()
    return row is not None


def entries(conn: Connection, digest_id: str) -> list[JSONDict]:
    rows = conn.execute(
        "SELECT entry FROM send_log WHERE digest_id = %s ORDER BY seq", (digest_id,)
    ).fetchall()
    return [row[0] for row in rows]


def states(conn: Connection, digest_id: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT recipient, state FROM send_log WHERE digest_id = %s ORDER BY seq", (digest_id,)
    ).fetchall()
    return {row[0]: row[1] for row in rows}


def mark(conn: Connection, digest_id: str) -> int:
    """The digest's send-log counter (schema 4's ``send_log_marks``; 0 before any change).

    Every statement that inserts, updates or deletes rows of the digest's log bumps it
    in its own transaction (a trigger), and nothing lowers it: read twice, an equal
    value means no change to the log was committed in between, whoever wrote it.
    """
    row = conn.execute(
        "SELECT mark FROM send_log_marks WHERE digest_id = %s", (digest_id,)
    ).fetchone()
    return int(row[0]) if row is not None else 0


def digest_ids(conn: Connection) -> list[str]:
    """Every digest with a send log, sorted in Python (the server's collation is not ours)."""
    rows = conn.execute("SELECT DISTINCT digest_id FROM send_log").fetchall()
    return sorted(str(row[0]) for row in rows)
