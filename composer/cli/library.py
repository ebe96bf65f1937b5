"""The ``newsdigest library`` commands: ``library copy SOURCE DEST [--merge]``.

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
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from composer.errors import NewsdigestError
from composer.library.copying import DestinationNotEmptyError, check_source, copy_library
from composer.repository import Library

#: Opens a library (a path or a url) for the composition root: ``opener(target, read_only)``.
Opener = Callable[[str, bool], Library]

EXIT_STATUS = (
    "Exit status: 0 when everything was copied (with --merge, what DEST had already is left "
    "out and named); 1 on an error, when SOURCE is empty, when DEST is not empty and --merge "
    "was not given (nothing is written then), or when --merge refused a digest or a send log "
    "that DEST holds differently under its id (the rest is copied)."
)


def register(sub: argparse._SubParsersAction, copy: object) -> None:  # type: ignore[type-arg]
    """Add ``library copy`` to the command line; ``copy`` is the composition root's handler."""
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
