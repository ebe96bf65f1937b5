"""Recipient lists: CSV files and pasted lists, checked without DNS, de-duplicated, explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer.errors import SourceError, ValidationError
from composer.recipients import (
    check_address,
    check_header_text,
    parse_recipients_csv,
    parse_recipients_text,
    read_recipients_file,
    recipients_from_addresses,
)


def test_csv_with_a_header_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "Name,Email,Organisation\n"
        "Ann Smith,ann@example.org,OCRC\n"
        '"Müller, Jörg",joerg@example.de,Partner\n'
        "No Address,,Partner\n"
        "Broken,broken@,Partner\n",
        encoding="utf-8",
    )
    result = read_recipients_file(path)
    assert [(r.address, r.name, r.line) for r in result.recipients] == [
        ("ann@example.org", "Ann Smith", 2),
        ("joerg@example.de", "Müller, Jörg", 3),
    ]
    assert (result.rejected[0].line, result.rejected[0].reason) == (4, "no email address")
    assert result.rejected[1].line == 5 and "@" in result.rejected[1].reason
    assert result.summary() == f"2 recipients in {path}; 2 invalid"


def test_semicolon_csv_with_first_and_last_names_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"\xef\xbb\xbfFirst name;Last name;E-Mail\r\n"
        b"Ann;Smith;ann@example.org\r\nBo;Li;bo@example.org\r\n"
    )
    result = read_recipients_file(path)
    assert [(r.address, r.name) for r in result.recipients] == [
        ("ann@example.org", "Ann Smith"),
        ("bo@example.org", "Bo Li"),
    ]


def test_csv_without_a_header_takes_the_cell_with_an_at_sign(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("Ann,ann@example.org\nbo@example.org\njust a name,\n", encoding="utf-8")
    result = read_recipients_file(path)
    assert [r.address for r in result.recipients] == ["ann@example.org", "bo@example.org"]
    assert [(r.line, r.reason) for r in result.rejected] == [(3, "no email address on this line")]


def test_a_windows_1252_file_is_read_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("name,email\nRené Dupont,rene@example.fr\n".encode("cp1252"))
    result = read_recipients_file(path)
    assert result.recipients[0].name == "René Dupont"
    assert any("not UTF-8" in note for note in result.notes)


def test_duplicates_ignore_case() -> None:
    result = parse_recipients_text(
        "Ann@Example.ORG\nann@example.org\nAnn@example.org\nANN@EXAMPLE.ORG\nbob@example.org\n"
    )
    # RFC 5321 lets the part before @ be case-sensitive, but no mailbox provider or
    # mailing tool treats it so: Ann@ and ann@ are one reader, who gets one message
    assert [r.address for r in result.recipients] == ["Ann@example.org", "bob@example.org"]
    assert [(d.line, d.address, d.first_line) for d in result.duplicates] == [
        (2, "ann@example.org", 1),
        (3, "Ann@example.org", 1),
        (4, "ANN@example.org", 1),
    ]
    assert "3 duplicates removed" in result.summary()
    assert result.recipients[0].key == "ann@example.org"  # the send log's key


def test_a_pasted_list_takes_several_forms_per_line() -> None:
    text = (
        "Email\tName\n"  # a header row pasted from a spreadsheet
        "ann@example.org, bo@example.org; cy@example.org\n"
        'Dee Jones <dee@example.org>, "Ed, the editor" <ed@example.org>\n'
        "Fay Wong\tfay@example.org\n"
        "gus@example.org hal@example.org\n"
        "# a comment\n"
        "\n"
        "not an address\n"
    )
    result = parse_recipients_text(text)
    assert [(r.address, r.name) for r in result.recipients] == [
        ("ann@example.org", ""),
        ("bo@example.org", ""),
        ("cy@example.org", ""),
        ("dee@example.org", "Dee Jones"),
        ("ed@example.org", "Ed, the editor"),
        ("fay@example.org", "Fay Wong"),
        ("gus@example.org", ""),
        ("hal@example.org", ""),
    ]
    assert [(r.line, r.text) for r in result.rejected] == [(8, "not an address")]
    assert "@-sign" in result.rejected[0].reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ann@localhost", "should have a period"),
        ("ann..smith@example.org", "two periods in a row"),
        ("jörg@example.de", "most mail servers cannot deliver"),
        ("ann@exa mple.org", ""),
    ],
)
def test_invalid_addresses_are_listed_with_the_reason(text: str, reason: str) -> None:
    result = parse_recipients_text(f"ok@example.org\n{text}\n")
    assert len(result.recipients) == 1
    assert result.rejected and result.rejected[0].line == 2
    assert reason in result.rejected[0].reason
    assert "line 2" in result.report_lines()[1]


def test_internationalised_domains_are_sent_in_ascii() -> None:
    recipient = parse_recipients_text("Jörg <info@bücher.de>").recipients[0]
    assert recipient.address == "info@bücher.de"
    assert recipient.ascii_address == "info@xn--bcher-kva.de"
    assert recipient.name == "Jörg"


def test_names_with_line_breaks_or_controls_are_refused() -> None:
    result = recipients_from_addresses(["Eve\rBcc: all@example.org <eve@example.org>"])
    assert not result.recipients and "line break" in result.rejected[0].reason
    with pytest.raises(ValidationError, match="control character"):
        check_header_text("Digest\x1b[31m", "subject")
    with pytest.raises(ValidationError, match="line break"):
        check_address("Ann\u2028Smith <ann@example.org>", "reply-to")


def test_files_that_are_not_lists_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_recipients_file(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(SourceError, match="holds no email addresses"):
        read_recipients_file(empty)
    binary = tmp_path / "book.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(SourceError, match="save it as CSV"):
        read_recipients_file(binary)
    with pytest.raises(SourceError, match="is a folder"):
        read_recipients_file(tmp_path)


def test_a_long_list_keeps_its_order_and_reports_few_lines(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    lines = [f"reader{n}@example.org" for n in range(5000)] + ["bad"] * 80
    path.write_text("\n".join(lines), encoding="utf-8")
    result = read_recipients_file(path)
    assert len(result) == 5000 and result.recipients[-1].address == "reader4999@example.org"
    report = result.report_lines(limit=10)
    assert len(report) == 1 + 10 + 1 and report[-1] == "  ... and 70 more invalid entries"


@pytest.mark.parametrize(
    "separator", ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
def test_a_line_split_by_an_invisible_separator_is_one_rejected_entry(separator: str) -> None:
    text = f"ann@example.org\nH <h@example.org>{separator}Bcc: v@example.org\r\nbo@example.org\r"
    result = parse_recipients_text(text)
    assert [r.address for r in result.recipients] == ["ann@example.org", "bo@example.org"]
    [rejected] = result.rejected
    assert rejected.line == 2
    assert (
        f"U+{ord(separator):04X}" in rejected.reason and "one recipient per line" in rejected.reason
    )
    assert separator not in rejected.text


def test_csv_cells_with_an_invisible_separator_are_rejected() -> None:
    result = parse_recipients_csv("email,name\nann@example.org,Ann\u2028Bcc: v@example.org\n")
    assert result.recipients == ()
    assert result.rejected[0].line == 2 and "U+2028" in result.rejected[0].reason
