"""The rendering commands of ``newsdigest``: ``build``, ``digests`` and ``check``.

:func:`register` adds them to the CLI's subparsers (``composer/cli/main.py`` calls it);
each sets ``handler``, called as ``handler(args, library)`` with the library
open, and returns the exit status. User errors raise
:class:`~composer.errors.NewsdigestError`, which the CLI prints.

* ``build (--month YYYY-MM | --digest ID) [--title T] [--profile NAME]
  [--theme NAME] [--html OUT] [--text OUT] [--eml OUT] [--zip OUT]
  [--ignore-preflight-errors]`` renders a digest: one drafted from a month of
  the library, or one saved in it, in its own layout or the one ``--theme``
  names. With no output file, the HTML goes to standard output and the
  preflight findings to standard error. The files are always written; the
  exit status is 1 when the preflight found errors (named on standard error,
  a theme not set up to send among them), unless
  ``--ignore-preflight-errors``.
* ``digests [--json]`` lists the saved digests (``--json``: one JSON array, the keys
  :mod:`composer.cli.digests_json` documents).
* ``check FILE.html`` runs the HTML preflight checks on any file; exit status 1
  when one of them is an error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import TextIO

from composer.cli.digests_json import KEYS as DIGEST_KEYS
from composer.cli.digests_json import digest_records
from composer.cli.options import add_theme_option
from composer.digest.drafting import draft_digest
from composer.digest.listing import load_digest, saved_digests
from composer.digest.model import Digest
from composer.digest.operations import SetField
from composer.email.export import BUILTIN_PROFILES, export_digest, get_profile, write_exports
from composer.email.preflight import Finding, check_html, check_readiness, has_errors, sort_findings
from composer.email.render import renderer_for
from composer.errors import NewsdigestError
from composer.repository import Library
from composer.theme.model import theme_from_settings

MAX_CHECK_BYTES = 20 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``build``, ``digests`` and ``check`` to the ``newsdigest`` command."""
    p = subparsers.add_parser(
        "build",
        help="render a digest to HTML, text, .eml or .zip",
        description="Render a digest drafted from a month of the library, or a saved one.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--month", metavar="YYYY-MM", help="draft from this month's items")
    source.add_argument("--digest", metavar="ID", help="a saved digest (see `newsdigest digests`)")
    p.add_argument("--title", metavar="T", help="the digest's title (default: drafted or saved)")
    p.add_argument(
        "--profile",
        metavar="NAME",
        default="plain",
        help=f"mailing tool the links are written for: {', '.join(BUILTIN_PROFILES)} or one "
        "from the settings (default: plain)",
    )
    add_theme_option(p)
    p.add_argument("--html", metavar="OUT", type=Path, help="write the inlined HTML here")
    p.add_argument("--text", metavar="OUT", type=Path, help="write the plain text here")
    p.add_argument("--eml", metavar="OUT", type=Path, help="write an .eml message here")
    p.add_argument("--zip", metavar="OUT", type=Path, help="write a .zip of all of them here")
    p.add_argument(
        "--ignore-preflight-errors",
        action="store_true",
        help="exit 0 even when the preflight checks found errors (the files are written "
        "either way)",
    )
    p.set_defaults(handler=cmd_build, library_read_only=True)

    p = subparsers.add_parser(
        "digests",
        help="list the saved digests",
        description="List the saved digests, the last saved first.",
        epilog="--json prints one array, in the same order, of objects with the keys "
        f"{', '.join(DIGEST_KEYS)} (null where the library has none; see the README).",
    )
    p.add_argument(
        "--json", action="store_true", help="print a JSON array (for scripts; stable keys)"
    )
    p.set_defaults(handler=cmd_digests, library_read_only=True)

    p = subparsers.add_parser(
        "check",
        help="run the preflight checks on an HTML email",
        description="Check any HTML email; the exit status is 1 when an error is found.",
    )
    p.add_argument("file", metavar="FILE.html", type=Path)
    p.set_defaults(handler=cmd_check, library_read_only=True)


def _print_findings(findings: list[Finding], stream: TextIO | None = None) -> None:
    out = stream if stream is not None else sys.stdout
    for finding in sort_findings(findings):
        print(str(finding), file=out)


