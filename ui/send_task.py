"""Sending in the background: a :class:`composer.send.SendJob` run on the send worker.

:class:`SendTask` runs the job's plan as an :class:`~ui.operations.Operation` on the
window's send worker (never on the GUI thread: a list send at 60 messages a minute
takes minutes, and never on the library executor, which it would hold that long). The
core's progress callbacks are the operation's reports, handed to the dialog on the GUI
thread. Cancel is the job's own: the message in flight finishes, the rest stays queued
in the send log for a later resume. A send stopped by a bug comes back as a report
that says so (the bug logged with its traceback), never lost in a console.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

from PySide6.QtCore import QObject

from composer.send import SendJob, SendPlan, SendProgress, SendReport
from ui.operations import Failure, Operation


class SendTask:
    """One run of a send job: ``progress`` and ``finished`` are called on the GUI thread."""

    def __init__(self, job: SendJob, plan: SendPlan) -> None:
        self.job = job
        self.plan = plan
        self.report: SendReport | None = None
        self.operation: Operation[SendReport] | None = None

    @property
    def running(self) -> bool:
        return self.operation is not None and self.report is None

    def start(
        self,
        executor: concurrent.futures.Executor,
        parent: QObject,
        *,
        progress: Callable[[SendProgress], object],
        finished: Callable[[SendReport], object],
    ) -> None:
        operation = Operation(
            self._send, parent=parent, executor=executor, what=f"Sending {self.job.digest_id}"
        )
        self.operation = operation
        operation.progress(progress).success(self._remember).success(finished)
        operation.failure(lambda failure: finished(self._remember(self._stopped(failure))))
        operation.run_in_background()

    def _send(self) -> SendReport:
        """On the send worker: the whole run, each step reported."""
        operation = self.operation
        assert operation is not None
        return self.job.run(self.plan, operation.report)

    def _remember(self, report: SendReport) -> SendReport:
        self.report = report
        return report

    def _stopped(self, failure: Failure) -> SendReport:
        """The report of a run an error stopped: nothing more was sent, the rest is queued."""
        report = SendReport(self.job.digest_id, self.job.test, len(self.plan.to_send))
        report.left_queued = [r.key for r in self.plan.to_send]
        error = failure.exception
        report.stopped = f"an unexpected error stopped the send ({type(error).__name__}: {error})"
        return report

    def cancel(self) -> None:
        """Stop after the message in flight; the others stay queued."""
        self.job.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker is done (closing the window mid-send); True when it is."""
        return self.operation is None or self.operation.wait(timeout)
