"""What only the PostgreSQL library does, on a real server (:mod:`helpers.postgres_cluster`).

The Library contract (``test_library_contract.py``, the first part of
``test_store_send_log.py``) runs on PostgreSQL as one more backend. Here: the schema's
migrations (set up once however many open a new database at once, a failing one
changes nothing, a newer schema is refused in words); several writers at once, in real
processes (two imports of 1,000 different items each all land; two imports of the same
stories, with and without their links, keep each story once; a deadlock's victim is
run again; two editors of one digest: the second save is refused naming the first, and
its edit is kept as a new digest; two saves of one version at once land one); senders of
one digest in other processes (one sets up at a time, named when it takes too long; the
next joins it; a dead one's locks go with it; an older Newsdigest's exclusive run is
refused by name); passwords (never in
``location``, messages or logs; libpq's own sources; the keychain when they give none);
TLS as the url asks (``sslmode=verify-full`` against the cluster's own CA); and a url
is never a path (a string with another scheme is refused and nothing is created on
disk).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import trustme
from helpers.postgres_cluster import Cluster
from helpers.send_servers import MemoryKeyring

from composer.digest.model import make_digest
from composer.errors import LibraryError, LibraryUnreachableError, SendLockedError
from composer.library.item import NewsItem, make_item
from composer.repository import Holder
from composer.secrets import DATABASE_SERVICE, DatabasePasswordStore
from store import open_library, resolve_library, resolve_library_path
from store.postgres import PostgresLibrary
from store.postgres.items import retrying
from store.postgres.schema import MIGRATIONS, Migration, ensure_schema, schema_version

ROOT = Path(__file__).resolve().parents[2]
DIGEST = "month-2023-01"
pytestmark = pytest.mark.slow


def story(n: int, *, link: bool = True) -> NewsItem:
    """Story ``n``: the same title and day with or without its link (two ids, one story)."""
    return make_item(
        {
            "title": f"Story number {n}",
            "date": dt.date(2023, 1, 1) + dt.timedelta(days=n % 365),
            "category": ("Project News", "In Focus")[n % 2],
            "url": f"https://example.org/news/{n}" if link else None,
        }
    )


@pytest.fixture
def database(postgres_cluster: Cluster) -> Iterator[str]:
    """A database of the test's own (its name), dropped afterwards."""
    name = postgres_cluster.create_database()
    try:
        yield name
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture
def url(postgres_cluster: Cluster, database: str) -> str:
    return postgres_cluster.url(database)


def run_python(script: str, *args: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **popen,
    )


# -- the schema ---------------------------------------------------------------------------------
def test_a_new_database_is_set_up_at_the_latest_schema(url: str) -> None:
    with PostgresLibrary(url) as library:
        assert library.schema_version == len(MIGRATIONS)
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT version FROM newsdigest_schema ORDER BY version").fetchall()
    assert [row[0] for row in rows] == list(range(1, len(MIGRATIONS) + 1))


def test_openers_of_a_new_database_at_once_set_it_up_once(url: str) -> None:
    start = threading.Barrier(4)
    opened: list[PostgresLibrary] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            start.wait()
            opened.append(PostgresLibrary(url))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for library in opened:
        library.close()
    assert errors == [] and len(opened) == 4
    with psycopg.connect(url) as conn:
        assert schema_version(conn) == len(MIGRATIONS)
        count = conn.execute("SELECT count(*) FROM newsdigest_schema").fetchone()
    assert count == (len(MIGRATIONS),)


def test_a_failing_migration_leaves_the_database_as_it_was(url: str) -> None:
    broken = Migration(
        "a step that fails half-way", ("CREATE TABLE half_done (x int)", "SELECT 1/0")
    )
    with psycopg.connect(url, autocommit=True) as conn:
        with pytest.raises(LibraryError, match="division by zero"):
            ensure_schema(conn, "the test", read_only=False, migrations=(*MIGRATIONS, broken))
        assert schema_version(conn) == 0  # the first step was rolled back with the second
        tables = conn.execute("SELECT to_regclass('items'), to_regclass('half_done')").fetchone()
        assert tables == (None, None)


