"""OS file locks that say who holds them: one writer per library, one sender per digest.

The locks are OS locks (``flock`` on macOS and Linux, ``msvcrt.locking`` on Windows,
through ``filelock``), so they are released when the process dies, however it dies:
a crash never leaves a library locked. They are taken with ``thread_local=False``, and
the OS refuses a second descriptor of the same file, so a second taker in the same
process is refused too.

Who holds a lock (:class:`composer.repository.Holder`: the window, or a command-line
``newsdigest send`` with its process id) is written to a sidecar ``<lock file>.holder``,
not into the lock file itself: ``filelock`` may truncate or rewrite the lock file when
another process tries it, and on Windows a locked byte range cannot be read. The
sidecar is read only when the lock is really held by someone else, and a sidecar
naming a process that is gone is ignored, so a holder killed before it could remove
its sidecar never misleads the next one.

* :class:`LibraryLock` holds ``<library>.lock`` while the library is open for writing.
* :class:`SendLock` holds ``<library>.sendlogs/<digest>.send.lock`` for a whole list
  send. Its folder is reached through the library's resolved path and lives inside the
  library's own folder: a second check that a second spelling of the path cannot fool.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
from pathlib import Path
from types import TracebackType

import filelock
import orjson

from composer.errors import LibraryError, LibraryLockedError
from composer.fileio import PRIVATE_FILE, atomic_write_bytes, make_private_folder, tighten
from composer.repository import Holder, SendSession, send_locked

log = logging.getLogger(__name__)

HOLDER_SUFFIX = ".holder"
_SIDECAR_MAX_BYTES = 4096  # a holder is a few dozen bytes; anything bigger is not ours


def safe_file_name(digest_id: str) -> str:
    """The file-name stem for a digest's send files (the send-log files use the same rule)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", digest_id)[:100] or "_"


def _process_is_gone(pid: int) -> bool:
    """Whether process ``pid`` of this machine has certainly ended (POSIX; never on Windows).

    On Windows ``os.kill(pid, 0)`` would send a Ctrl-C, so there the sidecar is trusted.
    """
    if os.name == "nt" or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: alive, another user's
        return False
    return False


class HeldForABlock:
    """``with lock as session:`` takes a send lock and lets it go, whatever the block does.

    For any backend's send lock; the block gets the :class:`composer.repository.SendSession`
    that :meth:`session` gives once the lock is taken (by default: alone).
    """

    def acquire(self) -> None:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def session(self) -> SendSession:
        return SendSession()

    def __enter__(self) -> SendSession:
        self.acquire()
        return self.session()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


class _HeldFile:
    """An OS lock on ``path`` and the sidecar ``<path>.holder`` naming who holds it."""

    def __init__(self, path: Path, holder: Holder | None) -> None:
        self.path = path
        self.sidecar = path.with_name(path.name + HOLDER_SUFFIX)
        self.holder = holder
        self._lock = filelock.FileLock(path, timeout=0, mode=PRIVATE_FILE, thread_local=False)
        self._written: bytes | None = None

    def acquire(self) -> bool:
        """Take the lock and name ourselves in the sidecar; ``False`` if another holds it.

        Raises :class:`OSError` when the lock file cannot be created or locked at all.
        """
        try:
            self._lock.acquire()
        except filelock.Timeout:
            return False
        tighten(self.path)  # a lock file made by an older version may be 0644
        self._write_sidecar()
        return True

    def _write_sidecar(self) -> None:
        self._written = None
        try:
            if self.holder is None:  # any sidecar there is a dead holder's: we hold the lock
                self.sidecar.unlink(missing_ok=True)
                return
            data = orjson.dumps(self.holder.to_dict())
            atomic_write_bytes(self.sidecar, data, durable=False)
            self._written = data
        except OSError as exc:  # the lock holds without it; refusals then say less
            log.warning("cannot write %s: %s", self.sidecar, exc.strerror)
            with contextlib.suppress(OSError):
                self.sidecar.unlink(missing_ok=True)

    def release(self) -> None:
        """Remove our sidecar (if it is still ours), then release the lock."""
        if not self._lock.is_locked:
            return
        try:
            if self._written is not None and self._read_sidecar_bytes() == self._written:
                self.sidecar.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove %s: %s", self.sidecar, exc.strerror)
        finally:
            self._written = None
            self._lock.release()

    def _read_sidecar_bytes(self) -> bytes | None:
        try:
            with self.sidecar.open("rb") as handle:
                return handle.read(_SIDECAR_MAX_BYTES + 1)
        except OSError:
            return None

    def current_holder(self) -> Holder | None:
        """Who the sidecar names, when we were refused: ``None`` if unknown or gone."""
        data = self._read_sidecar_bytes()
        if not data or len(data) > _SIDECAR_MAX_BYTES:
            return None
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
        holder = Holder.from_dict(parsed) if isinstance(parsed, dict) else None
        if holder is None:
            return None
        if holder.host in ("", socket.gethostname()) and _process_is_gone(holder.pid):
            return None  # a stale sidecar: its holder died before it could remove it
        return holder


