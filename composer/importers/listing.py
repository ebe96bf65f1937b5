"""Reading a news listing copied from an organisation's website as plain text.

The shape, one block per story::

    Project News                      <- category line (optional)
    SCOP Project: Assessment Mission  <- title line
                                      <- blank lines are optional
    31 January 2023                   <- date line: anchors the block

    During the week of ...            <- paragraphs, up to the next block;
    During the week of ...               a paragraph repeated verbatim is kept once

Date lines (:func:`composer.dates.looks_like_date`) anchor the blocks. The title is
the last non-blank line before the date; the category is the line directly above
the title when it is non-blank and reads like a category (short, a few words, no
final period), else the block gets the default category. "Read more" lines are
dropped; a line that is just an http(s) address becomes the item's url.
"""

from __future__ import annotations

import re
from typing import Any

from composer.dates import looks_like_date
from composer.errors import SourceError, ValidationError
from composer.importers.base import (
    DEFAULT_CATEGORY,
    SUMMARY_CUT,
    ImportReport,
    ReportBuilder,
    fit_summary,
)
from composer.item import MAX_CATEGORY, MAX_TITLE
from composer.text import clean_line
from composer.urls import check_web_url

EXPECTED_SHAPE = (
    "a news listing has, for each story, an optional category line, a title line and a "
    "date line such as '31 January 2023', 'January 31, 2023' or '2023-01-31', followed by "
    "the story's paragraphs"
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_READ_MORE_WORDS = (
    r"read more|read the full (?:story|article)|read full (?:story|article)|continue reading"
    r"|learn more|find out more|more|lire la suite|en savoir plus|weiterlesen|mehr lesen"
    r"|mehr erfahren|leer más|seguir leyendo|leggi di più|leggi tutto|lees meer|saiba mais"
    r"|czytaj więcej|devamını oku|подробнее|читать далее|читати далі|докладніше"
    r"|اقرأ المزيد|المزيد|阅读更多|了解更多|查看更多|閱讀更多"
)
_READ_MORE = re.compile(rf"^(?:{_READ_MORE_WORDS})[\W_]*$", re.IGNORECASE)
_URL_LINE = re.compile(rf"^(?:(?:{_READ_MORE_WORDS})[\W_]*)?(https?://\S+)$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
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
    if _READ_MORE.match(line) or _URL_LINE.match(line):
        return False
    return not looks_like_date(line)


def _is_date_line(line: str) -> bool:
    return 0 < len(line) <= 40 and _DIGIT.search(line) is not None and looks_like_date(line)


def _is_link_text(line: str) -> bool:
    """A "Read more" line or a bare address: never a title, never body text."""
    return _READ_MORE.match(line) is not None or _URL_LINE.match(line) is not None


def parse_listing(
    text: str,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
    layout: str | None = None,
) -> ImportReport:
    """Read the stories of a pasted news listing.

    ``source`` names the listing in messages; ``item_source`` is what each item's
    ``source`` field gets (defaults to ``source``). Raises :class:`SourceError` when
    the text has no date lines at all.
    """
    builder = ReportBuilder(
        source, "listing", item_source=item_source or source, default_category=default_category
    )
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    clean = [clean_line(line) for line in lines]
    if not any(clean):
        raise SourceError(source, f"is empty; {EXPECTED_SHAPE}")
    dates = [index for index, line in enumerate(clean) if _is_date_line(line)]
    if not dates:
        raise SourceError(source, f"has no date lines, so no stories were found; {EXPECTED_SHAPE}")

    filled = [index for index, line in enumerate(clean) if line]
    has_blank_lines = len(filled) < filled[-1] - filled[0] + 1

    # First pass: the title and category line of each block, and where each block starts.
    blocks: list[tuple[int, int | None, int | None, str]] = []  # date, title, category, problem
    starts: list[int] = []
    previous = -1
    for date_index in dates:
        title_index = None
        for index in range(date_index - 1, previous, -1):
            if clean[index] and not _is_link_text(clean[index]):
                title_index = index
                break
        category_index = None
        problem = ""
        if title_index is None:
            problem = f"date '{clean[date_index]}' has no title line above it"
        elif len(clean[title_index]) > MAX_TITLE:
            problem = (
                f"date '{clean[date_index]}' has no title line above it (line "
                f"{title_index + 1} is a paragraph of {len(clean[title_index])} characters)"
            )
            title_index = None  # the paragraph stays with the story before
        elif title_index - 1 > previous and looks_like_category(clean[title_index - 1]):
            category_index = title_index - 1
        blocks.append((date_index, title_index, category_index, problem))
        if title_index is None:
            starts.append(date_index)
        else:
            starts.append(title_index if category_index is None else category_index)
        previous = date_index

    preamble = [index for index in filled if index < starts[0]]
    if preamble:
        builder.warn(
            f"lines {preamble[0] + 1}-{preamble[-1] + 1} before the first story were skipped"
            if len(preamble) > 1
            else f"line {preamble[0] + 1} before the first story was skipped"
        )

    ends = [*starts[1:], len(lines)]
    for (date_index, title_index, category_index, problem), end in zip(blocks, ends, strict=True):
        if title_index is None:
            builder.reject(f"line {date_index + 1}", problem)
            continue
        _read_block(builder, clean, date_index, title_index, category_index, end, has_blank_lines)
    return builder.report


def _read_block(
    builder: ReportBuilder,
    clean: list[str],
    date_index: int,
    title_index: int,
    category_index: int | None,
    end: int,
    has_blank_lines: bool,
) -> None:
    url: str | None = None
    url_index: int | None = None
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

    for index in range(date_index + 1, end):
        line = clean[index]
        if not line:
            close_paragraph()
            continue
        if _READ_MORE.match(line):
            close_paragraph()
            continue
        if link := _URL_LINE.match(line):
            close_paragraph()
            if url is None:
                try:
                    url = check_web_url(link[1])
                    url_index = index
                except ValidationError as error:
                    builder.warn(f"line {index + 1}: link dropped: {error}")
                continue
        current.append(line)
        if not has_blank_lines:
            close_paragraph()
    close_paragraph()

    summary, cut = fit_summary("\n\n".join(paragraphs))
    if cut:
        builder.warn(f"line {date_index + 1}: {SUMMARY_CUT}")
    fields: dict[str, Any] = {
        "title": clean[title_index],
        "date": clean[date_index],
        "category": clean[category_index] if category_index is not None else None,
        "summary": summary,
        "url": url,
    }

    def at(index: int | None) -> str:
        return f"line {(date_index if index is None else index) + 1}"

    builder.add(
        fields,
        at(date_index),
        {
            "title": at(title_index),
            "category": at(title_index if category_index is None else category_index),
            "url": at(url_index),
        },
    )
