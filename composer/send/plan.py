"""Who gets a digest in this run, from its send log, and other digests of the same news."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

from composer.digest.listing import saved_digests
from composer.digest.model import Digest, month_of
from composer.email.preflight import Finding
from composer.errors import ValidationError
from composer.recipients import (
    Recipient,
)
from composer.repository import Holder, Library
from composer.send.journal import (
    FAILED,
    MAYBE_SENT,
    QUEUED,
    SENDING,
    SENT,
    UNCERTAIN,
    SendLogSummary,
    describe_counts,
    log_counts,
    recipient_from_entry,
)

SendAgain = Literal["failed", "all"]


@dataclasses.dataclass(frozen=True)
class SendPlan:
    """Who gets the digest in this run, and who does not and why."""

    digest_id: str
    to_send: tuple[Recipient, ...]
    already_sent: tuple[str, ...] = ()
    failed_before: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()  # left out: may have been delivered
    interrupted: tuple[str, ...] = ()  # found in "sending": a run stopped or died mid-message
    resumed: int = 0  # queued by an earlier run
    not_in_list: int = 0  # queued by an earlier run, but not in the list given now
    log_counts: Mapping[str, int] = dataclasses.field(default_factory=dict)
    retry_uncertain: bool = False
    send_again: SendAgain | None = None
    #: The send log's mark when it was read for this plan (None: unknown; see
    #: :meth:`composer.send.journal.Journal.mark`): a run plans again only if it changed.
    log_mark: Hashable | None = None
    #: Who was sending this digest when it was planned (a store that shares sends lets this
    #: run join them; their ``sending`` recipients are in flight, not interrupted).
    sending_now: tuple[Holder, ...] = ()

    @property
    def joins(self) -> bool:
        """Others are sending this digest now: this run continues their send with them."""
        return bool(self.sending_now)

    @property
    def summary(self) -> SendLogSummary:
        """The send log as it was when this run was planned, counted."""
        return SendLogSummary.from_counts(self.log_counts)

    @property
    def started_before(self) -> bool:
        return self.summary.started

    def lines(self) -> list[str]:
        n = len(self.to_send)
        lines = [f"to send now: {n:,} recipient{'s' if n != 1 else ''}"]
        if self.started_before:
            lines.append(f"send log of this digest: {describe_counts(self.log_counts)}")
        if self.sending_now:
            lines.append(
                f"being sent now by {self.sending_now[0].describe()}"
                + (f" and {len(self.sending_now) - 1} more" if len(self.sending_now) > 1 else "")
                + ": this run shares the list with them (nobody gets it twice)"
            )
        if self.resumed:
            what = "still queued" if self.sending_now else "still queued from an earlier run"
            lines.append(f"resuming: {self.resumed:,} {what}")
        if self.already_sent:
            lines.append(f"already sent, not sent again: {len(self.already_sent):,}")
        if self.failed_before:
            lines.append(
                f"failed earlier, not sent again: {len(self.failed_before):,} "
                "(--send-again failed, or Send again to failed in the Send dialog, to retry "
                "them)"
            )
        if self.interrupted and self.sending_now:
            lines.append(f"being sent by the other sender right now: {len(self.interrupted):,}")
        elif self.interrupted:
            lines.append(
                f"interrupted while sending (the run was stopped or died): "
                f"{len(self.interrupted):,}, now uncertain"
            )
        if self.uncertain:
            lines.append(
                f"uncertain, not sent again: {len(self.uncertain):,} (they may have received it; "
                "--retry-uncertain, or Retry uncertain in the Send dialog, sends to them "
                "anyway): "
                + ", ".join(self.uncertain[:10])
                + (" ..." if len(self.uncertain) > 10 else "")
            )
        if self.not_in_list:
            lines.append(
                f"left out: {self.not_in_list:,} queued earlier but not in the list given now"
            )
        return lines


def is_to_send(
    state: str | None, *, retry_uncertain: bool = False, send_again: SendAgain | None = None
) -> bool:
    """The one rule: does a recipient whose send-log state is ``state`` get the digest now?

    Nobody yet in the log, and those still queued, do. Who was sent to, failed, or
    may have received it (``sending`` from a run that was stopped or died,
    ``uncertain``) do only when the user says so (``send_again``,
    ``retry_uncertain``); an unknown state never does.
    """
    if state is None or state == QUEUED:
        return True
    if state in MAYBE_SENT:
        return retry_uncertain
    if state == SENT:
        return send_again == "all"
    if state == FAILED:
        return send_again in ("failed", "all")
    return False


def still_to_send(
    states: Mapping[str, str],
    recipients: Sequence[Recipient],
    *,
    retry_uncertain: bool = False,
    send_again: SendAgain | None = None,
) -> tuple[Recipient, ...]:
    """``recipients`` less whoever the states say is dealt with (planning again, cheaply)."""
    return tuple(
        r
        for r in recipients
        if is_to_send(states.get(r.key), retry_uncertain=retry_uncertain, send_again=send_again)
    )


def plan_send(
    digest_id: str,
    log: Mapping[str, Mapping[str, Any]],
    recipients: Sequence[Recipient] | None,
    *,
    retry_uncertain: bool = False,
    send_again: SendAgain | None = None,
) -> SendPlan:
    """Who to send to: the list given (or, without one, the log's recipients) minus who had it.

    With a list, recipients of the log who are not in it are left alone (someone
    removed from the list is not sent to). A ``sending`` entry means the process
    died mid-message: it counts as uncertain.
    """
    if send_again not in (None, "failed", "all"):
        raise ValidationError("send again", f"{send_again!r} is not 'failed' or 'all'")
    targets: dict[str, Recipient] = {}
    not_in_list = 0
    if recipients is not None:
        for recipient in recipients:
            targets.setdefault(recipient.key, recipient)
        not_in_list = sum(
            1 for key, e in log.items() if key not in targets and e.get("state") == QUEUED
        )
    else:
        for key, entry in log.items():
            targets[key] = recipient_from_entry(entry)
    to_send: list[Recipient] = []
    sent: list[str] = []
    failed: list[str] = []
    uncertain: list[str] = []
    interrupted: list[str] = []
    resumed = 0
    left_out = {SENT: sent, FAILED: failed, SENDING: uncertain, UNCERTAIN: uncertain}
    for key, recipient in targets.items():
        state = log.get(key, {}).get("state")
        resumed += state == QUEUED
        if state == SENDING:
            interrupted.append(key)
        if is_to_send(state, retry_uncertain=retry_uncertain, send_again=send_again):
            to_send.append(recipient)
        else:  # an unknown state (written by a newer version) counts as uncertain: no guess
            left_out.get(str(state), uncertain).append(key)
    return SendPlan(
        digest_id=digest_id,
        to_send=tuple(to_send),
        already_sent=tuple(sent),
        failed_before=tuple(failed),
        uncertain=tuple(uncertain),
        interrupted=tuple(interrupted),
        resumed=resumed,
        not_in_list=not_in_list,
        log_counts=log_counts(log.values()),
        retry_uncertain=retry_uncertain,
        send_again=send_again,
    )


def month_digest_id(month: str) -> str:
    """The id of the digest ``send --month YYYY-MM`` drafts: stable, so its send log resumes."""
    return f"month-{month}"


def other_sends(library: Library, digest: Digest) -> tuple[Finding, ...]:
    """Errors for other digests of the same month that were already sent (in part).

    The send log is kept per digest, so the January news sent from the command
    line (``send --month 2023-01``) and a January digest saved in the window are
    two logs: without this check, the second send would reach everyone again.
    """
    period = digest.period.strip()
    if month_of(period) is None:
        return ()
    others: dict[str, str] = {}
    for saved in saved_digests(library):  # a damaged one too: its send log still counts
        if saved.period.strip() == period:
            others[saved.id] = saved.title
    others.setdefault(month_digest_id(period), f"the {period} news sent with `send --month`")
    others.pop(digest.id, None)
    findings = []
    for other_id, title in sorted(others.items()):
        summary = SendLogSummary.of(library.send_log(other_id))
        if not summary.reached:
            continue
        findings.append(
            Finding(
                "error",
                "already-sent-as-another-digest",
                f"the news of {period} was already sent as another digest, “{title}” "
                f"({other_id}): {summary.describe()}. Its recipients are not in this "
                "digest's send log and would get the news again: resume that digest instead, "
                "or send anyway if that is what you mean",
                field="period",
            )
        )
    return tuple(findings)
