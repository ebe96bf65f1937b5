"""The send job's own rules: the digest's send lock, planning again under it, the measured pace.

Also: a run that joins others sending the same digest (a library on PostgreSQL, the
session's real cluster) leaves their messages in flight alone, and skips and counts the
recipients another sender takes while it runs; the report and the queue stay small
whatever the list's length.
"""

from __future__ import annotations

import heapq
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.send_servers import PASSWORD, make_library, smtp_server
from keyring.backends import fail

from composer.errors import SendLockedError
from composer.recipients import Recipient, recipients_from_addresses
from composer.repository import Holder, Library
from composer.secrets import ENV_VAR, PasswordStore
from composer.send import (
    SENT,
    LibraryJournal,
    PreparedDigest,
    SendJob,
    SendPlan,
    SendProgress,
    SendReport,
    job_for,
)
from composer.send.pace import MIN_MESSAGES, PACE_KEY, measured_pace, remember_pace
from composer.send.run_loop import RunLoop
from composer.smtp_settings import SmtpSettings, smtp_from_settings, with_changes
from store import open_library

DIGEST_ID = "month-2023-01"


def settings(port: int) -> SmtpSettings:
    return with_changes(
        SmtpSettings(),
        {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0, "timeout": 5},
    )


def readers(count: int) -> list[Recipient]:
    addresses = [f"reader{n:03d}@example.org" for n in range(count)]
    return list(recipients_from_addresses(addresses).recipients)


def job(prepared: PreparedDigest, smtp: SmtpSettings, library: Library, **extra: object) -> SendJob:
    passwords = PasswordStore(backend=fail.Keyring(), environ={ENV_VAR: PASSWORD})
    return SendJob(
        prepared,
        smtp,
        journal=LibraryJournal(library, DIGEST_ID),
        passwords=passwords,
        **extra,  # type: ignore[arg-type]
    )


def test_a_run_planned_before_another_sent_leaves_out_whoever_that_one_dealt_with(
    prepared: PreparedDigest, library: Library
) -> None:
    with smtp_server() as (handler, port):
        first, second = (
            job(prepared, settings(port), library),
            job(prepared, settings(port), library),
        )
        plan_first, plan_second = first.plan(readers(12)), second.plan(readers(12))
        assert len(plan_second.to_send) == 12  # planned before anything was sent
        assert first.run(plan_first).ok
        report = second.run(plan_second)
    assert report.sent == [] and report.dealt_elsewhere == 12 and report.total == 0
    assert "dealt with by another run" in "\n".join(report.lines())
    got = handler.by_recipient()
    assert sorted(got) == [r.key for r in readers(12)]
    assert all(len(copies) == 1 for copies in got.values())


def test_a_run_is_refused_while_another_holds_the_digest_and_sends_nothing(
    prepared: PreparedDigest, library: Library
) -> None:
    other = Holder("window")  # this process: a live holder, as the window would be
    with smtp_server() as (handler, port):
        running = job(prepared, settings(port), library)
        plan = running.plan(readers(3))
        with (
            library.send_lock(DIGEST_ID, other),
            pytest.raises(SendLockedError, match=f"the Newsdigest window \\(process {os.getpid()}"),
        ):
            running.run(plan)
        assert handler.messages() == []
        assert library.send_log(DIGEST_ID) == []
        assert running.run(plan).ok  # the lock went with its holder
    assert len(handler.messages()) == 3


def test_a_run_too_short_to_measure_keeps_no_pace(
    prepared: PreparedDigest, library: Library
) -> None:
    with smtp_server() as (_handler, port):
        smtp = settings(port)
        sender = job(prepared, smtp, library)
        assert sender.preflight(sender.plan(readers(5))).pace is None
        report = sender.run(sender.plan(readers(MIN_MESSAGES - 1)))
    assert report.ok and report.attempted == MIN_MESSAGES - 1 and report.busy > 0
    remember_pace(library, smtp, report)
    assert PACE_KEY not in library.settings()
    assert measured_pace(library.settings(), smtp) is None


