"""Rendering off the GUI thread: debounced, one render at a time, the newest request wins.

:class:`RenderScheduler` takes render requests (a frozen :class:`RenderJob`:
digest, items, theme, links — all immutable, safe to hand to another thread),
waits :attr:`RenderScheduler.delay_ms` after the last one, and renders on a
single-worker executor with the theme's shared :class:`~composer.email.render.Renderer`
(:func:`~composer.email.render.renderer_for`, the one the window's exports and sends use
too, so they reuse this render while the digest is unchanged). While a render runs,
newer requests wait; when it ends only the newest is rendered. The result (or the
error message) comes back on the GUI thread as a signal.

Tests pass a :class:`SynchronousExecutor`, which runs the job at once in the
calling thread, so a render is finished when :meth:`render_now` returns.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from composer.digest.model import Digest
from composer.errors import NewsdigestError
from composer.library.item import NewsItem
from composer.theme.model import Theme

if TYPE_CHECKING:  # Jinja2, premailer and lxml load in the worker, at the first render
    from composer.email.render import Links, Rendered

log = logging.getLogger(__name__)
DEBOUNCE_MS = 150


@dataclasses.dataclass(frozen=True)
class RenderJob:
    """Everything one render reads."""

    digest: Digest
    items: Mapping[str, NewsItem]
    theme: Theme
    links: Links


@dataclasses.dataclass(frozen=True)
class RenderResult:
    """A finished render: the output, or the message saying why there is none."""

    serial: int
    job: RenderJob
    rendered: Rendered | None
    error: str | None
    seconds: float


class SynchronousExecutor(concurrent.futures.Executor):
    """Runs each job at once in the calling thread (for tests and benchmarks)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the future, as a thread pool would
            future.set_exception(exc)
        return future


def render(job: RenderJob) -> Rendered:
    """``job`` rendered by its theme's shared renderer (made on first use, in the worker)."""
    from composer.email.render import renderer_for

    return renderer_for(job.theme).render(job.digest, job.items, job.theme, job.links)


def run_job(serial: int, job: RenderJob) -> RenderResult:
    """Render ``job``; any failure becomes a message (background errors are never lost)."""
    started = time.perf_counter()
    try:
        rendered = render(job)
    except NewsdigestError as exc:
        return RenderResult(serial, job, None, str(exc), time.perf_counter() - started)
    except Exception as exc:  # a bug must reach the window, not a console
        log.exception("rendering failed")
        message = f"The preview could not be rendered ({type(exc).__name__}: {exc})."
        return RenderResult(serial, job, None, message, time.perf_counter() - started)
    return RenderResult(serial, job, rendered, None, time.perf_counter() - started)


class RenderScheduler(QObject):
    """Debounces render requests and renders them on an executor, newest first."""

    finished = Signal(object)  # RenderResult, on the GUI thread
    _done = Signal(object)  # from the worker thread (queued to this object's thread)

    def __init__(
        self,
        executor: concurrent.futures.Executor | None = None,
        *,
        delay_ms: int = DEBOUNCE_MS,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._own_executor = executor is None
        self.executor = executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="newsdigest-render"
        )
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._start)
        self._done.connect(self._finish)
        self._pending: RenderJob | None = None
        self._running = False
        self._serial = 0
        self._closed = False
        self.last: RenderResult | None = None

    @property
    def delay_ms(self) -> int:
        return self._timer.interval()

    @property
    def busy(self) -> bool:
        """A render is waiting or running."""
        return self._running or self._timer.isActive() or self._pending is not None

    def request(self, job: RenderJob) -> None:
        """Render ``job`` once the edits pause (replaces any job still waiting)."""
        self._pending = job
        self._timer.start()

    def render_now(self, job: RenderJob | None = None) -> None:
        """Start rendering at once (the newest job, or ``job``), without the pause."""
        if job is not None:
            self._pending = job
        self._timer.stop()
        self._start()

    def _start(self) -> None:
        if self._running or self._pending is None or self._closed:
            return
        job, self._pending = self._pending, None
        self._serial += 1
        self._running = True
        serial = self._serial
        try:
            future = self.executor.submit(run_job, serial, job)
        except RuntimeError:  # the executor was shut down (the window is closing)
            self._running = False
            return
        future.add_done_callback(self._deliver)

    def _deliver(self, future: concurrent.futures.Future[RenderResult]) -> None:
        try:
            result = future.result()
        except concurrent.futures.CancelledError:
            return
        with contextlib.suppress(RuntimeError):  # the scheduler was deleted meanwhile
            self._done.emit(result)

    def _finish(self, result: RenderResult) -> None:
        self._running = False
        self.last = result
        self.finished.emit(result)
        if self._pending is not None and not self._timer.isActive():
            self._start()

    def close(self) -> None:
        """Stop rendering (waits for a render in progress, which takes milliseconds)."""
        self._closed = True
        self._timer.stop()
        self._pending = None
        if self._own_executor:
            self.executor.shutdown(wait=True, cancel_futures=True)
