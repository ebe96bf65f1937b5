"""Where a story's title sits relative to its date line: the layouts of a news listing.

- ``title-date``: category line (optional), title, date line, text;
- ``date-title``: category line (optional), date line, title, text;
- ``date-in-title-line``: the date line holds the title too (``05.11.2018 Title``);
- ``title-teaser-date``: title, teaser, then the date line (and its stamp).

A line that stands where a date would but cannot be read ("2 days ago", see
:attr:`Lines.vague`) ends the story before it in ``title-teaser-date``: the next
story's title comes after it.

Every layout places a title for each date line; a paste is read with the layout
whose titles look most like titles (:func:`choose_layout`), unless the user
forces one.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import Counter
from collections.abc import Sequence

from composer.library.dates import looks_like_date
from composer.library.importers.listing_lines import DateLine, is_read_more
from composer.library.item import MAX_CATEGORY, MAX_TITLE

LAYOUTS = ("title-date", "date-title", "date-in-title-line", "title-teaser-date")
#: Roles of the lines of a listing (see :class:`Lines`).
BLANK, SKIP, URL, LABEL, DATE, TEXT = "blank", "skip", "url", "label", "date", "text"
_TITLE_LIKE_CHARS = 200
_PARAGRAPH_CHARS = 120
_PARAGRAPH_MIN_WORDS = 3
_STOPS = (".", "!", "?", "…", "。", "؟", "!", "?")
_TITLE_MIN_WORDS = 2
_TITLE_MAX_WORDS = 16
_CATEGORY_MAX_CHARS = 50
_CATEGORY_MAX_WORDS = 6


def looks_like_category(line: str) -> bool:
    """True for a short label such as "Project News": a few words, no final period, not a date."""
    if not line or len(line) > min(_CATEGORY_MAX_CHARS, MAX_CATEGORY):
        return False
    if len(line.split()) > _CATEGORY_MAX_WORDS or line[-1] in ".!?:;,":
        return False
    if not (line[0].isalpha() or line[0].isdigit()):
        return False
    if is_read_more(line) or "://" in line:
        return False
    return not looks_like_date(line)


@dataclasses.dataclass(frozen=True)
class Lines:
    """A listing's cleaned lines, the role of each, and the date lines that anchor stories."""

    text: list[str]
    role: list[str]
    anchors: list[DateLine]
    #: Text lines that are dates we cannot read ("2 days ago", "3 mars"): line -> why.
    vague: dict[int, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where one story's parts are: its date line, title and category lines, first line."""

    anchor: DateLine
    title: int | None  # the title's line (the date line itself for "date-in-title-line")
    title_text: str
    category: int | None
    start: int
    problem: str = ""
    #: A line sits where the title goes but is too long for one: the layout fits the
    #: block, the block is rejected.
    too_long: bool = False


def _is_content(lines: Lines, index: int) -> bool:
    return lines.role[index] == TEXT


def reads_as_paragraph(line: str) -> bool:
    """True for a sentence of running text ("The park will open in the summer.")."""
    return len(line) > _PARAGRAPH_CHARS or (
        len(line.split()) >= _PARAGRAPH_MIN_WORDS and line.rstrip("\"'”’»)").endswith(_STOPS)
    )


def reads_as_title(line: str) -> bool:
    """True for a headline: a few words, no final period, not a date."""
    words = len(line.split())
    if not _TITLE_MIN_WORDS <= words <= _TITLE_MAX_WORDS or len(line) > _TITLE_LIKE_CHARS:
        return False
    if line[-1] in ".,;:…" or not (line[0].isalnum() or line[0] in "\"'“‘«¿¡"):
        return False
    return not is_read_more(line) and "://" not in line and not looks_like_date(line)


def _first_title(lines: Lines, region: list[int], default: int) -> int:
    """The first story's title: its block's first title-like line whose lines below read as
    paragraphs (a teaser of two paragraphs), else the line ``default`` points at.

    Lines above it (a page heading "Latest news") are not the story's.
    """
    for position in range(default):
        line = lines.text[region[position]]
        if reads_as_title(line) and all(
            reads_as_paragraph(lines.text[i]) for i in region[position + 1 :]
        ):
            return position
    return default


def _category_above(lines: Lines, index: int, floor: int) -> int | None:
    """The category line directly above line ``index`` (no blank between), if any."""
    above = index - 1
    if above > floor and _is_content(lines, above) and looks_like_category(lines.text[above]):
        return above
    return None


def _too_long(lines: Lines, anchor: DateLine, index: int, where: str) -> Placement:
    return Placement(
        anchor,
        None,
        "",
        None,
        anchor.index,
        f"date '{lines.text[anchor.index]}' has no title line {where} it (line "
        f"{index + 1} is a paragraph of {len(lines.text[index])} characters)",
        too_long=True,
    )


def _title_date(lines: Lines) -> list[Placement]:
    placements = []
    previous = -1
    for anchor in lines.anchors:
        title = next(
            (i for i in range(anchor.index - 1, previous, -1) if _is_content(lines, i)), None
        )
        if title is None:
            placements.append(
                Placement(
                    anchor,
                    None,
                    "",
                    None,
                    anchor.index,
                    f"date '{lines.text[anchor.index]}' has no title line above it",
                )
            )
        elif len(lines.text[title]) > MAX_TITLE:
            placements.append(_too_long(lines, anchor, title, "above"))
        else:
            category = _category_above(lines, title, previous)
            start = title if category is None else category
            placements.append(Placement(anchor, title, lines.text[title], category, start))
        previous = anchor.index
    return placements


def _date_title(lines: Lines) -> list[Placement]:
    placements = []
    indices = [anchor.index for anchor in lines.anchors]
    floor = -1
    for k, anchor in enumerate(lines.anchors):
        ceiling = indices[k + 1] if k + 1 < len(indices) else len(lines.text)
        category = _category_above(lines, anchor.index, floor)
        start = anchor.index if category is None else category
        title = next((i for i in range(anchor.index + 1, ceiling) if _is_content(lines, i)), None)
        if (
            title is not None
            and category is not None
            and k + 1 < len(indices)
            and _category_above(lines, indices[k + 1], anchor.index) == title
        ):
            title = None  # the only line below is the next story's category
        if title is None:
            problem = f"date '{lines.text[anchor.index]}' has no title line below it"
            placements.append(Placement(anchor, None, "", category, start, problem))
        elif len(lines.text[title]) > MAX_TITLE:
            placements.append(_too_long(lines, anchor, title, "below"))
        else:
            placements.append(Placement(anchor, title, lines.text[title], category, start))
            floor = title
            continue
        floor = anchor.index
    return placements


def _date_in_title_line(lines: Lines) -> list[Placement]:
    placements = []
    floor = -1
    for anchor in lines.anchors:
        category = _category_above(lines, anchor.index, floor)
        start = anchor.index if category is None else category
        if anchor.rest:
            placements.append(Placement(anchor, anchor.index, anchor.rest, category, start))
        else:
            problem = f"date line '{lines.text[anchor.index]}' holds no title"
            placements.append(Placement(anchor, None, "", category, start, problem))
        floor = anchor.index
    return placements


def _title_teaser_date(lines: Lines) -> list[Placement]:
    indices = [anchor.index for anchor in lines.anchors]
    regions: list[list[int]] = []
    previous = -1
    for index in indices:
        region = [i for i in range(previous + 1, index) if _is_content(lines, i)]
        vague = [position for position, i in enumerate(region) if i in lines.vague]
        if vague:  # "Title / teaser / 2 days ago": a story of its own ends there
            region = region[vague[-1] + 1 :]
        regions.append(region)
        previous = index
    sizes = [len(region) for region in regions[1:] if region]
    typical = max(1, round(statistics.median(sizes))) if sizes else 1
    placements = []
    for k, (anchor, region) in enumerate(zip(lines.anchors, regions, strict=True)):
        if not region:
            problem = f"date '{lines.text[anchor.index]}' has no title line above it"
            placements.append(Placement(anchor, None, "", None, anchor.index, problem))
            continue
        title = (
            region[0]
            if k > 0
            else region[_first_title(lines, region, max(0, len(region) - typical))]
        )
        if len(lines.text[title]) > MAX_TITLE:
            placements.append(_too_long(lines, anchor, title, "above"))
            continue
        placements.append(Placement(anchor, title, lines.text[title], None, title))
    return placements


_PLACERS = {
    "title-date": _title_date,
    "date-title": _date_title,
    "date-in-title-line": _date_in_title_line,
    "title-teaser-date": _title_teaser_date,
}


def place(lines: Lines, layout: str) -> list[Placement]:
    """Where each story's title is when ``lines`` are read in ``layout``."""
    return _PLACERS[layout](lines)


def available_layouts(lines: Lines) -> tuple[str, ...]:
    """The layouts that can read ``lines`` (a date line with a title beside it for one)."""
    if any(anchor.rest for anchor in lines.anchors):
        return LAYOUTS
    return tuple(layout for layout in LAYOUTS if layout != "date-in-title-line")


def _score(placements: Sequence[Placement]) -> float:
    """How many stories have a title that reads like one (a sentence counts half)."""
    titles = Counter(p.title_text for p in placements if p.title is not None)
    repeated = {
        text
        for text, count in titles.items()
        if count >= 3 and count * 10 >= len(placements) * 3 and len(placements) > 2
    }
    score = 0.0
    for placement in placements:
        text = placement.title_text
        if placement.too_long:
            score += 0.5
            continue
        if placement.title is None or not text or text in repeated:
            continue
        if len(text) > _TITLE_LIKE_CHARS or text.endswith(("[...]", "[…]", "…", "...")):
            continue
        # A sentence, or a single word such as an image's file name, is half a title.
        score += 0.5 if text.endswith(".") or " " not in text else 1.0
    return score


def _glued_above(lines: Lines) -> bool:
    """True when most date lines touch the line above them and not the one below."""
    above = below = 0
    for anchor in lines.anchors:
        index = anchor.index
        if index > 0 and lines.role[index - 1] != BLANK:
            above += 1
        if index + 1 < len(lines.role) and lines.role[index + 1] != BLANK:
            below += 1
    return above > below


def choose_layout(lines: Lines, layouts: Sequence[str]) -> tuple[str, list[Placement]]:
    """The layout that gives the most stories a real title, and its placements.

    Ties go to the layout listed first, except that "title-teaser-date" wins a tie
    against "date-title" when the date lines stick to the text above them.
    """
    order = list(layouts)
    if "title-teaser-date" in order and _glued_above(lines):
        order.remove("title-teaser-date")
        order.insert(order.index("date-title") if "date-title" in order else 0, "title-teaser-date")
    best: tuple[float, int] | None = None
    chosen = order[0]
    chosen_placements: list[Placement] = []
    for rank, layout in enumerate(order):
        placements = place(lines, layout)
        key = (_score(placements), -rank)
        if best is None or key > best:
            best, chosen, chosen_placements = key, layout, placements
    return chosen, chosen_placements
