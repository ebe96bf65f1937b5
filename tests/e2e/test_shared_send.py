"""Two `newsdigest send` processes share one digest's list in a PostgreSQL library.

Real things only: the session's throwaway cluster (:mod:`helpers.postgres_cluster`), a
database of the test's own, an aiosmtpd on loopback that counts each recipient's copies
(:class:`helpers.send_servers.CountingHandler`), and real ``python -m composer send``
processes with ``--library postgresql://…``. The server holds the reply to the first
message until the second sender is sending too, so that the two really overlap:

* two senders at once: every recipient gets exactly one message, both exit 0, the log
  says everyone is sent, and each report says how many the other took;
* one of two senders killed (SIGKILL) at a random moment (seeded: the seed is in the
  test id), then a resume from a third: nobody twice unless the tool reported them
  uncertain, nobody missing at the end;
* the database's sessions terminated (``pg_terminate_backend``) while the server holds
  a reply: the run stops between two messages, says which database, names the message
  in flight; a resume reports that one uncertain and sends the rest, nobody twice.
"""

from __future__ import annotations

import collections
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.postgres_cluster import Cluster
from helpers.send_servers import (
    ROOT,
    CountingHandler,
    loopback_smtp,
    make_library,
    send_log,
    sender_env,
    smtp_server,
    write_recipients,
)
from helpers.waiting import wait_for

from composer.send import SENDING, SENT, UNCERTAIN, message_id_for

pytestmark = pytest.mark.slow

COUNT = 600
#: The list of the kill test: long enough that a kill always falls in the middle of it.
KILL_COUNT = 1_000
DIGEST_ID = "month-2023-01"
SEND = ("send", "--month", "2023-01", "--throttle", "0", "--yes")
#: ``SHARED_KILL_SEEDS=1,2,3`` replays (or explores) other seeds.
SEEDS = [int(s) for s in os.environ.get("SHARED_KILL_SEEDS", "1414").split(",") if s.strip()]
KILLED = (-signal.SIGKILL,) if sys.platform != "win32" else (1,)
SENT_LINE = re.compile(r"^sent ([\d,]+) messages? of ([\d,]+)", re.MULTILINE)
HOST = socket.gethostname()
TAKEN_LINE = re.compile(r"([\d,]+) were sent by another sender at the same time")


@pytest.fixture
def database(postgres_cluster: Cluster) -> Iterator[str]:
    """A database of the test's own (its name), dropped afterwards."""
    name = postgres_cluster.create_database("send")
    try:
        yield name
    finally:
        postgres_cluster.drop_database(name)


@pytest.fixture
def url(postgres_cluster: Cluster, database: str) -> str:
    return postgres_cluster.url(database)


def start(url: str, recipients: Path, *, resume: bool = True) -> subprocess.Popen[str]:
    """A sender (with ``--resume``, as a resume after a kill is, unless told otherwise)."""
    flags = ("--resume",) if resume else ()
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "composer",
            "--library",
            url,
            *SEND,
            *flags,
            "--to-file",
            str(recipients),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=sender_env(),
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=30)
        pytest.fail(f"a sender did not finish in {timeout} s:\n{out[-3000:]}\n{err[-3000:]}")


def count(pattern: re.Pattern[str], text: str, group: int = 1) -> int:
    found = pattern.search(text)
    return int(found.group(group).replace(",", "")) if found else 0


def two_senders(
    url: str, recipients: Path, handler: CountingHandler, *, resume: bool = True
) -> tuple[subprocess.Popen[str], subprocess.Popen[str]]:
    """The first sender, held on its first message until the second one sends too
    (``resume=False``: both as an officer starts a send, with no ``--resume``)."""
    hold = handler.hold_reply(1)
    first = start(url, recipients, resume=resume)
    try:
        wait_for(lambda: hold.reached.is_set() or first.poll() is not None, timeout=120)
        assert hold.reached.is_set(), finish(first)
        second = start(url, recipients, resume=resume)
        wait_for(lambda: handler.count() >= 30 or second.poll() is not None, timeout=120)
    finally:
        hold.release.set()
    return first, second


