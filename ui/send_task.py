"""Sending in the background: a :class:`composer.send.SendJob` run on a worker thread.

:class:`SendTask` runs the job's plan on an executor (never on the GUI thread:
a list send at 60 messages a minute takes minutes) and turns the core's
progress callbacks into Qt signals, which arrive on the GUI thread. Cancel is
the job's own: the message in flight finishes, the rest stays queued in the
send log for a later resume. :class:`RecipientReader` reads and checks a
recipient list, and :class:`ConnectionCheck` does the settings dialog's "Test
connection", the same way. Every failure comes back as a message;
nothing is lost in a console.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from composer.errors import NewsdigestError
from composer.recipients import RecipientList
from composer.send import SendJob, SendPlan, SendProgress, SendReport, check_connection
from composer.smtp_settings import SmtpSettings

log = logging.getLogger(__name__)


def _emit(signal: Any, *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # the dialog was deleted meanwhile
        signal.emit(*args)


class SendTask(QObject):
    """One run of a send job on an executor; ``progress`` and ``finished`` reach the GUI thread."""

    progress = Signal(object)  # SendProgress
    finished = Signal(object)  # SendReport

    def __init__(
        self,
        job: SendJob,
        plan: SendPlan,
        executor: concurrent.futures.Executor,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.job = job
        self.plan = plan
        self.executor = executor
        self.report: SendReport | None = None
        self.future: concurrent.futures.Future[None] | None = None
        self.finished.connect(self._remember)

    @property
    def running(self) -> bool:
        return self.future is not None and self.report is None

    def _remember(self, report: SendReport) -> None:
        self.report = report

    def start(self) -> None:
        self.future = self.executor.submit(self._run)

    def cancel(self) -> None:
        """Stop after the message in flight; the others stay queued."""
        self.job.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker is done (closing the window mid-send); True when it is."""
        if self.future is None:
            return True
        try:
            self.future.result(timeout)
        except concurrent.futures.TimeoutError:
            return False
        return True

    def _progress(self, progress: SendProgress) -> None:
        _emit(self.progress, progress)

    def _run(self) -> None:
        try:
            report = self.job.run(self.plan, self._progress)
        except Exception as exc:  # a bug must reach the window, not a console
            log.exception("sending %s failed", self.job.digest_id)
            report = SendReport(self.job.digest_id, self.job.test, len(self.plan.to_send))
            report.left_queued = [r.key for r in self.plan.to_send]
            report.stopped = f"an unexpected error stopped the send ({type(exc).__name__}: {exc})"
        _emit(self.finished, report)


class RecipientReader(QObject):
    """Reads a recipient list on an executor (email-validator takes ~40 µs an address:
    seconds for a big list); ``read(key, list, error)`` arrives on the GUI thread."""

    read = Signal(object, object, str)

    def __init__(self, executor: concurrent.futures.Executor, parent: Any = None) -> None:
        super().__init__(parent)
        self.executor = executor

    def start(self, key: object, work: Callable[[], RecipientList]) -> None:
        self.executor.submit(self._run, key, work)

    def _run(self, key: object, work: Callable[[], RecipientList]) -> None:
        try:
            result = work()
        except NewsdigestError as exc:
            _emit(self.read, key, None, str(exc))
            return
        except Exception as exc:  # a bug must reach the window, not a console
            log.exception("reading recipients failed")
            _emit(self.read, key, None, f"the list could not be read ({type(exc).__name__}: {exc})")
            return
        _emit(self.read, key, result, "")


class ConnectionCheck(QObject):
    """Connects and logs in on an executor; ``finished(ok, message)`` on the GUI thread."""

    finished = Signal(bool, str)

    def __init__(
        self,
        settings: SmtpSettings,
        password: str | None,
        executor: concurrent.futures.Executor,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.password = password
        self.executor = executor

    def start(self) -> None:
        self.executor.submit(self._run)

    def _run(self) -> None:
        try:
            message = check_connection(self.settings, self.password)
        except NewsdigestError as exc:
            _emit(self.finished, False, str(exc))
            return
        except Exception as exc:  # a bug must reach the window, not a console
            log.exception("checking the connection failed")
            _emit(self.finished, False, f"the check failed ({type(exc).__name__}: {exc})")
            return
        _emit(self.finished, True, message)
