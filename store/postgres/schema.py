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

Version 2: ``send_holders`` has a row per sender, keyed by its server process
(``backend_pid``): several senders share one digest's list (:mod:`store.postgres.locks`);
``ready`` is false while a sender sets up its queue.

Version 3 announces every change on the channel ``newsdigest`` (``pg_notify`` from
triggers, so in the writer's own transaction: heard when it commits, never when it rolls
back, whoever wrote it, ``library copy`` and hand edits included): items once a
statement, a digest once a row with its saver and stamp, the settings, and a send log
once a digest a statement; :mod:`store.postgres.notify` listens.

Version 4: ``send_log_marks`` holds a counter per digest that every statement changing
its send log bumps (a trigger, in the writer's transaction): the send log's mark
(:meth:`composer.repository.Library.send_log_mark`), read as one row.
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
    Migration(
        "send holders: several senders of one digest at once, one row per server process",
        (
            # rows of sessions that are gone first: the new key must hold on what is left
            "DELETE FROM send_holders h WHERE NOT EXISTS "
            "(SELECT 1 FROM pg_stat_activity a WHERE a.pid = h.backend_pid)",
            "DELETE FROM send_holders a USING send_holders b "
            "WHERE a.backend_pid = b.backend_pid AND a.ctid < b.ctid",
            "ALTER TABLE send_holders DROP CONSTRAINT send_holders_pkey",
            "ALTER TABLE send_holders ADD PRIMARY KEY (backend_pid)",
            "ALTER TABLE send_holders ADD COLUMN ready boolean NOT NULL DEFAULT false",
            "CREATE INDEX send_holders_by_digest ON send_holders (digest_id)",
        ),
    ),
    Migration(
        "changes announced on the channel newsdigest (LISTEN/NOTIFY), in the writer's transaction",
        (
            # One announcement: a small JSON payload (far below NOTIFY's 8000 bytes: an overlong
            # id is sent as "" and read as "any digest", so that no write fails for its size).
            # ``origin`` is the writing library's own id (the session setting
            # newsdigest.origin, store.postgres.notify), so that it can ignore its own changes.
            """CREATE FUNCTION newsdigest_announce(
                p_kind text, p_digest_id text, p_by text, p_at timestamptz
            ) RETURNS void LANGUAGE sql AS $$
                SELECT pg_notify('newsdigest', json_build_object(
                    'kind', p_kind,
                    'digest_id', CASE WHEN length(p_digest_id) <= 400 THEN p_digest_id ELSE '' END,
                    'by', left(coalesce(p_by, ''), 200),
                    'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                    'origin', left(coalesce(current_setting('newsdigest.origin', true), ''), 64)
                )::text)
            $$""",
            # items: once per statement that changed any (an import of 5,000 is one), never
            # per row; a statement that changed none (every story a duplicate) says nothing
            """CREATE FUNCTION newsdigest_items_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM changed) THEN
                    PERFORM newsdigest_announce('items', '', '', now());
                END IF;
                RETURN NULL;
            END $$""",
            """CREATE TRIGGER items_inserted AFTER INSERT ON items
                REFERENCING NEW TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_items_changed()""",
            """CREATE TRIGGER items_updated AFTER UPDATE ON items
                REFERENCING NEW TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_items_changed()""",
            """CREATE TRIGGER items_deleted AFTER DELETE ON items
                REFERENCING OLD TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_items_changed()""",
            # digests: each row, with who saved it and when (the row's own stamp)
            """CREATE FUNCTION newsdigest_digest_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    PERFORM newsdigest_announce('digest', OLD.id, '', now());
                ELSE
                    PERFORM newsdigest_announce('digest', NEW.id, NEW.updated_by, NEW.updated_at);
                END IF;
                RETURN NULL;
            END $$""",
            """CREATE TRIGGER digests_changed AFTER INSERT OR UPDATE OR DELETE ON digests
                FOR EACH ROW EXECUTE FUNCTION newsdigest_digest_changed()""",
            """CREATE FUNCTION newsdigest_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM newsdigest_announce('settings', '', '', now());
                RETURN NULL;
            END $$""",
            """CREATE TRIGGER settings_changed AFTER INSERT OR UPDATE OR DELETE ON settings
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_settings_changed()""",
            # send logs: once per digest per statement (a send records thousands of entries;
            # the listener coalesces further, store.postgres.notify)
            """CREATE FUNCTION newsdigest_send_log_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM newsdigest_announce('send_log', d.digest_id, '', now())
                FROM (SELECT DISTINCT digest_id FROM changed) AS d;
                RETURN NULL;
            END $$""",
            """CREATE TRIGGER send_log_inserted AFTER INSERT ON send_log
                REFERENCING NEW TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_send_log_changed()""",
            """CREATE TRIGGER send_log_updated AFTER UPDATE ON send_log
                REFERENCING NEW TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_send_log_changed()""",
            """CREATE TRIGGER send_log_deleted AFTER DELETE ON send_log
                REFERENCING OLD TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_send_log_changed()""",
        ),
    ),
    Migration(
        "send-log marks: a counter per digest, bumped by every statement that changes its log",
        (
            # A missing row reads as 0 (a log written before this migration, or none yet): the
            # first change makes it 1. Never decremented, never reset: an equal mark read twice
            # means no change to the log was committed in between.
            """CREATE TABLE send_log_marks (
                digest_id text PRIMARY KEY,
                mark bigint NOT NULL
            )""",
            # In the writer's own transaction (committed with the change or rolled back with
            # it); the rows are taken in the digests' order, so that two statements that touch
            # several digests' logs never wait for each other in a circle. Concurrent writers
            # of one digest already commit one after the other (the announcement's NOTIFY).
            """CREATE FUNCTION newsdigest_send_log_marked() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO send_log_marks (digest_id, mark)
                SELECT d.digest_id, 1 FROM (SELECT DISTINCT digest_id FROM changed) AS d
                ORDER BY d.digest_id COLLATE "C"
                ON CONFLICT (digest_id) DO UPDATE SET mark = send_log_marks.mark + 1;
                RETURN NULL;
            END $$""",
            """CREATE TRIGGER send_log_marked_inserted AFTER INSERT ON send_log
                REFERENCING NEW TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_send_log_marked()""",
            """CREATE TRIGGER send_log_marked_updated AFTER UPDATE ON send_log
                REFERENCING NEW TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_send_log_marked()""",
            """CREATE TRIGGER send_log_marked_deleted AFTER DELETE ON send_log
                REFERENCING OLD TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION newsdigest_send_log_marked()""",
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
    # pg_class read with the statement's snapshot, not to_regclass: its cache may not have
    # heard yet of a table another opener created while this one waited for the lock
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = %s AND n.nspname = current_schema())",
        (VERSION_TABLE,),
    ).fetchone()
    if row is None or not row[0]:
        return 0
    found = conn.execute("SELECT coalesce(max(version), 0) FROM newsdigest_schema").fetchone()
    return int(found[0]) if found is not None else 0


def _check_may_create(conn: Connection, known: int, location: str) -> None:
    """Refuse, naming the database's owner, when this role may not create the tables."""
    row = conn.execute(
        "SELECT has_schema_privilege(current_schema(), 'CREATE'), "
        "pg_get_userbyid(d.datdba) FROM pg_database d WHERE d.datname = current_database()"
    ).fetchone()
    if row is None or row[0]:
        return
    raise LibraryError(
        f"the library at {location} holds no Newsdigest library yet, and this role may not "
        f"create its tables (schema {known}): the team's owner role opens it first, once "
        f"(the database's owner is {row[1]}; see Setting up the team library in the README)"
    )


def _check_may_upgrade(conn: Connection, version: int, known: int, location: str) -> None:
    """Refuse, naming the owner, when this role may not alter the library's tables.

    Only a table's owner (or a member of the owning role) may ALTER it: an officer's
    newer Newsdigest cannot upgrade a team library the owner set up, and granting would
    not help; the server's own refusal ("permission denied for schema public") says none
    of that.
    """
    row = conn.execute(
        "SELECT c.relowner::regrole::text, pg_has_role(c.relowner, 'USAGE') "
        "FROM pg_class c WHERE c.oid = to_regclass(%s)",
        (VERSION_TABLE,),
    ).fetchone()
    if row is None or row[1]:
        return
    raise LibraryError(
        f"the library at {location} is at schema {version} and this Newsdigest needs schema "
        f"{known}: only the owner of its tables, the role {row[0]}, can upgrade them. Ask "
        f"them to open it once with this version (as {row[0]}: any command that changes "
        "it); until then, use the Newsdigest version the team had"
    )


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
        version = schema_version(conn)  # again, under the lock: another may have done it
        _check_not_newer(version, known, location)
        if version:  # before any statement: the server's refusal would say less
            _check_may_upgrade(conn, version, known, location)
        else:
            _check_may_create(conn, known, location)
        conn.execute(_CREATE_VERSION_TABLE)
        for number in range(version + 1, known + 1):
            migration = migrations[number - 1]
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO newsdigest_schema (version, description) VALUES (%s, %s)",
                (number, migration.description),
            )
    return known
