"""A send of one digest: the run loop over one reused connection, throttled and cancellable.

:class:`SendJob` runs the plan over one reused SMTP connection
(:class:`composer.send.smtp.SmtpConnection`), reconnecting when it drops,
throttled to the settings' messages per minute, reporting progress to a
callback, and stopping between two messages when :meth:`SendJob.cancel` is
called. It is meant to run in a worker thread for the GUI: its progress callback
is called from that thread, and :meth:`SendJob.cancel` may be called from any
thread. Nobody gets the same digest twice unless the user chooses it:
``send_again`` ``"failed"`` or ``"all"``, or ``retry_uncertain``.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from composer.digest import Digest
from composer.errors import NewsdigestError, SendError
from composer.preflight import Finding
from composer.recipients import (
    Recipient,
    RecipientList,
)
from composer.render import Renderer
from composer.repository import Library
from composer.secrets import PasswordStore, UnsubscribeKeyStore
from composer.send.journal import (
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    UNCERTAIN,
    Journal,
    LibraryJournal,
    MemoryJournal,
    make_entry,
    now_iso,
    recipient_from_entry,
)
from composer.send.message import MessageFactory, PreparedDigest, prepare_digest
from composer.send.plan import SendAgain, SendPlan, other_sends, plan_send
from composer.send.report import (
    Preflight,
    ProgressCallback,
    SendEvent,
    SendProgress,
    SendReport,
    make_preflight,
)
from composer.send.smtp import RetryLater, SmtpConnection
from composer.smtp_settings import (
    SmtpSettings,
    smtp_from_settings,
)
from composer.theme import Theme, theme_from_settings
from composer.unsubscribe import needs_key

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)

# -- the job ---------------------------------------------------------------------------------------


class SendJob:
    """One send of a digest: plan it, run it (a worker thread may), cancel it from anywhere."""

    def __init__(
        self,
        prepared: PreparedDigest,
        settings: SmtpSettings,
        *,
        journal: Journal | None = None,
        test: bool = False,
        passwords: PasswordStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        cautions: Sequence[Finding] = (),
        unsubscribe_key: bytes | None = None,
    ) -> None:
        if journal is None and not test:
            raise ValueError("a list send needs the library's send log (LibraryJournal)")
        self.prepared = prepared
        self.settings = settings
        self.test = test
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        self.unsubscribe_key = unsubscribe_key
        self.factory = MessageFactory(
            prepared, settings, test=test, unsubscribe_key=unsubscribe_key
        )
        self.passwords = passwords if passwords is not None else PasswordStore()
        self.clock = clock
        #: Findings about earlier sends of the same news (see :func:`other_sends`).
        self.cautions = tuple(cautions)
        self._cancel = threading.Event()

    @property
    def digest_id(self) -> str:
        return self.prepared.digest.id

    # -- control ----------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop after the message in flight (thread-safe); the rest stays queued."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def again(self) -> SendJob:
        """A new job for another run of the same message, server and send log (not cancelled)."""
        return SendJob(
            self.prepared,
            self.settings,
            journal=self.journal,
            test=self.test,
            passwords=self.passwords,
            clock=self.clock,
            cautions=self.cautions,
            unsubscribe_key=self.unsubscribe_key,
        )

    # -- planning ---------------------------------------------------------------------------------
    def plan(
        self,
        recipients: Sequence[Recipient] | None = None,
        *,
        retry_uncertain: bool = False,
        send_again: SendAgain | None = None,
        log: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> SendPlan:
        """Who to send to now (``log``: the send log's entries, when the caller has them)."""
        log_entries = {} if self.test else (self.journal.entries() if log is None else log)
        return plan_send(
            self.digest_id,
            log_entries,
            recipients,
            retry_uncertain=retry_uncertain,
            send_again=send_again,
        )

    def preflight(self, plan: SendPlan, recipients: RecipientList | None = None) -> Preflight:
        return make_preflight(self, plan, recipients)

    # -- running ----------------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return float(min(s.retry_delay * 2.0 ** max(0, attempt - 1), s.retry_delay_max))

    def run(self, plan: SendPlan, progress: ProgressCallback | None = None) -> SendReport:
        """Send to ``plan.to_send``; returns the report (a stop is reported, not raised)."""
        started = self.clock()
        report = SendReport(self.digest_id, self.test, len(plan.to_send))
        report.uncertain_before = plan.uncertain
        digest_id = self.digest_id
        stamp = now_iso()
        start_entries = [
            make_entry(
                digest_id,
                r,
                QUEUED,
                queued_at=stamp,
                attempts=0,
                code=None,
                text="",
                message_id=None if self.test else self.factory.message_id(r),
            )
            for r in plan.to_send
        ]
        log_entries = self.journal.entries() if plan.interrupted else {}
        resent = {r.key for r in plan.to_send}
        for key in plan.interrupted:
            if key in resent:
                continue
            start_entries.append(
                {
                    **log_entries.get(key, {}),
                    **make_entry(
                        digest_id,
                        recipient_from_entry(log_entries.get(key, {"recipient": key})),
                        UNCERTAIN,
                        text="interrupted after the message was handed to the server; it may "
                        "or may not have been delivered",
                    ),
                }
            )
        report.left_queued = [r.key for r in plan.to_send]
        try:
            self.journal.record(start_entries)
            if plan.to_send:
                self._run(plan, report, started, progress)
        except NewsdigestError as exc:  # SendError, or the send log could not be written
            report.stopped = str(exc)
        report.elapsed = self.clock() - started
        return report

    def _password(self) -> str | None:
        if not self.settings.user:
            return None
        password = self.passwords.get(self.settings)
        if password is None:
            from composer.secrets import ENV_VAR

            raise SendError(
                f"no password for {self.settings.keyring_username}: store it in the keychain "
                f"(`newsdigest settings smtp --password`), or set {ENV_VAR}"
            )
        return password

    def _run(
        self,
        plan: SendPlan,
        report: SendReport,
        started: float,
        progress: ProgressCallback | None,
    ) -> None:
        s = self.settings
        interval = 60.0 / s.throttle if s.throttle else 0.0
        queue: list[tuple[float, int, int, Recipient]] = [
            (0.0, n, 0, r) for n, r in enumerate(plan.to_send)
        ]
        sequence = len(queue)
        front = 0  # sequence numbers for a recipient put back at the head of the queue
        retrying: set[str] = set()
        envelope_from = self.factory.sender.addr_spec
        digest_id = self.digest_id

        def emit(event: SendEvent | None, waiting: float = 0.0) -> None:
            if progress is None:
                return
            elapsed = self.clock() - started
            done = len(report.sent) + len(report.failed) + len(report.uncertain)
            remaining = report.total - done
            per_message = max(interval, elapsed / done if done else interval)
            left = remaining * per_message if (done or interval) else None
            progress(
                SendProgress(
                    total=report.total,
                    sent=len(report.sent),
                    failed=len(report.failed),
                    uncertain=len(report.uncertain),
                    retrying=len(retrying),
                    elapsed=elapsed,
                    seconds_left=left,
                    event=event,
                    waiting=waiting,
                )
            )

        def record(recipient: Recipient, state: str, **fields: Any) -> None:
            self.journal.record([make_entry(digest_id, recipient, state, **fields)])

        connection = SmtpConnection(s, self._password())
        opened_once = False
        trouble = 0  # connection problems since the last message accepted
        last_start: float | None = None
        try:
            while queue:
                if self._cancel.is_set():
                    report.cancelled = True
                    break
                ready_at, _, attempts, recipient = queue[0]
                now = self.clock()
                wait = ready_at - now
                if interval and last_start is not None:
                    wait = max(wait, last_start + interval - now)
                if wait > 0:
                    emit(None, wait)
                    self._cancel.wait(wait)
                    continue
                heapq.heappop(queue)
                if not connection.connected:
                    try:
                        connection.open()
                    except RetryLater as exc:
                        trouble += 1
                        if not opened_once or trouble >= s.max_attempts:
                            front -= 1
                            heapq.heappush(queue, (ready_at, front, attempts, recipient))
                            raise SendError(str(exc)) from None
                        delay = self._backoff(trouble)
                        log.info("reconnecting in %.1f s: %s", delay, exc)
                        front -= 1
                        heapq.heappush(queue, (self.clock() + delay, front, attempts, recipient))
                        continue
                    except SendError:
                        front -= 1
                        heapq.heappush(queue, (ready_at, front, attempts, recipient))
                        raise
                    opened_once = True
                last_start = self.clock()
                attempt = attempts + 1
                message_id = self.factory.message_id(recipient)
                try:
                    data = self.factory.build(recipient, message_id=message_id)
                except (ValueError, TypeError) as exc:  # an address the header cannot hold
                    event = SendEvent(recipient.key, FAILED, None, f"cannot build: {exc}", attempt)
                    record(recipient, FAILED, text=event.text, attempts=attempt)
                    report.failed.append(event)
                    emit(event)
                    continue

                def before_data(
                    r: Recipient = recipient, a: int = attempt, mid: str = message_id
                ) -> None:
                    record(r, SENDING, attempts=a, sending_at=now_iso(), message_id=mid)

                try:
                    outcome = connection.send(
                        envelope_from, recipient.ascii_address, data, before_data
                    )
                except NewsdigestError:  # the send log could not be written: nothing was sent
                    front -= 1
                    heapq.heappush(queue, (ready_at, front, attempts, recipient))
                    raise
                del data
                retrying.discard(recipient.key)
                if outcome.kind == "sent":
                    trouble = 0
                    record(
                        recipient,
                        SENT,
                        attempts=attempt,
                        code=outcome.code,
                        text=outcome.text,
                        sent_at=now_iso(),
                        message_id=message_id,
                    )
                    report.sent.append(recipient.key)
                    emit(SendEvent(recipient.key, SENT, outcome.code, outcome.text, attempt))
                    continue
                if outcome.kind == "sender_refused":
                    record(
                        recipient, QUEUED, attempts=attempts, code=outcome.code, text=outcome.text
                    )
                    front -= 1
                    heapq.heappush(queue, (ready_at, front, attempts, recipient))
                    raise SendError(
                        f"the server refused the sender address {envelope_from} "
                        f"({outcome.code} {outcome.text}); nothing more was sent"
                    )
                if outcome.kind == "rejected":
                    event = SendEvent(recipient.key, FAILED, outcome.code, outcome.text, attempt)
                    record(
                        recipient, FAILED, attempts=attempt, code=outcome.code, text=outcome.text
                    )
                    report.failed.append(event)
                    emit(event)
                    continue
                if outcome.kind == "uncertain":
                    trouble += 1
                    event = SendEvent(recipient.key, UNCERTAIN, None, outcome.text, attempt)
                    record(recipient, UNCERTAIN, attempts=attempt, text=outcome.text)
                    report.uncertain.append(event)
                    emit(event)
                    if trouble >= s.max_attempts:
                        raise SendError(f"the connection to {s.server_label} keeps failing")
                    continue
                # temporary: a 4xx reply, or the connection lost before DATA
                if outcome.reconnect:
                    trouble += 1
                if attempt >= s.max_attempts:
                    text = f"{outcome.text} (a temporary failure; gave up after {attempt} attempts)"
                    event = SendEvent(recipient.key, FAILED, outcome.code, text, attempt)
                    record(recipient, FAILED, attempts=attempt, code=outcome.code, text=text)
                    report.failed.append(event)
                    emit(event)
                else:
                    record(
                        recipient, QUEUED, attempts=attempt, code=outcome.code, text=outcome.text
                    )
                    retrying.add(recipient.key)
                    delay = self._backoff(attempt)
                    heapq.heappush(queue, (self.clock() + delay, sequence, attempt, recipient))
                    sequence += 1
                    emit(SendEvent(recipient.key, "retrying", outcome.code, outcome.text, attempt))
                if outcome.reconnect and trouble >= s.max_attempts:
                    raise SendError(
                        f"the connection to {s.server_label} keeps failing ({outcome.text})"
                    )
        except KeyboardInterrupt:
            # "Ctrl-C again to stop at once": no QUIT, whose reply may be queued behind the
            # one the server still owes; the message in flight stays "sending" (uncertain)
            connection.drop()
            raise
        finally:
            connection.close()
            report.left_queued = [r.key for _, _, _, r in sorted(queue)]
            emit(None)


def job_for(
    library: Library,
    digest: Digest,
    *,
    test: bool = False,
    settings: SmtpSettings | None = None,
    passwords: PasswordStore | None = None,
    renderer: Renderer | None = None,
    keys: UnsubscribeKeyStore | None = None,
    theme: Theme | None = None,
) -> SendJob:
    """A send of ``digest`` with the library's theme, items, SMTP settings and send log.

    ``settings`` replaces the stored SMTP settings (command-line overrides), ``theme``
    the stored theme settings; the GUI passes its own ``renderer`` so that
    templates and premailer are set up once. ``keys`` gives the unsubscribe key when
    the unsubscribe url has ``{token}`` (by default the keychain's, made once).
    """
    stored = library.settings()
    theme = theme if theme is not None else theme_from_settings(stored)
    smtp = settings if settings is not None else smtp_from_settings(stored)
    items = {item.id: item for item in library.items()}
    prepared = prepare_digest(digest, items, theme, renderer=renderer)
    journal = None if test else LibraryJournal(library, digest.id)
    cautions = () if test else other_sends(library, digest)
    key = None
    if needs_key(prepared.links.unsubscribe, smtp.unsubscribe_mailto):
        key = (keys if keys is not None else UnsubscribeKeyStore()).get_or_create()
    return SendJob(
        prepared,
        smtp,
        journal=journal,
        test=test,
        passwords=passwords,
        cautions=cautions,
        unsubscribe_key=key,
    )
