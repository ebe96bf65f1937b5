"""`newsdigest library copy` as real processes: TinyDB -> PostgreSQL -> TinyDB loses nothing.

The source is the sample library (``newsdigest sample``) with the fixture's January
items, the theme and SMTP settings, a saved digest, and that digest sent by a real
``newsdigest send`` to an aiosmtpd on loopback (its send log). The PostgreSQL tests use
the session's throwaway cluster and skip, saying why, when there is no PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.postgres_cluster import Cluster
from helpers.send_servers import (
    ROOT,
    Handler,
    make_library,
    run_cli,
    sender_env,
    smtp_server,
    write_recipients,
)

from composer.library.copying import unstamped

pytestmark = pytest.mark.slow

DIGEST_ID = "d-picks"


def newsdigest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "composer", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=ROOT,
        env=sender_env(),
    )


def held(target: Path | str) -> dict[str, object]:
    """What a library holds, read by the library API (digests without their store stamps)."""
    from store import open_library

    library = open_library(target, read_only=True)
    try:
        return {
            "digests": [unstamped(d) for d in library.digests()],
            "settings": library.settings(),
            "send_logs": {d: library.send_log(d) for d in library.send_log_ids()},
        }
    finally:
        library.close()


def items_json(target: Path | str) -> str:
    result = newsdigest("--library", str(target), "items", "--json")
    assert result.returncode == 0, result.stderr
    return result.stdout


def item_ids(target: Path | str) -> list[str]:
    return [str(item["id"]) for item in json.loads(items_json(target))]


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def source(tmp_path: Path, server: tuple[Handler, int]) -> Path:
    """The sample library, a saved digest, and its send log from a real list send."""
    from composer.digest.model import Section, make_digest
    from store import open_library

    handler, port = server
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0, "timeout": 5}
    path = make_library(tmp_path / "source.json", smtp)
    sample = newsdigest("--library", str(path), "sample")
    assert sample.returncode == 0, sample.stderr
    library = open_library(path)
    try:
        picks = [item.id for item in library.items()[:3]]
        library.save_digest(
            make_digest(
                digest_id=DIGEST_ID, title="Our picks", sections=[Section("Picks", tuple(picks))]
            ).to_dict()
        )
    finally:
        library.close()
    recipients = tmp_path / "recipients.csv"
    write_recipients(recipients, 4)
    sent = run_cli(path, "send", "--digest", DIGEST_ID, "--to-file", str(recipients), "--yes")
    assert sent.returncode == 0, sent.stderr
    assert len(handler.messages()) == 4
    return path


@pytest.fixture
def database(postgres_cluster: Cluster) -> Iterator[str]:
    name = postgres_cluster.create_database(prefix="copy")
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)


def test_a_round_trip_through_postgresql_loses_nothing(
    tmp_path: Path, source: Path, database: str
) -> None:
    there = newsdigest("library", "copy", str(source), database)
    assert there.returncode == 0, there.stderr
    assert "1 send log (4 recipient entries)" in there.stdout
    assert (
        "  1 digest (it keeps who saved it last and when; its version starts again at 1 here)\n"
        in there.stdout
    )
    back_path = tmp_path / "back" / "library.json"
    back = newsdigest("library", "copy", database, str(back_path))
    assert back.returncode == 0, back.stderr

    expected_items = items_json(source)
    assert expected_items.count('"id"') > 48  # the sample and the January items
    assert items_json(database) == expected_items
    assert items_json(back_path) == expected_items
    expected = held(source)
    assert list(expected["send_logs"]) == [DIGEST_ID]  # type: ignore[call-overload]
    assert [d["id"] for d in expected["digests"]] == [DIGEST_ID]  # type: ignore[attr-defined]
    assert held(database) == expected
    assert held(back_path) == expected
    states = {str(e["recipient"]): e["state"] for e in expected["send_logs"][DIGEST_ID]}  # type: ignore[index]
    assert set(states.values()) == {"sent"} and len(states) == 4


def test_a_destination_that_is_not_empty_is_refused_and_nothing_written(
    tmp_path: Path, source: Path, database: str
) -> None:
    assert newsdigest("library", "copy", str(source), database).returncode == 0
    before_db = (items_json(database), held(database))
    again = newsdigest("library", "copy", str(source), database)
    assert again.returncode == 1
    assert "is not empty" in again.stderr and "--merge" in again.stderr
    assert "Traceback" not in again.stderr and again.stdout == ""
    assert (items_json(database), held(database)) == before_db

    other = tmp_path / "other.json"
    assert newsdigest("--library", str(other), "sample").returncode == 0
    before_file = other.read_bytes()
    refused = newsdigest("library", "copy", str(source), str(other))
    assert refused.returncode == 1 and "it holds 48 items" in refused.stderr
    assert other.read_bytes() == before_file
    assert not (tmp_path / "other.sendlogs").exists()


def test_merge_adds_what_the_destination_lacks_and_keeps_what_it_has(
    tmp_path: Path, source: Path
) -> None:
    from store import open_library

    dest = tmp_path / "office.json"
    assert newsdigest("--library", str(dest), "sample").returncode == 0
    merged = newsdigest("library", "copy", str(source), str(dest), "--merge")
    assert merged.returncode == 0, merged.stderr
    assert "48 items: the destination has these stories already" in merged.stdout
    # the sample was there (its own, added at another moment: kept), the rest came
    assert item_ids(dest) == item_ids(source)
    assert held(dest) == held(source)

    # a different digest under the same id is refused by name, the rest still copied
    library = open_library(dest)
    try:
        library.save_digest({**unstamped(library.get_digest(DIGEST_ID) or {}), "title": "Theirs"})
    finally:
        library.close()
    again = newsdigest("library", "copy", str(source), str(dest), "--merge")
    assert again.returncode == 1
    assert f"digest {DIGEST_ID}: the destination has a different digest" in again.stdout
    assert "refused" in again.stderr
    assert held(dest)["digests"][0]["title"] == "Theirs"  # type: ignore[index]


def test_an_empty_or_missing_source_is_refused_and_no_destination_is_made(tmp_path: Path) -> None:
    result = newsdigest("library", "copy", str(tmp_path / "nothere.json"), str(tmp_path / "d.json"))
    assert result.returncode == 1 and "holds nothing to copy" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


HOLD_AS_SEND = r"""
import sys
from composer.repository import Holder
from store import open_library
library = open_library(sys.argv[1], holder=Holder("command", command="newsdigest send"))
print("holding", flush=True)
sys.stdin.read()
library.close()
"""


def test_a_source_a_send_is_writing_is_refused_and_copied_once_it_is_over(
    tmp_path: Path,
) -> None:
    path = make_library(tmp_path / "source.json")
    dest = tmp_path / "copy.json"
    sender = subprocess.Popen(  # a real second process, holding it as a running send does
        [sys.executable, "-c", HOLD_AS_SEND, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert sender.stdout is not None and sender.stdout.readline().strip() == "holding"
        refused = newsdigest("library", "copy", str(path), str(dest))
        assert refused.returncode == 1, refused.stderr
        assert f"a command-line `newsdigest send` (process {sender.pid}" in refused.stderr
        assert "copy it once that run is over" in refused.stderr
        assert "Traceback" not in refused.stderr and not dest.exists()
        assert sender.poll() is None  # the probe took nothing from it
    finally:
        sender.communicate(input="", timeout=30)
    copied = newsdigest("library", "copy", str(path), str(dest))
    assert copied.returncode == 0, copied.stderr
    assert item_ids(dest) == item_ids(path)


def saved_by(target: Path | str) -> dict[str, tuple[object, object, object]]:
    """Each digest's stamp as its store gives it: (who saved it last, when, version)."""
    from store import open_library

    library = open_library(target, read_only=True)
    try:
        return {
            str(d["id"]): (d["updated_by"], d["updated_at"], d["version"])
            for d in library.digests()
        }
    finally:
        library.close()


