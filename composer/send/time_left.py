"""The time left of a run, from the pace of its recent messages (the Send dialog's estimate).

The run's average since it began would carry one slow moment to the end: a server
that holds one reply for 10 s early in a 300-recipient run would make "about 12 min
left" out of what then goes at a message in a few hundredths of a second. So the
estimate is the pace of the last :data:`WINDOW` messages: the time between the end of
the message :data:`WINDOW` back (or the run's start, before there are that many) and
the end of the last one, over their count. A stall weighs on it only until that many
messages have gone since (a few dozen), while a server that is slow again and again
(a pause every tenth message) stays in it, as it will be in what is left.

With a throttle, its spacing (60 s over the messages per minute) is known in advance
and bounds the pace from below: the run never goes faster than that, whatever the
last messages did, so before the first message ends the estimate is the throttle's.

:class:`TimeLeft` reads no clock: it is given the times (any monotonic seconds, the
run loop's clock) at which messages ended, and the count still to go.
"""

from __future__ import annotations

from collections import deque

#: How many recent messages the pace is measured over.
WINDOW = 30


class TimeLeft:
    """The pace of the last :data:`WINDOW` messages, bounded below by the throttle's spacing."""

    def __init__(self, started: float, interval: float = 0.0, window: int = WINDOW) -> None:
        """``started``: when the run began; ``interval``: the throttle's seconds between two
        messages (0 without a throttle)."""
        if window < 1:
            raise ValueError(f"the window must hold at least one message, not {window}")
        self.interval = max(0.0, interval)
        # the end of each recent message, after the run's start: one more than the window,
        # as n messages make n intervals with the mark before the first of them
        self._marks: deque[float] = deque([started], maxlen=window + 1)
        self._done = 0

    @property
    def done(self) -> int:
        """How many messages have ended so far (as given to :meth:`ended`)."""
        return self._done

    def ended(self, at: float, count: int = 1) -> None:
        """``count`` messages ended at ``at`` (seconds on the clock ``started`` was read on)."""
        for _ in range(count):
            self._marks.append(at)
        self._done += max(0, count)

    def catch_up(self, done: int, at: float) -> None:
        """The run has ended ``done`` messages in all by ``at``: note those not noted yet."""
        if done > self._done:
            self.ended(at, done - self._done)

    @property
    def per_message(self) -> float | None:
        """Seconds a message at the recent pace (never under the throttle's); None when
        nothing has ended yet and there is no throttle to go by."""
        marks = self._marks
        if len(marks) < 2:
            return self.interval or None
        recent = (marks[-1] - marks[0]) / (len(marks) - 1)
        return max(self.interval, recent)

    def seconds_left(self, remaining: int) -> float | None:
        """Seconds until ``remaining`` more messages have gone at :attr:`per_message` (0 when
        none remain; None when there is nothing to go by yet)."""
        if remaining <= 0:
            return 0.0
        per = self.per_message
        return None if per is None else remaining * per
