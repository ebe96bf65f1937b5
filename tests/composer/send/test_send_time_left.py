"""The Send dialog's time left follows the recent pace: a held reply is forgotten, a throttle
bounds it.

:class:`composer.send.time_left.TimeLeft` is given the times messages ended (as the
run loop's clock reads them), so these runs are timings written as data: no sleeps.
The last test sends through a real aiosmtpd on loopback, one reply held.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from helpers.send_servers import CountingHandler, smtp_server

from composer.recipients import recipients_from_addresses
from composer.send import PreparedDigest, SendJob, SendProgress
from composer.send.time_left import WINDOW, TimeLeft
from composer.smtp_settings import SmtpSettings, with_changes

TOTAL = 300
STEADY = 0.05  # seconds a message on a quick server


def run(ends: list[float], interval: float = 0.0) -> list[float | None]:
    """The estimate after each message of a TOTAL-recipient run ending at ``ends``."""
    estimate = TimeLeft(0.0, interval)
    lefts: list[float | None] = []
    for done, at in enumerate(ends, start=1):
        estimate.ended(at)
        lefts.append(estimate.seconds_left(TOTAL - done))
    return lefts


def stalled_run(held_at: int = 3, held: float = 10.0, pace: float = STEADY) -> list[float]:
    """Messages ``pace`` apart, the reply to message ``held_at`` held ``held`` seconds."""
    ends, now = [], 0.0
    for number in range(1, TOTAL + 1):
        now += held if number == held_at else pace
        ends.append(now)
    return ends


def test_a_held_reply_early_is_forgotten_within_a_window_of_messages() -> None:
    lefts = run(stalled_run())
    # right after the held reply the estimate is up (the stall is among the recent ones) ...
    assert lefts[2] is not None and lefts[2] > 60
    # ... and once WINDOW messages have gone at the steady pace it is the steady pace's
    for done in (3 + WINDOW, 100, 200, 299):
        assert lefts[done - 1] == pytest.approx((TOTAL - done) * STEADY, rel=1e-6)
    assert lefts[-1] == 0
    # what the whole run's average said instead, 40 messages in: over 5 times too long
    average = stalled_run()[39] / 40 * (TOTAL - 40)
    assert average > 5 * lefts[39]  # type: ignore[operator]


def test_the_estimate_comes_down_steadily_while_the_stall_leaves_the_window() -> None:
    lefts = run(stalled_run())
    window = [left for left in lefts[2 : 3 + WINDOW]]
    assert all(a is not None and b is not None and b < a for a, b in itertools.pairwise(window))


def test_a_server_that_pauses_again_and_again_stays_in_the_estimate() -> None:
    """A pause every tenth message is the server's pace, not a moment: it is kept."""
    ends, now = [], 0.0
    for number in range(1, TOTAL + 1):
        now += 1.0 if number % 10 == 0 else STEADY
        ends.append(now)
    lefts = run(ends)
    per_message = (9 * STEADY + 1.0) / 10
    assert lefts[199] == pytest.approx(100 * per_message, rel=0.05)


def test_a_slower_server_is_followed_within_a_window() -> None:
    ends = [STEADY * n for n in range(1, 101)]
    ends += [ends[-1] + 0.5 * n for n in range(1, 201)]  # from message 101 on, 0.5 s each
    lefts = run(ends)
    assert lefts[99] == pytest.approx(200 * STEADY)
    assert lefts[100 + WINDOW - 1] == pytest.approx((TOTAL - 100 - WINDOW) * 0.5)


def test_a_steady_throttled_run_is_estimated_at_the_throttles_pace() -> None:
    interval = 60 / 120  # --throttle 120: one message every 0.5 s
    # each message takes 0.02 s, then the loop waits for the throttle: ends 0.5 s apart
    ends = [0.02 + interval * n for n in range(TOTAL)]
    lefts = run(ends, interval)
    for done in (1, 2, 10, 150, 299):
        assert lefts[done - 1] == pytest.approx((TOTAL - done) * interval, rel=1e-6)
    # before any message has ended, the throttle alone says how long it takes
    assert TimeLeft(0.0, interval).seconds_left(TOTAL) == TOTAL * interval


def test_the_throttle_bounds_the_estimate_after_a_stall_and_in_a_burst() -> None:
    interval = 0.5
    ends = [interval * n for n in range(1, 4)] + [11.5]  # message 4 held 10 s
    ends += [ends[-1] + interval * n for n in range(1, TOTAL - 3)]
    lefts = run(ends, interval)
    assert lefts[3] is not None and lefts[3] > (TOTAL - 4) * interval  # the stall weighs ...
    assert lefts[4 + WINDOW - 1] == pytest.approx((TOTAL - 4 - WINDOW) * interval)  # ... a while
    # messages that end closer together than the throttle allows (several noted at once)
    # never make the estimate quicker than the throttle
    burst = TimeLeft(0.0, interval)
    burst.ended(0.1, count=5)
    assert burst.per_message == interval and burst.seconds_left(10) == 10 * interval


def test_nothing_to_go_by_and_nothing_left() -> None:
    estimate = TimeLeft(5.0)
    assert estimate.per_message is None and estimate.seconds_left(10) is None
    assert estimate.seconds_left(0) == 0.0
    estimate.catch_up(2, 6.0)  # two messages ended by 6.0: noted once each
    estimate.catch_up(2, 9.0)  # nothing new
    assert estimate.done == 2 and estimate.per_message == pytest.approx(0.5)
    with pytest.raises(ValueError, match="at least one message"):
        TimeLeft(0.0, window=0)


def test_a_real_send_with_a_held_reply_estimates_the_rest_at_the_servers_pace(
    prepared: PreparedDigest,
) -> None:
    """Through the real loop: aiosmtpd holds its reply to message 3 for 3 s; once a
    window of messages has gone since, the time left is about what the rest then takes."""
    count, held = 3 + WINDOW + 40, 3.0
    seen: list[tuple[float, SendProgress]] = []
    handler = CountingHandler()
    hold = handler.hold_reply(3)
    addresses = [f"reader{n:03d}@example.org" for n in range(count)]
    recipients = list(recipients_from_addresses(addresses).recipients)
    with smtp_server(handler) as (_, port):  # type: ignore[arg-type]
        smtp = with_changes(
            SmtpSettings(),
            {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0, "timeout": 5},
        )
        job = SendJob(prepared, smtp, test=True)
        timer = threading.Timer(held, hold.release.set)
        timer.start()
        try:
            report = job.run(
                job.plan(recipients),
                lambda p: seen.append((job.clock(), p)) if p.event is not None else None,
            )
        finally:
            timer.cancel()
    assert report.ok and hold.reached.is_set()
    at = {p.done: (when, p.seconds_left) for when, p in seen}
    when, left = at[3 + WINDOW + 5]
    took = at[count][0] - when  # what the rest really took
    assert left is not None
    # the whole run's average would say over 2.7 s: the hold's 3 s over 38 messages, for 35
    assert left < 1.0
    assert left == pytest.approx(took, abs=max(0.25, took))
