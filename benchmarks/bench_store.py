"""The library store against stock TinyDB ``JSONStorage``: writes, import, open, search.

Targets (issue 2): a single durable edit in a 10,000-item library in at most a
quarter of stock ``JSONStorage``'s time for the same edit; imports as one write per
batch; search in memory. Issue 12: one durable send-journal record costs the same
whether the digest's log holds 1,000 entries or 50,000 (ratio at most 1.1).
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tinydb import Query, TinyDB

from composer.library.importers import import_text
from composer.library.item import NewsItem, make_item
from composer.library.search import ItemFilter, SearchIndex
from store.tinydb_library import TinyDBLibrary

Row = tuple[str, float, float, str, str]
WORDS = (
    "migration",
    "border",
    "skills",
    "partnership",
    "climate",
    "research",
    "dialogue",
    "training",
    "report",
)


def make_items(n: int) -> list[NewsItem]:
    start = dt.date(2020, 1, 1)
    return [
        make_item(
            {
                "title": f"{WORDS[i % 9].title()} story {i} about {WORDS[(i * 7) % 9]}",
                "date": start + dt.timedelta(days=i % 1500),
                "category": ("Project News", "In Focus", "Press Release", "Expert Voice")[i % 4],
                "summary": f"Summary {i}: " + " ".join(WORDS[(i + k) % 9] for k in range(60)),
                "url": f"https://example.org/news/{i}",
                "tags": [WORDS[i % 9]],
            }
        )
        for i in range(n)
    ]


def median_ms(fn: Callable[[int], object], repeats: int) -> float:
    times = []
    for k in range(repeats):
        t0 = time.perf_counter()
        fn(k)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def single_write(folder: Path, items: list[NewsItem]) -> tuple[float, float]:
    n = len(items)
    ours_path, stock_path = folder / f"ours-{n}.json", folder / f"stock-{n}.json"
    lib = TinyDBLibrary(ours_path)
    lib.add_items(items)
    target = items[n // 2]
    ours = median_ms(lambda k: lib.save_item(target.edited(title=f"Edited {k}")), 9)
    lib.close()
    stock_db = TinyDB(stock_path)
    stock_db.table("items").insert_multiple(i.to_dict() for i in items)
    doc_id = n // 2 + 1
    stock = median_ms(
        lambda k: stock_db.table("items").update({"title": f"Edited {k}"}, doc_ids=[doc_id]), 9
    )
    stock_db.close()
    return ours, stock


def log_entry(n: int, state: str) -> dict[str, object]:
    """A send-log entry shaped like the ones a list send records."""
    address = f"reader{n:06d}@example.org"
    return {
        "digest_id": "month-2023-01",
        "recipient": address,
        "address": address,
        "name": f"Reader {n}",
        "state": state,
        "updated_at": "2023-02-01T09:00:00+00:00",
        "attempts": 1,
        "message_id": f"<month-2023-01.{n}@example.org>",
    }


def journal_record_ms(folder: Path, sizes: tuple[int, ...], rounds: int) -> list[float]:
    """Median ms of one durable ``record_send`` of one entry, per log size, measured in turns.

    Each log first holds ``size`` entries (recorded in one call, not compacted: the
    journal itself is that long); the rounds alternate between the sizes so that the
    disk's moods weigh on all of them alike.
    """
    libraries = [TinyDBLibrary(folder / f"journal-{size}.json") for size in sizes]
    try:
        for library, size in zip(libraries, sizes, strict=True):
            library.record_send([log_entry(n, "queued") for n in range(size)])
        times: list[list[float]] = [[] for _ in sizes]
        for k in range(rounds):
            for library, size, spent in zip(libraries, sizes, times, strict=True):
                record = log_entry(k * 7919 % size, "sent")
                t0 = time.perf_counter()
                library.record_send([record])
                spent.append((time.perf_counter() - t0) * 1000)
        return [statistics.median(spent) for spent in times]
    finally:
        for library in libraries:
            library.close()


def listing_text(items: list[NewsItem]) -> str:
    return "\n\n".join(
        f"{i.category}\n{i.title}\n\n{i.date:%d %B %Y}\n\n{i.summary}\n\n{i.summary}" for i in items
    )


def run() -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        all_items = make_items(50_000)
        for n in (1_000, 10_000, 50_000):
            ours, stock = single_write(folder, all_items[:n])
            # the target is the issue's, at 10,000 items; a small file's time is mostly the
            # fsyncs a durable write needs and stock JSONStorage skips
            target = "<= 0.25x" if n >= 10_000 else "info: fsync-bound at this size"
            rows.append((f"single durable edit, {n:,} items", ours, stock, "ms", target))

        small, large = journal_record_ms(folder, (1_000, 50_000), rounds=61)
        rows.append(
            ("send journal: 1 durable record, log of 1,000", small, 0.0, "ms", "info: fsync-bound")
        )
        rows.append(
            (
                "send journal: 1 durable record, log of 50,000",
                large,
                small,
                "ms",
                "<= 1.1x the 1,000-entry log",
            )
        )

        ten_k = all_items[:10_000]
        text = listing_text(ten_k)
        t0 = time.perf_counter()
        report = import_text(text, name="bench", format="listing")
        lib = TinyDBLibrary(folder / "import.json")
        lib.add_items(report.items)
        ours_import = (time.perf_counter() - t0) * 1000
        writes = lib.write_count
        lib.close()
        stock_db = TinyDB(folder / "stock-inserts.json")
        t0 = time.perf_counter()
        for item in ten_k[:1_000]:
            stock_db.table("items").insert(item.to_dict())
        stock_1k = (time.perf_counter() - t0) * 1000
        stock_db.close()
        rows.append(
            (
                f"import 10,000-item listing ({writes} write)",
                ours_import,
                stock_1k,
                "ms",
                "vs stock: 1,000 single inserts",
            )
        )

        t0 = time.perf_counter()
        lib = TinyDBLibrary(folder / "ours-10000.json")
        count = len(lib.items())
        ours_open = (time.perf_counter() - t0) * 1000
        lib.close()
        t0 = time.perf_counter()
        stock_db = TinyDB(folder / "stock-10000.json")
        stock_count = len(stock_db.table("items").all())
        stock_open = (time.perf_counter() - t0) * 1000
        stock_db.close()
        assert count == stock_count == 10_000
        rows.append(("open a 10,000-item library", ours_open, stock_open, "ms", "stock: TinyDB"))

        index = SearchIndex(ten_k)
        spec = ItemFilter(text="climate partnership 77")
        ours_search = median_ms(lambda k: index.filter(spec), 15)
        stock_db = TinyDB(folder / "stock-10000.json")
        q = Query()
        stock_search = median_ms(
            lambda k: stock_db.table("items", cache_size=0).search(
                q.title.search("(?i)climate") & q.summary.search("(?i)partnership")
            ),
            5,
        )
        stock_db.close()
        rows.append(
            ("search 10,000 items in memory", ours_search, stock_search, "ms", "stock: Query")
        )
    return rows
