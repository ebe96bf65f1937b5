"""The team server away: the start offers Retry, a local library or Quit; nothing typed is lost.

"Away" is real: a port on 127.0.0.1 nobody listens on, a socket that takes connections and
never answers, or a database of the session's throwaway cluster that stops taking
connections (``ALLOW_CONNECTIONS false``) with its sessions terminated, as a server that
went down drops them. Retry succeeding switches the retried opener's target to a real
database of that cluster. Kept edits go to a data folder of the test's own.
"""

from __future__ import annotations

import concurrent.futures
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.digest_samples import item  # noqa: E402
from helpers.gui_helpers import dispose, sample_items  # noqa: E402
from helpers.postgres_cluster import Cluster  # noqa: E402
from psycopg import sql  # noqa: E402
from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox  # noqa: E402

from composer.cli.main import _server_away  # noqa: E402
from composer.errors import LibraryError  # noqa: E402
from composer.repository import Holder, Library  # noqa: E402
from store import open_library  # noqa: E402
from store.tinydb_library import TinyDBLibrary  # noqa: E402
from tools.pg_cluster import free_port  # noqa: E402
from ui.app import first_library  # noqa: E402
from ui.library_switch import WindowSession  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import SynchronousExecutor  # noqa: E402
from ui.server_away import ServerAwayDialog  # noqa: E402
from ui.unsaved_edits import COPY, DISCARD, LATER, SAVE, OfferChoice, choice_of, offer_box  # noqa: E402

TYPED = "Typed while the server was away"


def opener(location: str) -> Library:
    """The composition root's opener (composer/cli/main.py's cmd_gui)."""
    return open_library(location, holder=Holder("window"))


def nobody_listens() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/newsroom"


def failure_of(location: str) -> LibraryError:
    with pytest.raises(LibraryError) as raised:
        opener(location).close()
    return raised.value


@pytest.fixture(autouse=True)
def _private_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where edits are kept


# -- telling "away" from other failures ---------------------------------------------------------
def test_a_server_nobody_answers_at_is_away_in_words() -> None:
    url = nobody_listens()
    reason = _server_away(failure_of(url))
    assert reason is not None
    assert reason.startswith("nothing answers at the server's address and port")
    assert "Connection refused" in reason and url in reason  # the details, as libpq said them


def test_a_wrong_password_a_missing_database_or_a_file_are_not_away(
    postgres_cluster: Cluster, tmp_path: Path
) -> None:
    postgres_cluster.create_role("away_ann", "right")
    database = postgres_cluster.create_database()
    try:
        wrong = postgres_cluster.tcp_url(database, "away_ann", "wrong")
        assert _server_away(failure_of(wrong)) is None
        assert _server_away(failure_of(postgres_cluster.url("no_such_database"))) is None
    finally:
        postgres_cluster.drop_database(database)
    path = tmp_path / "busy.json"
    holder = TinyDBLibrary(path, holder=Holder("command", command="newsdigest send"))
    try:
        assert _server_away(failure_of(str(path))) is None
    finally:
        holder.close()


# -- the dialog at start --------------------------------------------------------------------------
class Away:
    """The dialog at start on a library whose url the test can point elsewhere."""

    def __init__(self, qtbot, tmp_path: Path, url: str, executor=None) -> None:
        self.target = [url]
        self.default = tmp_path / "default-library.json"
        self.dialog = ServerAwayDialog(
            url,
            _server_away(failure_of(url)) or "?",
            retry=lambda: opener(self.target[0]),
            opener=opener,
            default_library=str(self.default),
            away_reason=_server_away,
            executor=executor,
        )
        qtbot.addWidget(self.dialog)
        self.dialog.open()
        qtbot.waitExposed(self.dialog)

    def close(self) -> None:
        if self.dialog.library is not None:
            self.dialog.library.close()
        self.dialog.finish()


@pytest.fixture
def away(qtbot, tmp_path: Path) -> Iterator[Callable[..., Away]]:
    made: list[Away] = []

    def make(url: str | None = None, executor=None) -> Away:
        made.append(Away(qtbot, tmp_path, url or nobody_listens(), executor))
        return made[-1]

    yield make
    for each in made:
        each.close()


def test_the_dialog_names_the_library_and_the_reason_and_offers_three_ways(away) -> None:
    shown = away()
    dialog = shown.dialog
    assert dialog.where.text() == shown.target[0]
    assert dialog.reason.text().startswith("Nothing answers at the server's address and port")
    visible = {b.text() for b in dialog.buttons.buttons() if b.isVisible()}
    assert visible == {"&Retry", "Open a &local library…", "&Quit"}  # Stop trying: only while
    assert dialog.retry_button.isDefault()
    entries = [a.text() for a in dialog.local_menu.actions()]
    assert entries == [f"The default library ({shown.default})", "Another library…"]


