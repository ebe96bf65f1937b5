"""A team library's url and password, when they are wrong: the message says what and where.

A misspelt url parameter (``sslmod``) is named with the nearest one libpq knows, as a
real ``newsdigest`` process says it: exit 1, no traceback, nothing made on disk, the
url's password never shown. A password the real test cluster refuses (its TCP
connections ask for SCRAM) is traced to the place it came from: the url itself,
``PGPASSWORD``, the password file (``PGPASSFILE`` or ``~/.pgpass``, by its path), or the
keychain entry (the suite's in-memory keychain); each is checked to be the place that
gives the right password too, so the test fails if the source named is not the one libpq
used. ``library password`` reads a piped password's first line only.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.postgres_cluster import Cluster
from helpers.send_servers import ROOT, MemoryKeyring, sender_env

from composer.cli.main import build_parser
from composer.errors import LibraryError, LibraryPasswordError
from composer.secrets import DATABASE_SERVICE, DatabasePasswordStore

WRONG = "Wrong-pässword-never-shown-3"


@pytest.fixture
def officer(postgres_cluster: Cluster) -> Iterator[tuple[str, str, str]]:
    """A login role with a password and a database it owns: (role, password, database)."""
    role, password = f"ann_{os.urandom(4).hex()}", "Right-" + os.urandom(6).hex()
    postgres_cluster.create_role(role, password)
    database = postgres_cluster.create_database(owner=role)
    try:
        yield role, password, database
    finally:
        postgres_cluster.drop_database(database)


@pytest.fixture
def no_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> MemoryKeyring:
    """Nothing gives libpq a password (no PGPASSWORD, no password file); an empty keychain."""
    backend = MemoryKeyring()
    monkeypatch.setattr("composer.secrets.default_backend", lambda: backend)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGSERVICE", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    return backend


def _open(url: str, keychain: MemoryKeyring) -> None:
    from store.postgres import PostgresLibrary

    with PostgresLibrary(url, passwords=DatabasePasswordStore(backend=keychain)) as library:
        assert library.items() == []


def _refused(url: str, keychain: MemoryKeyring) -> LibraryPasswordError:
    with pytest.raises(LibraryPasswordError) as refused:
        _open(url, keychain)
    message = str(refused.value)
    assert "refused the password" in message
    assert WRONG not in message
    return refused.value


def _pgpass(path: Path, cluster: Cluster, database: str, role: str, password: str) -> None:
    path.write_text(f"127.0.0.1:{cluster.port}:{database}:{role}:{password}\n", encoding="utf-8")
    path.chmod(0o600)  # libpq ignores a password file others may read


# -- the url --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_misspelt_url_parameter_is_named_with_the_nearest_known_one(tmp_path: Path) -> None:
    url = "postgresql://ann:hunter2@db.example.org/newsdigest?sslmod=require"
    result = subprocess.run(
        [sys.executable, "-m", "composer", "--library", url, "items"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=tmp_path,
        env=sender_env(HOME=str(tmp_path), PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 1
    assert (
        "unknown parameter 'sslmod' in the library url (did you mean 'sslmode'?)" in result.stderr
    )
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no folder named after the url, no library file


def test_a_misspelt_password_parameter_shows_no_value() -> None:
    from store.postgres.connect import target_for

    with pytest.raises(LibraryError) as refused:
        target_for(
            "postgresql://ann@db.example.org/nd?sslmode=require&pasword=hunter2", read_only=False
        )
    assert "unknown parameter 'pasword'" in str(refused.value)
    assert "did you mean 'password'?" in str(refused.value)
    assert "hunter2" not in str(refused.value)
    with pytest.raises(LibraryError, match=r"unknown parameter 'zzqq' in the library url \(see"):
        target_for("postgresql://ann@db.example.org/nd?zzqq=1", read_only=True)


# -- where the refused password came from ---------------------------------------------------------
def test_a_wrong_password_in_the_url_is_said_to_be_the_urls(
    postgres_cluster: Cluster, officer: tuple[str, str, str], no_password: MemoryKeyring
) -> None:
    role, password, database = officer
    refused = _refused(postgres_cluster.tcp_url(database, role, WRONG), no_password)
    assert refused.source == "the url itself"
    assert "leave it out of the url" in str(refused) and "newsdigest library password" in str(
        refused
    )
    _open(postgres_cluster.tcp_url(database, role, password), no_password)


def test_a_wrong_pgpassword_is_named(
    postgres_cluster: Cluster,
    officer: tuple[str, str, str],
    no_password: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role)
    _pgpass(tmp_path / "pgpass", postgres_cluster, database, role, password)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))  # right, but PGPASSWORD comes first
    monkeypatch.setenv("PGPASSWORD", WRONG)
    refused = _refused(url, no_password)
    assert refused.source == "the environment variable PGPASSWORD"
    assert "set PGPASSWORD to the right password, or unset it" in str(refused)
    monkeypatch.delenv("PGPASSWORD")
    _open(url, no_password)  # the password file's right one, now that PGPASSWORD is gone


def test_a_wrong_password_file_is_named_by_its_path(
    postgres_cluster: Cluster,
    officer: tuple[str, str, str],
    no_password: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role)
    named = tmp_path / "team.pgpass"
    _pgpass(named, postgres_cluster, database, role, WRONG)
    monkeypatch.setenv("PGPASSFILE", str(named))
    refused = _refused(url, no_password)
    assert refused.source == f"the password file {named}"
    line = f"127.0.0.1:{postgres_cluster.port}:{database}:{role}"
    assert f"correct its line for {line}" in str(refused)
    _pgpass(named, postgres_cluster, database, role, password)
    _open(url, no_password)

    # no PGPASSFILE: libpq's own ~/.pgpass, in the home folder
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("PGPASSFILE")
    monkeypatch.setenv("HOME", str(home))
    _pgpass(home / ".pgpass", postgres_cluster, database, role, WRONG)
    assert _refused(url, no_password).source == f"the password file {home / '.pgpass'}"


def test_a_wrong_keychain_password_names_the_entry_and_the_command(
    postgres_cluster: Cluster, officer: tuple[str, str, str], no_password: MemoryKeyring
) -> None:
    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role)
    account = f"{role}@127.0.0.1:{postgres_cluster.port}/{database}"
    no_password.set_password(DATABASE_SERVICE, account, WRONG)
    refused = _refused(url, no_password)
    assert refused.source == (
        f"the system keychain (service {DATABASE_SERVICE!r}, user name {account!r})"
    )
    assert f"`newsdigest library password {url}`" in str(refused)
    no_password.set_password(DATABASE_SERVICE, account, password)
    _open(url, no_password)


@pytest.mark.skipif(
    sys.platform == "win32", reason="libpq checks a password file's mode on Unix only"
)
def test_a_password_file_others_can_read_is_named_as_not_used(
    postgres_cluster: Cluster,
    officer: tuple[str, str, str],
    no_password: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """libpq skips a password file its group or others may read, right password and all:
    the message names it and says how to make it private; once it is, it is used."""
    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role)
    named = tmp_path / "team.pgpass"
    _pgpass(named, postgres_cluster, database, role, password)
    named.chmod(0o644)
    monkeypatch.setenv("PGPASSFILE", str(named))
    with pytest.raises(LibraryError) as asked:
        _open(url, no_password)
    message = str(asked.value)
    assert "the server asks for a password and none was given" in message
    assert f"{named} was not used: others can read it; make it private (chmod 600 {named})" in (
        message
    )
    assert password not in message
    named.chmod(0o600)
    _open(url, no_password)

    # libpq's own ~/.pgpass, left readable; a wrong keychain password tried instead
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.delenv("PGPASSFILE")
    monkeypatch.setenv("HOME", str(home))
    default = home / ".pgpass"
    _pgpass(default, postgres_cluster, database, role, password)
    default.chmod(0o640)
    account = f"{role}@127.0.0.1:{postgres_cluster.port}/{database}"
    no_password.set_password(DATABASE_SERVICE, account, WRONG)
    refused = _refused(url, no_password)
    assert refused.source.startswith("the system keychain")
    assert f"{default} was not used: others can read it; make it private (chmod 600 " in str(
        refused
    )
    default.chmod(0o600)
    _open(url, no_password)  # the file's right password, before the keychain's wrong one


@pytest.mark.skipif(
    sys.platform == "win32", reason="libpq checks a password file's mode on Unix only"
)
def test_a_password_file_others_may_write_is_named_too(
    postgres_cluster: Cluster,
    officer: tuple[str, str, str],
    no_password: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """libpq skips a file its group or others have any access to, not only read."""
    role, password, database = officer
    named = tmp_path / "team.pgpass"
    _pgpass(named, postgres_cluster, database, role, password)
    named.chmod(0o620)
    monkeypatch.setenv("PGPASSFILE", str(named))
    with pytest.raises(LibraryError) as asked:
        _open(postgres_cluster.tcp_url(database, role), no_password)
    assert f"{named} was not used: others have access to it; make it private (chmod 600 " in str(
        asked.value
    )


def test_a_private_or_missing_password_file_is_not_named(
    postgres_cluster: Cluster, officer: tuple[str, str, str], no_password: MemoryKeyring
) -> None:
    role, _password, database = officer
    with pytest.raises(LibraryError) as asked:
        _open(postgres_cluster.tcp_url(database, role), no_password)
    message = str(asked.value)
    assert "none was given; put it in PGPASSWORD or ~/.pgpass" in message
    assert "was not used" not in message


@pytest.mark.slow
def test_the_command_line_says_where_the_wrong_password_came_from(
    postgres_cluster: Cluster, officer: tuple[str, str, str], tmp_path: Path
) -> None:
    role, _password, database = officer
    result = subprocess.run(
        [sys.executable, "-m", "composer", "items"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=ROOT,
        env=sender_env(
            NEWSDIGEST_LIBRARY=postgres_cluster.tcp_url(database, role),
            PGPASSWORD=WRONG,
            PGPASSFILE=str(tmp_path / "none"),
        ),
    )
    assert result.returncode == 1
    assert "the server refused the password" in result.stderr
    assert "it came from the environment variable PGPASSWORD" in result.stderr
    assert "Traceback" not in result.stderr and WRONG not in result.stderr


# -- library password on standard input -----------------------------------------------------------
def test_a_piped_password_is_its_first_line_only(
    no_password: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "postgresql://ann@db.example.org:5432/newsdigest"
    monkeypatch.setattr(sys, "stdin", io.StringIO("first line\r\nsecond line\n"))
    args = build_parser().parse_args(["library", "password", url])
    assert args.run(args) == 0
    assert no_password.store == {
        (DATABASE_SERVICE, "ann@db.example.org:5432/newsdigest"): "first line"
    }