def test_copied_digests_keep_who_saved_them_and_when_through_postgresql(
    tmp_path: Path, database: str
) -> None:
    """file -> PostgreSQL -> file: each digest's saver and time as the first file has them;
    the version is each library's own count of saves (1 in a library the copy made)."""
    from composer.digest.model import make_digest
    from store import open_library

    path = tmp_path / "source.json"
    library = open_library(path)
    try:
        ours = make_digest(digest_id="d-ours", title="Saved here").to_dict()
        library.save_digest(ours)
        library.save_digest(ours)  # saved twice here: version 2
        theirs = make_digest(digest_id="d-theirs", title="Saved by Ann").to_dict()
        theirs |= {"updated_by": "ann@office-2", "updated_at": "2025-03-04T08:09:10+00:00"}
        library.save_digest(theirs, keep_saver=True)  # as a copy from Ann's library made it
    finally:
        library.close()
    source = saved_by(path)
    assert source["d-theirs"] == ("ann@office-2", "2025-03-04T08:09:10+00:00", 1)
    assert source["d-ours"][2] == 2

    there = newsdigest("library", "copy", str(path), database)
    assert there.returncode == 0, there.stderr
    assert (
        "  2 digests (each keeps who saved it last and when; its version starts again at 1 "
        "here)\n" in there.stdout
    )
    back_path = tmp_path / "back.json"
    back = newsdigest("library", "copy", database, str(back_path))
    assert back.returncode == 0, back.stderr

    def who_and_when(stamps: dict[str, tuple[object, object, object]]) -> dict[str, object]:
        return {digest_id: stamp[:2] for digest_id, stamp in stamps.items()}

    assert who_and_when(saved_by(database)) == who_and_when(source)
    assert who_and_when(saved_by(back_path)) == who_and_when(source)
    assert {stamp[2] for stamp in saved_by(back_path).values()} == {1}
