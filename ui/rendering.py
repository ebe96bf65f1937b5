"""Rendering off the GUI thread: debounced, one render at a time, the newest request wins.

:class:`RenderScheduler` takes render requests (a frozen :class:`RenderJob`:
digest, items, theme, links — all immutable, safe to hand to another thread),
waits :attr:`RenderScheduler.delay_ms` after the last one, and renders it in an
:class:`~ui.operations.Operation` on the window's work pool with the theme's shared
:class:`~composer.email.render.Renderer` (:func:`~composer.email.render.renderer_for`,
the one the window's exports and sends use too, so they reuse this render while the
digest is unchanged). While a render runs, newer requests wait; when it ends only the
newest is rendered. :meth:`RenderScheduler.render_now` does not wait: its render
supersedes the one under way, whose result is dropped. The result (or the message
saying why there is none) comes back on the GUI thread as a signal.

Tests pass a :class:`~ui.operations.SynchronousExecutor`, which runs the render at
once in the calling thread, so a render is finished when :meth:`render_now` returns.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from composer.digest.model import Digest
from composer.library.item import NewsItem
from composer.theme.model import Theme
from ui.operations import Failure, Operation, OpKind

if TYPE_CHECKING:  # Jinja2, premailer and lxml load in the worker, at the first render
    from composer.email.render import Links, Rendered

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


def render(job: RenderJob) -> Rendered:
    """``job`` rendered by its theme's shared renderer (made on first use, in the worker)."""
    from composer.email.render import renderer_for

    return renderer_for(job.theme).render(job.digest, job.items, job.theme, job.links)


def timed_render(job: RenderJob) -> tuple[Rendered, float]:
    """``job`` rendered, and the seconds it took (on the worker)."""
    started = time.perf_counter()
    rendered = render(job)
    return rendered, time.perf_counter() - started


class RenderScheduler(QObject):
    """Debounces render requests and renders them on an executor, newest first."""

    finished = Signal(object)  # RenderResult, on the GUI thread

    def __init__(
        self,
        executor: concurrent.futures.Executor,
        *,
        delay_ms: int = DEBOUNCE_MS,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.executor = executor
        self.renders = OpKind(newest_wins=True)
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._start)
        self._pending: RenderJob | None = None
        self._serial = 0
        self._closed = False
        self.last: RenderResult | None = None

    @property
    def delay_ms(self) -> int:
        return self._timer.interval()

    @property
    def busy(self) -> bool:
        """A render is waiting or running."""
        return bool(self.renders.running) or self._timer.isActive() or self._pending is not None

    def request(self, job: RenderJob) -> None:
        """Render ``job`` once the edits pause (replaces any job still waiting)."""
        self._pending = job
        self._timer.start()

    def render_now(self, job: RenderJob | None = None) -> None:
        """Start rendering at once (the newest job, or ``job``), superseding a render under way."""
        if job is not None:
            self._pending = job
        self._timer.stop()
        self._start(now=True)

    def _start(self, now: bool = False) -> None:
        if self._pending is None or self._closed or (self.renders.running and not now):
            return  # after the render under way, the newest job waiting is rendered
        job, self._pending = self._pending, None
        self._serial += 1
        serial = self._serial
        started = time.perf_counter()

        def failed(failure: Failure) -> None:
            self._finish(RenderResult(serial, job, None, failure.message, _since(started)))

        Operation(
            lambda: timed_render(job),
            parent=self,
            executor=self.executor,
            what="The preview",
            kind=self.renders,
        ).success(
            lambda done: self._finish(RenderResult(serial, job, done[0], None, done[1]))
        ).failure(failed).run_in_background()

    def _finish(self, result: RenderResult) -> None:
        self.last = result
        self.finished.emit(result)
        if self._pending is not None and not self._timer.isActive():
            self._start()

    def close(self) -> None:
        """Stop rendering: nothing waiting is rendered, a render under way is dropped."""
        self._closed = True
        self._timer.stop()
        self._pending = None
        self.renders.supersede()


def _since(started: float) -> float:
    return time.perf_counter() - started
