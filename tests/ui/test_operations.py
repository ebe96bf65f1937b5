"""Background operations: run on real worker threads, their outcome back on the GUI thread.

No timing: each test waits for events (a thread's future, Qt's delivery) before it looks.
"""

from __future__ import annotations

import concurrent.futures
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QCoreApplication, QEvent, QObject  # noqa: E402

from composer.errors import SourceError  # noqa: E402
from composer.library.item import make_item  # noqa: E402
from store.tinydb_library import TinyDBLibrary  # noqa: E402
from ui.operations import (  # noqa: E402
    Failure,
    Operation,
    OpKind,
    SynchronousExecutor,
    Workers,
)


@pytest.fixture
def workers() -> Iterator[Workers]:
    made = Workers()
    yield made
    made.shutdown()


@pytest.fixture
def owner(qapp: Any) -> Iterator[QObject]:
    parent = QObject()
    yield parent
    parent.deleteLater()


def _delivered(operation: Operation[Any]) -> None:
    """Wait until the call returned, then let Qt hand over what it posted."""
    assert operation.future is not None
    operation.future.result(timeout=30)
    QCoreApplication.processEvents()


def test_the_call_runs_on_a_worker_and_the_result_comes_back_on_the_gui_thread(
    workers: Workers, owner: QObject, qtbot: Any
) -> None:
    seen: list[str] = []

    def call() -> str:
        seen.append(threading.current_thread().name)
        return "read"

    results: list[tuple[str, bool]] = []
    operation = workers.work_op(call, parent=owner, what="Reading")
    operation.success(
        lambda r: results.append((r, threading.current_thread() is threading.main_thread()))
    )
    operation.run_in_background()
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert results == [("read", True)]
    assert seen[0].startswith("newsdigest-work")
    assert operation.finished