def check_once(
    copies: dict[str, list[str]], addresses: list[str], uncertain: set[str] = frozenset()
) -> None:
    """Nobody twice; everyone but the reported uncertain exactly once, with this message."""
    assert set(copies) <= set(addresses)
    for address in addresses:
        ids = copies.get(address, [])
        assert len(ids) == 1 or (address in uncertain and not ids), (address, ids)
        assert all(i == message_id_for(DIGEST_ID, address, "example.org") for i in ids)


def test_two_senders_share_the_list_and_everyone_gets_one_message(tmp_path: Path, url: str) -> None:
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, COUNT)
    with smtp_server(CountingHandler()) as (handler, port):
        make_library(url, loopback_smtp(port, timeout=20))  # type: ignore[arg-type]  # a url is a library too
        # no --resume: the second sees the first sending now and joins it, as it says
        first, second = two_senders(url, recipients, handler, resume=False)
        (out1, err1), (out2, err2) = finish(first), finish(second)
        copies = handler.snapshot()
    assert "being sent now by a command-line `newsdigest send`" in out2, out2[-2000:] + err2
    assert "this run shares the list with them" in out2
    assert first.returncode == 0, out1[-3000:] + err1
    assert second.returncode == 0, out2[-3000:] + err2
    check_once(copies, addresses)
    log = send_log(url, DIGEST_ID)  # type: ignore[arg-type]
    assert sorted(log) == addresses and {e["state"] for e in log.values()} == {SENT}
    sent = [count(SENT_LINE, out) for out in (out1, out2)]
    assert sum(sent) == COUNT and all(sent), (out1[-2000:], out2[-2000:])
    for out in (out1, out2):  # what the run did not send, the other took
        total = count(SENT_LINE, out, 2)
        assert count(SENT_LINE, out) + count(TAKEN_LINE, out) == total, out[-2000:]
    assert count(TAKEN_LINE, out1) > 0  # the first was held while the second sent
    # the second came in while the first's message was in flight: not its uncertain
    assert "uncertain" not in err2 and "left:" not in err2


