"""Folding a send log's summary and journal into a new summary, in bounded memory.

A compaction merges every record of the log by recipient (a later record's keys
win, keys it does not name are kept) and writes the summary in the order each
recipient was first seen, with sequential doc ids: TinyDB's ``{"entries": {"1":
{...}, ...}}`` document, each entry serialised by orjson, byte for byte what the
in-memory fold wrote.

No entry is held for the whole log: the records arrive as a stream and are merged
in chunks into a *scratch* file, an SQLite database (the standard library's
``sqlite3``) keyed by recipient, with a capped page cache and no rollback journal
or syncs (it is thrown away, whatever happens). The merge itself is done in Python
(SQLite's ``json_patch`` would drop keys whose value is null, such as ``code``).
The summary is then written from the scratch file piece by piece, atomically.

The scratch file is private, lives in the log's private folder, and its name
(``.<digest>.compacting``) names no send log: nothing reads it but the compaction
that made it, and a leftover one (a crash) is removed by the next writer.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from composer.fileio import PRIVATE_FILE, atomic_write_bytes
from composer.repository import JSONDict

SCRATCH_SUFFIX = ".compacting"
SUMMARY_TABLE = "entries"

_CHUNK_RECORDS = 2_000  # records merged in Python at a time
_LOOKUP_BATCH = 500  # recipients per SELECT (SQLite before 3.32 allows 999 parameters)
_WRITE_ROWS = 1_000  # summary entries joined into one written piece
_CACHE_KIB = 2_048  # SQLite's page cache: at most about 2 MB whatever the log's size
_REMOVE_RETRIES = 5  # Windows cannot remove a file a reader has open for a moment
_REMOVE_PAUSE_S = 0.05


def scratch_path(folder: Path, stem: str) -> Path:
    """Where the compaction of the log ``stem`` keeps its scratch file."""
    return folder / f".{stem}{SCRATCH_SUFFIX}"


def remove_file(path: Path) -> bool:
    """Remove ``path`` if it exists, retrying on Windows; False if it is still there."""
    for attempt in range(_REMOVE_RETRIES):
        try:
            path.unlink(missing_ok=True)
            return True
        except PermissionError:
            if os.name != "nt" or attempt == _REMOVE_RETRIES - 1:
                return False
            time.sleep(_REMOVE_PAUSE_S)
        except OSError:
            return False
    return False


class Scratch:
    """The merged entries of one compaction, by recipient, in first-seen order.

    Used as a context manager: :meth:`open` creates the file, and leaving the block
    closes and removes it, whatever happened.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def __enter__(self) -> Scratch:
        return self

    def open(self) -> None:
        """Create the file (private, in place of a leftover one) and its table."""
        if not remove_file(self.path):
            raise PermissionError(f"a scratch file left by an earlier compaction: {self.path}")
        # created private first: SQLite would create it with the umask's mode
        os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        self._db = db = sqlite3.connect(self.path, isolation_level=None)
        for pragma in (
            "journal_mode = OFF",  # scratch: nothing to roll back, nothing to make durable
            "synchronous = OFF",
            f"cache_size = -{_CACHE_KIB}",
            "temp_store = FILE",
            "locking_mode = EXCLUSIVE",
        ):
            db.execute(f"PRAGMA {pragma}")
        db.execute(
            "CREATE TABLE merged (seq INTEGER PRIMARY KEY, "
            "recipient TEXT NOT NULL UNIQUE, entry BLOB NOT NULL)"
        )
        db.execute("BEGIN")

    def __exit__(self, *exc: object) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            with contextlib.suppress(sqlite3.Error):
                db.close()
        remove_file(self.path)  # if it stays (Windows), the next writer removes it

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the scratch file is not open")
        return self._db

    def add(self, records: Iterable[JSONDict]) -> None:
        """Merge ``records`` (each naming its ``recipient``), in order, a chunk at a time."""
        chunk: dict[str, JSONDict] = {}
        count = 0
        for record in records:
            recipient = record["recipient"]
            earlier = chunk.get(recipient)
            if earlier is None:
                chunk[recipient] = record
            else:
                earlier.update(record)  # the later record's keys win; the others stay
            count += 1
            if count >= _CHUNK_RECORDS:
                self._fold(chunk)
                chunk, count = {}, 0
        if chunk:
            self._fold(chunk)

    def _fold(self, chunk: dict[str, JSONDict]) -> None:
        """Merge one chunk (each recipient's records already merged) over what is stored."""
        recipients = list(chunk)
        for first in range(0, len(recipients), _LOOKUP_BATCH):
            batch = recipients[first : first + _LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self.db.execute(
                f"SELECT recipient, entry FROM merged WHERE recipient IN ({marks})",  # noqa: S608
                batch,
            )
            for recipient, stored in rows:
                merged = orjson.loads(stored)
                merged.update(chunk[recipient])
                chunk[recipient] = merged
        self.db.executemany(
            "INSERT INTO merged (recipient, entry) VALUES (?, ?) "
            "ON CONFLICT (recipient) DO UPDATE SET entry = excluded.entry",
            ((recipient, orjson.dumps(entry)) for recipient, entry in chunk.items()),
        )

    def summary_pieces(self) -> Iterator[bytes]:
        """The summary document, in first-seen order with doc ids 1, 2, …, a piece at a time."""
        yield b'{"' + SUMMARY_TABLE.encode() + b'":{'
        cursor = self.db.execute("SELECT entry FROM merged ORDER BY seq")
        number = 0
        while rows := cursor.fetchmany(_WRITE_ROWS):
            pieces = []
            for (entry,) in rows:
                number += 1
                pieces.append((b',"%d":' % number if number > 1 else b'"1":') + entry)
            yield b"".join(pieces)
        yield b"}}"

    def write_summary(self, path: Path, *, durable: bool) -> None:
        """Replace the summary at ``path`` with the merged entries, atomically."""
        atomic_write_bytes(path, self.summary_pieces(), durable=durable)