def test_our_error_is_a_message_and_a_bug_is_logged_and_said_to_be_one(
    workers: Workers, owner: QObject, qtbot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    failures: list[Failure] = []

    def missing() -> None:
        raise SourceError("news.csv", "no such file")

    def broken() -> None:
        raise KeyError("title")

    for call in (missing, broken):
        workers.work_op(call, parent=owner, what="Reading news.csv").failure(
            failures.append
        ).run_in_background()
    with caplog.at_level(logging.ERROR, logger="ui.operations"):
        qtbot.waitUntil(lambda: len(failures) == 2, timeout=10_000)
    ours, bug = sorted(failures, key=lambda f: f.bug)
    assert not ours.bug and ours.message == str(ours.exception) and "no such file" in ours.message
    assert bug.bug and "KeyError" in bug.message and "bug" in bug.message
    assert "Traceback" not in bug.message
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None and record.exc_info[0] is KeyError  # with its traceback


def test_a_bug_nobody_handles_reaches_the_crash_handler(
    owner: QObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooked: list[type[BaseException]] = []
    monkeypatch.setattr(sys, "excepthook", lambda kind, exc, tb: hooked.append(kind))

    def broken() -> None:
        raise ZeroDivisionError("no items")

    Operation(broken, parent=owner, executor=SynchronousExecutor(), what="x").run_in_background()
    assert hooked == [ZeroDivisionError]


def test_a_newer_operation_of_the_kind_drops_the_older_ones_result(
    workers: Workers, owner: QObject, qtbot: Any
) -> None:
    kind = OpKind(newest_wins=True)
    release = threading.Event()
    results: list[str] = []

    def slow() -> str:
        release.wait(30)
        return "older"

    older = workers.work_op(slow, parent=owner, what="x", kind=kind)
    older.success(results.append).run_in_background()
    assert kind.running == 1
    newer = workers.work_op(lambda: "newer", parent=owner, what="x", kind=kind)
    newer.success(results.append).run_in_background()
    assert kind.running == 1  # only the newest counts
    qtbot.waitUntil(lambda: results == ["newer"], timeout=10_000)
    assert kind.running == 0
    release.set()
    _delivered(older)
    assert results == ["newer"] and older.finished


def test_operations_are_counted_until_their_outcome_is_back(
    workers: Workers, owner: QObject
) -> None:
    kind = OpKind()
    release = threading.Event()
    operations = [
        workers.work_op(lambda: release.wait(30), parent=owner, what="x", kind=kind)
        for _ in range(2)
    ]
    for operation in operations:
        operation.run_in_background()
    assert kind.running == 2
    release.set()
    for operation in operations:
        _delivered(operation)
    assert kind.running == 0


def test_progress_comes_before_the_result_and_cancel_is_seen_by_the_call(
    workers: Workers, owner: QObject, qtbot: Any
) -> None:
    events: list[object] = []
    asked = threading.Event()
    operation: Operation[str]

    def steps() -> str:
        for step in range(3):
            operation.report(step)
        asked.wait(30)
        return "cancelled" if operation.cancelled else "went on"

    operation = workers.work_op(steps, parent=owner, what="x")
    operation.progress(events.append).success(events.append).run_in_background()
    operation.cancel()
    asked.set()
    qtbot.waitUntil(lambda: "cancelled" in events, timeout=10_000)
    assert events == [0, 1, 2, "cancelled"]


def test_the_outcome_for_a_deleted_owner_is_dropped(workers: Workers, qapp: Any) -> None:
    parent = QObject()
    release = threading.Event()
    results: list[object] = []
    operation = workers.work_op(lambda: release.wait(30), parent=parent, what="x")
    operation.success(results.append).failure(results.append).run_in_background()
    parent.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    release.set()
    _delivered(operation)
    assert results == []


def test_a_shut_down_pool_drops_the_operation(owner: QObject) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    pool.shutdown()
    kind = OpKind()
    results: list[object] = []
    Operation(lambda: 1, parent=owner, executor=pool, what="x", kind=kind).success(
        results.append
    ).run_in_background()
    assert results == [] and kind.running == 0


def test_the_window_waits_for_a_library_operation_holding_the_library(
    workers: Workers, owner: QObject, tmp_path: Path
) -> None:
    raw = TinyDBLibrary(tmp_path / "library.json")
    library = workers.serial(raw)
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []
    story = make_item({"category": "In Focus", "title": "Zelvor pier", "date": "2024-03-02"})

    def write() -> int:
        inside.set()
        release.wait(30)
        added = library.add_items([story])
        order.append("operation")
        return len(added.new)

    operation = workers.library_op(write, parent=owner, what="Adding")
    operation.run_in_background()
    assert inside.wait(30)

    def read() -> None:
        library.items()  # waits: the operation holds the library
        order.append("call")

    reader = threading.Thread(target=read)
    reader.start()
    release.set()
    reader.join(30)
    _delivered(operation)
    assert order == ["operation", "call"]
    assert library.location == raw.location  # attributes pass through
    raw.close()


def test_closing_finishes_a_library_write_first(owner: QObject, tmp_path: Path) -> None:
    workers = Workers()
    raw = TinyDBLibrary(tmp_path / "library.json")
    inside, go = threading.Event(), threading.Event()
    story = make_item({"category": "In Focus", "title": "Zelvor pier", "date": "2024-03-02"})

    def write() -> None:
        inside.set()
        go.wait(30)
        raw.add_items([story])

    workers.library_op(write, parent=owner, what="Adding").run_in_background()
    starter = threading.Thread(target=lambda: (inside.wait(30), go.set()))
    starter.start()
    workers.shutdown()  # returns once the write is done
    starter.join(30)
    assert [item.title for item in raw.items()] == ["Zelvor pier"]
    raw.close()


def test_a_synchronous_executor_hands_the_outcome_over_at_once(owner: QObject) -> None:
    results: list[int] = []
    Operation(lambda: 7, parent=owner, executor=SynchronousExecutor(), what="x").success(
        results.append
    ).run_in_background()
    assert results == [7]
