"""Items in PostgreSQL: duplicates decided under the database's row locks, never by a race.

The core's rule (:func:`composer.library.rules.find_duplicate`) says an item is a story
the library has when an item has its id, or its title and date unless both have links
that differ. That is not an equivalence (a story without a link matches two stories of
one title and day on two pages), so no unique index can say it alone. What the
database guarantees instead:

* ``items.id`` is the primary key: an id is stored once, whoever inserts it
  (``INSERT … ON CONFLICT (id) DO NOTHING``; what was not inserted is reported as
  existing).
* Before it looks for duplicates, a writer locks one row of ``story_locks`` per story
  key of its batch (``i:`` + id, ``t:`` + title key), inserting the keys it is the
  first to write (the table's primary key makes a second inserter wait for the first
  to commit), then ``SELECT … FOR UPDATE``, in sorted order so that two writers never
  deadlock. Two imports of the same story therefore run one after the other: the
  second reads the first's committed rows and finds the story there. Two imports of
  different stories lock different rows and run side by side.

Row locks live in the rows, not in the server's lock table, so a batch of any size
takes them (advisory locks would run out of shared memory at a few thousand).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import orjson

from composer.errors import NewsdigestError
from composer.library.item import NewsItem, item_from_stored
from composer.library.rules import StoryIndex, split_new
from composer.repository import AddResult, JSONDict
from store.postgres.connect import CLASHES, Connection

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Writers lock in one order and should never deadlock; should the server still pick one as
#: a deadlock's victim (or a serialisation failure), its transaction is simply run again.
ATTEMPTS = 3


def retrying(write: Callable[[], T]) -> T:
    """``write()`` (one transaction), run again when the server rolled it back for a clash."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return write()
        except CLASHES as exc:
            if attempt == ATTEMPTS:
                raise
            log.info("a write clashed with another one (%s); trying again", exc.sqlstate)
            # a moment, so that the writer it clashed with finishes first this time
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 (not for secrets)
    raise AssertionError("unreachable")


def story_keys(items: Iterable[NewsItem]) -> list[str]:
    """The lock keys of ``items``' stories, each once, sorted (the order every writer locks in)."""
    keys = set()
    for item in items:
        keys.add(f"i:{item.id}")
        keys.add(f"t:{item.title_key}")
    return sorted(keys)


def lock_stories(conn: Connection, items: Sequence[NewsItem]) -> None:
    """Hold the story locks of ``items`` until the transaction ends (call inside one)."""
    keys = story_keys(items)
    if not keys:
        return
    conn.execute(
        "INSERT INTO story_locks (key) SELECT k FROM unnest(%s::text[]) AS k ORDER BY k "
        "ON CONFLICT (key) DO NOTHING",
        (keys,),
    )
    conn.execute(
        "SELECT key FROM story_locks WHERE key = ANY(%s::text[]) ORDER BY key FOR UPDATE",
        (keys,),
    )


def _read(docs: Iterable[JSONDict], problems: list[str] | None = None) -> list[NewsItem]:
    items: list[NewsItem] = []
    for doc in docs:
        try:
            items.append(item_from_stored(doc))
        except (NewsdigestError, TypeError, KeyError) as exc:  # a row edited by hand
            message = f"stored item {doc.get('id') if isinstance(doc, dict) else '?'}: {exc}"
            log.warning("%s", message)
            if problems is not None:
                problems.append(message)
    return items


def all_items(conn: Connection, problems: list[str]) -> list[NewsItem]:
    """Every item, in the order they were stored (the caller sorts them)."""
    rows = conn.execute("SELECT doc FROM items ORDER BY seq").fetchall()
    return _read((row[0] for row in rows), problems)


def get_item(conn: Connection, item_id: str) -> NewsItem | None:
    row = conn.execute("SELECT doc FROM items WHERE id = %s", (item_id,)).fetchone()
    found = _read([row[0]]) if row is not None else []
    return found[0] if found else None


def candidates(conn: Connection, items: Sequence[NewsItem]) -> StoryIndex:
    """The stored items that may be the stories of ``items`` (same id, or same title key),
    held in the order they were stored."""
    ids = sorted({item.id for item in items})
    keys = sorted({item.title_key for item in items})
    rows = conn.execute(
        "SELECT doc FROM items WHERE id = ANY(%s::text[]) OR title_key = ANY(%s::text[]) "
        "ORDER BY seq",
        (ids, keys),
    ).fetchall()
    return StoryIndex(_read(row[0] for row in rows))


def find_existing(conn: Connection, item: NewsItem) -> NewsItem | None:
    return candidates(conn, [item]).find(item)


def _documents(items: Sequence[NewsItem]) -> tuple[list[str], list[str], list[str]]:
    ids = [item.id for item in items]
    keys = [item.title_key for item in items]
    docs = [orjson.dumps(item.to_dict()).decode() for item in items]
    return ids, keys, docs


def add_items(conn: Connection, batch: Sequence[NewsItem]) -> AddResult:
    """Add what the library does not have, in one transaction under the batch's story locks."""
    if not batch:
        return AddResult(new=(), existing=())
    with conn.transaction():
        lock_stories(conn, batch)
        known = candidates(conn, batch)
        result = split_new(batch, known.find)
        if not result.new:
            return result
        rows = conn.execute(
            "INSERT INTO items (id, title_key, doc) "
            "SELECT * FROM unnest(%s::text[], %s::text[], %s::jsonb[]) "
            "ON CONFLICT (id) DO NOTHING RETURNING id",
            _documents(result.new),
        ).fetchall()
    inserted = {row[0] for row in rows}
    if len(inserted) == len(result.new):
        return result
    # under the locks every id is new; should one not be, it is reported as the library's
    return _regrouped(batch, result, inserted)


def _regrouped(batch: Sequence[NewsItem], result: AddResult, inserted: set[str]) -> AddResult:
    """``result`` with the new items whose id was not inserted moved to ``existing``,
    both still in the batch's order (``result.new`` is a subsequence of ``batch``)."""
    kept: set[int] = set()
    pending = iter(result.new)
    upcoming = next(pending, None)
    for position, item in enumerate(batch):
        if item is upcoming:
            if item.id in inserted:
                kept.add(position)
            upcoming = next(pending, None)
    new = tuple(batch[p] for p in sorted(kept))
    existing = tuple(item for p, item in enumerate(batch) if p not in kept)
    return AddResult(new=new, existing=existing)


def save_item(conn: Connection, item: NewsItem) -> None:
    """Insert ``item`` or replace the stored one with its id (the stories' locks held)."""
    ids, keys, docs = _documents([item])
    with conn.transaction():
        lock_stories(conn, [item])
        conn.execute(
            "INSERT INTO items (id, title_key, doc) VALUES (%s, %s, %s::jsonb) "
            "ON CONFLICT (id) DO UPDATE SET title_key = EXCLUDED.title_key, doc = EXCLUDED.doc",
            (ids[0], keys[0], docs[0]),
        )


def remove_items(conn: Connection, item_ids: Iterable[str]) -> list[str]:
    """Remove the items with these ids; the ids that were there, once each, in the given order."""
    wanted = list(dict.fromkeys(item_ids))
    if not wanted:
        return []
    rows = conn.execute(
        "DELETE FROM items WHERE id = ANY(%s::text[]) RETURNING id", (wanted,)
    ).fetchall()
    gone = {row[0] for row in rows}
    return [item_id for item_id in wanted if item_id in gone]
