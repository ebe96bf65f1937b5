"""Importing in the background: sources read on a worker, progress, cancel, the outcome.

:class:`ImportTask` reads each source with the core's importers on an executor
(never on the GUI thread, so a slow feed url does not freeze the window),
reports progress after each source and stops after the current one when
cancelled. Nothing is written by the task: the window adds the items of a
finished, not-cancelled import to the library in one write, on the GUI thread.
Every failure comes back as a message in the :class:`ImportOutcome`.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from composer.errors import NewsdigestError
from composer.import_formats import DEFAULT_CATEGORY

if TYPE_CHECKING:  # the importers (feedparser, nh3...) load when an import starts
    from composer.importers.base import ImportReport


log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ImportOutcome:
    """The reports of the sources read, the sources that failed, and whether it was cancelled."""

    reports: tuple[ImportReport, ...]
    failures: tuple[str, ...]
    cancelled: bool


Reader = Callable[[str], "ImportReport"]


def _import_source(source: str, default_category: str) -> ImportReport:
    from composer.importers import import_source

    return import_source(source, default_category=default_category)


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
        self._read: Reader = reader or (lambda source: _import_source(source, default_category))
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
        reports: list[ImportReport] = []
        failures: list[str] = []
        total = len(self.sources)
        for done, source in enumerate(self.sources):
            if self._cancel.is_set():
                break
            self._emit(self.progress, done, total, source)
            try:
                reports.append(self._read(source))
            except NewsdigestError as exc:
                failures.append(str(exc))
            except Exception as exc:  # a bug must reach the window, not a console
                log.exception("importing %s failed", source)
                failures.append(f"{source}: could not be imported ({type(exc).__name__}: {exc})")
        cancelled = self._cancel.is_set()
        self._emit(self.progress, total, total, "")
        self._emit(self.finished, ImportOutcome(tuple(reports), tuple(failures), cancelled))

    @staticmethod
    def _emit(signal: Any, *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the window was closed meanwhile
            signal.emit(*args)
