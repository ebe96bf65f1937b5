"""The TinyDB store's send log at a few thousand records: streamed reads and bounded compaction.

The journal keeps nothing per recipient: every read streams the summary (parsed a
piece at a time) and the journal from disk, and compaction merges by recipient in a
scratch SQLite file (:mod:`store.send_compaction`). These tests check that the result
is exactly what the in-memory fold gave (entries, their order, the summary's bytes),
across the pieces' boundaries, and that a compaction that fails half-way, or a
scratch file a crash left, changes no state. Memory itself is measured in
``benchmarks/bench_send.py``, not here.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import orjson
import pytest

from composer.errors import LibraryError
from composer.repository import JSONDict
from store.send_compaction import Scratch
from store.tinydb_library import TinyDBLibrary

DIGEST = "month-2023-01"
# multi-byte text everywhere, so that the summary's pieces are cut inside characters
TEXT = 'Zoë Ångström – ✓ “quoted” },"7":{ \\ \n\t'
PEOPLE = 3_000


def entry(n: int, state: str, **fields: object) -> JSONDict:
    return {"digest_id": DIGEST, "recipient": f"r{n:05d}@x.org", "state": state, **fields}


def folded(records: list[JSONDict]) -> list[JSONDict]:
    """What the log must read: each recipient's records merged in order, in first-seen order."""
    found: dict[str, JSONDict] = {}
    for record in records:
        found[str(record["recipient"])] = {**found.get(str(record["recipient"]), {}), **record}
    return list(found.values())


def summary_bytes(entries: list[JSONDict]) -> bytes:
    """The summary the in-memory fold wrote: TinyDB's document, orjson, doc ids 1, 2, …."""
    return orjson.dumps({"entries": {str(n): e for n, e in enumerate(entries, start=1)}})


def folder_of(library_path: Path) -> Path:
    return library_path.with_name(library_path.stem + ".sendlogs")


def summary_of(library_path: Path) -> Path:
    return folder_of(library_path) / f"{DIGEST}.json"


def journal_of(library_path: Path) -> Path:
    return folder_of(library_path) / f"{DIGEST}.journal"


def scratch_of(library_path: Path) -> Path:
    return folder_of(library_path) / f".{DIGEST}.compacting"


def first_run() -> list[JSONDict]:
    """Queued (with nulls), then sending and sent or failed, as a run records them."""
    records = [
        entry(n, "queued", name=f"{TEXT}{n}", code=None, text="", attempts=0) for n in range(PEOPLE)
    ]
    for n in range(0, PEOPLE, 2):
        records.append(entry(n, "sending", sending_at="t1", attempts=1))
        if n % 10:
            records.append(entry(n, "sent", code=250, text="OK"))
        else:
            records.append(entry(n, "failed", code=550, text=f"no such user {TEXT}"))
    return records


def second_run() -> list[JSONDict]:
    """Another run: the rest sent (keys it does not name kept), and new recipients."""
    records = [entry(n, "sent", code=250) for n in range(1, PEOPLE, 2)]
    records += [
        entry(n, "queued", name=TEXT, nested={"a": [1, None, {"b": "}"}]})
        for n in range(PEOPLE, PEOPLE + 500)
    ]
    records += [{"digest_id": DIGEST, "recipient": "r00003@x.org", "note": None}]
    return records


def record_all(lib: TinyDBLibrary, records: list[JSONDict]) -> None:
    for first in range(0, len(records), 700):
        lib.record_send(records[first : first + 700])


def test_thousands_of_records_compact_to_the_same_entries_order_and_bytes(
    library_path: Path,
) -> None:
    records = first_run()
    expected = folded(records)
    with TinyDBLibrary(library_path) as lib:
        record_all(lib, records)
        assert lib.send_log(DIGEST) == expected  # read from the journal alone
        lib.compact_send_log(DIGEST)
        assert summary_of(library_path).read_bytes() == summary_bytes(expected)
        assert not journal_of(library_path).exists() and not scratch_of(library_path).exists()
        assert lib.send_log(DIGEST) == expected  # read from the summary alone
        more = second_run()
        record_all(lib, more)
        expected = folded(records + more)
        assert lib.send_log(DIGEST) == expected  # the summary, then the journal
        assert lib.send_states(DIGEST) == {str(e["recipient"]): e["state"] for e in expected}
        lib.compact_send_log(DIGEST)
        assert summary_of(library_path).read_bytes() == summary_bytes(expected)
    with TinyDBLibrary(library_path, read_only=True) as reader:
        assert reader.send_log(DIGEST) == expected
    kept = expected[3]  # queued, sent by the second run, then a record of a key alone
    assert kept["recipient"] == "r00003@x.org" and kept["note"] is None
    assert kept["name"] == f"{TEXT}3" and kept["code"] == 250 and kept["state"] == "sent"
    assert expected[2]["sending_at"] == "t1" and expected[2]["text"] == "OK"


def test_a_large_summary_of_an_older_version_with_another_table_reads_and_compacts(
    library_path: Path,
) -> None:
    entries = [entry(n, "sent", name=TEXT, code=250) for n in range(PEOPLE)]
    document = {  # TinyDB's own writing: spaces, another table first, nested values
        "_default": {"1": {"x": [1, {"y": "}{"}], "z": 1.5e3}},
        "entries": {str(n): e for n, e in enumerate(entries, start=1)},
    }
    summary = summary_of(library_path)
    summary.parent.mkdir()
    summary.write_text(json.dumps(document), encoding="utf-8")
    with TinyDBLibrary(library_path) as lib:
        assert lib.send_log(DIGEST) == entries
        lib.record_send([entry(0, "uncertain")])
        expected = [{**entries[0], "state": "uncertain"}, *entries[1:]]
        assert lib.send_log(DIGEST) == expected
        lib.compact_send_log(DIGEST)
        assert summary.read_bytes() == summary_bytes(expected)


