"""A team library on PostgreSQL against the TinyDB file, and many writers at once (issue 14).

The benchmark starts its own throwaway cluster (:mod:`tools.pg_cluster`: ``initdb`` and
``pg_ctl`` in a temporary folder, loopback only, as the ``postgres`` user under root)
with **durability on** (``fsync``, ``synchronous_commit``, full page writes: what a real
server does, and what a durable edit costs), and connects over TCP on 127.0.0.1 with a
password (SCRAM), as an officer's machine does, without TLS. Rows, each with its
baseline:

* opening a library of 10,000 items (open, every item read, close): PostgreSQL against
  the TinyDB file (:class:`store.tinydb_library.TinyDBLibrary`, the one-person default);
* one durable edit in that library, PostgreSQL against the file: saving an item, and
  saving a 40-item digest (its version checked, as the window saves it);
* two importers at once, two real processes of 5,000 different items each into one
  database, against one process importing all 10,000 into another: the wall time
  from the moment both are told to go (each has opened the library and made its
  items) to the moment both are done; every run checks that all 10,000 landed;
* a 10,000-recipient send on loopback (aiosmtpd in its own process, counting each
  recipient's messages): two ``newsdigest send --throttle 0 --resume`` processes
  sharing one list against one alone, in messages a second over the processes' whole
  run (started together, to the last one's exit, planning and queueing included);
  every run checks that each recipient got exactly one message. Whether a second sender may
  join a running send is asked of the library first (:meth:`Library.send_lock` giving
  a :class:`composer.repository.SendSession` with ``joined``); where it refuses, the
  row says "not measured: shared sends not available". A sender that fails, or a
  recipient who got no message or two, makes the row say FAILED, and why (stderr).

``BENCH_QUICK=1`` scales down to 2,000 items and 2,000 recipients. Without PostgreSQL
binaries (on ``PATH`` or under ``/usr/lib/postgresql/*/bin``) the module's rows say
they were skipped, and why. ``python -m benchmarks.bench_postgres`` runs these rows
alone.
"""

from __future__ import annotations

import contextlib
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from benchmarks.bench_render import digest_of, theme
from benchmarks.bench_render import make_items as digest_items
from benchmarks.bench_send import Checked, Server
from benchmarks.bench_store import make_items
from composer.errors import SendLockedError
from composer.library.item import NewsItem
from composer.repository import Holder, Library
from composer.theme.model import theme_from_mapping
from store.postgres import PostgresLibrary
from store.tinydb_library import TinyDBLibrary
from tools.pg_cluster import SUPERUSER, Cluster, ClusterUnavailable, start_cluster

Row = tuple[str, float, float, str, str]
ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
ITEMS = 2_000 if QUICK else 10_000
RECIPIENTS = 2_000 if QUICK else 10_000
#: A row's value when it could not be measured (``benchmarks.__main__`` prints its target).
NOT_MEASURED = math.nan
DIGEST_ID = "d-bench"

IMPORTER = r"""
import sys, time
from benchmarks.bench_store import make_items
from store.postgres import PostgresLibrary

url, start, count, total = sys.argv[1], *map(int, sys.argv[2:5])
items = make_items(total)[start : start + count]
library = PostgresLibrary(url)
print("ready", flush=True)
sys.stdin.readline()
added = library.add_items(items)
library.close()
print(len(added.new), len(added.existing), flush=True)
"""


class Databases:
    """Databases of the benchmark's cluster, each reached over TCP with the password."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def new(self, prefix: str) -> str:
        """A new empty database's url (the superuser's password in it: a benchmark's own)."""
        name = self.cluster.create_database(prefix)
        return self.cluster.tcp_url(name, SUPERUSER, self.cluster.password)

    def url_without_password(self, url: str) -> str:
        return url.replace(f":{self.cluster.password}@", "@", 1)


def median_ms(fn: Callable[[int], object], repeats: int) -> float:
    times = []
    for k in range(repeats):
        started = time.perf_counter()
        fn(k)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# -- opening, and one durable edit -------------------------------------------------------------
def _open_ms(open_library: Callable[[], Library], expected: int) -> float:
    def once(_: int) -> None:
        library = open_library()
        try:
            count = len(library.items())
        finally:
            library.close()
        if count != expected:
            raise RuntimeError(f"expected {expected:,} items, the library gave {count:,}")

    once(0)  # warm: imports, the server's caches, the file's page cache
    return median_ms(once, 7)


