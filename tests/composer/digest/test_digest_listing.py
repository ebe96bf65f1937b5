"""Saved digests listed and loaded through the core, a damaged one named, never dropped."""

from __future__ import annotations

import argparse

import pytest
from helpers.memory_library import MemoryLibrary

from composer.cli.build import cmd_digests
from composer.digest.listing import DigestSummary, load_digest, saved_digests, summary_of
from composer.digest.model import Section, make_digest
from composer.errors import ValidationError


def library_with_three() -> MemoryLibrary:
    library = MemoryLibrary()
    older = make_digest(
        digest_id="d-older",
        title="January",
        period="2023-01",
        sections=[Section("News", ("a1", "a2")), Section("Press", ("b1",))],
    )
    newer = make_digest(digest_id="d-newer", title="February", period="2023-02")
    library.save_digest(older.touched("2023-02-01T09:00:00+00:00").to_dict())
    library.save_digest(newer.touched("2023-03-01T10:30:45+00:00").to_dict())
    library.save_digest(
        {"schema": 1, "id": "d-broken", "title": "Broken", "period": "2023-01", "sections": 7}
    )
    return library


def test_saved_digests_newest_first_with_a_damaged_one_last() -> None:
    summaries = saved_digests(library_with_three())
    assert [s.id for s in summaries] == ["d-newer", "d-older", "d-broken"]
    newer, older, broken = summaries
    assert newer == DigestSummary("d-newer", "February", "2023-02", "2023-03-01T10:30:45+00:00", 0)
    assert newer.updated_label == "2023-03-01 10:30" and newer.readable
    assert older.items == 3 and older.period == "2023-01"
    assert not broken.readable
    assert broken.problem == "sections: must be a list"
    assert (broken.title, broken.period, broken.items) == ("Broken", "2023-01", 0)


def test_a_summary_of_anything_stored_says_why_it_cannot_be_read() -> None:
    assert summary_of({"schema": 9, "id": "d-9"}).problem.startswith(
        "digest: was saved in format 9"
    )
    assert summary_of({"title": 3}).id == "?"


def test_load_digest_none_when_missing_and_the_reason_when_damaged() -> None:
    library = library_with_three()
    digest = load_digest(library, "d-older")
    assert digest is not None and digest.title == "January"
    assert load_digest(library, "d-nope") is None
    with pytest.raises(ValidationError, match="sections: must be a list"):
        load_digest(library, "d-broken")


def test_the_digests_command_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_digests(argparse.Namespace(), library_with_three()) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "d-newer",
        "2023-02",
        "2023-03-01",
        "10:30",
        "0",
        "items",
        "February",
    ]
    assert lines[1].split()[-3:] == ["3", "items", "January"]
    assert (
        lines[2].startswith("d-broken") and "(cannot be read: sections: must be a list)" in lines[2]
    )
    assert lines[3] == "3 digests"


def test_the_digests_command_on_an_empty_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_digests(argparse.Namespace(), MemoryLibrary()) == 0
    assert "No saved digests" in capsys.readouterr().out
