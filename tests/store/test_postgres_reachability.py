"""A team server found out of reach is not waited for at every call (store.postgres.connect)."""

from __future__ import annotations

import pytest

from composer.errors import LibraryUnreachableError
from store.postgres.connect import Reachability

WHERE = "postgresql://ann@db.example.org/newsdigest"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def away() -> LibraryUnreachableError:
    return LibraryUnreachableError("cannot connect: connection refused", "nothing answers")


def test_after_a_failure_calls_are_refused_at_once_with_the_reason_then_tried_again() -> None:
    clock = Clock()
    reach = Reachability(clock)
    reach.check(WHERE, "saving the digest d1")  # nothing known: try
    reach.failed(away())
    with pytest.raises(LibraryUnreachableError) as refused:
        reach.check(WHERE, "saving the digest d1")
    assert refused.value.reason == "nothing answers"
    message = str(refused.value)
    assert WHERE in message and "saving the digest d1" in message and "in 5 s" in message
    clock.now += Reachability.FIRST_PAUSE_S
    reach.check(WHERE, "saving the digest d1")  # the pause is over: the server is tried again


def test_the_pause_doubles_while_the_server_stays_away_and_ends_when_it_answers() -> None:
    clock = Clock()
    reach = Reachability(clock)
    pauses = []
    for _ in range(6):
        reach.failed(away())
        start = clock.now
        while True:
            try:
                reach.check(WHERE, "reading the items")
            except LibraryUnreachableError:
                clock.now += 1
                continue
            break
        pauses.append(clock.now - start)
    assert pauses == [5, 10, 20, 40, 60, 60]
    reach.succeeded()
    reach.failed(away())  # a new outage starts from the first pause
    clock.now += Reachability.FIRST_PAUSE_S
    reach.check(WHERE, "reading the items")
