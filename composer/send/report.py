"""What a send tells people: progress, the report of a run, and the preflight before it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from composer.email.preflight import Finding, errors_in
from composer.email.unsubscribe import spam_rule_problem
from composer.errors import LibraryError, NewsdigestError
from composer.recipients import (
    Recipient,
    RecipientList,
)
from composer.send.keys import Marks, RecipientKeys
from composer.send.message import PREVIEW_ADDRESS
from composer.send.plan import SendPlan
from composer.smtp_settings import SmtpSettings, security_warnings

if TYPE_CHECKING:
    from composer.send.job import SendJob


# -- progress and report ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SendEvent:
    """Something that happened to one recipient."""

    recipient: str
    state: str  # a send-log state, or "retrying"
    code: int | None = None
    text: str = ""
    attempt: int = 0

    def __str__(self) -> str:
        reply = f": {self.code or ''} {self.text}".rstrip() if (self.code or self.text) else ""
        return f"{self.state} {self.recipient}{reply}"


@dataclasses.dataclass(frozen=True)
class SendProgress:
    """Counts for a progress bar: sent, failed, uncertain of total, and the time left."""

    total: int
    sent: int
    failed: int
    uncertain: int
    retrying: int
    elapsed: float
    seconds_left: float | None
    event: SendEvent | None = None
    waiting: float = 0.0  # seconds until the next message (throttle or retry back-off)
    #: Taken by another sender of the digest at the same time (not sent by this run).
    taken: int = 0

    @property
    def done(self) -> int:
        """Dealt with: sent, failed, uncertain, or taken by another sender."""
        return self.sent + self.failed + self.uncertain + self.taken


ProgressCallback = Callable[[SendProgress], None]


@dataclasses.dataclass
class SendReport:
    """What a run did.

    Its memory does not grow with the list: who was sent to is one bit per recipient of
    the run (:attr:`sent` reads them back as keys), who is still queued a view of the
    plan's list (:attr:`left_queued`); only the failed and uncertain are kept as events.
    """

    digest_id: str
    test: bool
    total: int
    failed: list[SendEvent] = dataclasses.field(default_factory=list)
    uncertain: list[SendEvent] = dataclasses.field(default_factory=list)
    #: Still queued when the run ended, in the queue's order (a view, or a list).
    left_queued: Sequence[str] = ()
    uncertain_before: tuple[str, ...] = ()
    cancelled: bool = False
    stopped: str | None = None
    elapsed: float = 0.0
    #: Seconds spent building and handing over messages (waits left out), and how many.
    busy: float = 0.0
    attempted: int = 0
    #: Left out because another run dealt with them after this run was planned.
    dealt_elsewhere: int = 0
    #: Taken by another sender of the digest while this run was sending (claims refused).
    taken_by_others: int = 0
    #: Whose state the library could not record when the run stopped (the log may still
    #: say ``sending``: a resume then reports them uncertain).
    in_flight: str | None = None
    #: The error that stopped the run (its text is :attr:`stopped`), for callers to tell
    #: a send log that cannot be written (:class:`LibraryError`) from a server's stop.
    stop_error: NewsdigestError | None = None
    #: The run's recipients (the plan's, once planned again under the send lock).
    recipients: Sequence[Recipient] = ()
    _sent: Marks = dataclasses.field(default_factory=lambda: Marks(0), init=False, repr=False)

    def start(self, recipients: Sequence[Recipient]) -> None:
        """The run sends to ``recipients``: all of them are queued, nobody is sent yet."""
        self.recipients = recipients
        self.total = len(recipients)
        self._sent = Marks(len(recipients))
        self.left_queued = RecipientKeys(recipients, range(len(recipients)))

    def mark_sent(self, index: int) -> None:
        """The recipient ``recipients[index]`` was sent to."""
        self._sent.add(index)

    @property
    def sent_count(self) -> int:
        return len(self._sent)

    @property
    def sent(self) -> RecipientKeys:
        """Who was sent to in this run, in the list's order (a view over :attr:`recipients`)."""
        return RecipientKeys(self.recipients, self._sent)

    @property
    def log_unwritable(self) -> bool:
        """The run stopped because the send log could not be written (a full disk)."""
        return isinstance(self.stop_error, LibraryError)

    @property
    def complete(self) -> bool:
        """True when every recipient of the run got an answer (sent, failed or uncertain)."""
        return not self.left_queued and self.stopped is None and not self.cancelled

    @property
    def ok(self) -> bool:
        """Complete, and every message accepted by the server."""
        return self.complete and not self.failed and not self.uncertain

    @property
    def all_uncertain(self) -> list[str]:
        return [e.recipient for e in self.uncertain] + list(self.uncertain_before)

    def lines(self) -> list[str]:
        what = "test message" if self.test else "message"
        n = self.sent_count
        lines = [
            f"sent {n:,} {what}{'s' if n != 1 else ''} of {self.total:,} in {self.elapsed:.1f} s"
            + (f", {len(self.failed):,} failed" if self.failed else "")
            + (f", {len(self.uncertain):,} uncertain" if self.uncertain else "")
        ]
        if self.dealt_elsewhere:
            lines.append(
                f"  left out: {self.dealt_elsewhere:,} dealt with by another run of this digest "
                "since this one was planned (not sent twice)"
            )
        if self.taken_by_others:
            lines.append(
                f"  {self.taken_by_others:,} were sent by another sender at the same time, "
                "not by this run (nobody gets it twice)"
            )
        lines.extend(
            f"  failed {event.recipient}: {event.code or ''} {event.text}".rstrip()
            for event in self.failed
        )
        lines.extend(f"  uncertain {event.recipient}: {event.text}" for event in self.uncertain)
        if self.uncertain_before:
            lines.append(
                f"  uncertain from an earlier run, not sent again: "
                f"{', '.join(self.uncertain_before[:20])}"
                + (" ..." if len(self.uncertain_before) > 20 else "")
            )
        if self.uncertain or self.uncertain_before:
            lines.append(
                "  uncertain recipients may have received the digest; send to them again only "
                "if you choose to (--retry-uncertain)"
            )
        if self.cancelled:
            lines.append(f"cancelled: {len(self.left_queued):,} still queued; resume to send them")
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
            if self.left_queued and not self.test and self.log_unwritable:
                lines.append(
                    f"  {len(self.left_queued):,} not sent; once the send log can be written, "
                    "resume to send them"
                )
            elif self.left_queued and not self.test:
                lines.append(f"  {len(self.left_queued):,} still queued; resume to send them")
            if self.in_flight and not self.test:
                lines.append(
                    f"  in flight when it stopped: {self.in_flight}; if the send log still "
                    "says `sending`, a resume reports them uncertain (never sent twice)"
                )
        return lines


