"""List sends of a 40-item digest at 1,000 and 50,000 recipients on a local SMTP server.

Targets (issue 12): the send log is an append-only journal, so a list send keeps
its pace whatever the list's size, near what bare ``smtplib`` does, in flat memory.

* throughput: messages a second of a real list send (:class:`SendJob`, the send
  log of a :class:`TinyDBLibrary` in a temporary folder, durable as in real use,
  ``throttle 0``, one message built per recipient) at 1,000 and at 50,000
  recipients; the run's whole time is counted (the queued entries written at the
  start, every ``sending``/``sent`` record, the compaction at the end). The 1,000
  is the mean of one run before the 50,000 and one after it, so that a machine
  busier at one moment than at another weighs on both sides. Target:
  throughput(50,000) >= 0.9 x throughput(1,000);
* bare ``smtplib``: one pre-built message sent over one connection to the same
  server, no log, no building. Target: the list send at 50,000 >= 0.5 x it;
* peak memory: ``tracemalloc`` is started before the recipient list and the plan
  are made; what is traced once they exist is what the list and plan take (the
  baseline of the row). The run's peak above that baseline is what the run itself
  needed: the message being built, the connection, batches of journal records.
  A run that kept anything per message (the messages, their records) would grow
  with the list; "flat" is peak-above(50,000) <= 1.1 x peak-above(1,000). The
  per-recipient row divides each peak-above by its list's size, to show how
  little of it belongs to any recipient;
* the journal's per-record cost (one durable ``record_send`` of one entry with a
  log of 1,000 and of 50,000 entries, and their ratio) is measured where the
  journal lives, in :mod:`benchmarks.bench_store` (rows "send journal: ...");
* building one message's DATA content (:meth:`MessageFactory.data`: the headers
  of its own, folded and dot-stuffed, joined to the body shared by every
  recipient, stuffed once), against dot-stuffing the whole message once, which
  is what every message paid on top of its headers before the body was stuffed
  once for all (info: the in-process part of a message's cost, beside the wait
  for the server's replies and the journal's two fsyncs).

``BENCH_QUICK=1`` replaces 50,000 by 5,000 (a quick run); ``make bench`` runs
50,000, and so does ``python -m benchmarks.bench_send`` (this module's rows
alone). The server (aiosmtpd, which counts each recipient's messages and drops
their data) runs in its own process on a free loopback port, so that neither its
time nor its memory is counted here; every run checks that it got each recipient
exactly once. Being pure Python, that server bounds both the list send and bare
``smtplib``: most of either's time is spent waiting for its replies.
"""

from __future__ import annotations

import os
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from benchmarks.bench_render import digest_of, make_items, theme
from composer.recipients import Recipient
from composer.send import LibraryJournal, MessageFactory, PreparedDigest, SendJob, prepare_digest
from composer.send.smtp import data_content, dot_stuff
from composer.smtp_settings import SmtpSettings, with_changes
from store.tinydb_library import TinyDBLibrary

Row = tuple[str, float, float, str, str]
SMALL = 1_000
LARGE = 5_000 if os.environ.get("BENCH_QUICK") == "1" else 50_000
BARE_COUNT = 5_000  # messages of the bare smtplib run
MB = 1024 * 1024

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
    """The counting aiosmtpd server in its own process."""

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


class Checked:
    """Checks that the server got each recipient of a run exactly once."""

    def __init__(self, server: Server, count: int) -> None:
        self.server, self.count = server, count

    def __enter__(self) -> Checked:
        self.before = self.server.stats()
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        count, distinct, most = self.server.stats()
        got = (count - self.before[0], distinct - self.before[1], most)
        if got != (self.count, self.count, 1):
            raise RuntimeError(
                f"expected {self.count:,} recipients once each; the server got {got[0]:,} "
                f"messages for {got[1]:,} new recipients, at most {got[2]} to one"
            )


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


def open_library(folder: Path, tag: str) -> TinyDBLibrary:
    return TinyDBLibrary(folder / f"library-{tag}.json")  # durable, as in real use


def list_send(
    prepared: PreparedDigest, smtp: SmtpSettings, folder: Path, n: int, tag: str
) -> float:
    """Messages a second of a real list send to ``n`` new recipients (a fresh library)."""
    library = open_library(folder, tag)
    try:
        people = recipients(n, tag)
        job = SendJob(prepared, smtp, journal=LibraryJournal(library, prepared.digest.id))
        started = time.perf_counter()
        report = job.run(job.plan(people))
        elapsed = time.perf_counter() - started
        if not report.ok:
            raise RuntimeError("\n".join(report.lines()))
        return n / elapsed
    finally:
        library.close()


def memory_above_list(
    prepared: PreparedDigest, smtp: SmtpSettings, folder: Path, n: int, tag: str
) -> tuple[float, float]:
    """(bytes the list and plan take, the run's peak above them) for a list send to ``n``."""
    library = open_library(folder, tag)
    tracemalloc.start()
    try:
        job = SendJob(prepared, smtp, journal=LibraryJournal(library, prepared.digest.id))
        plan = job.plan(recipients(n, tag))
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        report = job.run(plan)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        library.close()
    if not report.ok:
        raise RuntimeError("\n".join(report.lines()))
    return float(baseline), float(peak - baseline)


