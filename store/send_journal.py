"""The send log of one digest: a summary, and an append-only journal of state changes.

Two files in the library's ``.sendlogs`` folder:

* ``<digest>.json``, the *summary*, in TinyDB's document format (``{"entries": {"1":
  {...}}}``: logs of older versions read as they are), replaced atomically, only at
  compaction (the end of a run);
* ``<digest>.journal``, one JSON object per line, each an entry as recorded. An append
  is one ``write`` of the call's records and one fsync, on a file kept open: it costs
  the same whatever the log's size.

Nothing is kept in memory per recipient: an append writes its lines and nothing else,
and every read streams the summary, then the journal, from disk in one pass, merging
a recipient's records in order (a later record's keys win), as the single-file log
updated entries. After a crash the last line may be torn: without its newline it is
kept if it parses and ignored if not, and the next append first completes or cuts it.
Any other line that does not parse is damage, reported with its number, and nothing
is changed (a writer reads the whole log once before its first append, and again
only when the files changed under it). Compaction (:mod:`store.send_compaction`)
merges by recipient through a scratch file, in bounded memory, and makes the summary
durable before it removes the journal: a crash between the two leaves files that
replay to the same states.

Files are private to their owner, in a private folder. A read-only open never
creates, writes or truncates anything, and each read sees what the writer (another
process) has written by then.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import logging
import os
import re
import sqlite3
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

import orjson

from composer.errors import LibraryError
from composer.fileio import (
    PRIVATE_FILE,
    PRIVATE_FOLDER,
    fsync_directory,
    make_private_folder,
    tighten,
)
from composer.repository import JSONDict
from store.lock import safe_file_name
from store.send_compaction import SUMMARY_TABLE, Scratch, remove_file, scratch_path

log = logging.getLogger(__name__)

SUMMARY_SUFFIX = ".json"
JOURNAL_SUFFIX = ".journal"

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_TAIL_CHUNK = 64 * 1024  # read backwards this much at a time to find a torn tail
_SUMMARY_CHUNK = 64 * 1024  # the summary is read (and parsed) this much at a time
_READ_ATTEMPTS = 5  # re-reads when a compaction replaced the summary while we read

#: ``(inode, size, mtime_ns)`` of a file, ``None`` when it does not exist.
_FileSignature = tuple[int, int, int] | None
_T = TypeVar("_T")


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


def _fold_entries(records: Iterator[JSONDict]) -> dict[str, JSONDict]:
    """Each recipient's entry: its records merged in order (a later record's keys win)."""
    found: dict[str, JSONDict] = {}
    for record in records:
        earlier = found.get(record["recipient"])
        if earlier is None:
            found[record["recipient"]] = record  # parsed for us alone: ours to keep
        else:
            earlier.update(record)
    return found


def _fold_states(records: Iterator[JSONDict]) -> dict[str, str]:
    """Each recipient's state alone: the last record that names one decides."""
    found: dict[str, str] = {}
    for record in records:
        recipient = record["recipient"]
        if "state" in record:
            state = record["state"]
            found[recipient] = state if isinstance(state, str) else ""
        elif recipient not in found:
            found[recipient] = ""
    return found


def _fold_digest_ids(records: Iterator[JSONDict]) -> set[str]:
    """The digest ids the recipients' entries name (a later record's ``digest_id`` wins)."""
    named: dict[str, object] = {}
    for record in records:
        if "digest_id" in record:
            named[record["recipient"]] = record["digest_id"]
        else:
            named.setdefault(record["recipient"], None)
    return {digest_id for digest_id in named.values() if isinstance(digest_id, str)}


def _consume(records: Iterator[JSONDict]) -> None:
    """Read every record and keep none (what checks a log for damage)."""
    for _record in records:
        pass


# -- the summary, parsed a piece at a time -------------------------------------------------------
class _Damage(ValueError):
    """What makes a summary unreadable (turned into a message naming the log)."""


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_JSON = json.JSONDecoder()


