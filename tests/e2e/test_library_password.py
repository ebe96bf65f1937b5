"""`newsdigest library password`: a PostgreSQL role's password kept in the keychain, never shown.

The command's handler runs in this process with the test suite's in-memory keychain
(:class:`helpers.send_servers.MemoryKeyring`, put where :func:`composer.secrets.default_backend`
finds it), against a real role of the session's throwaway cluster: the password it
stores is the one a later open of the library connects with, and ``--forget`` takes it
away again. As real processes: on a terminal (a pty made the child's controlling
terminal) the password is asked twice and never echoed; without a usable keychain
(keyring's *fail* backend) nothing is stored anywhere and the message says where else
to put it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.postgres_cluster import Cluster
from helpers.send_servers import ROOT, MemoryKeyring, sender_env

from composer.cli.main import build_parser
from composer.errors import LibraryError, NewsdigestError
from composer.secrets import DATABASE_SERVICE, DatabasePasswordStore

SECRET = "Pässwörd-never-shown-7"


@pytest.fixture
def officer(postgres_cluster: Cluster) -> Iterator[tuple[str, str, str]]:
    """A login role with a password and a database it owns: (role, password, database)."""
    role, password = f"ann_{os.urandom(4).hex()}", SECRET + os.urandom(4).hex()
    postgres_cluster.create_role(role, password)
    database = postgres_cluster.create_database(owner=role)
    try:
        yield role, password, database
    finally:
        postgres_cluster.drop_database(database)


@pytest.fixture
def keychain(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> MemoryKeyring:
    """The keychain the command finds (in memory); libpq has no password of its own."""
    backend = MemoryKeyring()
    monkeypatch.setattr("composer.secrets.default_backend", lambda: backend)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    return backend


def run(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """The command's handler as the composition root runs it (``stdin`` not a terminal)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


def test_the_stored_password_is_the_one_the_library_connects_with(
    postgres_cluster: Cluster,
    officer: tuple[str, str, str],
    keychain: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from store.postgres import PostgresLibrary

    role, password, database = officer
    url = postgres_cluster.tcp_url(database, role)
    account = f"{role}@127.0.0.1:{postgres_cluster.port}/{database}"
    with pytest.raises(LibraryError, match="asks for a password"):
        PostgresLibrary(url, passwords=DatabasePasswordStore(backend=keychain))

    assert run(["library", "password", url], password + "\n", monkeypatch) == 0
    out, err = capsys.readouterr()
    assert keychain.store == {(DATABASE_SERVICE, account): password}
    assert f"Stored the password of {account}" in out and DATABASE_SERVICE in out
    assert password not in out + err
    with PostgresLibrary(url, passwords=DatabasePasswordStore(backend=keychain)) as library:
        assert library.items() == []

    # --library (and so NEWSDIGEST_LIBRARY) names the url when the command does not
    assert run(["--library", url, "library", "password", "--forget"], "", monkeypatch) == 0
    assert f"Removed the password of {account}" in capsys.readouterr().out
    assert keychain.store == {}
    with pytest.raises(LibraryError, match="asks for a password"):
        PostgresLibrary(url, passwords=DatabasePasswordStore(backend=keychain))
    assert run(["library", "password", url, "--forget"], "", monkeypatch) == 0
    assert f"holds no password of {account}" in capsys.readouterr().out


def test_what_the_command_refuses_stores_nothing(
    keychain: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "postgresql://ann@db.example.org:5432/newsdigest"
    with pytest.raises(NewsdigestError, match="password is empty"):
        run(["library", "password", url], "\n", monkeypatch)
    with pytest.raises(NewsdigestError, match="has a password in it") as in_url:
        run(
            ["library", "password", "postgresql://ann:hunter2@db.example.org/nd"],
            "x\n",
            monkeypatch,
        )
    assert "hunter2" not in str(in_url.value)
    library_file = tmp_path / "library.json"
    with pytest.raises(NewsdigestError, match="is a library file, which has no password"):
        run(["--library", str(library_file), "library", "password"], "x\n", monkeypatch)
    with pytest.raises(LibraryError, match="not a database Newsdigest can use"):
        run(["library", "password", "mysql://ann@db.example.org/nd"], "x\n", monkeypatch)
    assert keychain.store == {}
    assert not library_file.exists()


@pytest.mark.slow
def test_without_a_keychain_nothing_is_stored_and_the_message_says_where_else(
    tmp_path: Path,
) -> None:
    env = sender_env(HOME=str(tmp_path))  # keyring's fail backend: no usable keychain
    result = subprocess.run(
        [sys.executable, "-m", "composer", "library", "password", "postgresql://ann@db/nd"],
        input=SECRET + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 1
    assert "no usable keychain" in result.stderr and "nothing was stored" in result.stderr
    assert ".pgpass" in result.stderr and "PGPASSWORD" in result.stderr
    assert "Traceback" not in result.stderr
    logs = Path(os.environ["NEWSDIGEST_LOG_DIR"])
    for folder in (tmp_path, logs):
        for path in folder.rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path


# -- on a terminal -------------------------------------------------------------------------------
_AS_CONTROLLING_TERMINAL = (
    # the child is a session leader (start_new_session): opening its tty makes it the
    # controlling terminal, which getpass opens as /dev/tty to turn the echo off
    "import os, sys; os.close(os.open(os.ttyname(0), os.O_RDWR)); "
    "os.execv(sys.executable, [sys.executable, '-m', 'composer', *sys.argv[1:]])"
)


def _read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"{wanted!r} never came; the terminal showed {bytes(seen)!r}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            chunk = b""
        if not chunk:
            raise AssertionError(f"{wanted!r} never came; the terminal showed {bytes(seen)!r}")
        seen += chunk


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "openpty"), reason="pseudo-terminals are POSIX's")
def test_on_a_terminal_the_password_is_asked_twice_and_never_echoed(tmp_path: Path) -> None:
    url = "postgresql://ann@db.example.org:5432/newsdigest"
    env = sender_env(
        # the suite's in-memory keychain, in the child (it lives as long as the child)
        PYTHON_KEYRING_BACKEND="helpers.send_servers.MemoryKeyring",
        PYTHONPATH=os.pathsep.join([str(ROOT / "tests"), str(ROOT)]),
    )
    controller, terminal = os.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", _AS_CONTROLLING_TERMINAL, "library", "password", url],
            stdin=terminal,
            stdout=terminal,
            stderr=terminal,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(terminal)
        seen = bytearray()
        _read_until(controller, b"Password of ann@db.example.org:5432/newsdigest: ", seen)
        os.write(controller, SECRET.encode() + b"\n")
        _read_until(controller, b"Again, to be sure: ", seen)
        os.write(controller, SECRET.encode() + b"\n")
        _read_until(controller, b"in the system keychain", seen)
        assert child.wait(timeout=30) == 0
    finally:
        os.close(controller)
    assert SECRET.encode() not in seen
    assert b"Stored the password of ann@db.example.org:5432/newsdigest" in seen
