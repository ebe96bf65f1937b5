"""What a :class:`composer.repository.Library` must do, whatever keeps it.

Every test runs on every backend of :mod:`helpers.library_backends` (the TinyDB file,
the in-memory library; PostgreSQL joins as one more row there): adding with duplicates,
in the library and within one batch, by the core's rule
(:mod:`composer.library.rules`); the canonical order; saving, replacing and removing
items; digests and settings; persistence across a reopen; read-only opens; and the
concurrency rules (one writer per library; one sender per digest on the file and in
memory, senders sharing a digest's list on PostgreSQL, each recipient claimed; send logs
recorded from several threads). The send log's own contract (merging, copies, compaction, a
worker recording while another reads) is the first part of
``tests/store/test_store_send_log.py``, which runs on the same backends. What only
the TinyDB store does (durable single writes, migrations, the file format, damage)
stays in ``tests/store/test_store.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.library_backends import BACKENDS, Backend, PostgresBackend, backend_for

from composer.digest.editing import duplicate_digest
from composer.digest.listing import load_digest, saved_digests
from composer.digest.model import Digest, make_digest
from composer.errors import DigestConflictError, LibraryError, LibraryLockedError, SendLockedError
from composer.library.item import NewsItem, make_item
from composer.library.rules import item_sort_key
from composer.repository import DIGEST_STAMP, Holder, JSONDict, Library, SendSession, saver_name

DAY = dt.date(2023, 1, 10)
DIGEST = "month-2023-01"


def item(n: int, **extra: object) -> NewsItem:
    fields: dict[str, object] = {
        "title": f"Story number {n}",
        "date": dt.date(2023, 1, 1) + dt.timedelta(days=n % 300),
        "category": ("Project News", "In Focus", "Press Release")[n % 3],
        "summary": f"Summary of story {n}.",
        "url": f"https://example.org/news/{n}",
        "tags": ["one", "two"],
    }
    fields.update(extra)
    return make_item(fields)


def story(title: str, date: dt.date = DAY, url: str | None = None, **extra: object) -> NewsItem:
    return make_item({"title": title, "date": date, "category": "In Focus", "url": url, **extra})


def ids(items: tuple[NewsItem, ...] | list[NewsItem]) -> list[str]:
    return [i.id for i in items]


def content(digest: JSONDict | None) -> JSONDict | None:
    """A stored digest without the stamp the store adds (:data:`DIGEST_STAMP`)."""
    if digest is None:
        return None
    return {key: value for key, value in digest.items() if key not in DIGEST_STAMP}


def everything(library: Library) -> tuple[object, ...]:
    """All a library holds, to compare before and after something that must change nothing."""
    digests = sorted(library.digests(), key=lambda d: str(d["id"]))
    return library.items(), digests, library.settings(), library.send_log(DIGEST)


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from backend_for(request.param, tmp_path)


@pytest.fixture
def library(backend: Backend) -> Library:
    """The backend's library, open for writing."""
    return backend.open()


# -- adding, and duplicates ---------------------------------------------------------------------
def test_a_new_library_is_empty_and_writable(library: Library) -> None:
    assert library.items() == [] and library.digests() == [] and library.settings() == {}
    assert library.send_log(DIGEST) == [] and library.send_states(DIGEST) == {}
    assert not library.read_only and library.location
    assert library.get_item(item(1).id) is None and library.find_existing(item(1)) is None


def test_added_items_come_back_as_they_were_given(library: Library) -> None:
    batch = [item(n) for n in range(5)]
    result = library.add_items(batch)
    assert result.new == tuple(batch) and result.existing == ()
    for given in batch:
        assert library.get_item(given.id) == given
        assert library.find_existing(given) == given


def test_adding_again_adds_nothing_and_names_the_items_as_given(library: Library) -> None:
    first = item(1)
    library.add_items([first, item(2)])
    again = first.edited(summary="Read again, with another summary.")
    result = library.add_items([again, item(3)])
    assert result.new == (item(3),) and result.existing == (again,)
    assert result.existing[0] is again  # the item given, not the stored one it duplicates
    assert library.get_item(first.id) == first  # adding never replaces what is stored
    assert len(library.items()) == 3


