"""Where the library lives: the user data directory, ``NEWSDIGEST_LIBRARY``, or ``--library``.

A library is a file path, or the url of a PostgreSQL database (``postgresql://`` or
``postgres://``, libpq's own forms). A url is never taken for a path: a string with
any other scheme (``mysql://…``, ``file://…``) is refused before anything is created
on disk, where it used to make a folder named ``mysql:``. Passwords never leave
:func:`url_without_password` in messages.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import platformdirs

from composer.errors import LibraryError

APP_NAME = "Newsdigest"
ENV_LIBRARY = "NEWSDIGEST_LIBRARY"
LIBRARY_FILE = "library.json"
DATABASE_SCHEMES = ("postgresql", "postgres")

#: A scheme (two letters or more: ``C:/x`` is a Windows drive) and at least one slash; a
#: ``Path`` made of a url has lost one of its two slashes, which is why one is enough.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):[/\\]")
#: A database's scheme without its ``://``: ``postgresql//host/db``, ``postgres:ann@host``.
_MISTYPED_DATABASE = re.compile(r"^(?:postgresql|postgres)(?::|//|\\\\)", re.IGNORECASE)

#: What a library is: a file's resolved path, or a database url (with its password, if any).
LibraryTarget = Path | str


def url_without_password(url: str) -> str:
    """``url`` with its password removed from the user part and the query, for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced [ in the host: say no more than the scheme
        return url.split(":", 1)[0] + "://…"
    netloc, path = parts.netloc, parts.path
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    else:  # one slash (postgresql:/u:pw@host/db): the user part is at the path's start
        rest = path.lstrip("/")
        first, slash, tail = rest.partition("/")
        if "@" in first:
            user, host = first.rsplit("@", 1)
            path = f"{path[: len(path) - len(rest)]}{user.split(':', 1)[0]}@{host}{slash}{tail}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, v) for k, v in pairs if k.lower() != "password"], safe="/")
    shown = urlunsplit((parts.scheme, netloc, path, query, parts.fragment))
    return url[: len(parts.scheme)] + shown[len(parts.scheme) :]  # its scheme as typed


def database_url(value: Path | str) -> str | None:
    """The database url ``value`` is, ``None`` when it is a path; refused when it is neither.

    Only a ``str`` can be a url (a ``Path`` has lost its ``//``); a path that starts like a
    url of any scheme is refused, so that no folder named ``postgresql:`` is ever made.
    The scheme is read in any case (``PostgreSQL://``) and comes back lower-cased, the
    form libpq reads; refusals show it as typed.
    """
    text = os.fspath(value)
    found = _SCHEME.match(text)
    if found is None:
        mistyped = _MISTYPED_DATABASE.match(text)  # postgresql//…, postgresql:ann@…
        if mistyped:
            shown = text  # not a url to parse: what precedes an @ (a password?) is left out
            if "@" in text:
                shown = f"{mistyped.group(0)}…@{text.rsplit('@', 1)[1]}"
            raise LibraryError(
                f"{shown}: a PostgreSQL library is a url written "
                "postgresql://user@host/database (a colon and two slashes); it is not a file "
                "path (nothing was created)"
            )
        return None
    scheme = found.group(1).lower()
    if (
        scheme in DATABASE_SCHEMES
        and isinstance(value, str)
        and text[found.end() - 1 :][:2] == "//"
    ):
        return scheme + text[len(scheme) :]  # libpq knows the lower-case scheme only
    shown = url_without_password(text)
    if scheme in DATABASE_SCHEMES:
        raise LibraryError(
            f"{shown}: a PostgreSQL library is a url written postgresql://user@host/database "
            "(two slashes); it is not a file path"
        )
    raise LibraryError(
        f"{shown}: a library is a file path or a postgresql://user@host/database url; "
        f"{found.group(1)}:// is not a database Newsdigest can use (nothing was created)"
    )


def default_library_path() -> Path:
    """``library.json`` in the per-user data folder (AppData, Application Support, XDG)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False) / LIBRARY_FILE


def resolve_library(explicit: Path | str | None = None) -> LibraryTarget:
    """The library to use: the explicit one, else ``$NEWSDIGEST_LIBRARY``, else the default file.

    A database url comes back as given (a ``str``, its password included: libpq reads
    it there); a path as :func:`resolve_library_path` resolves it. A string with a scheme
    that is not a supported database is refused (:func:`database_url`).
    """
    chosen: Path | str | None = explicit or os.environ.get(ENV_LIBRARY) or None
    if chosen is not None:
        url = database_url(chosen)
        if url is not None:
            return url
    return resolve_library_path(chosen)


def shown_location(target: LibraryTarget) -> str:
    """How ``target`` is named to people and in logs: a path, or its url without the password."""
    return url_without_password(target) if isinstance(target, str) else str(target)


def resolve_library_path(explicit: Path | str | None = None) -> Path:
    """The library file to use: the explicit path, else ``$NEWSDIGEST_LIBRARY``, else the default.

    A directory stands for ``library.json`` inside it. ``~`` is expanded, and the path is
    resolved (symbolic links, ``..``) so that every spelling of one file names one lock and
    one send log: two spellings of a library must never be two libraries. A url is refused
    (:class:`~composer.errors.LibraryError`): it names a database, not a file.
    """
    chosen: Path | str | None = explicit or os.environ.get(ENV_LIBRARY) or None
    if chosen is not None and database_url(chosen) is not None:
        raise LibraryError(f"{url_without_password(str(chosen))} is a database, not a file path")
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
