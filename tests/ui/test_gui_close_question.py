"""Closing the window when the digest could not be saved: the question says what will happen.

The save fails for real: the window's team library is a database of the session's
PostgreSQL cluster that stops taking connections (``ALLOW_CONNECTIONS false``, its
sessions terminated), as a server that went down. The edit is then kept on this computer
(a data folder of the test's own) and the question says so, and that it is offered again
the next time this library opens; the kept file is there, with the edit typed. Only when
keeping it fails too (the folder for kept edits cannot be made: a file stands where it
should be) does the question say the changes will be lost. A close over a newer version
whose answer (Keep mine as a copy) the library can no longer take keeps the edit as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import dispose, sample_items  # noqa: E402
from helpers.postgres_cluster import Cluster  # noqa: E402
from psycopg import sql  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from composer.digest.unsaved import UnsavedEdits  # noqa: E402
from composer.errors import DigestConflictError  # noqa: E402
from composer.repository import Holder, Library  # noqa: E402
from store import open_library  # noqa: E402
from ui.digest_conflict import ConflictChoice  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import SynchronousExecutor  # noqa: E402

TYPED = "Typed while the server was away"


class Team:
    """A database of the session's cluster that can be cut off and brought back."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.database = cluster.create_database("close")
        self.url = cluster.url(self.database)

    def allow(self, allowed: bool) -> None:
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


class Closing:
    """A window on the team library whose close question the test answers and records."""

    def __init__(self, qtbot, folder: Path, team: Team) -> None:
        self.library: Library = open_library(team.url, holder=Holder("window"))
        self.window = MainWindow(
            self.library,
            settings=QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat),
            library_executor=SynchronousExecutor(),
            work_executor=SynchronousExecutor(),
        )
        self.questions: list[tuple[str, str]] = []
        self.problems: list[str] = []
        self.answer = False
        self.window.confirm = self._confirm  # type: ignore[method-assign]
        self.window.show_problem = lambda message, title="": self.problems.append(message)  # type: ignore[method-assign]
        self.window.preview.opener = lambda url: None
        self.window.show()
        qtbot.waitExposed(self.window)
        qtbot.waitUntil(lambda: self.window.started)

    def _confirm(self, title: str, text: str) -> bool:
        self.questions.append((title, text))
        return self.answer


@pytest.fixture
def data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where edits are kept
    return tmp_path / "data" / "Newsdigest" / "unsaved"


@pytest.fixture
def team(postgres_cluster: Cluster) -> Iterator[Team]:
    made = Team(postgres_cluster)
    yield made
    made.allow(True)
    postgres_cluster.drop_database(made.database)


@pytest.fixture
def closing(qtbot, tmp_path: Path, data_folder: Path, team: Team) -> Iterator[Closing]:
    made = Closing(qtbot, tmp_path, team)
    made.window.library.add_items(sample_items())
    made.window.refresh()
    made.window.digests.draft_from_month("2023-01")
    assert made.window.document.digest is not None and not made.window.document.dirty
    try:
        yield made
    finally:
        made.window.document.close_without_saving()
        dispose(made.window)
        made.library.close()


def close_while_away(closing: Closing, team: Team) -> str:
    """Cut the server off, type, close (the question answered "no"); the digest's id."""
    window = closing.window
    digest = window.document.digest
    assert digest is not None
    team.allow(False)
    window.editor.intro.setPlainText(TYPED)
    window.close()
    assert not window.closed and window.isVisible()  # "no": the window stays, the edit open
    assert window.document.digest is not None and window.document.digest.intro == TYPED
    assert len(closing.questions) == 1
    assert any("could not be saved" in problem for problem in closing.problems)
    return digest.id