def test_the_same_story_under_another_id_is_recognised_by_title_and_date(
    library: Library,
) -> None:
    with_url = item(1)
    without_url = make_item(
        {"title": "  STORY number 1 ", "date": with_url.date, "category": "Project News"}
    )
    assert with_url.id != without_url.id
    library.add_items([with_url])
    assert library.add_items([without_url]).existing == (without_url,)
    assert library.find_existing(without_url) == with_url


def test_one_title_on_one_day_from_two_pages_is_two_stories(library: Library) -> None:
    first = story("Budget approved", url="https://example.org/a")
    second = story("Budget approved", url="https://example.org/b")
    assert library.add_items([first]).new == (first,)
    assert library.find_existing(second) is None
    assert library.add_items([second]).new == (second,)
    assert library.find_existing(story("Budget approved")) in (first, second)  # no link
    assert library.find_existing(story("Budget approved", date=DAY + dt.timedelta(days=1))) is None


def test_duplicates_within_one_batch_are_added_once(backend: Backend, library: Library) -> None:
    page = story("Harbour reopens", url="https://example.org/harbour")
    retitled = story("The harbour reopens today", url="https://example.org/harbour")  # same id
    pasted = story("HARBOUR  reopens")  # same title and day, no link
    other_page = story("Harbour reopens", url="https://example.org/other")
    assert retitled.id == page.id and pasted.id != page.id
    result = library.add_items([page, retitled, pasted, other_page])
    assert result.new == (page, other_page)
    assert result.existing == (retitled, pasted)
    assert sorted(ids(library.items())) == sorted([page.id, other_page.id])
    assert library.get_item(page.id) == page  # the first of the batch is the one kept
    library = backend.reopen(library)
    assert library.items() == sorted([page, other_page], key=item_sort_key)


def test_an_empty_batch_adds_nothing(library: Library) -> None:
    result = library.add_items([])
    assert result.new == () and result.existing == () and library.items() == []
    result = library.add_items(iter([item(1)]))  # any iterable, read once
    assert result.new == (item(1),)


# -- the order ----------------------------------------------------------------------------------
def test_items_are_newest_first_then_by_title_ignoring_case_then_by_id(library: Library) -> None:
    older = story("Zebra crossing", date=DAY - dt.timedelta(days=1))
    newest = story("Annual report", date=DAY + dt.timedelta(days=1))
    lower = story("banana harvest")
    upper = story("Apple harvest")
    twin_a = story("Cherry harvest", url="https://example.org/cherry-1")
    twin_b = story("Cherry harvest", url="https://example.org/cherry-2")
    first_twin, second_twin = sorted([twin_a, twin_b], key=lambda i: i.id)
    library.add_items([older, twin_b, lower, newest, twin_a, upper])
    assert library.items() == [newest, upper, lower, first_twin, second_twin, older]


def test_the_order_follows_every_change(library: Library) -> None:
    a, b, c = story("Alpha"), story("Beta"), story("Gamma")
    library.add_items([c, a])
    assert library.items() == [a, c]
    library.add_items([b])
    assert library.items() == [a, b, c]
    renamed = a.edited(title="Omega")
    library.save_item(renamed)
    assert library.items() == [b, c, renamed]
    moved = c.edited(date=DAY + dt.timedelta(days=3))
    library.save_item(moved)
    assert library.items() == [moved, b, renamed]
    library.remove_items([b.id])
    assert library.items() == [moved, renamed]


def test_items_is_a_snapshot_the_caller_may_keep_or_change(library: Library) -> None:
    library.add_items([item(1), item(2)])
    kept = library.items()
    kept.clear()
    assert len(library.items()) == 2
    before = library.items()
    library.add_items([item(3)])
    library.remove_items([item(1).id])
    assert ids(before) == ids([item(2), item(1)])


# -- saving and removing ------------------------------------------------------------------------
def test_save_item_inserts_a_new_item_and_replaces_one_with_its_id(library: Library) -> None:
    first = item(1)
    library.save_item(first)
    assert library.items() == [first]
    edited = first.edited(title="A new title", summary="Changed.")
    library.save_item(edited)
    assert library.items() == [edited] and library.get_item(first.id) == edited


