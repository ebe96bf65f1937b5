"""What only the TinyDB store does: one durable write per batch, the file's format, damage,
migrations, read-only opens of no file, send logs in their own files, where the library is.

What every Library must do, the TinyDB store included, is ``test_library_contract.py``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import orjson
import pytest

from composer.errors import LibraryError
from composer.library.item import make_item
from store import migrations as mig
from store import open_library, resolve_library_path
from store.tinydb_library import TinyDBLibrary


def item(n: int, **extra: object):
    fields = {
        "title": f"Story number {n}",
        "date": dt.date(2023, 1, 1) + dt.timedelta(days=n % 300),
        "category": ("Project News", "In Focus", "Press Release")[n % 3],
        "summary": f"Summary of story {n}.",
        "url": f"https://example.org/news/{n}",
        "tags": ["one", "two"],
    }
    fields.update(extra)
    return make_item(fields)


def test_an_import_batch_is_one_write_and_reimporting_adds_nothing(library_path: Path) -> None:
    batch = [item(n) for n in range(200)]
    with TinyDBLibrary(library_path) as lib:
        assert lib.write_count == 0
        result = lib.add_items(batch)
        assert (len(result.new), len(result.existing), lib.write_count) == (200, 0, 1)
        again = lib.add_items(batch)
        assert (len(again.new), len(again.existing), lib.write_count) == (0, 200, 1)
    with TinyDBLibrary(library_path) as lib:
        assert len(lib.items()) == 200


def test_the_file_is_compact_json_that_other_tools_can_read(library_path: Path) -> None:
    with TinyDBLibrary(library_path) as lib:
        lib.add_items([item(7)])
    data = json.loads(library_path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == mig.SCHEMA_VERSION
    (doc,) = data["items"].values()
    assert doc["title"] == "Story number 7"
    assert doc["date"] == item(7).date.isoformat()
    assert not list(library_path.parent.glob(".*.tmp"))


def test_a_damaged_file_is_reported_and_left_byte_for_byte(library_path: Path) -> None:
    library_path.write_bytes(b'{"items": {"1": {"title": "half a fi')
    before = library_path.read_bytes()
    with pytest.raises(LibraryError, match="damaged") as info:
        TinyDBLibrary(library_path)
    assert str(library_path) in str(info.value)
    assert library_path.read_bytes() == before
    # the lock was released: once repaired, the library opens
    library_path.write_bytes(b"")
    TinyDBLibrary(library_path).close()


def test_json_of_another_shape_is_not_taken_for_a_library(library_path: Path) -> None:
    library_path.write_text("[1, 2, 3]", encoding="utf-8")
    with pytest.raises(LibraryError, match="not a Newsdigest library"):
        TinyDBLibrary(library_path)


def test_a_version_0_file_is_backed_up_then_migrated(library_path: Path) -> None:
    legacy = {
        "items": {
            "1": {
                "id": item(1).id,
                "title": "Legacy story",
                "category": "In Focus",
                "date": "2022-12-01",
                "tags": "migration, borders",
                "created": "2022-12-02T10:00:00+00:00",
                "updated": "2022-12-02T10:00:00+00:00",
            }
        }
    }
    library_path.write_text(json.dumps(legacy), encoding="utf-8")
    before = library_path.read_bytes()
    with TinyDBLibrary(library_path) as lib:
        (backup,) = lib.backups
        (migrated,) = lib.items()
    assert backup.read_bytes() == before
    assert backup.name.startswith("library.v0-backup-")
    assert migrated.tags == ("migration", "borders")
    assert migrated.summary == ""
    data = orjson.loads(library_path.read_bytes())
    assert data["meta"]["1"]["schema_version"] == mig.SCHEMA_VERSION
    assert set(mig.TABLES) <= set(data)
    with TinyDBLibrary(library_path) as lib:  # no second migration, no second backup
        assert lib.backups == []


def test_migrations_run_in_order_and_record_each_version() -> None:
    ran: list[int] = []

    def step(n: int):
        def apply(tables: mig.Tables) -> None:
            assert mig.schema_version(tables) == n - 1
            ran.append(n)

        return apply

    chain = [mig.Migration(n, f"step {n}", step(n)) for n in (3, 1, 2)]
    tables: mig.Tables = {}
    assert [m.to for m in mig.migrate(tables, chain)] == [1, 2, 3]
    assert ran == [1, 2, 3]
    assert mig.schema_version(tables) == 3
    assert mig.migrate(tables, chain) == []


def test_a_failing_migration_leaves_the_file_as_it_was(library_path: Path) -> None:
    library_path.write_text('{"items": {"1": {"tags": 5}}, "meta": {}}', encoding="utf-8")

    def broken(tables: mig.Tables) -> None:
        raise KeyError("summary")

    with pytest.raises(LibraryError, match="could not upgrade"):
        mig.migrate(orjson.loads(library_path.read_bytes()), [mig.Migration(1, "x", broken)])


def test_a_library_from_a_newer_version_is_refused_untouched(library_path: Path) -> None:
    library_path.write_text('{"meta": {"1": {"schema_version": 99}}}', encoding="utf-8")
    before = library_path.read_bytes()
    with pytest.raises(LibraryError, match="newer Newsdigest"):
        TinyDBLibrary(library_path)
    assert library_path.read_bytes() == before


def test_a_hand_edited_broken_item_is_reported_not_dropped(library_path: Path) -> None:
    with TinyDBLibrary(library_path) as lib:
        lib.add_items([item(1), item(2)])
    data = orjson.loads(library_path.read_bytes())
    first = next(iter(data["items"].values()))
    first["date"] = "2023-02-30"
    library_path.write_bytes(orjson.dumps(data))
    with TinyDBLibrary(library_path) as lib:
        assert len(lib.items()) == 1
        assert lib.problems and "not a real date" in lib.problems[0]
    assert "2023-02-30" in library_path.read_text(encoding="utf-8")


def test_read_only_open_creates_nothing_and_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "library.json"
    lib = open_library(path, read_only=True)
    assert lib.items() == [] and lib.read_only
    with pytest.raises(LibraryError, match="read-only"):
        lib.add_items([item(1)])
    lib.close()
    assert not path.exists()


def test_send_log_entries_are_upserted_per_recipient_in_their_own_file(
    library_path: Path,
) -> None:
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([{"digest_id": "d/1", "recipient": "a@example.org", "state": "queued"}])
        before = lib.write_count
        lib.record_send(
            [
                {"digest_id": "d/1", "recipient": "a@example.org", "state": "sent"},
                {"digest_id": "d/1", "recipient": "b@example.org", "state": "queued"},
            ]
        )
        assert lib.write_count == before  # the library file itself was not rewritten
    with TinyDBLibrary(library_path) as lib:
        log = {e["recipient"]: e["state"] for e in lib.send_log("d/1")}
        assert log == {"a@example.org": "sent", "b@example.org": "queued"}
        assert lib.send_log("other") == []
    # beside the library: the digest's journal, folded into its summary at compaction
    logs = library_path.parent / "library.sendlogs"
    assert (logs / "d_1.journal").exists() and not (logs / "d_1.json").exists()
    with TinyDBLibrary(library_path) as lib:
        lib.compact_send_log("d/1")
        assert {e["recipient"]: e["state"] for e in lib.send_log("d/1")} == log
    assert (logs / "d_1.json").exists() and not (logs / "d_1.journal").exists()


def test_library_location_comes_from_argument_environment_or_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDIGEST_LIBRARY", str(tmp_path / "env.json"))
    assert resolve_library_path() == tmp_path / "env.json"
    assert resolve_library_path(tmp_path / "arg.json") == tmp_path / "arg.json"
    assert resolve_library_path(tmp_path) == tmp_path / "library.json"
    monkeypatch.delenv("NEWSDIGEST_LIBRARY")
    default = resolve_library_path()
    assert default.name == "library.json" and "ewsdigest" in str(default)
