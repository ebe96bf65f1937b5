"""Which of libpq's places gave a password the server refused, and how to change it there.

libpq takes a role's password from the url itself (``user:password@`` or
``?password=``), else from ``PGPASSWORD``, else from its password file (the url's
``passfile=``, else ``PGPASSFILE``, else ``~/.pgpass``; ``%APPDATA%\\postgresql\\pgpass.conf``
on Windows); Newsdigest adds the system keychain when none of them has one
(:class:`composer.secrets.DatabasePasswordStore`). When the server refuses the
password (``password authentication failed``), :func:`refused_password` says which
of them gave it, naming the file's path or the keychain's entry, and how to put the
right one there. The password itself is only compared, never shown: the message
carries the source's name, never its value.

On Unix (not Windows) libpq skips a password file that its group or others may
open, with only a WARNING on stderr; :func:`ignored_password_file` says so in words
(the file's path, and ``chmod 600``) for the message of a server that asked for a
password none of the places gave, and for a keychain password it then refused.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import sys
from pathlib import Path
from typing import Any

from psycopg.conninfo import conninfo_to_dict

from composer.errors import LibraryPasswordError
from composer.secrets import DATABASE_SERVICE

#: What the server says when it refuses a password (SCRAM and md5 alike), lower-cased.
REFUSED_SIGNS = ("password authentication failed", "authentication failed for user")


@dataclasses.dataclass(frozen=True)
class Refused:
    """A refused connection as this module needs it: the url, where, whose, the error's own
    connection (what libpq sent: compared with the places, never shown)."""

    url: str
    location: str
    account: str
    #: The error's own connection (psycopg's ``exc.pgconn``), or None.
    pgconn: Any = None


def password_refused(exc: BaseException) -> bool:
    """Whether the server refused the password the connection gave it."""
    lowered = str(exc).lower()
    return any(sign in lowered for sign in REFUSED_SIGNS)


def _used_password(pgconn: Any) -> str | None:
    """The password libpq sent on the failed connection (compared, never shown)."""
    value = getattr(pgconn, "password", None)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def _option(pgconn: Any, keyword: bytes) -> str | None:
    """A connection option as libpq settled it (``passfile``: the file it read)."""
    for option in getattr(pgconn, "info", None) or ():
        if getattr(option, "keyword", None) == keyword:
            value = getattr(option, "val", None)
            return value.decode("utf-8", "replace") if isinstance(value, bytes) and value else None
    return None


def password_file(url: str, pgconn: Any = None) -> Path:
    """The password file libpq reads for ``url``: ``passfile=``, ``PGPASSFILE``, the default."""
    named = _option(pgconn, b"passfile") or str(conninfo_to_dict(url).get("passfile") or "")
    named = named or os.environ.get("PGPASSFILE", "")
    if named:
        return Path(named).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", "~")).expanduser() / "postgresql" / "pgpass.conf"
    return Path(os.environ.get("HOME") or Path.home()) / ".pgpass"


def ignored_password_file(url: str, pgconn: Any = None) -> str | None:
    """Why libpq skipped the password file for ``url``, in words, or None when it did not.

    libpq (on Unix only) ignores a regular file whose mode gives its group or others any
    access (``mode & 0o077``), as :func:`password_file` finds it.
    """
    if sys.platform == "win32":
        return None
    where = password_file(url, pgconn)
    try:
        mode = where.stat().st_mode
    except OSError:  # no file (or none to be read): nothing was skipped for its mode
        return None
    if not stat.S_ISREG(mode) or not mode & 0o077:
        return None
    who = "others can read it" if mode & 0o044 else "others have access to it"
    return f"{where} was not used: {who}; make it private (chmod 600 {where})"


def _source(refused: Refused) -> tuple[str, str]:
    """(where the password came from, how to change it there), in words."""
    params = conninfo_to_dict(refused.url)
    used = _used_password(refused.pgconn)
    in_url = params.get("password")
    from_env = os.environ.get("PGPASSWORD")
    if in_url and (used is None or used == in_url):
        return (
            "the url itself",
            "correct it in the url (--library or NEWSDIGEST_LIBRARY), or better, leave it out "
            "of the url and keep it in the system keychain with `newsdigest library password "
            f"{refused.location}`",
        )
    if from_env and (used is None or used == from_env):
        return (
            "the environment variable PGPASSWORD",
            "set PGPASSWORD to the right password, or unset it to use ~/.pgpass or the "
            f"system keychain (`newsdigest library password {refused.location}`)",
        )
    where = password_file(refused.url, refused.pgconn)
    service = params.get("service") or os.environ.get("PGSERVICE")
    if service and not where.is_file():
        return (
            f"the connection service file's section [{service}] (PGSERVICEFILE, else "
            "~/.pg_service.conf)",
            "correct its password= line, or remove it and keep the password in the system "
            f"keychain with `newsdigest library password {refused.location}`",
        )
    return (
        f"the password file {where}",
        f"correct its line for {_pgpass_line(refused.account)} (host:port:database:role:"
        "password), or remove that line and keep the password in the system keychain with "
        f"`newsdigest library password {refused.location}`",
    )


def _pgpass_line(account: str) -> str:
    """``host:port:database:role`` of ``role@host:port/database``."""
    role, _, rest = account.partition("@")
    host_port, _, database = rest.partition("/")
    return f"{host_port}:{database}:{role}"


def refused_password(refused: Refused, *, keychain: bool) -> LibraryPasswordError:
    """The error for a password the server refused, naming where it came from.

    ``keychain``: the password was the keychain's (libpq's places gave none).
    """
    if keychain:
        source = (
            f"the system keychain (service {DATABASE_SERVICE!r}, user name {refused.account!r})"
        )
        how = (
            f"store the right one with `newsdigest library password {refused.location}` (or "
            "remove it with --forget)"
        )
        ignored = ignored_password_file(refused.url, refused.pgconn)
        if ignored:  # libpq skipped the file, so the keychain was asked instead
            how += f"; {ignored}"
    else:
        source, how = _source(refused)
    return LibraryPasswordError(
        f"cannot connect to the library at {refused.location}: the server refused the "
        f"password of the role {refused.account.partition('@')[0]!r} (password authentication "
        f"failed); it came from {source}: {how}",
        source,
    )