def test_duplicate_lookups_follow_an_edited_title(library: Library) -> None:
    original = item(1)
    library.add_items([original])
    edited = original.edited(title="A headline written again")
    library.save_item(edited)
    by_old_title = make_item({"title": original.title, "date": original.date, "category": "x"})
    by_new_title = make_item({"title": edited.title, "date": original.date, "category": "x"})
    assert library.find_existing(by_old_title) is None
    assert library.find_existing(by_new_title) == edited
    assert library.add_items([by_old_title]).new == (by_old_title,)


def test_edit_and_remove_persist(backend: Backend, library: Library) -> None:
    library.add_items([item(1), item(2), item(3)])
    edited = library.items()[0].edited(title="A new title")
    library.save_item(edited)
    assert library.remove_items([item(2).id, "u-0000000000000000"]) == [item(2).id]
    library = backend.reopen(library)
    assert library.get_item(edited.id) == edited
    assert library.get_item(item(2).id) is None
    assert len(library.items()) == 2


def test_remove_items_returns_the_ids_that_were_there_once_each_in_order(
    library: Library,
) -> None:
    library.add_items([item(n) for n in range(4)])
    gone = library.remove_items([item(3).id, "t-0000000000000000", item(1).id, item(3).id])
    assert gone == [item(3).id, item(1).id]
    assert sorted(ids(library.items())) == sorted([item(0).id, item(2).id])
    assert library.find_existing(item(1)) is None and library.get_item(item(3).id) is None
    assert library.remove_items([]) == [] and library.remove_items([item(1).id]) == []
    assert library.add_items([item(1)]).new == (item(1),)  # removed: it can come back


def test_items_survive_reopening_with_every_field(backend: Backend, library: Library) -> None:
    original = [item(n) for n in range(5)]
    library.add_items(original)
    library = backend.reopen(library)
    assert sorted(library.items(), key=lambda i: i.id) == sorted(original, key=lambda i: i.id)
    assert library.items()[0].date >= library.items()[-1].date
    assert library.find_existing(original[0].edited(url=None)) == original[0]


# -- digests ------------------------------------------------------------------------------------
def test_digests_are_inserted_replaced_and_removed(backend: Backend, library: Library) -> None:
    library.save_digest({"id": "d1", "title": "January", "extra": 1})
    library.save_digest({"id": "d2", "title": "February"})
    library.save_digest({"id": "d1", "title": "January (final)"})
    with pytest.raises(LibraryError):
        library.save_digest({"title": "no id"})
    library = backend.reopen(library)
    assert content(library.get_digest("d1")) == {"id": "d1", "title": "January (final)"}
    assert sorted(d["id"] for d in library.digests()) == ["d1", "d2"]
    assert library.remove_digest("d2") and not library.remove_digest("d2")
    assert library.get_digest("d2") is None


@pytest.mark.parametrize("digest_id", [None, "", 7])
def test_a_digest_without_a_usable_id_is_refused_and_nothing_is_stored(
    library: Library, digest_id: object
) -> None:
    with pytest.raises(LibraryError, match="needs an id"):
        library.save_digest({"id": digest_id, "title": "x"})
    assert library.digests() == []


def test_digests_are_copies_both_ways(library: Library) -> None:
    given: JSONDict = {"id": "d1", "sections": [{"category": "In Focus", "items": ["a"]}]}
    library.save_digest(given)
    given["sections"][0]["items"].append("changed by the caller")
    read = library.get_digest("d1")
    assert read is not None
    read["sections"].clear()
    listed = library.digests()
    listed[0]["sections"].clear()
    expected = {"id": "d1", "sections": [{"category": "In Focus", "items": ["a"]}]}
    assert content(library.get_digest("d1")) == expected
    assert [content(d) for d in library.digests()] == [expected]


def test_a_digest_that_is_not_json_is_refused_and_the_stored_one_kept(library: Library) -> None:
    library.save_digest({"id": "d1", "title": "January"})
    with pytest.raises(LibraryError):
        library.save_digest({"id": "d1", "title": "January", "when": object()})
    with pytest.raises(LibraryError):
        library.save_digest({"id": "d2", "when": object()})
    assert [content(d) for d in library.digests()] == [{"id": "d1", "title": "January"}]


# -- settings -----------------------------------------------------------------------------------
def test_settings_merge_and_persist(backend: Backend, library: Library) -> None:
    assert library.settings() == {}
    library.update_settings({"organisation": "Northwind", "locale": "en"})
    library.update_settings({"locale": "fr"})
    library = backend.reopen(library)
    assert library.settings() == {"organisation": "Northwind", "locale": "fr"}


