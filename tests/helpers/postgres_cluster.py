"""A throwaway PostgreSQL cluster for the tests: a real server, never a mock.

:func:`shared_cluster` starts one cluster per test session on first use (``initdb`` and
``pg_ctl start`` in a temporary folder, a random free port on 127.0.0.1 only, its unix
socket in that folder) and :func:`pytest_sessionfinish` stops it and removes the
folder (``atexit`` too, should the session end otherwise). The binaries are found on
``PATH`` or under ``/usr/lib/postgresql/*/bin`` (the newest version first).
PostgreSQL refuses to run as root; as root (CI), the server runs as the ``postgres``
user (``runuser -u postgres --``, the folder given to it), else as the current user.
When no binaries can be found, the tests that need a cluster skip and say why.

The cluster trusts connections on its unix socket (the tests connect there as the
superuser ``postgres``) and asks for a password over TCP (SCRAM), so that the tests of
passwords and ``.pgpass`` connect the way an officer's machine does; it speaks TLS with a
certificate for 127.0.0.1 from a CA of its own (:attr:`Cluster.ca_file`, made by
trustme), so ``sslmode=verify-full`` is tested against a real handshake. Durability is off
(``fsync``, ``synchronous_commit``): a test cluster is thrown away.

Registered as a plugin in ``tests/conftest.py``: the session fixture ``postgres_cluster``
is the shared cluster, and :meth:`Cluster.create_database` gives a test its own database.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "postgres"
_SEARCH = "/usr/lib/postgresql/*/bin"
_TOOLS = ("initdb", "pg_ctl", "postgres")


def find_binaries() -> Path | None:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``: on PATH, else the newest Debian's."""
    on_path = shutil.which("initdb")
    candidates: list[Path] = []
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(
        Path("/").glob(_SEARCH.lstrip("/")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    for folder in candidates:
        if all((folder / tool).exists() for tool in _TOOLS):
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ClusterUnavailable(Exception):
    """No cluster can be had here (no binaries, or no unprivileged user to run them as)."""


class Cluster:
    """One running PostgreSQL server in a temporary folder; :meth:`stop` removes it all."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        if self.as_root and shutil.which("runuser") is None:
            raise ClusterUnavailable("running as root, and there is no runuser to drop to postgres")
        self.folder = Path(tempfile.mkdtemp(prefix="newsdigest-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "sock"
        self.log_file = self.folder / "server.log"
        #: The CA that signed the server's certificate (for ``sslmode=verify-full``).
        self.ca_file = self.folder / "ca.pem"
        #: The superuser's password over TCP (the unix socket trusts it).
        self.password = uuid.uuid4().hex
        self.port = 0
        self.running = False

    # -- running the server ---------------------------------------------------------------------
    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin_dir / tool), *args]
        if self.as_root:
            argv = ["runuser", "-u", SUPERUSER, "--", *argv]
        return subprocess.run(
            argv, cwd=self.folder, capture_output=True, text=True, timeout=120, check=False
        )

    def start(self) -> None:
        self.socket_dir.mkdir()
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        if self.as_root:
            try:
                shutil.chown(self.folder, SUPERUSER, SUPERUSER)
                for path in (self.socket_dir, password_file):
                    shutil.chown(path, SUPERUSER, SUPERUSER)
            except (LookupError, OSError) as exc:
                raise ClusterUnavailable(
                    f"running as root and cannot hand the cluster to the {SUPERUSER} user: {exc}"
                ) from None
        made = self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            f"--pwfile={password_file}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{made.stdout}\n{made.stderr}")
        tls = self._make_certificates()
        for _attempt in range(3):  # a free port may be taken between the probe and the start
            self.port = _free_port()
            settings = {
                **tls,
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.socket_dir}'",
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": "100",
            }
            with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
                conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
            started = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log_file), "-w", "-t", "60", "start"
            )
            if started.returncode == 0:
                self.running = True
                return
        log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        raise RuntimeError(f"pg_ctl start failed:\n{started.stdout}\n{started.stderr}\n{log}")

    def _make_certificates(self) -> dict[str, str]:
        """A CA of the test's own and the server's certificate for 127.0.0.1 (trustme)."""
        import trustme

        ca = trustme.CA()
        issued = ca.issue_cert("127.0.0.1", "localhost")
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert, key = self.folder / "server.crt", self.folder / "server.key"
        issued.cert_chain_pems[0].write_to_path(str(cert))
        issued.private_key_pem.write_to_path(str(key))
        key.chmod(0o600)  # the server refuses a key others can read
        if self.as_root:
            for path in (cert, key):
                shutil.chown(path, SUPERUSER, SUPERUSER)
        return {"ssl": "on", "ssl_cert_file": f"'{cert}'", "ssl_key_file": f"'{key}'"}

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.running = False
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- urls and databases ---------------------------------------------------------------------
    def url(self, dbname: str = SUPERUSER) -> str:
        """The superuser's url of ``dbname`` over the unix socket (trusted: no password)."""
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, dbname: str, user: str, password: str | None = None) -> str:
        """``user``'s url of ``dbname`` over TCP on loopback (SCRAM: a password is needed)."""
        who = f"{user}:{password}" if password is not None else user
        return f"postgresql://{who}@127.0.0.1:{self.port}/{dbname}"

    @contextlib.contextmanager
    def admin(self) -> Iterator[psycopg.Connection[Any]]:
        """An autocommit superuser connection to the ``postgres`` database."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            yield conn

    def create_database(self, prefix: str = "t", owner: str = SUPERUSER) -> str:
        """A new empty database owned by ``owner`` (who may then create its tables); its name."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(owner)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def create_role(self, name: str, password: str) -> None:
        """A login role with ``password`` (for the TCP tests), owning nothing."""
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )


_shared: Cluster | None = None
_unavailable: str | None = None


def shared_cluster() -> Cluster:
    """The session's cluster, started on first use; skips the test when none can be had."""
    global _shared, _unavailable
    if _shared is not None:
        return _shared
    if _unavailable is None:
        bin_dir = find_binaries()
        if bin_dir is None:
            _unavailable = (
                "no PostgreSQL binaries (initdb, pg_ctl, postgres) on PATH or under "
                f"{_SEARCH}: install PostgreSQL (Debian: apt-get install postgresql)"
            )
        else:
            try:
                cluster = Cluster(bin_dir)
                atexit.register(cluster.stop)
                cluster.start()
            except ClusterUnavailable as exc:
                _unavailable = str(exc)
            else:
                _shared = cluster
                return cluster
    pytest.skip(_unavailable)


def stop_shared_cluster() -> None:
    global _shared
    if _shared is not None:
        _shared.stop()
        _shared = None


@pytest.fixture(scope="session")
def postgres_cluster() -> Cluster:
    """The session's throwaway cluster (stopped at the end of the session)."""
    return shared_cluster()


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """The superuser's url of a database of the test's own, dropped afterwards."""
    name = postgres_cluster.create_database()
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_shared_cluster()
