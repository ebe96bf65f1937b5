"""Newsdigest's persistence: the library on TinyDB, written durably, with migrations.

The public surface is :func:`open_library`, which returns an object satisfying
:class:`composer.repository.Library`, and :func:`resolve_library_path`. Nothing
here imports Qt; nothing in ``composer/`` (but its composition root) imports this.
"""

from __future__ import annotations

from pathlib import Path

from composer.repository import Holder, Library
from store.locations import default_library_path, resolve_library_path
from store.tinydb_library import TinyDBLibrary

__all__ = ["TinyDBLibrary", "default_library_path", "open_library", "resolve_library_path"]


def open_library(
    path: Path | str | None = None, *, read_only: bool = False, holder: Holder | None = None
) -> Library:
    """Open (creating if needed, unless ``read_only``) the library at ``path`` or the default one.

    Opening for writing takes the library's lock: a second writer gets
    :class:`composer.errors.LibraryLockedError`, whose message names ``holder`` (the
    window, or a command-line run with its process id) when the first opener gave one.
    Read-only opens take no lock and never write, so ``newsdigest items`` works while
    the app is open.
    """
    return TinyDBLibrary(resolve_library_path(path), read_only=read_only, holder=holder)
