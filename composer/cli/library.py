"""The ``newsdigest library`` commands: ``library copy`` and ``library password``.

``library copy`` copies the items, digests, settings and send logs of one library
into another, a TinyDB file or a ``postgresql://`` database either way
(:func:`composer.library.copying.copy_library` does the work; this module declares
the arguments and prints the report). SOURCE is opened read-only. Exit status:

- 0: everything was copied (with ``--merge``, what the destination had already is
  left out and named);
- 1: an error, nothing written: a library cannot be opened, SOURCE holds nothing, or
  DEST is not empty and ``--merge`` was not given; with ``--merge``, also when a
  digest or a send log was refused because DEST holds a different one under its id
  (the rest is copied).

``library password [URL] [--forget]`` keeps the password of a PostgreSQL library's
role in the system keychain (:class:`composer.secrets.DatabasePasswordStore`: service
``Newsdigest database``, user name ``role@host:port/database``), where the store looks
when libpq's own places (``PGPASSWORD``, ``~/.pgpass``) give none. URL defaults to
``--library`` or ``NEWSDIGEST_LIBRARY``. The password is asked twice without echo on a
terminal, else read as one line of standard input (scripts), as ``settings smtp
--password`` does; it is never printed, logged or written to disk. ``--forget``
removes it. Exit status 0 when stored (or removed, or there was none to remove), 1 on
an error: a url that is not a database's, or has a password in it, an empty password,
no usable keychain (nothing stored).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import NamedTuple

from composer.errors import NewsdigestError
from composer.library.copying import DestinationNotEmptyError, check_source, copy_library
from composer.repository import Library
from composer.secrets import DATABASE_SERVICE, DatabasePasswordStore

#: Opens a library (a path or a url) for the composition root: ``opener(target, read_only)``.
Opener = Callable[[str, bool], Library]

EXIT_STATUS = (
    "Exit status: 0 when everything was copied (with --merge, what DEST had already is left "
    "out and named); 1 on an error, when SOURCE is empty, when DEST is not empty and --merge "
    "was not given (nothing is written then), or when --merge refused a digest or a send log "
    "that DEST holds differently under its id (the rest is copied)."
)


class DatabaseAccount(NamedTuple):
    """Whose password a library url needs: its keychain user name, and the url to show."""

    #: ``role@host:port/database``, with libpq's defaults where the url leaves them out.
    account: str
    #: The url without its password (for messages).
    location: str
    #: The url carries a password of its own (libpq would use it, not the keychain's).
    has_password: bool


#: The composition root's reading of a library (a url, or None for --library and the
#: environment's): the account whose password it needs; a file library is refused.
AccountOf = Callable[["str | None"], DatabaseAccount]

KEYCHAIN_EXIT_STATUS = (
    "Exit status: 0 when the password was stored (with --forget: removed, or there was none); "
    "1 on an error (URL is not a postgresql:// url, or has a password in it; the password is "
    "empty; there is no usable keychain): nothing is stored then."
)


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    copy: object,
    password: object,
) -> None:
    """Add ``library copy`` and ``library password``; ``copy`` and ``password`` are the
    composition root's handlers."""
    p = sub.add_parser(
        "library",
        help="work on whole libraries: copy one into another (TinyDB file or PostgreSQL)",
    )
    commands = p.add_subparsers(dest="library_command", metavar="COMMAND", required=True)
    c = commands.add_parser(
        "copy",
        help="copy items, digests, settings and send logs from SOURCE into DEST",
        description="Copy everything a library holds (items, digests, settings and send "
        "logs; never a password) into another: a library file or a postgresql:// url, "
        "either way. SOURCE is only read. DEST must be empty unless --merge is given.",
        epilog=EXIT_STATUS,
    )
    c.add_argument("source", metavar="SOURCE", help="library file or postgresql:// url to read")
    c.add_argument("dest", metavar="DEST", help="library file or postgresql:// url to fill")
    c.add_argument(
        "--merge",
        action="store_true",
        help="copy into a library that is not empty: items by the duplicate rule, digests "
        "and send logs it lacks (an identical one is left out, a different one refused), "
        "settings only for keys it lacks",
    )
    c.set_defaults(run=copy)
    w = commands.add_parser(
        "password",
        help="keep the password of a PostgreSQL library's role in the system keychain",
        description="Ask for the password of the role a postgresql:// url connects as and "
        f"keep it in the system keychain (service {DATABASE_SERVICE!r}, user name "
        "role@host:port/database), where Newsdigest looks when PGPASSWORD and ~/.pgpass "
        "have none. Asked twice without echo on a terminal, else read as one line of "
        "standard input. Never printed, logged or written to disk.",
        epilog=KEYCHAIN_EXIT_STATUS,
    )
    w.add_argument(
        "url",
        nargs="?",
        metavar="URL",
        help="the library's postgresql:// url, without a password (default: --library, "
        "else $NEWSDIGEST_LIBRARY)",
    )
    w.add_argument(
        "--forget", action="store_true", help="remove the password from the keychain instead"
    )
    w.set_defaults(run=password)


