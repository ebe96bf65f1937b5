"""The send log of one digest: a summary, and an append-only journal of state changes.

Two files in the library's ``.sendlogs`` folder:

* ``<digest>.json``, the *summary*, in TinyDB's document format (``{"entries": {"1":
  {...}}}``: logs of older versions read as they are), replaced atomically, only at
  compaction (the end of a run);
* ``<digest>.journal``, one JSON object per line, each an entry as recorded. An append
  is one ``write`` of the call's records and one fsync, on a file kept open: it costs
  the same whatever the log's size.

Reading replays the summary, then the journal, in one pass; a recipient's records are
merged in order (a later record's keys win), as the single-file log updated entries.
After a crash the last line may be torn: without its newline it is kept if it parses
and ignored if not, and the next append first completes or cuts it. Any other line
that does not parse is damage, reported with its number, and nothing is changed.
Compaction makes the summary durable before it removes the journal: a crash between
the two leaves files that replay to the same states.

Files are private to their owner, in a private folder. A read-only open never
creates, writes or truncates anything, and re-reads when the writer (another
process) has changed the files since.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from composer.errors import LibraryError
from composer.fileio import (
    PRIVATE_FILE,
    PRIVATE_FOLDER,
    atomic_write_bytes,
    fsync_directory,
    make_private_folder,
    tighten,
)
from composer.repository import JSONDict
from store.lock import safe_file_name

log = logging.getLogger(__name__)

SUMMARY_SUFFIX = ".json"
JOURNAL_SUFFIX = ".journal"
SUMMARY_TABLE = "entries"

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_TAIL_CHUNK = 64 * 1024  # read backwards this much at a time to find a torn tail
_READ_ATTEMPTS = 5  # re-reads when a compaction replaced the summary while we read
_REMOVE_RETRIES = 5  # Windows cannot remove a file a reader has open for a moment
_REMOVE_PAUSE_S = 0.05

#: ``(inode, size, mtime_ns)`` of a file, ``None`` when it does not exist.
_FileSignature = tuple[int, int, int] | None


def _signature(path: Path) -> _FileSignature:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _parse_record(line: bytes) -> JSONDict | None:
    """The send-log entry a journal line holds, ``None`` if it holds none."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("recipient"), str):
        return None
    return record


#: Each recipient's current entry, kept serialised (orjson): about a third of the memory of
#: a dict, which matters at 50,000 recipients; decoded only when someone reads the log.
States = dict[str, bytes]


def _merge(states: States, record: JSONDict, line: bytes | None = None) -> None:
    """Apply one record: its keys replace the recipient's (the single-file log's upsert).

    ``line`` is the record as written, when the caller has it (saves encoding it again).
    """
    recipient = record["recipient"]
    earlier = states.get(recipient)
    merged = record if earlier is None else {**orjson.loads(earlier), **record}
    kept = line if earlier is None and line is not None else orjson.dumps(merged)
    # copied to its exact size: an orjson result keeps a buffer of a few KB behind it
    states[recipient] = bytes(memoryview(kept))


def _summary_pieces(states: States) -> Iterator[bytes]:
    """The summary document (TinyDB's format) from the serialised entries as they are."""
    yield b'{"' + SUMMARY_TABLE.encode() + b'":{'
    for number, entry in enumerate(states.values(), start=1):
        yield (b',"%d":' % number if number > 1 else b'"1":') + entry
    yield b"}}"


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_span(fd: int, start: int, length: int) -> bytes:
    with open(fd, "rb", closefd=False) as handle:
        handle.seek(start)
        return handle.read(length)


