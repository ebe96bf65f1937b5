"""Where the library lives: the user data directory, ``NEWSDIGEST_LIBRARY``, or ``--library``."""

from __future__ import annotations

import os
import unicodedata
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
    """``path`` with its symbolic links, ``..`` and letter case resolved, existing or not.

    Every spelling of one file must give one path, because the path is a key: it names
    the lock and the send-log folder, and windows and commands compare it. Resolving
    follows symbolic links and ``..``; case needs more, since macOS and Windows usually
    ignore it (``Library.JSON`` is ``library.json``) while Linux does not. When the
    folder ignores case (the swapped-case spelling of an existing entry names the same
    file), each existing part is replaced by its spelling on disk, taken from a listing
    of its parent; a part that does not exist yet keeps the user's spelling (so a new
    library is created with the name the user typed, not lower-cased as
    ``os.path.normcase`` would). On a case-sensitive file system the check costs one
    failed ``stat``; the listings happen only where case is ignored. The lock beside
    the file is then the same file for every spelling, since the system ignores case.
    """
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the open then says what is wrong
        return path.absolute()
    try:
        return _on_disk_spelling(resolved)
    except OSError:  # an unreadable folder: the resolved spelling is the best we have
        return resolved


def _on_disk_spelling(path: Path) -> Path:
    """``path`` (absolute, resolved) with its existing parts spelled as on disk."""
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is None or not _ignores_case(existing):
        return path
    spelled = Path(existing.anchor)
    for part in existing.parts[1:]:
        spelled = spelled / _entry_named(spelled, part)
    return spelled.joinpath(*path.parts[len(existing.parts) :])


def _ignores_case(existing: Path) -> bool:
    """Whether the folder of ``existing`` (or of its nearest parent with letters) ignores case."""
    for candidate in (existing, *existing.parents):
        name = candidate.name
        swapped = name.swapcase()
        if swapped != name and swapped.swapcase() == name:
            try:
                return candidate.samefile(candidate.with_name(swapped))
            except OSError:  # no such entry: case matters here
                return False
    return False


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _entry_named(folder: Path, name: str) -> str:
    """The entry of ``folder`` that ``name`` names: itself if spelled so, else its on-disk case."""
    entries = [entry.name for entry in folder.iterdir()]
    if name in entries:
        return name
    key = _fold(name)
    return next((entry for entry in entries if _fold(entry) == key), name)
