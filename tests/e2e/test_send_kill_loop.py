"""A 5,000-recipient list send killed at random moments, again and again, then resumed.

A real ``newsdigest send`` process (the library's SMTP settings: ``throttle 0``;
the send log durable, as in real use) sends to a real aiosmtpd server on
loopback that counts every copy each recipient gets. Each round starts the send
(the first) or resumes it (``--resume --yes``) and kills it (``proc.kill()``:
SIGKILL on Unix, TerminateProcess on Windows) at a random moment, chosen by a
seeded :class:`random.Random` (the seed is in the test id, to replay a failure):

* ``hold``: the server stores a random message, then keeps its reply back; the
  kill falls while the sender waits for it (that recipient must end uncertain);
* ``count``: once the server has a random number of messages more;
* ``delay``: after a random time (start-up, the first write of 5,000 queued
  entries, or anywhere in the list).

One round is always ``hold``, so that the uncertain path is exercised every time.
After each kill, what the server got and what the send log says must agree;
after the loop, one last resume finishes the list.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.send_servers import (
    ROOT,
    CountingHandler,
    cli_argv,
    loopback_smtp,
    make_library,
    run_cli,
    send_log,
    sender_env,
    smtp_server,
    write_recipients,
)
from helpers.waiting import wait_for as _wait_for

from composer.send import QUEUED, SENDING, SENT, UNCERTAIN, message_id_for

pytestmark = pytest.mark.slow

COUNT = 5_000
ROUNDS = 6
#: Messages a round may send at most before its kill: the rounds leave the last resume work.
ROUND_BUDGET = COUNT // (ROUNDS + 2)
DIGEST_ID = "month-2023-01"
MONTH = ("send", "--month", "2023-01")
#: ``KILL_LOOP_SEEDS=1,2,3`` replays (or explores) other seeds.
SEEDS = [int(s) for s in os.environ.get("KILL_LOOP_SEEDS", "1212").split(",") if s.strip()]
KILLED = (-signal.SIGKILL,) if sys.platform != "win32" else (1,)


def _start(library: Path, recipients: Path, *, resume: bool) -> subprocess.Popen[str]:
    args = [*MONTH, "--to-file", str(recipients), "--yes", *(["--resume"] if resume else [])]
    return subprocess.Popen(
        cli_argv(library, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=sender_env(),
    )


def _kill_round(
    rng: random.Random,
    mode: str,
    handler: CountingHandler,
    proc: subprocess.Popen[str],
) -> list[str]:
    """Kill ``proc`` at the moment ``mode`` picks; returns the recipients of a held reply."""
    before = handler.count()
    held: list[str] = []
    if mode == "hold":
        hold = handler.hold_reply(before + rng.randint(1, ROUND_BUDGET))
        try:
            _wait_for(lambda: hold.reached.is_set() or proc.poll() is not None)
            if hold.reached.is_set():
                time.sleep(rng.uniform(0, 0.05))  # the sender waits for the reply
                held = list(hold.recipients)
            proc.kill()
        finally:
            hold.release.set()
    elif mode == "count":
        target = before + rng.randint(0, ROUND_BUDGET)
        _wait_for(lambda: handler.count() >= target or proc.poll() is not None)
        proc.kill()
    else:
        time.sleep(rng.uniform(0, 3.0))
        proc.kill()
    return held


def _check_log_against_server(handler: CountingHandler, log: dict[str, dict[str, object]]) -> None:
    """Whoever the server has is at least ``sending`` in the log; whoever is ``sent``, it has."""
    copies = handler.snapshot()
    for address, ids in copies.items():
        state = log.get(address, {}).get("state")
        assert state in (SENDING, SENT, UNCERTAIN), f"{address}: delivered, logged {state}"
        if len(ids) > 1:
            assert state == UNCERTAIN, f"{address} got {len(ids)} copies and is {state}"
    for address, entry in log.items():
        assert entry["state"] in (QUEUED, SENDING, SENT, UNCERTAIN), (address, entry)
        if entry["state"] == SENT:
            assert address in copies, f"{address} is logged sent, but the server never got it"
    # one message is in flight at a time: a kill leaves at most one `sending`
    assert sum(e["state"] == SENDING for e in log.values()) <= 1


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"seed{seed}")
def test_killed_at_random_moments_nobody_twice_nobody_lost(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    modes = [rng.choice(("hold", "count", "delay")) for _ in range(ROUNDS)]
    modes[rng.randrange(ROUNDS)] = "hold"
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, COUNT)
    held: set[str] = set()
    with smtp_server(CountingHandler()) as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port, timeout=10))
        for number, mode in enumerate(modes):
            proc = _start(library, recipients, resume=number > 0)
            try:
                held.update(_kill_round(rng, mode, handler, proc))
            finally:
                proc.kill()
                out, err = proc.communicate(timeout=60)
            assert proc.returncode in KILLED, (number, mode, proc.returncode, out, err)
            log = send_log(library, DIGEST_ID)
            states = collections.Counter(str(e["state"]) for e in log.values())
            print(f"round {number} ({mode}): the server has {handler.count():,}; log {states}")
            _check_log_against_server(handler, log)
        assert handler.count() < COUNT  # the rounds left the last resume something to send

        final = run_cli(library, *MONTH, "--to-file", str(recipients), "--resume", "--yes")
        log = send_log(library, DIGEST_ID)
        copies = handler.snapshot()

    _check_log_against_server(handler, log)
    assert sorted(log) == sorted(addresses)
    assert {e["state"] for e in log.values()} <= {SENT, UNCERTAIN}
    uncertain = {a for a, e in log.items() if e["state"] == UNCERTAIN}
    # the kill fell while the server held a reply: the sender never learnt, the server has it
    assert held, f"no round killed the sender while the server held a reply: {modes}"
    for address in held:
        assert address in uncertain and len(copies.get(address, [])) == 1, address
    # exit status 3 with the count when uncertain recipients remain, else 0
    assert final.returncode == (3 if uncertain else 0), final.stdout[-2000:] + final.stderr
    if uncertain:
        assert f"newsdigest: left: {len(uncertain):,} uncertain" in final.stderr
    for address in uncertain:
        assert address in final.stdout, f"{address} is uncertain but not reported"
    # nobody twice; everyone but the uncertain exactly once, with this digest's message
    assert set(copies) <= set(addresses)
    for address in addresses:
        ids = copies.get(address, [])
        assert len(ids) == 1 or (address in uncertain and not ids), (address, ids)
        assert all(i == message_id_for(DIGEST_ID, address, "example.org") for i in ids)


def test_killed_on_the_last_message_the_resume_logs_it_uncertain(tmp_path: Path) -> None:
    """Nothing is left to send, but the crash's ``sending`` is still recorded uncertain."""
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 20)
    with smtp_server(CountingHandler()) as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port, timeout=10))
        hold = handler.hold_reply(20)  # the last one
        proc = _start(library, recipients, resume=False)
        try:
            _wait_for(lambda: hold.reached.is_set() or proc.poll() is not None)
        finally:
            proc.kill()
            proc.communicate(timeout=60)
            hold.release.set()
        assert hold.reached.is_set()
        final = run_cli(library, *MONTH, "--to-file", str(recipients), "--resume", "--yes")
        log = send_log(library, DIGEST_ID)
    last = addresses[-1]
    assert final.returncode == 3 and "newsdigest: left: 1 uncertain" in final.stderr
    assert last in final.stdout and len(handler.snapshot()[last]) == 1
    assert log[last]["state"] == UNCERTAIN
    assert all(log[a]["state"] == SENT for a in addresses[:-1])