def test_a_damaged_entry_deep_in_the_summary_is_reported_and_nothing_written(
    library_path: Path,
) -> None:
    entries: list[object] = [entry(n, "sent", name=TEXT) for n in range(PEOPLE)]
    entries[2_500] = {"state": "sent"}  # no recipient
    summary = summary_of(library_path)
    summary.parent.mkdir()
    summary.write_bytes(orjson.dumps({"entries": {str(n): e for n, e in enumerate(entries, 1)}}))
    damaged = summary.read_bytes()
    with TinyDBLibrary(library_path) as lib:
        with pytest.raises(LibraryError, match="entry 2501 is not a send-log entry") as error:
            lib.send_log(DIGEST)
        assert str(summary) in str(error.value) and "damaged" in str(error.value)
        with pytest.raises(LibraryError, match="entry 2501"):
            lib.record_send([entry(1, "queued")])
    assert summary.read_bytes() == damaged
    assert not journal_of(library_path).exists() and not scratch_of(library_path).exists()


def test_a_summary_cut_short_is_damage_whatever_piece_it_ends_in(library_path: Path) -> None:
    whole = summary_bytes([entry(n, "sent", name=TEXT) for n in range(PEOPLE)])
    summary = summary_of(library_path)
    summary.parent.mkdir()
    for cut in (len(whole) - 1, len(whole) - 3, 64 * 1024, 64 * 1024 + 1, 200_001):
        summary.write_bytes(whole[:cut])
        with (
            TinyDBLibrary(library_path, read_only=True) as reader,
            pytest.raises(LibraryError, match="damaged"),
        ):
            reader.send_log(DIGEST)
    summary.write_bytes(whole + b" \n x")
    with (
        TinyDBLibrary(library_path, read_only=True) as reader,
        pytest.raises(LibraryError, match="more after the document"),
    ):
        reader.send_log(DIGEST)


def test_a_compaction_that_fails_half_way_changes_no_state(library_path: Path) -> None:
    """A real error after the scratch file is full: the summary's temporary file cannot be made."""
    records = first_run()
    with TinyDBLibrary(library_path) as lib:
        record_all(lib, records[: PEOPLE + 100])
        lib.compact_send_log(DIGEST)
        record_all(lib, records[PEOPLE + 100 :])
        expected = lib.send_log(DIGEST)
        before = {p.name: p.read_bytes() for p in folder_of(library_path).iterdir()}
        summary = summary_of(library_path)
        blocker = summary.with_name(f".{summary.name}.{os.getpid()}.tmp")
        blocker.mkdir()  # where atomic_write_bytes writes the new summary
        with pytest.raises(LibraryError) as error:
            lib.compact_send_log(DIGEST)
        message = str(error.value)
        assert message.startswith(f"could not write the send log of digest {DIGEST} ")
        assert str(summary) in message
        blocker.rmdir()
        assert {p.name: p.read_bytes() for p in folder_of(library_path).iterdir()} == before
        assert lib.send_log(DIGEST) == expected and lib.send_log_ids() == [DIGEST]
        lib.record_send([entry(0, "uncertain")])  # recording goes on after it
        expected[0] = {**expected[0], "state": "uncertain"}
        lib.compact_send_log(DIGEST)
        assert lib.send_log(DIGEST) == expected
        assert summary.read_bytes() == summary_bytes(expected)
        assert sorted(p.name for p in folder_of(library_path).iterdir()) == [summary.name]


@pytest.mark.parametrize("leftover", ["junk", "half-made"])
def test_a_scratch_file_left_by_a_crash_is_never_read_and_the_next_writer_removes_it(
    library_path: Path, leftover: str
) -> None:
    records = first_run()
    with TinyDBLibrary(library_path) as lib:
        record_all(lib, records)
        expected = lib.send_log(DIGEST)
    scratch = scratch_of(library_path)
    if leftover == "junk":
        scratch.write_bytes(b"not a database \x00\xff" * 100)
    else:  # a compaction that died with the merged table half-filled, and wrong
        with sqlite3.connect(scratch) as db:
            db.execute("CREATE TABLE merged (seq INTEGER PRIMARY KEY, recipient TEXT, entry BLOB)")
            db.execute("INSERT INTO merged VALUES (1, 'r00000@x.org', '{\"state\":\"x\"}')")
        db.close()
    with TinyDBLibrary(library_path, read_only=True) as reader:
        assert reader.send_log(DIGEST) == expected and reader.send_log_ids() == [DIGEST]
    assert scratch.exists()  # a read-only open removes nothing
    with TinyDBLibrary(library_path) as lib:
        lib.compact_send_log(DIGEST)
        assert not scratch.exists()
        assert lib.send_log(DIGEST) == expected
        assert summary_of(library_path).read_bytes() == summary_bytes(expected)
    scratch.write_bytes(b"junk")
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry(0, "uncertain")])  # a writer's first append removes it too
        assert not scratch.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_the_scratch_file_is_private_and_removed_whatever_happens(tmp_path: Path) -> None:
    path = tmp_path / ".d.compacting"
    old = os.umask(0o022)
    try:
        with pytest.raises(sqlite3.Error), Scratch(path) as scratch:
            scratch.open()
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            scratch.add([{"recipient": "a@x.org", "state": "queued"}])
            scratch.db.execute("SELECT * FROM no_such_table")
    finally:
        os.umask(old)
    assert not path.exists()