def run_copy(args: argparse.Namespace, opener: Opener) -> int:
    """Open SOURCE (read-only), then DEST, copy, print the report; the exit status."""
    source = opener(args.source, True)
    try:
        check_source(source)  # before DEST is opened: a new file would be made for nothing
        destination = opener(args.dest, False)
        try:
            report = copy_library(source, destination, merge=args.merge)
        except DestinationNotEmptyError as exc:
            raise NewsdigestError(f"{exc} (add --merge)") from None
        finally:
            destination.close()
    finally:
        source.close()
    for line in report.lines():
        print(line)
    refused = report.refused
    if refused:
        print(
            f"newsdigest: error: {len(refused)} refused: the destination holds a different "
            f"{'one' if len(refused) == 1 else 'one each'} under the same id (see above); "
            "everything else was copied",
            file=sys.stderr,
        )
        return 1
    return 0


# -- library password ------------------------------------------------------------------------------
def read_password(prompt: str) -> str:
    """Twice without echo on a terminal; else one line of standard input (its newline cut)."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            first = getpass.getpass(prompt)
            second = getpass.getpass("Again, to be sure: ")
        except (EOFError, KeyboardInterrupt):
            raise NewsdigestError("no password given; nothing was stored") from None
        if first != second:
            raise NewsdigestError("the two passwords differ; nothing was stored")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def run_password(
    args: argparse.Namespace, account_of: AccountOf, passwords: DatabasePasswordStore
) -> int:
    """Store (or with ``--forget`` remove) the keychain's password of URL's role."""
    found = account_of(args.url)
    account = found.account
    if found.has_password:
        raise NewsdigestError(
            f"{found.location}: the url has a password in it, which would be used instead of "
            "the keychain's; give the url without it (nothing was stored)"
        )
    if args.forget:
        if passwords.forget(account):
            print(f"Removed the password of {account} from the system keychain.")
        else:
            print(f"The system keychain holds no password of {account}.")
        return 0
    if not passwords.keychain_available:
        raise NewsdigestError(_no_keychain(account))
    password = read_password(f"Password of {account}: ")
    if not password:
        raise NewsdigestError("the password is empty; nothing was stored")
    if not passwords.save(account, password):
        raise NewsdigestError(_no_keychain(account))
    print(
        f"Stored the password of {account} in the system keychain (service "
        f"{DATABASE_SERVICE!r}); Newsdigest uses it for {found.location} when PGPASSWORD "
        "and ~/.pgpass have none."
    )
    return 0


def _no_keychain(account: str) -> str:
    return (
        "there is no usable keychain on this system (or it refused the password), so nothing "
        "was stored (Newsdigest never writes it to disk): put it in ~/.pgpass (or PGPASSFILE), "
        f"one line host:port:database:role:password for {account}, or in PGPASSWORD for one run"
    )