def test_settings_are_copies_and_a_value_that_is_not_json_changes_nothing(
    library: Library,
) -> None:
    given: JSONDict = {"theme": {"name": "classic", "colours": ["#123456"]}}
    library.update_settings(given)
    given["theme"]["colours"].append("#ffffff")
    library.settings()["theme"]["colours"].clear()
    with pytest.raises(LibraryError):
        library.update_settings({"locale": "fr", "when": object()})
    assert library.settings() == {"theme": {"name": "classic", "colours": ["#123456"]}}


# -- read-only opens ----------------------------------------------------------------------------
def fill(library: Library) -> None:
    library.add_items([item(1), item(2)])
    library.save_digest({"id": "d1", "title": "January"})
    library.update_settings({"locale": "fr"})
    library.record_send([{"digest_id": DIGEST, "recipient": "a@x.org", "state": "sent"}])


CHANGES: dict[str, Callable[[Library], Any]] = {
    "add_items": lambda lib: lib.add_items([item(3)]),
    "add_items (nothing new)": lambda lib: lib.add_items([item(1)]),
    "save_item": lambda lib: lib.save_item(item(1).edited(title="Changed")),
    "remove_items": lambda lib: lib.remove_items([item(1).id]),
    "save_digest": lambda lib: lib.save_digest({"id": "d2", "title": "February"}),
    "replace a digest": lambda lib: lib.save_digest({"id": "d1", "title": "Changed"}),
    "remove_digest": lambda lib: lib.remove_digest("d1"),
    "update_settings": lambda lib: lib.update_settings({"locale": "de"}),
    "record_send": lambda lib: lib.record_send(
        [{"digest_id": DIGEST, "recipient": "a@x.org", "state": "queued"}]
    ),
    "compact_send_log": lambda lib: lib.compact_send_log(DIGEST),
    "send_lock": lambda lib: lib.send_lock(DIGEST, Holder(role="command", command="x")),
}


def test_a_read_only_open_reads_everything_and_refuses_every_change(
    backend: Backend, library: Library
) -> None:
    fill(library)
    expected = everything(library)
    reader = backend.reopen(library, read_only=True)
    assert reader.read_only and everything(reader) == expected
    assert reader.send_states(DIGEST) == {"a@x.org": "sent"}
    for name, change in CHANGES.items():
        with pytest.raises(LibraryError, match="read-only"):
            change(reader)
        assert everything(reader) == expected, f"a refused {name} changed the library"
    reader.close()
    assert everything(backend.open()) == expected


# -- concurrency --------------------------------------------------------------------------------
def test_one_writer_at_a_time_and_readers_alongside(backend: Backend) -> None:
    if not backend.one_writer:
        pytest.skip(f"{backend.name} lets several writers in")
    holder = Holder(role="command", command="newsdigest import")
    writer = backend.open(holder=holder)
    writer.add_items([item(1)])
    with pytest.raises(LibraryLockedError) as refused:
        backend.open(holder=Holder(role="window"))
    message = str(refused.value)
    assert writer.location in message and holder.describe() in message
    reader = backend.open(read_only=True)
    assert ids(reader.items()) == [item(1).id]
    reader.close()
    writer.close()
    again = backend.open(holder=Holder(role="window"))  # free once the writer closed
    assert ids(again.items()) == [item(1).id]


def test_read_only_open_works_while_a_writer_holds_the_lock(backend: Backend) -> None:
    writer = backend.open()
    writer.add_items([item(1)])
    reader = backend.open(read_only=True)
    assert [i.id for i in reader.items()] == [item(1).id]
    reader.close()


#: The backends whose senders of one digest share its list (the others refuse a second).
SHARED_SENDS = {"postgres"}


