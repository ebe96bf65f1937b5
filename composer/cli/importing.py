"""The ``newsdigest import`` command: read sources, show or add their items, say what happened.

Every source is read first; then, unless ``--dry-run``, the items of all of them
are added to the library in one write. The summary printed is the core's
(:func:`composer.library.import_summary.summary_lines`, the window's too); a
source that could not be read is an error on stderr. Exit status (the README's table):

- 0: the sources were read, and what could be imported was;
- 1: a source was unusable, or no entry could be read (every one was
  rejected); with ``--strict``, any rejection or unusable source, and then
  nothing at all is written.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from composer.errors import NewsdigestError, ValidationError
from composer.library.import_adding import ImportAdded, add_imported
from composer.library.import_formats import DEFAULT_CATEGORY, FORMATS
from composer.library.import_summary import summary_lines
from composer.library.rules import split_new
from composer.repository import AddResult, Library

if TYPE_CHECKING:
    from composer.library.importers.base import ImportReport, ReadOptions

Opener = Callable[[argparse.Namespace, bool], Library]


def register(sub: argparse._SubParsersAction, run: object) -> None:  # type: ignore[type-arg]
    """Add ``import`` to the command line; ``run`` is the handler the composition root gives."""
    p = sub.add_parser(
        "import",
        help="import news items from files, pages, feeds or article urls",
        description=(
            "Read news items from listing text, saved web pages (.html), feeds, CSV or JSON "
            "files, or http(s) urls of a feed, a listing page or one article."
        ),
        epilog=(
            "Exit status: 0 when the sources were read; 1 when a source is unusable, or when "
            "no entry could be read: every one was rejected (with --strict: any rejection, "
            "and then nothing is written)."
        ),
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="file path or http(s) url")
    p.add_argument("--format", choices=("auto", *FORMATS), default="auto")
    p.add_argument(
        "--default-category",
        default=DEFAULT_CATEGORY,
        metavar="NAME",
        help=f"category for entries that name none (default: {DEFAULT_CATEGORY})",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        help="address that relative links and images of a saved page resolve against",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read a CSV column as an item field (title, date, summary, url, image_url, "
        "category, tags, image_alt) or 'ignore' it; may be repeated",
    )
    p.add_argument(
        "--date-order",
        choices=("dmy", "mdy"),
        help="how to read slash dates such as 03/04/2023 when the file does not tell",
    )
    p.add_argument("--layout", metavar="NAME", help="plain-text listing layout to use")
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be imported; write nothing"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on any rejected entry, and then import nothing",
    )
    p.set_defaults(run=run)


def _column_map(pairs: Sequence[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        if not sep or not column.strip():
            raise ValidationError(
                "--map", f"'{pair}' is not COLUMN=FIELD (for example --map 'Sort Date=date')"
            )
        mapping[column.strip()] = field.strip()
    return mapping


def read_options(args: argparse.Namespace) -> ReadOptions:
    """The reading options the command line asks for."""
    from composer.library.importers.base import ReadOptions

    return ReadOptions(
        default_category=args.default_category,
        base_url=args.base_url,
        column_map=_column_map(args.map),
        date_order=args.date_order,
        layout=args.layout,
    )


def run_import(args: argparse.Namespace, open_library: Opener) -> int:
    """Read every source, then add (or, with ``--dry-run``, show) their items."""
    from composer.library.importers import import_source  # feedparser & co: only when importing

    options = read_options(args)
    reports: list[ImportReport] = []
    failures: list[NewsdigestError] = []
    for source in args.sources:
        try:
            reports.append(import_source(source, format=args.format, options=options))
        except NewsdigestError as exc:
            failures.append(exc)
    rejected = sum(report.rejected_count for report in reports)
    imported = sum(len(report.items) for report in reports)
    hold = args.dry_run or (args.strict and (rejected or failures))
    added = AddResult((), ())
    outcome = ImportAdded(added)
    if imported and not hold:  # no library file is made for an import that adds nothing
        library = open_library(args, False)
        try:
            outcome = add_imported(library, (item for report in reports for item in report.items))
        finally:
            library.close()
        added = outcome.added
    elif reports and hold:  # what would be added, for the summary
        added = _would_add(args, open_library, reports)
    for line in summary_lines(reports, ImportAdded(added, outcome.mended)):
        print(line.plain())
        if args.dry_run and line.kind == "source":
            _print_reading(reports[line.report], added)
    for failure in failures:
        print(f"newsdigest: error: {failure}", file=sys.stderr)
    if args.dry_run:
        print("Dry run: nothing was written to the library.")
    elif hold and imported:
        print(
            f"--strict: {rejected} rejected entr{'y' if rejected == 1 else 'ies'}"
            f"{' and ' + str(len(failures)) + ' unusable source(s)' if failures else ''}; "
            f"nothing was written to the library (the {imported} good "
            f"item{'s' if imported != 1 else ''} included).",
            file=sys.stderr,
        )
    elif failures and added.new:
        others = len(reports)
        print(
            f"newsdigest: the other {others} source{'s' if others != 1 else ''} "
            f"{'were' if others != 1 else 'was'} imported ({len(added.new)} new items); "
            "exit status 1 is for the source(s) named above.",
            file=sys.stderr,
        )
    if failures or (args.strict and rejected):
        return 1
    return 1 if rejected and not imported else 0


def _would_add(
    args: argparse.Namespace, open_library: Opener, reports: Sequence[ImportReport]
) -> AddResult:
    """What an import would add and find already there, read without writing anything."""
    library = open_library(args, True)
    try:  # the core's rule, as the import itself applies it (a batch's duplicates included)
        return split_new((item for r in reports for item in r.items), library.find_existing)
    finally:
        library.close()


def _print_reading(report: ImportReport, added: AddResult) -> None:
    if report.columns:
        used = ", ".join(
            f"{column.header or '#' + str(column.position + 1)}→{column.field or 'ignored'}"
            for column in report.columns
        )
        print(f"  columns: {used}")
    if report.layouts and len(report.layouts) > 1:
        print(f"  other layouts: {', '.join(name for name in report.layouts[1:])}")
    existing = {item.id for item in added.existing}
    for item in report.items:
        mark = "  (already in the library)" if item.id in existing else ""
        print(f"  {item.date.isoformat()}  [{item.category}]  {item.title}{mark}")
        details = [f"link {item.url}" if item.url else "no link"]
        if item.image_url:
            details.append(f"image {item.image_url}")
        print(f"      {'; '.join(details)}")