class SendJournal:
    """The send log of one digest in ``folder``: its summary and its journal.

    Not thread-safe by itself: the library serialises the calls (a send records on a
    worker thread while the window reads).
    """

    def __init__(
        self, folder: Path, digest_id: str, *, read_only: bool = False, durable: bool = True
    ) -> None:
        self.folder = folder
        self.digest_id = digest_id
        stem = safe_file_name(digest_id)  # the send lock's rule: d/1 -> d_1
        self.summary_path = folder / f"{stem}{SUMMARY_SUFFIX}"
        self.journal_path = folder / f"{stem}{JOURNAL_SUFFIX}"
        self.read_only = read_only
        self.durable = durable
        self._states: States | None = None  # current states, once read
        self._read_signature: tuple[_FileSignature, _FileSignature] | None = None
        self._fd: int | None = None  # the journal, open for appending
        self._size = 0  # the journal's length: the end of its last whole record

    # -- reading ------------------------------------------------------------------------------
    def entries(self) -> dict[str, JSONDict]:
        """Every recipient's current entry (copies: the caller may keep or change them)."""
        return {recipient: orjson.loads(entry) for recipient, entry in self._current().items()}

    def states(self) -> dict[str, str]:
        """Every recipient's state alone: what planning needs, without the entries' memory."""
        found: dict[str, str] = {}
        for recipient, entry in self._current().items():
            state = orjson.loads(entry).get("state")
            found[recipient] = state if isinstance(state, str) else ""
        return found

    def _current(self) -> States:
        """The states in memory; read from disk once (this process is the only writer).

        A read-only open re-reads when the files changed since it read them: the
        writer is another process then.
        """
        if self._states is not None and not self.read_only:
            return self._states
        if self._states is not None and self._read_signature == self._signatures():
            return self._states
        for _attempt in range(_READ_ATTEMPTS):
            before = self._signatures()
            states = self._read_summary()
            self._replay_journal(states)
            if _signature(self.summary_path) == before[0]:
                break  # no compaction replaced the summary while we read the journal
        self._states, self._read_signature = states, before
        return states

    def mark(self) -> tuple[_FileSignature, _FileSignature]:
        """Changes whenever either file does (for a run that plans again only if so)."""
        return self._signatures()

    def _signatures(self) -> tuple[_FileSignature, _FileSignature]:
        return (_signature(self.summary_path), _signature(self.journal_path))

    def _read_summary(self) -> States:
        path = self.summary_path
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise self._unreadable(path, exc) from None
        if not raw.strip():
            return {}
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise self._damaged(path, f"it is not valid JSON: {exc}") from None
        table = data.get(SUMMARY_TABLE, {}) if isinstance(data, dict) else None
        if not isinstance(table, dict):
            raise self._damaged(path, "it is JSON of another shape")
        states: States = {}
        for key, doc in table.items():
            if not isinstance(doc, dict) or not isinstance(doc.get("recipient"), str):
                raise self._damaged(path, f"entry {key} is not a send-log entry")
            _merge(states, doc)
        return states

    def _replay_journal(self, states: States) -> None:
        path = self.journal_path
        try:
            fd = os.open(path, os.O_RDONLY | _BINARY)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._unreadable(path, exc) from None
        try:  # up to its length now: a writer may be appending (and a device has none)
            data = _read_span(fd, 0, os.fstat(fd).st_size)
        except OSError as exc:
            raise self._unreadable(path, exc) from None
        finally:
            os.close(fd)
        lines = data.split(b"\n")
        tail = lines.pop()  # b"" when the journal ends with its newline, as it should
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = _parse_record(line)
            if record is None:
                raise self._damaged(path, f"line {number} is not a send-log record")
            _merge(states, record, line)
        if tail.strip():
            record = _parse_record(tail)
            if record is None:
                log.warning(
                    "send journal %s: ignoring its incomplete last line (%d), left by an "
                    "interrupted write",
                    path,
                    len(lines) + 1,
                )
            else:
                _merge(states, record, tail)  # whole, only its newline was lost

    # -- writing ------------------------------------------------------------------------------
    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Record ``entries`` (one line each) in one write and one fsync, before returning.

        On failure nothing of the call stays on disk or in memory, and the error says
        what could not be written and where.
        """
        if self.read_only:
            raise self._read_only_error()
        if not entries:
            return
        lines: list[bytes] = []
        records: list[JSONDict] = []
        for entry in entries:
            try:
                line = orjson.dumps(dict(entry))
            except TypeError as exc:
                raise LibraryError(
                    f"a send-log entry of digest {self.digest_id} cannot be stored: {exc}"
                ) from None
            record = _parse_record(line)
            if record is None:
                raise LibraryError(f"a send-log entry of digest {self.digest_id} needs a recipient")
            lines.append(line)
            records.append(record)
        states = self._current()  # read once (a damaged log is refused before any write)
        fd = self._open_for_append()
        payload = b"\n".join(lines) + b"\n"
        try:
            _write_all(fd, payload)
            if self.durable:
                os.fsync(fd)
        except OSError as exc:
            self._undo_failed_append(fd)
            raise self._unwritable(self.journal_path, exc) from None
        self._size += len(payload)
        for record, line in zip(records, lines, strict=True):
            _merge(states, record, line)

    def _undo_failed_append(self, fd: int) -> None:
        """Cut what a failed append left; if even that fails, forget what we know."""
        try:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and st.st_size != self._size:
                os.ftruncate(fd, self._size)
                if self.durable:
                    os.fsync(fd)
        except OSError:
            # what is on disk is unknown now: the next read replays it, torn tail and all
            self._states, self._read_signature = None, None
        self._close_journal()  # the next append reopens it and checks its tail again

    def _open_for_append(self) -> int:
        if self._fd is not None:
            return self._fd
        path = self.journal_path
        try:
            make_private_folder(self.folder)
            tighten(self.folder, PRIVATE_FOLDER)  # our own folder: older versions made it 0755
            tighten(self.summary_path)
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | _BINARY, PRIVATE_FILE)
        except OSError as exc:
            raise self._unwritable(path, exc) from None
        try:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode):
                if os.name != "nt" and st.st_mode & 0o077:
                    os.fchmod(fd, PRIVATE_FILE)  # a journal left readable by others
                self._size = self._repair_tail(fd, st.st_size)
            else:
                self._size = 0  # a device (/dev/full in the tests): nothing to repair
        except OSError as exc:
            os.close(fd)
            raise self._unwritable(path, exc) from None
        self._fd = fd
        return fd

    def _repair_tail(self, fd: int, size: int) -> int:
        """Complete or cut a torn last line, so the next record starts on its own line.

        Returns the journal's length afterwards. The same rule as reading: a last line
        that parses is kept (its newline is added), one that does not is cut off.
        """
        end, tail, line_end = size, b"", 0
        while end > 0:
            start = max(0, end - _TAIL_CHUNK)
            chunk = _read_span(fd, start, end - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                tail, line_end = chunk[cut + 1 :] + tail, start + cut + 1
                break
            tail, end = chunk + tail, start
        if not tail:
            return size
        if _parse_record(tail) is not None:
            _write_all(fd, b"\n")
            self._sync(fd)
            return size + 1
        log.warning(
            "send journal %s: cutting %d bytes of an incomplete last line, left by an "
            "interrupted write",
            self.journal_path,
            size - line_end,
        )
        os.ftruncate(fd, line_end)
        self._sync(fd)
        return line_end

    def _sync(self, fd: int) -> None:
        if self.durable:
            os.fsync(fd)

    # -- compaction ---------------------------------------------------------------------------
    def compact(self) -> None:
        """Fold the journal into the summary; the states read the same before and after.

        The summary is made durable before the journal is removed: a crash between the
        two leaves both, and replaying the journal over its own summary changes nothing.
        """
        if self.read_only:
            raise self._read_only_error()
        states = self._current()
        if self._fd is None and not self.journal_path.exists():
            return  # the summary already holds every state
        document = _summary_pieces(states)  # written piece by piece: never whole in memory
        try:
            make_private_folder(self.folder)
            atomic_write_bytes(self.summary_path, document, durable=self.durable)
        except OSError as exc:
            raise self._unwritable(self.summary_path, exc) from None
        self._close_journal()
        self._size = 0
        for attempt in range(_REMOVE_RETRIES):
            try:
                self.journal_path.unlink(missing_ok=True)
                break
            except PermissionError:
                if os.name != "nt" or attempt == _REMOVE_RETRIES - 1:
                    self._journal_kept()
                    return
                time.sleep(_REMOVE_PAUSE_S)
            except OSError:
                self._journal_kept()
                return
        if self.durable:
            fsync_directory(self.folder)

    def _journal_kept(self) -> None:
        # harmless: the journal replays over its own summary to the same states, and the
        # next append goes on with it; the next compaction tries again
        log.warning("send journal %s could not be removed after compaction", self.journal_path)

    def close(self) -> None:
        self._close_journal()
        self._states, self._read_signature = None, None

    def _close_journal(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- messages -----------------------------------------------------------------------------
    def _unwritable(self, path: Path, exc: OSError) -> LibraryError:
        return self._error("could not write", path, exc.strerror or str(exc))

    def _unreadable(self, path: Path, exc: OSError) -> LibraryError:
        return self._error("cannot read", path, exc.strerror or str(exc))

    def _error(self, what: str, path: Path, reason: str) -> LibraryError:
        return LibraryError(f"{what} the send log of digest {self.digest_id} ({path}): {reason}")

    def _damaged(self, path: Path, what: str) -> LibraryError:
        return LibraryError(
            f"the send log of digest {self.digest_id} ({path}) is damaged and was left "
            f"untouched: {what}; restore it from a backup, or move it aside and check who "
            "was sent the digest before sending it again"
        )

    def _read_only_error(self) -> LibraryError:
        return self._error("cannot write", self.folder, "the library was opened read-only")
