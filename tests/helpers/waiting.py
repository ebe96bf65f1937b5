"""Waiting for something another process or thread does: polled, with a deadline that fails."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(
    condition: Callable[[], bool],
    what: str = "the condition",
    timeout: float = 120,
    poll: float = 0.01,
) -> None:
    """Return once ``condition()`` is true; fail the test naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(poll)
