"""The loop of one run: the queue, one reused connection, the throttle, retries, the records.

:class:`RunLoop` sends to a plan's recipients over one SMTP connection,
reconnecting when it drops (with a doubling back-off), throttled to the
settings' messages per minute, recording each state change in the job's journal
(``sending`` before ``DATA``, then ``sent``, ``failed`` or ``uncertain``) and
reporting progress; it stops between two messages when the job is cancelled, and
at once, without a goodbye, on a second Ctrl-C.

Each recipient is claimed (:meth:`composer.send.journal.Journal.claim`) once the
connection is open and before the message is built: a recipient another sender of
the digest has taken, or dealt with, is skipped and counted
(:attr:`composer.send.report.SendReport.taken_by_others`), never sent twice. A
record or a claim the library cannot write (:class:`composer.errors.LibraryError`)
stops the run between two messages, the recipient in flight named in the report.

The time left in each progress report follows the pace of the last few dozen messages,
never faster than the throttle (:class:`composer.send.time_left.TimeLeft`), so one held
reply early in a long run does not stretch the estimate to its end.

The queue's memory does not grow with the list: it walks the plan's recipients by
an index, and only retries and put-backs wait in a small heap (a put-back goes to
the head, a retry at its ready time, as if every recipient were in one heap).
"""

from __future__ import annotations

import dataclasses
import heapq
import logging
from typing import TYPE_CHECKING, Any

from composer.errors import NewsdigestError, SendError
from composer.recipients import Recipient
from composer.send.journal import FAILED, QUEUED, SENDING, SENT, UNCERTAIN, make_entry, now_iso
from composer.send.keys import RecipientKeys
from composer.send.plan import SendPlan
from composer.send.report import ProgressCallback, SendEvent, SendProgress, SendReport
from composer.send.smtp import Outcome, RetryLater, SmtpConnection
from composer.send.time_left import TimeLeft

if TYPE_CHECKING:
    from composer.send.job import SendJob

log = logging.getLogger(__name__)

#: Ready at, order, attempts so far, the recipient's index in the plan. The order of the
#: list's own recipients is their index; put-backs get negative orders (the head of the
#: queue), retries orders from the list's length up (after the list, by time).
Queued = tuple[float, int, int, int]