def test_retry_in_the_background_fails_again_then_opens_the_database(
    qtbot, away, postgres_cluster: Cluster
) -> None:
    shown = away()
    dialog = shown.dialog
    dialog.retry_button.click()
    qtbot.waitUntil(lambda: "Tried again at" in dialog.status.text())
    assert "still cannot be reached" in dialog.status.text()
    assert dialog.retry_button.isEnabled() and dialog.isVisible()
    database = postgres_cluster.create_database()
    try:
        shown.target[0] = postgres_cluster.url(database)  # the server is back
        dialog.retry_button.click()
        qtbot.waitUntil(lambda: dialog.library is not None)
        assert dialog.result() == QDialog.DialogCode.Accepted and dialog.retried
        assert dialog.library.items() == []
        dialog.library.close()
        dialog.library = None
    finally:
        postgres_cluster.drop_database(database)


def test_a_retry_that_hangs_can_be_stopped_and_the_dialog_stays_usable(qtbot, away) -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # takes connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    try:
        shown = away(nobody_listens(), executor=pool)
        dialog = shown.dialog
        shown.target[0] = f"postgresql://postgres@127.0.0.1:{port}/newsroom?connect_timeout=60"
        dialog.retry_button.click()
        assert "Trying to reach the server again" in dialog.status.text()
        assert dialog.stop_button.isVisible() and not dialog.retry_button.isEnabled()
        assert not dialog.local_button.isEnabled()
        dialog.stop_button.click()  # at once: the attempt is still waiting for an answer
        assert dialog.status.text().startswith("Stopped trying")
        assert dialog.retry_button.isEnabled() and not dialog.stop_button.isVisible()
    finally:
        silent.close()  # the waiting attempt fails now
        pool.shutdown(wait=True)
    qtbot.wait(50)  # its failure arrives, and is dropped
    assert dialog.status.text().startswith("Stopped trying") and dialog.isVisible()


def test_open_the_default_local_library_instead(qtbot, away) -> None:
    shown = away()
    shown.dialog.default_action.trigger()
    qtbot.waitUntil(lambda: shown.dialog.library is not None)
    assert shown.dialog.library.location == str(shown.default) and not shown.dialog.retried
    assert shown.default.exists()


def test_open_another_local_library_or_hear_why_it_cannot(qtbot, away, tmp_path: Path) -> None:
    shown = away()
    busy = tmp_path / "busy.json"
    holder = TinyDBLibrary(busy, holder=Holder("command", command="newsdigest send"))
    try:
        shown.dialog.ask_location = lambda: str(busy)
        shown.dialog.other_action.trigger()
        qtbot.waitUntil(lambda: "newsdigest send" in shown.dialog.status.text())
        assert shown.dialog.library is None and shown.dialog.isVisible()
    finally:
        holder.close()
    other = tmp_path / "other.json"
    shown.dialog.ask_location = lambda: str(other)
    shown.dialog.other_action.trigger()
    qtbot.waitUntil(lambda: shown.dialog.library is not None)
    assert shown.dialog.library.location == str(other)


def test_quit_opens_nothing(away) -> None:
    shown = away()
    shown.dialog.quit_button.click()
    assert shown.dialog.result() == QDialog.DialogCode.Rejected
    assert shown.dialog.library is None


def test_the_start_brings_up_the_dialog_rather_than_a_bare_box(qtbot, tmp_path: Path) -> None:
    url = nobody_listens()
    default = tmp_path / "default-library.json"
    seen: list[str] = []

    def answer() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ServerAwayDialog)]
        if not dialogs or not dialogs[0].isVisible():
            QTimer.singleShot(20, answer)
            return
        seen.append(dialogs[0].where.text())
        dialogs[0].default_action.trigger()

    QTimer.singleShot(0, answer)
    opened = first_library(
        lambda: opener(url),
        location=url,
        opener=opener,
        default_library=str(default),
        away_reason=_server_away,
    )
    assert opened is not None and seen == [url]
    library, named = opened
    try:
        assert library.location == named == str(default)  # the window is named after it
    finally:
        library.close()