def test_a_schema_newer_than_the_app_is_refused_and_nothing_is_changed(url: str) -> None:
    with PostgresLibrary(url) as library:
        library.add_items([story(1)])
    newer = len(MIGRATIONS) + 1
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO newsdigest_schema (version, description) VALUES (%s, 'from the future')",
            (newer,),
        )
    for read_only in (False, True):
        with pytest.raises(LibraryError) as refused:
            PostgresLibrary(url, read_only=read_only)
        message = str(refused.value)
        assert "newer Newsdigest" in message and f"version {newer}" in message
        assert f"up to {len(MIGRATIONS)}" in message and "Update Newsdigest" in message
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (1,)
        assert schema_version(conn) == newer


def test_a_read_only_open_of_a_database_without_a_library_is_refused_and_creates_nothing(
    url: str,
) -> None:
    with pytest.raises(LibraryError, match="holds no Newsdigest library yet"):
        PostgresLibrary(url, read_only=True)
    with psycopg.connect(url) as conn:
        assert schema_version(conn) == 0
        assert conn.execute("SELECT to_regclass('newsdigest_schema')").fetchone() == (None,)


# -- several writers at once, in real processes -------------------------------------------------
IMPORTER = """
    import datetime as dt, json, sys
    from composer.library.item import make_item
    from composer.repository import Holder
    from store import open_library

    url, first, count, links, order = sys.argv[1:6]
    items = [
        make_item({
            "title": f"Story number {n}",
            "date": dt.date(2023, 1, 1) + dt.timedelta(days=n % 365),
            "category": ("Project News", "In Focus")[n % 2],
            "url": f"https://example.org/news/{n}" if links == "links" else None,
        })
        for n in range(int(first), int(first) + int(count))
    ]
    if order == "reversed":
        items.reverse()
    library = open_library(url, holder=Holder("command", command="newsdigest import"))
    print("ready", flush=True)
    sys.stdin.readline()  # both start importing at once
    result = library.add_items(items)
    library.close()
    print(json.dumps({"new": len(result.new), "existing": len(result.existing)}), flush=True)
"""


def import_at_once(url: str, *runs: tuple[int, int, str, str]) -> list[dict[str, int]]:
    """Run one importer process per ``(first, count, links, order)``, released together."""
    processes = [run_python(IMPORTER, url, *(str(a) for a in run)) for run in runs]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.strip() == "ready", process.communicate(timeout=60)[1]
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_two_processes_importing_1000_different_items_each_at_once_land_all_2000(
    url: str,
) -> None:
    PostgresLibrary(url).close()  # set up, so that both import (not one migrate)
    results = import_at_once(url, (0, 1000, "links", "as-is"), (1000, 1000, "links", "as-is"))
    assert results == [{"new": 1000, "existing": 0}, {"new": 1000, "existing": 0}]
    with PostgresLibrary(url, read_only=True) as library:
        stored = library.items()
    assert len(stored) == 2000
    assert {item.id for item in stored} == {story(n).id for n in range(2000)}


def test_two_processes_importing_the_same_stories_at_once_keep_each_story_once(url: str) -> None:
    # one with the links, the other the same titles and days without them (other ids), in
    # the opposite order: the database alone decides which of each pair lands
    results = import_at_once(url, (0, 1000, "links", "as-is"), (0, 1000, "no-links", "reversed"))
    assert sum(r["new"] for r in results) == 1000
    assert sum(r["existing"] for r in results) == 1000
    with PostgresLibrary(url, read_only=True) as library:
        stored = library.items()
    assert len(stored) == 1000
    assert sorted(item.title_key for item in stored) == sorted(
        story(n).title_key for n in range(1000)
    )


def test_an_import_again_from_two_processes_adds_nothing(url: str) -> None:
    with PostgresLibrary(url) as library:
        library.add_items(story(n) for n in range(300))
    results = import_at_once(url, (0, 300, "links", "as-is"), (0, 300, "no-links", "reversed"))
    assert results == [{"new": 0, "existing": 300}, {"new": 0, "existing": 300}]