def _edit_ms(library: Library, items: list[NewsItem]) -> tuple[float, float]:
    """Median ms of one durable ``save_item``, and of one ``save_digest`` (version checked)."""
    target = items[len(items) // 2]
    item_ms = median_ms(lambda k: library.save_item(target.edited(title=f"Edited {k}")), 15)
    picks = digest_items(40)
    digest = digest_of(picks, theme()).to_dict()
    version = library.save_digest(digest)

    def save_digest(k: int) -> None:
        nonlocal version
        version = library.save_digest({**digest, "title": f"Edited {k}"}, version)

    return item_ms, median_ms(save_digest, 15)


def library_rows(databases: Databases, folder: Path) -> list[Row]:
    items = make_items(ITEMS)
    url = databases.new("open")
    with PostgresLibrary(url) as library:
        library.add_items(items)
    path = folder / "library.json"
    file_library = TinyDBLibrary(path)
    try:
        file_library.add_items(items)
    finally:
        file_library.close()
    pg_open = _open_ms(lambda: PostgresLibrary(url), ITEMS)
    file_open = _open_ms(lambda: TinyDBLibrary(path), ITEMS)
    with PostgresLibrary(url) as library:
        pg_item, pg_digest = _edit_ms(library, items)
    file_library = TinyDBLibrary(path)
    try:
        file_item, file_digest = _edit_ms(file_library, items)
    finally:
        file_library.close()
    n = f"{ITEMS:,}"
    vs_file = "vs the TinyDB file"
    return [
        (f"PostgreSQL: open a {n}-item library", pg_open, file_open, "ms", vs_file),
        (f"PostgreSQL: durable edit, save an item ({n})", pg_item, file_item, "ms", vs_file),
        (f"PostgreSQL: durable edit, save a digest ({n})", pg_digest, file_digest, "ms", vs_file),
    ]


# -- importers at once ---------------------------------------------------------------------------
def _importers(url: str, slices: list[tuple[int, int]], total: int) -> float:
    """Seconds from 'go' until every importer (one process per slice) is done."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", IMPORTER, url, str(start), str(count), str(total)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for start, count in slices
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError("an importer did not start")
        started = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            assert proc.stdout is not None
            results.append(proc.stdout.readline().split())
        elapsed = time.perf_counter() - started
        for result, (_, count) in zip(results, slices, strict=True):
            if result != [str(count), "0"]:
                raise RuntimeError(f"an importer of {count:,} new items reported {result}")
        return elapsed
    finally:
        for proc in procs:
            proc.communicate(timeout=120)


def _landed(url: str) -> int:
    with PostgresLibrary(url, read_only=True) as library:
        return len(library.items())


def importer_rows(databases: Databases) -> list[Row]:
    half = ITEMS // 2
    one, two = [], []
    for _round in range(2):  # in turns, so that a busier moment weighs on both
        url = databases.new("import1")
        one.append(_importers(url, [(0, ITEMS)], ITEMS))
        if _landed(url) != ITEMS:
            raise RuntimeError(f"one importer: {_landed(url):,} of {ITEMS:,} items landed")
        url = databases.new("import2")
        two.append(_importers(url, [(0, half), (half, ITEMS - half)], ITEMS))
        if _landed(url) != ITEMS:
            raise RuntimeError(f"two importers: {_landed(url):,} of {ITEMS:,} items landed")
    return [
        (
            f"PostgreSQL: 2 importers at once, {half:,} items each",
            min(two),
            min(one),
            "s",
            f"vs 1 importer of {ITEMS:,}; all landed",
        )
    ]


# -- senders sharing a list ----------------------------------------------------------------------
def shares_sends(url: str) -> bool:
    """Whether the library lets a second sender join a digest's running send."""
    first, second = PostgresLibrary(url), PostgresLibrary(url)
    try:
        with first.send_lock("bench-probe", Holder("command", command="bench 1")) as one:
            one.ready()
            try:
                with second.send_lock("bench-probe", Holder("command", command="bench 2")) as two:
                    two.ready()
                    return two.joined
            except SendLockedError:
                return False
    finally:
        first.close()
        second.close()


SEND_THEME = {
    "organisation": "Ostmere Centre for Rural Cooperation",
    "postal_address": "4 Mill Lane, 2041 Caldrith, Vostrana",
    "unsubscribe_url": "https://news.example.org/unsubscribe",
    "web_version_url": "https://news.example.org/digest/2023-01",
    "from_address": "Newsroom <newsroom@example.org>",
}


def _send_library(databases: Databases) -> str:
    """A database with a saved 40-item digest and the theme a list send needs; its url."""
    url = databases.new("send")
    picks = digest_items(40)
    with PostgresLibrary(url) as library:
        library.add_items(picks)
        library.save_digest(digest_of(picks, theme()).to_dict())
        library.update_settings({"theme": theme_from_mapping(SEND_THEME).to_settings()})
    return url


def _senders(databases: Databases, url: str, server: Server, recipients: Path, count: int) -> float:
    """Seconds for ``count`` ``newsdigest send`` processes, started together, to send the list."""
    argv = [sys.executable, "-m", "composer", "--library", databases.url_without_password(url)]
    argv += ["send", "--digest", DIGEST_ID, "--to-file", str(recipients), "--yes"]
    argv += ["--smtp-host", "127.0.0.1", "--smtp-port", str(server.port), "--security", "none"]
    # the README: the second sender of a digest already begun needs --resume (as any continued
    # send does); on a fresh log it changes nothing, so every sender is given it
    argv += ["--throttle", "0", "--resume"]
    env = {**os.environ, "PGPASSWORD": databases.cluster.password}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    outputs = [recipients.with_name(f"{recipients.stem}-sender{k}.out") for k in range(count)]
    procs: list[subprocess.Popen[bytes]] = []
    started = time.perf_counter()
    try:
        for output in outputs:
            with output.open("wb") as sink:  # a file, not a pipe nobody reads while it runs
                procs.append(
                    subprocess.Popen(argv, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
                )
        for proc in procs:
            proc.wait(timeout=3600)
        elapsed = time.perf_counter() - started
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, output in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            said = output.read_text(errors="replace").strip().splitlines() or ["(no output)"]
            raise RuntimeError(
                f"a sender exited {proc.returncode}: {said[-1]}\n" + "\n".join(said[-40:])
            )
    return elapsed


def _recipients(folder: Path, tag: str) -> Path:
    path = folder / f"recipients-{tag}.csv"
    lines = ["name,email"] + [
        f"Reader {k},reader{k:05d}.{tag}@example.org" for k in range(RECIPIENTS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def send_rows(databases: Databases, folder: Path) -> list[Row]:
    n = f"{RECIPIENTS:,}"
    label = f"PostgreSQL: send {n}, 2 senders sharing the list"
    server = Server()
    try:
        one_url = _send_library(databases)
        with Checked(server, RECIPIENTS):
            one = _senders(databases, one_url, server, _recipients(folder, "one"), 1)
        single = (f"PostgreSQL: send {n}, 1 sender", RECIPIENTS / one, 0.0, "msg/s", "info")
        two_url = _send_library(databases)
        if not shares_sends(two_url):
            return [
                single,
                (label, NOT_MEASURED, 0.0, "msg/s", "not measured: shared sends not available"),
            ]
        try:
            with Checked(server, RECIPIENTS):
                two = _senders(databases, two_url, server, _recipients(folder, "two"), 2)
        except RuntimeError as exc:  # a sender refused, or someone got none or two: say so
            print(f"benchmarks.bench_postgres: 2 senders sharing the list: {exc}", file=sys.stderr)
            first = str(exc).splitlines()[0]
            return [single, (label, NOT_MEASURED, 0.0, "msg/s", f"FAILED: {first} (see stderr)")]
    finally:
        server.close()
    return [
        single,
        (label, RECIPIENTS / two, RECIPIENTS / one, "msg/s", "vs 1 sender; each once"),
    ]


# -- the whole ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _cluster() -> Iterator[Cluster]:
    cluster = start_cluster(durable=True, tls=False)
    try:
        yield cluster
    finally:
        cluster.stop()


def run() -> list[Row]:
    try:
        with _cluster() as cluster, tempfile.TemporaryDirectory() as tmp:
            databases, folder = Databases(cluster), Path(tmp)
            rows = library_rows(databases, folder)
            rows += importer_rows(databases)
            rows += send_rows(databases, folder)
    except ClusterUnavailable as exc:
        print(f"(skipping benchmarks.bench_postgres: {exc})", file=sys.stderr)
        return [("PostgreSQL benchmarks", NOT_MEASURED, 0.0, "", f"skipped: {exc}")]
    return rows


if __name__ == "__main__":
    for label, value, baseline, unit, target in run():
        shown = "not measured" if math.isnan(value) else f"{value:10.2f} {unit}"
        ratio = f"{value / baseline:7.2f}" if baseline and not math.isnan(value) else "      -"
        base = f"{baseline:10.2f} {unit}" if baseline else " " * 12
        print(f"{label:<58}  {shown:>14}  {base}  {ratio}  {target}")
