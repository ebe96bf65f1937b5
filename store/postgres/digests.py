"""Digests in PostgreSQL: a JSONB document per id, and the version stamp the server keeps.

The document is the core's dictionary without the stamp (:data:`DIGEST_STAMP`); the
stamp lives in the ``version``, ``updated_at`` and ``updated_by`` columns and is put
back into the dictionary on reading. A save based on a version (``expected_version``)
is one atomic statement: ``UPDATE … WHERE id = %s AND version = %s`` (two savers of
one version queue on the row, and the second finds the version moved on), else, for a
digest the table does not have, ``INSERT … ON CONFLICT DO NOTHING`` (two inserters of
one new id: the second inserts nothing). Zero rows is a conflict: the stored digest is
kept and :class:`composer.errors.DigestConflictError` names who saved it, and when.
A save that keeps the saver (a copy from another library) writes the digest's own
``updated_by`` and ``updated_at`` into the columns instead of this role's and ``now()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from composer.repository import DIGEST_STAMP, JSONDict, digest_conflict, kept_saver, saver_name
from store.postgres.connect import Connection
from store.postgres.documents import to_json


def _stamped(row: tuple[Any, ...]) -> JSONDict:
    """A row's document with its stamp, as every store returns a digest."""
    doc, version, updated_at, updated_by = row
    when = updated_at.astimezone(dt.UTC).isoformat(timespec="seconds")
    return {**doc, "version": version, "updated_at": when, "updated_by": updated_by}


def all_digests(conn: Connection) -> list[JSONDict]:
    """Every digest, in the order they were first saved."""
    rows = conn.execute(
        "SELECT doc, version, updated_at, updated_by FROM digests ORDER BY seq"
    ).fetchall()
    return [_stamped(row) for row in rows]


def get_digest(conn: Connection, digest_id: str) -> JSONDict | None:
    row = conn.execute(
        "SELECT doc, version, updated_at, updated_by FROM digests WHERE id = %s",
        (digest_id,),
    ).fetchone()
    return _stamped(row) if row is not None else None


def save_digest(
    conn: Connection,
    digest_id: str,
    digest: Mapping[str, Any],
    expected_version: int | None,
    *,
    keep_saver: bool = False,
) -> int:
    """Save ``digest`` (its ``id`` checked by the caller); its new version. With
    ``keep_saver``, its own saver and time (:func:`~composer.repository.kept_saver`) are
    stored, where it has them."""
    unstamped = {key: value for key, value in digest.items() if key not in DIGEST_STAMP}
    document = to_json(unstamped, f"the digest {digest_id}")
    kept_who, when = kept_saver(digest) if keep_saver else (None, None)
    who = kept_who or saver_name()
    # when is None: the server's now(), as for every save of this library's own
    if expected_version is None:
        row = conn.execute(
            "INSERT INTO digests (id, doc, updated_by, updated_at) "
            "VALUES (%s, %s::jsonb, %s, COALESCE(%s::timestamptz, now())) "
            "ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, version = digests.version + 1, "
            "updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by "
            "RETURNING version",
            (digest_id, document, who, when),
        ).fetchone()
    else:
        row = conn.execute(
            "UPDATE digests SET doc = %s::jsonb, version = version + 1, "
            "updated_at = COALESCE(%s::timestamptz, now()), updated_by = %s "
            "WHERE id = %s AND version = %s RETURNING version",
            (document, when, who, digest_id, expected_version),
        ).fetchone()
        if row is None:  # another version, or not stored: only a digest not there is inserted
            row = conn.execute(
                "INSERT INTO digests (id, doc, updated_by, updated_at) "
                "VALUES (%s, %s::jsonb, %s, COALESCE(%s::timestamptz, now())) "
                "ON CONFLICT (id) DO NOTHING RETURNING version",
                (digest_id, document, who, when),
            ).fetchone()
        if row is None:
            stored = get_digest(conn, digest_id) or {}
            raise digest_conflict(stored, digest, expected_version)
    assert row is not None  # an upsert always returns its row
    return int(row[0])
