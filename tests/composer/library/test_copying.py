"""copy_library over the in-memory library: everything copied, a full destination
refused with nothing written, a merge that keeps what the destination has, no password."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from helpers.memory_library import MemoryLibrary, MemoryShelf

from composer.errors import LibraryError
from composer.library.copying import (
    CopyReport,
    DestinationNotEmptyError,
    copy_library,
    unstamped,
)
from composer.library.item import NewsItem, make_item
from composer.repository import DIGEST_STAMP, JSONDict, Library

DIGEST = "month-2023-01"


def story(n: int, **extra: object) -> NewsItem:
    fields: dict[str, object] = {
        "title": f"Story {n}",
        "date": dt.date(2023, 1, 1 + n % 28),
        "category": "In Focus",
        "url": f"https://example.org/{n}",
        "tags": ["water"],
    }
    fields.update(extra)
    return make_item(fields)


def digest(digest_id: str, title: str = "January", **extra: object) -> JSONDict:
    return {"id": digest_id, "title": title, "sections": [{"title": "News", "items": []}], **extra}


def entry(digest_id: str, recipient: str, state: str = "sent") -> JSONDict:
    return {"digest_id": digest_id, "recipient": recipient, "state": state, "n": 1}


def library(name: str, **kwargs: Any) -> MemoryLibrary:
    return MemoryLibrary(shelf=MemoryShelf(f"<{name}>"), **kwargs)


def filled(name: str = "source") -> MemoryLibrary:
    lib = library(name)
    lib.add_items([story(n) for n in range(5)])
    lib.save_digest(digest(DIGEST))
    lib.save_digest(digest("picks", "Our picks"))
    lib.update_settings({"theme": {"org": "OCRC"}, "smtp": {"host": "mail.example.org"}})
    lib.record_send([entry(DIGEST, f"r{n}@x.org") for n in range(3)])
    lib.record_send([entry(DIGEST, "r1@x.org", "uncertain")])
    lib.record_send([entry("d/other", "ann@x.org", "queued")])
    return lib


def held(lib: Library) -> tuple[object, ...]:
    """All a library holds (digests without the stamps their store set on saving)."""
    logs = {d: lib.send_log(d) for d in lib.send_log_ids()}
    return lib.items(), [unstamped(d) for d in lib.digests()], lib.settings(), logs


def test_everything_is_copied_into_an_empty_library() -> None:
    source, dest = filled(), library("dest")
    report = copy_library(source, dest)
    assert held(dest) == held(source)
    assert dest.send_log_ids() == ["d/other", DIGEST]
    assert dest.send_states(DIGEST) == {
        "r0@x.org": "sent",
        "r1@x.org": "uncertain",
        "r2@x.org": "sent",
    }
    assert (report.items, report.digests, report.send_logs, report.send_entries) == (5, 2, 2, 4)
    assert report.settings == ["theme", "smtp"] and report.skipped == [] and report.refused == []
    assert report.lines()[0] == "Copied <source> into <dest>:"
    assert "  5 items" in report.lines() and "  2 send logs (4 recipient entries)" in report.lines()
    assert (
        "  2 digests (each keeps who saved it last and when; its version starts again at 1 here)"
        in report.lines()
    )


def test_the_source_is_only_read() -> None:
    source = filled()
    before = held(source)
    reader = MemoryLibrary(shelf=source.shelf, read_only=True)
    copy_library(reader, library("dest"))
    assert held(source) == before


@pytest.mark.parametrize(
    "fill",
    [
        lambda lib: lib.add_items([story(99)]),
        lambda lib: lib.save_digest(digest("theirs")),
        lambda lib: lib.update_settings({"theme": {"org": "Other"}}),
        lambda lib: lib.record_send([entry("theirs", "bo@x.org")]),
    ],
    ids=["an item", "a digest", "a setting", "a send log"],
)
def test_a_destination_holding_anything_is_refused_and_nothing_written(fill: Any) -> None:
    dest = library("dest")
    fill(dest)
    before = held(dest)
    with pytest.raises(DestinationNotEmptyError, match=r"the library <dest> is not empty") as err:
        copy_library(filled(), dest)
    assert "nothing was copied" in str(err.value) and len(err.value.contents) == 1
    assert held(dest) == before


def test_an_empty_source_the_same_library_or_a_read_only_destination_is_refused() -> None:
    with pytest.raises(LibraryError, match="holds nothing to copy"):
        copy_library(library("empty"), library("dest"))
    source = filled()
    with pytest.raises(LibraryError, match="both the source and the destination"):
        copy_library(MemoryLibrary(shelf=source.shelf, read_only=True), source)
    reader = library("dest", read_only=True)
    with pytest.raises(LibraryError, match="read-only"):
        copy_library(source, reader)


def test_a_password_in_the_settings_is_never_copied_and_is_named() -> None:
    source = library("source")
    source.update_settings(
        {"smtp": {"host": "mail.example.org", "password": "hunter2"}, "db_passwd": "x"}
    )
    dest = library("dest")
    report = copy_library(source, dest)
    assert dest.settings() == {"smtp": {"host": "mail.example.org"}}
    assert "hunter2" not in dest.shelf.settings
    assert {(s.kind, s.name) for s in report.skipped} == {
        ("setting", "smtp.password"),
        ("setting", "db_passwd"),
    }
    assert all("never copied" in s.reason for s in report.skipped) and report.refused == []


def merged_into_a_library_that_has_some() -> tuple[MemoryLibrary, MemoryLibrary, CopyReport]:
    source = filled()
    dest = library("dest")
    dest.add_items([story(0), story(1, url=None), story(50)])
    dest.save_digest(digest(DIGEST))  # identical
    dest.save_digest(digest("picks", "Their picks"))  # another digest under the same id
    dest.update_settings({"theme": {"org": "Their office"}})
    return source, dest, copy_library(source, dest, merge=True)


def test_merge_adds_items_by_the_destination_duplicate_rule() -> None:
    _, dest, report = merged_into_a_library_that_has_some()
    assert report.items == 3  # stories 2, 3, 4: 0 has its id there, 1 its title and date (no link)
    assert {i.id for i in dest.items()} == {story(n).id for n in (0, 2, 3, 4, 50)} | {
        story(1, url=None).id
    }
    assert ("item", "2 items") in {(s.kind, s.name) for s in report.skipped}


def test_merge_keeps_the_destination_digests_and_refuses_a_different_one_by_name() -> None:
    _, dest, report = merged_into_a_library_that_has_some()
    assert unstamped(dest.get_digest("picks") or {})["title"] == "Their picks"
    assert report.digests == 0
    assert [(s.kind, s.name) for s in report.refused] == [("digest", "picks")]
    assert "  0 digests" in report.lines()  # nothing copied: nothing said of what it keeps
    assert any(s.name == DIGEST and "has it already" in s.reason for s in report.skipped)


def test_merge_adds_only_the_settings_the_destination_lacks_and_says_so() -> None:
    _, dest, report = merged_into_a_library_that_has_some()
    assert dest.settings() == {
        "theme": {"org": "Their office"},
        "smtp": {"host": "mail.example.org"},
    }
    assert report.settings == ["smtp"]
    assert any(
        (s.kind, s.name) == ("setting", "theme") and "has its own" in s.reason
        for s in report.skipped
    )
    assert "  setting theme: the destination has its own; kept as it is" in report.lines()


def test_merge_copies_send_logs_the_destination_lacks_and_never_mixes_two() -> None:
    source = filled()
    dest = library("dest")
    dest.add_items([story(0)])
    dest.record_send([entry(DIGEST, "r0@x.org", "queued")])  # a different log of this digest
    report = copy_library(source, dest, merge=True)
    assert dest.send_states(DIGEST) == {"r0@x.org": "queued"}
    assert dest.send_log("d/other") == source.send_log("d/other")
    assert [(s.kind, s.name) for s in report.refused] == [("send log", DIGEST)]
    assert report.send_logs == 1
    again = copy_library(source, dest, merge=True)  # what it copied is there already, identical
    assert again.send_logs == 0 and [s.name for s in again.refused] == [DIGEST]
    assert any(s.name == "d/other" and "has it already" in s.reason for s in again.skipped)


def test_merge_leaves_out_the_send_log_of_a_digest_it_refused() -> None:
    source = filled()
    dest = library("dest")
    dest.save_digest(digest(DIGEST, "Another January"))
    report = copy_library(source, dest, merge=True)
    assert dest.send_log(DIGEST) == []
    assert {(s.kind, s.name) for s in report.refused} == {("digest", DIGEST)}
    assert any(s.kind == "send log" and s.name == DIGEST for s in report.skipped)


def test_digests_that_differ_only_in_their_store_stamps_are_identical() -> None:
    stamps = dict.fromkeys(DIGEST_STAMP, "x")
    assert unstamped(digest("a", **stamps)) == unstamped(digest("a")) == digest("a")


def test_a_library_being_sent_from_is_not_copied_half_way() -> None:
    from composer.repository import Holder

    source, dest = filled(), library("dest")
    sender = Holder("command", "newsdigest send")
    with source.send_lock(DIGEST, sender):
        with pytest.raises(LibraryError) as refused:
            copy_library(source, dest)
        assert f"the digest {DIGEST} in <source> is being sent now by" in str(refused.value)
        assert "`newsdigest send`" in str(refused.value)
        assert held(dest) == held(library("empty"))  # nothing written
        with pytest.raises(LibraryError):  # nor merged into while it is sent
            copy_library(filled("other"), source, merge=True)
    copy_library(source, dest)  # once the send is over
    assert held(dest) == held(source)