def test_a_second_sender_is_refused_or_joins_as_the_store_says_and_goes_with_an_error(
    backend: Backend, library: Library
) -> None:
    """File and memory: a second sender is refused, naming the first. PostgreSQL: it joins
    (``joined``), and a third that comes after the first two left is alone again."""
    first = Holder(role="window")
    outcome: list[SendSession | BaseException] = []

    def second_sender() -> None:
        try:
            with library.send_lock(DIGEST, Holder("command", "newsdigest send")) as session:
                session.ready()
                outcome.append(session)
        except BaseException as exc:  # reported by the main thread
            outcome.append(exc)

    with library.send_lock(DIGEST, first) as session:
        assert session.joined is False
        session.ready()
        session.ready()  # twice is fine
        thread = threading.Thread(target=second_sender)
        thread.start()
        thread.join()
    (second,) = outcome
    if backend.name in SHARED_SENDS:
        assert isinstance(second, SendSession) and second.joined is True
    else:
        assert isinstance(second, SendLockedError) and first.describe() in str(second)
    with pytest.raises(RuntimeError), library.send_lock(DIGEST, first):
        raise RuntimeError("the send stopped")
    with library.send_lock(DIGEST, Holder(role="window")) as third:
        assert third.joined is False  # released however the send ended: alone again


def test_who_sends_a_digest_now_is_read_without_taking_anything(library: Library) -> None:
    assert library.senders(DIGEST) == []  # nobody, and nothing made to say so
    first = Holder(role="command", command="newsdigest send")
    with library.send_lock(DIGEST, first) as session:
        session.ready()
        assert [h.describe() for h in library.senders(DIGEST)] == [first.describe()]
        assert library.senders("another-digest") == []
    assert library.senders(DIGEST) == []  # gone with the run


def test_a_claim_of_a_queued_recipient_is_the_runs(library: Library) -> None:
    library.record_send([{"digest_id": DIGEST, "recipient": "a@x.org", "state": "queued"}])
    with library.send_lock(DIGEST, Holder("command", "newsdigest send")) as session:
        session.ready()
        assert library.claim_send(
            {"digest_id": DIGEST, "recipient": "a@x.org", "state": "sending", "claimed_by": "x"}
        )


def test_recording_only_the_new_keeps_every_existing_entry_as_it_was(library: Library) -> None:
    library.record_send(
        [
            {"digest_id": DIGEST, "recipient": "a@x.org", "state": "sent", "code": 250},
            {"digest_id": DIGEST, "recipient": "b@x.org", "state": "sending", "attempts": 1},
        ]
    )
    before = {str(e["recipient"]): e for e in library.send_log(DIGEST)}
    library.record_send(
        [
            {"digest_id": DIGEST, "recipient": "a@x.org", "state": "queued", "attempts": 0},
            {"digest_id": DIGEST, "recipient": "b@x.org", "state": "queued", "attempts": 0},
            {"digest_id": DIGEST, "recipient": "c@x.org", "state": "queued", "attempts": 0},
        ],
        only_new=True,
    )
    after = {str(e["recipient"]): e for e in library.send_log(DIGEST)}
    assert after["a@x.org"] == before["a@x.org"] and after["b@x.org"] == before["b@x.org"]
    assert after["c@x.org"]["state"] == "queued"
    assert library.send_states(DIGEST) == {
        "a@x.org": "sent",
        "b@x.org": "sending",
        "c@x.org": "queued",
    }


@pytest.fixture
def shared_backend(tmp_path: Path) -> Iterator[Backend]:
    """The backends whose senders share a list (claims can be refused there)."""
    yield from backend_for("postgres", tmp_path)


def test_a_claim_is_refused_when_taken_dealt_with_or_being_taken_by_another(
    shared_backend: Backend,
) -> None:
    import psycopg

    library = shared_backend.open()
    queued = [
        {"digest_id": DIGEST, "recipient": f"{name}@x.org", "state": "queued"}
        for name in ("a", "b", "c")
    ]
    library.record_send([*queued, {"digest_id": DIGEST, "recipient": "s@x.org", "state": "sent"}])

    def claim(name: str) -> bool:
        return library.claim_send(
            {"digest_id": DIGEST, "recipient": f"{name}@x.org", "state": "sending"}
        )

    assert claim("a") and not claim("a")  # a second claim: the first run has them
    assert not claim("s")  # sent already
    assert not claim("nobody")  # not in the log at all
    assert isinstance(shared_backend, PostgresBackend)
    # another sender, in the middle of its claim of b
    with psycopg.connect(shared_backend.url) as other, other.transaction():
        other.execute(
            "SELECT 1 FROM send_log WHERE digest_id = %s AND recipient = %s FOR UPDATE",
            (DIGEST, "b@x.org"),
        )
        assert not claim("b")  # skipped at once, not waited for
        assert claim("c")
    assert claim("b")  # free again once the other let go
    assert library.send_states(DIGEST) == {
        "a@x.org": "sending",
        "b@x.org": "sending",
        "c@x.org": "sending",
        "s@x.org": "sent",
    }


