"""Reaching the server: the url as libpq reads it, the password, timeouts, errors in words.

The url is handed to libpq as it is, so everything libpq does with one is honoured:
``sslmode=verify-full`` with ``sslrootcert=/path/ca.pem`` (TLS, the server's name
checked against the CA file), ``sslcert``/``sslkey``, several hosts, ``service=``.
The password comes from libpq's own sources (the url, ``PGPASSWORD``, ``~/.pgpass`` or
``PGPASSFILE``); only when the server asks for one and none gave it is the keychain
asked (:class:`composer.secrets.DatabasePasswordStore`); a password file libpq skipped
because others may read it is then named, with how to make it private. It is held in memory for the
pool, never written anywhere, never logged: people and logs see
:attr:`Target.location`, the url without its password.

Every connection gets a statement timeout (no query waits on a busy server for
ever), an idle-in-transaction timeout (a client that stalls never holds a story's
row lock for long), ``application_name=Newsdigest``, a connect timeout unless the url
or the environment sets one, and, for a read-only open, ``default_transaction_read_only``
(the server itself then refuses writes). Options the url or ``PGOPTIONS`` gives come
after ours, so that a team can raise a timeout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import getpass
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import orjson
import psycopg
import psycopg.types.json
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import PoolTimeout

from composer.errors import LibraryError, LibraryUnreachableError
from composer.secrets import DATABASE_SERVICE, DatabasePasswordStore
from store.locations import url_without_password
from store.postgres.password_source import (
    Refused,
    ignored_password_file,
    password_refused,
    refused_password,
)

STATEMENT_TIMEOUT_S = 30
IDLE_IN_TRANSACTION_S = 60
CONNECT_TIMEOUT_S = 10
APPLICATION_NAME = "Newsdigest"
#: What libpq says when the server asks for a password that none of its sources gave.
NO_PASSWORD = "no password supplied"  # noqa: S105 (a message, not a password)

Connection = psycopg.Connection[tuple[Any, ...]]
#: A transaction the server rolled back because it clashed with another (class 40 errors).
CLASHES = (
    psycopg.errors.TransactionRollback,
    psycopg.errors.SerializationFailure,
    psycopg.errors.DeadlockDetected,
)


@dataclasses.dataclass(frozen=True)
class Target:
    """A library's database: the url for libpq, the name shown, the connection keywords."""

    url: str = dataclasses.field(repr=False)
    location: str
    #: What every connection is opened with (a keychain password among them: never shown).
    kwargs: dict[str, Any] = dataclasses.field(repr=False)
    #: The keychain's user name for this role and database: ``role@host:port/database``.
    account: str

    def with_password(self, password: str) -> Target:
        return dataclasses.replace(self, kwargs={**self.kwargs, "password": password})


def target_for(url: str, *, read_only: bool) -> Target:
    """What connecting to ``url`` takes; a url libpq cannot read is refused in words."""
    location = url_without_password(url)
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:  # its message may quote the url, password and all
        unknown = _unknown_parameter(url)
        if unknown:  # the query left out: a misspelt "pasword=" would show its value
            raise LibraryError(f"{location.split('?', 1)[0]}: {unknown}") from None
        raise LibraryError(
            f"{location}: this is not a PostgreSQL url Newsdigest can read "
            "(postgresql://user@host:port/database?sslmode=verify-full)"
        ) from None
    options = [
        f"-c statement_timeout={STATEMENT_TIMEOUT_S * 1000}",
        f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_S * 1000}",
    ]
    if read_only:
        options.append("-c default_transaction_read_only=on")
    theirs = params.get("options") or os.environ.get("PGOPTIONS")
    if theirs:
        options.append(str(theirs))
    kwargs: dict[str, Any] = {"options": " ".join(options), "autocommit": True}
    if "connect_timeout" not in params and not os.environ.get("PGCONNECT_TIMEOUT"):
        kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
    if "application_name" not in params and not os.environ.get("PGAPPNAME"):
        kwargs["application_name"] = APPLICATION_NAME
    return Target(url=url, location=location, kwargs=kwargs, account=_account(params))