class LibraryLock:
    """Holds ``<library>.lock`` for as long as the library is open for writing.

    ``library_path`` should be resolved (:func:`store.locations.real_path`), so that
    every spelling of one file names one lock.
    """

    def __init__(self, library_path: Path, holder: Holder | None = None) -> None:
        self.library_path = library_path
        self.path = library_path.with_name(library_path.name + ".lock")
        self._held = _HeldFile(self.path, holder)

    @property
    def sidecar(self) -> Path:
        return self._held.sidecar

    def acquire(self) -> None:
        try:
            taken = self._held.acquire()
        except OSError as exc:
            raise LibraryError(f"cannot lock the library at {self.path}: {exc.strerror}") from None
        if not taken:
            raise LibraryLockedError(self._refusal(self._held.current_holder()))

    def probe(self, advice: str) -> None:
        """Refuse (:class:`LibraryLockedError`) when another holds the lock; never keep it.

        ``advice`` ends the refusal when a command (or someone unknown) holds it; the
        window's refusal keeps its own ("close it first").
        """
        try:
            taken = self._held.acquire()
        except OSError as exc:
            raise LibraryError(f"cannot lock the library at {self.path}: {exc.strerror}") from None
        if taken:
            self._held.release()
            return
        raise LibraryLockedError(self._refusal(self._held.current_holder(), advice))

    def _refusal(self, holder: Holder | None, advice: str = "") -> str:
        where = f"{self.library_path}: "
        if holder is None:
            advice = advice or (
                "close it or wait for it to finish, or choose another library with --library"
            )
            return (
                f"{where}this library is in use by another Newsdigest window or command; {advice}"
            )
        if holder.role == "window":
            return (
                f"{where}this library is open in {holder.describe()}; "
                "close it first, or choose another library with --library"
            )
        return (
            f"{where}this library is in use by {holder.describe()}; "
            f"{advice or 'wait for it to finish or stop it'}"
        )

    def release(self) -> None:
        self._held.release()


class SendLock(HeldForABlock):
    """Held for the whole of a list send of one digest: ``<folder>/<digest>.send.lock``.

    ``folder`` is the library's ``.sendlogs`` folder, reached through its resolved path.
    A second sender of the same digest gets :class:`composer.errors.SendLockedError`
    naming the holder; another digest is not affected.
    """

    def __init__(self, folder: Path, digest_id: str, holder: Holder) -> None:
        self.folder = folder
        self.digest_id = digest_id
        self.path = folder / f"{safe_file_name(digest_id)}.send.lock"
        self._held = _HeldFile(self.path, holder)

    @property
    def sidecar(self) -> Path:
        return self._held.sidecar

    def acquire(self) -> None:
        try:
            make_private_folder(self.folder)
            taken = self._held.acquire()
        except OSError as exc:
            raise LibraryError(
                f"cannot lock the send of the digest {self.digest_id} at {self.path}: "
                f"{exc.strerror}"
            ) from None
        if not taken:
            holder = self._held.current_holder()
            raise send_locked(self.digest_id, holder)

    def release(self) -> None:
        self._held.release()

    def current_senders(self) -> list[Holder]:
        """Who holds this send lock now ([] if nobody), never keeping it or writing a sidecar.

        The lock is tried and given back at once; a folder or lock file that is not there
        means nobody (nothing is created: a read-only open may ask).
        """
        if not self.path.is_file():
            return []
        probe = filelock.FileLock(self.path, timeout=0, thread_local=False)
        try:
            probe.acquire()
        except filelock.Timeout:
            return [self._held.current_holder() or Holder.unknown()]
        except OSError:  # cannot even try (a read-only folder): nobody can hold it there either
            return []
        probe.release()
        return []