# -- preflight -------------------------------------------------------------------------------------
def confirmation_question(count: int) -> str:
    """``"Send to 1,234 recipients?"``."""
    return f"Send to {count:,} recipient{'s' if count != 1 else ''}?"


#: Seconds a message before any send to the server was measured (see composer.send.pace).
GUESSED_PACE = 0.2


def estimate_seconds(
    count: int, settings: SmtpSettings, per_message: float = GUESSED_PACE
) -> float:
    """A duration for ``count`` messages: the throttle's spacing, or ``per_message`` if slower."""
    interval = 60.0 / settings.throttle if settings.throttle else 0.0
    return count * max(interval, per_message)


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


@dataclasses.dataclass(frozen=True)
class Preflight:
    """What the Send dialog and ``newsdigest send`` show before asking for confirmation."""

    subject: str
    sender: str
    reply_to: str
    server: str
    login: str
    count: int
    size: int
    list_unsubscribe: str | None
    one_click: bool
    throttle: float
    estimate: float
    findings: tuple[Finding, ...]
    plan_lines: tuple[str, ...]
    recipient_lines: tuple[str, ...]
    notes: tuple[str, ...]
    test: bool = False
    personal: bool = False  # the unsubscribe link differs for each recipient
    #: Seconds a message measured on this server's last send; None: the estimate guesses.
    pace: float | None = None

    @property
    def errors(self) -> list[Finding]:
        return errors_in(self.findings)

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def confirmation(self) -> str:
        return confirmation_question(self.count)

    def lines(self) -> list[str]:
        lines = [
            f"subject: {self.subject}",
            f"from: {self.sender}" + (f", reply-to: {self.reply_to}" if self.reply_to else ""),
            f"server: {self.server}, login: {self.login}",
            f"message: {self.size / 1024:.0f} KB",
        ]
        if self.list_unsubscribe:
            if self.one_click:
                how = " (one per recipient, with one-click)"
            elif self.personal:
                how = " (one per recipient; no https url: no one-click)"
            else:
                how = " (shared by every recipient: no one-click; the mailto names the reader)"
            example = " for preview@example.org" if PREVIEW_ADDRESS in self.list_unsubscribe else ""
            lines.append(
                f"List-Unsubscribe{example}: " + self.list_unsubscribe.replace(",\r\n ", ", ") + how
            )
        elif not self.test:
            lines.append(
                "List-Unsubscribe: none (set an unsubscribe url in the theme settings; large "
                "mailbox providers expect one)"
            )
        lines.extend(self.recipient_lines)
        lines.extend(self.plan_lines)
        if self.count:
            pace = f"{self.throttle:g} a minute" if self.throttle else "no limit"
            if self.pace is not None:
                basis = f"{self.pace * 1000:.0f} ms a message on the last send to this server"
            else:
                basis = "a guess: no send to this server was measured yet"
            lines.append(f"pace: {pace}, about {format_duration(self.estimate)} ({basis})")
        lines.extend(f"note: {note}" for note in self.notes)
        errors, warnings = len(self.errors), len(self.warnings)
        lines.append(
            f"preflight: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
        lines.extend(f"  {finding}" for finding in self.findings if finding.severity != "info")
        return lines


def make_preflight(
    job: SendJob, plan: SendPlan, recipients: RecipientList | None = None
) -> Preflight:
    factory = job.factory
    sample = Recipient(PREVIEW_ADDRESS, PREVIEW_ADDRESS)
    size = len(factory.build(sample, message_id=factory.message_id(sample)))
    settings = job.settings
    findings = job.prepared.findings + job.cautions
    if not job.test:  # a test send is how one checks a theme still being set up
        from composer.email.preflight import check_readiness

        findings = (*check_readiness(job.prepared.theme), *findings)
    findings += tuple(
        Finding("warning", "smtp-port-security", text, field="smtp.security")
        for text in security_warnings(settings)
    )
    spam_rule = spam_rule_problem(factory.unsubscribe.url if factory.personal else None)
    if spam_rule:
        findings += (
            Finding(
                "warning", "unsubscribe-url-like-phishing", spam_rule, field="theme.unsubscribe_url"
            ),
        )
    if not job.test and factory.unsubscribe.shared:
        findings += (
            Finding(
                "warning",
                "unsubscribe-not-personal",
                "every recipient gets the same unsubscribe url, so a one-click unsubscribe "
                "(Gmail, Yahoo) cannot tell who left: no List-Unsubscribe-Post is sent. Put "
                "{email} and {token} in the theme's unsubscribe url (e.g. "
                "https://example.org/leave?u={email}&t={token}) to give each reader their own",
                field="theme.unsubscribe_url",
            ),
        )
    return Preflight(
        subject=factory.subject,
        sender=str(factory.sender),
        reply_to=str(factory.reply_to) if factory.reply_to else "",
        server=settings.server_label,
        login=settings.user or "none",
        count=len(plan.to_send),
        size=size,
        list_unsubscribe=factory.list_unsubscribe(sample),
        one_click=factory.one_click,
        throttle=settings.throttle,
        estimate=estimate_seconds(len(plan.to_send), settings, job.pace or GUESSED_PACE),
        pace=job.pace,
        findings=findings,
        plan_lines=() if job.test else tuple(plan.lines()),
        recipient_lines=tuple(recipients.report_lines()) if recipients is not None else (),
        notes=job.prepared.notes,
        test=job.test,
        personal=factory.personal,
    )
