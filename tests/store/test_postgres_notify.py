"""Live changes on PostgreSQL: one library's writes heard by another's listener, on a real server.

Two :class:`PostgresLibrary` objects on one test database stand for two officers'
windows. What one writes reaches the other's listener (``LISTEN/NOTIFY``, announced by
the schema's triggers in the writer's transaction) with its kind, digest and saver;
a library never hears its own changes; a rolled-back write is never announced; a send's
burst of entries comes as a few changes, the last never lost; a listener whose
connection is terminated connects again and hears later changes (and is told that it
may have missed some); stopping and closing leave no thread behind. The file store and
the memory library never call a listener back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from helpers.digest_samples import item
from helpers.library_backends import backend_for
from helpers.postgres_cluster import Cluster
from helpers.waiting import wait_for

from composer.repository import LibraryChange, saver_name
from store.postgres import PostgresLibrary
from store.postgres.notify import (
    MISSED,
    ChangeWatcher,
    SendLogThrottle,
    parse,
    with_origin,
)

pytestmark = pytest.mark.slow
TIMEOUT = 30


class Heard:
    """A listener that keeps what it is told (called on the library's listener thread)."""

    def __init__(self) -> None:
        self.changes: list[LibraryChange] = []
        self._lock = threading.Lock()

    def __call__(self, change: LibraryChange) -> None:
        with self._lock:
            self.changes.append(change)

    def of(self, kind: str, digest_id: str | None = None) -> list[LibraryChange]:
        with self._lock:
            return [
                c
                for c in self.changes
                if c.kind == kind and (digest_id is None or c.digest_id == digest_id)
            ]

    def wait(self, kind: str, digest_id: str | None = None, count: int = 1) -> LibraryChange:
        wait_for(lambda: len(self.of(kind, digest_id)) >= count, f"{count} {kind}", TIMEOUT)
        return self.of(kind, digest_id)[-1]


@pytest.fixture
def url(postgres_url: str) -> str:
    """A database of the test's own (``helpers.postgres_cluster``), dropped afterwards."""
    return postgres_url


@pytest.fixture
def libraries(url: str) -> Iterator[tuple[PostgresLibrary, PostgresLibrary]]:
    first, second = PostgresLibrary(url), PostgresLibrary(url)
    try:
        yield first, second
    finally:
        first.close()
        second.close()


def watching(library: PostgresLibrary) -> Heard:
    heard = Heard()
    library.watch(heard)
    watcher = library.watcher
    assert watcher is not None
    assert watcher.listening.wait(TIMEOUT), "the listener never started listening"
    return heard


def listener_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("newsdigest-listen")]


def test_a_change_through_one_library_reaches_the_others_listener(libraries) -> None:
    ann, ben = libraries
    heard = watching(ben)
    ann.add_items([item(1, "Project News"), item(2, "In Focus")])
    assert heard.wait("items").digest_id == ""
    ann.save_digest({"id": "d-1", "title": "January"})
    change = heard.wait("digest", "d-1")
    stored = ann.get_digest("d-1")
    assert stored is not None
    assert (change.by, change.at) == (saver_name(), stored["updated_at"])
    ann.update_settings({"theme": {"organisation": "Lakeside"}})
    heard.wait("settings")
    ann.record_send([{"digest_id": "d-1", "recipient": "ann@example.org", "state": "queued"}])
    heard.wait("send_log", "d-1")
    ann.remove_digest("d-1")
    assert heard.wait("digest", "d-1", count=2).by == ""  # a deletion names nobody


def test_a_library_never_hears_its_own_changes(libraries) -> None:
    ann, ben = libraries
    ann_heard, ben_heard = watching(ann), watching(ben)
    ann.add_items([item(1, "Project News")])
    ann.save_digest({"id": "d-ann", "title": "Ann's"})
    ann.record_send([{"digest_id": "d-ann", "recipient": "x@example.org", "state": "queued"}])
    ben.save_digest({"id": "d-ben", "title": "Ben's"})
    # notifications come in commit order: once Ann hears Ben's save, hers would have come first
    ann_heard.wait("digest", "d-ben")
    assert ann_heard.changes == ann_heard.of("digest", "d-ben")
    ben_heard.wait("digest", "d-ann")
    ben_heard.wait("items")
    assert ben_heard.of("digest", "d-ben") == []


def test_a_write_rolled_back_is_never_announced_and_a_hand_edit_is(libraries, url) -> None:
    ann, ben = libraries
    heard = watching(ben)
    with psycopg.connect(url) as conn:  # not autocommit: one transaction, rolled back
        conn.execute("INSERT INTO digests (id, doc) VALUES ('d-never', '{}'::jsonb)")
        conn.rollback()
        conn.execute("INSERT INTO digests (id, doc) VALUES ('d-psql', '{}'::jsonb)")
        conn.commit()
    heard.wait("digest", "d-psql")
    assert heard.of("digest", "d-never") == []
    # a refused save (a newer version stored) changes nothing, so announces nothing
    ann.save_digest({"id": "d-1", "title": "v1"})
    heard.wait("digest", "d-1")
    ben.save_digest({"id": "d-1", "title": "v2"}, expected_version=1)
    with pytest.raises(Exception, match="since you opened it"):
        ann.save_digest({"id": "d-1", "title": "mine"}, expected_version=1)
    ann.save_digest({"id": "d-2", "title": "after"})
    heard.wait("digest", "d-2")
    assert len(heard.of("digest", "d-1")) == 1


def test_an_import_of_many_items_is_one_change_and_a_duplicate_import_none(libraries) -> None:
    ann, ben = libraries
    heard = watching(ben)
    batch = [item(n, "Project News", date=f"2023-03-{n % 28 + 1:02d}") for n in range(300)]
    ann.add_items(batch)
    heard.wait("items")
    ann.add_items(batch)  # every story there already: nothing inserted
    ann.save_digest({"id": "d-after", "title": "after"})
    heard.wait("digest", "d-after")
    assert len(heard.of("items")) == 1