# -- nothing typed is lost ------------------------------------------------------------------------
class Team:
    """A database of the session's cluster that can be cut off and brought back."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.database = cluster.create_database("away")
        self.url = cluster.url(self.database)

    def _allow(self, allowed: bool) -> None:
        with self.cluster.admin() as conn:
            conn.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(self.database), sql.Literal(allowed)
                )
            )
            if not allowed:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    (self.database,),
                )

    def cut_off(self) -> None:
        self._allow(False)

    def back(self) -> None:
        self._allow(True)

    def drop(self) -> None:
        self.back()
        self.cluster.drop_database(self.database)


class Desk:
    """Windows on the team library, as the app makes them (the keeper's folder the test's)."""

    def __init__(self, qtbot, folder: Path, team: Team) -> None:
        self.qtbot = qtbot
        self.folder = folder
        self.team = team
        self.opened: list[tuple[MainWindow, Library]] = []
        self.problems: list[str] = []
        self.asked: list[str] = []
        self.answer: OfferChoice = LATER

    def make(self, library: Library) -> MainWindow:
        window = MainWindow(
            library,
            settings=QSettings(str(self.folder / "ui.ini"), QSettings.Format.IniFormat),
            library_executor=SynchronousExecutor(),
            work_executor=SynchronousExecutor(),
        )
        window.confirm = lambda title, text: True  # type: ignore[method-assign]
        window.preview.opener = lambda url: None
        window.show_problem = lambda message, title="": self.problems.append(message)  # type: ignore[method-assign]
        window.unsaved.ask = self._ask
        self.opened.append((window, library))
        return window

    def _ask(self, kept) -> OfferChoice:
        self.asked.append(kept.question())
        return self.answer

    def open(self) -> MainWindow:
        window = self.make(opener(self.team.url))
        window.show()
        self.qtbot.waitExposed(window)
        self.qtbot.waitUntil(lambda: window.started)  # painted: its first reads are done
        return window

    def close(self, window: MainWindow) -> None:
        for entry in list(self.opened):
            if entry[0] is window:
                window.document.close_without_saving()  # the user said "close anyway"
                dispose(window)
                entry[1].close()
                self.opened.remove(entry)

    def close_all(self) -> None:
        for window, _library in list(self.opened):
            self.close(window)


@pytest.fixture
def team(postgres_cluster: Cluster) -> Iterator[Team]:
    made = Team(postgres_cluster)
    yield made
    made.drop()


@pytest.fixture
def desk(qtbot, tmp_path: Path, team: Team) -> Iterator[Desk]:
    made = Desk(qtbot, tmp_path, team)
    yield made
    made.close_all()


def typed_while_away(desk: Desk, team: Team) -> str:
    """A digest saved, the server gone, an edit typed that cannot be saved; its id."""
    window = desk.open()
    window.library.add_items(sample_items())
    window.refresh()
    window.digests.draft_from_month("2023-01")
    digest = window.document.digest
    assert digest is not None and digest.version == 1
    team.cut_off()
    window.editor.intro.setPlainText(TYPED)
    assert not window.digests.save_digest()
    status = window.statusBar().currentMessage()
    assert "kept on this computer and will be saved when the library is back" in status
    [kept] = window.unsaved.kept()
    assert kept.digest.intro == TYPED and kept.base_version == 1
    assert sum("could not be saved" in p for p in desk.problems) == 1
    assert kept.library == team.url and kept.path.is_file()
    assert sum("could not be saved" in p for p in desk.problems) == 1
    window.editor.intro.setPlainText(TYPED + " Still away.")  # typing on: kept, not said again
    assert not window.digests.save_digest()
    assert sum("could not be saved" in p for p in desk.problems) == 1
    [kept] = window.unsaved.kept()
    assert kept.digest.intro == TYPED + " Still away."
    window.editor.intro.setPlainText(TYPED)
    assert not window.digests.save_digest()
    desk.close(window)
    team.back()
    return digest.id


def stored(team: Team, digest_id: str) -> dict:
    library = opener(team.url)
    try:
        found = library.get_digest(digest_id)
        assert found is not None
        return found
    finally:
        library.close()


def all_titles(team: Team) -> list[str]:
    library = opener(team.url)
    try:
        return sorted(str(d["title"]) for d in library.digests())
    finally:
        library.close()


def test_the_next_open_offers_the_kept_edit_and_save_it_now_saves_it(
    qtbot, desk: Desk, team: Team
) -> None:
    digest_id = typed_while_away(desk, team)
    desk.answer = SAVE
    app = QApplication.instance()
    session = WindowSession(
        app, opener=opener, make_window=desk.make, executor=SynchronousExecutor()
    )
    try:
        window = session.show(opener(team.url))  # as the app opens it: the offer comes by itself
        qtbot.waitUntil(lambda: desk.asked != [])
        title = stored(team, digest_id)["title"]
        assert desk.asked[0].startswith(
            f"An edit of \u2018{title}\u2019 could not be saved to the team library on "
        )
        assert stored(team, digest_id)["intro"] == TYPED
        assert stored(team, digest_id)["version"] == 2
        assert window.unsaved.kept() == [] and window.document.digest.intro == TYPED
        assert "was saved" in window.statusBar().currentMessage()
    finally:
        session.close()
        session.deleteLater()


def test_keep_it_as_a_copy_saves_a_new_digest_beside_the_stored_one(desk: Desk, team: Team) -> None:
    digest_id = typed_while_away(desk, team)
    before = stored(team, digest_id)
    desk.answer = COPY
    window = desk.open()
    assert window.unsaved.offer() == [COPY]
    assert stored(team, digest_id) == before  # the stored one is as it was
    copy = window.document.digest
    assert copy is not None and copy.id != digest_id and copy.intro == TYPED
    assert copy.title.endswith("(kept copy)") and stored(team, copy.id)["intro"] == TYPED
    assert window.unsaved.kept() == []


def test_discard_throws_the_kept_edit_away(desk: Desk, team: Team) -> None:
    digest_id = typed_while_away(desk, team)
    before = stored(team, digest_id)
    desk.answer = DISCARD
    window = desk.open()
    assert window.unsaved.offer() == [DISCARD]
    assert stored(team, digest_id) == before and window.unsaved.kept() == []
    assert window.unsaved.offer() == []  # nothing more to ask about


def test_not_now_offers_it_again_next_time(desk: Desk, team: Team) -> None:
    typed_while_away(desk, team)
    desk.answer = LATER
    window = desk.open()
    assert window.unsaved.offer() == [LATER]
    assert len(window.unsaved.kept()) == 1
    assert window.unsaved.offer() == [LATER]


def test_saving_it_over_a_newer_version_brings_up_the_reload_or_copy_choice(
    desk: Desk, team: Team
) -> None:
    digest_id = typed_while_away(desk, team)
    other = opener(team.url)  # another officer saved the digest meanwhile
    try:
        theirs = other.get_digest(digest_id)
        assert theirs is not None
        other.save_digest(theirs | {"intro": "Their intro"}, theirs["version"])
    finally:
        other.close()
    desk.answer = SAVE
    window = desk.open()
    conflicts = []
    window.document.resolve_conflict = lambda conflict: conflicts.append(conflict) or "keep"
    assert window.unsaved.offer() == [SAVE]
    assert len(conflicts) == 1
    assert stored(team, digest_id)["intro"] == "Their intro"  # theirs is kept
    mine = window.document.digest
    assert mine is not None and mine.id != digest_id and mine.intro == TYPED
    assert window.unsaved.kept() == []


def test_a_later_save_that_lands_drops_the_kept_copy(desk: Desk, team: Team) -> None:
    window = desk.open()
    window.library.add_items([item(1)])
    window.digests.new_digest()
    team.cut_off()
    window.editor.intro.setPlainText(TYPED)
    assert not window.digests.save_digest()
    assert len(window.unsaved.kept()) == 1
    team.back()  # the server is back: the pool reconnects for the next save
    window.editor.intro.setPlainText(TYPED + ", and later")
    assert window.digests.save_digest()
    assert window.unsaved.kept() == []


def test_the_offer_box_has_four_buttons_each_a_choice(qtbot, tmp_path: Path) -> None:
    from composer.digest.model import make_digest
    from composer.digest.unsaved import UnsavedEdits

    kept = UnsavedEdits(tmp_path).keep(
        "postgresql://ann@db.example.org/newsroom",
        make_digest(digest_id="d-oct", title="October digest"),
        "the connection to the library failed",
    )
    for name in (SAVE, COPY, DISCARD, LATER):
        box = offer_box(kept)
        qtbot.addWidget(box)
        assert box.text().startswith("An edit of \u2018October digest\u2019 could not be saved")
        box.open()
        [button] = [b for b in box.buttons() if b.objectName() == name]
        button.click()
        assert choice_of(box) == name
    box = offer_box(kept)
    qtbot.addWidget(box)
    assert box.escapeButton().objectName() == LATER
    assert box.defaultButton().objectName() == SAVE
    assert isinstance(box, QMessageBox)
