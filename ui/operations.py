"""One way to run work in the background: an operation, and its outcome on the GUI thread.

Modelled on Anki's ``aqt.operations`` (``CollectionOp``, ``QueryOp``). An
:class:`Operation` wraps a call; :meth:`Operation.run_in_background` runs it on an
executor and then calls, on the GUI thread, its ``success(result)`` callbacks or its
``failure(failure)`` callbacks with a :class:`Failure`:

- a :class:`~composer.errors.NewsdigestError` is a failure whose message is the
  error's own words (a file that is not there, a page that cannot be read);
- any other exception is a bug: it is logged with its traceback, and the failure's
  message says that it is one and that the log has the details. An operation with no
  failure callback hands a bug to :data:`sys.excepthook`, where the app's crash handler
  (:mod:`ui.crash`) shows it as a bug report. Nothing is lost in a console.

An operation belongs to a Qt object (``parent``): when that is deleted first (a dialog
closed), the outcome is dropped. Operations of one :class:`OpKind` are counted while
they run (the import preview says "Reading…" until its reading is back); with
``newest_wins`` a newer one supersedes those still running, whose outcomes are dropped
(the preview shows the newest render, the import preview the last choice read). The
call may report progress (:meth:`Operation.report`, handed to the ``progress``
callbacks on the GUI thread) and look whether it was asked to stop
(:attr:`Operation.cancelled`).

The threads are the window's :class:`Workers`, made once and shut down when it closes:

- ``library``, one worker thread: every operation that touches the library runs on it
  (:meth:`Workers.library_op`: the import's write, which for a big library is the
  longest write there is; the digest's autosave, :mod:`ui.document`), one after another,
  holding the library's lock while it runs.
  The window's own calls take the same lock (:class:`SerialLibrary`), so the store is
  never entered by two threads at once.
- ``work``, a small parallel pool for work that never touches the library: rendering
  the preview, reading import sources (files, urls, the clipboard), fetching article
  links, building the search index over a snapshot of the items, reading recipient
  lists. Parallel, so that a slow page (up to 15 s) never holds up a render; the
  renderer serialises its own renders, and the render scheduler asks one at a time.
- ``send``, one worker for SMTP: a list send (minutes, at 60 messages a minute) and
  "Test connection". A send must not hold the library executor for minutes; it records
  each recipient through the library's lock, one call at a time.

Tests pass :class:`SynchronousExecutor`, which runs the call at once in the calling
thread: the operation is over, its callbacks called, when ``run_in_background`` returns.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import functools
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from composer.errors import NewsdigestError
from composer.repository import Library

log = logging.getLogger(__name__)
T = TypeVar("T")
Executor = concurrent.futures.Executor

#: Threads of the work pool: a render, an index build and two slow pages at once.
WORK_THREADS = 4


class SynchronousExecutor(concurrent.futures.Executor):
    """Runs each call at once in the calling thread (for tests and benchmarks)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the future, as a thread pool would
            future.set_exception(exc)
        return future


def bug_message(what: str, exc: BaseException) -> str:
    """Log a bug (an exception that is no NewsdigestError) with its traceback; say it so."""
    log.error("%s: unexpected error", what, exc_info=exc)
    return (
        f"{what}: unexpected error ({type(exc).__name__}: {exc}); this is a bug, and the "
        "log has the details"
    )


@dataclasses.dataclass(frozen=True)
class Failure:
    """Why an operation has no result: the exception, and what the user is told."""

    exception: BaseException
    message: str

    @property
    def bug(self) -> bool:
        """Not one of our errors: a bug, logged with its traceback."""
        return not isinstance(self.exception, NewsdigestError)


def failure_of(what: str, exc: BaseException) -> Failure:
    """The failure an exception makes (a bug is logged here)."""
    if isinstance(exc, NewsdigestError):
        return Failure(exc, str(exc))
    return Failure(exc, bug_message(what, exc))


class OpKind:
    """Operations of one kind: how many are running, and (``newest_wins``) the newest.

    With ``newest_wins``, starting one supersedes those still running: their outcomes
    are dropped, and :attr:`running` counts only the newest (0 or 1). Counted on the
    GUI thread.
    """

    def __init__(self, *, newest_wins: bool = False) -> None:
        self.newest_wins = newest_wins
        self.running = 0
        self._newest = 0

    def _begin(self) -> int:
        self._newest += 1
        self.running = 1 if self.newest_wins else self.running + 1
        return self._newest

    def _end(self, serial: int) -> bool:
        """An operation ended; True when its outcome is still wanted."""
        if not self.newest_wins:
            self.running = max(0, self.running - 1)
            return True
        if serial != self._newest:
            return False  # superseded: already left out of the count
        self.running = 0
        return True

    def supersede(self) -> None:
        """Drop the outcomes of every operation running now (the window is closing)."""
        self._newest += 1
        if self.newest_wins:
            self.running = 0


class _Courier(QObject):
    """Carries an operation's deliveries to its parent's (the GUI) thread."""

    deliver = Signal(object)  # a callable, run on this object's thread

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.deliver.connect(self._run)

    def _run(self, delivery: Callable[[], None]) -> None:
        delivery()


