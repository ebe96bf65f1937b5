"""A recipients CSV record over several lines (a quoted name with line breaks) is named by
the line it starts on, as is every record after it, with \\n or \\r\\n line ends."""

from __future__ import annotations

import pytest

from composer.recipients import parse_recipients_csv

# line 1: header; 2: one line; 3-6: one record, its address broken; 7: one line; 8: Ann again
LIST = (
    "email,name\n"
    "ann@pondclub.example.net,Ann\n"
    '"bob-at-pondclub.example.net","Bob\n'
    "Smith\n"
    "\n"
    'Junior"\n'
    "cid@pondclub.example.net,Cid\n"
    "ann@pondclub.example.net,Ann again\n"
)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_record_over_four_lines_is_named_by_its_first_line(newline: str) -> None:
    found = parse_recipients_csv(LIST.replace("\n", newline), "pond.csv")
    (rejected,) = found.rejected
    assert rejected.line == 3
    assert str(rejected).startswith("line 3: 'bob-at-pondclub.example.net, Bob")
    assert [(r.address, r.line) for r in found.recipients] == [
        ("ann@pondclub.example.net", 2),
        ("cid@pondclub.example.net", 7),
    ]
    assert [str(d) for d in found.duplicates] == [
        "line 8: ann@pondclub.example.net is already on line 2"
    ]
