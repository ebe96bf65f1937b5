"""The tests' throwaway PostgreSQL cluster: a real server, never a mock.

The cluster itself (:class:`tools.pg_cluster.Cluster`: ``initdb`` and ``pg_ctl start`` in
a temporary folder, a random free port on 127.0.0.1 only, run as the ``postgres`` user
under root, SCRAM over TCP, TLS from a CA of its own, durability off) is shared with the
benchmarks; this module adds what pytest needs. :func:`shared_cluster` starts one
cluster per test session on first use and :func:`pytest_sessionfinish` stops it and
removes its folder (``atexit`` too, should the session end otherwise). When no
binaries can be found (on ``PATH`` or under ``/usr/lib/postgresql/*/bin``), the tests
that need a cluster skip and say why.

Registered as a plugin in ``tests/conftest.py``: the session fixture ``postgres_cluster``
is the shared cluster, and :meth:`Cluster.create_database` gives a test its own database.
"""

from __future__ import annotations

import atexit
from collections.abc import Iterator

import pytest

from tools.pg_cluster import (
    NO_BINARIES,
    SUPERUSER,
    Cluster,
    ClusterUnavailable,
    find_binaries,
)

__all__ = [
    "SUPERUSER",
    "Cluster",
    "ClusterUnavailable",
    "find_binaries",
    "postgres_cluster",
    "postgres_url",
    "shared_cluster",
    "stop_shared_cluster",
]


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
            _unavailable = NO_BINARIES
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