def bare_smtplib(port: int, data: bytes, n: int) -> float:
    """Messages a second of ``smtplib.sendmail`` of one pre-built message over one connection."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as client:
        for k in range(n):
            client.sendmail("newsroom@example.org", [f"bare{k:05d}@example.org"], data)
    return n / (time.perf_counter() - started)


def local_smtp(port: int) -> SmtpSettings:
    return with_changes(
        SmtpSettings(),
        {
            "host": "127.0.0.1",
            "port": port,
            "security": "none",
            "throttle": 0,
            "sender_address": "newsroom@example.org",
        },
    )


def build_rows(prepared: PreparedDigest, smtp: SmtpSettings) -> list[Row]:
    """Microseconds to build one message's DATA content, against stuffing a whole message."""
    factory = MessageFactory(prepared, smtp)
    people = recipients(2_000, "build")
    message = factory.build(people[0])

    def per_message_us(work: Callable[[int], object]) -> float:
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            for k in range(len(people)):
                work(k)
            runs.append((time.perf_counter() - started) / len(people) * 1e6)
        return statistics.median(runs)

    built = per_message_us(lambda k: factory.data(people[k]))
    stuffed = per_message_us(lambda k: data_content(dot_stuff(message)))
    return [
        (
            "one message's DATA (own headers + body stuffed once)",
            built,
            stuffed,
            "us",
            "info: vs stuffing a whole message",
        )
    ]


def throughput_rows(
    prepared: PreparedDigest, smtp: SmtpSettings, server: Server, folder: Path
) -> list[Row]:
    sample = SendJob(prepared, smtp, test=True).factory.build(recipients(1, "size")[0])
    with Checked(server, 20):
        list_send(prepared, smtp, folder, 20, "warm")  # imports, templates, the first connection
    with Checked(server, BARE_COUNT):
        bare = bare_smtplib(server.port, sample, BARE_COUNT)
    speed = {}
    small_runs = []
    for n, tag in ((SMALL, "before"), (LARGE, "large"), (SMALL, "after")):
        with Checked(server, n):
            measured = list_send(prepared, smtp, folder, n, f"speed-{tag}")
        if n == SMALL:
            small_runs.append(measured)
        else:
            speed[n] = measured
    speed[SMALL] = statistics.mean(small_runs)  # one run before the large one, one after
    small, large = f"{SMALL:,}", f"{LARGE:,}"
    return [
        ("message size (40 items)", len(sample) / 1024, 0.0, "KB", "info"),
        (f"list send {small} (log, durable)", speed[SMALL], 0.0, "msg/s", "info: throughput"),
        (f"list send {large} (log, durable)", speed[LARGE], 0.0, "msg/s", "info: throughput"),
        (f"list send {large} vs {small}", speed[LARGE], speed[SMALL], "msg/s", ">= 0.9x"),
        (f"bare smtplib ({BARE_COUNT:,}, one message)", bare, 0.0, "msg/s", "info: no log"),
        (f"list send {large} vs bare smtplib", speed[LARGE], bare, "msg/s", ">= 0.5x"),
    ]


def memory_rows(
    prepared: PreparedDigest, smtp: SmtpSettings, server: Server, folder: Path
) -> list[Row]:
    measured = {}
    for n in (SMALL, LARGE):
        with Checked(server, n):
            measured[n] = memory_above_list(prepared, smtp, folder, n, f"mem{n}")
    (base_s, above_s), (base_l, above_l) = measured[SMALL], measured[LARGE]
    small, large = f"{SMALL:,}", f"{LARGE:,}"
    return [
        (f"send {small}: peak above list+plan (baseline)", above_s / MB, base_s / MB, "MB", "info"),
        (f"send {large}: peak above list+plan (baseline)", above_l / MB, base_l / MB, "MB", "info"),
        (f"peak above list+plan, {large} vs {small}", above_l / MB, above_s / MB, "MB", "<= 1.1x"),
        (
            f"peak above list+plan per recipient, {large} vs {small}",
            above_l / LARGE,
            above_s / SMALL,
            "B",
            f"info: flat is {SMALL / LARGE:.2f}x",
        ),
    ]


def run() -> list[Row]:
    prepared = prepared_digest()
    server = Server()
    try:
        smtp = local_smtp(server.port)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            rows = build_rows(prepared, smtp)
            rows += throughput_rows(prepared, smtp, server, folder)
            rows += memory_rows(prepared, smtp, server, folder)
    finally:
        server.close()
    return rows


if __name__ == "__main__":
    for label, value, baseline, unit, target in run():
        ratio = f"{value / baseline:7.2f}" if baseline else "      -"
        base = f"{baseline:10.2f} {unit}" if baseline else " " * 12
        print(f"{label:<58}  {value:10.2f} {unit:<5}  {base}  {ratio}  {target}")