def test_a_measured_pace_is_what_the_next_preflight_estimates_with(
    prepared: PreparedDigest, library: Library
) -> None:
    digest = prepared.digest
    library.save_digest(digest.to_dict())
    with smtp_server() as (_handler, port):
        library.update_settings(
            {"smtp": {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0}}
        )
        smtp = smtp_from_settings(library.settings())
        first = job_for(library, digest, passwords=PasswordStore(backend=fail.Keyring()))
        assert first.pace is None
        report = first.run(first.plan(readers(MIN_MESSAGES + 10)))
        assert report.ok
        remember_pace(library, smtp, report)
    again = job_for(library, digest, passwords=PasswordStore(backend=fail.Keyring()))
    assert again.pace == pytest.approx(report.busy / report.attempted, rel=1e-3)
    recipients = recipients_from_addresses([f"new{n}@example.org" for n in range(1000)])
    preflight = again.preflight(again.plan(recipients.recipients), recipients)
    assert preflight.estimate == pytest.approx(1000 * again.pace, rel=1e-6)
    assert any("on the last send to this server" in line for line in preflight.lines())
    states = {e["state"] for e in library.send_log(DIGEST_ID)}
    assert states == {SENT}


# -- sharing a list (a library on PostgreSQL), and flat memory ---------------------------------
@pytest.fixture
def team_library(tmp_path: Path) -> Iterator[Library]:
    """A library in a database of its own on the session's PostgreSQL cluster."""
    from helpers.postgres_cluster import shared_cluster

    cluster = shared_cluster()  # skips when no PostgreSQL can be had
    database = cluster.create_database("job")
    lib = open_library(make_library(cluster.url(database)))  # type: ignore[arg-type]
    try:
        yield lib
    finally:
        lib.close()
        cluster.drop_database(database)


def test_a_plan_keeps_the_logs_mark_unless_the_caller_read_the_log(
    prepared: PreparedDigest, library: Library
) -> None:
    library.record_send([{"digest_id": DIGEST_ID, "recipient": "x@example.org", "state": SENT}])
    sender = job(prepared, settings(25), library)
    mark = sender.plan(readers(2)).log_mark
    assert mark is not None and mark == library.send_log_mark(DIGEST_ID)
    assert sender.plan(readers(2), log={}).log_mark is None  # when it was read is unknown


def test_a_run_that_joins_leaves_the_others_in_flight_alone_and_they_are_not_its_uncertain(
    prepared: PreparedDigest, team_library: Library
) -> None:
    people = readers(8)
    in_flight = people[0].key
    with smtp_server() as (handler, port):
        other = team_library.send_lock(DIGEST_ID, Holder("command", "newsdigest send"))
        with other as session:  # another sender: it queued everyone, its first is in flight
            team_library.record_send(
                [{"digest_id": DIGEST_ID, "recipient": r.key, "state": "queued"} for r in people]
            )
            assert team_library.claim_send(
                {
                    "digest_id": DIGEST_ID,
                    "recipient": in_flight,
                    "state": "sending",
                    "claimed_by": f"{os.getpid()}@{socket.gethostname()}",  # the live sender
                }
            )
            session.ready()
            joining = job(prepared, settings(port), team_library)
            plan = joining.plan(people)
            assert in_flight in plan.interrupted  # what the log alone says
            report = joining.run(plan)
        assert sorted(handler.by_recipient()) == [r.key for r in people[1:]]
    assert report.ok and report.uncertain_before == () and report.sent_count == 7
    assert report.sent == [r.key for r in people[1:]]
    assert team_library.send_states(DIGEST_ID)[in_flight] == "sending"  # not made uncertain
    with team_library.send_lock(DIGEST_ID, Holder("window")) as alone:
        assert not alone.joined  # both let go


