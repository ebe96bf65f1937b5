"""What every importer returns, and the helpers they share to build it.

:class:`ImportReport` holds the items an importer read and, for the rest, why not
(:class:`Rejection`). :class:`ReportBuilder` validates entries into items and drops
a story met twice in one source; :func:`read_source_file` and :func:`decode_text`
turn a file into text, refusing what is too large or is not text at all.
"""

from __future__ import annotations

import dataclasses
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from composer.errors import SourceError, ValidationError
from composer.library.import_formats import DEFAULT_CATEGORY as DEFAULT_CATEGORY  # re-exported
from composer.library.item import MAX_SUMMARY, NewsItem, make_item
from composer.repository import AddResult
from composer.text import clean_paragraphs

#: Default category for entries that name none, unless the user names another.
#: Largest source an importer reads, file or download.
MAX_SOURCE_BYTES = 20 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Rejection:
    """One entry of a source that was not imported: where it is and what is wrong."""

    location: str  # "line 12", "row 5", "entry 3", or "rows 4, 9, 17 and 11 more"
    reason: str
    #: How many entries this rejection stands for: one line may report a whole column of
    #: rows rejected for the same cause ("rows 4, 9, 17 and 11 more").
    count: int = 1

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclasses.dataclass(frozen=True)
class ColumnUse:
    """How one column of a CSV header was read: the item field it fills, or None (ignored)."""

    position: int
    header: str
    field: str | None


#: The orders a slash date (``03/04/2023``) can be read in.
DATE_ORDERS = ("dmy", "mdy")


@dataclasses.dataclass(frozen=True)
class ReadOptions:
    """How to read a source, beyond its bytes: what the user chose in the preview or CLI.

    ``column_map`` maps a CSV header (as written, compared ignoring case and spacing) to
    an item field, or to ``""`` to ignore that column; it wins over the header aliases.
    ``date_order`` ("dmy" or "mdy") reads ambiguous slash dates; ``layout`` forces a
    plain-text listing layout (one of :attr:`ImportReport.layouts`) instead of the one
    that explains the most blocks; ``base_url`` resolves relative links and images of
    an HTML page (it wins over the page's own ``<base>`` and canonical url);
    ``page_url`` is where pasted HTML was copied from (the browser names it), used
    after the page's own ``<base>`` and canonical url.
    """

    default_category: str = DEFAULT_CATEGORY
    base_url: str | None = None
    column_map: Mapping[str, str] = dataclasses.field(default_factory=dict)
    date_order: str | None = None
    layout: str | None = None
    page_url: str | None = None


@dataclasses.dataclass
class ImportReport:
    """The outcome of reading one source (nothing is written to the library yet)."""

    source: str
    format: str
    items: list[NewsItem] = dataclasses.field(default_factory=list)
    rejected: list[Rejection] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)
    #: Information that is no fault: "the page advertises a feed, https://…/feed".
    notes: list[str] = dataclasses.field(default_factory=list)
    #: HTML: the feeds the page advertises (``<link rel="alternate">``), first the one its
    #: note names: what the import preview offers to read instead of the page.
    feeds: list[str] = dataclasses.field(default_factory=list)
    #: Plain-text listings: the layout used, and the layouts the user may switch to.
    layout: str = ""
    layouts: tuple[str, ...] = ()
    #: CSV: how each header column was read (the mapping step shows and changes it).
    columns: list[ColumnUse] = dataclasses.field(default_factory=list)
    #: CSV: the order slash dates were read in ("dmy"/"mdy"), None when there were none;
    #: ``date_order_needed`` when slash dates were ambiguous and no order was given.
    date_order: str | None = None
    date_order_needed: bool = False
    #: HTML: the address relative links and images were resolved against.
    base_url: str | None = None

    @property
    def rejected_count(self) -> int:
        """How many entries were rejected (a rejection may stand for several rows)."""
        return sum(rejection.count for rejection in self.rejected)

    def summary(self, added: AddResult) -> str:
        """ "N new, M already in the library, K rejected" for this source."""
        ids = {item.id for item in self.items}
        new = sum(1 for item in added.new if item.id in ids)
        existing = sum(1 for item in added.existing if item.id in ids)
        return f"{new} new, {existing} already in the library, {self.rejected_count} rejected"


#: What a source holding binary data is told.
NOT_TEXT = "is not a text file (it holds binary data such as NUL bytes)"

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# C0 controls other than tab, line and page breaks, DOS end-of-file and escape: binary data.
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0e-\x19\x1c-\x1f]")