def test_a_write_the_server_picks_as_a_deadlocks_victim_is_run_again(url: str) -> None:
    # writers lock stories in one order and never deadlock; should the server still pick
    # one as a victim, its transaction is run again: here two rows locked in opposite orders
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE pair (k int PRIMARY KEY)")
        conn.execute("INSERT INTO pair VALUES (1), (2)")
    both_hold_one = threading.Barrier(2)
    attempts = {1: 0, 2: 0}
    done = {1: threading.Event(), 2: threading.Event()}
    errors: list[BaseException] = []

    def writer(first: int, second: int) -> None:
        def once() -> None:
            attempts[first] += 1
            if attempts[first] > 1:  # the victim: once the other is through (else it may
                done[second].wait(60)  # lock its first row again first, and clash again)
            with conn.transaction():
                conn.execute("SELECT k FROM pair WHERE k = %s FOR UPDATE", (first,))
                if attempts[first] == 1:
                    both_hold_one.wait()
                conn.execute("SELECT k FROM pair WHERE k = %s FOR UPDATE", (second,))

        try:
            with psycopg.connect(url, autocommit=True) as conn:
                retrying(once)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            done[first].set()

    threads = [threading.Thread(target=writer, args=pair) for pair in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]  # the victim ran once more, and got through


HOLDER = """
    import sys
    from composer.repository import Holder
    from store import open_library

    library = open_library(sys.argv[1])
    with library.send_lock(sys.argv[2], Holder("command", command="newsdigest send")) as session:
        print("setting up", flush=True)
        sys.stdin.readline()
        session.ready()
        print("ready", flush=True)
        sys.stdin.readline()
"""


