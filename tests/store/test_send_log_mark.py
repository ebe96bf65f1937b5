"""The send log's mark (:meth:`composer.repository.Library.send_log_mark`), on every backend.

A run takes the mark before it reads the log for its plan and again under the send lock,
and plans again only if the two differ: so the mark must change with every change to the
digest's log (an entry recorded, a state changed, a recipient claimed) and stay equal
when nothing was written to it (reads, a claim refused, only-new entries all known,
another digest's log). On PostgreSQL it is a counter a trigger bumps in the writer's
transaction (schema 4): two senders claiming one list at once never lose a bump (each
claim that took a recipient moves it on by one), a mark equal in two reads means the log
read between them is the log at that mark, and a database made before schema 4 gets one
when it is upgraded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.library_backends import BACKENDS, Backend, PostgresBackend, backend_for

from composer.repository import Holder, JSONDict, Library

DIGEST = "month-2023-01"
OTHER = "month-2023-02"


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    yield from backend_for(request.param, tmp_path)


@pytest.fixture
def library(backend: Backend) -> Library:
    return backend.open()


def entry(recipient: str, state: str, digest_id: str = DIGEST, **extra: object) -> JSONDict:
    return {"digest_id": digest_id, "recipient": recipient, "state": state, **extra}


def test_the_mark_changes_with_every_change_to_the_log_and_only_then(
    backend: Backend, library: Library
) -> None:
    before = library.send_log_mark(DIGEST)
    assert before is not None  # every backend can tell: a run need not plan again for nothing
    hash(before)
    library.send_log(DIGEST), library.send_states(DIGEST)
    assert library.send_log_mark(DIGEST) == before  # reading changes nothing

    library.record_send([entry("a@x.org", "queued"), entry("b@x.org", "queued")])
    queued = library.send_log_mark(DIGEST)
    assert queued != before
    assert library.send_log_mark(DIGEST) == queued

    library.record_send([entry("a@x.org", "sent", code=250)])  # a state change
    sent = library.send_log_mark(DIGEST)
    assert sent not in (before, queued)

    library.record_send([entry("a@x.org", "queued"), entry("b@x.org", "queued")], only_new=True)
    assert library.send_log_mark(DIGEST) == sent  # both known: nothing written
    library.record_send([entry("c@x.org", "queued")], only_new=True)
    assert library.send_log_mark(DIGEST) != sent
    with_c = library.send_log_mark(DIGEST)

    library.record_send([entry("a@x.org", "queued", digest_id=OTHER)])
    assert library.send_log_mark(DIGEST) == with_c  # another digest's log
    assert library.send_log_mark(OTHER) != before

    with library.send_lock(DIGEST, Holder("command", command="newsdigest send")) as session:
        session.ready()
        # a's state is sent: the claim is refused (or, where sends are never shared, the
        # run's without a write); either way nothing is written and the mark stays
        library.claim_send(entry("a@x.org", "sending", claimed_by="1@here"))
        assert library.send_log_mark(DIGEST) == with_c
    library.record_send([entry("b@x.org", "failed", error="550 no such user")])
    failed = library.send_log_mark(DIGEST)
    assert failed != with_c

    # another open of the same library (a second run, or a restart) reads the same mark
    again = backend.open(read_only=True)
    assert again.send_log_mark(DIGEST) == failed
    again.close()


# -- PostgreSQL: two senders at once --------------------------------------------------------------
@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[PostgresBackend]:
    made = PostgresBackend(tmp_path)
    try:
        yield made
    finally:
        made.close_all()


@pytest.mark.slow
def test_two_senders_claiming_at_once_move_the_mark_on_by_each_claim(
    postgres: PostgresBackend,
) -> None:
    first, second = postgres.open(), postgres.open()
    recipients = [f"r{n}@x.org" for n in range(120)]
    first.record_send([entry(r, "queued") for r in recipients])
    start = first.send_log_mark(DIGEST)
    assert isinstance(start, int)
    taken: list[list[str]] = [[], []]
    go = threading.Barrier(2)

    def sender(number: int, library: Library) -> None:
        go.wait()
        for recipient in recipients:
            if library.claim_send(entry(recipient, "sending", claimed_by=f"{number}@here")):
                taken[number].append(recipient)
                library.record_send([entry(recipient, "sent", code=250)])

    threads = [
        threading.Thread(target=sender, args=(n, lib)) for n, lib in enumerate((first, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(taken[0] + taken[1]) == sorted(recipients)  # each claimed once
    # a claim that took a recipient and its "sent" are one change each; a refused claim none
    assert second.send_log_mark(DIGEST) == start + 2 * len(recipients)
    assert first.send_log_mark(DIGEST) == second.send_log_mark(DIGEST)


@pytest.mark.slow
def test_an_equal_mark_around_a_read_means_that_read_is_the_log_at_the_mark(
    postgres: PostgresBackend,
) -> None:
    writer, reader = postgres.open(), postgres.open()
    writer.record_send([entry(f"r{n}@x.org", "queued") for n in range(40)])
    done = threading.Event()

    def write() -> None:
        for n in range(40):
            writer.record_send([entry(f"r{n}@x.org", "sent", code=250)])
        done.set()

    seen: dict[object, list[JSONDict]] = {}
    thread = threading.Thread(target=write)
    thread.start()
    while not done.is_set():
        mark = reader.send_log_mark(DIGEST)
        log = reader.send_log(DIGEST)
        if reader.send_log_mark(DIGEST) == mark:
            assert seen.setdefault(mark, log) == log  # one mark, one log
    thread.join(timeout=60)
    final = reader.send_log_mark(DIGEST)
    assert {e["state"] for e in reader.send_log(DIGEST)} == {"sent"}
    assert final not in seen or {e["state"] for e in seen[final]} == {"sent"}


@pytest.mark.slow
def test_a_database_made_before_the_marks_gets_them_when_upgraded(
    postgres: PostgresBackend,
) -> None:
    import psycopg

    from store.postgres.schema import MIGRATIONS, ensure_schema

    with psycopg.connect(postgres.url, autocommit=True) as conn:
        assert ensure_schema(conn, "the test", read_only=False, migrations=MIGRATIONS[:3]) == 3
        conn.execute(
            "INSERT INTO send_log (digest_id, recipient, entry) VALUES (%s, %s, %s::jsonb)",
            (
                DIGEST,
                "a@x.org",
                '{"digest_id": "month-2023-01", "recipient": "a@x.org", "state": "queued"}',
            ),
        )
    library = postgres.open()  # a writer's open upgrades it
    assert library.send_states(DIGEST) == {"a@x.org": "queued"}
    before = library.send_log_mark(DIGEST)
    library.record_send([entry("a@x.org", "sent")])
    assert library.send_log_mark(DIGEST) != before
