"""One writer per library: an OS file lock beside the library file (``filelock``, portable).

The lock is an OS lock (``flock`` on macOS and Linux, ``msvcrt.locking`` on
Windows), so it is released when the process dies, however it dies: a crash never
leaves a library locked.
"""

from __future__ import annotations

from pathlib import Path

import filelock

from composer.errors import LibraryError, LibraryLockedError


class LibraryLock:
    """Holds ``<library>.lock`` for as long as the library is open for writing."""

    def __init__(self, library_path: Path) -> None:
        self.path = library_path.with_name(library_path.name + ".lock")
        self._lock = filelock.FileLock(self.path, timeout=0, thread_local=False)

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise LibraryLockedError(
                f"this library is open in another Newsdigest window ({self.path.parent}); "
                "close that window first, or choose another library with --library"
            ) from None
        except OSError as exc:
            raise LibraryError(f"cannot lock the library at {self.path}: {exc.strerror}") from None

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release()
