"""Reading a news listing copied from an organisation's website as plain text.

One block per story, in one of the layouts of
:mod:`composer.library.importers.listing_layouts`, for example::

    Project News                       <- category line (optional)
    WELLSPRING Project: Scoping Visit  <- title line
                                       <- blank lines are optional
    31 January 2023                    <- date line: anchors the block

    From 7 to 12 November 2022, ...    <- paragraphs, up to the next block;
    From 7 to 12 November 2022, ...       a paragraph repeated verbatim is kept once

Date lines (:mod:`composer.library.importers.listing_lines`) anchor the blocks; the
layout that gives the most blocks a real title is used, unless one is forced; which
lines of a block are its story's text is
:mod:`composer.library.importers.listing_bodies`' to say.
The category is a category line, a "Content type: News" label or the label in
the date line (``November 7, 2016 | Office of the Mayor``), else the default.
"Read more" lines, carousel counters and other label lines are not text; a line
that is just an http(s) address becomes the item's url. Text after a story's
"Read more" line, and lines after the last story, are skipped with a warning
rather than folded into a story.

A second date line right after a story's date line that says the story was
updated ("Mis à jour le 5 mars 2024") is part of that story, not a story. Nothing
is folded into a story without a word: a line that stands where a date would but
is none we can read ("2 days ago", "3 mars") is a rejection naming it, and so is a
title line with its own paragraph after a blank line, in a paste whose stories
are one paragraph each, set apart by blank lines (a story whose date is missing).
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any

from composer.errors import SourceError, ValidationError
from composer.library.dates import slash_order
from composer.library.importers.base import (
    DATE_ORDERS,
    DEFAULT_CATEGORY,
    SUMMARY_CUT,
    ImportReport,
    ReportBuilder,
    fit_summary,
)
from composer.library.importers.listing_bodies import Body, BodyReader, Stray
from composer.library.importers.listing_hints import near_misses
from composer.library.importers.listing_layouts import (
    BLANK,
    DATE,
    LABEL,
    LAYOUTS,
    SKIP,
    TEXT,
    URL,
    Lines,
    Placement,
    available_layouts,
    choose_layout,
    looks_like_category,
    place,
)
from composer.library.importers.listing_lines import (
    CATEGORY_LABELS,
    KNOWN_LABELS,
    URL_LINE,
    DateLine,
    is_noise,
    is_read_more,
    label_of,
    read_date_line,
    read_vague_date_line,
)
from composer.library.item import MAX_CATEGORY
from composer.text import clean_line
from composer.urls import check_web_url

__all__ = ["EXPECTED_SHAPE", "LAYOUTS", "looks_like_category", "parse_listing"]

EXPECTED_SHAPE = (
    "a news listing has, for each story, a title line and a date line such as "
    "'31 January 2023', 'January 31, 2023', '2023-01-31' or 'Published: 31.01.2023' "
    "(before or after the title), then the story's paragraphs"
)

_REPEATED_LABEL = 3  # a "Label:" met this often in one paste is a label
_HEADING_STORIES = 3
_TABS = re.compile(r"[ ]*\t[\t ]*")
_VAGUE = {"relative": "a relative date", "no year": "it has no year"}
_SHOWN_CHARS = 60


def _line_breaks(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _clean(line: str) -> str:
    """One line, cleaned; tabs between cells of a copied table read as separators."""
    if "\t" in line:
        line = _TABS.sub(" | ", line.strip(" \t"))
    return clean_line(line)


def _shown(line: str) -> str:
    return line if len(line) <= _SHOWN_CHARS else line[: _SHOWN_CHARS - 1] + "…"


def _second_stamps(found: list[DateLine | None], clean: list[str]) -> set[int]:
    """ "Updated" date lines right after another date line (blank lines aside): part of
    that line's story, whose date is the first one."""
    stamps: set[int] = set()
    previous: DateLine | None = None
    for date, line in zip(found, clean, strict=True):
        if not line:
            continue
        if date is not None and date.updated and previous is not None:
            stamps.add(date.index)
        else:
            previous = date
    return stamps


