"""Sending a 40-item digest to 1,000 recipients on a local SMTP server: speed and memory.

Targets (issue 5): a list of 1,000 recipients goes out over one reused
connection, each message built when it is sent and dropped after, so that the
peak memory is that of a few messages, not of the list (1,000 messages of about
60 KB would be 60 MB). Every recipient's state is written durably twice (sending
before DATA, sent after the 250), as in real use.

* throughput: messages a second of a real list send (send log, durable writes,
  one message built per recipient), against bare ``smtplib.sendmail`` of one
  pre-built message over one connection to the same server (no log, no building);
* peak memory: ``tracemalloc``'s peak during the send of 1,000, against the size
  of all 1,000 messages; and, without the send log, the peak above what the run
  keeps (a state per recipient) for 1,000 and for 100 recipients: the same, since
  one message exists at a time;
* the cost of one durable send-log write when the log holds 1,000 entries (the
  store rewrites the digest's log file each time, so this grows with the list).

The server (aiosmtpd, which counts and drops what it receives) runs in its own
process on a free loopback port, so that neither its time nor its memory is
counted here.
"""

from __future__ import annotations

import smtplib
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from benchmarks.bench_render import digest_of, make_items, theme
from composer.recipients import Recipient
from composer.send import LibraryJournal, PreparedDigest, SendJob, prepare_digest
from composer.smtp_settings import SmtpSettings, with_changes
from store.tinydb_library import TinyDBLibrary

Row = tuple[str, float, float, str, str]
COUNT = 1_000

SERVER = r"""
import asyncio, socket, sys
from aiosmtpd.controller import Controller

class Counter:
    def __init__(self):
        self.count, self.bytes, self.rcpts = 0, 0, {}
    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.bytes += len(envelope.content)
        for rcpt in envelope.rcpt_tos:
            self.rcpts[rcpt] = self.rcpts.get(rcpt, 0) + 1
        return "250 OK"

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
handler = Counter()
controller = Controller(handler, hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
for line in sys.stdin:
    print(handler.count, len(handler.rcpts), max(handler.rcpts.values(), default=0), flush=True)
controller.stop()
"""


class Server:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stats(self) -> tuple[int, int, int]:
        """(messages, distinct recipients, most messages to one recipient) so far."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        count, distinct, most = map(int, self.proc.stdout.readline().split())
        return count, distinct, most

    def close(self) -> None:
        self.proc.communicate(timeout=30)  # closes stdin: the server stops


def prepared_digest() -> PreparedDigest:
    th = theme()
    items = make_items(40)
    digest = digest_of(items, th)
    return prepare_digest(digest, {i.id: i for i in items}, th)


def recipients(n: int, tag: str) -> list[Recipient]:
    return [
        Recipient(f"reader{k:05d}.{tag}@example.org", f"reader{k:05d}.{tag}@example.org")
        for k in range(n)
    ]


def list_send(
    prepared: PreparedDigest, smtp: SmtpSettings, folder: Path, people: list[Recipient]
) -> float:
    """Seconds for a real list send to ``people`` (a fresh library and send log)."""
    library = TinyDBLibrary(folder / f"library-{people[0].address}.json")
    try:
        job = SendJob(prepared, smtp, journal=LibraryJournal(library, prepared.digest.id))
        plan = job.plan(people)
        started = time.perf_counter()
        report = job.run(plan)
        elapsed = time.perf_counter() - started
        if not report.ok:
            raise RuntimeError("\n".join(report.lines()))
        return elapsed
    finally:
        library.close()


def messages_peak(prepared: PreparedDigest, smtp: SmtpSettings, people: list[Recipient]) -> float:
    """MB the run needed above what it keeps, with no send log (a test send).

    What a run keeps (a state per recipient, the report) grows with the list; the
    messages, built one at a time, only show in the peak above it.
    """
    job = SendJob(prepared, smtp, test=True)
    plan = job.plan(people)
    tracemalloc.start()
    try:
        report = job.run(plan)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if not report.ok:
        raise RuntimeError("\n".join(report.lines()))
    return (peak - current) / 1024 / 1024


def log_write_ms(folder: Path) -> float:
    """Milliseconds for one ``record_send`` when the digest's log has 1,000 entries."""
    library = TinyDBLibrary(folder / "log-cost.json")
    try:
        entries = [
            {"digest_id": "d-log", "recipient": r.address, "state": "queued", "text": ""}
            for r in recipients(COUNT, "log")
        ]
        library.record_send(entries)
        started = time.perf_counter()
        for entry in entries[:50]:
            library.record_send([{**entry, "state": "sent"}])
        return (time.perf_counter() - started) * 1000 / 50
    finally:
        library.close()


def bare_smtplib(port: int, data: bytes, n: int) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as client:
        for k in range(n):
            client.sendmail("newsroom@example.org", [f"bare{k:05d}@example.org"], data)
    return time.perf_counter() - started


def run() -> list[Row]:
    rows: list[Row] = []
    prepared = prepared_digest()
    server = Server()
    try:
        smtp = with_changes(
            SmtpSettings(),
            {
                "host": "127.0.0.1",
                "port": server.port,
                "security": "none",
                "throttle": 0,
                "sender_address": "newsroom@example.org",
            },
        )
        sample = SendJob(prepared, smtp, test=True).factory.build(recipients(1, "size")[0])
        size = len(sample)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            list_send(prepared, smtp, folder, recipients(20, "warm"))  # warm up
            bare = bare_smtplib(server.port, sample, COUNT)
            before = server.stats()[0]
            elapsed = list_send(prepared, smtp, folder, recipients(COUNT, "speed"))
            count, _, most = server.stats()
            if count - before != COUNT or most != 1:
                raise RuntimeError(f"expected {COUNT} single messages, got {count - before}")
            rows.append(
                (
                    f"send {COUNT:,} (log, durable) vs bare smtplib",
                    COUNT / elapsed,
                    COUNT / bare,
                    "msg/s",
                    "info: throughput",
                )
            )
            rows.append(("message size (40 items)", size / 1024, 0.0, "KB", "info"))

            tracemalloc.start()
            try:
                list_send(prepared, smtp, folder, recipients(COUNT, "mem"))
                peak_list = tracemalloc.get_traced_memory()[1] / 1024 / 1024
            finally:
                tracemalloc.stop()
            all_messages = COUNT * size / 1024 / 1024
            rows.append(
                (
                    f"send {COUNT:,}: peak memory vs all messages",
                    peak_list,
                    all_messages,
                    "MB",
                    "<< 1x: built one at a time",
                )
            )
            peaks = {n: messages_peak(prepared, smtp, recipients(n, f"m{n}")) for n in (100, COUNT)}
            rows.append(
                (
                    f"messages: transient peak, {COUNT:,} vs 100",
                    peaks[COUNT],
                    peaks[100],
                    "MB",
                    "~1x: does not grow with the list",
                )
            )
            rows.append(
                (
                    f"send log: one durable write at {COUNT:,} entries",
                    log_write_ms(folder),
                    0.0,
                    "ms",
                    "info: O(entries), store/",
                )
            )
    finally:
        server.close()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
