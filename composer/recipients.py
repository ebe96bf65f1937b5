"""Recipients of a list send: read from a CSV file or a pasted list, checked, de-duplicated.

Every address is checked for syntax with ``email-validator`` (no DNS look-up:
``check_deliverability=False``); internationalised domains are accepted and sent
in their ASCII (IDNA) form, while addresses with non-ASCII characters before the
``@`` are refused because most mail servers cannot deliver to them. Duplicates
are removed, comparing the part before the ``@`` exactly and the domain without
regard to case (``Ann@Example.org`` and ``Ann@example.ORG`` are one recipient).
Invalid entries are kept in the report with their line number and the reason.

A CSV file names its address column in a header row (``email``, ``e-mail``,
``address``...) and optionally a ``name`` column (or first and last name
columns); without a header, the first cell holding an ``@`` is the address.
A pasted list takes one or more addresses per line, separated by commas,
semicolons or spaces, each either bare or written ``Name <address>``.

This module also holds the header-safety check for display names and subjects
(:func:`check_header_text`): a line break or control character in a header
value could add headers of its own, so such values are refused, never cleaned.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from composer.errors import SourceError, ValidationError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_RECIPIENTS = 200_000
MAX_NAME = 200

ADDRESS_COLUMNS = frozenset(
    {"email", "e-mail", "email address", "e-mail address", "mail", "address", "recipient", "to"}
)
NAME_COLUMNS = frozenset({"name", "full name", "fullname", "display name"})
FIRST_NAME_COLUMNS = frozenset({"first name", "firstname", "given name", "first"})
LAST_NAME_COLUMNS = frozenset({"last name", "lastname", "surname", "family name", "last"})

_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<address>[^<>]*)>$", re.DOTALL)


# -- header safety ---------------------------------------------------------------------------------
def header_problem(value: str) -> str | None:
    """Why ``value`` cannot go into a mail header (a line break, a control character), or None."""
    for ch in value:
        category = unicodedata.category(ch)
        if ch in "\r\n" or category in ("Zl", "Zp"):
            return "contains a line break"
        if category == "Cc":
            return f"contains the control character U+{ord(ch):04X}"
    return None


def check_header_text(value: str, field: str, limit: int = 998) -> str:
    """``value`` stripped, or a :class:`ValidationError` when it is unsafe in a header."""
    problem = header_problem(value)
    if problem:
        raise ValidationError(field, f"{value[:60]!r} {problem}; it cannot be used in an email")
    value = value.strip()
    if len(value) > limit:
        raise ValidationError(field, f"is {len(value)} characters long; the limit is {limit}")
    return value


# -- one address -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class Recipient:
    """One checked recipient.

    ``address`` is the normalised form (domain in lower case); ``ascii_address`` is
    what the SMTP envelope and the ``To`` header carry. The send log's key is the
    address in lower case: mailbox providers and mailing tools treat
    ``Ann@example.org`` and ``ann@example.org`` as one reader, and so do we, so
    that nobody gets the digest twice because of a capital letter.
    """

    address: str
    ascii_address: str
    name: str = ""
    line: int = 0

    @property
    def key(self) -> str:
        return self.address.lower()


class AddressError(ValueError):
    """An address that email-validator refused; the message is the reason."""


def validate_address(text: str) -> tuple[str, str]:
    """``(normalised, ascii)`` forms of one address, or :class:`AddressError` with the reason."""
    from email_validator import EmailNotValidError, validate_email

    text = text.strip()
    if not text:
        raise AddressError("empty address")
    problem = header_problem(text)
    if problem:
        raise AddressError(f"the address {problem}")
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        reason = str(exc)
        if "before the @-sign" in reason and "nternationalized" in reason:
            reason += " (most mail servers cannot deliver to such addresses)"
        raise AddressError(reason) from None
    ascii_form = checked.ascii_email or checked.normalized
    return checked.normalized, ascii_form


def check_address(value: str, field: str) -> Recipient:
    """One address (optionally ``Name <address>``) as a :class:`Recipient`, or ValidationError."""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    problem = header_problem(value)
    if problem:
        raise ValidationError(field, f"{value[:60]!r} {problem}")
    name, address = _split_name(value.strip())
    try:
        normalized, ascii_form = validate_address(address)
    except AddressError as exc:
        raise ValidationError(
            field, f"{value.strip()[:80]!r} is not a valid address: {exc}"
        ) from None
    return Recipient(normalized, ascii_form, check_header_text(name, f"{field} name", MAX_NAME))


def _split_name(text: str) -> tuple[str, str]:
    """``("Ann Smith", "ann@example.org")`` from ``Ann Smith <ann@example.org>``."""
    m = _ANGLE.match(text)
    if not m:
        return "", text
    name = m["name"].strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return name.strip(), m["address"].strip()


# -- lists -----------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class Rejected:
    """An entry that is not a usable address, with its line and the reason."""

    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text[:80]!r}: {self.reason}"


@dataclasses.dataclass(frozen=True, slots=True)
class Duplicate:
    """An address given again; only its first occurrence is kept."""

    line: int
    address: str
    first_line: int

    def __str__(self) -> str:
        return f"line {self.line}: {self.address} is already on line {self.first_line}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@dataclasses.dataclass(frozen=True)
class RecipientList:
    """The checked recipients of a list, and what was left out and why."""

    source: str
    recipients: tuple[Recipient, ...]
    rejected: tuple[Rejected, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.recipients)

    def summary(self) -> str:
        """``"1,234 recipients in list.csv; 3 duplicates removed; 2 invalid"``."""
        parts = [f"{_plural(len(self.recipients), 'recipient')} in {self.source}"]
        if self.duplicates:
            parts.append(f"{_plural(len(self.duplicates), 'duplicate')} removed")
        if self.rejected:
            parts.append(f"{len(self.rejected):,} invalid")
        return "; ".join(parts)

    def report_lines(self, limit: int | None = 50) -> list[str]:
        """The summary, then each invalid entry and each duplicate (at most ``limit`` of each)."""
        lines = [self.summary()]
        lines.extend(f"note: {note}" for note in self.notes)
        for title, entries in (("invalid", self.rejected), ("duplicate", self.duplicates)):
            shown = entries if limit is None else entries[:limit]
            lines.extend(f"  {title} {entry}" for entry in shown)
            if len(entries) > len(shown):
                lines.append(f"  ... and {len(entries) - len(shown):,} more {title} entries")
        return lines


class _Collector:
    def __init__(self, source: str) -> None:
        self.source = source
        self.recipients: list[Recipient] = []
        self.rejected: list[Rejected] = []
        self.duplicates: list[Duplicate] = []
        self.notes: list[str] = []
        self._first_line: dict[str, int] = {}

    def add(self, line: int, text: str, name: str, address: str) -> None:
        try:
            normalized, ascii_form = validate_address(address)
        except AddressError as exc:
            self.rejected.append(Rejected(line, text.strip(), str(exc)))
            return
        problem = header_problem(name)
        if problem:
            self.rejected.append(Rejected(line, text.strip(), f"the name {problem}"))
            return
        name = " ".join(name.split())[:MAX_NAME]
        first = self._first_line.get(normalized.lower())
        if first is not None:
            self.duplicates.append(Duplicate(line, normalized, first))
            return
        if len(self.recipients) >= MAX_RECIPIENTS:
            raise SourceError(self.source, f"has more than {MAX_RECIPIENTS:,} recipients")
        self._first_line[normalized.lower()] = line
        self.recipients.append(Recipient(normalized, ascii_form, name, line))

    def result(self) -> RecipientList:
        return RecipientList(
            self.source,
            tuple(self.recipients),
            tuple(self.rejected),
            tuple(self.duplicates),
            tuple(self.notes),
        )


def _split_entries(line: str) -> Iterator[str]:
    """Pieces of a pasted line separated by ``,`` or ``;`` outside quotes and ``<...>``."""
    piece: list[str] = []
    quoted = angled = False
    for ch in line:
        if ch == '"' and not angled:
            quoted = not quoted
        elif ch == "<" and not quoted:
            angled = True
        elif ch == ">" and not quoted:
            angled = False
        elif ch in ",;" and not quoted and not angled:
            yield "".join(piece)
            piece = []
            continue
        piece.append(ch)
    yield "".join(piece)


def _pasted_entries(piece: str) -> list[tuple[str, str]]:
    """``(name, address)`` pairs in one piece: ``Name <a>``, bare addresses, or ``Name a@b``."""
    piece = piece.strip()
    if _ANGLE.match(piece):
        return [_split_name(piece)]
    words = piece.split()
    with_at = [w for w in words if "@" in w]
    if len(words) <= 1 or not with_at:
        return [("", piece)]
    if len(with_at) == len(words):  # several bare addresses separated by spaces
        return [("", w) for w in words]
    if len(with_at) == 1:  # "Ann Smith ann@example.org", as pasted from two spreadsheet cells
        return [(" ".join(w for w in words if "@" not in w), with_at[0])]
    return [("", piece)]


#: Lines end at ``\n``, ``\r\n`` or ``\r`` only. str.splitlines() also splits at VT, FF,
#: FS, GS, RS, NEL and U+2028/U+2029: one visible line ``H <a@x.org>\vBcc: v@x.org``
#: would become two recipients, so those characters are a rejected entry instead.
_LINE_END = re.compile(r"\r\n|\r|\n")
_OTHER_SEPARATORS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def hidden_separator(text: str) -> str | None:
    """Why ``text`` is refused when it holds a line or record separator that is no line end."""
    found = _OTHER_SEPARATORS.search(text)
    if found is None:
        return None
    return (
        f"holds an invisible separator (U+{ord(found[0]):04X}) inside the line; "
        "put one recipient per line"
    )


def parse_recipients_text(text: str, source: str = "the pasted list") -> RecipientList:
    """Recipients from pasted text: one or more addresses per line."""
    collector = _Collector(source)
    for number, raw in enumerate(_LINE_END.split(text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if problem := hidden_separator(line):
            collector.rejected.append(Rejected(number, _OTHER_SEPARATORS.sub("⏎", line), problem))
            continue
        if number == 1 and "@" not in line and "mail" in line.casefold():
            continue  # a header row pasted from a spreadsheet ("Email  Name")
        for piece in _split_entries(line):
            if not piece.strip():
                continue
            for name, address in _pasted_entries(piece):
                collector.add(number, piece, name, address)
    return collector.result()


def recipients_from_addresses(
    values: Iterable[str], source: str = "the addresses"
) -> RecipientList:
    """Recipients given one per value (command-line arguments); "line" is the position."""
    collector = _Collector(source)
    for number, value in enumerate(values, start=1):
        name, address = _split_name(value.strip())
        collector.add(number, value, name, address)
    return collector.result()


def _header_columns(row: Sequence[str]) -> tuple[int, list[int]] | None:
    """``(address column, name columns)`` when ``row`` is a header row, else None."""
    names = [" ".join(cell.strip().strip('"').casefold().replace("_", " ").split()) for cell in row]
    address = next((i for i, n in enumerate(names) if n in ADDRESS_COLUMNS), None)
    if address is None or any("@" in cell for cell in row):
        return None
    full = [i for i, n in enumerate(names) if n in NAME_COLUMNS]
    first = [i for i, n in enumerate(names) if n in FIRST_NAME_COLUMNS]
    last = [i for i, n in enumerate(names) if n in LAST_NAME_COLUMNS]
    return address, full[:1] or (first[:1] + last[:1])


def _decode(data: bytes, source: str) -> tuple[str, str | None]:
    if b"\x00" in data[:4096]:
        raise SourceError(
            source,
            "is not a text file (it looks like a spreadsheet or binary file; save it as CSV)",
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), (
            "the file is not UTF-8; it was read as Windows-1252 (save it as 'CSV UTF-8' to be sure "
            "names with accents are right)"
        )


def parse_recipients_csv(text: str, source: str = "the CSV file") -> RecipientList:
    """Recipients from CSV text (comma, semicolon or tab separated)."""
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    collector = _Collector(source)
    columns: tuple[int, list[int]] | None = None
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    read = 0  # lines read so far: a record over several lines is named by its first
    try:
        for row in reader:
            number, read = read + 1, reader.line_num
            cells = [cell.strip() for cell in row]
            if not any(cells) or cells[0].startswith("#"):
                continue
            if columns is None and not collector.recipients and not collector.rejected:
                columns = _header_columns(cells)
                if columns is not None:
                    continue
            joined = ", ".join(c for c in cells if c)
            if problem := hidden_separator(joined):
                shown = _OTHER_SEPARATORS.sub("⏎", joined)
                collector.rejected.append(Rejected(number, shown, problem))
                continue
            if columns is not None:
                address_at, name_at = columns
                address = cells[address_at] if address_at < len(cells) else ""
                name = " ".join(cells[i] for i in name_at if i < len(cells) and cells[i])
                inner_name, address = _split_name(address)
                if not address:
                    collector.rejected.append(Rejected(number, joined, "no email address"))
                    continue
                collector.add(number, joined, name or inner_name, address)
                continue
            with_at = [c for c in cells if "@" in c]
            if not with_at:
                collector.rejected.append(Rejected(number, joined, "no email address on this line"))
                continue
            name, address = _split_name(with_at[0])
            collector.add(number, joined, name, address)
    except csv.Error as exc:
        raise SourceError(
            source, f"line {reader.line_num}: cannot be read as CSV ({exc})"
        ) from None
    return collector.result()


def read_recipients_file(path: Path | str) -> RecipientList:
    """Recipients from a ``.csv`` / ``.tsv`` file, or a text file of addresses."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(source, f"is {size:,} bytes; a recipient list is far smaller")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(source, "no such file") from None
    except IsADirectoryError:
        raise SourceError(source, "is a folder, not a recipient list") from None
    except OSError as exc:
        raise SourceError(source, f"cannot be read ({exc.strerror or exc})") from None
    text, note = _decode(data, source)
    if path.suffix.lower() in (".csv", ".tsv"):
        result = parse_recipients_csv(text, source)
    else:
        result = parse_recipients_text(text, source)
    if note:
        result = dataclasses.replace(result, notes=(*result.notes, note))
    if not result.recipients and not result.rejected:
        raise SourceError(source, "holds no email addresses")
    return result
