"""Import into the window: files, the clipboard, dropped files and links, the sample.

:class:`ImportFlow` reads sources in the background (:class:`~ui.importing.ImportTask`,
a work operation, with a progress dialog and Cancel), then either adds what was read to
the library in one write (:func:`composer.library.import_adding.add_imported`, a library
operation) or, for the Import action, a paste and drops, shows it first in the
:class:`~ui.import_preview.ImportPreview`, whose "Import N items" adds it. The library
pane then inserts the new items' rows and repaints the mended ones (nothing else is
reloaded), and the new items are selected. The summary is the core's
(:func:`composer.library.import_summary.summary_lines`, the command line's too), shown
here as HTML in a message box unless the preview showed it, and kept in
:attr:`ImportFlow.last_import_summary`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from composer.library.import_summary import SummaryLine
from composer.repository import AddResult
from ui.importing import (
    ImportOutcome,
    ImportTask,
    SourceRead,
    clipboard_reader,
    mime_formats,
    progress_dialog,
)
from ui.operations import Failure

if TYPE_CHECKING:  # the importers load when an import starts (start-up time)
    from composer.library.import_adding import ImportAdded
    from composer.library.importers.base import ImportReport
    from ui.import_preview import ImportPreview
    from ui.main_window import MainWindow

IMPORT_FILTER = (
    "News sources (*.txt *.xml *.rss *.atom *.csv *.json);;Listing text (*.txt);;"
    "RSS or Atom feed (*.xml *.rss *.atom);;Spreadsheet (*.csv);;JSON (*.json);;All files (*)"
)
MAX_WARNINGS = 20  # of each source, in the summary
MAX_REJECTED = 50

Merge = Callable[[Sequence[SourceRead]], SourceRead]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ImportFlow(QObject):
    """The window's imports: one at a time, read in the background, previewed or added."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last_import_summary = ""
        self.task: ImportTask | None = None
        self.progress: QProgressDialog | None = None
        self.import_preview: ImportPreview | None = None

    # -- starting ---------------------------------------------------------------------------------
    def import_file(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import news items", "", IMPORT_FILTER)
        if paths:
            self.import_sources(paths, preview=True)

    def import_sources(self, sources: Sequence[str], *, preview: bool = False) -> ImportTask:
        """Read the sources in the background (progress and Cancel), then add and summarise.

        With ``preview`` (the Import action, drops) they are shown first, and only the
        preview's "Import N items" adds them.
        """
        return self._run(ImportTask(list(sources)), preview)

    def fetch_links(self, links: Sequence[str]) -> ImportTask:
        """Fetch article links in the background, then preview the items they make."""
        from ui.link_fetch import article_reader, merge_links

        task = ImportTask(list(links), reader=article_reader())
        return self._run(task, True, merge_links, "Fetching articles")

    def paste_listing(self) -> ImportTask | None:
        """Read the clipboard (its HTML when it has some), or fetch the links it holds."""
        from composer.library.importers import links_in_text

        mime = QGuiApplication.clipboard().mimeData()
        text = mime.text() if mime is not None and mime.hasText() else ""
        has_html = mime is not None and mime.hasHtml() and bool(mime.html().strip())
        if mime is None or not (has_html or text.strip()):
            self.window.show_problem(
                "The clipboard holds no text. Copy a news listing from your website first.",
                title="Nothing to paste",
            )
            return None
        if links := links_in_text(text):
            return self.fetch_links(links)
        task = ImportTask(["clipboard"], reader=clipboard_reader(mime_formats(mime)))
        return self._run(task, True, title="Reading the clipboard")

    def load_sample(self) -> None:
        from composer.library import sample
        from composer.library.importers.base import ImportReport

        items = sample.load_sample_items()
        report = ImportReport(source=sample.SAMPLE_SOURCE, format="json", items=items)
        self._add_reports([report], [])

    # -- reading ----------------------------------------------------------------------------------
    def _run(
        self,
        task: ImportTask,
        preview: bool,
        merge: Merge | None = None,
        title: str = "Importing news items",
    ) -> ImportTask:
        operation = task.operation_on(self.window.workers, self)
        self.progress = progress_dialog(self.window, task, operation, title)
        self.task = task
        operation.success(lambda outcome: self._finished(outcome, preview, merge))
        operation.failure(lambda failure: self._finished(_failed_reading(task, failure)))
        operation.run_in_background()
        return task

    def _finished(
        self, outcome: ImportOutcome, preview: bool = False, merge: Merge | None = None
    ) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.hide()
            self.progress.deleteLater()
            self.progress = None
        self.task = None
        if outcome.cancelled:
            self._cancelled()
        elif preview and outcome.reports:
            reads = [merge(outcome.reads)] if merge else list(outcome.reads)
            self.preview_import(reads)
        else:
            self._add_reports(list(outcome.reports), list(outcome.failures))

    def _cancelled(self) -> None:
        self.last_import_summary = "Import cancelled: nothing was added to the library."
        self.window.statusBar().showMessage(self.last_import_summary, 8000)

    def cancel(self) -> None:
        """Stop the import being read (the window is closing)."""
        if self.task is not None:
            self.task.cancel()

    # -- the preview ------------------------------------------------------------------------------
    def preview_import(self, reads: Sequence[SourceRead]) -> ImportPreview:
        """Show what was read; its "Import N items" adds it in one write, Cancel nothing."""
        from ui.import_preview import ImportPreview

        dialog = ImportPreview(
            reads,
            find_existing=self.window.library.find_existing,
            executor=self.window.workers.work,
            parent=self.window,
        )
        dialog.accepted.connect(
            lambda: self._add_reports(dialog.reports(), dialog.failures(), previewed=True)
        )
        dialog.rejected.connect(self._cancelled)
        dialog.finished.connect(lambda _result: self._preview_closed(dialog))
        self.import_preview = dialog
        dialog.open()
        return dialog

    def _preview_closed(self, dialog: ImportPreview) -> None:
        if self.import_preview is dialog:
            self.import_preview = None
        dialog.deleteLater()

    # -- adding -----------------------------------------------------------------------------------
    def _add_reports(
        self, reports: list[ImportReport], failures: list[str], *, previewed: bool = False
    ) -> None:
        """Add what the reports read in one write (a library operation), then summarise."""
        from composer.library.import_adding import ImportAdded, add_imported

        if not reports:
            self._added(reports, failures, previewed, ImportAdded(AddResult((), ())))
            return
        library = self.window.library
        items = [item for report in reports for item in report.items]

        def failed(failure: Failure) -> None:  # the write failed: say so, preview or not
            nothing = ImportAdded(AddResult((), ()))
            self._added(reports, [*failures, failure.message], False, nothing)

        self.window.workers.library_op(
            lambda: add_imported(library, items), parent=self, what="Adding the imported items"
        ).success(lambda outcome: self._added(reports, failures, previewed, outcome)).failure(
            failed
        ).run_in_background()

    def _added(
        self,
        reports: Sequence[ImportReport],
        failures: Sequence[str],
        previewed: bool,
        outcome: ImportAdded,
    ) -> None:
        from composer.library.import_summary import summary_lines

        window = self.window
        if window.closed:
            return  # the write ended as the window closed: nothing left to show it in
        new = outcome.added.new
        window.items_added(new, outcome.mended)
        if new:
            window.library_pane.select_ids([item.id for item in new])
        lines = summary_lines(
            reports, outcome, failures, max_warnings=MAX_WARNINGS, max_rejected=MAX_REJECTED
        )
        html = [line_html(line) for line in lines]
        self.last_import_summary = "\n".join(html)
        mended = outcome.mended_line()
        window.statusBar().showMessage(
            f"Imported {len(new)} new items" + (f"; {mended}" if mended else ""), 8000
        )
        if previewed:
            return  # the preview showed the rest
        box = QMessageBox(
            QMessageBox.Icon.Warning if failures else QMessageBox.Icon.Information,
            "Import finished" if not failures else "Import finished with problems",
            "<br>".join(html) or "Nothing to import.",
            QMessageBox.StandardButton.Ok,
            window,
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()


#: How the window marks each kind of summary line.
MARKS = {"note": "ℹ", "warning": "⚠", "rejected": "✗", "failure": "✗"}


def line_html(line: SummaryLine) -> str:
    """A line of the core's import summary as the message box shows it (HTML)."""
    text = _escape(line.text)
    if line.kind == "source":
        return f"<b>{_escape(line.source)}</b>: {text}"
    mark = f"{MARKS[line.kind]} " if line.kind in MARKS else ""
    indent = "&nbsp;&nbsp;" if line.detail else ""
    return f"{indent}{mark}{text}"


def _failed_reading(task: ImportTask, failure: Failure) -> ImportOutcome:
    """What the window is told when reading the sources failed as a whole (a bug)."""
    name = task.sources[0] if len(task.sources) == 1 else f"{len(task.sources)} sources"
    return ImportOutcome((SourceRead(name, None, failure.message),), task.cancelled)