def test_a_joined_run_tells_a_dead_runs_leftover_from_a_message_in_flight_or_done_since(
    prepared: PreparedDigest, team_library: Library
) -> None:
    """Joined: a ``sending`` entry no live sender claimed is a dead run's (uncertain now, as
    when alone); one the live sender finished between the plan and the run is nobody's
    uncertain."""
    people = readers(6)
    dead, done = people[0].key, people[1].key
    live = f"{os.getpid()}@{socket.gethostname()}"
    with smtp_server() as (handler, port):
        with team_library.send_lock(DIGEST_ID, Holder("command", "newsdigest send")) as session:
            team_library.record_send(
                [{"digest_id": DIGEST_ID, "recipient": r.key, "state": "queued"} for r in people]
            )
            for key, claimer in ((dead, "4194304@a-machine-long-gone"), (done, live)):
                assert team_library.claim_send(
                    {
                        "digest_id": DIGEST_ID,
                        "recipient": key,
                        "state": "sending",
                        "claimed_by": claimer,
                    }
                )
            session.ready()
            joining = job(prepared, settings(port), team_library)
            plan = joining.plan(people)
            assert set(plan.interrupted) == {dead, done}
            team_library.record_send([{"digest_id": DIGEST_ID, "recipient": done, "state": SENT}])
            report = joining.run(plan)
        assert sorted(handler.by_recipient()) == sorted(r.key for r in people[2:])
    assert report.uncertain_before == (dead,)
    states = team_library.send_states(DIGEST_ID)
    assert states[dead] == "uncertain" and states[done] == SENT


def test_recipients_another_sender_takes_meanwhile_are_skipped_and_counted(
    prepared: PreparedDigest, team_library: Library
) -> None:
    people = readers(20)
    taken = [r.key for r in people[10:15]]

    def other_sender(progress: SendProgress) -> None:  # takes five, once the run has begun
        if progress.sent == 1:
            for key in taken:
                assert team_library.claim_send(
                    {"digest_id": DIGEST_ID, "recipient": key, "state": "sending"}
                )

    with smtp_server() as (handler, port):
        sender = job(prepared, settings(port), team_library)
        report = sender.run(sender.plan(people), other_sender)
        got = handler.by_recipient()
    assert report.ok and report.taken_by_others == 5 and report.sent_count == 15
    assert sorted(got) == sorted(r.key for r in people if r.key not in taken)
    assert "  5 were sent by another sender at the same time" in "\n".join(report.lines())
    states = team_library.send_states(DIGEST_ID)
    assert all(states[key] == "sending" for key in taken)  # the other sender's, as it left them
    entry = {str(e["recipient"]): e for e in team_library.send_log(DIGEST_ID)}[people[0].key]
    assert entry["state"] == SENT and entry["claimed_by"] == f"{os.getpid()}@{socket.gethostname()}"


def test_a_report_and_its_queue_do_not_grow_with_the_list(prepared: PreparedDigest) -> None:
    """Who was sent to is a bit each, who is left a view of the plan: 50,000 cost little."""
    import tracemalloc

    people = tuple(Recipient(f"r{n}@example.org", f"r{n}@example.org") for n in range(50_000))
    plan = SendPlan(DIGEST_ID, people)
    sender = SendJob(prepared, settings(25), test=True)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        report = SendReport(DIGEST_ID, True, len(people))
        report.start(people)
        loop = RunLoop(sender, plan, report, 0.0, None)
        for _ in range(0, len(people), 2):
            report.mark_sent(loop._pop()[3])
            loop._pop()
        report.left_queued = loop._left()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, grown  # a list of 50,000 keys alone is 400 KB
    assert report.sent_count == 25_000 and len(report.sent) == 25_000
    assert report.sent[:2] == ["r0@example.org", "r2@example.org"]
    assert list(report.left_queued) == [] and report.complete


def test_the_queue_walks_the_list_with_put_backs_first_and_retries_by_time(
    prepared: PreparedDigest,
) -> None:
    people = tuple(Recipient(f"r{n}@example.org", f"r{n}@example.org") for n in range(6))
    report = SendReport(DIGEST_ID, True, len(people))
    report.start(people)
    loop = RunLoop(
        SendJob(prepared, settings(25), test=True), SendPlan(DIGEST_ID, people), report, 0.0, None
    )
    assert loop._pop()[3] == 0 and loop._pop()[3] == 1
    heapq.heappush(loop.waiting, (5.0, loop.sequence, 1, 0))  # r0 retried at 5 s
    loop.sequence += 1
    loop._put_back(0.0, 0, 1)  # r1 put back: the head
    loop.report.left_queued = loop._left()
    assert report.left_queued == [f"r{n}@example.org" for n in (1, 2, 3, 4, 5, 0)]
    assert [loop._pop()[3] for _ in range(6)] == [1, 2, 3, 4, 5, 0]
    assert loop._head() is None
