"""The send log behind the Library interface: a contract for every backend, then the journal.

The contract tests run on every backend of :mod:`helpers.library_backends` (the TinyDB
store on real files in ``tmp_path``, the in-memory library the other tests use), as
the rest of the Library contract does (``tests/store/test_library_contract.py``).
The rest checks the TinyDB store's append-only journal on disk: appends never
rewrite, a torn tail is recovered, damage is reported and left as it is, compaction
survives a crash, files are private, read-only opens write nothing, and a full disk
is reported as what it is.
"""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from helpers.library_backends import BACKENDS, Backend, backend_for
from tinydb import TinyDB

from composer.errors import LibraryError, SendLockedError
from composer.repository import Holder, JSONDict, Library
from store.tinydb_library import TinyDBLibrary

DIGEST = "month-2023-01"
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def entry(recipient: str, state: str, digest: str = DIGEST, **fields: object) -> JSONDict:
    return {"digest_id": digest, "recipient": recipient, "state": state, **fields}


def states(library: Library, digest: str = DIGEST) -> dict[str, str]:
    return {str(e["recipient"]): str(e["state"]) for e in library.send_log(digest)}


def by_recipient(library: Library, digest: str = DIGEST) -> dict[str, JSONDict]:
    return {str(e["recipient"]): e for e in library.send_log(digest)}


# -- the contract: every backend ---------------------------------------------------------------
@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from backend_for(request.param, tmp_path)


@pytest.fixture
def library(backend: Backend) -> Library:
    return backend.open()


def test_a_digest_never_sent_has_an_empty_log(library: Library) -> None:
    assert library.send_log(DIGEST) == []
    library.compact_send_log(DIGEST)  # nothing to fold: fine
    assert library.send_log(DIGEST) == []


def test_a_later_record_updates_the_recipients_entry_and_keeps_its_other_keys(
    library: Library,
) -> None:
    library.record_send([entry("a@x.org", "queued", queued_at="t0"), entry("b@x.org", "queued")])
    library.record_send([entry("a@x.org", "sending", sending_at="t1", attempts=1)])
    library.record_send([entry("a@x.org", "sent", sent_at="t2", attempts=1)])
    log = by_recipient(library)
    assert log["a@x.org"] == entry(
        "a@x.org", "sent", queued_at="t0", sending_at="t1", attempts=1, sent_at="t2"
    )
    assert log["b@x.org"] == entry("b@x.org", "queued")
    assert len(library.send_log(DIGEST)) == 2


def test_each_digest_has_its_own_log(library: Library) -> None:
    library.record_send([entry("a@x.org", "sent"), entry("a@x.org", "queued", digest="other")])
    assert states(library) == {"a@x.org": "sent"}
    assert states(library, "other") == {"a@x.org": "queued"}


def test_the_log_hands_out_copies_and_keeps_none_of_the_callers_objects(
    library: Library,
) -> None:
    recorded = entry("a@x.org", "queued", tags=["x"])
    library.record_send([recorded])
    recorded["state"] = "changed by the caller"
    recorded["tags"].append("y")  # type: ignore[attr-defined]
    first = library.send_log(DIGEST)
    first[0]["state"] = "changed again"
    first[0]["tags"].append("z")
    assert library.send_log(DIGEST) == [entry("a@x.org", "queued", tags=["x"])]


def test_an_entry_without_its_digest_or_recipient_is_refused(library: Library) -> None:
    with pytest.raises(LibraryError, match="needs a digest_id and a recipient"):
        library.record_send([{"digest_id": DIGEST, "state": "queued"}])
    with pytest.raises(LibraryError, match="needs a digest_id and a recipient"):
        library.record_send([{"recipient": "a@x.org", "state": "queued"}])
    assert library.send_log(DIGEST) == []


def test_compaction_keeps_every_state_and_recording_goes_on_after_it(library: Library) -> None:
    library.record_send([entry(f"r{n}@x.org", "queued") for n in range(20)])
    library.record_send([entry(f"r{n}@x.org", "sent", n=n) for n in range(0, 20, 3)])
    before = library.send_log(DIGEST)
    library.compact_send_log(DIGEST)
    assert library.send_log(DIGEST) == before
    library.compact_send_log(DIGEST)  # twice in a row: the same
    assert library.send_log(DIGEST) == before
    library.record_send([entry("r1@x.org", "failed"), entry("new@x.org", "queued")])
    after = states(library)
    assert after["r1@x.org"] == "failed" and after["new@x.org"] == "queued"
    assert after["r3@x.org"] == "sent" and len(after) == 21


