"""A TinyDB storage whose every acknowledged write survives ``kill -9`` and power loss.

Stock ``JSONStorage`` re-parses the whole file on every read and rewrites it in
place with the stdlib ``json`` on every write: slow, and a crash mid-write leaves
half a file. :class:`DurableJSONStorage` keeps the parsed data in memory (this
process is the only writer: the library lock guarantees it), serialises with
``orjson`` and replaces the file atomically via :func:`composer.fileio.atomic_write_bytes`
(temporary file, fsync, ``os.replace``, directory fsync).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from composer.errors import LibraryError
from composer.fileio import atomic_write_bytes, make_private_folder

Tables = dict[str, dict[str, Any]]


def load_library_file(path: Path) -> Tables | None:
    """The parsed library file, ``None`` when it does not exist or is empty; else a clear error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LibraryError(f"cannot read the library {path}: {exc.strerror}") from None
    if not raw.strip():
        return None
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise LibraryError(
            f"the library {path} is damaged and was left untouched ({exc}); "
            "restore it from a backup or open another library with --library"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise LibraryError(f"{path} is not a Newsdigest library (it is JSON of another shape)")
    return data


class DurableJSONStorage(Storage):
    """TinyDB storage: in-memory copy, atomic and durable whole-file replacement on write."""

    def __init__(self, path: str | Path, *, read_only: bool = False, durable: bool = True) -> None:
        super().__init__()
        self.path = Path(path)
        self.read_only = read_only
        self.durable = durable
        self.write_count = 0
        self._data: Tables | None = None
        self._loaded = False

    def read(self) -> Tables | None:
        if not self._loaded:
            self._data = load_library_file(self.path)
            self._loaded = True
        return self._data

    def write(self, data: Tables) -> None:
        if self.read_only:
            raise LibraryError(f"the library {self.path} was opened read-only")
        try:
            payload = orjson.dumps(data)
            make_private_folder(self.path.parent)
            atomic_write_bytes(self.path, payload, durable=self.durable)
        except (OSError, TypeError) as exc:
            # TinyDB mutated our in-memory copy before calling write(): forget it, so the next
            # read sees what is really on disk and nothing unsaved pretends to be saved.
            self._data, self._loaded = None, False
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise LibraryError(f"could not save the library {self.path}: {reason}") from None
        self._data, self._loaded = data, True
        self.write_count += 1

    def close(self) -> None:
        self._data, self._loaded = None, False
