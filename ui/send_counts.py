"""The Send dialog's count line: what a run has done so far, and what it did in the end.

While sending: ``412 sent · 388 sent by another sender at the same time · 0 failed ·
about 2 min left``. The count of those another sender of the digest took (a second
officer sending the same digest at the same time: each recipient is claimed by one of
them, :attr:`composer.send.SendProgress.taken`) is shown only when there are some; so
are the uncertain and those waiting for a retry. The numbers are the core's; this only
puts them in words.
"""

from __future__ import annotations

from composer.send import SendProgress, SendReport, format_duration

#: How the recipients another sender took are named (the report's own words).
TAKEN = "sent by another sender at the same time"


def progress_text(progress: SendProgress, *, stopping: bool = False) -> str:
    """The line under the progress bar while a run sends."""
    parts = [f"{progress.sent:,} sent"]
    if progress.taken:
        parts.append(f"{progress.taken:,} {TAKEN}")
    parts.append(f"{progress.failed:,} failed")
    if progress.uncertain:
        parts.append(f"{progress.uncertain:,} uncertain")
    if progress.retrying:
        parts.append(f"{progress.retrying:,} to retry")
    if progress.seconds_left is not None and progress.done < progress.total:
        parts.append(f"about {format_duration(progress.seconds_left)} left")
    if stopping:
        parts.append("stopping after the message in flight…")
    return " · ".join(parts)


def finished_text(report: SendReport) -> str:
    """The line under the progress bar once a run ended: the report's first line, and how
    many the other sender took (the summary above lists the rest)."""
    first = report.lines()[0]
    text = first[:1].upper() + first[1:]
    if report.taken_by_others:
        text += f" · {report.taken_by_others:,} {TAKEN}"
    return text
