"""The library's tables, as forward migrations applied when a writer connects.

:data:`MIGRATIONS` is the whole history: migration *n* takes a database from schema
version *n - 1* to *n*, and one is never edited once released (a change is a new one
at the end). ``newsdigest_schema`` holds one row per migration applied, so the
database's version is its highest ``version``; a database without that table is a new
one (version 0). :func:`ensure_schema` applies what is missing in one transaction,
under a transaction-level advisory lock, so that two officers opening a new library at
the same moment never run a migration twice, and a migration that fails leaves the
database as it was. A database at a version newer than this Newsdigest knows is
refused before anything is read or written; a read-only open never migrates, and
refuses a database that needs it.

The tables (version 1):

* ``items``: one row per item, keyed by id, its fields as a JSONB document, its
  ``title_key`` (title and date, :attr:`composer.library.item.NewsItem.title_key`)
  indexed, ``seq`` the order of insertion (which of two equal candidates is "first").
* ``story_locks``: one row per story key ever written (``i:`` + id, ``t:`` + title
  key), unique: an import locks the rows of its stories (:mod:`store.postgres.items`).
* ``digests``: a JSONB document per id, with ``version``, ``updated_at`` and
  ``updated_by`` (a save based on an older version is refused on them,
  :mod:`store.postgres.digests`).
* ``settings``: one JSONB document.
* ``send_log``: one row per (digest, recipient), the entry's JSONB and its state.
* ``send_holders``: who holds a digest's send lock, so that a refusal can name them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import LiteralString

from composer.errors import LibraryError
from store.postgres.connect import Connection, database_errors


@dataclasses.dataclass(frozen=True)
class Migration:
    """One step of the schema: what it does, in words, and its statements."""

    description: str
    statements: tuple[LiteralString, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "items, story locks, digests, settings, send logs and send holders",
        (
            """CREATE TABLE items (
                id text PRIMARY KEY,
                title_key text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                doc jsonb NOT NULL
            )""",
            "CREATE INDEX items_by_title_key ON items (title_key)",
            "CREATE TABLE story_locks (key text PRIMARY KEY)",
            """CREATE TABLE digests (
                id text PRIMARY KEY,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                doc jsonb NOT NULL,
                version integer NOT NULL DEFAULT 1,
                updated_at timestamptz NOT NULL DEFAULT now(),
                updated_by text NOT NULL DEFAULT current_user
            )""",
            """CREATE TABLE settings (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                doc jsonb NOT NULL
            )""",
            """CREATE TABLE send_log (
                digest_id text NOT NULL,
                recipient text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                entry jsonb NOT NULL,
                state text GENERATED ALWAYS AS (
                    CASE WHEN jsonb_typeof(entry -> 'state') = 'string'
                    THEN entry ->> 'state' ELSE '' END
                ) STORED,
                PRIMARY KEY (digest_id, recipient)
            )""",
            "CREATE INDEX send_log_in_order ON send_log (digest_id, seq)",
            """CREATE TABLE send_holders (
                digest_id text PRIMARY KEY,
                holder jsonb NOT NULL,
                backend_pid integer NOT NULL,
                since timestamptz NOT NULL DEFAULT now()
            )""",
        ),
    ),
)

VERSION_TABLE = "newsdigest_schema"
_CREATE_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS newsdigest_schema (
    version integer PRIMARY KEY,
    description text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user
)"""


def advisory_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for ``name`` (the first 8 bytes of its SHA-256)."""
    digest = hashlib.sha256(f"newsdigest\0{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


SCHEMA_LOCK = advisory_key("schema")


def schema_version(conn: Connection) -> int:
    """The database's schema version: 0 for a database that holds no library yet."""
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (VERSION_TABLE,)).fetchone()
    if row is None or not row[0]:
        return 0
    found = conn.execute("SELECT coalesce(max(version), 0) FROM newsdigest_schema").fetchone()
    return int(found[0]) if found is not None else 0


def _check_not_newer(version: int, known: int, location: str) -> None:
    if version > known:
        raise LibraryError(
            f"the library at {location} was made by a newer Newsdigest: its schema is "
            f"version {version}, and this Newsdigest knows versions up to {known}. Update "
            "Newsdigest to open it; nothing was changed"
        )


def ensure_schema(
    conn: Connection,
    location: str,
    *,
    read_only: bool,
    migrations: tuple[Migration, ...] = MIGRATIONS,
) -> int:
    """Bring the database to the latest schema (a writer) or check it is there (a reader).

    Returns the version the database is at. ``conn`` is in autocommit mode; the
    migrations run in one transaction of their own.
    """
    known = len(migrations)
    with database_errors(location, "reading the schema version"):
        version = schema_version(conn)
    _check_not_newer(version, known, location)
    if version == known:
        return version
    if read_only:
        what = "holds no Newsdigest library yet" if version == 0 else f"is at schema {version}"
        raise LibraryError(
            f"the library at {location} {what}, and this Newsdigest needs schema {known}: "
            "open it for writing once (any command that changes it) to set it up"
        )
    with database_errors(location, "setting up the library's tables"), conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(_CREATE_VERSION_TABLE)
        version = schema_version(conn)  # again, under the lock: another may have done it
        _check_not_newer(version, known, location)
        for number in range(version + 1, known + 1):
            migration = migrations[number - 1]
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO newsdigest_schema (version, description) VALUES (%s, %s)",
                (number, migration.description),
            )
    return known