def test_a_second_sender_of_one_digest_is_refused_with_its_holder_named(
    backend: Backend, library: Library
) -> None:
    if backend.name == "postgres":
        pytest.skip("a database lets a second sender join (the contract suite's sender test)")
    first = Holder(role="command", command="newsdigest send")
    with library.send_lock(DIGEST, first):
        with (
            pytest.raises(SendLockedError) as refused,
            library.send_lock(DIGEST, Holder(role="window")),
        ):
            pytest.fail("a second sender of the same digest got the lock")
        message = str(refused.value)
        assert DIGEST in message and "`newsdigest send`" in message
        assert f"process {os.getpid()}" in message
        with library.send_lock("another-digest", Holder(role="window")):
            pass  # another digest is not affected
    with library.send_lock(DIGEST, Holder(role="window")):
        pass  # released with the first run


def test_a_worker_thread_records_while_another_reads(library: Library) -> None:
    count = 200
    seen: list[int] = []
    done = threading.Event()
    errors: list[BaseException] = []

    def send() -> None:
        try:
            for n in range(count):
                library.record_send([entry(f"r{n:03d}@x.org", "sending")])
                library.record_send([entry(f"r{n:03d}@x.org", "sent")])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            done.set()

    worker = threading.Thread(target=send)
    worker.start()
    while not done.is_set():
        log = states(library)
        assert set(log.values()) <= {"sending", "sent"}
        assert sum(state == "sending" for state in log.values()) <= 1
        seen.append(len(log))
    worker.join()
    assert not errors
    assert seen == sorted(seen)  # a reader never sees the log go back
    assert states(library) == {f"r{n:03d}@x.org": "sent" for n in range(count)}


# -- the TinyDB store's journal on disk ---------------------------------------------------------
def log_folder(library_path: Path) -> Path:
    return library_path.with_name(library_path.stem + ".sendlogs")


def journal_of(library_path: Path, digest: str = DIGEST) -> Path:
    return log_folder(library_path) / f"{digest}.journal"


def summary_of(library_path: Path, digest: str = DIGEST) -> Path:
    return log_folder(library_path) / f"{digest}.json"


def journal_lines(path: Path) -> list[JSONDict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file's bytes, mode and modification time: what a read-only open must not touch."""
    found: dict[str, tuple[bytes, int, int]] = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        data = path.read_bytes() if path.is_file() else b""
        found[str(path.relative_to(folder))] = (data, st.st_mode, st.st_mtime_ns)
    return found


def test_records_are_appended_to_the_journal_never_rewritten(library_path: Path) -> None:
    journal = journal_of(library_path)
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry(f"r{n}@x.org", "queued") for n in range(50)])
        writes, inode, before = lib.write_count, journal.stat().st_ino, journal.read_bytes()
        for n in range(50):
            lib.record_send([entry(f"r{n}@x.org", "sending")])
            now = journal.read_bytes()
            assert now.startswith(before) and now.endswith(b"\n") and len(now) > len(before)
            assert now.count(b"\n") == before.count(b"\n") + 1  # one line per record
            before = now
        assert journal.stat().st_ino == inode and lib.write_count == writes
        assert not summary_of(library_path).exists()  # written at compaction only
    records = journal_lines(journal)
    assert len(records) == 100
    assert records[-1] == entry("r49@x.org", "sending")


def test_a_torn_last_line_is_ignored_then_cut_before_the_next_record(
    library_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    journal = journal_of(library_path)
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry("a@x.org", "sent"), entry("b@x.org", "sending")])
    whole = journal.read_bytes()
    with journal.open("ab") as handle:  # a crash in the middle of the next write
        handle.write(b'{"digest_id": "month-2023-01", "recipient": "b@x.org", "sta')
    with caplog.at_level(logging.WARNING, logger="store.send_journal"):
        with TinyDBLibrary(library_path, read_only=True) as reader:
            assert states(reader) == {"a@x.org": "sent", "b@x.org": "sending"}
        assert "incomplete last line" in caplog.text
        assert journal.read_bytes().startswith(whole) and len(journal.read_bytes()) > len(whole)
        with TinyDBLibrary(library_path) as lib:
            assert states(lib) == {"a@x.org": "sent", "b@x.org": "sending"}
            lib.record_send([entry("b@x.org", "uncertain")])
    assert journal.read_bytes() == whole + orjson.dumps(entry("b@x.org", "uncertain")) + b"\n"
    with TinyDBLibrary(library_path, read_only=True) as reader:
        assert states(reader) == {"a@x.org": "sent", "b@x.org": "uncertain"}