class _SummaryText:
    """A summary's text, read and decoded a chunk at a time, and a cursor in it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0
        self.ended = False

    def more(self) -> bool:
        """Read the next chunk (dropping what was parsed); False at the end of the file."""
        if self.ended:
            return False
        data = self._handle.read(_SUMMARY_CHUNK)
        self.ended = not data
        try:
            text = self._utf8.decode(data, final=self.ended)
        except UnicodeDecodeError as exc:
            raise _Damage(f"it is not valid JSON: {exc}") from None
        self.text, self.pos = self.text[self.pos :] + text, 0
        return True

    def peek(self) -> str:
        """The next character after whitespace (not consumed); ``""`` at the end."""
        while True:
            match = _WHITESPACE.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str) -> str:
        """Consume the next character, one of ``chars``."""
        found = self.peek()
        if not found or found not in chars:
            wanted = " or ".join(repr(c) for c in chars)
            raise _Damage(f"it is not valid JSON: expected {wanted}, found {found or 'its end'!r}")
        self.pos += 1
        return found

    def value(self) -> Any:
        """The next JSON value, parsed (reading on until it is whole)."""
        self.peek()
        while True:
            try:
                value, end = _JSON.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.more():
                    continue  # cut by the chunk's end
                raise _Damage(f"it is not valid JSON: {exc}") from None
            if end == len(self.text) and self.more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value

    def key(self) -> str:
        key = self.value()
        if not isinstance(key, str):
            raise _Damage("it is not valid JSON: a key is not a string")
        self.expect(":")
        return key


def _summary_entries(handle: IO[bytes]) -> Iterator[JSONDict]:
    """The entries of a summary document in order, without holding the document."""
    text = _SummaryText(handle)
    first = text.peek()
    if not first:
        return  # an empty file: no entries
    if first != "{":
        text.value()  # not JSON at all is said so
        raise _Damage("it is JSON of another shape")
    text.pos += 1
    if text.peek() != "}":
        while True:
            if text.key() == SUMMARY_TABLE:
                yield from _table_entries(text)
            else:
                text.value()  # another table (TinyDB's "_default"): not the send log's
            if text.expect(",}") == "}":
                break
    else:
        text.pos += 1
    if text.peek():
        raise _Damage("it is not valid JSON: there is more after the document")


def _table_entries(text: _SummaryText) -> Iterator[JSONDict]:
    if text.peek() != "{":
        text.value()
        raise _Damage("it is JSON of another shape")
    text.pos += 1
    if text.peek() == "}":
        text.pos += 1
        return
    while True:
        key = text.key()
        doc = text.value()
        if not isinstance(doc, dict) or not isinstance(doc.get("recipient"), str):
            raise _Damage(f"entry {key} is not a send-log entry")
        yield doc
        if text.expect(",}") == "}":
            return


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
        self.stem = safe_file_name(digest_id)  # the send lock's rule: d/1 -> d_1
        self.summary_path = folder / f"{self.stem}{SUMMARY_SUFFIX}"
        self.journal_path = folder / f"{self.stem}{JOURNAL_SUFFIX}"
        self.scratch_path = scratch_path(folder, self.stem)
        self.read_only = read_only
        self.durable = durable
        # the files as this writer last knew them whole and undamaged (None: read them first)
        self._checked: tuple[_FileSignature, _FileSignature] | None = None
        self._fd: int | None = None  # the journal, open for appending
        self._size = 0  # the journal's length: the end of its last whole record

    # -- reading ------------------------------------------------------------------------------
    def entries(self) -> dict[str, JSONDict]:
        """Every recipient's current entry, read from disk (the caller's to keep or change)."""
        return self._read(_fold_entries)

    def states(self) -> dict[str, str]:
        """Every recipient's state alone: what planning needs, without the entries' memory."""
        return self._read(_fold_states)

    def digest_ids(self) -> set[str]:
        """The digest ids its entries name (what a library's list of send logs reads)."""
        return self._read(_fold_digest_ids)

    def _read(self, fold: Callable[[Iterator[JSONDict]], _T]) -> _T:
        """``fold`` of every record, the summary's then the journal's, in one pass.

        Read again if a compaction (another process) replaced the summary meanwhile:
        the journal read after it may be the next one.
        """
        for _attempt in range(_READ_ATTEMPTS):
            before = _signature(self.summary_path)
            result = fold(self._records())
            if _signature(self.summary_path) == before:
                break
        return result

    def mark(self) -> tuple[_FileSignature, _FileSignature]:
        """Changes whenever either file does (for a run that plans again only if so)."""
        return self._signatures()

    def _signatures(self) -> tuple[_FileSignature, _FileSignature]:
        return (_signature(self.summary_path), _signature(self.journal_path))

    def _records(self) -> Iterator[JSONDict]:
        yield from self._summary_records()
        yield from self._journal_records()

    def _summary_records(self) -> Iterator[JSONDict]:
        path = self.summary_path
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._unreadable(path, exc) from None
        with handle:
            try:
                yield from _summary_entries(handle)
            except _Damage as exc:
                raise self._damaged(path, str(exc)) from None
            except OSError as exc:
                raise self._unreadable(path, exc) from None

    def _journal_records(self) -> Iterator[JSONDict]:
        path = self.journal_path
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._unreadable(path, exc) from None
        with handle:
            try:  # up to its length now: a writer may be appending (and a device has none)
                left, number = os.fstat(handle.fileno()).st_size, 0
                while left > 0 and (line := handle.readline(left)):
                    left, number = left - len(line), number + 1
                    if not line.strip():
                        continue
                    record = _parse_record(line)
                    if record is not None:
                        yield record
                    elif line.endswith(b"\n"):
                        raise self._damaged(path, f"line {number} is not a send-log record")
                    else:  # the last line, torn; one that lost only its newline was kept
                        log.warning(
                            "send journal %s: ignoring its incomplete last line (%d), left by "
                            "an interrupted write",
                            path,
                            number,
                        )
            except OSError as exc:
                raise self._unreadable(path, exc) from None

    # -- writing ------------------------------------------------------------------------------
    def append(self, entries: Sequence[Mapping[str, Any]]) -> None:
        """Record ``entries`` (one line each) in one write and one fsync, before returning.

        On failure nothing of the call stays on disk, and the error says what could
        not be written and where.
        """
        if self.read_only:
            raise self._read_only_error()
        if not entries:
            return
        lines: list[bytes] = []
        for entry in entries:
            if not isinstance(entry.get("recipient"), str):
                raise LibraryError(f"a send-log entry of digest {self.digest_id} needs a recipient")
            try:
                lines.append(orjson.dumps(dict(entry)))
            except TypeError as exc:
                raise LibraryError(
                    f"a send-log entry of digest {self.digest_id} cannot be stored: {exc}"
                ) from None
        self._check()  # a damaged log is refused before any write
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
        self._checked = self._signatures()  # what we just wrote is whole

    def _check(self) -> None:
        """Read the whole log once (keeping nothing), and again if it changed under us."""
        if self._checked is None or self._checked != self._signatures():
            _consume(self._records())
            self._checked = self._signatures()

    def _undo_failed_append(self, fd: int) -> None:
        """Cut what a failed append left; if even that fails, the next read replays it."""
        self._checked = None
        with contextlib.suppress(OSError):  # unknown on disk then: torn tail and all
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and st.st_size != self._size:
                os.ftruncate(fd, self._size)
                if self.durable:
                    os.fsync(fd)
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
        remove_file(self.scratch_path)  # left by a compaction that died: never read
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

        Merged by recipient in a scratch file, never all in memory. The summary is made
        durable before the journal is removed: a crash between the two leaves both,
        and replaying the journal over its own summary changes nothing. A crash before
        leaves the old summary and the journal, and a scratch file nobody reads.
        """
        if self.read_only:
            raise self._read_only_error()
        if self._fd is None and not self.journal_path.exists():
            return  # the summary already holds every state
        try:
            make_private_folder(self.folder)
        except OSError as exc:
            raise self._unwritable(self.folder, exc) from None
        with Scratch(self.scratch_path) as scratch:  # removed on the way out, whatever happens
            try:
                scratch.open()
                scratch.add(self._records())  # a damaged log stops it here: nothing written
            except (OSError, sqlite3.Error) as exc:
                raise self._unwritable(self.scratch_path, exc) from None
            try:
                scratch.write_summary(self.summary_path, durable=self.durable)
            except (OSError, sqlite3.Error) as exc:
                raise self._unwritable(self.summary_path, exc) from None
            self._drop_journal()
        self._checked = self._signatures()

    def _drop_journal(self) -> None:
        self._close_journal()
        self._size = 0
        if not remove_file(self.journal_path):
            # harmless: the journal replays over its own summary to the same states, and
            # the next append goes on with it; the next compaction tries again
            log.warning("send journal %s could not be removed after compaction", self.journal_path)
        elif self.durable:
            fsync_directory(self.folder)

    def close(self) -> None:
        self._close_journal()
        self._checked = None

    def _close_journal(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- messages -----------------------------------------------------------------------------
    def _unwritable(self, path: Path, exc: OSError | sqlite3.Error) -> LibraryError:
        reason = (exc.strerror if isinstance(exc, OSError) else None) or str(exc)
        return self._error("could not write", path, reason)

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
