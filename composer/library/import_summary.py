"""An import's summary, line by line: what each source gave, and what went wrong.

The command line and the window both summarise an import with :func:`summary_lines`,
so they say the same things in the same order:

- for each source, ``"N new, M already in the library, K rejected"`` (and how it was
  read, when the reading had a choice: a listing's layout, a spreadsheet's date order,
  the address a page's links were resolved against), then its notes, its warnings and
  its rejected entries;
- the stories already in the library that the import mended (a link, an image or a
  summary they lacked);
- the sources that could not be read at all.

Each :class:`SummaryLine` says what kind of line it is; :meth:`SummaryLine.plain` is the
line as a terminal prints it. The window marks the kinds with symbols and writes them as
HTML (that rendering stays in ``ui/``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the importers load when an import starts, not with this module
    from composer.library.import_adding import ImportAdded
    from composer.library.importers.base import ImportReport

LineKind = Literal["source", "note", "warning", "rejected", "more", "mended", "failure"]

#: The lines shown under their source's line, with the word a terminal marks them with.
SOURCE_DETAILS: dict[LineKind, str] = {
    "note": "note: ",
    "warning": "warning: ",
    "rejected": "rejected ",
    "more": "",
}


@dataclasses.dataclass(frozen=True)
class SummaryLine:
    """One line of an import's summary.

    ``source`` and ``report`` (the report's position in the import) are set on the
    lines of one source: its own line and the details under it.
    """

    kind: LineKind
    text: str
    source: str = ""
    report: int = -1

    @property
    def detail(self) -> bool:
        """A note, warning, rejection or "… and N more" line, under its source's line."""
        return self.kind in SOURCE_DETAILS

    def plain(self) -> str:
        """The line as a terminal prints it (details indented under their source)."""
        if self.kind == "source":
            return f"{self.source}: {self.text}"
        if self.detail:
            return f"  {SOURCE_DETAILS[self.kind]}{self.text}"
        return self.text


def how_read(report: ImportReport) -> str:
    """ " (layout x; dates day/month/year)": what the reading decided, when it had a choice."""
    parts: list[str] = []
    if report.layout:
        parts.append(f"layout {report.layout}")
    if report.date_order:
        parts.append("dates day/month/year" if report.date_order == "dmy" else "dates month/day")
    if report.base_url and report.format in ("html", "article"):
        parts.append(f"links resolved against {report.base_url}")
    return f" ({'; '.join(parts)})" if parts else ""


def _capped(
    kind: LineKind, texts: Sequence[str], most: int | None, source: str, index: int
) -> list[SummaryLine]:
    """One line per text, at most ``most`` of them and then "… and N more"."""
    shown = texts if most is None else texts[:most]
    lines = [SummaryLine(kind, text, source, index) for text in shown]
    if len(texts) > len(shown):
        more = len(texts) - len(shown)
        what = "rejected" if kind == "rejected" else f"{kind}{'s' if more != 1 else ''}"
        lines.append(SummaryLine("more", f"… and {more} more {what}", source, index))
    return lines


def summary_lines(
    reports: Sequence[ImportReport],
    outcome: ImportAdded,
    failures: Sequence[str] = (),
    *,
    max_warnings: int | None = None,
    max_rejected: int | None = None,
) -> list[SummaryLine]:
    """The summary of an import: each source's lines, the mended stories, the failures.

    ``outcome`` is what the import added and mended (for a dry run, what it would add);
    ``failures`` are the messages of the sources that could not be read. A message box
    caps each source's warnings and rejections (``max_warnings``, ``max_rejected``); a
    terminal shows them all.
    """
    lines: list[SummaryLine] = []
    for index, report in enumerate(reports):
        name = report.source
        counts = report.summary(outcome.added) + how_read(report)
        lines.append(SummaryLine("source", counts, name, index))
        lines.extend(SummaryLine("note", note, name, index) for note in report.notes)
        lines.extend(_capped("warning", report.warnings, max_warnings, name, index))
        rejected = [str(rejection) for rejection in report.rejected]
        lines.extend(_capped("rejected", rejected, max_rejected, name, index))
    if mended := outcome.mended_line():
        lines.append(SummaryLine("mended", mended))
    lines.extend(SummaryLine("failure", failure) for failure in failures)
    return lines
