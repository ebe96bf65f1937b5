"""The Qt binding under us keeps Python's own objects intact.

PySide6 6.12.0's ``SignalInstance.emit`` returned ``True`` without a reference of
its own: on Python 3.11, where ``True`` is not immortal, each emit took one of
its references, and after a few thousand the interpreter aborted ("Fatal Python
error: bool_dealloc"). pyproject.toml excludes that release; this test fails
loudly, instead of a crash some hours into a user's session, if a binding with
the same fault is ever installed.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

pytestmark = pytest.mark.gui


class _Pinger(QObject):
    ping = Signal(int)


def test_emit_and_disconnect_keep_the_references_of_true(qapp) -> None:
    pinger = _Pinger()
    received: list[int] = []

    def slot(value: int) -> None:
        received.append(value)

    before = sys.getrefcount(True)
    for n in range(50):
        pinger.ping.connect(slot)
        pinger.ping.emit(n)
        pinger.ping.disconnect(slot)
    assert received == list(range(50))
    assert sys.getrefcount(True) >= before - 5  # a few come and go; 50+ lost is the fault
