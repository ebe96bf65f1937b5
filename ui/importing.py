"""Importing in the background: sources read on the work pool, progress, cancel, the outcome.

:class:`ImportTask` reads each source with the core's importers in an
:class:`~ui.operations.Operation` on the window's work pool (never on the GUI thread,
so a slow feed url does not freeze the window), reports progress after each source
and stops after the current one when cancelled. Each source comes back as a
:class:`SourceRead`: what was read, and how to read it again with other options (the
import preview's layout, date order and column choices). Nothing is written by the
task: the window adds the items of a finished, not-cancelled import to the library in
one write, a library operation. A source that cannot be read becomes its message,
never a traceback; a bug in one source's reader is logged and named, and the other
sources are still read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from composer.errors import NewsdigestError
from composer.library.import_formats import DEFAULT_CATEGORY
from ui.operations import Operation, Workers, bug_message

if TYPE_CHECKING:  # the importers (feedparser, nh3...) load when an import starts
    from composer.library.importers.base import ImportReport, ReadOptions

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


def progress_dialog(
    parent: QWidget, task: ImportTask, operation: Operation[ImportOutcome], title: str
) -> QProgressDialog:
    """The window-modal progress of a task, whose Cancel cancels it."""
    progress = QProgressDialog("Reading…", "Cancel", 0, max(1, len(task.sources)), parent)
    progress.setWindowTitle(title)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(400)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.canceled.connect(task.cancel)
    progress.canceled.connect(lambda: progress.setLabelText("Cancelling after the current source…"))

    def advance(step: tuple[int, int, str]) -> None:
        done, _total, source = step
        if not progress.wasCanceled():
            progress.setValue(done)
            if source:
                shown = source.rstrip("/").replace("\\", "/").rsplit("/", 1)[-1] or source
                progress.setLabelText(f"Reading {shown}…")

    operation.progress(advance)
    return progress


class ImportTask:
    """The sources of one import, read one after another in a work operation."""

    def __init__(
        self,
        sources: Sequence[str],
        *,
        default_category: str = DEFAULT_CATEGORY,
        reader: Reader | None = None,
    ) -> None:
        self.sources = list(sources)
        self._read: Reader = reader or (lambda source: read_source(source, default_category))
        self.operation: Operation[ImportOutcome] | None = None
        self.outcome: ImportOutcome | None = None

    def operation_on(self, workers: Workers, parent: QObject) -> Operation[ImportOutcome]:
        """The operation that reads the sources (add its callbacks, then run it)."""
        operation = workers.work_op(self._read_all, parent=parent, what="Reading the sources")
        operation.success(self._remember)
        self.operation = operation
        return operation

    def _remember(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome

    def cancel(self) -> None:
        """Stop after the source being read (its result is dropped too)."""
        if self.operation is not None:
            self.operation.cancel()

    @property
    def cancelled(self) -> bool:
        return self.operation is not None and self.operation.cancelled

    def _read_all(self) -> ImportOutcome:
        """On the worker: each source in turn, until cancelled."""
        operation = self.operation
        assert operation is not None
        reads: list[SourceRead] = []
        total = len(self.sources)
        for done, source in enumerate(self.sources):
            if operation.cancelled:
                break
            operation.report((done, total, source))
            try:
                reads.append(self._read(source))
            except NewsdigestError as exc:
                reads.append(SourceRead(source, None, str(exc)))
            except Exception as exc:  # one source's bug: logged, named, the others still read
                reads.append(SourceRead(source, None, bug_message(source, exc)))
        operation.report((total, total, ""))
        return ImportOutcome(tuple(reads), operation.cancelled)
