"""The README's team set-up, run for real: ``packaging/postgres/team-setup.sql`` with psql.

Each test runs the file (the statements the README shows) with ``psql -v
ON_ERROR_STOP=1`` as the superuser of the session's throwaway cluster, gives the
roles passwords (what ``\\password`` does), and then works as the roles do over TCP
with SCRAM, the way an officer's machine connects:

* only the owner can set up the empty library (an officer's first open is refused);
* an officer who is not the owner imports, edits a digest (another officer's stale
  save refused) and sends, as real ``newsdigest`` processes;
* a role outside the team is refused at the door, in words;
* an upgrade of the tables (a later Newsdigest's migration, ``ALTER TABLE``) is the
  owner's: an officer's is refused, and a table the owner adds is the team's too.

The roles and the database the file names are the cluster's own for the test, and
dropped after it. Skips, saying why, when there is no PostgreSQL or no ``psql``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.postgres_cluster import Cluster
from helpers.send_servers import ROOT, sender_env, smtp_server, write_recipients
from psycopg import sql

from composer.digest.model import Section, make_digest
from composer.errors import DigestConflictError, LibraryError
from store.postgres import PostgresLibrary
from store.postgres.connect import Connection
from store.postgres.schema import MIGRATIONS, Migration, ensure_schema

SETUP_SQL = ROOT / "packaging" / "postgres" / "team-setup.sql"
LISTING = ROOT / "tests" / "fixtures" / "news-listing-2023-01.txt"
DATABASE = "newsdigest"
OWNER, GROUP, OFFICERS = "newsdigest_owner", "newsdigest_team", ("ann", "bob")
OUTSIDER = "eve"  # a login role of the same server, in no group


@dataclass(frozen=True)
class Team:
    cluster: Cluster
    passwords: dict[str, str]

    def url(self, role: str, *, with_password: bool = True) -> str:
        password = self.passwords[role] if with_password else None
        return self.cluster.tcp_url(DATABASE, role, password)

    def newsdigest(self, role: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``newsdigest --library URL ARGS`` as ``role``; the password from PGPASSWORD."""
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "composer",
                "--library",
                self.url(role, with_password=False),
                *args,
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            cwd=ROOT,
            env=sender_env(PGPASSWORD=self.passwords[role]),
        )


def psql(cluster: Cluster) -> Path:
    for candidate in (cluster.bin_dir / "psql", shutil.which("psql")):
        if candidate is not None and Path(candidate).exists():
            return Path(candidate)
    pytest.skip("no psql beside the PostgreSQL binaries nor on PATH (Debian: postgresql-client)")


def _drop_all(cluster: Cluster) -> None:
    cluster.drop_database(DATABASE)
    with cluster.admin() as conn:
        for role in (*OFFICERS, OUTSIDER, OWNER, GROUP):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.fixture
def team(
    postgres_cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Team]:
    """The README's set-up run on the cluster, and a password for each of its login roles."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    tool = psql(postgres_cluster)
    _drop_all(postgres_cluster)  # a previous run that died half-way
    try:
        ran = subprocess.run(
            [str(tool), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(SETUP_SQL)],
            env={**os.environ, "PGDATABASE": "postgres", "PGUSER": "postgres"}
            | {"PGHOST": str(postgres_cluster.socket_dir), "PGPORT": str(postgres_cluster.port)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        assert ran.stderr == ""
        passwords = {role: f"pw-{role}-{os.urandom(6).hex()}" for role in (*OFFICERS, OWNER)}
        passwords[OUTSIDER] = f"pw-{OUTSIDER}-{os.urandom(6).hex()}"
        with postgres_cluster.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(OUTSIDER), sql.Literal(passwords[OUTSIDER])
                )
            )
            for role in (*OFFICERS, OWNER):  # what `\password ROLE` does
                conn.execute(
                    sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        sql.Identifier(role), sql.Literal(passwords[role])
                    )
                )
        yield Team(postgres_cluster, passwords)
    finally:
        _drop_all(postgres_cluster)


def test_the_readme_shows_the_statements_these_tests_run() -> None:
    statements = [
        line
        for line in SETUP_SQL.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("--")
    ]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme.split("#### Setting up the team library", 1)[1]
    shown = part.split("```sql\n", 1)[1].split("```", 1)[0]
    assert shown.splitlines() == statements


def set_up_by_the_owner(team: Team) -> None:
    """The owner's first open, as the README says: a command that writes (the theme)."""
    made = team.newsdigest(OWNER, "settings", "theme", "--organisation", "Lakeside Water Board")
    assert made.returncode == 0, made.stderr


def tables_and_owners(team: Team) -> dict[str, str]:
    with team.cluster.admin(DATABASE) as conn:
        rows = conn.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {str(name): str(owner) for name, owner in rows}


def test_only_the_owner_sets_the_library_up(team: Team) -> None:
    refused = team.newsdigest("ann", "sample")
    assert refused.returncode == 1
    assert "holds no Newsdigest library yet, and this role may not create its tables" in (
        refused.stderr
    )
    assert f"the database's owner is {OWNER}" in refused.stderr
    assert "LINE 1" not in refused.stderr and "Traceback" not in refused.stderr
    assert tables_and_owners(team) == {}  # nothing half made

    set_up_by_the_owner(team)
    owners = tables_and_owners(team)
    assert {"items", "digests", "send_log", "newsdigest_schema"} <= set(owners)
    assert set(owners.values()) == {OWNER}


