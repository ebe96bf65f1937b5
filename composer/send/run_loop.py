"""The loop of one run: the queue, one reused connection, the throttle, retries, the records.

:class:`RunLoop` sends to a plan's recipients over one SMTP connection,
reconnecting when it drops (with a doubling back-off), throttled to the
settings' messages per minute, recording each state change in the job's journal
(``sending`` before ``DATA``, then ``sent``, ``failed`` or ``uncertain``) and
reporting progress; it stops between two messages when the job is cancelled, and
at once, without a goodbye, on a second Ctrl-C.
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
from typing import TYPE_CHECKING, Any

from composer.errors import NewsdigestError, SendError
from composer.recipients import Recipient
from composer.send.journal import FAILED, QUEUED, SENDING, SENT, UNCERTAIN, make_entry, now_iso
from composer.send.plan import SendPlan
from composer.send.report import ProgressCallback, SendEvent, SendProgress, SendReport
from composer.send.smtp import Outcome, RetryLater, SmtpConnection

if TYPE_CHECKING:
    from composer.send.job import SendJob

log = logging.getLogger(__name__)

Queued = tuple[float, int, int, Recipient]  # ready at, order, attempts so far, recipient


class RunLoop:
    """One run's loop: the queue (a heap by time then order), the connection, the counts."""

    def __init__(
        self,
        job: SendJob,
        plan: SendPlan,
        report: SendReport,
        started: float,
        progress: ProgressCallback | None,
    ) -> None:
        self.job, self.report, self.started, self.progress = job, report, started, progress
        self.settings = job.settings
        self.clock = job.clock
        self.interval = 60.0 / job.settings.throttle if job.settings.throttle else 0.0
        self.queue: list[Queued] = [(0.0, n, 0, r) for n, r in enumerate(plan.to_send)]
        self.sequence = len(self.queue)
        self.front = 0  # order numbers for a recipient put back at the head of the queue
        self.retrying: set[str] = set()
        self.envelope_from = job.factory.sender.addr_spec
        self.connection = SmtpConnection(job.settings, job.password())
        self.opened_once = False
        self.trouble = 0  # connection problems since the last message accepted
        self.last_start: float | None = None

    # -- the loop ---------------------------------------------------------------------------------
    def loop(self) -> None:
        try:
            while self.queue:
                if self.job.cancelled:
                    self.report.cancelled = True
                    break
                if self._waited():
                    continue
                ready_at, _, attempts, recipient = heapq.heappop(self.queue)
                if self.connection.connected or self._connect(ready_at, attempts, recipient):
                    self._send(ready_at, attempts, recipient)
        except KeyboardInterrupt:
            # "Ctrl-C again to stop at once": no QUIT, whose reply may be queued behind the
            # one the server still owes; the message in flight stays "sending" (uncertain)
            self.connection.drop()
            raise
        finally:
            self.connection.close()
            self.report.left_queued = [r.key for _, _, _, r in sorted(self.queue)]
            self.emit(None)

    def _waited(self) -> bool:
        """Wait for the head of the queue (throttle, back-off); True: the loop looks again."""
        now = self.clock()
        wait = self.queue[0][0] - now
        if self.interval and self.last_start is not None:
            wait = max(wait, self.last_start + self.interval - now)
        if wait <= 0:
            return False
        self.emit(None, wait)
        self.job.wait_for_cancel(wait)
        return True

    def _put_back(self, ready_at: float, attempts: int, recipient: Recipient) -> None:
        self.front -= 1
        heapq.heappush(self.queue, (ready_at, self.front, attempts, recipient))

    def _connect(self, ready_at: float, attempts: int, recipient: Recipient) -> bool:
        try:
            self.connection.open()
        except RetryLater as exc:
            self.trouble += 1
            if not self.opened_once or self.trouble >= self.settings.max_attempts:
                self._put_back(ready_at, attempts, recipient)
                raise SendError(str(exc)) from None
            delay = self.job.backoff(self.trouble)
            log.info("reconnecting in %.1f s: %s", delay, exc)
            self._put_back(self.clock() + delay, attempts, recipient)
            return False
        except SendError:
            self._put_back(ready_at, attempts, recipient)
            raise
        self.opened_once = True
        return True

    # -- one message ------------------------------------------------------------------------------
    def _send(self, ready_at: float, attempts: int, recipient: Recipient) -> None:
        self.last_start = begun = self.clock()
        attempt = attempts + 1
        factory = self.job.factory
        message_id = factory.message_id(recipient)
        try:
            data = factory.data(recipient, message_id=message_id)
        except (ValueError, TypeError) as exc:  # an address the header cannot hold
            self._failed(
                recipient, Outcome("rejected", None, f"cannot build: {exc}", "message"), attempt
            )
            return

        def before_data() -> None:
            self._record(
                recipient, SENDING, attempts=attempt, sending_at=now_iso(), message_id=message_id
            )

        try:
            outcome = self.connection.send(
                self.envelope_from, recipient.ascii_address, data, before_data
            )
        except NewsdigestError:  # the send log could not be written: nothing was sent
            self._put_back(ready_at, attempts, recipient)
            raise
        del data
        self.report.busy += self.clock() - begun
        self.report.attempted += 1
        self.retrying.discard(recipient.key)
        self._settle(outcome, ready_at, attempts, recipient, message_id)

    def _settle(
        self,
        outcome: Outcome,
        ready_at: float,
        attempts: int,
        recipient: Recipient,
        message_id: str,
    ) -> None:
        attempt = attempts + 1
        if outcome.kind == "sent":
            self.trouble = 0
            self._record(
                recipient,
                SENT,
                attempts=attempt,
                code=outcome.code,
                text=outcome.text,
                sent_at=now_iso(),
                message_id=message_id,
            )
            self.report.sent.append(recipient.key)
            self.emit(SendEvent(recipient.key, SENT, outcome.code, outcome.text, attempt))
        elif outcome.kind == "sender_refused":
            self._record(recipient, QUEUED, attempts=attempts, code=outcome.code, text=outcome.text)
            self._put_back(ready_at, attempts, recipient)
            raise SendError(
                f"the server refused the sender address {self.envelope_from} "
                f"({outcome.code} {outcome.text}); nothing more was sent"
            )
        elif outcome.kind == "rejected":
            self._failed(recipient, outcome, attempt)
        elif outcome.kind == "uncertain":
            self.trouble += 1
            event = SendEvent(recipient.key, UNCERTAIN, None, outcome.text, attempt)
            self._record(recipient, UNCERTAIN, attempts=attempt, text=outcome.text)
            self.report.uncertain.append(event)
            self.emit(event)
            if self.trouble >= self.settings.max_attempts:
                raise SendError(f"the connection to {self.settings.server_label} keeps failing")
        else:
            self._temporary(outcome, recipient, attempt)

    def _temporary(self, outcome: Outcome, recipient: Recipient, attempt: int) -> None:
        """A 4xx reply, or the connection lost before DATA: retried later, up to max_attempts."""
        if outcome.reconnect:
            self.trouble += 1
        if attempt >= self.settings.max_attempts:
            text = f"{outcome.text} (a temporary failure; gave up after {attempt} attempts)"
            self._failed(recipient, dataclasses.replace(outcome, text=text), attempt)
        else:
            self._record(recipient, QUEUED, attempts=attempt, code=outcome.code, text=outcome.text)
            self.retrying.add(recipient.key)
            ready = self.clock() + self.job.backoff(attempt)
            heapq.heappush(self.queue, (ready, self.sequence, attempt, recipient))
            self.sequence += 1
            self.emit(SendEvent(recipient.key, "retrying", outcome.code, outcome.text, attempt))
        if outcome.reconnect and self.trouble >= self.settings.max_attempts:
            raise SendError(
                f"the connection to {self.settings.server_label} keeps failing ({outcome.text})"
            )

    def _failed(self, recipient: Recipient, outcome: Outcome, attempt: int) -> None:
        event = SendEvent(recipient.key, FAILED, outcome.code, outcome.text, attempt)
        self._record(recipient, FAILED, attempts=attempt, code=outcome.code, text=outcome.text)
        self.report.failed.append(event)
        self.emit(event)

    def _record(self, recipient: Recipient, state: str, **fields: Any) -> None:
        self.job.journal.record([make_entry(self.job.digest_id, recipient, state, **fields)])

    def emit(self, event: SendEvent | None, waiting: float = 0.0) -> None:
        if self.progress is None:
            return
        report = self.report
        elapsed = self.clock() - self.started
        done = len(report.sent) + len(report.failed) + len(report.uncertain)
        per_message = max(self.interval, elapsed / done if done else self.interval)
        left = (report.total - done) * per_message if (done or self.interval) else None
        self.progress(
            SendProgress(
                total=report.total,
                sent=len(report.sent),
                failed=len(report.failed),
                uncertain=len(report.uncertain),
                retrying=len(self.retrying),
                elapsed=elapsed,
                seconds_left=left,
                event=event,
                waiting=waiting,
            )
        )