def test_send_logs_recorded_from_several_threads_at_once_lose_nothing(library: Library) -> None:
    per_thread, threads = 60, 4
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def record(t: int) -> None:
        try:
            start.wait()
            for n in range(per_thread):
                digest = DIGEST if n % 2 else "other"
                library.record_send([{"digest_id": digest, "recipient": f"r{t}-{n}@x.org"}])
                library.record_send(
                    [{"digest_id": digest, "recipient": f"r{t}-{n}@x.org", "state": "sent"}]
                )
                library.send_log(digest)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    workers = [threading.Thread(target=record, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    expected = {
        digest: {
            f"r{t}-{n}@x.org": "sent"
            for t in range(threads)
            for n in range(per_thread)
            if (n % 2 == 1) == (digest == DIGEST)
        }
        for digest in (DIGEST, "other")
    }
    for digest, states in expected.items():
        assert library.send_states(digest) == states
        assert {str(e["recipient"]): e["state"] for e in library.send_log(digest)} == states


def test_a_send_log_entry_that_is_not_json_is_refused_with_its_whole_call(
    library: Library,
) -> None:
    library.record_send([{"digest_id": DIGEST, "recipient": "a@x.org", "state": "queued"}])
    with pytest.raises(LibraryError, match="cannot be stored"):
        library.record_send(
            [
                {"digest_id": DIGEST, "recipient": "a@x.org", "state": "sent"},
                {"digest_id": DIGEST, "recipient": "b@x.org", "when": object()},
            ]
        )
    assert library.send_states(DIGEST) == {"a@x.org": "queued"}


def test_send_log_ids_name_every_digest_with_a_log_sorted_by_its_own_id(
    backend: Backend, library: Library
) -> None:
    assert library.send_log_ids() == []
    ids_given = ["zeta", DIGEST, "d/1 été", "d_1"]  # "d/1 été" is stored under a safe name
    for n, digest in enumerate(ids_given):
        library.record_send([{"digest_id": digest, "recipient": f"r{n}@x.org", "state": "sent"}])
    library.compact_send_log(DIGEST)  # a summary and journals alike
    assert library.send_log_ids() == sorted(ids_given)
    library.send_log("never-sent")  # reading a digest's log creates none
    reader = backend.reopen(library, read_only=True)
    assert reader.send_log_ids() == sorted(ids_given)


# -- digest versions: a save over a newer one is refused ----------------------------------------
def test_a_saved_digest_carries_a_version_the_store_increments_and_who_saved_it_when(
    backend: Backend, library: Library
) -> None:
    assert library.save_digest({"id": "d1", "title": "January"}) == 1
    first = library.get_digest("d1")
    assert first is not None and first["version"] == 1 and first["updated_by"] == saver_name()
    saved_at = dt.datetime.fromisoformat(first["updated_at"])
    assert saved_at.utcoffset() == dt.timedelta(0)
    # the stamp a caller sends along is the store's to set, not the caller's
    stale = {"id": "d1", "title": "January (final)", "version": 99, "updated_by": "someone"}
    assert library.save_digest(stale) == 2
    library = backend.reopen(library)
    stored = library.get_digest("d1")
    assert stored is not None and stored["version"] == 2 and stored["updated_by"] == saver_name()
    assert content(stored) == {"id": "d1", "title": "January (final)"}
    assert library.digests() == [stored]


def test_a_save_based_on_an_older_version_is_refused_naming_who_saved_the_newer_one(
    library: Library,
) -> None:
    library.save_digest({"id": "d1", "title": "January"})
    assert library.save_digest({"id": "d1", "title": "Mine"}, expected_version=1) == 2
    theirs = library.get_digest("d1")
    with pytest.raises(DigestConflictError) as refused:
        library.save_digest({"id": "d1", "title": "Yours, from version 1"}, expected_version=1)
    assert library.get_digest("d1") == theirs  # kept as it was
    error = refused.value
    assert isinstance(error, LibraryError) and error.digest_id == "d1"
    assert (error.version, error.expected) == (2, 1)
    assert error.updated_by == saver_name() and error.updated_at == theirs["updated_at"]
    assert re.fullmatch(
        f"the digest \u201cMine\u201d was changed by {re.escape(saver_name())}"
        r"( on \d{4}-\d\d-\d\d)? at \d\d:\d\d since you opened it; .*",
        str(error),
    ), str(error)
    # based on the version it has now, the save lands
    assert library.save_digest({"id": "d1", "title": "Reloaded"}, expected_version=2) == 3


def test_a_save_without_an_expected_version_replaces_whatever_is_stored(library: Library) -> None:
    library.save_digest({"id": "d1", "title": "January"})
    library.save_digest({"id": "d1", "title": "Again"}, expected_version=1)
    assert library.save_digest({"id": "d1", "title": "Imported"}) == 3
    assert content(library.get_digest("d1")) == {"id": "d1", "title": "Imported"}


def test_a_new_digest_is_refused_when_one_of_its_id_was_saved_meanwhile(library: Library) -> None:
    assert library.save_digest({"id": "d1", "title": "First"}, expected_version=0) == 1
    with pytest.raises(DigestConflictError, match="First"):
        library.save_digest({"id": "d1", "title": "Second"}, expected_version=0)
    assert content(library.get_digest("d1")) == {"id": "d1", "title": "First"}


def test_a_digest_removed_since_it_was_opened_is_saved_again(library: Library) -> None:
    library.save_digest({"id": "d1", "title": "January"})
    library.save_digest({"id": "d1", "title": "January"}, expected_version=1)
    assert library.remove_digest("d1")
    assert library.save_digest({"id": "d1", "title": "Still mine"}, expected_version=2) == 1


def test_two_opens_over_time_conflict_as_two_windows_at_once_would(backend: Backend) -> None:
    """A window opened the digest; another open saved it since; the first one's save is refused."""
    first = backend.open()
    first.save_digest(make_digest(digest_id="d1", title="January").to_dict())
    loaded = load_digest(first, "d1")
    assert loaded is not None and loaded.version == 1
    first.close()
    second = backend.open()
    other = load_digest(second, "d1")
    assert other is not None
    second.save_digest(other.touched().to_dict() | {"intro": "Theirs"}, other.version)
    second.close()
    first = backend.open()
    mine = loaded.touched().to_dict() | {"intro": "Mine"}
    with pytest.raises(DigestConflictError, match="January"):
        first.save_digest(mine, loaded.version)
    assert first.get_digest("d1")["intro"] == "Theirs"  # type: ignore[index]
    # nothing is lost: "keep mine" saves it as a new digest
    copy = duplicate_digest(Digest.from_dict(mine), "January (my copy)")
    assert first.save_digest(copy.to_dict(), expected_version=0) == 1
    assert load_digest(first, copy.id) == copy


def test_a_loaded_digest_keeps_its_version_and_the_listing_says_who_saved_it(
    library: Library,
) -> None:
    digest = make_digest(digest_id="d1", title="January").touched("2023-02-01T09:00:00+00:00")
    assert digest.version == 0 and digest.to_dict()["version"] == 0
    library.save_digest(digest.to_dict(), expected_version=digest.version)
    loaded = load_digest(library, "d1")
    assert loaded is not None and loaded.version == 1 and loaded == digest
    assert Digest.from_dict(loaded.to_dict()).version == 1
    (summary,) = saved_digests(library)
    stored = library.get_digest("d1")
    assert stored is not None
    assert (summary.changed_by, summary.changed_at, summary.version) == (
        saver_name(),
        stored["updated_at"],
        1,
    )
    assert summary.changed_label.startswith(f"{saver_name()}, 20")


def test_a_read_only_open_refuses_a_versioned_save(backend: Backend, library: Library) -> None:
    library.save_digest({"id": "d1", "title": "January"})
    reader = backend.reopen(library, read_only=True)
    with pytest.raises(LibraryError, match="read-only"):
        reader.save_digest({"id": "d1", "title": "Changed"}, expected_version=1)
    assert content(reader.get_digest("d1")) == {"id": "d1", "title": "January"}


# -- a save that keeps who saved the digest (library copy) --------------------------------------
THEIR_STAMP = {
    "version": 7,
    "updated_at": "2026-11-02T09:15:00+00:00",
    "updated_by": "ann@office-2",
}


def _recent(stamp: object) -> bool:
    when = dt.datetime.fromisoformat(str(stamp))
    return abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=5)


def test_a_save_keeping_the_saver_keeps_who_and_when_and_counts_its_own_version(
    backend: Backend, library: Library
) -> None:
    given = {"id": "d1", "title": "January", **THEIR_STAMP}
    assert library.save_digest(given, keep_saver=True) == 1  # this library's first save of it
    stored = library.get_digest("d1")
    assert stored is not None and content(stored) == {"id": "d1", "title": "January"}
    assert (stored["version"], stored["updated_by"], stored["updated_at"]) == (
        1,
        "ann@office-2",
        "2026-11-02T09:15:00+00:00",
    )
    assert [(d["updated_by"], d["updated_at"]) for d in library.digests()] == [
        ("ann@office-2", "2026-11-02T09:15:00+00:00")
    ]
    library = backend.reopen(library)
    again = library.get_digest("d1")
    assert again is not None and again["updated_by"] == "ann@office-2"
    assert again["updated_at"] == "2026-11-02T09:15:00+00:00"
    # a save of this library's own (an edit) is stamped as always: its saver, now
    assert library.save_digest({**again, "title": "January (final)"}, expected_version=1) == 2
    edited = library.get_digest("d1")
    assert edited is not None and edited["updated_by"] == saver_name()
    assert _recent(edited["updated_at"]) and edited["version"] == 2


def test_a_save_without_keep_saver_ignores_the_stamp_it_is_given(library: Library) -> None:
    library.save_digest({"id": "d1", "title": "January", **THEIR_STAMP})
    stored = library.get_digest("d1")
    assert stored is not None and stored["version"] == 1
    assert stored["updated_by"] == saver_name() and _recent(stored["updated_at"])


def test_keeping_the_saver_of_a_digest_without_one_stamps_this_save(library: Library) -> None:
    library.save_digest({"id": "old", "title": "Saved before stamps"}, keep_saver=True)
    library.save_digest(
        {"id": "odd", "title": "Unreadable time", "updated_at": "last Tuesday", "updated_by": ""},
        keep_saver=True,
    )
    for digest_id in ("old", "odd"):
        stored = library.get_digest(digest_id)
        assert stored is not None and stored["updated_by"] == saver_name()
        assert _recent(stored["updated_at"]) and stored["version"] == 1


def test_a_kept_time_is_stored_as_utc_to_the_second_on_every_backend(library: Library) -> None:
    library.save_digest(
        {"id": "d1", "updated_at": "2026-11-02T11:15:42.731+02:00", "updated_by": "bob@office-9"},
        keep_saver=True,
    )
    library.save_digest({"id": "d2", "updated_at": "2026-11-02T09:15:00"}, keep_saver=True)
    one, two = library.get_digest("d1"), library.get_digest("d2")
    assert one is not None and two is not None
    assert (one["updated_by"], one["updated_at"]) == ("bob@office-9", "2026-11-02T09:15:42+00:00")
    assert two["updated_at"] == "2026-11-02T09:15:00+00:00"  # no offset: read as UTC
    assert two["updated_by"] == saver_name()


def test_replacing_a_digest_keeping_the_saver_moves_its_version_on(library: Library) -> None:
    library.save_digest({"id": "d1", "title": "Mine"})
    assert library.save_digest({"id": "d1", "title": "Theirs", **THEIR_STAMP}, keep_saver=True) == 2
    stored = library.get_digest("d1")
    assert stored is not None and content(stored) == {"id": "d1", "title": "Theirs"}
    assert (stored["version"], stored["updated_by"]) == (2, "ann@office-2")


def test_a_read_only_open_refuses_a_save_keeping_the_saver(
    backend: Backend, library: Library
) -> None:
    library.save_digest({"id": "d1", "title": "January"})
    reader = backend.reopen(library, read_only=True)
    with pytest.raises(LibraryError, match="read-only"):
        reader.save_digest({"id": "d2", **THEIR_STAMP}, keep_saver=True)
    assert [d["id"] for d in reader.digests()] == ["d1"]
