"""A story's own text in a pasted news listing, block by block.

Of the lines between one story's start and the next one's, :class:`BodyReader` says
which are the story's paragraphs, its link line and its labels (a :class:`Body`), which
come after its "Read more" line, which are page furniture (a short line met in many
stories), and which are a story of its own that has no date line we can read (a
:class:`Stray`: a title over a vague date line, or a title and its paragraph in a paste
of one-paragraph stories). :mod:`composer.library.importers.listing` turns them into
items, rejections and warnings.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from composer.library.importers.listing_layouts import (
    BLANK,
    LABEL,
    SKIP,
    TEXT,
    URL,
    Lines,
    Placement,
    looks_like_category,
    reads_as_paragraph,
    reads_as_title,
)
from composer.library.importers.listing_lines import is_read_more

_FURNITURE = 3  # a short line met this often is page furniture (a section heading)
_FURNITURE_CHARS = 80
_TYPE_MAX_WORDS = 4


@dataclasses.dataclass
class Body:
    """The lines of one story's text, the link line, and lines that follow its "Read more"."""

    lines: list[int] = dataclasses.field(default_factory=list)
    url: int | None = None
    after: list[int] = dataclasses.field(default_factory=list)
    labels: list[int] = dataclasses.field(default_factory=list)

    def paragraphs(self) -> int:
        """How many paragraphs the story's text has."""
        return sum(
            1 for k, i in enumerate(self.lines) if i >= 0 and (k == 0 or self.lines[k - 1] < 0)
        )


@dataclasses.dataclass(frozen=True)
class Stray:
    """A story of its own found in another story's text: its lines, and its vague date line."""

    lines: list[int]
    vague: int | None


