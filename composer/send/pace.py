"""How long a message takes on a server, measured on real sends, for the next estimate.

The preflight says how long a send will take. With a throttle, the throttle
decides; without one, the pace is the server's and the network's: each run
measures it (the time spent building and handing over its messages, waits left
out) and the library keeps the last measurement per server under
:data:`PACE_KEY`, so the next estimate uses what this server really did.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from composer.repository import JSONDict, Library
from composer.send.report import SendReport
from composer.smtp_settings import SmtpSettings

PACE_KEY = "send_pace"
#: Runs shorter than this say little about a server's pace, and are not kept.
MIN_MESSAGES = 20


def measured_pace(stored: Mapping[str, Any], smtp: SmtpSettings) -> float | None:
    """Seconds a message on ``smtp``'s server at its last measured send, if any."""
    table = stored.get(PACE_KEY)
    entry = table.get(smtp.server_label) if isinstance(table, Mapping) else None
    seconds = entry.get("seconds") if isinstance(entry, Mapping) else None
    if isinstance(seconds, int | float) and 0 < seconds < 3600:
        return float(seconds)
    return None


def pace_change(
    stored: Mapping[str, Any], smtp: SmtpSettings, report: SendReport
) -> JSONDict | None:
    """The settings change that keeps ``report``'s pace, or None when it measured too little."""
    if report.test or report.attempted < MIN_MESSAGES or report.busy <= 0:
        return None
    table = dict(stored.get(PACE_KEY) or {}) if isinstance(stored.get(PACE_KEY), Mapping) else {}
    table[smtp.server_label] = {
        "seconds": round(report.busy / report.attempted, 6),
        "messages": report.attempted,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return {PACE_KEY: table}


def remember_pace(library: Library, smtp: SmtpSettings, report: SendReport) -> None:
    """Keep the pace of ``report`` for the next estimate (call it where the library is owned)."""
    change = pace_change(library.settings(), smtp, report)
    if change is not None:
        library.update_settings(change)
