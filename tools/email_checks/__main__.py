"""``python -m tools.email_checks [--themes a,b] [--install] [--keep DIR]``: build, check, report.

Exit status 0 when every target is met (checks that could not run are listed as
"not run" with the reason), 1 when one is missed, 2 when the emails could not be
built.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tools.email_checks.checks import run_all
from tools.email_checks.emails import build_emails, shipped_themes
from tools.email_checks.report import details, missed, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.email_checks", description=__doc__)
    parser.add_argument(
        "--themes", help="comma-separated theme names (default: every theme `build` offers)"
    )
    parser.add_argument(
        "--install",
        action="store_true",
        help="install missing tools (apt-get when root, npm into tools/email_checks)",
    )
    parser.add_argument("--keep", type=Path, help="build the emails into this folder and keep them")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="newsdigest-email-checks-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        themes = args.themes.split(",") if args.themes else shipped_themes()
        emails = build_emails(work, [t.strip() for t in themes if t.strip()])
    except (RuntimeError, OSError) as exc:
        print(f"email-checks: the emails could not be built: {exc}", file=sys.stderr)
        return 2
    results = run_all(emails, work, install=args.install)
    print(table(emails, results))
    text = details(emails, results)
    if text:
        print()
        print(text)
    count = missed(results)
    print()
    print(f"emails in {work}")
    print(f"{count} target{'s' if count != 1 else ''} missed" if count else "every target met")
    return 1 if count else 0


if __name__ == "__main__":
    sys.exit(main())