class Operation(Generic[T]):
    """A call run on an executor; its result or its failure handed back on the GUI thread."""

    def __init__(
        self,
        call: Callable[[], T],
        *,
        parent: QObject,
        executor: Executor,
        what: str,
        kind: OpKind | None = None,
    ) -> None:
        self._call = call
        self.parent = parent
        self.executor = executor
        self.what = what  # for messages and the log: "Reading the sources"
        self.kind = kind
        self._on_success: list[Callable[[T], object]] = []
        self._on_failure: list[Callable[[Failure], object]] = []
        self._on_progress: list[Callable[[Any], object]] = []
        self._cancel = threading.Event()
        self._courier: _Courier | None = None
        self._serial = 0
        self.future: concurrent.futures.Future[None] | None = None
        #: The outcome was handed over (or dropped), on the GUI thread.
        self.finished = False

    # -- what to do with the outcome (before running it) -----------------------------------------
    def success(self, callback: Callable[[T], object]) -> Operation[T]:
        self._on_success.append(callback)
        return self

    def failure(self, callback: Callable[[Failure], object]) -> Operation[T]:
        self._on_failure.append(callback)
        return self

    def progress(self, callback: Callable[[Any], object]) -> Operation[T]:
        self._on_progress.append(callback)
        return self

    # -- running ----------------------------------------------------------------------------------
    def run_in_background(self) -> Operation[T]:
        """Start the call on the executor (call it on the GUI thread)."""
        self._courier = _Courier(self.parent)
        if self.kind is not None:
            self._serial = self.kind._begin()
        try:
            self.future = self.executor.submit(self._run)
        except RuntimeError:  # the executor is shut down: the window is closing
            self._finish(lambda: None)
        return self

    def cancel(self) -> None:
        """Ask the call to stop (it looks at :attr:`cancelled` between its steps)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, value: Any) -> None:
        """From the call, on the worker: hand ``value`` to the progress callbacks."""
        self._post(lambda: self._progressed(value))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the call has returned (a window closing mid-send); True when it has."""
        if self.future is None:
            return True
        try:
            self.future.result(timeout)
        except concurrent.futures.TimeoutError:
            return False
        except concurrent.futures.CancelledError:
            return True
        return True

    # -- on the worker ----------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            result = self._call()
        except Exception as exc:  # handed to the GUI thread: never lost in a worker
            error = exc
            self._post(lambda: self._finish(lambda: self._failed(error)))
            return
        self._post(lambda: self._finish(lambda: self._succeeded(result)))

    def _post(self, delivery: Callable[[], None]) -> None:
        courier = self._courier
        assert courier is not None
        with contextlib.suppress(RuntimeError):  # the parent was deleted meanwhile: dropped
            courier.deliver.emit(delivery)

    # -- on the GUI thread ------------------------------------------------------------------------
    def _progressed(self, value: Any) -> None:
        if not self.finished:
            for callback in self._on_progress:
                callback(value)

    def _finish(self, hand_over: Callable[[], None]) -> None:
        self.finished = True
        wanted = self.kind._end(self._serial) if self.kind is not None else True
        if self._courier is not None:
            self._courier.deleteLater()
        if wanted:
            hand_over()

    def _succeeded(self, result: T) -> None:
        for callback in self._on_success:
            callback(result)

    def _failed(self, exc: BaseException) -> None:
        if self._on_failure:
            failure = failure_of(self.what, exc)
            for callback in self._on_failure:
                callback(failure)
        elif isinstance(exc, NewsdigestError):
            log.warning("%s: %s", self.what, exc)
        else:  # nobody to tell: the crash handler shows it as a bug report
            sys.excepthook(type(exc), exc, exc.__traceback__)


class SerialLibrary:
    """The window's library: each call holds the library's lock (see :class:`Workers`).

    Attributes and properties pass through; a call made while an operation on the
    library executor runs waits for it, as it waited when the window did that work
    itself.
    """

    def __init__(self, library: Library, lock: threading.RLock) -> None:
        self._library = library
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._library, name)
        if not callable(value):
            return value
        lock = self._lock

        @functools.wraps(value)
        def locked(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return value(*args, **kwargs)

        return locked


class Workers:
    """The window's background threads: the library executor, the work pool, the send worker.

    An executor given is used as it is (tests give :class:`SynchronousExecutor`) and is
    not shut down here.
    """

    def __init__(
        self,
        *,
        library: Executor | None = None,
        work: Executor | None = None,
        send: Executor | None = None,
    ) -> None:
        self._own: list[concurrent.futures.ThreadPoolExecutor] = []
        self.library = library or self._pool(1, "newsdigest-library")
        self.work = work or self._pool(WORK_THREADS, "newsdigest-work")
        self.send = send or self._pool(1, "newsdigest-send")
        #: Held by each library operation while it runs, and by each call of the window's.
        self.library_lock = threading.RLock()

    def _pool(self, threads: int, name: str) -> Executor:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._own.append(pool)
        return pool

    def serial(self, library: Library) -> SerialLibrary:
        """``library`` with each call under the library's lock."""
        return SerialLibrary(library, self.library_lock)

    def library_op(
        self, call: Callable[[], T], *, parent: QObject, what: str, kind: OpKind | None = None
    ) -> Operation[T]:
        """An operation that touches the library: on the library executor, under its lock."""
        lock = self.library_lock

        def locked() -> T:
            with lock:
                return call()

        return Operation(locked, parent=parent, executor=self.library, what=what, kind=kind)

    def work_op(
        self, call: Callable[[], T], *, parent: QObject, what: str, kind: OpKind | None = None
    ) -> Operation[T]:
        """An operation that never touches the library, on the work pool."""
        return Operation(call, parent=parent, executor=self.work, what=what, kind=kind)

    def shutdown(self) -> None:
        """The window closed: a library write under way (or waiting) is finished first, as
        the library is closed next; other work is dropped (a page being read ends alone)."""
        for pool in self._own:
            if pool is self.library:
                pool.shutdown(wait=True)
            else:
                pool.shutdown(wait=False, cancel_futures=True)
