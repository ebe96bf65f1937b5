"""A send log counted in one place: sent, failed, queued, and the one "uncertain" rule."""

from __future__ import annotations

from helpers.memory_library import MemoryLibrary

from composer.digest.model import Section, make_digest
from composer.recipients import Recipient
from composer.send.journal import (
    FAILED,
    MAYBE_SENT,
    QUEUED,
    SENDING,
    SENT,
    STATES,
    UNCERTAIN,
    UNKNOWN,
    SendLogSummary,
    describe_counts,
    make_entry,
)
from composer.send.plan import is_to_send, month_digest_id, other_sends, plan_send


def entries(digest_id: str, *states: str) -> list[dict[str, object]]:
    return [
        make_entry(digest_id, Recipient(f"r{n}@example.org", f"r{n}@example.org"), state)
        for n, state in enumerate(states)
    ]


def test_uncertain_means_uncertain_or_left_sending() -> None:
    log = SendLogSummary.of(
        entries("d-1", SENT, SENT, FAILED, QUEUED, UNCERTAIN, SENDING, SENDING, "from-the-future")
    )
    assert (log.sent, log.failed, log.queued, log.sending) == (2, 1, 1, 2)
    assert log.uncertain == 3  # one uncertain, and two a crash left "sending"
    assert log.unknown == 1 and log.reached == 6  # the unknown one may have received it
    assert log.started
    assert log.describe() == (
        "2 sent, 1 failed, 1 uncertain, 2 sending, 1 queued, 1 in an unknown state"
    )
    assert set(log.counts) == {*STATES, UNKNOWN}
    assert sum(log.counts.values()) == 8  # the counts add up to the log's size


def test_a_log_of_only_sending_entries_is_all_uncertain() -> None:
    log = SendLogSummary.of(entries("d-1", SENDING))
    assert log.uncertain == 1 and log.reached == 1


def test_an_empty_log_and_counts_given() -> None:
    empty = SendLogSummary()
    assert not empty.started and empty.uncertain == 0 and empty.describe() == "nothing"
    assert SendLogSummary.of([]) == empty
    given = SendLogSummary.from_counts({SENT: 3, SENDING: 1})
    assert given.counts == {QUEUED: 0, SENDING: 1, SENT: 3, FAILED: 0, UNCERTAIN: 0, UNKNOWN: 0}
    assert given.uncertain == 1


def test_the_plan_and_the_log_agree_on_who_is_uncertain() -> None:
    log = {str(e["recipient"]): e for e in entries("d-1", SENT, UNCERTAIN, SENDING, QUEUED)}
    plan = plan_send("d-1", log, None)
    assert plan.summary.uncertain == len(plan.uncertain) == 2
    assert plan.summary.queued == plan.resumed == 1
    assert plan.started_before
    for state in MAYBE_SENT:
        assert not is_to_send(state) and is_to_send(state, retry_uncertain=True)


def test_another_digest_of_the_month_counts_when_it_may_have_reached_anyone() -> None:
    library = MemoryLibrary()
    this = make_digest(digest_id="d-this", title="This one", period="2023-01")
    other = make_digest(
        digest_id="d-other", title="The other", period="2023-01", sections=[Section("A", ())]
    )
    library.save_digest(this.to_dict())
    library.save_digest(other.to_dict())
    library.record_send(entries("d-other", QUEUED, QUEUED))
    assert other_sends(library, this) == ()  # queued only: it reached nobody yet
    library.record_send(entries("d-other", SENDING))  # a run died on its first message
    (finding,) = other_sends(library, this)
    assert finding.code == "already-sent-as-another-digest"
    assert "“The other” (d-other)" in finding.message and "1 sending" in finding.message
    assert finding.field == "period"
    library.record_send(entries(month_digest_id("2023-01"), SENT))
    assert [f.message.count("send --month") for f in other_sends(library, this)] == [0, 1]


def test_the_plan_lines_name_the_option_and_the_window_button_for_each_follow_up() -> None:
    log = {str(e["recipient"]): e for e in entries("d-1", SENT, FAILED, UNCERTAIN, SENDING)}
    lines = plan_send("d-1", log, None).lines()
    assert (
        "failed earlier, not sent again: 1 (--send-again failed, or Send again to failed in "
        "the Send dialog, to retry them)"
    ) in lines
    # a "sending" entry is what a double Ctrl-C leaves as well as a crash
    assert "interrupted while sending (the run was stopped or died): 1, now uncertain" in lines
    (uncertain,) = (line for line in lines if line.startswith("uncertain, not sent again: 2"))
    assert "--retry-uncertain, or Retry uncertain in the Send dialog, sends to them anyway" in (
        uncertain
    )
    assert not any("choose '" in line or "a crash" in line for line in lines)


def test_a_hand_edited_state_is_counted_and_the_counts_add_up() -> None:
    log = {
        str(e["recipient"]): e
        for e in entries("d-1", *[SENT] * 299, "delivered?")  # one record edited by hand
    }
    plan = plan_send("d-1", log, None)
    summary = plan.summary
    assert sum(summary.counts.values()) == len(log) == 300
    assert summary.sent == 299 and summary.unknown == 1
    assert describe_counts(plan.log_counts) == "299 sent, 1 in an unknown state"
    assert "send log of this digest: 299 sent, 1 in an unknown state" in plan.lines()
    assert len(plan.uncertain) == 1 and plan.to_send == ()  # the planner: not sent again
    assert not is_to_send("delivered?", retry_uncertain=True)
