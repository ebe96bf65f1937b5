"""The table of ``make email-checks``: one row per built email, one column per check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tools.email_checks.checks import Result
from tools.email_checks.emails import Email

MARK = {"pass": "ok", "fail": "FAIL", "info": "--", "not run": "not run"}
CELL = 44


def _cell(result: Result) -> str:
    text = f"{MARK[result.status]} {result.summary}"
    return text if len(text) <= CELL else text[: CELL - 1] + "…"


def table(emails: Sequence[Email], results: Mapping[str, Mapping[str, Result]]) -> str:
    """The theme × check table, in Markdown (readable as it is in a terminal)."""
    columns = list(results)
    rows = [["theme/library", *columns]]
    for email in emails:
        rows.append([email.label, *(_cell(results[c][email.label]) for c in columns)])
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"
        for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def details(emails: Sequence[Email], results: Mapping[str, Mapping[str, Result]]) -> str:
    """What each missed target (and each tool that did not run) found, and the Nu errors.

    Emails with the same findings for a check are listed together.
    """
    out: list[str] = []
    for column, by_email in results.items():
        reasons = {r.summary for r in by_email.values() if r.status == "not run"}
        for reason in sorted(reasons):
            out.append(f"{column}: not run: {reason}")
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for email in emails:
            result = by_email[email.label]
            if result.status == "fail" or (column == "Nu validator" and result.details):
                lines = result.details
                if column == "Nu validator":  # each kind of error once
                    lines = tuple(sorted({line.split(": ", 1)[-1] for line in lines}))
                # the table gives each email's count: the same findings are listed once
                key = (result.status if column == "Nu validator" else result.summary, lines)
                groups.setdefault(key, []).append(email.label)
        for (summary, lines), labels in groups.items():
            if column == "Nu validator":
                summary = "missed" if summary == "fail" else "only email idioms"
            out.append(f"{column}, {', '.join(labels)}: {summary}")
            out.extend(f"    {line}" for line in lines[:40])
            if len(lines) > 40:
                out.append(f"    … and {len(lines) - 40} more")
    return "\n".join(out)


def missed(results: Mapping[str, Mapping[str, Result]]) -> int:
    """How many (check, email) targets were missed."""
    return sum(r.status == "fail" for by_email in results.values() for r in by_email.values())