def snapshot(qtbot, title: str, text: str, path: Path) -> None:
    """The question as :meth:`MainWindow.confirm` shows it, on screen, saved as a picture."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    qtbot.addWidget(box)
    box.open()
    qtbot.waitExposed(box)
    box.grab().save(str(path))
    box.close()


def test_the_close_question_says_the_edit_is_kept_and_offered_again(
    qtbot, closing: Closing, team: Team, data_folder: Path, tmp_path: Path
) -> None:
    digest_id = close_while_away(closing, team)
    [(title, text)] = closing.questions
    assert title == "Close the window?"
    assert "Your changes are kept on this computer" in text
    assert "offered again the next time this library opens" in text
    assert "lose them" not in text and "lost" not in text
    kept = UnsavedEdits(data_folder).get(team.url, digest_id)  # the file, read afresh
    assert kept is not None and kept.path.is_file() and kept.digest.intro == TYPED
    assert kept.base_version == 1
    closing.answer = True
    closing.window.close()
    assert closing.window.closed and len(closing.questions) == 2
    snapshot(qtbot, title, text, tmp_path / "close-question-kept.png")


def test_only_when_keeping_fails_too_the_close_question_says_the_changes_are_lost(
    qtbot, closing: Closing, team: Team, data_folder: Path, tmp_path: Path
) -> None:
    data_folder.parent.mkdir(parents=True)
    data_folder.write_text("not a folder", encoding="utf-8")  # kept edits cannot go there
    digest_id = close_while_away(closing, team)
    [(title, text)] = closing.questions
    assert title == "Close and lose the changes?"
    assert "could not be kept on this computer either" in text and "lose them" in text
    assert "offered again" not in text
    assert any("could not be kept on" in problem for problem in closing.problems)
    assert data_folder.read_text(encoding="utf-8") == "not a folder"
    assert UnsavedEdits(data_folder).get(team.url, digest_id) is None
    assert closing.window.unsaved.kept_now(digest_id) is None
    snapshot(qtbot, title, text, tmp_path / "close-question-lost.png")


def test_a_later_failed_save_that_cannot_be_kept_is_not_called_kept(
    closing: Closing, team: Team, data_folder: Path
) -> None:
    """An older kept copy lacks the latest edit: the question must not lean on it."""
    window = closing.window
    digest = window.document.digest
    assert digest is not None
    team.allow(False)
    window.editor.intro.setPlainText(TYPED)
    assert not window.digests.save_digest()
    assert window.unsaved.kept_now(digest.id) is not None  # kept, the first time
    kept_file = UnsavedEdits(data_folder).path_for(team.url, digest.id)
    kept_file.chmod(0o600)
    kept_file.unlink()
    kept_file.mkdir()  # the next keep cannot replace it: a folder stands in the way
    window.editor.intro.setPlainText(TYPED + ", and more")
    window.close()
    [(title, _text)] = closing.questions
    assert title == "Close and lose the changes?" and not window.closed


def test_closing_over_a_newer_version_when_the_copy_cannot_be_saved_keeps_the_edit(
    closing: Closing, team: Team, data_folder: Path
) -> None:
    """The conflict box's Keep mine, with the server gone by then: kept here, and said so."""
    window = closing.window
    digest = window.document.digest
    assert digest is not None
    other = open_library(team.url, holder=Holder("window"))
    try:
        theirs = other.get_digest(digest.id)
        assert theirs is not None
        other.save_digest(theirs | {"intro": "Their intro"}, theirs["version"])
    finally:
        other.close()
    asked: list[str] = []

    def keep_mine_as_the_server_goes(conflict: DigestConflictError) -> ConflictChoice:
        asked.append(conflict.digest_id)
        team.allow(False)
        return "keep"

    window.document.resolve_conflict = keep_mine_as_the_server_goes
    window.editor.intro.setPlainText(TYPED)
    window.close()
    assert asked == [digest.id] and not window.closed
    assert any("Your copy of the digest could not be saved" in p for p in closing.problems)
    [(title, text)] = closing.questions
    assert title == "Close the window?" and "kept on this computer" in text
    kept = UnsavedEdits(data_folder).get(team.url, digest.id)
    assert kept is not None and kept.digest.intro == TYPED and kept.base_version == 1
