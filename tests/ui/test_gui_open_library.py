"""File → Open library…: the window moves to another library, or stays where it is and says why.

The window is the app's (:class:`ui.library_switch.WindowSession`), opening libraries
through the composition root's opener (``store.open_library``, the window's holder), on
real library files; operations run synchronously. What the user types is answered by
replacing the dialog's ``run_dialog`` (the dialog itself is real and filled in).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.digest_samples import item  # noqa: E402
from helpers.gui_helpers import dispose, sample_items  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialogButtonBox  # noqa: E402

from composer.cli.main import _last_library  # noqa: E402
from composer.digest.editing import plan_field  # noqa: E402
from composer.errors import LibraryLockedError  # noqa: E402
from composer.repository import Holder, Library  # noqa: E402
from store import open_library  # noqa: E402
from store.tinydb_library import TinyDBLibrary  # noqa: E402
from ui.app import remembered_library  # noqa: E402
from ui.library_switch import WindowSession  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.open_library_dialog import (  # noqa: E402
    FILE,
    URL,
    OpenLibraryDialog,
    location_problem,
    remember_library,
)
from ui.operations import SynchronousExecutor  # noqa: E402
from ui.window_settings import RECENT_LIBRARIES, RECENT_LIMIT  # noqa: E402


def opener(location: str) -> Library:
    """The composition root's opener (composer/cli/main.py's cmd_gui)."""
    return open_library(location, holder=Holder("window"))


class App:
    """The app's session on library files in ``folder``; the window's settings in an ini."""

    def __init__(self, qtbot, folder: Path, *, threaded: bool = False) -> None:
        self.qtbot = qtbot
        self.folder = folder
        self.settings_path = folder / "ui.ini"
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.session = WindowSession(
            app,
            opener=opener,
            make_window=self._window,
            executor=None if threaded else SynchronousExecutor(),
        )
        self.problems: list[str] = []

    def _window(self, library: Library) -> MainWindow:
        window = MainWindow(
            library,
            settings=QSettings(str(self.settings_path), QSettings.Format.IniFormat),
            library_executor=SynchronousExecutor(),
            work_executor=SynchronousExecutor(),
        )
        window.confirm = lambda title, text: True  # type: ignore[method-assign]
        window.preview.opener = lambda url: None
        window.show_problem = lambda message, title="": self.problems.append(message)  # type: ignore[method-assign]
        return window

    def library_file(self, name: str, titles: list[str]) -> Path:
        path = self.folder / name
        library = TinyDBLibrary(path)
        library.add_items([item(n, title=title) for n, title in enumerate(titles)])
        library.close()
        return path

    def start(self, path: Path) -> MainWindow:
        window = self.session.show(opener(str(path)))
        self.qtbot.waitExposed(window)
        return window

    @property
    def window(self) -> MainWindow:
        assert self.session.window is not None
        return self.session.window

    def choose(self, kind: str, text: str) -> str | None:
        """File → Open library…, answered with ``text`` as a file or a url."""

        def answer(dialog: OpenLibraryDialog) -> bool:
            (dialog.url_choice if kind == URL else dialog.file_choice).setChecked(True)
            (dialog.url if kind == URL else dialog.file).setText(text)
            return dialog.buttons.button(QDialogButtonBox.StandardButton.Open).isEnabled()

        self.window.libraries.run_dialog = answer
        self.window.actions_by_name["open_library"].trigger()
        return text

    def close(self) -> None:
        if self.session.window is not None:
            dispose(self.session.window)
        self.session.close()
        self.session.deleteLater()


@pytest.fixture(autouse=True)
def _private_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # kept edits, if any


@pytest.fixture
def app(qtbot, tmp_path: Path) -> Iterator[App]:
    made = App(qtbot, tmp_path)
    yield made
    made.close()


def titles_shown(window: MainWindow) -> list[str]:
    return sorted(found.title for found in window.library_pane.model.items())


def test_open_library_moves_the_window_to_another_file(app: App) -> None:
    first = app.library_file("first.json", ["Workshop in Accra", "Report on water"])
    second = app.library_file("second.json", ["Harvest in Nakuru"])
    old = app.start(first)
    old.digests.new_digest()
    digest = old.document.digest
    assert digest is not None
    assert old.document.submit([plan_field(digest, "intro", "Typed just before switching")])

    app.choose(FILE, str(second))

    new = app.window
    assert new is not old and old.closed
    assert new.library.location == str(second)
    assert titles_shown(new) == ["Harvest in Nakuru"]
    assert str(second) in new.windowTitle()
    # the first file's lock is released (a writer may open it) and the edit was saved on leaving
    again = TinyDBLibrary(first, holder=Holder("command", command="newsdigest test"))
    try:
        assert again.get_digest(digest.id)["intro"] == "Typed just before switching"
    finally:
        again.close()
    # the recent list: the new one first, then the old one; the menu shows both
    settings = QSettings(str(app.settings_path), QSettings.Format.IniFormat)
    assert RECENT_LIBRARIES.read(settings) == (str(second), str(first))
    new.libraries.fill_recent()
    assert new.libraries.locations() == [str(second), str(first)]
    opened = [a for a in new.libraries.recent_menu.actions() if a.data() == str(second)]
    assert not opened[0].isEnabled()  # the one open now
    # the single-instance server follows the new location
    assert app.session.server is not None and app.session.server.listening
    from ui.single_instance import server_name

    assert app.session.server.name == server_name(str(second))


def test_the_library_is_opened_on_a_thread_and_the_window_follows(qtbot, tmp_path: Path) -> None:
    app = App(qtbot, tmp_path, threaded=True)  # the app's own: a thread opens the library
    try:
        first = app.library_file("first.json", ["Workshop in Accra"])
        second = app.library_file("second.json", ["Harvest in Nakuru"])
        old = app.start(first)
        app.choose(FILE, str(second))
        qtbot.waitUntil(lambda: app.session.window is not old)
        assert titles_shown(app.window) == ["Harvest in Nakuru"] and old.closed
        assert app.window.actions_by_name["open_library"].isEnabled()
    finally:
        app.close()


def test_a_recent_library_opens_from_the_file_menu(app: App) -> None:
    first = app.library_file("first.json", ["Workshop in Accra"])
    second = app.library_file("second.json", ["Harvest in Nakuru"])
    app.start(first)
    app.choose(FILE, str(second))
    back = [a for a in app.window.libraries.recent_menu.actions() if a.data() == str(first)]
    back[0].trigger()
    assert app.window.library.location == str(first)
    assert titles_shown(app.window) == ["Workshop in Accra"]


def test_a_new_file_name_makes_a_new_empty_library(app: App) -> None:
    first = app.library_file("first.json", ["Workshop in Accra"])
    app.start(first)
    fresh = app.folder / "team-b" / "new-library.json"
    app.choose(FILE, str(fresh))
    assert app.window.library.location == str(fresh) and fresh.exists()
    assert titles_shown(app.window) == []


def test_a_url_that_cannot_be_read_is_a_message_and_the_library_stays_open(app: App) -> None:
    first = app.library_file("first.json", ["Workshop in Accra"])
    window = app.start(first)
    app.choose(URL, "postgresql://ann@db.example.org:notaport/newsroom")
    assert app.window is window and not window.closed
    assert len(app.problems) == 1
    assert "postgresql://ann@db.example.org:notaport/newsroom" in app.problems[0]
    assert f"The library {first} stays open" in app.problems[0]
    assert titles_shown(window) == ["Workshop in Accra"]
    window.library.add_items([item(9, title="Still writable")])  # the old library still works
    assert window.actions_by_name["open_library"].isEnabled()


def test_an_unreachable_server_is_a_message_and_the_library_stays_open(app: App) -> None:
    from tools.pg_cluster import free_port

    first = app.library_file("first.json", ["Workshop in Accra"])
    window = app.start(first)
    url = f"postgresql://ann@127.0.0.1:{free_port()}/newsroom"  # nobody listens there
    app.choose(URL, url)
    assert app.window is window and not window.closed
    assert "Connection refused" in app.problems[0] and url in app.problems[0]
    settings = QSettings(str(app.settings_path), QSettings.Format.IniFormat)
    assert RECENT_LIBRARIES.read(settings) == (str(first),)  # only what opened is remembered


def test_a_locked_file_is_a_message_naming_its_holder(app: App) -> None:
    first = app.library_file("first.json", ["Workshop in Accra"])
    busy = app.library_file("busy.json", ["Elsewhere"])
    holder = TinyDBLibrary(busy, holder=Holder("command", command="newsdigest send"))
    try:
        window = app.start(first)
        app.choose(FILE, str(busy))
        assert app.window is window
        assert "newsdigest send" in app.problems[0]
    finally:
        holder.close()


def test_the_library_open_now_is_not_opened_twice(app: App) -> None:
    first = app.library_file("first.json", ["Workshop in Accra"])
    window = app.start(first)
    app.choose(FILE, str(first))
    assert app.window is window and app.problems == []
    assert "is the one open" in window.statusBar().currentMessage()
    with pytest.raises(LibraryLockedError):  # still held by the window
        TinyDBLibrary(first)


def test_a_refused_close_keeps_the_window_and_closes_the_new_library(app: App) -> None:
    first = app.library_file("first.json", ["Workshop in Accra"])
    second = app.library_file("second.json", ["Harvest in Nakuru"])
    window = app.start(first)
    window.sending.close = lambda: False  # type: ignore[method-assign]  # a send under way
    app.choose(FILE, str(second))
    assert app.window is window and not window.closed
    TinyDBLibrary(second).close()  # the second file was let go again
    assert "Still on the library" in window.statusBar().currentMessage()


def test_the_dialog_takes_a_file_or_a_url_without_a_password(qtbot) -> None:
    assert location_problem(FILE, "") == "Choose a library file."
    assert location_problem(FILE, "/home/ann/library.json") is None
    assert location_problem(URL, "postgresql://ann@db.example.org/newsroom") is None
    assert location_problem(URL, "POSTGRES://ann@db/newsroom?sslmode=verify-full") is None
    assert "starts with postgresql://" in (location_problem(URL, "mysql://ann@db/x") or "")
    for with_password in (
        "postgresql://ann:secret@db.example.org/newsroom",
        "postgresql://ann@db.example.org/newsroom?password=secret",
    ):
        assert "Leave the password out" in (location_problem(URL, with_password) or "")
    assert "That is a url" in (location_problem(FILE, "postgresql://ann@db/x") or "")
    dialog = OpenLibraryDialog(current="/home/ann/library.json", suggested_file="/home/ann/x.json")
    qtbot.addWidget(dialog)
    open_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Open)
    assert dialog.kind == FILE and dialog.location() == "/home/ann/x.json"
    assert open_button.isEnabled()
    dialog.url.textEdited.emit("postgresql://ann:secret@db/x")  # typing in it chooses it
    dialog.url.setText("postgresql://ann:secret@db/x")
    assert dialog.kind == URL and not open_button.isEnabled()
    assert "password" in dialog.problem.text()
    dialog.url.setText("postgresql://ann@db/x")
    assert open_button.isEnabled() and dialog.location() == "postgresql://ann@db/x"
    dialog.ask_file = lambda start: "/srv/shared/team.json"
    dialog.browse.click()
    assert dialog.kind == FILE and dialog.location() == "/srv/shared/team.json"


def test_the_recent_list_keeps_the_newest_first_once_each(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    for n in range(RECENT_LIMIT + 2):
        remember_library(settings, f"/libraries/{n}.json")
    remember_library(settings, "/libraries/5.json")
    again = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    recent = RECENT_LIBRARIES.read(again)
    assert recent[0] == "/libraries/5.json" and len(recent) == RECENT_LIMIT
    assert len(set(recent)) == len(recent) and "/libraries/0.json" not in recent


def test_the_next_start_opens_the_last_library_unless_one_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDIGEST_SETTINGS", str(tmp_path / "ui.ini"))
    assert remembered_library() is None
    last = tmp_path / "last.json"
    TinyDBLibrary(last).close()
    remember_library(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat), str(last))
    assert remembered_library() == str(last)
    assert _last_library(remembered_library()) == str(last)
    url = "postgresql://ann@db.example.org/newsroom"
    assert _last_library(url) == url  # a database is opened (or said to be away) as it is
    assert _last_library(str(tmp_path / "deleted.json")) is None  # not made again
    assert _last_library("mysql://nobody/x") is None


def test_a_window_made_alone_cannot_switch_and_says_so(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "alone.json"
    library = TinyDBLibrary(path)
    library.add_items(sample_items())
    window = MainWindow(
        library,
        settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
        library_executor=SynchronousExecutor(),
        work_executor=SynchronousExecutor(),
    )
    try:
        problems: list[str] = []
        window.show_problem = lambda message, title="": problems.append(message)  # type: ignore[method-assign]
        window.libraries.open_location(str(tmp_path / "other.json"))
        assert "cannot open another library" in problems[0]
    finally:
        dispose(window)
        library.close()


def test_a_local_library_opened_while_the_team_server_is_away_leaves_the_team_first(
    app: App,
) -> None:
    """Work goes on in a local file meanwhile; the next start tries the team library again."""
    local = app.library_file("local.json", ["Harvest in Nakuru"])
    team = "postgresql://ann@db.example.org/newsdigest"
    window = app.session.show(opener(str(local)), away_from=team)
    app.qtbot.waitExposed(window)
    settings = QSettings(str(app.settings_path), QSettings.Format.IniFormat)
    assert RECENT_LIBRARIES.read(settings) == (team, str(local))
    assert window.library.location == str(local)