def test_a_last_record_that_lost_only_its_newline_is_kept(library_path: Path) -> None:
    journal = journal_of(library_path)
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry("a@x.org", "queued")])
    with journal.open("ab") as handle:
        handle.write(orjson.dumps(entry("a@x.org", "sending")))  # no newline
    with TinyDBLibrary(library_path) as lib:
        assert states(lib) == {"a@x.org": "sending"}
        lib.record_send([entry("b@x.org", "queued")])
    assert [r["state"] for r in journal_lines(journal)] == ["queued", "sending", "queued"]
    with TinyDBLibrary(library_path) as lib:
        assert states(lib) == {"a@x.org": "sending", "b@x.org": "queued"}


def test_a_sending_state_survives_a_process_that_dies_without_closing(
    library_path: Path,
) -> None:
    script = textwrap.dedent(
        f"""
        import os, sys
        from store.tinydb_library import TinyDBLibrary
        lib = TinyDBLibrary(sys.argv[1])
        lib.record_send([{entry("a@x.org", "queued")!r}, {entry("b@x.org", "queued")!r}])
        lib.record_send([{entry("a@x.org", "sent")!r}])
        lib.record_send([{entry("b@x.org", "sending", message_id="<m@x>")!r}])
        os._exit(9)  # no close, no compaction, no flush of anything Python buffers
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(library_path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 9, done.stderr
    with TinyDBLibrary(library_path) as lib:
        log = by_recipient(lib)
        assert log["a@x.org"]["state"] == "sent"
        assert log["b@x.org"]["state"] == "sending" and log["b@x.org"]["message_id"] == "<m@x>"


def test_a_damaged_line_in_the_middle_is_reported_and_the_file_left_as_it_is(
    library_path: Path,
) -> None:
    journal = journal_of(library_path)
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry(f"r{n}@x.org", "queued") for n in range(3)])
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = b'{"digest_id": "month-2023-01", "recip\x00\x00\n'
    journal.write_bytes(b"".join(lines))
    damaged = journal.read_bytes()
    for read_only in (True, False):
        with TinyDBLibrary(library_path, read_only=read_only) as lib:
            with pytest.raises(LibraryError) as error:
                lib.send_log(DIGEST)
            assert str(journal) in str(error.value) and "line 2" in str(error.value)
            assert "damaged" in str(error.value)
            if not read_only:
                with pytest.raises(LibraryError, match="line 2"):
                    lib.record_send([entry("r9@x.org", "queued")])
                with pytest.raises(LibraryError, match="line 2"):
                    lib.compact_send_log(DIGEST)
        assert journal.read_bytes() == damaged
    assert not summary_of(library_path).exists()


def test_a_damaged_summary_is_reported_with_its_path(library_path: Path) -> None:
    summary = summary_of(library_path)
    summary.parent.mkdir()
    summary.write_bytes(b'{"entries": {"1": {"recipient": "a@x.org"')
    with TinyDBLibrary(library_path) as lib:
        with pytest.raises(LibraryError, match="damaged") as error:
            lib.send_log(DIGEST)
        assert str(summary) in str(error.value)
    assert summary.read_bytes() == b'{"entries": {"1": {"recipient": "a@x.org"'


def test_a_crash_between_summary_and_journal_removal_replays_to_the_same_states(
    library_path: Path,
) -> None:
    journal, summary = journal_of(library_path), summary_of(library_path)
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry(f"r{n}@x.org", "queued", queued_at="t0") for n in range(10)])
        for n in range(10):
            lib.record_send([entry(f"r{n}@x.org", "sending", sending_at="t1")])
            lib.record_send([entry(f"r{n}@x.org", "failed" if n % 4 == 0 else "sent")])
        expected = by_recipient(lib)
        kept = journal.read_bytes()
        lib.compact_send_log(DIGEST)
        assert summary.exists() and not journal.exists()
        assert by_recipient(lib) == expected
    journal.write_bytes(kept)  # as if the process died before it removed the journal
    with TinyDBLibrary(library_path) as lib:
        assert by_recipient(lib) == expected
        lib.compact_send_log(DIGEST)
        assert by_recipient(lib) == expected and not journal.exists()
        lib.record_send([entry("r1@x.org", "uncertain")])
        assert journal_lines(journal) == [entry("r1@x.org", "uncertain")]  # a new journal
    with TinyDBLibrary(library_path) as lib:
        assert by_recipient(lib) == {
            **expected,
            "r1@x.org": {**expected["r1@x.org"], "state": "uncertain"},
        }


def test_a_log_written_by_an_older_version_reads_and_stays_readable(library_path: Path) -> None:
    summary = summary_of(library_path)
    summary.parent.mkdir()
    with TinyDB(summary) as old:  # the old layout: a TinyDB file of entries, nothing else
        old.table("entries").insert_multiple(
            [entry("a@x.org", "sent", code=250), entry("b@x.org", "queued")]
        )
    with TinyDBLibrary(library_path) as lib:
        assert states(lib) == {"a@x.org": "sent", "b@x.org": "queued"}
        lib.record_send([entry("b@x.org", "sent", code=250)])
        assert by_recipient(lib)["b@x.org"] == entry("b@x.org", "sent", code=250)
        lib.compact_send_log(DIGEST)
    with TinyDB(summary) as reread:  # the summary is still a TinyDB document
        assert {d["recipient"]: d["state"] for d in reread.table("entries")} == {
            "a@x.org": "sent",
            "b@x.org": "sent",
        }


def test_a_reader_in_another_open_follows_a_writer(library_path: Path) -> None:
    with TinyDBLibrary(library_path) as writer:
        writer.record_send([entry("a@x.org", "queued")])
        with TinyDBLibrary(library_path, read_only=True) as reader:
            assert states(reader) == {"a@x.org": "queued"}
            writer.record_send([entry("a@x.org", "sent"), entry("b@x.org", "queued")])
            assert states(reader) == {"a@x.org": "sent", "b@x.org": "queued"}
            writer.compact_send_log(DIGEST)
            assert states(reader) == {"a@x.org": "sent", "b@x.org": "queued"}
            writer.record_send([entry("b@x.org", "failed")])
            assert states(reader) == {"a@x.org": "sent", "b@x.org": "failed"}


def test_read_only_opens_create_write_and_truncate_nothing(library_path: Path) -> None:
    TinyDBLibrary(library_path).close()
    with TinyDBLibrary(library_path, read_only=True) as reader:
        assert reader.send_log(DIGEST) == []
        with pytest.raises(LibraryError, match="read-only"):
            reader.record_send([entry("a@x.org", "queued")])
    assert not log_folder(library_path).exists()
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry("a@x.org", "sent")])
        lib.compact_send_log(DIGEST)
        lib.record_send([entry("b@x.org", "sending")])
    with journal_of(library_path).open("ab") as handle:
        handle.write(b'{"recipient": "b@x')  # a torn tail a writer would cut
    before = snapshot(library_path.parent)
    with TinyDBLibrary(library_path, read_only=True) as reader:
        assert states(reader) == {"a@x.org": "sent", "b@x.org": "sending"}
        with pytest.raises(LibraryError, match="read-only"):
            reader.record_send([entry("a@x.org", "queued")])
        with pytest.raises(LibraryError, match="read-only"):
            reader.compact_send_log(DIGEST)
        with pytest.raises(LibraryError, match="read-only"):
            reader.send_lock(DIGEST, Holder(role="command", command="newsdigest send"))
    assert snapshot(library_path.parent) == before


def test_an_entry_that_is_not_json_is_refused_and_nothing_is_written(library_path: Path) -> None:
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry("a@x.org", "queued")])
        before = journal_of(library_path).read_bytes()
        with pytest.raises(LibraryError, match="cannot be stored"):
            lib.record_send([entry("a@x.org", "sent"), entry("b@x.org", "queued", when=object())])
        assert journal_of(library_path).read_bytes() == before
        assert states(lib) == {"a@x.org": "queued"}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_journal_summary_and_folder_are_private_and_older_ones_tightened(
    library_path: Path,
) -> None:
    old = os.umask(0o022)
    try:
        with TinyDBLibrary(library_path) as lib:
            lib.record_send([entry("a@x.org", "queued")])
            assert mode(journal_of(library_path)) == 0o600
            lib.compact_send_log(DIGEST)
            lib.record_send([entry("a@x.org", "sent")])
    finally:
        os.umask(old)
    folder = log_folder(library_path)
    assert mode(folder) == 0o700
    assert mode(summary_of(library_path)) == 0o600 and mode(journal_of(library_path)) == 0o600
    for path, loose in ((folder, 0o755), (summary_of(library_path), 0o644)):
        path.chmod(loose)
    journal_of(library_path).chmod(0o644)
    with TinyDBLibrary(library_path, read_only=True) as reader:
        reader.send_log(DIGEST)
    assert mode(journal_of(library_path)) == 0o644  # a read-only open changes nothing
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry("b@x.org", "queued")])  # opened for writing: tightened
    assert mode(folder) == 0o700
    assert mode(summary_of(library_path)) == 0o600 and mode(journal_of(library_path)) == 0o600


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_names_the_send_log_and_its_path_and_changes_no_state(
    library_path: Path,
) -> None:
    journal = journal_of(library_path)
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry("a@x.org", "sent"), entry("b@x.org", "queued")])
        lib.compact_send_log(DIGEST)
        summary = summary_of(library_path).read_bytes()
        journal.symlink_to("/dev/full")  # every write to it: ENOSPC, as on a full disk
        with pytest.raises(LibraryError) as error:
            lib.record_send([entry("b@x.org", "sending")])
        message = str(error.value)
        assert message.startswith(f"could not write the send log of digest {DIGEST} ")
        assert str(journal) in message and "No space left on device" in message
        assert "could not save the library" not in message
        assert states(lib) == {"a@x.org": "sent", "b@x.org": "queued"}
        with pytest.raises(LibraryError, match="No space left on device"):
            lib.record_send([entry("b@x.org", "sending")])  # and again, the same
        assert states(lib) == {"a@x.org": "sent", "b@x.org": "queued"}
    assert summary_of(library_path).read_bytes() == summary
    with TinyDBLibrary(library_path, read_only=True) as reader:
        assert states(reader) == {"a@x.org": "sent", "b@x.org": "queued"}


@pytest.mark.skipif(os.name == "nt", reason="file-size limits are POSIX (resource)")
def test_a_write_that_fails_half_way_is_cut_back_to_the_records_before_it(
    library_path: Path,
) -> None:
    """A real short write: the file-size limit stops the write in the middle of the batch."""
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from composer.errors import LibraryError
        from store.tinydb_library import TinyDBLibrary
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a signal
        lib = TinyDBLibrary(sys.argv[1])
        lib.record_send([{entry("a@x.org", "queued")!r}, {entry("b@x.org", "queued")!r}])
        journal = sys.argv[2]
        size = len(open(journal, "rb").read())
        soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 40, hard))
        batch = [{entry("a@x.org", "sending", text="x" * 30)!r}, {entry("b@x.org", "sent")!r}]
        try:
            lib.record_send(batch)
        except LibraryError as exc:
            print("refused:", exc)
        print("size:", len(open(journal, "rb").read()) - size)
        print("states:", sorted(e["state"] for e in lib.send_log({DIGEST!r})))
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        lib.record_send(batch)
        lib.close()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(library_path), str(journal_of(library_path))],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith(f"refused: could not write the send log of digest {DIGEST} (")
    assert str(journal_of(library_path)) in out[0] and "too large" in out[0]
    assert out[1:] == ["size: 0", "states: ['queued', 'queued']"]
    with TinyDBLibrary(library_path) as lib:  # the file holds whole records only
        assert states(lib) == {"a@x.org": "sending", "b@x.org": "sent"}
    assert len(journal_lines(journal_of(library_path))) == 4


def test_two_spellings_of_one_digest_file_share_one_journal(library_path: Path) -> None:
    with TinyDBLibrary(library_path) as lib:
        lib.record_send([entry("a@x.org", "queued", digest="d/1")])
        lib.record_send([entry("b@x.org", "queued", digest="d/1")])
    assert journal_of(library_path, "d_1").exists()
    with TinyDBLibrary(library_path) as lib:
        assert states(lib, "d/1") == {"a@x.org": "queued", "b@x.org": "queued"}