def kill_one(
    rng: random.Random,
    mode: str,
    url: str,
    handler: CountingHandler,
    senders: tuple[subprocess.Popen[str], subprocess.Popen[str]],
) -> tuple[int, list[str]]:
    """Kill one of the senders at the moment ``mode`` picks: which one, and whose reply the
    server held when it died (``hold``: the sender of a random message, found by the log's
    ``claimed_by``, dies while it waits for its reply)."""
    if mode == "hold":
        hold = handler.hold_reply(handler.count() + rng.randint(1, KILL_COUNT // 3))
        try:
            wait_for(lambda: hold.reached.is_set() or all(p.poll() is not None for p in senders))
            assert hold.reached.is_set(), "both senders ended before the held message"
            (held,) = hold.recipients
            claimed_by = send_log(url, DIGEST_ID)[held].get("claimed_by")  # type: ignore[arg-type]
            (victim,) = [n for n, p in enumerate(senders) if claimed_by == f"{p.pid}@{HOST}"]
            senders[victim].kill()
            senders[victim].wait(timeout=30)
        finally:
            hold.release.set()
        return victim, [held]
    victim = rng.randrange(2)
    if mode == "count":  # once the server has a random number of messages more
        target = handler.count() + rng.randint(0, KILL_COUNT // 2)
        wait_for(lambda: handler.count() >= target or senders[victim].poll() is not None)
    else:  # after a random time
        time.sleep(rng.uniform(0, 0.5))
    senders[victim].kill()
    return victim, []


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"seed{seed}")
@pytest.mark.parametrize("moment", ["hold", "random"])
def test_one_of_two_senders_killed_then_a_third_resumes_nobody_twice_nobody_lost(
    tmp_path: Path, url: str, seed: int, moment: str
) -> None:
    rng = random.Random(seed)
    mode = moment if moment == "hold" else rng.choice(("count", "delay"))
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, KILL_COUNT)
    with smtp_server(CountingHandler()) as (handler, port):
        make_library(url, loopback_smtp(port, timeout=20))  # type: ignore[arg-type]
        senders = two_senders(url, recipients, handler)
        victim, held = kill_one(rng, mode, url, handler, senders)
        print(f"seed {seed}: sender {victim + 1} killed ({mode}) at {handler.count():,} messages")
        outcomes = [finish(proc) for proc in senders]
        killed, survivor = senders[victim], senders[1 - victim]
        assert killed.returncode in KILLED, outcomes[victim]  # killed mid-send, not after it
        assert survivor.returncode == 0, outcomes[1 - victim]
        log = send_log(url, DIGEST_ID)  # type: ignore[arg-type]
        states = collections.Counter(str(e["state"]) for e in log.values())
        assert set(states) <= {SENT, SENDING}, states  # the survivor sent every queued one
        assert states[SENDING] <= 1  # the killed one's message in flight, if any

        third = start(url, recipients)
        out, err = finish(third)
        log = send_log(url, DIGEST_ID)  # type: ignore[arg-type]
        copies = handler.snapshot()
    uncertain = {a for a, e in log.items() if e["state"] == UNCERTAIN}
    assert sorted(log) == addresses and {e["state"] for e in log.values()} <= {SENT, UNCERTAIN}
    assert len(uncertain) == states[SENDING] and set(held) <= uncertain
    for address in held:  # the server has it, the killed sender never learnt
        assert len(copies.get(address, [])) == 1
    assert third.returncode == (3 if uncertain else 0), out[-2000:] + err
    for address in uncertain:
        assert address in out, f"{address} is uncertain but not reported"
    check_once(copies, addresses, uncertain)


def terminate_sessions(cluster: Cluster, database: str) -> int:
    """End every session of ``database`` from the server's side, as a dropped network would."""
    with cluster.admin() as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return sum(1 for row in rows if row[0])


def test_a_dropped_database_connection_stops_the_send_and_a_resume_sends_nobody_twice(
    tmp_path: Path, url: str, database: str, postgres_cluster: Cluster
) -> None:
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 200)
    with smtp_server(CountingHandler()) as (handler, port):
        make_library(url, loopback_smtp(port, timeout=20))  # type: ignore[arg-type]
        hold = handler.hold_reply(50)
        sender = start(url, recipients)
        try:
            wait_for(lambda: hold.reached.is_set() or sender.poll() is not None, timeout=120)
            assert hold.reached.is_set(), finish(sender)
            assert terminate_sessions(postgres_cluster, database) >= 2  # the pool's, the lock's
        finally:
            hold.release.set()  # the 250 arrives: the sender cannot record it
        out, err = finish(sender)
        (in_flight,) = hold.recipients
        assert sender.returncode == 1, out[-2000:] + err
        assert database in err and "once the library's database can be reached again" in err
        assert f"in flight when it stopped: {in_flight}" in out
        assert handler.count() == 50  # stopped between two messages
        log = send_log(url, DIGEST_ID)  # type: ignore[arg-type]
        assert log[in_flight]["state"] == SENDING

        resumed = start(url, recipients)
        out, err = finish(resumed)
        log = send_log(url, DIGEST_ID)  # type: ignore[arg-type]
        copies = handler.snapshot()
    assert resumed.returncode == 3 and "newsdigest: left: 1 uncertain" in err, out[-2000:] + err
    assert in_flight in out and log[in_flight]["state"] == UNCERTAIN
    assert {a for a, e in log.items() if e["state"] != SENT} == {in_flight}
    assert len(copies[in_flight]) == 1
    check_once(copies, addresses, {in_flight})