def parameter_names() -> frozenset[str]:
    """Every parameter libpq reads in a url's query (``sslmode``, ``connect_timeout``…)."""
    return frozenset(
        option.keyword.decode("ascii", "replace") for option in psycopg.pq.Conninfo.get_defaults()
    )


def _unknown_parameter(url: str) -> str | None:
    """What is wrong with a url's query parameter libpq does not know, with the nearest it
    does (a misspelt ``sslmod``); None when every name is known. Only names are quoted,
    never a value (a password may be one)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return None
    known = parameter_names()
    for name, _value in parse_qsl(query, keep_blank_values=True):
        if name in known:
            continue
        nearest = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.6)
        hint = (
            f" (did you mean {nearest[0]!r}?)" if nearest else " (see libpq's list of parameters)"
        )
        return f"unknown parameter {name!r} in the library url{hint}"
    return None


def _account(params: dict[str, Any]) -> str:
    """``role@host:port/database``, with libpq's defaults where the url leaves them out."""
    env = os.environ
    user = str(params.get("user") or env.get("PGUSER") or _login_name())
    host = str(params.get("host") or params.get("hostaddr") or env.get("PGHOST") or "localhost")
    port = str(params.get("port") or env.get("PGPORT") or "5432")
    dbname = str(params.get("dbname") or env.get("PGDATABASE") or user)
    return f"{user}@{host}:{port}/{dbname}"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return ""


def configure(conn: Connection) -> None:
    """Set up a new connection: JSON documents are read by orjson (as the file store does)."""
    psycopg.types.json.set_json_loads(orjson.loads, conn)


def first_connection(target: Target, passwords: DatabasePasswordStore) -> tuple[Connection, Target]:
    """A connection to ``target`` and the target that made it (the keychain's password added
    when the server asked for one that libpq's sources did not give)."""
    try:
        return _connect(target), target
    except psycopg.OperationalError as exc:
        if NO_PASSWORD not in str(exc):
            raise _cannot_connect(target, exc, keychain=False) from None
        ignored = ignored_password_file(target.url, getattr(exc, "pgconn", None))
    password = passwords.get(target.account)
    if password is None:
        keychain = (
            f"the system keychain (service {DATABASE_SERVICE!r}, user name {target.account!r})"
        )
        places = (
            f"{ignored}, or put the password in PGPASSWORD or {keychain}"
            if ignored
            else f"put it in PGPASSWORD or ~/.pgpass (libpq's own places), or in {keychain}"
        )
        raise LibraryError(
            f"cannot connect to the library at {target.location}: the server asks for a "
            f"password and none was given; {places}. Newsdigest never keeps it in its settings"
        )
    with_password = target.with_password(password)
    try:
        return _connect(with_password), with_password
    except psycopg.OperationalError as exc:
        raise _cannot_connect(with_password, exc, keychain=True) from None


def _connect(target: Target) -> Connection:
    conn = psycopg.connect(target.url, **target.kwargs)
    configure(conn)
    return conn


def reason(exc: BaseException) -> str:
    """An error's message on one line (libpq's come on several, with hints)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return "; ".join(lines) or type(exc).__name__


#: What libpq and psycopg say when the server cannot be reached, and that in words.
AWAY_SIGNS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("connection refused",),
        "nothing answers at the server's address and port: PostgreSQL is not running "
        "there, or a firewall turns the connection away",
    ),
    (
        ("timeout expired", "timed out", "did not answer in"),
        "the server did not answer in time: it is down, or the network to it is",
    ),
    (
        (
            "failed to resolve host",
            "could not translate host name",
            "name or service not known",
            "nodename nor servname",
            "no such host is known",
            "temporary failure in name resolution",
        ),
        "the server's name cannot be found: this computer is offline, or the name in the "
        "url is misspelt",
    ),
    (
        ("network is unreachable", "no route to host", "host is unreachable"),
        "there is no route to the server: this computer is offline, or the server is only "
        "reachable from the office network or its VPN",
    ),
    (
        ("the database system is starting up", "the database system is shutting down"),
        "the server is starting up or shutting down; it should be back in a moment",
    ),
    (
        ("server closed the connection unexpectedly", "cannot be reached", "connection lost"),
        "the connection to the server was lost",
    ),
    (
        ("no such file or directory",),
        "no server listens on the local socket the url names",
    ),
)


def away_reason(exc: BaseException) -> str | None:
    """Why the server cannot be reached, in words, if the driver's error says it cannot."""
    lowered = str(exc).lower()
    for signs, words in AWAY_SIGNS:
        if any(sign in lowered for sign in signs):
            return words
    return None


