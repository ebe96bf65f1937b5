"""A throwaway PostgreSQL cluster: a real server in a temporary folder, for tests and benchmarks.

:class:`Cluster` runs ``initdb`` and ``pg_ctl start`` in a temporary folder, on a random
free port on 127.0.0.1 only, with its unix socket in that folder; :meth:`Cluster.stop`
stops it and removes the folder. The binaries are found on ``PATH`` or under
``/usr/lib/postgresql/*/bin`` (the newest version first, :func:`find_binaries`).
PostgreSQL refuses to run as root; as root (CI), the server runs as the ``postgres``
user (``runuser -u postgres --``, the folder given to it), else as the current user.
:func:`start_cluster` finds the binaries and starts one, or raises
:class:`ClusterUnavailable` saying why none can be had.

The cluster trusts connections on its unix socket (callers connect there as the
superuser ``postgres``) and asks for a password over TCP (SCRAM), the way an officer's
machine connects. With ``tls`` (the tests' default) it speaks TLS with a certificate
for 127.0.0.1 from a CA of its own (:attr:`Cluster.ca_file`, made by trustme, a test
tool), so ``sslmode=verify-full`` is tested against a real handshake. Durability is
off unless ``durable`` is given (``fsync``, ``synchronous_commit``, full page writes):
a test cluster is thrown away, while a benchmark of durable edits needs them on.

Used by ``tests/helpers/postgres_cluster.py`` (the tests' session cluster) and
``benchmarks/bench_postgres.py``; it imports no pytest.
"""

from __future__ import annotations

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
from psycopg import sql

SUPERUSER = "postgres"
SEARCH = "/usr/lib/postgresql/*/bin"
_TOOLS = ("initdb", "pg_ctl", "postgres")
NO_BINARIES = (
    "no PostgreSQL binaries (initdb, pg_ctl, postgres) on PATH or under "
    f"{SEARCH}: install PostgreSQL (Debian: apt-get install postgresql)"
)


def find_binaries() -> Path | None:
    """The folder of ``initdb``, ``pg_ctl`` and ``postgres``: on PATH, else the newest Debian's."""
    on_path = shutil.which("initdb")
    candidates: list[Path] = []
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(
        Path("/").glob(SEARCH.lstrip("/")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(versions)
    for folder in candidates:
        if all((folder / tool).exists() for tool in _TOOLS):
            return folder
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ClusterUnavailable(Exception):
    """No cluster can be had here (no binaries, or no unprivileged user to run them as)."""


class Cluster:
    """One running PostgreSQL server in a temporary folder; :meth:`stop` removes it all."""

    def __init__(self, bin_dir: Path, *, durable: bool = False, tls: bool = True) -> None:
        self.bin_dir = bin_dir
        self.durable = durable
        self.tls = tls
        self.as_root = hasattr(os, "geteuid") and os.geteuid() == 0
        if self.as_root and shutil.which("runuser") is None:
            raise ClusterUnavailable("running as root, and there is no runuser to drop to postgres")
        self.folder = Path(tempfile.mkdtemp(prefix="newsdigest-pg-"))
        self.data = self.folder / "data"
        self.socket_dir = self.folder / "sock"
        self.log_file = self.folder / "server.log"
        #: The CA that signed the server's certificate (for ``sslmode=verify-full``; with tls).
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

    def _give_to_superuser(self, *paths: Path) -> None:
        if not self.as_root:
            return
        try:
            for path in paths:
                shutil.chown(path, SUPERUSER, SUPERUSER)
        except (LookupError, OSError) as exc:
            raise ClusterUnavailable(
                f"running as root and cannot hand the cluster to the {SUPERUSER} user: {exc}"
            ) from None

    def start(self) -> None:
        self.socket_dir.mkdir()
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        self._give_to_superuser(self.folder, self.socket_dir, password_file)
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
            *(() if self.durable else ("--no-sync",)),
        )
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{made.stdout}\n{made.stderr}")
        tls = self._make_certificates() if self.tls else {}
        durability = "on" if self.durable else "off"
        for _attempt in range(3):  # a free port may be taken between the probe and the start
            self.port = free_port()
            settings = {
                **tls,
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.socket_dir}'",
                "fsync": durability,
                "synchronous_commit": durability,
                "full_page_writes": durability,
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
        """A CA of the cluster's own and the server's certificate for 127.0.0.1 (trustme)."""
        import trustme

        ca = trustme.CA()
        issued = ca.issue_cert("127.0.0.1", "localhost")
        ca.cert_pem.write_to_path(str(self.ca_file))
        cert, key = self.folder / "server.crt", self.folder / "server.key"
        issued.cert_chain_pems[0].write_to_path(str(cert))
        issued.private_key_pem.write_to_path(str(key))
        key.chmod(0o600)  # the server refuses a key others can read
        self._give_to_superuser(cert, key)
        return {"ssl": "on", "ssl_cert_file": f"'{cert}'", "ssl_key_file": f"'{key}'"}

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.running = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- urls and databases ---------------------------------------------------------------------
    def url(self, dbname: str = SUPERUSER, user: str = SUPERUSER) -> str:
        """``user``'s url of ``dbname`` over the unix socket (trusted: no password)."""
        return f"postgresql://{user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, dbname: str, user: str, password: str | None = None) -> str:
        """``user``'s url of ``dbname`` over TCP on loopback (SCRAM: a password is needed)."""
        who = f"{user}:{password}" if password is not None else user
        return f"postgresql://{who}@127.0.0.1:{self.port}/{dbname}"

    @contextlib.contextmanager
    def admin(self, dbname: str = SUPERUSER) -> Iterator[psycopg.Connection[Any]]:
        """An autocommit superuser connection to ``dbname`` (the ``postgres`` database)."""
        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
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


def start_cluster(*, durable: bool = False, tls: bool = True) -> Cluster:
    """A started cluster of the binaries found here; :class:`ClusterUnavailable` says why not."""
    bin_dir = find_binaries()
    if bin_dir is None:
        raise ClusterUnavailable(NO_BINARIES)
    cluster = Cluster(bin_dir, durable=durable, tls=tls)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster
