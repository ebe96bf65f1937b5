"""The autosave runs on the library worker: typing goes on while the library takes its time.

Windows here run their real worker threads. A save "in flight" is real: the library worker
waits for the library's lock, which the test holds (the window's own
:attr:`~ui.operations.Workers.library_lock`, on a TinyDB file library), or the team server
does not answer at all (a PostgreSQL cluster of this module's own, every process of it
stopped with SIGSTOP, and always continued). Edits typed meanwhile stay, are saved next on
the new version (never a conflict with itself: ``resolve_conflict`` fails the test if
asked), and a save asked for now (File → Save, closing) waits for the one in flight and
then saves the rest. A failed save keeps the latest edits on this computer.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, dispose, sample_items, window_factory  # noqa: E402
from psycopg import sql  # noqa: E402
from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402

import ui.document  # noqa: E402
from composer.digest.editing import plan_field  # noqa: E402
from composer.errors import DigestConflictError  # noqa: E402
from store.postgres import PostgresLibrary  # noqa: E402
from store.tinydb_library import TinyDBLibrary  # noqa: E402
from tools.pg_cluster import Cluster, ClusterUnavailable, start_cluster  # noqa: E402
from ui.digest_conflict import ConflictChoice  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import SynchronousExecutor  # noqa: E402

WAIT_MS = 10_000
#: The frozen server is continued after this long whatever happens (the test then fails).
WATCHDOG_S = 15.0


@pytest.fixture(autouse=True)
def _quick_autosave(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ui.document, "AUTOSAVE_MS", 50)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where edits are kept


@pytest.fixture
def windows(qtbot, tmp_path: Path) -> Iterator[Windows]:
    yield from window_factory(qtbot, tmp_path)


def never_asked(conflict: DigestConflictError) -> ConflictChoice:
    raise AssertionError(f"the window asked about a conflict with itself: {conflict}")


def stored(path: Path, digest_id: str) -> dict:
    library = TinyDBLibrary(path, read_only=True)
    try:
        found = library.get_digest(digest_id)
    finally:
        library.close()
    assert found is not None
    return found


def profiles_read_now(window: MainWindow) -> None:
    """Not the autosave's: each edit's preview render reads the export profiles from the
    library on the GUI thread (ui/export_flow.py), which a held lock or a frozen server
    blocks too; the profiles read now stand in for those reads."""
    profile = window.exports.current_profile()
    window.exports.current_profile = lambda: profile  # type: ignore[method-assign]


def drafted(qtbot, path: Path, windows: Windows) -> MainWindow:
    window = windows.open(path, threaded=True)
    profiles_read_now(window)
    window.document.resolve_conflict = never_asked
    window.digests.draft_from_month("2023-01")
    assert window.document.digest is not None and window.document.digest.version == 1
    return window


def edit(window: MainWindow, field: str, text: str) -> None:
    digest = window.document.digest
    assert digest is not None
    assert window.document.submit([plan_field(digest, field, text)])


class HeldLock:
    """The window's library lock held by a thread of the test's until :meth:`release`."""

    def __init__(self, window: MainWindow) -> None:
        self._lock = window.workers.library_lock
        self._taken = threading.Event()
        self._release = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)
        self._thread.start()
        assert self._taken.wait(5)

    def _hold(self) -> None:
        with self._lock:
            self._taken.set()
            self._release.wait(30)

    def release(self, after: float = 0.0) -> None:
        """Let the library go (``after`` seconds from now, while the GUI thread waits)."""
        if after:
            threading.Timer(after, self._release.set).start()
        else:
            self._release.set()

    def join(self) -> None:
        self._release.set()
        self._thread.join(10)


def test_edits_typed_while_a_save_is_in_flight_are_saved_next_on_its_version(
    qtbot, windows: Windows
) -> None:
    path = windows.library(items=sample_items())
    window = drafted(qtbot, path, windows)
    document = window.document
    digest_id = document.digest.id
    landed: list[tuple[int, bool]] = []
    document.saved.connect(lambda: landed.append((document.digest.version, document.dirty)))
    lock = window.workers.library_lock
    lock.acquire()  # the GUI thread's: its own library calls go on, the worker's wait
    try:
        edit(window, "intro", "First, sent at once")
        qtbot.waitUntil(lambda: document.saving, timeout=WAIT_MS)
        edit(window, "title", "Second, typed while the first was in flight")
        with qtbot.waitSignal(document._autosave.timeout, timeout=WAIT_MS):
            pass  # due while the first is in flight: it waits for it
        assert document.saving and document.dirty
        assert window.library.get_digest(digest_id)["version"] == 1  # nothing landed yet
    finally:
        lock.release()
    qtbot.waitUntil(lambda: not document.saving and not document.dirty, timeout=WAIT_MS)
    # the first landed with the second still unsaved, which then went on its new version
    assert landed == [(2, True), (3, False)]
    assert document.digest.version == 3
    assert document.digest.title == "Second, typed while the first was in flight"
    windows.close(window)
    saved = stored(path, digest_id)
    assert (saved["version"], saved["intro"]) == (3, "First, sent at once")
    assert saved["title"] == "Second, typed while the first was in flight"


def test_file_save_waits_for_the_save_in_flight_then_saves_the_rest(
    qtbot, windows: Windows
) -> None:
    path = windows.library(items=sample_items())
    window = drafted(qtbot, path, windows)
    document = window.document
    digest_id = document.digest.id
    problems: list[str] = []
    document.failed.connect(problems.append)
    held = HeldLock(window)
    try:
        edit(window, "intro", "In flight when File → Save came")
        qtbot.waitUntil(lambda: document.saving, timeout=WAIT_MS)
        window.editor.title.setText("Typed, not yet pushed")  # File → Save pushes it
        operation = document._flight.operation
        assert operation is not None and not operation.future.done()
        held.release(after=0.3)  # the GUI thread is waiting for the save then
        assert window.digests.save_digest()
    finally:
        held.join()
    assert not document.saving and not document.dirty and problems == []
    assert window.statusBar().currentMessage() == "Digest saved"
    assert document.digest.version == 3
    saved = window.library.get_digest(digest_id)
    assert (saved["intro"], saved["title"]) == (
        "In flight when File → Save came",
        "Typed, not yet pushed",
    )
    assert saved["version"] == 3


def test_closing_while_a_save_is_in_flight_loses_nothing(qtbot, windows: Windows) -> None:
    path = windows.library(items=sample_items())
    window = drafted(qtbot, path, windows)
    document = window.document
    digest_id = document.digest.id
    asked: list[str] = []
    window.confirm = lambda title, text: asked.append(title) or True  # type: ignore[method-assign]
    held = HeldLock(window)
    try:
        edit(window, "intro", "In flight when the window closed")
        qtbot.waitUntil(lambda: document.saving, timeout=WAIT_MS)
        edit(window, "title", "Typed after it was sent")
        held.release(after=0.3)
        assert window.close()
    finally:
        held.join()
    assert asked == []  # saved: no question on closing
    windows.close(window)
    saved = stored(path, digest_id)
    assert saved["intro"] == "In flight when the window closed"
    assert saved["title"] == "Typed after it was sent"
    assert saved["version"] == 3


# -- a team library -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this module's own: stopping it disturbs no other test."""
    try:
        cluster = start_cluster(tls=False)
    except ClusterUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def team_url(own_cluster: Cluster) -> Iterator[str]:
    database = own_cluster.create_database()
    library = PostgresLibrary(own_cluster.url(database))
    library.add_items(sample_items())
    library.close()
    try:
        yield own_cluster.url(database)
    finally:
        own_cluster.drop_database(database)


@pytest.fixture
def team_window(qtbot, tmp_path: Path, team_url: str) -> Iterator[MainWindow]:
    """A window on the team library, its library worker a real thread, a digest drafted."""
    library = PostgresLibrary(team_url)
    window = MainWindow(
        library,
        settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
        work_executor=SynchronousExecutor(),
    )
    window.confirm = lambda title, text: True  # type: ignore[method-assign]
    window.preview.opener = lambda url: None
    window.document.resolve_conflict = never_asked
    window.show()
    profiles_read_now(window)
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.started)
    window.digests.draft_from_month("2023-01")
    try:
        yield window
    finally:
        dispose(window)
        library.close()


def cluster_pids(cluster: Cluster) -> list[int]:
    """The postmaster (from its ``postmaster.pid``) and every process it started."""
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(entry.name))
    return [postmaster, *children]


def read_digest(url: str, digest_id: str) -> dict:
    library = PostgresLibrary(url)
    try:
        found = library.get_digest(digest_id)
    finally:
        library.close()
    assert found is not None
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the server's processes in /proc")
def test_typing_goes_on_while_the_team_server_does_not_answer(
    qtbot, own_cluster: Cluster, team_url: str, team_window: MainWindow
) -> None:
    window, document = team_window, team_window.document
    digest_id = document.digest.id
    ticks = [0]
    ticker = QTimer(window, interval=20)
    ticker.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    ticker.start()
    frozen = cluster_pids(own_cluster)

    def thaw() -> None:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)

    watchdog = threading.Timer(WATCHDOG_S, thaw)  # should the GUI thread block after all
    watchdog.start()
    try:
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        edit(window, "intro", "Typed as the server froze")
        qtbot.waitUntil(lambda: document.saving, timeout=WAIT_MS)
        before = ticks[0]
        qtbot.waitUntil(lambda: ticks[0] >= before + 25, timeout=WAIT_MS)  # the loop turns
        qtbot.keyClick(window.editor.title, Qt.Key.Key_End)
        qtbot.keyClicks(window.editor.title, " (typed on)")  # pushed a moment later
        qtbot.waitUntil(lambda: document.digest.title.endswith(" (typed on)"), timeout=WAIT_MS)
        assert document.saving and document.dirty
    finally:
        watchdog.cancel()
        thaw()
    qtbot.waitUntil(lambda: not document.saving and not document.dirty, timeout=WAIT_MS)
    saved = read_digest(team_url, digest_id)
    assert saved["intro"] == "Typed as the server froze"
    assert saved["title"].endswith(" (typed on)")
    assert saved["version"] == document.digest.version == 3


