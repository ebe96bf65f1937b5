"""Where the library lives: the user data directory, ``NEWSDIGEST_LIBRARY``, or ``--library``."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Newsdigest"
ENV_LIBRARY = "NEWSDIGEST_LIBRARY"
LIBRARY_FILE = "library.json"


def default_library_path() -> Path:
    """``library.json`` in the per-user data folder (AppData, Application Support, XDG)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / LIBRARY_FILE


def resolve_library_path(explicit: Path | str | None = None) -> Path:
    """The library file to use: the explicit path, else ``$NEWSDIGEST_LIBRARY``, else the default.

    A directory stands for ``library.json`` inside it. ``~`` is expanded, and the path is
    resolved (symbolic links, ``..``) so that every spelling of one file names one lock and
    one send log: two spellings of a library must never be two libraries.
    """
    chosen: Path | str | None = explicit or os.environ.get(ENV_LIBRARY) or None
    path = Path(chosen).expanduser() if chosen else default_library_path()
    if path.is_dir():
        path = path / LIBRARY_FILE
    return real_path(path)


def real_path(path: Path) -> Path:
    """``path`` with its symbolic links and ``..`` resolved, whether or not it exists yet."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the open then says what is wrong
        return path.absolute()