def test_senders_in_other_processes_share_a_digest_one_setting_up_at_a_time(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sender setting up (writing its queue) makes the next wait, and names it when that
    takes too long; once it is ready the next joins it; when it dies, the next is alone."""
    import store.postgres.locks

    monkeypatch.setattr(store.postgres.locks, "SETUP_WAIT_S", 0.5)
    with PostgresLibrary(url) as library:
        holder = run_python(HOLDER, url, DIGEST)
        try:
            assert holder.stdout is not None and holder.stdin is not None
            assert holder.stdout.readline().strip() == "setting up", holder.communicate()[1]
            with (
                pytest.raises(SendLockedError) as refused,
                library.send_lock(DIGEST, Holder("window")),
            ):
                pytest.fail("a second sender got in while the first was setting up")
            message = str(refused.value)
            assert f"process {holder.pid}" in message and "`newsdigest send`" in message
            assert "setting it up" in message and "0.5 s" in message
            with library.send_lock("another-digest", Holder("window")) as other:
                assert not other.joined  # another digest is free
            holder.stdin.write("\n")
            holder.stdin.flush()
            assert holder.stdout.readline().strip() == "ready"
            with library.send_lock(DIGEST, Holder("window")) as session:
                assert session.joined
                with psycopg.connect(url) as conn:
                    (count,) = conn.execute(
                        "SELECT count(*) FROM send_holders WHERE digest_id = %s", (DIGEST,)
                    ).fetchone() or (0,)
                assert count == 2  # both named
        finally:
            holder.kill()  # no release, no close: the server drops its session
            holder.communicate()
        deadline = time.monotonic() + 30  # the server notices the closed socket at once
        while True:
            with library.send_lock(DIGEST, Holder("window")) as session:
                if not session.joined:
                    break
            assert time.monotonic() < deadline, "the dead sender's lock outlived it"
            time.sleep(0.05)


def test_a_sender_of_an_older_newsdigest_holding_the_digest_alone_is_refused_by_name(
    url: str,
) -> None:
    from store.postgres.locks import send_lock_key

    with PostgresLibrary(url) as library, psycopg.connect(url, autocommit=True) as old:
        old.execute("SELECT pg_advisory_lock(%s)", (send_lock_key(DIGEST),))  # its whole run
        old.execute(
            "INSERT INTO send_holders (digest_id, holder, backend_pid) "
            "VALUES (%s, %s::jsonb, pg_backend_pid())",
            (DIGEST, json.dumps(Holder("command", command="newsdigest send").to_dict())),
        )
        with (
            pytest.raises(SendLockedError, match="`newsdigest send`"),
            library.send_lock(DIGEST, Holder("window")),
        ):
            pytest.fail("joined a run that holds the digest alone")


# -- passwords, TLS -----------------------------------------------------------------------------
@pytest.fixture
def officer(postgres_cluster: Cluster) -> Iterator[tuple[str, str, str]]:
    """A login role with a password and a database of its own: (role, password, database)."""
    role, password = f"ann_{os.urandom(4).hex()}", f"pw-{os.urandom(8).hex()}"
    postgres_cluster.create_role(role, password)
    database = postgres_cluster.create_database(owner=role)
    try:
        yield role, password, database
    finally:
        postgres_cluster.drop_database(database)


@pytest.fixture
def no_libpq_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Neither PGPASSWORD nor a .pgpass: the password file libpq reads is this one (absent)."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    passfile = tmp_path / "pgpass"
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    return passfile


def test_a_password_in_the_url_is_never_shown_in_location_messages_or_logs(
    postgres_cluster: Cluster,
    officer: tuple[str, str, str],
    caplog: pytest.LogCaptureFixture,
    no_libpq_password: Path,
) -> None:
    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role, password)
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="psycopg.pool"):
        with PostgresLibrary(url) as library:
            assert library.location == postgres_cluster.tcp_url(database, role)
            library.add_items([story(1)])
            library.record_send([{"digest_id": DIGEST, "recipient": "a@x.org", "state": "sent"}])
            with library.send_lock(DIGEST, Holder("window")):
                pass
        with pytest.raises(LibraryError) as wrong:
            PostgresLibrary(postgres_cluster.tcp_url(database, role, password + "-wrong"))
        query_form = f"postgresql://127.0.0.1:{postgres_cluster.port}/{database}"
        with pytest.raises(LibraryError) as in_query:
            PostgresLibrary(f"{query_form}?user={role}&password={password}x&sslmode=disable")
    assert "password authentication failed" in str(wrong.value)
    assert "password authentication failed" in str(in_query.value)
    assert "library" in caplog.text  # something was logged, with the location
    assert "psycopg.pool" in {r.name for r in caplog.records}  # the pool too, at DEBUG
    for shown in (caplog.text, str(wrong.value), str(in_query.value), library.location):
        assert password not in shown


def test_libpqs_own_password_sources_are_used(
    postgres_cluster: Cluster,
    officer: tuple[str, str, str],
    no_libpq_password: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role)
    no_libpq_password.write_text(
        f"127.0.0.1:{postgres_cluster.port}:{database}:{role}:{password}\n"
    )
    no_libpq_password.chmod(0o600)
    with PostgresLibrary(url, passwords=DatabasePasswordStore(backend=MemoryKeyring())) as library:
        library.add_items([story(1)])
    no_libpq_password.unlink()
    monkeypatch.setenv("PGPASSWORD", password)
    with PostgresLibrary(url, passwords=DatabasePasswordStore(backend=MemoryKeyring())) as library:
        assert len(library.items()) == 1


def test_the_keychain_gives_the_password_when_libpq_has_none(
    postgres_cluster: Cluster, officer: tuple[str, str, str], no_libpq_password: Path
) -> None:
    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role)
    keychain = MemoryKeyring()
    with pytest.raises(LibraryError) as refused:
        PostgresLibrary(url, passwords=DatabasePasswordStore(backend=keychain))
    account = f"{role}@127.0.0.1:{postgres_cluster.port}/{database}"
    message = str(refused.value)
    assert "asks for a password" in message and "PGPASSWORD" in message and ".pgpass" in message
    assert DATABASE_SERVICE in message and account in message
    assert DatabasePasswordStore(backend=keychain).save(account, password)
    with PostgresLibrary(url, passwords=DatabasePasswordStore(backend=keychain)) as library:
        library.add_items([story(1)])
        with library.send_lock(DIGEST, Holder("window")):  # its own connection: the same password
            pass
        assert password not in library.location


def test_tls_is_used_as_the_url_asks_and_the_server_is_checked_against_its_ca(
    postgres_cluster: Cluster, officer: tuple[str, str, str], tmp_path: Path
) -> None:
    role, password, database = officer
    base = postgres_cluster.tcp_url(database, role, password)
    verified = f"{base}?sslmode=verify-full&sslrootcert={postgres_cluster.ca_file}"
    with PostgresLibrary(verified) as library:
        library.add_items([story(1)])
        with psycopg.connect(verified) as conn:
            row = conn.execute(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
            ).fetchone()
        assert row == (True,)
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    with pytest.raises(LibraryError, match="certificate verify failed"):
        PostgresLibrary(f"{base}?sslmode=verify-full&sslrootcert={other_ca}")


# -- a url is never a path ----------------------------------------------------------------------
REFUSED = [
    "mysql://nd:s3cret@db.example.org/news",
    "sqlite:///library.db",
    "file:///tmp/library.json",
    "https://example.org/library.json",
    "postgresql:/nd@db.example.org/news",
    "postgresql//nd:s3cret@db.example.org/news",  # the colon forgotten: no folder postgresql/
    "postgresql:nd@db.example.org/news",  # the slashes forgotten
    "Postgres:nd@db.example.org/news",
]


@pytest.mark.parametrize("value", REFUSED)
def test_a_string_with_another_scheme_is_refused_and_nothing_is_created(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for opener in (open_library, resolve_library, resolve_library_path):
        with pytest.raises(LibraryError) as refused:
            opener(value)
        assert "s3cret" not in str(refused.value)
    monkeypatch.setenv("NEWSDIGEST_LIBRARY", value)
    with pytest.raises(LibraryError):
        open_library()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("scheme", ["PostgreSQL", "POSTGRES", "Postgresql"])
def test_the_scheme_is_read_in_any_case(scheme: str) -> None:
    typed = f"{scheme}://nd:s3cret@db.example.org/news"
    assert resolve_library(typed) == f"{scheme.lower()}://nd:s3cret@db.example.org/news"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("MySQL://nd:s3cret@db.example.org/news", "MySQL://nd@db.example.org/news: "),
        ("PostgreSQL:/nd:s3cret@db.example.org/news", "PostgreSQL:/nd@db.example.org/news: "),
    ],
)
def test_a_refusal_shows_the_scheme_as_typed(value: str, shown: str) -> None:
    with pytest.raises(LibraryError) as refused:
        resolve_library(value)
    assert str(refused.value).startswith(shown) and "s3cret" not in str(refused.value)
    if value.startswith("MySQL"):
        assert "MySQL:// is not a database Newsdigest can use" in str(refused.value)


def test_an_upper_case_scheme_opens_the_database(url: str) -> None:
    with open_library(url.replace("postgresql://", "PostgreSQL://", 1)) as library:
        assert isinstance(library, PostgresLibrary) and library.items() == []


def test_a_path_made_of_a_database_url_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LibraryError, match="two slashes"):
        open_library(Path("postgresql://nd@db.example.org/news"))  # Path() keeps one slash
    assert list(tmp_path.iterdir()) == []


def cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "composer", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        check=False,
    )


def test_the_command_line_refuses_a_url_that_is_not_a_database_and_creates_nothing(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    refused = cli(work, "--library", "mysql://nd:s3cret@db.example.org/news", "items")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "mysql:// is not a database Newsdigest can use" in refused.stderr
    assert "s3cret" not in refused.stderr
    away = cli(work, "--library", "postgresql://nd:s3cret@127.0.0.1:1/news", "sample")
    assert away.returncode == 1 and "Traceback" not in away.stderr
    assert "cannot connect to the library at postgresql://nd@127.0.0.1:1/news" in away.stderr
    assert "s3cret" not in away.stderr
    assert list(work.iterdir()) == []


def test_library_and_the_environment_take_a_database_url(tmp_path: Path, url: str) -> None:
    with open_library(url.replace("postgresql://", "postgres://", 1)) as library:  # both forms
        assert isinstance(library, PostgresLibrary) and library.items() == []
    added = cli(tmp_path, "--library", url, "sample")
    assert added.returncode == 0, added.stderr
    listed = cli(tmp_path, "items", "--json", NEWSDIGEST_LIBRARY=url)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 48
    assert [p.name for p in tmp_path.iterdir()] == []


# -- two editors of one digest ------------------------------------------------------------------
EDITOR = """
    import json, sys
    from composer.digest.editing import duplicate_digest
    from composer.digest.listing import load_digest
    from composer.digest.model import Digest
    from composer.errors import DigestConflictError
    from store import open_library

    url, digest_id, intro = sys.argv[1:4]
    library = open_library(url)
    mine = load_digest(library, digest_id)
    print(json.dumps({"loaded": mine.version}), flush=True)
    sys.stdin.readline()  # "save": the edit is made, and saved as the window saves it
    mine = mine.touched().to_dict() | {"intro": intro}
    try:
        print(json.dumps({"saved": library.save_digest(mine, mine["version"])}), flush=True)
    except DigestConflictError as refused:
        # nothing is lost: the edit is still in hand, and kept as a new digest ("keep mine")
        copy = duplicate_digest(Digest.from_dict(mine), "January (my copy)")
        library.save_digest(copy.to_dict(), expected_version=0)
        print(json.dumps({"refused": str(refused), "by": refused.updated_by,
                          "version": refused.version, "copy": copy.id}), flush=True)
    library.close()
"""


@pytest.fixture
def two_editors(url: str) -> Iterator[tuple[subprocess.Popen[str], subprocess.Popen[str]]]:
    """Two processes, of users ann and bob, that have each loaded the digest January."""
    with PostgresLibrary(url) as library:
        library.save_digest(make_digest(digest_id="d1", title="January").to_dict())
    editors = [
        run_python(EDITOR, url, "d1", f"Written by {name}", env={**os.environ, **as_user(name)})
        for name in ("ann", "bob")
    ]
    try:
        for editor in editors:
            assert editor.stdout is not None
            line = editor.stdout.readline()
            assert json.loads(line or "{}") == {"loaded": 1}, editor.communicate(timeout=60)[1]
        yield editors[0], editors[1]
    finally:
        for editor in editors:
            if editor.poll() is None:
                editor.kill()
            editor.communicate()


def as_user(name: str) -> dict[str, str]:
    """The environment in which :func:`getpass.getuser` (so ``updated_by``) names ``name``."""
    return {"LOGNAME": name, "USER": name, "LNAME": name, "USERNAME": name}


def save_now(editor: subprocess.Popen[str]) -> None:
    assert editor.stdin is not None
    editor.stdin.write("save\n")
    editor.stdin.flush()


def result_of(editor: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = editor.communicate(timeout=120)
    assert editor.returncode == 0, err
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


def test_two_processes_edit_one_digest_the_second_save_is_refused_and_nothing_is_lost(
    url: str, two_editors: tuple[subprocess.Popen[str], subprocess.Popen[str]]
) -> None:
    ann, bob = two_editors
    save_now(ann)
    assert result_of(ann) == {"saved": 2}
    save_now(bob)
    refused = result_of(bob)
    assert refused["by"] == f"ann@{socket.gethostname()}" and refused["version"] == 2
    assert refused["refused"].startswith(
        f"the digest \u201cJanuary\u201d was changed by ann@{socket.gethostname()} at "
    )
    assert "since you opened it" in refused["refused"]
    with PostgresLibrary(url, read_only=True) as library:
        theirs, copy = library.get_digest("d1"), library.get_digest(refused["copy"])
    assert theirs is not None and copy is not None
    assert (theirs["intro"], theirs["version"], theirs["updated_by"]) == (
        "Written by ann",
        2,
        f"ann@{socket.gethostname()}",
    )
    assert (copy["intro"], copy["title"], copy["version"]) == (
        "Written by bob",
        "January (my copy)",
        1,
    )
    assert copy["updated_by"] == f"bob@{socket.gethostname()}"


def test_two_processes_saving_one_version_at_the_same_moment_land_one_save(
    url: str, two_editors: tuple[subprocess.Popen[str], subprocess.Popen[str]]
) -> None:
    for editor in two_editors:
        save_now(editor)
    results = [result_of(editor) for editor in two_editors]
    assert sorted("saved" in result for result in results) == [False, True]
    (landed,) = [r for r in results if "saved" in r]
    (refused,) = [r for r in results if "refused" in r]
    assert landed == {"saved": 2} and refused["version"] == 2
    with PostgresLibrary(url, read_only=True) as library:
        stored, copy = library.get_digest("d1"), library.get_digest(refused["copy"])
    assert stored is not None and copy is not None and stored["version"] == 2
    assert refused["by"] == stored["updated_by"]  # the one whose save landed
    assert {stored["intro"], copy["intro"]} == {"Written by ann", "Written by bob"}


def test_a_server_out_of_reach_is_told_from_a_wrong_password(
    postgres_cluster: Cluster, officer: tuple[str, str, str], no_libpq_password: Path
) -> None:
    """Nothing listening: LibraryUnreachableError, with the reason in words (the window offers
    Retry for it). A wrong password: a plain LibraryError (retrying would not help)."""
    role, password, database = officer
    with socket.socket() as probe:  # a port nobody listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        with pytest.raises(LibraryUnreachableError) as away:
            PostgresLibrary(f"postgresql://{role}@127.0.0.1:{port}/{database}")
    assert "nothing answers" in away.value.reason and f"127.0.0.1:{port}" in str(away.value)
    wrong = postgres_cluster.tcp_url(database, role, password + "-not")
    with pytest.raises(LibraryError) as refused:
        PostgresLibrary(wrong)
    assert not isinstance(refused.value, LibraryUnreachableError)
    assert "password" in str(refused.value) and password not in str(refused.value)