def test_a_save_that_fails_in_flight_keeps_the_edits_typed_meanwhile(
    qtbot, own_cluster: Cluster, team_url: str, team_window: MainWindow
) -> None:
    window, document = team_window, team_window.document
    digest = document.digest
    problems: list[str] = []
    document.failed.connect(problems.append)
    database = team_url.split("@/", 1)[1].split("?", 1)[0]  # the url of Cluster.url
    held = HeldLock(window)
    try:
        edit(window, "intro", "Sent as the server went away")
        qtbot.waitUntil(lambda: document.saving, timeout=WAIT_MS)
        with own_cluster.admin() as conn:  # the database goes away, its sessions with it
            conn.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(
                    sql.Identifier(database)
                )
            )
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
        edit(window, "title", "Typed while it was in flight")
    finally:
        held.join()
    qtbot.waitUntil(lambda: not document.saving, timeout=WAIT_MS)
    assert document.dirty and len(problems) == 1
    assert problems[0].startswith("The digest could not be saved: ")
    kept = window.unsaved.kept_now(digest.id)
    assert kept is not None
    assert kept.digest.intro == "Sent as the server went away"
    assert kept.digest.title == "Typed while it was in flight"
    assert kept.digest.version == 1  # the version the edits started from
    with own_cluster.admin() as conn:
        conn.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(database))
        )
    document.close_without_saving()  # the window closes without trying again