def _read_lines(
    clean: list[str],
) -> tuple[list[str], list[DateLine | None], set[int], dict[int, str]]:
    """The role of each line, the date line each candidate is, the label lines and the
    vague date lines ("2 days ago")."""
    labels = Counter(label[0] for line in clean if line and (label := label_of(line)))
    # A label is repeated when most stories have it: a few titles may share a prefix
    # ("Daily digest: July 26"), a story's label recurs in every story.
    found = [read_date_line(i, line) if line else None for i, line in enumerate(clean)]
    stamps = _second_stamps(found, clean)
    stories = sum(1 for date in found if date is not None)
    needed = max(_REPEATED_LABEL, stories * 2 // 5)
    repeated = {label for label, count in labels.items() if count >= needed}
    role = [TEXT] * len(clean)
    dates: list[DateLine | None] = [None] * len(clean)
    category_labels: set[int] = set()
    vague: dict[int, str] = {}
    awaiting_value = False
    for index, line in enumerate(clean):
        if not line:
            role[index] = BLANK
            awaiting_value = False  # "Tags:" with nothing on the next line has no value
            continue
        if awaiting_value:
            awaiting_value = False
            role[index] = LABEL
            continue
        if URL_LINE.match(line):
            role[index] = URL
        elif is_read_more(line) or is_noise(line) or index in stamps:
            role[index] = SKIP
        elif (date := found[index]) is not None:
            dates[index] = date
        elif (label := label_of(line)) and (label[0] in KNOWN_LABELS or label[0] in repeated):
            role[index] = LABEL
            awaiting_value = not label[1]
            if label[0] in CATEGORY_LABELS and label[1]:
                category_labels.add(index)
        elif (why := read_vague_date_line(line)) is not None:
            vague[index] = why
    return role, dates, category_labels, vague


def _anchors(dates: list[DateLine | None]) -> list[DateLine]:
    """The date lines that anchor stories: the plain ones, plus the most common other kind.

    A title that holds a date ("Daily digest: July 28, 2016") is no date line in a
    listing whose date lines stand alone.
    """
    found = [date for date in dates if date is not None]
    groups = {
        "strong": [d for d in found if d.strong],
        "lead": [d for d in found if d.kind == "lead"],
        "weak": [d for d in found if d.kind in ("trail", "inner")],
    }
    best = max(groups, key=lambda name: len(groups[name]))  # ties: the first listed
    if best == "strong":
        return groups["strong"]
    return sorted(groups["strong"] + groups[best], key=lambda d: d.index)


def _check_layout(layout: str | None) -> str | None:
    if layout is None:
        return None
    name = layout.strip().lower()
    if name not in LAYOUTS:
        raise ValidationError(
            "layout", f"'{layout}' is not a layout; use one of {', '.join(LAYOUTS)}"
        )
    return name


def parse_listing(
    text: str,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
    layout: str | None = None,
    date_order: str | None = None,
) -> ImportReport:
    """Read the stories of a pasted news listing.

    ``source`` names the listing in messages; ``item_source`` is what each item's
    ``source`` field gets (defaults to ``source``); ``layout`` (one of
    :data:`LAYOUTS`) forces where titles are read; ``date_order`` ("dmy" or "mdy")
    reads slash dates that the text itself leaves ambiguous. Raises
    :class:`SourceError` when the text has no date lines at all, naming the lines
    that nearly were.
    """
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ValidationError(
            "date order", f"'{date_order}' is not one of {', '.join(DATE_ORDERS)}"
        )
    forced = _check_layout(layout)
    builder = ReportBuilder(
        source, "listing", item_source=item_source or source, default_category=default_category
    )
    clean = [_clean(line) for line in _line_breaks(text.removeprefix("\ufeff"))]
    if not any(clean):
        raise SourceError(source, f"is empty; {EXPECTED_SHAPE}")
    role, dates, category_labels, vague = _read_lines(clean)
    anchors = _anchors(dates)
    if not anchors:
        hints = near_misses(clean)
        hint = f" ({'; '.join(hints)})" if hints else ""
        raise SourceError(
            source, f"has no date lines, so no stories were found{hint}; {EXPECTED_SHAPE}"
        )
    for anchor in anchors:
        role[anchor.index] = DATE
    dated = {d.index for d in dates if d is not None and role[d.index] == TEXT}
    lines = Lines(clean, role, anchors, vague)

    offered = available_layouts(lines)
    if forced is not None:
        chosen, placements = forced, place(lines, forced)
    else:
        chosen, placements = choose_layout(lines, offered)
    report = builder.report
    report.layout = chosen
    report.layouts = (chosen, *(name for name in offered if name != chosen))

    order = date_order or slash_order(anchor.found for anchor in anchors)
    if any(anchor.found.is_slash for anchor in anchors):
        report.date_order = order
        report.date_order_needed = order is None
    reader = _BlockReader(builder, lines, dated, category_labels, chosen, order)
    reader.read(placements)
    return report


class _BlockReader:
    """Turns placed blocks into items, rejections and warnings."""

    def __init__(
        self,
        builder: ReportBuilder,
        lines: Lines,
        dated: set[int],
        category_labels: set[int],
        layout: str,
        order: str | None,
    ) -> None:
        self.builder = builder
        self.lines = lines
        self.dated = dated
        self.category_labels = category_labels
        self.layout = layout
        self.order = order
        self.bodies = BodyReader(lines, layout)

    def read(self, placements: list[Placement]) -> None:
        first = placements[0]
        if (
            len(placements) >= _HEADING_STORIES
            and first.category is not None
            and all(p.category is None for p in placements[1:])
        ):
            # Only the first story has a category line: it is the page's heading ("News").
            start = min(i for i in (first.anchor.index, first.title) if i is not None)
            placements = [dataclasses.replace(first, category=None, start=start), *placements[1:]]
        starts = [p.start for p in placements]
        for k in range(1, len(starts)):  # a block never starts inside the one before
            starts[k] = max(starts[k], placements[k - 1].anchor.index + 1)
        self._read_before([i for i, line in enumerate(self.lines.text) if line and i < starts[0]])
        reader = self.bodies
        reader.type_lines = reader.find_type_lines(placements)
        ends = [*starts[1:], len(self.lines.text)]
        bodies = [reader.body(p, s, e) for p, s, e in zip(placements, starts, ends, strict=True)]
        self._warn_skipped(reader.cap_last(bodies), "after the last story")
        shaped = reader.one_paragraph_stories(placements, starts, bodies)
        for placement, body in zip(placements, bodies, strict=True):
            strays = reader.split_strays(placement, body, shaped)
            self._read_block(placement, body)
            for stray in strays:
                self._reject_stray(placement, stray)

    def _read_before(self, skipped: list[int]) -> None:
        """Lines before the first story: skipped with a warning, a vague date line rejected."""
        named: set[int] = set()
        before = set(skipped)
        for index in skipped:
            if index in self.lines.vague:
                title = index - 1 if index - 1 in before and index - 1 not in named else None
                named.update((index, -1 if title is None else title))
                following = index + 1
                while following in before:  # its paragraph goes with it
                    named.add(following)
                    following += 1
                self._reject_vague(index, None if title is None else self.lines.text[title])
        self._warn_skipped([i for i in skipped if i not in named])

    def _reject_vague(self, index: int, title: str | None) -> None:
        why = _VAGUE.get(self.lines.vague[index], "")
        story = f" of the story '{_shown(title)}'" if title else ""
        self.builder.reject(
            f"line {index + 1}",
            f"'{_shown(self.lines.text[index])}' is not a date we can read: give the full "
            f"date{story} ({why})",
        )

    def _reject_stray(self, placement: Placement, stray: Stray) -> None:
        if stray.vague is not None:
            above = [i for i in stray.lines if i < stray.vague]
            below = [i for i in stray.lines if i > stray.vague]
            title = above[0] if above else (below[0] if below else None)
            self._reject_vague(stray.vague, None if title is None else self.lines.text[title])
            return
        title = stray.lines[0]
        self.builder.reject(
            f"line {title + 1}",
            f"'{_shown(self.lines.text[title])}' has no date (it reads as a story of its "
            f"own, a title line and its paragraph after the story "
            f"'{_shown(placement.title_text or self.lines.text[placement.anchor.index])}' "
            f"of line {placement.anchor.index + 1}); give it a date line to import it",
        )

    def _warn_skipped(self, skipped: list[int], where: str = "before the first story") -> None:
        if not skipped:
            return
        if len(skipped) == 1:
            self.builder.warn(f"line {skipped[0] + 1} {where} was skipped")
        else:
            self.builder.warn(f"lines {skipped[0] + 1}-{skipped[-1] + 1} {where} were skipped")

    def _category(self, placement: Placement, body: Body) -> tuple[str | None, int | None]:
        """The category line, else a category label, else the label in the date line."""
        anchor = placement.anchor
        if anchor.kind == "stamp" and (named := self._named_by_date_line(placement)):
            return named, anchor.index
        if placement.category is not None:
            return self.lines.text[placement.category], placement.category
        for index in body.labels:
            if index in self.category_labels:
                value = self.lines.text[index].split(":", 1)[-1].split("：", 1)[-1].strip()
                if value and len(value) <= MAX_CATEGORY:
                    return value, index
        if anchor.index + 1 in self.bodies.type_lines:
            return self.lines.text[anchor.index + 1], anchor.index + 1
        if anchor.kind in ("lead", "trail") and (named := self._named_by_date_line(placement)):
            return named, anchor.index
        return None, None

    def _named_by_date_line(self, placement: Placement) -> str | None:
        """The category a date line names ("May 5, 2016 | Office of the Mayor"), if any.

        Of the short parts beside the date, the nearest one before it wins, else the
        first after it; of a list ("Office A, Office B") the first.
        """
        anchor = placement.anchor
        if placement.title == anchor.index and anchor.kind != "stamp":
            return None  # "05.11.2018 Title": what follows the date is the title
        before = anchor.line[: anchor.found.start]
        parts = sorted(anchor.meta, key=lambda part: (part not in before, -before.rfind(part)))
        for part in parts:
            if part == placement.title_text:
                continue
            first = part.split(",")[0].strip()
            if first[:1].isdigit():  # "3 comments", "2 photos": a count, not a category
                continue
            if looks_like_category(first) and first != placement.title_text:
                return first
        return None

    def _read_block(self, placement: Placement, body: Body) -> None:
        anchor = placement.anchor
        at_date = f"line {anchor.index + 1}"
        if placement.title is None:
            self.builder.reject(at_date, placement.problem)
            self._warn_after(placement, body)
            return
        found = anchor.found
        date = found.date(self.order)
        if date is None:
            if found.is_slash and self.order is None:
                reason = (
                    f"date '{found.text}' could be day/month or month/day, and no date in "
                    "this listing shows which (a day over 12); give the date order with "
                    "--date-order dmy|mdy, or choose the date order in the import preview"
                )
            else:
                reason = f"date '{found.text}' is not a real date"
            self.builder.reject(at_date, reason)
            self._warn_after(placement, body)
            return

        url: str | None = None
        url_index: int | None = None
        if body.url is not None:
            link = URL_LINE.match(self.lines.text[body.url])
            try:
                url = check_web_url(link[1] if link else self.lines.text[body.url])
                url_index = body.url
            except ValidationError as error:
                self.builder.warn(f"line {body.url + 1}: link dropped: {error}")
        summary = self._summary(body, at_date)
        category, category_index = self._category(placement, body)
        fields: dict[str, Any] = {
            "title": placement.title_text,
            "date": date.isoformat(),
            "category": category,
            "summary": summary,
            "url": url,
        }
        self._warn_second_labels(placement, body)
        for index in body.lines:
            if index in self.dated:
                self.builder.warn(
                    f"line {index + 1}: '{self.lines.text[index]}' holds a date but was read "
                    f"as text of the story '{placement.title_text}' ({at_date})"
                )

        def at(index: int | None) -> str:
            return f"line {(anchor.index if index is None else index) + 1}"

        self.builder.add(
            fields,
            at_date,
            {
                "title": at(placement.title),
                "category": at(placement.title if category_index is None else category_index),
                "url": at(url_index),
            },
        )
        self._warn_after(placement, body)

    def _warn_second_labels(self, placement: Placement, body: Body) -> None:
        """A label met twice in one story's text: another story (its date line unread) is in it."""
        seen: set[str] = set()
        for index in body.labels:
            label = label_of(self.lines.text[index])
            if label is None or not label[1]:
                continue
            if label[0] in seen:
                self.builder.warn(
                    f"line {index + 1}: the story '{placement.title_text}' (line "
                    f"{placement.anchor.index + 1}) has a second '{self.lines.text[index]}'; "
                    "a story whose date line was not read may be folded into it"
                )
                return
            seen.add(label[0])

    def _warn_after(self, placement: Placement, body: Body) -> None:
        if body.after:
            title = placement.title_text or self.lines.text[placement.anchor.index]
            self._warn_skipped(
                body.after,
                f"after the 'Read more' line of '{title}' (line {placement.anchor.index + 1})",
            )

    def _summary(self, body: Body, at_date: str) -> str:
        paragraphs: list[str] = []
        seen: set[str] = set()
        current: list[str] = []

        def close_paragraph() -> None:
            if current:
                paragraph = clean_line(" ".join(current))
                current.clear()
                if paragraph and paragraph not in seen:
                    seen.add(paragraph)
                    paragraphs.append(paragraph)

        for index in body.lines:
            if index < 0:
                close_paragraph()
                continue
            current.append(self.lines.text[index])
            if not self.bodies.has_blank_lines:
                close_paragraph()
        close_paragraph()
        summary, cut = fit_summary("\n\n".join(paragraphs))
        if cut:
            self.builder.warn(f"{at_date}: {SUMMARY_CUT}")
        return summary
