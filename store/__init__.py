"""Newsdigest's persistence: the library on TinyDB (one person) or PostgreSQL (a team).

The public surface is :func:`open_library`, which returns an object satisfying
:class:`composer.repository.Library`, :func:`resolve_library` and
:func:`resolve_library_path`. A ``postgresql://`` (or ``postgres://``) url opens
:class:`store.postgres.PostgresLibrary` (imported only then: opening a file never loads
psycopg); any other string is a file path, unless it starts with another scheme, which
is refused. Nothing here imports Qt; nothing in ``composer/`` (but its composition root)
imports this.
"""

from __future__ import annotations

from pathlib import Path

from composer.errors import LibraryError, LibraryLockedError
from composer.repository import Holder, Library
from store.locations import (
    default_library_path,
    resolve_library,
    resolve_library_path,
    shown_location,
)
from store.tinydb_library import TinyDBLibrary

__all__ = [
    "TinyDBLibrary",
    "check_not_in_use",
    "default_library_path",
    "open_library",
    "resolve_library",
    "resolve_library_path",
    "shown_location",
]


def open_library(
    path: Path | str | None = None, *, read_only: bool = False, holder: Holder | None = None
) -> Library:
    """Open (creating if needed, unless ``read_only``) the library at ``path`` or the default one.

    ``path`` is a file path or a PostgreSQL url (:func:`resolve_library`). Opening a
    file for writing takes the library's lock: a second writer gets
    :class:`composer.errors.LibraryLockedError`, whose message names ``holder`` (the
    window, or a command-line run with its process id) when the first opener gave one.
    Read-only opens take no lock and never write, so ``newsdigest items`` works while
    the app is open. A database lets several writers in at once (that is what it is
    for); its schema is created or upgraded on a writer's open.
    """
    target = resolve_library(path)
    if isinstance(target, str):
        from store.postgres import PostgresLibrary  # psycopg only for a database

        return PostgresLibrary(target, read_only=read_only, holder=holder)
    return TinyDBLibrary(target, read_only=read_only, holder=holder)


def check_not_in_use(location: Path | str | None, advice: str) -> None:
    """Refuse when someone has the library file at ``location`` open for writing.

    For a reader that must not see a half-done state, such as ``library copy`` while a
    ``newsdigest send`` is writing its send log. The library's lock is tried and given
    back at once (never kept); the refusal (:class:`composer.errors.LibraryLockedError`)
    names the holder and ends with ``advice``. A missing file passes (the open then
    says so), and so does a file whose lock cannot be made (a read-only folder: no
    writer can hold it there either). A PostgreSQL url passes: a database
    lets readers in while others write, and ``library copy`` itself refuses while one of
    its digests is being sent (:meth:`composer.repository.Library.senders`).
    """
    target = resolve_library(location)
    if isinstance(target, str) or not target.is_file():
        return
    from store.lock import LibraryLock

    try:
        LibraryLock(target).probe(advice)
    except LibraryLockedError:
        raise
    except LibraryError:  # the lock cannot be made here: nobody can be writing through it
        return