class BodyReader:
    """Which lines of each placed block of ``lines`` are the story's own (see the module)."""

    def __init__(self, lines: Lines, layout: str) -> None:
        self.lines = lines
        self.layout = layout
        text = lines.text
        counts = Counter(text[i] for i, r in enumerate(lines.role) if r == TEXT)
        self.furniture = {
            line for line, n in counts.items() if n >= _FURNITURE and len(line) <= _FURNITURE_CHARS
        }
        filled = [i for i, line in enumerate(text) if line]
        self.has_blank_lines = len(filled) < filled[-1] - filled[0] + 1
        #: Short type lines ("Press Release") right below most stories' date lines.
        self.type_lines: set[int] = set()

    def find_type_lines(self, placements: list[Placement]) -> set[int]:
        """Short type lines ("Press Release") right below the date line in most stories.

        Only where the title is above the date: below it, such a line is the title.
        """
        if self.layout not in ("title-date", "title-teaser-date"):
            return set()
        below = set()
        for placement in placements:
            index = placement.anchor.index + 1
            if index < len(self.lines.text) and self.lines.role[index] == TEXT:
                line = self.lines.text[index]
                if looks_like_category(line) and len(line.split()) <= _TYPE_MAX_WORDS:
                    below.add(index)
        return below if len(below) >= max(2, len(placements) / 2) else set()

    def undated_start(self, entries: list[int], position: int) -> bool:
        """True when ``entries[position]`` begins a story of its own with no date line: a
        title-like line after a paragraph break, followed by its own paragraph."""
        text = self.lines.text
        if position == 0 or entries[position - 1] >= 0 or position + 1 >= len(entries):
            return False
        following = entries[position + 1]
        return (
            following >= 0
            and following not in self.lines.vague
            and reads_as_title(text[entries[position]])
            and reads_as_paragraph(text[following])
        )

    def one_paragraph_stories(
        self, placements: list[Placement], starts: list[int], bodies: list[Body]
    ) -> bool:
        """True when the stories are one paragraph each and set apart by blank lines, so
        that a title line and a paragraph after a blank line are a story of their own."""
        if self.layout == "title-teaser-date" or not self.has_blank_lines or len(bodies) < 2:
            return False
        role = self.lines.role
        apart = sum(1 for start in starts if start == 0 or role[start - 1] == BLANK)
        if apart * 2 < len(starts):
            return False
        plain = [
            body.paragraphs()
            for body in bodies
            if not any(self.undated_start(body.lines, k) for k in range(len(body.lines)))
        ]
        return bool(plain) and sorted(plain)[len(plain) // 2] <= 1

    def split_strays(self, placement: Placement, body: Body, shaped: bool) -> list[Stray]:
        """Take the stories of their own out of ``body``: after a vague date line's title
        ("Title / 2 days ago"), or an undated title and paragraph (when ``shaped``)."""
        entries = body.lines
        anchor = placement.anchor.index
        cuts: list[tuple[int, int | None]] = []
        stamps: set[int] = set()
        floor = 0
        for position, index in enumerate(entries):
            if index < 0:
                continue
            if index in self.lines.vague:
                if index > anchor and all(
                    self.lines.role[i] != TEXT for i in range(anchor + 1, index)
                ):
                    stamps.add(index)  # "12 March 2024 / Updated 2 days ago": its own stamp
                    continue
                start = position
                if self.layout in ("title-date", "title-teaser-date"):
                    while start > floor and entries[start - 1] > anchor:  # its title is above it
                        start -= 1
                        if self.layout == "title-date":
                            break
                if cuts and cuts[-1][0] == start:
                    cuts.pop()
                cuts.append((start, position))
                floor = position + 1
            elif shaped and self.undated_start(entries, position):
                cuts.append((position, None))
                floor = position + 1
        own = cuts[0][0] if cuts else len(entries)
        body.lines = [i for i in entries[:own] if i not in stamps]
        if not cuts:
            return []
        strays = []
        bounds = [*(start for start, _ in cuts), len(entries)]
        for (start, vague), end in zip(cuts, bounds[1:], strict=True):
            lines = [i for i in entries[start:end] if i >= 0]
            strays.append(Stray(lines, None if vague is None else entries[vague]))
        first = entries[own]
        while body.lines and body.lines[-1] < 0:
            body.lines.pop()
        if body.url is not None and body.url > first:
            body.url = None
        body.labels = [i for i in body.labels if i < first]
        return strays

    def body(self, placement: Placement, start: int, end: int) -> Body:
        """The story's own lines from ``start`` to ``end`` (its date, title and category
        lines aside), with -1 for each paragraph break."""
        body = Body()
        own = {placement.anchor.index, placement.title, placement.category}
        own.add(
            placement.anchor.index + 1 if placement.anchor.index + 1 in self.type_lines else None
        )
        closed_after = max(placement.anchor.index, placement.title or 0)
        closed = False
        role = self.lines.role
        for index in range(start, end):
            if index in own:
                continue
            kind = role[index]
            line = self.lines.text[index]
            if kind == URL and body.url is None:
                body.url = index
            elif kind == SKIP:
                if index > closed_after and is_read_more(line):
                    closed = True
            elif kind == LABEL:
                body.labels.append(index)
            elif kind in (TEXT, URL) and line not in self.furniture:
                if closed:
                    body.after.append(index)
                else:
                    body.lines.append(index)
            elif kind == BLANK and body.lines and body.lines[-1] != -1:
                body.lines.append(-1)  # a paragraph break
        return body

    def cap_last(self, bodies: list[Body]) -> list[int]:
        """Lines after the last story (a page footer, a menu) are not its text: they are
        taken out of it, and returned to be named in a warning."""
        if len(bodies) < 2:
            return []
        sizes = [sum(1 for i in body.lines if i >= 0) for body in bodies[:-1]]
        limit = max(3, 2 * max(sizes))
        last = bodies[-1]
        kept = [i for i in last.lines if i >= 0]
        if len(kept) <= limit:
            return []
        cut = kept[limit]
        last.lines = [i for i in last.lines if i < cut]
        last.after = []
        return [i for i in range(cut, len(self.lines.text)) if self.lines.text[i]]