def _count(findings: list[Finding]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    return (
        f"{errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )


def _load_digest(library: Library, digest_id: str) -> Digest:
    digest = load_digest(library, digest_id)
    if digest is None:
        raise NewsdigestError(
            f"there is no digest '{digest_id}' in the library {library.location} "
            "(see `newsdigest digests`)"
        )
    return digest


def _with_layout(digest: Digest, name: str | None) -> Digest:
    """``digest`` rendering with the layout ``name`` (``None``: its own, else the theme's)."""
    return dataclasses.replace(digest, template=name) if name else digest


def _errors_named(findings: list[Finding], ignore: bool) -> int:
    """Name the errors on standard error; the exit status of ``build``."""
    errors = [f for f in findings if f.severity == "error"]
    if not errors:
        return 0
    for finding in errors:
        print(str(finding), file=sys.stderr)
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    if ignore:
        print(f"newsdigest: the preflight checks found {count} (ignored)", file=sys.stderr)
        return 0
    print(
        f"newsdigest: error: the preflight checks found {count} (listed above); fix them "
        "before sending, or add --ignore-preflight-errors",
        file=sys.stderr,
    )
    return 1


def cmd_build(args: argparse.Namespace, library: Library) -> int:
    settings = library.settings()
    theme = theme_from_settings(settings)
    profile = get_profile(args.profile, settings)
    items = library.items()
    if args.month:
        digest = draft_digest(items, args.month, theme)
    else:
        digest = _load_digest(library, args.digest)
    if args.title is not None:
        digest, _ = SetField("title", args.title).apply(digest)
    digest = _with_layout(digest, args.theme)
    exported = export_digest(renderer_for(theme), digest, {i.id: i for i in items}, theme, profile)
    outputs = {"html": args.html, "text": args.text, "eml": args.eml, "bundle": args.zip}
    findings = list(exported.findings)
    codes = {f.code for f in findings}
    findings.extend(
        f for f in check_readiness(theme, profile_links=profile.from_theme) if f.code not in codes
    )
    findings = sort_findings(findings)
    if not any(outputs.values()):
        sys.stdout.buffer.write(exported.html.encode("utf-8"))
        sys.stdout.flush()
        _print_findings([f for f in findings if f.severity != "error"], sys.stderr)
        return _errors_named(findings, args.ignore_preflight_errors)
    written = write_exports(exported, **outputs)
    count = sum(len(s.item_ids) for s in digest.sections)
    print(
        f"{digest.title}: {count} item{'s' if count != 1 else ''} in "
        f"{len(digest.sections)} section{'s' if len(digest.sections) != 1 else ''}, "
        f"profile {profile.name}"
    )
    for path in written:
        print(f"wrote {path}")
    _print_findings([f for f in findings if f.severity != "error"])
    # the notes are about the .eml (a .zip holds one too): only for a file written
    about = {"eml"} if args.eml or args.zip else set()
    for note in exported.notes:
        if note.about in about:
            print(f"note: {note}")
    print(f"preflight: {_count(findings)}")
    sys.stdout.flush()
    return _errors_named(findings, args.ignore_preflight_errors)


def cmd_digests(args: argparse.Namespace, library: Library) -> int:
    if getattr(args, "json", False):
        payload = json.dumps(digest_records(library), ensure_ascii=False, indent=2)
        sys.stdout.buffer.write(payload.encode("utf-8") + b"\n")
        sys.stdout.flush()
        return 0
    summaries = saved_digests(library)
    if not summaries:
        print("No saved digests. Compose one in the Newsdigest window, or preview a month with")
        print("  newsdigest build --month YYYY-MM --html digest.html")
        return 0
    rows = [
        (s.id, s.period or "-", s.updated_label, str(s.items), s.title)
        if s.readable
        else (s.id, "", "", "", f"(cannot be read: {s.problem})")
        for s in summaries
    ]
    id_w = max(len(r[0]) for r in rows)
    period_w = max(6, *(len(r[1]) for r in rows))
    for digest_id, period, updated, count, title in rows:
        print(
            f"{digest_id:<{id_w}}  {period:<{period_w}}  {updated:<16}  {count:>3} items  {title}"
        )
    print(f"{len(rows)} digest{'s' if len(rows) != 1 else ''}")
    return 0


def cmd_check(args: argparse.Namespace, library: Library) -> int:
    path: Path = args.file
    try:
        size = path.stat().st_size
        if size > MAX_CHECK_BYTES:
            raise NewsdigestError(f"{path}: is {size:,} bytes; an email is far smaller")
        data = path.read_bytes()
    except FileNotFoundError:
        raise NewsdigestError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NewsdigestError(f"{path}: is a folder, not an HTML file") from None
    except OSError as exc:
        raise NewsdigestError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    theme = theme_from_settings(library.settings())
    findings = check_html(data, unsubscribe_labels=("unsubscribe", theme.label("unsubscribe")))
    print(f"{path}:")
    _print_findings(findings)
    print(f"preflight: {_count(findings)}")
    return 1 if has_errors(findings) else 0