def _failed(message: str, exc: BaseException) -> LibraryError:
    """A :class:`LibraryUnreachableError` when the server is out of reach, else a plain one."""
    words = away_reason(exc)
    return LibraryUnreachableError(message, words) if words else LibraryError(message)


def _cannot_connect(target: Target, exc: BaseException, *, keychain: bool) -> LibraryError:
    """Why the first connection failed; a refused password names the place it came from."""
    if password_refused(exc):
        refused = Refused(target.url, target.location, target.account, getattr(exc, "pgconn", None))
        return refused_password(refused, keychain=keychain)
    how = " with the keychain's password" if keychain else ""
    return _failed(f"cannot connect to the library at {target.location}{how}: {reason(exc)}", exc)


class Reachability:
    """Once the server is found out of reach, calls fail at once for a while, then try again.

    Without it every call of a window on a library whose server went away would wait
    for the pool's timeout (about 15 s) before saying so again: each autosave, each
    preview's read. After a :class:`LibraryUnreachableError` the next calls are refused
    at once with the same reason for a pause that doubles from :attr:`FIRST_PAUSE_S`
    to :attr:`MAX_PAUSE_S`; the first call after the pause tries the server again, and
    one that gets through ends the pauses. Thread-safe.
    """

    FIRST_PAUSE_S = 5.0
    MAX_PAUSE_S = 60.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._last: LibraryUnreachableError | None = None
        self._pause = 0.0
        self._until = 0.0

    def check(self, location: str, doing: str) -> None:
        """Refuse at once while a pause lasts (:class:`LibraryUnreachableError`)."""
        with self._lock:
            last, left = self._last, self._until - self._clock()
        if last is None or left <= 0:
            return
        raise LibraryUnreachableError(
            f"the library at {location} cannot be reached ({doing}): it could not be reached "
            f"a moment ago either; Newsdigest tries again in {max(1, round(left))} s",
            last.reason,
        )

    def failed(self, exc: LibraryUnreachableError) -> None:
        with self._lock:
            self._pause = min(max(self.FIRST_PAUSE_S, self._pause * 2), self.MAX_PAUSE_S)
            self._until = self._clock() + self._pause
            self._last = exc

    def succeeded(self) -> None:
        with self._lock:
            self._last, self._pause, self._until = None, 0.0, 0.0


@contextlib.contextmanager
def database_errors(location: str, doing: str) -> Iterator[None]:
    """Turn the driver's errors while ``doing`` into a :class:`LibraryError` that says what."""
    try:
        yield
    except PoolTimeout as exc:
        raise LibraryUnreachableError(
            f"the library at {location} cannot be reached ({doing}): no connection to the "
            f"server could be had ({reason(exc)})",
            away_reason(exc) or "no connection to the server could be had in time",
        ) from None
    except psycopg.errors.QueryCanceled:
        raise LibraryError(
            f"the library at {location} did not answer in {STATEMENT_TIMEOUT_S} s ({doing}): "
            "the server is busy or far away; try again"
        ) from None
    except CLASHES:
        raise LibraryError(
            f"the library at {location} could not finish {doing}: it clashed with other "
            "writers at the same moment, again and again; nothing of it was kept, try again"
        ) from None
    except psycopg.errors.InsufficientPrivilege as exc:
        raise LibraryError(
            f"the library at {location} refused {doing}: {reason(exc)} (the database's "
            "administrator grants it)"
        ) from None
    except psycopg.OperationalError as exc:
        raise _failed(
            f"the connection to the library at {location} failed ({doing}): {reason(exc)}", exc
        ) from None
    except psycopg.DataError as exc:
        raise LibraryError(
            f"{doing}: the library at {location} cannot store it: {reason(exc)}"
        ) from None
    except psycopg.Error as exc:
        raise LibraryError(f"the library at {location} failed {doing}: {reason(exc)}") from None
