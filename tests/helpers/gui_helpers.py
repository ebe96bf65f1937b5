"""Shared pieces of the GUI tests: windows on real library files, disposed of properly.

Windows run their operations synchronously (:class:`ui.operations.SynchronousExecutor`)
unless a test asks for the real worker threads, keep their state in a temporary ini file,
and answer "yes" to confirmations (a test that wants "no" replaces ``confirm``).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from composer.library.item import NewsItem
from helpers.digest_samples import item, january_items
from store.tinydb_library import TinyDBLibrary
from ui.main_window import MainWindow
from ui.operations import SynchronousExecutor


def sample_items() -> list[NewsItem]:
    """The fixture's six January 2023 items and ten more in three categories."""
    extra = [
        item(n, ("Project News", "In Focus", "Expert Voice")[n % 3], date=f"2023-02-{n + 1:02d}")
        for n in range(10)
    ]
    return january_items() + extra


def dispose(widget: QWidget) -> None:
    """Close and delete a window now (not at interpreter exit, where Qt WebEngine complains)."""
    for box in widget.findChildren(QMessageBox):
        box.close()
    widget.close()
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


class Windows:
    """Makes main windows on library files; closes windows and libraries at the end."""

    def __init__(self, qtbot: Any, folder: Path) -> None:
        self.qtbot = qtbot
        self.folder = folder
        self.settings_path = folder / "ui.ini"
        self._open: list[tuple[MainWindow, TinyDBLibrary]] = []

    def library(self, name: str = "library.json", items: list[NewsItem] | None = None) -> Path:
        path = self.folder / name
        library = TinyDBLibrary(path)
        if items:
            library.add_items(items)
        library.close()
        return path

    def open(
        self,
        path: Path | None = None,
        *,
        library_executor: concurrent.futures.Executor | None = None,
        work_executor: concurrent.futures.Executor | None = None,
        threaded: bool = False,
        **window_options: Any,
    ) -> MainWindow:
        path = path or self.folder / "library.json"
        library = TinyDBLibrary(path)
        window = MainWindow(
            library,
            settings=QSettings(str(self.settings_path), QSettings.Format.IniFormat),
            library_executor=None if threaded else (library_executor or SynchronousExecutor()),
            work_executor=None if threaded else (work_executor or SynchronousExecutor()),
            **window_options,
        )
        window.confirm = lambda title, text: True  # type: ignore[method-assign]
        window.preview.opener = lambda url: None  # never start a real browser
        window.show()
        self.qtbot.waitExposed(window)
        self.qtbot.waitUntil(lambda: window.started)  # painted: the preview is starting
        self._open.append((window, library))
        return window

    def close(self, window: MainWindow) -> None:
        for entry in list(self._open):
            if entry[0] is window:
                dispose(window)
                entry[1].close()
                self._open.remove(entry)

    def close_all(self) -> None:
        for window, _ in list(self._open):
            self.close(window)


def window_factory(qtbot: Any, folder: Path) -> Iterator[Windows]:
    """The body of a ``windows`` fixture: yields a :class:`Windows`, closes them all after."""
    made = Windows(qtbot, folder)
    yield made
    made.close_all()


def wait_for_preview(qtbot: Any, window: MainWindow, action: Callable[[], object]) -> None:
    """Do ``action`` and wait until the preview has loaded the HTML it caused."""
    with qtbot.waitSignal(window.preview.loaded, timeout=20_000) as blocker:
        action()
    assert blocker.args == [True]


def listening_window(qtbot: Any, library: Any, folder: Path, **options: Any) -> MainWindow:
    """A window on a team ``library`` (PostgreSQL), shown, started and listening for changes.

    Background work runs at once (:class:`SynchronousExecutor`); confirmations say yes and
    links open nowhere. ``options`` go to :class:`MainWindow` (``passwords=``…).
    """
    window = MainWindow(
        library,
        settings=QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat),
        library_executor=SynchronousExecutor(),
        work_executor=SynchronousExecutor(),
        **options,
    )
    window.confirm = lambda title, text: True  # type: ignore[method-assign]
    window.preview.opener = lambda url: None
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.started)
    watcher = library.watcher
    assert watcher is not None and watcher.listening.wait(20)
    return window
