"""The composition root: the ``newsdigest`` command, and ``python -m composer``.

This is the one module of ``composer/`` that imports ``store`` (to open the
library for each command) and ``ui`` (lazily, only when the GUI is asked for, so
that command-line use never loads Qt). Every other module of the core is pure.

Exit status: 0 on success, 1 on a user error (the message on stderr, never a
traceback), 130 when interrupted, 141 when the reader of stdout stopped
(``| head``); ``send`` also exits 3 when it finished with
recipients failed, uncertain or still queued, and ``import`` and ``build`` have
their own rules (the README's tables).
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from composer.errors import NewsdigestError
from composer.library.search import ItemFilter, filter_items
from composer.repository import Holder, Library

log = logging.getLogger("newsdigest")
Handler = Callable[[argparse.Namespace, Library], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with exit status 1, like every other user error."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


class _VersionAction(argparse.Action):
    """``--version``: the version is looked up only when asked for (start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> NoReturn:
        from composer.version import version

        print(f"newsdigest {version()}")
        parser.exit(0)


def _open(args: argparse.Namespace, *, read_only: bool = False) -> Library:
    from store import open_library

    # a writer names itself, so that whoever it keeps waiting is told who it is
    holder = None if read_only else Holder("command", command=f"newsdigest {args.command}")
    return open_library(args.library, read_only=read_only, holder=holder)


# -- commands -------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from composer.cli.importing import run_import

    return run_import(args, lambda parsed, read_only: _open(parsed, read_only=read_only))


def cmd_library_copy(args: argparse.Namespace) -> int:
    from composer.cli.library import run_copy
    from store import check_not_in_use, open_library

    # a send running on SOURCE would leave a half-done send log in the copy
    check_not_in_use(args.source, "copy it once that run is over")
    holder = Holder("command", command="newsdigest library copy")
    return run_copy(
        args,
        lambda target, read_only: open_library(
            target, read_only=read_only, holder=None if read_only else holder
        ),
    )


def cmd_library_password(args: argparse.Namespace) -> int:
    from composer.cli.library import DatabaseAccount, run_password
    from composer.secrets import DatabasePasswordStore
    from store import resolve_library, shown_location

    def account_of(url: str | None) -> DatabaseAccount:
        target = resolve_library(url or args.library)
        if not isinstance(target, str):
            raise NewsdigestError(
                f"{shown_location(target)} is a library file, which has no password: give "
                "the postgresql:// url of a team library"
            )
        from psycopg.conninfo import conninfo_to_dict

        from store.postgres.connect import target_for

        found = target_for(target, read_only=True)  # refuses a url libpq cannot read
        has_password = bool(conninfo_to_dict(target).get("password"))
        return DatabaseAccount(found.account, found.location, has_password)

    return run_password(args, account_of, DatabasePasswordStore())


def _print_table(items: Sequence[dict[str, str]]) -> None:
    width = max(60, shutil.get_terminal_size((120, 20)).columns)
    cat_w = min(18, max((len(i["category"]) for i in items), default=8))
    title_w = max(20, width - 10 - 2 - cat_w - 2 - 18 - 2)
    for row in items:
        title = row["title"] if len(row["title"]) <= title_w else row["title"][: title_w - 1] + "…"
        category = row["category"][:cat_w]
        print(f"{row['date']:<10}  {category:<{cat_w}}  {title:<{title_w}}  {row['id']}")


def cmd_items(args: argparse.Namespace) -> int:
    library = _open(args, read_only=True)
    try:
        spec = ItemFilter(
            text=args.search or "", category=args.category or "", month=args.month or ""
        )
        items = filter_items(library.items(), spec)
    finally:
        library.close()
    if args.json:
        payload = json.dumps([item.to_dict() for item in items], ensure_ascii=False, indent=2)
        sys.stdout.buffer.write(payload.encode("utf-8") + b"\n")
        sys.stdout.flush()
        return 0
    if not items:
        print("No items." if not (args.search or args.category or args.month) else "No match.")
        return 0
    _print_table([{k: str(v) for k, v in item.to_dict().items()} for item in items])
    print(f"{len(items)} item{'s' if len(items) != 1 else ''}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    library = _open(args)
    try:
        unknown = [i for i in args.ids if library.get_item(i) is None]
        if unknown:
            raise NewsdigestError(
                f"no item with id {', '.join(unknown)} in the library {library.location}; "
                "nothing was removed (see `newsdigest items` for ids)"
            )
        removed = library.remove_items(args.ids)
    finally:
        library.close()
    print(f"Removed {len(removed)} item{'s' if len(removed) != 1 else ''}.")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from composer.library.sample import SAMPLE_SOURCE, load_sample_items

    library = _open(args)
    try:
        added = library.add_items(load_sample_items())
    finally:
        library.close()
    print(
        f"{SAMPLE_SOURCE}: {len(added.new)} new, {len(added.existing)} already in the library, "
        "0 rejected"
    )
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    import ui.app  # lazily: only the GUI loads Qt
    from store import default_library_path, open_library, resolve_library, shown_location
    from store.locations import ENV_LIBRARY

    # --library, else $NEWSDIGEST_LIBRARY, else the library the window was last on, else the
    # default file; the window only remembers the last one, this decides
    named = (
        args.library or os.environ.get(ENV_LIBRARY) or _last_library(ui.app.remembered_library())
    )
    target = resolve_library(named)  # a resolved path, or a database url

    def opener(location: str) -> Library:  # File → Open library…: any path or url
        return open_library(location, holder=Holder("window"))

    return ui.app.run(
        lambda: open_library(target, holder=Holder("window")),
        location=shown_location(target),
        argv=sys.argv[:1],
        sources=getattr(args, "sources", []),  # `newsdigest` alone opens the window with none
        opener=opener,
        default_library=str(default_library_path()),
        away_reason=_server_away,
    )


def _last_library(location: str | None) -> str | None:
    """The window's last library, if it can still be opened as it was: a database url, or a
    file that is still there (a file deleted since is not made again: the default opens)."""
    from store import resolve_library

    if not location:
        return None
    try:
        target = resolve_library(location)
    except NewsdigestError:
        return None
    return location if isinstance(target, str) or target.is_file() else None


def _server_away(exc: BaseException) -> str | None:
    """The reason in words when opening a team library failed because its server cannot be
    reached (:class:`composer.errors.LibraryUnreachableError`, which the store raises); None
    for any other failure (a wrong password, a database that does not exist, a refused
    schema, a file): those are plain errors, shown as they are."""
    from composer.errors import LibraryUnreachableError

    if not isinstance(exc, LibraryUnreachableError):
        return None
    return f"{exc.reason}.\n\nDetails: {exc}"


def cmd_screenshots(args: argparse.Namespace) -> int:
    """``make screenshots``: the window's pictures, on a sample library of their own."""
    try:
        import ui.screenshots
    except ModuleNotFoundError:  # the standalone app leaves the screenshot script out
        raise NewsdigestError(
            "screenshots are made from a source checkout: run `make screenshots` there"
        ) from None
    from store import open_library

    return ui.screenshots.main(["newsdigest", args.folder], open_library)


# -- parser ---------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="newsdigest",
        description="Compose monthly news digests from a library of news items.",
        epilog="Without a command, the Newsdigest window opens.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--library",
        metavar="PATH",
        help="library file, or postgresql:// url, to use (default: $NEWSDIGEST_LIBRARY, "
        "else the user data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    from composer.cli import importing as import_commands

    import_commands.register(sub, cmd_import)

    from composer.cli import library as library_commands

    library_commands.register(sub, cmd_library_copy, cmd_library_password)

    p = sub.add_parser("items", help="list the library's items")
    p.add_argument("--month", metavar="YYYY-MM")
    p.add_argument("--category", metavar="NAME")
    p.add_argument("--search", metavar="TEXT", help="words to find in title, summary or tags")
    p.add_argument("--json", action="store_true", help="print a JSON array (for scripts)")
    p.set_defaults(run=cmd_items)

    p = sub.add_parser("remove", help="remove items by id")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("sample", help="add the sample library (48 fictional items) to the library")
    p.set_defaults(run=cmd_sample)

    p = sub.add_parser(
        "screenshots", help="write the window's screenshots into FOLDER (make screenshots)"
    )
    p.add_argument("folder", nargs="?", default="docs/screenshots", metavar="FOLDER")
    p.set_defaults(run=cmd_screenshots)

    p = sub.add_parser("gui", help="open the Newsdigest window (the default)")
    p.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="file or http(s) url to preview for import; with the window already open on "
        "the library, it comes to the front and previews them",
    )
    p.set_defaults(run=cmd_gui)

    try:
        from composer.cli import build as build_commands
    except ImportError:  # pragma: no cover - the rendering commands ship with the core
        pass
    else:
        build_commands.register(sub)
    from composer.cli import send as send_commands

    send_commands.register(sub)
    return parser


def _with_library(handler: Handler) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        # commands that only read (check, digests) take no lock: they work while the window is open
        library = _open(args, read_only=getattr(args, "library_read_only", False))
        try:
            return handler(args, library)
        finally:
            library.close()

    return run


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")  # a Windows console that cannot show a title still works
    parser = build_parser()
    args = parser.parse_args(argv)
    from composer.logs import setup_logging

    log_file = setup_logging()
    run: Callable[[argparse.Namespace], int]
    if getattr(args, "run", None) is not None:
        run = args.run
    elif getattr(args, "handler", None) is not None:
        run = _with_library(args.handler)
    else:
        run = cmd_gui
    try:
        status = run(args)
        sys.stdout.flush()  # here, where a reader that stopped is caught below
        return status
    except NewsdigestError as exc:
        print(f"newsdigest: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsdigest: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
            return _reader_stopped()
        return _internal_error(exc, args, log_file)
    except Exception as exc:
        return _internal_error(exc, args, log_file)


def _reader_stopped() -> int:
    """The reader of stdout went away (``newsdigest items | head -1``): quietly, exit 141.

    stdout is pointed at ``os.devnull`` (Python's documented recipe), so that the
    interpreter's last flush at exit does not raise again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (embedded, or replaced by a test)
        pass
    return 128 + 13  # 128 + SIGPIPE, as Unix tools do


def _internal_error(exc: BaseException, args: argparse.Namespace, log_file: Path | None) -> int:
    """A bug: the traceback goes to the log, a one-line message to stderr."""
    log.exception("unexpected error in %s", args.command or "gui")
    where = f"; details are in {log_file}" if log_file else ""
    print(
        f"newsdigest: internal error: {type(exc).__name__}: {exc}{where}. "
        "Nothing that was saved has been lost.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