def check_text_size(text: str, source: str) -> None:
    """Refuse pasted or decoded text larger than :data:`MAX_SOURCE_BYTES`."""
    if len(text) > MAX_SOURCE_BYTES or len(text.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        raise SourceError(source, too_large_message(len(text.encode("utf-8", "replace"))))


def _megabytes(size: int) -> str:
    text = f"{size / 1024 / 1024:.1f}"
    return text.removesuffix(".0")


def too_large_message(size: int, limit: int = MAX_SOURCE_BYTES, *, download: bool = False) -> str:
    """Why a source over the size limit is refused: "is 25.3 MB; the limit is 20 MB"."""
    advice = (
        "an address of a smaller page or feed, such as one page of the listing"
        if download
        else "split it into smaller files"
    )
    return f"is {_megabytes(size)} MB; the limit is {_megabytes(limit)} MB ({advice})"


def read_source_file(path: Path, source: str) -> bytes:
    """The bytes of the file at ``path``, checked to be a readable regular file within the limit.

    The size is checked with ``stat`` before anything is read, and the read itself is
    capped too (a file can grow between the two).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SourceError(source, "no such file") from None
    except PermissionError:
        raise SourceError(source, "cannot be read (permission denied)") from None
    except (OSError, ValueError) as exc:
        raise SourceError(source, f"cannot be read ({_os_reason(exc)})") from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(source, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(source, "is not a regular file")
    if info.st_size > MAX_SOURCE_BYTES:
        raise SourceError(source, too_large_message(info.st_size))
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except PermissionError:
        raise SourceError(source, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise SourceError(source, f"cannot be read ({_os_reason(exc)})") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(source, too_large_message(len(data)))
    return data


def _os_reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def looks_binary(text: str) -> bool:
    """True when decoded text holds NUL bytes or many control characters: not a text file."""
    if "\x00" in text:
        return True
    sample = text[:65536]
    controls = len(_BINARY_CHARS.findall(sample))
    return controls > 8 and controls * 100 > len(sample)


def decode_text(data: bytes, source: str, *, allow_cp1252: bool = True) -> tuple[str, list[str]]:
    """The text of ``data`` (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252).

    Returns the text, without BOM, and warnings (for example that it was read as
    Windows-1252). Binary data raises :class:`SourceError` saying it is not a text file.
    """
    warnings: list[str] = []
    if data.startswith(_UTF16_BOMS):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceError(source, NOT_TEXT) from None
    elif b"\x00" in data:
        raise SourceError(source, NOT_TEXT)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if not allow_cp1252:
                raise SourceError(
                    source,
                    f"is not a UTF-8 text file (byte {exc.start + 1} cannot be read); "
                    "save it as UTF-8",
                ) from None
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                raise SourceError(source, NOT_TEXT) from None
            warnings.append("the file is not UTF-8; it was read as Windows-1252 (cp1252)")
    text = text.removeprefix("\ufeff")
    if looks_binary(text):
        raise SourceError(source, NOT_TEXT)
    return text, warnings


SUMMARY_CUT = (
    f"the story's text is longer than {MAX_SUMMARY} characters; only its first paragraphs were kept"
)


def fit_summary(text: str) -> tuple[str, bool]:
    """``text`` (paragraphs separated by blank lines) cut to fit :data:`MAX_SUMMARY`.

    Cut at a paragraph boundary when it can be; returns the text and whether it was cut.
    """
    text = clean_paragraphs(text)
    if len(text) <= MAX_SUMMARY:
        return text, False
    kept = text[: MAX_SUMMARY + 1]
    boundary = kept.rfind("\n\n")
    if boundary > 0:
        return kept[:boundary], True
    return kept[: MAX_SUMMARY - 1].rstrip() + "…", True


def error_reason(error: ValidationError) -> str:
    """ "date '30 February 2023' is not a real date": a field error as a rejection reason."""
    return f"{error.field} {error.reason}"


def _same_text(first: str, second: str) -> bool:
    """Whether two summaries are one story's: equal once spacing and case are set aside,
    one empty, or one the start of the other (a teaser and its full text)."""
    a, b = " ".join(first.casefold().split()), " ".join(second.casefold().split())
    return not a or not b or a.startswith(b) or b.startswith(a)


class ReportBuilder:
    """Collects an importer's items, rejections and warnings into an :class:`ImportReport`.

    Items are validated with :func:`make_item`. A second item with the id of an
    earlier one is the same story twice in one source when it has the same link, or the
    same title, date and text: it is dropped with a warning. The same title and date
    with another text is another story: it is rejected with a reason, never merged.
    """

    def __init__(self, source: str, format: str, *, item_source: str, default_category: str):
        self.report = ImportReport(source=source, format=format)
        self.item_source = item_source[:500]
        self.default_category = default_category
        self._seen: dict[str, str] = {}
        self._items: dict[str, NewsItem] = {}

    def add(
        self,
        fields: dict[str, Any],
        location: str,
        field_locations: Mapping[str, str] | None = None,
    ) -> NewsItem | None:
        """Validate ``fields`` into an item; on error record a rejection.

        ``source`` is set to the builder's ``item_source`` unless ``fields`` has one
        (a JSON export keeps the source its items had).

        The rejection is at ``field_locations[field]`` for the field that is wrong when
        given (the title's own line, say), else at ``location``.
        """
        fields.setdefault("source", self.item_source)
        try:
            item = make_item(fields, default_category=self.default_category)
        except ValidationError as error:
            where = (field_locations or {}).get(error.field, location)
            self.reject(where, error_reason(error))
            return None
        first = self._seen.get(item.id)
        if first is not None:
            earlier = self._items[item.id]
            if item.id.startswith("u-") or _same_text(earlier.summary, item.summary):
                self.warn(f"{location}: '{item.title}' is the same story as {first}; kept once")
            else:  # the same title and date, another text: two stories, never merged silently
                self.reject(
                    location,
                    f"'{item.title}' has the same title and date as {first} but another text; "
                    "it was not imported (give it a title or a link of its own)",
                )
            return None
        self._seen[item.id] = location
        self._items[item.id] = item
        self.report.items.append(item)
        return item

    def reject(self, location: str, reason: str) -> None:
        self.report.rejected.append(Rejection(location, reason))

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)
