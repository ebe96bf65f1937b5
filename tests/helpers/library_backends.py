"""The Library backends the contract tests run on: one factory per backend.

A backend is a place where one library lives (a TinyDB file in ``tmp_path``, a
:class:`~helpers.memory_library.MemoryShelf`, a database of its own in the session's
throwaway PostgreSQL cluster, :mod:`helpers.postgres_cluster`, which skips the
backend's tests when no PostgreSQL can be had); :meth:`Backend.open` opens that library,
as often as a test likes, the way a user reopens the same file. A test module holds
its tests to the contract with two fixtures (``tests/store/test_library_contract.py``
and the contract part of ``tests/store/test_store_send_log.py`` do)::

    @pytest.fixture(params=list(BACKENDS))
    def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
        yield from backend_for(request.param, tmp_path)

    @pytest.fixture
    def library(backend: Backend) -> Library:
        return backend.open()

Holding another backend to the contract is one more subclass with its ``_open`` (and
``one_writer`` if it lets several writers in, as PostgreSQL does) and one more row in
:data:`BACKENDS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

from composer.repository import Holder, Library
from helpers.memory_library import MemoryLibrary, MemoryShelf
from helpers.postgres_cluster import shared_cluster
from store.tinydb_library import TinyDBLibrary


class Backend:
    """Opens one library again and again; closes whatever a test left open."""

    name: ClassVar[str]
    #: A second open for writing is refused while one is open (the store's library lock).
    one_writer: ClassVar[bool] = True

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self._opened: list[Library] = []

    def open(self, *, read_only: bool = False, holder: Holder | None = None) -> Library:
        library = self._open(read_only=read_only, holder=holder)
        self._opened.append(library)
        return library

    def reopen(self, library: Library, *, read_only: bool = False) -> Library:
        """Close ``library`` and open it again: what it kept is what a restart sees."""
        library.close()
        return self.open(read_only=read_only)

    def _open(self, *, read_only: bool, holder: Holder | None) -> Library:
        raise NotImplementedError

    def close_all(self) -> None:
        for library in reversed(self._opened):
            library.close()  # closing twice is fine on every backend


class TinyDBBackend(Backend):
    """The store: a TinyDB file (and its send logs beside it) in the test's folder."""

    name = "tinydb"

    @property
    def path(self) -> Path:
        return self.tmp_path / "library.json"

    def _open(self, *, read_only: bool, holder: Holder | None) -> Library:
        return TinyDBLibrary(self.path, read_only=read_only, holder=holder)


class MemoryBackend(Backend):
    """The tests' in-memory library: every open shares one shelf, as opens share a file."""

    name = "memory"

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.shelf = MemoryShelf()

    def _open(self, *, read_only: bool, holder: Holder | None) -> Library:
        return MemoryLibrary(shelf=self.shelf, read_only=read_only, holder=holder)


class PostgresBackend(Backend):
    """A database of its own in the session's PostgreSQL cluster, dropped after the test."""

    name = "postgres"
    one_writer = False  # a team's library: every officer writes at once

    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.cluster = shared_cluster()  # skips the test when there is no PostgreSQL
        self.database = self.cluster.create_database()
        self.url = self.cluster.url(self.database)

    def _open(self, *, read_only: bool, holder: Holder | None) -> Library:
        from store.postgres import PostgresLibrary

        return PostgresLibrary(self.url, read_only=read_only, holder=holder)

    def close_all(self) -> None:
        try:
            super().close_all()
        finally:
            self.cluster.drop_database(self.database)


BACKENDS: dict[str, Callable[[Path], Backend]] = {
    TinyDBBackend.name: TinyDBBackend,
    MemoryBackend.name: MemoryBackend,
    PostgresBackend.name: PostgresBackend,
}


def backend_for(name: str, tmp_path: Path) -> Iterator[Backend]:
    """The backend ``name`` in ``tmp_path``, for a fixture to yield; closes what it opened."""
    made = BACKENDS[name](tmp_path)
    try:
        yield made
    finally:
        made.close_all()
