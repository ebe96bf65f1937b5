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

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from composer.digest.model import Digest
from composer.email.preflight import Finding
from composer.email.render import Renderer
from composer.email.unsubscribe import needs_key
from composer.errors import NewsdigestError, SendError
from composer.recipients import (
    Recipient,
    RecipientList,
)
from composer.repository import Holder, Library, SendSession
from composer.secrets import PasswordStore, UnsubscribeKeyStore
from composer.send.journal import (
    QUEUED,
    SENDING,
    UNCERTAIN,
    Journal,
    LibraryJournal,
    MemoryJournal,
    make_entry,
    now_iso,
    recipient_from_entry,
)
from composer.send.message import MessageFactory, PreparedDigest, prepare_digest
from composer.send.pace import measured_pace
from composer.send.plan import SendAgain, SendPlan, other_sends, plan_send, still_to_send
from composer.send.report import (
    Preflight,
    ProgressCallback,
    SendReport,
    make_preflight,
)
from composer.send.run_loop import RunLoop
from composer.smtp_settings import (
    SmtpSettings,
    smtp_from_settings,
)
from composer.theme.model import Theme, theme_from_settings

log = logging.getLogger(__name__)

_START_BATCH = 1_000  # queued entries written per journal record call


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
        holder: Holder | None = None,
        pace: float | None = None,
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
        #: Who runs the send, named to a second sender of the same digest.
        self.holder = holder if holder is not None else Holder("command", "newsdigest send")
        #: Seconds a message took on this server's last sends, for the estimate (None: unknown).
        self.pace = pace
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
            holder=self.holder,
            pace=self.pace,
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
        """Who to send to now (``log``: the send log's entries, when the caller has them).

        The plan keeps the log's mark (:meth:`composer.send.journal.Journal.mark`), taken
        before the log is read, so that :meth:`run` plans again only if the log changed.
        With ``log`` given, when the caller read it is unknown: the run plans again.
        """
        mark = None if self.test or log is not None else self.journal.mark()
        log_entries = {} if self.test else (self.journal.entries() if log is None else log)
        plan = plan_send(
            self.digest_id,
            log_entries,
            recipients,
            retry_uncertain=retry_uncertain,
            send_again=send_again,
        )
        senders = () if self.test else tuple(self.journal.senders())
        return dataclasses.replace(plan, log_mark=mark, sending_now=senders)

    def preflight(self, plan: SendPlan, recipients: RecipientList | None = None) -> Preflight:
        return make_preflight(self, plan, recipients)

    # -- running ----------------------------------------------------------------------------------
    def wait_for_cancel(self, seconds: float) -> None:
        self._cancel.wait(seconds)

    def backoff(self, attempt: int) -> float:
        """Seconds before the ``attempt``-th retry (doubling, capped)."""
        s = self.settings
        return float(min(s.retry_delay * 2.0 ** max(0, attempt - 1), s.retry_delay_max))

    def run(self, plan: SendPlan, progress: ProgressCallback | None = None) -> SendReport:
        """Send to ``plan.to_send``; returns the report (a stop is reported, not raised).

        A list send holds the digest's send lock for the whole run
        (:class:`composer.errors.SendLockedError`, raised, when another run has it and
        the store does not share sends) and plans again under it when the send log
        changed since ``plan`` was made: whoever another run dealt with is not sent to
        again. A run that joins others sending the same digest (a store that shares,
        :class:`composer.repository.SendSession`) queues only recipients the log does
        not have, leaves the others' ``sending`` entries alone (they are in flight), and
        each of its recipients is claimed before its message. The lock's setup is let go
        (``ready``) as soon as the queue is written, however that ends. At the end the
        journal is folded into the log.
        """
        started = self.clock()
        report = SendReport(self.digest_id, self.test, len(plan.to_send))
        report.uncertain_before = plan.uncertain
        with self.journal.hold(self.holder) as session:
            try:
                try:
                    plan = self._replan(plan, report, session)
                    report.start(plan.to_send)
                    self._record_start(plan, session)
                finally:
                    session.ready()  # never left holding the others' setup back
                if plan.to_send:
                    RunLoop(self, plan, report, started, progress).loop()
            except NewsdigestError as exc:  # SendError, or the send log could not be written
                report.stopped, report.stop_error = str(exc), exc
            self.journal.finish()  # not on KeyboardInterrupt: a second Ctrl-C stops at once
        report.elapsed = self.clock() - started
        return report

    def _replan(self, plan: SendPlan, report: SendReport, session: SendSession) -> SendPlan:
        """The plan as the send log is now, under the lock (the same plan if it did not change).

        Alone, the ``sending`` entries still there are a dead run's leftovers (marked
        uncertain by :meth:`_record_start`); joined, they are the other senders' messages
        in flight: not this run's uncertain, and left as they are.
        """
        if self.test:
            return plan
        unchanged = plan.log_mark is not None and self.journal.mark() == plan.log_mark
        if unchanged and not session.joined:
            return plan  # nobody wrote the log since it was read for the plan
        states = self.journal.states()
        to_send = still_to_send(
            states,
            plan.to_send,
            retry_uncertain=plan.retry_uncertain,
            send_again=plan.send_again,
        )
        report.dealt_elsewhere = len(plan.to_send) - len(to_send)
        interrupted = tuple(key for key in plan.interrupted if states.get(key) == SENDING)
        if session.joined:
            interrupted = self._dead_leftovers(interrupted)
            in_flight = set(plan.interrupted) - set(interrupted)  # a live sender's, or done since
            report.uncertain_before = tuple(k for k in plan.uncertain if k not in in_flight)
        if not report.dealt_elsewhere and interrupted == plan.interrupted:
            return plan
        return dataclasses.replace(plan, to_send=to_send, interrupted=interrupted)

    def _dead_leftovers(self, sending: tuple[str, ...]) -> tuple[str, ...]:
        """Of the ``sending`` entries a joined run finds, those no live sender claimed: a
        dead run's (its ``claimed_by``, ``pid@host``, names none of the senders now)."""
        if not sending:
            return ()
        live = {f"{h.pid}@{h.host}" for h in self.journal.senders()}
        entries = self.journal.entries()
        return tuple(k for k in sending if entries.get(k, {}).get("claimed_by") not in live)

    def _record_start(self, plan: SendPlan, session: SendSession) -> None:
        """Everyone of the run queued, and crash leftovers made uncertain, before any message.

        Joined: only the recipients the log does not have yet are queued (``only_new``),
        so that no state another sender wrote is overwritten.
        """
        stamp = now_iso()
        for first in range(0, len(plan.to_send), _START_BATCH):  # bounded memory at any size
            self.journal.record(
                [
                    make_entry(
                        self.digest_id,
                        r,
                        QUEUED,
                        queued_at=stamp,
                        attempts=0,
                        code=None,
                        text="",
                        message_id=None if self.test else self.factory.message_id(r),
                    )
                    for r in plan.to_send[first : first + _START_BATCH]
                ],
                only_new=session.joined,
            )
        if not plan.interrupted:  # joined: only a dead run's leftovers are left in it
            return
        resent = {r.key for r in plan.to_send}
        leftovers = [key for key in plan.interrupted if key not in resent]
        if not leftovers:
            return
        log_entries = self.journal.entries()
        self.journal.record(
            [
                {
                    **log_entries.get(key, {}),
                    **make_entry(
                        self.digest_id,
                        recipient_from_entry(log_entries.get(key, {"recipient": key})),
                        UNCERTAIN,
                        text="interrupted after the message was handed to the server; it may "
                        "or may not have been delivered",
                    ),
                }
                for key in leftovers
            ]
        )

    def password(self) -> str | None:
        """The login's password from the keychain (or the environment), if there is a login."""
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
    holder: Holder | None = None,
) -> SendJob:
    """A send of ``digest`` with the library's theme, items, SMTP settings and send log.

    ``holder`` says who sends (the window, or a command), for a second sender's refusal.

    ``settings`` replaces the stored SMTP settings (command-line overrides), ``theme``
    the stored theme settings; ``renderer`` defaults to the shared one of the theme's
    templates folder (:func:`composer.email.render.renderer_for`), so a send reuses the
    preview's render of unchanged content. ``keys`` gives the unsubscribe key when
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
        holder=holder,
        pace=measured_pace(stored, smtp),
    )