class RunLoop:
    """One run's loop: the queue (the list by index, a heap of the others), the connection."""

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
        self.recipients = plan.to_send
        self.next_index = 0  # the list's first recipient not yet taken from it
        self.waiting: list[Queued] = []  # retries and put-backs: a heap by time, then order
        self.sequence = len(self.recipients)  # order numbers for retries
        self.front = 0  # order numbers for a recipient put back at the head of the queue
        self.retrying: set[str] = set()
        self.envelope_from = job.factory.sender.addr_spec
        holder = job.holder
        self.claimed_by = f"{holder.pid}@{holder.host}"
        self.connection = SmtpConnection(job.settings, job.password())
        self.opened_once = False
        self.trouble = 0  # connection problems since the last message accepted
        self.last_start: float | None = None
        self.time_left = TimeLeft(started, self.interval)

    # -- the queue --------------------------------------------------------------------------------
    def _head(self) -> Queued | None:
        """The next to send: the list's next recipient, or a waiting one that comes first."""
        listed: Queued | None = None
        if self.next_index < len(self.recipients):
            listed = (0.0, self.next_index, 0, self.next_index)
        if self.waiting and (listed is None or self.waiting[0] < listed):
            return self.waiting[0]
        return listed

    def _pop(self) -> Queued:
        head = self._head()
        assert head is not None
        if self.waiting and head is self.waiting[0]:
            return heapq.heappop(self.waiting)
        self.next_index += 1
        return head

    def _left(self) -> RecipientKeys:
        """Who is still queued, in the queue's order (the list's rest as a range, not a copy)."""
        listed = (0.0, self.next_index)
        waiting = sorted(self.waiting)
        return RecipientKeys(
            self.recipients,
            tuple(q[3] for q in waiting if q[:2] < listed),
            range(self.next_index, len(self.recipients)),
            tuple(q[3] for q in waiting if q[:2] >= listed),
        )

    def _put_back(self, ready_at: float, attempts: int, index: int) -> None:
        self.front -= 1
        heapq.heappush(self.waiting, (ready_at, self.front, attempts, index))

    # -- the loop ---------------------------------------------------------------------------------
    def loop(self) -> None:
        try:
            while self._head() is not None:
                if self.job.cancelled:
                    self.report.cancelled = True
                    break
                if self._waited():
                    continue
                ready_at, _, attempts, index = self._pop()
                if self.connection.connected or self._connect(ready_at, attempts, index):
                    self._send(ready_at, attempts, index)
        except KeyboardInterrupt:
            # "Ctrl-C again to stop at once": no QUIT, whose reply may be queued behind the
            # one the server still owes; the message in flight stays "sending" (uncertain)
            self.connection.drop()
            raise
        finally:
            self.connection.close()
            self.report.left_queued = self._left()
            self.emit(None)

    def _waited(self) -> bool:
        """Wait for the head of the queue (throttle, back-off); True: the loop looks again."""
        head = self._head()
        assert head is not None
        now = self.clock()
        wait = head[0] - now
        if self.interval and self.last_start is not None:
            wait = max(wait, self.last_start + self.interval - now)
        if wait <= 0:
            return False
        self.emit(None, wait)
        self.job.wait_for_cancel(wait)
        return True

    def _connect(self, ready_at: float, attempts: int, index: int) -> bool:
        try:
            self.connection.open()
        except RetryLater as exc:
            self.trouble += 1
            if not self.opened_once or self.trouble >= self.settings.max_attempts:
                self._put_back(ready_at, attempts, index)
                raise SendError(str(exc)) from None
            delay = self.job.backoff(self.trouble)
            log.info("reconnecting in %.1f s: %s", delay, exc)
            self._put_back(self.clock() + delay, attempts, index)
            return False
        except SendError:
            self._put_back(ready_at, attempts, index)
            raise
        self.opened_once = True
        return True

    def _claim(self, ready_at: float, attempts: int, index: int) -> bool:
        """Take the recipient for this run; False: another sender has them (skipped)."""
        recipient = self.recipients[index]
        entry = make_entry(
            self.job.digest_id,
            recipient,
            SENDING,
            claimed_by=self.claimed_by,
            claimed_at=now_iso(),
        )
        try:
            claimed = self.job.journal.claim(entry)
        except NewsdigestError:  # the library cannot be reached: stop here, they stay queued
            self._put_back(ready_at, attempts, index)
            raise
        if not claimed:
            self.report.taken_by_others += 1
            self.retrying.discard(recipient.key)
            self.emit(None)
        return claimed

    # -- one message ------------------------------------------------------------------------------
    def _send(self, ready_at: float, attempts: int, index: int) -> None:
        if not self._claim(ready_at, attempts, index):
            return
        recipient = self.recipients[index]
        self.last_start = begun = self.clock()
        attempt = attempts + 1
        factory = self.job.factory
        message_id = factory.message_id(recipient)
        try:
            data = factory.data(recipient, message_id=message_id)
        except (ValueError, TypeError) as exc:  # an address the header cannot hold
            self._failed(
                index, Outcome("rejected", None, f"cannot build: {exc}", "message"), attempt
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
            self._put_back(ready_at, attempts, index)
            raise
        del data
        self.report.busy += self.clock() - begun
        self.report.attempted += 1
        self.retrying.discard(recipient.key)
        self._settle(outcome, ready_at, attempts, index, message_id)

    def _settle(
        self,
        outcome: Outcome,
        ready_at: float,
        attempts: int,
        index: int,
        message_id: str,
    ) -> None:
        recipient = self.recipients[index]
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
            self.report.mark_sent(index)
            self.emit(SendEvent(recipient.key, SENT, outcome.code, outcome.text, attempt))
        elif outcome.kind == "sender_refused":
            self._record(recipient, QUEUED, attempts=attempts, code=outcome.code, text=outcome.text)
            self._put_back(ready_at, attempts, index)
            raise SendError(
                f"the server refused the sender address {self.envelope_from} "
                f"({outcome.code} {outcome.text}); nothing more was sent"
            )
        elif outcome.kind == "rejected":
            self._failed(index, outcome, attempt)
        elif outcome.kind == "uncertain":
            self.trouble += 1
            event = SendEvent(recipient.key, UNCERTAIN, None, outcome.text, attempt)
            self._record(recipient, UNCERTAIN, attempts=attempt, text=outcome.text)
            self.report.uncertain.append(event)
            self.emit(event)
            if self.trouble >= self.settings.max_attempts:
                raise SendError(f"the connection to {self.settings.server_label} keeps failing")
        else:
            self._temporary(outcome, index, attempt)

    def _temporary(self, outcome: Outcome, index: int, attempt: int) -> None:
        """A 4xx reply, or the connection lost before DATA: retried later, up to max_attempts.

        The retry is ``queued`` again in the log, so that it is claimed again when its time
        comes (another sender of the digest may take it meanwhile).
        """
        recipient = self.recipients[index]
        if outcome.reconnect:
            self.trouble += 1
        if attempt >= self.settings.max_attempts:
            text = f"{outcome.text} (a temporary failure; gave up after {attempt} attempts)"
            self._failed(index, dataclasses.replace(outcome, text=text), attempt)
        else:
            self._record(recipient, QUEUED, attempts=attempt, code=outcome.code, text=outcome.text)
            self.retrying.add(recipient.key)
            ready = self.clock() + self.job.backoff(attempt)
            heapq.heappush(self.waiting, (ready, self.sequence, attempt, index))
            self.sequence += 1
            self.emit(SendEvent(recipient.key, "retrying", outcome.code, outcome.text, attempt))
        if outcome.reconnect and self.trouble >= self.settings.max_attempts:
            raise SendError(
                f"the connection to {self.settings.server_label} keeps failing ({outcome.text})"
            )

    def _failed(self, index: int, outcome: Outcome, attempt: int) -> None:
        recipient = self.recipients[index]
        event = SendEvent(recipient.key, FAILED, outcome.code, outcome.text, attempt)
        self._record(recipient, FAILED, attempts=attempt, code=outcome.code, text=outcome.text)
        self.report.failed.append(event)
        self.emit(event)

    def _record(self, recipient: Recipient, state: str, **fields: Any) -> None:
        try:
            self.job.journal.record([make_entry(self.job.digest_id, recipient, state, **fields)])
        except NewsdigestError:  # claimed, or handed over: the log may still say "sending"
            self.report.in_flight = recipient.key
            raise

    def emit(self, event: SendEvent | None, waiting: float = 0.0) -> None:
        if self.progress is None:
            return
        report = self.report
        now = self.clock()
        elapsed = now - self.started
        done = report.sent_count + len(report.failed) + len(report.uncertain)
        self.time_left.catch_up(done, now)
        left = self.time_left.seconds_left(report.total - done - report.taken_by_others)
        self.progress(
            SendProgress(
                total=report.total,
                sent=report.sent_count,
                failed=len(report.failed),
                uncertain=len(report.uncertain),
                retrying=len(self.retrying),
                elapsed=elapsed,
                seconds_left=left,
                event=event,
                waiting=waiting,
                taken=report.taken_by_others,
            )
        )
