"""Importing in the background: sources read on a worker, progress, cancel, the outcome.

:class:`ImportTask` reads each source with the core's importers on an executor
(never on the GUI thread, so a slow feed url does not freeze the window),
reports progress after each source and stops after the current one when
cancelled. Each source comes back as a :class:`SourceRead`: what was read, and
how to read it again with other options (the import preview's layout, date
order and column choices). Nothing is written by the task: the window adds the
items of a finished, not-cancelled import to the library in one write, on the
GUI thread. Every failure comes back as a message, never a traceback.

:class:`BackgroundJob` runs one call on the same executor and hands its result
(or the message of its error) back on the GUI thread: the preview's re-reads,
"Fetch details from link…" and "import the feed instead" use it.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, QObject, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from composer.errors import NewsdigestError
from composer.library.import_formats import DEFAULT_CATEGORY

if TYPE_CHECKING:  # the importers (feedparser, nh3...) load when an import starts
    from composer.library.importers.base import ImportReport, ReadOptions


log = logging.getLogger(__name__)

#: Reads a source again with other options (on the worker).
Rereader = Callable[["ReadOptions"], "ImportReport"]


@dataclasses.dataclass
class SourceRead:
    """One source as the preview shows it: its report, or why it could not be read.

    ``reread`` reads the same bytes again with other :class:`ReadOptions` (None when
    that means nothing, e.g. for fetched article links); ``options`` are those the
    current report was read with.
    """

    name: str
    report: ImportReport | None = None
    error: str = ""
    reread: Rereader | None = None
    options: ReadOptions | None = None


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    """The sources read (or why not), and whether the import was cancelled."""

    reads: tuple[SourceRead, ...]
    cancelled: bool

    @property
    def reports(self) -> tuple[ImportReport, ...]:
        return tuple(read.report for read in self.reads if read.report is not None)

    @property
    def failures(self) -> tuple[str, ...]:
        """Whole-source problems: sources that could not be had, or not be read."""
        return tuple(read.error for read in self.reads if read.error and read.report is None)


Reader = Callable[[str], SourceRead]


def unexpected(what: str, exc: BaseException) -> str:
    """The message of a bug met while importing (logged with its traceback)."""
    log.error("%s failed", what, exc_info=exc)
    return f"{what}: could not be imported ({type(exc).__name__}: {exc})"


def read_with(name: str, reread: Rereader, options: ReadOptions) -> SourceRead:
    """Read once with ``options``; a source-level problem becomes the read's ``error``."""
    try:
        report = reread(options)
    except NewsdigestError as exc:
        return SourceRead(name, None, str(exc), reread, options)
    return SourceRead(name, report, "", reread, options)


def read_source(source: str, default_category: str = DEFAULT_CATEGORY) -> SourceRead:
    """Load a file or url once, then read it (the preview may read it again).

    A source that cannot be had raises :class:`NewsdigestError` (the task reports it).
    """
    from composer.library.importers import ReadOptions, load_source, read_loaded

    loaded = load_source(source)
    return read_with(
        source,
        lambda options: read_loaded(loaded, options=options),
        ReadOptions(default_category=default_category),
    )


def mime_formats(mime: QMimeData) -> dict[str, bytes]:
    """Every flavour of a clipboard or drop, as the core's clipboard reader takes them."""
    return {name: bytes(mime.data(name).data()) for name in mime.formats()}


def clipboard_reader(
    formats: Mapping[str, bytes], default_category: str = DEFAULT_CATEGORY
) -> Reader:
    """A task reader for a paste: its HTML flavour when it has one, else its text."""

    def read(name: str) -> SourceRead:
        from composer.library.importers import ReadOptions
        from composer.library.importers.clipboard import import_clipboard, read_clipboard

        content = read_clipboard(formats)
        return read_with(
            name,
            lambda options: import_clipboard(content, options=options),
            ReadOptions(default_category=default_category),
        )

    return read


def progress_dialog(parent: QWidget, task: ImportTask, title: str) -> QProgressDialog:
    """The window-modal progress of a task, whose Cancel cancels it."""
    progress = QProgressDialog("Reading…", "Cancel", 0, max(1, len(task.sources)), parent)
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.canceled.connect(task.cancel)
    progress.canceled.connect(lambda: progress.setLabelText("Cancelling after the current source…"))

    def advance(done: int, _total: int, source: str) -> None:
        if not progress.wasCanceled():
            progress.setValue(done)
            if source:
                shown = source.rstrip("/").replace("\\", "/").rsplit("/", 1)[-1] or source
                progress.setLabelText(f"Reading {shown}…")

    task.progress.connect(advance)
    return progress


class ImportTask(QObject):
    """Reads sources on an executor; signals arrive on the GUI thread."""

    progress = Signal(int, int, str)  # sources done, total, the source being read
    finished = Signal(object)  # ImportOutcome

    def __init__(
        self,
        sources: Sequence[str],
        executor: concurrent.futures.Executor,
        *,
        default_category: str = DEFAULT_CATEGORY,
        reader: Reader | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.sources = list(sources)
        self.executor = executor
        self._cancel = threading.Event()
        self._read: Reader = reader or (lambda source: read_source(source, default_category))
        self.outcome: ImportOutcome | None = None
        self.finished.connect(self._remember)

    def _remember(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome

    def start(self) -> None:
        self.executor.submit(self._run)

    def cancel(self) -> None:
        """Stop after the source being read (its result is dropped too)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _run(self) -> None:
        reads: list[SourceRead] = []
        total = len(self.sources)
        for done, source in enumerate(self.sources):
            if self._cancel.is_set():
                break
            self._emit(self.progress, done, total, source)
            try:
                reads.append(self._read(source))
            except NewsdigestError as exc:
                reads.append(SourceRead(source, None, str(exc)))
            except Exception as exc:  # a bug must reach the window, not a console
                reads.append(SourceRead(source, None, unexpected(source, exc)))
        cancelled = self._cancel.is_set()
        self._emit(self.progress, total, total, "")
        self._emit(self.finished, ImportOutcome(tuple(reads), cancelled))

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
            signal.emit(*args)


class BackgroundJob(QObject):
    """Runs calls on an executor; ``done(token, result, error)`` arrives on the GUI thread.

    ``error`` is "" on success, else the message of the :class:`NewsdigestError` (or
    of the unexpected error) the call raised; ``result`` is then None. ``token`` is
    whatever the caller passed to :meth:`run`, to tell a stale answer from the latest.
    """

    done = Signal(object, object, str)

    def __init__(self, executor: concurrent.futures.Executor, parent: Any = None) -> None:
        super().__init__(parent)
        self.executor = executor
        #: Calls submitted and not answered yet (counted down on the GUI thread).
        self.running = 0
        self.done.connect(self._answered)

    def _answered(self, *_args: object) -> None:
        self.running = max(0, self.running - 1)

    def run(self, token: object, call: Callable[[], object], what: str = "reading") -> None:
        self.running += 1
        self.executor.submit(self._call, token, call, what)

    def _call(self, token: object, call: Callable[[], object], what: str) -> None:
        result: object = None
        error = ""
        try:
            result = call()
        except NewsdigestError as exc:
            error = str(exc)
        except Exception as exc:  # a bug must reach the window, not a console
            error = unexpected(what, exc)
        with contextlib.suppress(RuntimeError):  # the dialog was closed meanwhile
            self.done.emit(token, result, error)
