"""Import into the window: files, the clipboard, dropped files and links, the sample.

:class:`ImportFlow` reads sources in the background (:class:`~ui.importing.ImportTask`,
with a progress dialog and Cancel), then either adds what was read to the library in
one write (:func:`composer.library.import_adding.add_imported`) or, for the Import
action, a paste and drops, shows it first in the :class:`~ui.import_preview.ImportPreview`,
whose "Import N items" adds it. The summary (what each source gave, its warnings and
rejections) is shown in a message box unless the preview showed it, and kept in
:attr:`ImportFlow.last_import_summary`; the new items are selected in the library.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from composer.errors import NewsdigestError
from composer.repository import AddResult
from ui.importing import (
    ImportOutcome,
    ImportTask,
    SourceRead,
    clipboard_reader,
    mime_formats,
    progress_dialog,
)

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
        task = ImportTask(list(sources), self.window.import_executor, parent=self.window)
        return self._run(task, preview)

    def fetch_links(self, links: Sequence[str]) -> ImportTask:
        """Fetch article links in the background, then preview the items they make."""
        from ui.link_fetch import article_reader, merge_links

        executor = self.window.import_executor
        task = ImportTask(list(links), executor, reader=article_reader(), parent=self.window)
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
        reader = clipboard_reader(mime_formats(mime))
        executor = self.window.import_executor
        task = ImportTask(["clipboard"], executor, reader=reader, parent=self.window)
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
        self.progress = progress_dialog(self.window, task, title)
        self.task = task
        task.finished.connect(lambda outcome: self._finished(outcome, preview, merge))
        task.start()
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
            executor=self.window.import_executor,
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
        from composer.library.import_adding import ImportAdded, add_imported

        window = self.window
        outcome = ImportAdded(AddResult((), ()))
        if reports:
            try:
                outcome = add_imported(window.library, (i for r in reports for i in r.items))
            except NewsdigestError as exc:
                failures.append(str(exc))
                previewed = False  # the write failed: say so
        lines = _summary_lines(outcome, reports, failures)
        window.refresh()
        window.library_pane.select_ids([item.id for item in outcome.added.new])
        self.last_import_summary = "\n".join(lines)
        mended = outcome.mended_line()
        window.statusBar().showMessage(
            f"Imported {len(outcome.added.new)} new items" + (f"; {mended}" if mended else ""),
            8000,
        )
        if previewed:
            return  # the preview showed the rest
        box = QMessageBox(
            QMessageBox.Icon.Warning if failures else QMessageBox.Icon.Information,
            "Import finished" if not failures else "Import finished with problems",
            "<br>".join(lines) or "Nothing to import.",
            QMessageBox.StandardButton.Ok,
            window,
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()


def _summary_lines(
    outcome: ImportAdded, reports: Sequence[ImportReport], failures: Sequence[str]
) -> list[str]:
    """The import's summary, a line of HTML each: per source, its warnings and rejections."""
    lines: list[str] = []
    if mended := outcome.mended_line():
        lines.append(_escape(mended))
    for report in reports:
        lines.append(f"<b>{_escape(report.source)}</b>: {report.summary(outcome.added)}")
        lines.extend(f"&nbsp;&nbsp;⚠ {_escape(w)}" for w in report.warnings[:MAX_WARNINGS])
        lines.extend(f"&nbsp;&nbsp;✗ {_escape(str(r))}" for r in report.rejected[:MAX_REJECTED])
        if len(report.rejected) > MAX_REJECTED:
            lines.append(f"&nbsp;&nbsp;… and {len(report.rejected) - MAX_REJECTED} more rejected")
    lines.extend(f"✗ {_escape(f)}" for f in failures)
    return lines