def test_a_sends_burst_of_entries_comes_as_few_changes_the_last_never_lost(libraries) -> None:
    ann, ben = libraries
    heard = watching(ben)
    recipients = [f"r{n}@example.org" for n in range(200)]
    ann.record_send([{"digest_id": "d-1", "recipient": r, "state": "queued"} for r in recipients])
    heard.wait("send_log", "d-1")
    for recipient in recipients:  # one statement each, as a send records
        ann.record_send([{"digest_id": "d-1", "recipient": recipient, "state": "sent"}])
    ann.save_digest({"id": "d-done", "title": "after the send"})
    heard.wait("digest", "d-done")
    before = len(heard.of("send_log", "d-1"))
    assert before < len(recipients)  # at most one a second, not one a statement
    # the last entries are told too, once their second is over (held back, never dropped)
    watcher = ben.watcher
    assert watcher is not None
    wait_for(lambda: not watcher._throttle.waiting, "the held-back send-log change", TIMEOUT)
    assert ben.send_states("d-1") == dict.fromkeys(recipients, "sent")


def test_the_throttle_lets_one_through_a_second_and_keeps_the_newest_held_back() -> None:
    now = [100.0]
    throttle = SendLogThrottle(every=1.0, clock=lambda: now[0])
    first, second, third = (LibraryChange("send_log", "d-1", at=str(n)) for n in range(3))
    assert throttle.offer(first)
    assert throttle.offer(LibraryChange("send_log", "d-2"))  # another digest: its own second
    assert not throttle.offer(second) and not throttle.offer(third)
    now[0] = 100.5
    assert throttle.due() == [] and throttle.waiting
    now[0] = 101.0
    assert throttle.due() == [third] and not throttle.waiting
    assert not throttle.offer(first)  # the held one counted as this second's
    now[0] = 102.5
    assert throttle.due() == [first]
    now[0] = 104.0
    assert throttle.offer(second) and throttle.due() == []


def test_a_dropped_listener_connects_again_and_hears_later_changes(
    libraries, postgres_cluster: Cluster
) -> None:
    ann, ben = libraries
    heard = watching(ben)
    watcher = ben.watcher
    assert watcher is not None and watcher.backend_pid is not None
    dropped = watcher.backend_pid
    with postgres_cluster.admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    wait_for(lambda: watcher.reconnections == 1, "the listener to connect again", TIMEOUT)
    assert watcher.listening.wait(TIMEOUT) and watcher.backend_pid != dropped
    # what it may have missed: the items, any digest, the settings are to be read again
    wait_for(lambda: all(c in heard.changes for c in MISSED), "the missed changes", TIMEOUT)
    ann.save_digest({"id": "d-later", "title": "after the drop"})
    assert heard.wait("digest", "d-later").by == saver_name()


def test_stopping_the_last_listener_or_closing_leaves_no_thread(url: str) -> None:
    library = PostgresLibrary(url)
    try:
        first, second = Heard(), Heard()
        stop_first, stop_second = library.watch(first), library.watch(second)
        watcher = library.watcher
        assert watcher is not None and watcher.listening.wait(TIMEOUT)
        assert len(listener_threads()) == 1  # one thread for the library, however many listen
        stop_first()
        stop_first()  # twice is fine
        assert watcher.running
        stop_second()
        assert not watcher.running and listener_threads() == []
        library.watch(Heard())  # a new listener: a new thread
        assert library.watcher is not watcher and len(listener_threads()) == 1
    finally:
        library.close()
    assert listener_threads() == []
    library.close()  # twice is fine


def test_a_listener_that_fails_stops_neither_the_others_nor_the_listening(libraries) -> None:
    ann, ben = libraries

    def broken(change: LibraryChange) -> None:
        raise RuntimeError("a listener's bug")

    ben.watch(broken)
    heard = watching(ben)
    ann.save_digest({"id": "d-1", "title": "one"})
    heard.wait("digest", "d-1")
    ann.save_digest({"id": "d-2", "title": "two"})
    heard.wait("digest", "d-2")


def test_a_listener_that_cannot_connect_tries_again_until_stopped(libraries) -> None:
    ann, _ = libraries
    target = with_origin(ann._target, "x")
    away = type(target)(
        url="postgresql://nobody@127.0.0.1:1/none?connect_timeout=1",
        location="postgresql://nobody@127.0.0.1:1/none",
        kwargs={"autocommit": True},
        account="",
    )
    watcher = ChangeWatcher(away, "x")
    watcher.add(Heard())
    assert watcher.running and not watcher.listening.is_set()
    watcher.close()
    assert not watcher.running


def test_payloads_that_are_not_ours_are_ignored() -> None:
    assert parse("not json") is None
    assert parse('{"kind": "nonsense"}') is None
    assert parse("[1, 2]") is None
    found = parse('{"kind": "digest", "digest_id": "d", "by": 3, "origin": "o"}')
    assert found is not None
    assert found.change == LibraryChange("digest", "d", "", "") and found.origin == "o"


@pytest.mark.parametrize("name", ["tinydb", "memory"])
def test_a_store_one_process_writes_returns_a_stop_and_never_calls_back(
    name: str, tmp_path: Path
) -> None:
    for backend in backend_for(name, tmp_path):
        library = backend.open()
        heard = Heard()
        stop = library.watch(heard)
        assert callable(stop)
        library.add_items([item(1, "Project News")])
        library.save_digest({"id": "d-1", "title": "one"})
        stop()
        stop()
        assert heard.changes == []