@pytest.mark.slow
def test_an_officer_who_is_not_the_owner_imports_edits_a_digest_and_sends(
    team: Team, tmp_path: Path
) -> None:
    set_up_by_the_owner(team)
    imported = team.newsdigest("ann", "import", str(LISTING))
    assert imported.returncode == 0, imported.stderr

    with smtp_server() as (handler, port):
        for section in (
            ["theme", "--from", "News <news@lakeside.example.org>"],
            ["theme", "--postal-address", "3 Reservoir Road, Lakeside 2210"],
            ["theme", "--unsubscribe-url", "https://lakeside.example.org/leave?u={email}"],
            ["smtp", "--host", "127.0.0.1", "--port", str(port), "--security", "none"],
        ):
            saved = team.newsdigest("ann", "settings", *section)
            assert saved.returncode == 0, saved.stderr
        with PostgresLibrary(team.url("ann")) as ann:
            ids = [item.id for item in ann.items()]
            assert ids
            digest = make_digest(
                digest_id="d-team", title="Our picks", sections=[Section("Picks", tuple(ids[:3]))]
            ).to_dict()
            first = ann.save_digest(digest)
            edited = ann.save_digest({**digest, "title": "Our picks, edited"}, first)
        with PostgresLibrary(team.url("bob")) as bob:  # another officer, on a stale copy
            with pytest.raises(DigestConflictError):
                bob.save_digest({**digest, "title": "Bob's"}, first)
            assert (bob.get_digest("d-team") or {})["title"] == "Our picks, edited"
            assert edited > first

        recipients = tmp_path / "recipients.csv"
        addresses = write_recipients(recipients, 4)
        sent = team.newsdigest(
            "ann",
            "send",
            "--digest",
            "d-team",
            "--to-file",
            str(recipients),
            "--yes",
            "--throttle",
            "0",
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr
        assert sorted(r for m in handler.messages() for r in m.rcpt_tos) == addresses

    with PostgresLibrary(team.url("bob"), read_only=True) as bob:
        states = bob.send_states("d-team")
    assert states == {address: "sent" for address in addresses}


def test_a_role_outside_the_team_is_refused_in_words(team: Team) -> None:
    set_up_by_the_owner(team)
    refused = team.newsdigest(OUTSIDER, "items")
    assert refused.returncode == 1
    assert "cannot connect to the library at" in refused.stderr
    assert f'permission denied for database "{DATABASE}"' in refused.stderr
    assert "CONNECT privilege" in refused.stderr
    assert team.passwords[OUTSIDER] not in refused.stderr
    assert "Traceback" not in refused.stderr


def _upgrade(conn: Connection, location: str) -> int:
    """A later Newsdigest's open: one migration more, which alters a table and adds one."""
    later = Migration(
        "a later version's upgrade",
        ("ALTER TABLE items ADD COLUMN later text", "CREATE TABLE later_table (k text)"),
    )
    return ensure_schema(conn, location, read_only=False, migrations=(*MIGRATIONS, later))


def _columns(team: Team, table: str) -> list[str]:
    with team.cluster.admin(DATABASE) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
            (table,),
        ).fetchall()
    return sorted(str(row[0]) for row in rows)


def _officers_upgrade(team: Team) -> LibraryError:
    import psycopg

    with (
        psycopg.connect(team.url("ann"), autocommit=True) as conn,
        pytest.raises(LibraryError) as refused,
    ):
        _upgrade(conn, team.url("ann", with_password=False))
    return refused.value


def test_an_upgrade_of_the_tables_is_the_owners_and_what_it_adds_is_the_teams(team: Team) -> None:
    import psycopg

    set_up_by_the_owner(team)
    columns = _columns(team, "items")
    message = str(_officers_upgrade(team))
    assert f"only the owner of its tables, the role {OWNER}, can upgrade them" in message
    assert _columns(team, "items") == columns  # nothing was changed

    with psycopg.connect(team.url(OWNER), autocommit=True) as conn:
        assert _upgrade(conn, "owner") == len(MIGRATIONS) + 1
    assert _columns(team, "items") == sorted([*columns, "later"])
    with psycopg.connect(team.url("ann"), autocommit=True) as conn:
        assert _upgrade(conn, "ann") == len(MIGRATIONS) + 1  # at the new version: nothing to do
        conn.execute("INSERT INTO later_table (k) VALUES ('the team writes it')")
        assert conn.execute("SELECT k FROM later_table").fetchall() == [("the team writes it",)]


def test_an_officers_refused_upgrade_names_the_owner_and_the_versions(team: Team) -> None:
    set_up_by_the_owner(team)
    message = str(_officers_upgrade(team))
    assert OWNER in message
    assert f"schema {len(MIGRATIONS)}" in message and f"schema {len(MIGRATIONS) + 1}" in message
    assert "administrator grants it" not in message
