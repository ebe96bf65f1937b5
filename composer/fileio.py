"""Writing files so that they are never half-written, on Windows, macOS and Linux alike.

:func:`atomic_write_bytes` writes a temporary file beside the target, flushes and
fsyncs it, renames it over the target with :func:`os.replace` (atomic on all three
systems) and, where the OS supports it, fsyncs the directory so the rename itself
survives a power loss. Readers see the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections.abc import Iterable
from pathlib import Path

# Windows refuses to replace a file another process (an indexer, an antivirus) has open
# for a moment; a few short retries ride that out.
_REPLACE_RETRIES = 5
_REPLACE_PAUSE_S = 0.05


#: Personal data (recipients' addresses, the library) is readable by its owner only.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` (and its missing parents) readable by the user only, if it does not exist.

    Every folder this makes is private, each missing parent too (``mkdir(parents=True)``
    would leave those at the umask's 0755). An existing folder is left as it is: it may
    be the user's own (Documents, a share). On Windows the mode is ignored; files stay
    in the user's profile, private already.
    """
    if folder.exists():
        return
    missing = list(itertools.takewhile(lambda p: not p.exists(), folder.parents))
    for parent in reversed(missing):  # the outermost first
        try:
            parent.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:  # made meanwhile by someone else: theirs, left as it is
            continue
        with contextlib.suppress(OSError):
            parent.chmod(PRIVATE_FOLDER)  # mkdir's mode is reduced by the umask
    folder.mkdir(exist_ok=True, mode=PRIVATE_FOLDER)
    with contextlib.suppress(OSError):
        folder.chmod(PRIVATE_FOLDER)


def tighten(path: Path, mode: int = PRIVATE_FILE) -> None:
    """Make an existing file (or our own folder) its owner's only (POSIX; no-op elsewhere)."""
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077:
            path.chmod(mode)


def fsync_directory(directory: Path) -> None:
    """Make a rename inside ``directory`` durable, where the OS lets us open directories."""
    if os.name == "nt":  # NTFS journals metadata; a directory cannot be opened for fsync
        return
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (network shares) refuse; the data itself is synced
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes | Iterable[bytes], *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; with ``durable``, fsync before and after.

    ``data`` may be pieces (an iterable of bytes), written one after the other, so that a
    large file need not exist whole in memory.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), PRIVATE_FILE
        )
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes | bytearray | memoryview):
                handle.write(data)
            else:
                for piece in data:
                    handle.write(piece)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        for attempt in range(_REPLACE_RETRIES):
            try:
                tmp.replace(path)  # os.replace: atomic on every OS
                break
            except PermissionError:
                if os.name != "nt" or attempt == _REPLACE_RETRIES - 1:
                    raise
                time.sleep(_REPLACE_PAUSE_S)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        fsync_directory(path.parent)
