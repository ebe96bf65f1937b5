"""Look before it is saved: what each source gave, to check and adjust before importing.

:class:`ImportPreview` shows one source at a time (a list on the left when there
are several): a table of the items read, marked new or already in the library,
and of the entries rejected with where and why; the source's warnings and notes
(a page that advertises a feed offers to import the feed instead); and the
choices the source allows (layout, date order, columns, base url, category),
each of which reads the source again, in the background (an operation on the
window's work pool; a newer choice supersedes one still being read), and shows the
result at once. Nothing is written here: "Import N items" accepts the dialog and the
window adds :meth:`ImportPreview.reports` in one write; Cancel writes nothing.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from composer.library.importers.base import ImportReport
from composer.library.rules import split_new
from ui.import_options import ReadOptionsPanel
from ui.import_preview_model import (
    EXISTING,
    NEW,
    FindExisting,
    PreviewModel,
    preview_rows,
)
from ui.importing import SourceRead, read_source
from ui.operations import Operation, OpKind

FORMAT_NAMES = {
    "html": "web page",
    "listing": "plain text",
    "rss": "feed",
    "csv": "spreadsheet",
    "json": "JSON export",
    "article": "article pages",
}


def heading(read: SourceRead) -> str:
    """ "clipboard: web page, links read against https://…": what a source was read as."""
    report = read.report
    if report is None:
        return read.name
    name = read.name
    if "://" not in name:  # a file: its name (the tooltip has the path); "Clipboard"
        name = name.replace("\\", "/").rsplit("/", 1)[-1]
        name = name[:1].upper() + name[1:] if name == "clipboard" else name
    text = f"{name}: {FORMAT_NAMES.get(report.format, report.format)}"
    return text + (f", links read against {report.base_url}" if report.base_url else "")


class _LinkDelegate(QStyledItemDelegate):
    """Addresses elided in the middle, so that the end of a link (its story) stays visible."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class ImportPreview(QDialog):
    """The sources of one import, shown before anything is written."""

    def __init__(
        self,
        reads: Sequence[SourceRead],
        *,
        find_existing: FindExisting,
        executor: concurrent.futures.Executor,
        title: str = "Import preview",
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("import-preview")
        self.reads = list(reads)
        self.find_existing = find_existing
        self.executor = executor
        self.rereads = OpKind(newest_wins=True)  # the latest choice wins; older answers dropped
        self.current = -1
        self._build()
        self._fill_sources()
        self._show(0)
        self._update_import_button()
        self.resize(1040, 660)

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.sources = QListWidget()
        self.sources.setAccessibleName("Sources read")
        self.sources.setMinimumWidth(200)
        self.sources.currentRowChanged.connect(self._show)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.counts = QLabel()
        self.counts.setAccessibleName("What was read")
        self.options = ReadOptionsPanel()
        self.options.changed.connect(self._read_again)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setAccessibleName("Problem with this source")
        self.error.setStyleSheet("color: #c62828;")
        self.model = PreviewModel(self)
        self.table = self._make_table()
        self.messages = QListWidget()
        self.messages.setAccessibleName("Warnings and notes")
        self.messages.setWordWrap(True)
        self.feed_button = QPushButton("Import the &feed instead")
        self.feed_button.setToolTip("Read the feed this page advertises, in place of the page")
        self.feed_button.clicked.connect(self.use_feed)
        self.feed_button.setAutoDefault(False)  # Enter imports, whatever has the focus
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        for button in self.buttons.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter imports, whatever has the focus
        self.import_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._assemble()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName("Items read")
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        links = _LinkDelegate(table)
        for column in (4, 5):
            table.setItemDelegateForColumn(column, links)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((86, 340, 92, 130, 220)):
            table.setColumnWidth(column, width)
        return table

    def _assemble(self) -> None:
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.counts)
        column.addWidget(self.options)
        column.addWidget(self.error)
        column.addWidget(self.table, 1)
        notes = QHBoxLayout()
        notes.addWidget(self.messages, 1)
        notes.addWidget(self.feed_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(notes)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.sources)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 820])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.buttons)
        self.sources.setVisible(len(self.reads) > 1)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.import_button.setDefault(True)  # the button box picks its own default on show
        QTimer.singleShot(0, self.table.setFocus)  # keyboard users start on the items

    # -- sources ---------------------------------------------------------------------------------
    def _fill_sources(self) -> None:
        current = self.sources.currentRow()
        self.sources.blockSignals(True)
        self.sources.clear()
        for read in self.reads:
            entry = QListWidgetItem(self._source_line(read))
            entry.setToolTip(read.error or read.name)
            self.sources.addItem(entry)
        self.sources.setCurrentRow(max(0, current))
        self.sources.blockSignals(False)

    def _source_line(self, read: SourceRead) -> str:
        name = read.name.rstrip("/").replace("\\", "/").rsplit("/", 1)[-1] or read.name
        if read.report is None:
            return f"⚠ {name}\n  not read"
        rows = preview_rows(read.report.items, (), self.find_existing)
        new = sum(1 for row in rows if row.state == NEW)
        return f"{name}\n  {new} new · {read.report.rejected_count} rejected"

    def _show(self, index: int) -> None:
        if not 0 <= index < len(self.reads):
            return
        self.current = index
        read = self.reads[index]
        report = read.report
        self.heading.setText(heading(read))
        self.heading.setToolTip(read.name)
        self.options.setEnabled(read.reread is not None)
        self.options.setVisible(read.reread is not None)
        if report is not None:
            self.options.show_report(report, read.options)
        self._show_report(read)

    def _show_report(self, read: SourceRead) -> None:
        report = read.report
        self.error.setText(f"⚠ {read.error}" if read.error else "")
        self.error.setVisible(bool(read.error))
        if report is None:
            self.model.set_rows([])
            self.counts.setText("Nothing read from this source.")
            self.messages.clear()
            self.feed_button.setVisible(False)
            return
        self.model.set_rows(preview_rows(report.items, report.rejected, self.find_existing))
        self.table.clearSpans()
        for row in range(len(report.items), self.model.rowCount()):  # a reason, across the row
            self.table.setSpan(row, 1, 1, self.model.columnCount() - 1)
        new, existing = self.model.count(NEW), self.model.count(EXISTING)
        rejected = report.rejected_count
        self.counts.setText(
            f"{plural(len(report.items), 'item')} read: {new:,} new, "
            f"{existing:,} already in the library; {rejected:,} rejected"
        )
        self.messages.clear()
        for warning in report.warnings:
            self.messages.addItem(f"⚠ {warning}")
        for note in report.notes:
            self.messages.addItem(f"ℹ {note}")
        self.messages.setVisible(bool(report.warnings or report.notes))
        lines = min(5, self.messages.count())
        self.messages.setFixedHeight(lines * (self.messages.fontMetrics().height() + 6) + 8)
        self.feed_button.setVisible(self.feed_url() is not None)

    def feed_url(self) -> str | None:
        """The feed the current source advertises (:attr:`ImportReport.feeds`), if any."""
        read = self.current_read()
        feeds = read.report.feeds if read and read.report else []
        return feeds[0] if feeds else None

    def current_read(self) -> SourceRead | None:
        return self.reads[self.current] if 0 <= self.current < len(self.reads) else None

    # -- reading again ----------------------------------------------------------------------------
    def _read_again(self) -> None:
        read = self.current_read()
        if read is None or read.reread is None:
            return
        options = self.options.options(read.options)
        reread = read.reread
        self._ask(("reread", self.current, options), lambda: reread(options))

    def use_feed(self) -> None:
        """Read the advertised feed in place of the page (in the background)."""
        read, url = self.current_read(), self.feed_url()
        if read is None or url is None:
            return
        category = read.options.default_category if read.options else None
        self._ask(
            ("feed", self.current, url),
            lambda: read_source(url, category) if category else read_source(url),
        )

    def _ask(self, request: tuple[Any, ...], call: Callable[[], object]) -> None:
        Operation(
            call, parent=self, executor=self.executor, what="Reading again", kind=self.rereads
        ).success(lambda result: self._answered(request, result, "")).failure(
            lambda failure: self._answered(request, None, failure.message)
        ).run_in_background()
        if self.rereads.running:  # on a worker: say so until the answer comes
            self.counts.setText("Reading again…")
            self._update_import_button()

    def _answered(self, request: tuple[Any, ...], result: object, error: str) -> None:
        kind, index = request[0], request[1]
        read = self.reads[index]
        if kind == "feed":
            if isinstance(result, SourceRead):
                self.reads[index] = result
            else:
                read.error = f"The feed could not be read: {error}"
        else:
            read.options = request[2]
            read.report = result if isinstance(result, ImportReport) else None
            read.error = error
        self._fill_sources()
        if index == self.current:
            self._show(index)
        self._update_import_button()

    # -- importing --------------------------------------------------------------------------------
    def reports(self) -> list[ImportReport]:
        """What "Import" adds: the report of every source that was read."""
        return [read.report for read in self.reads if read.report is not None]

    def failures(self) -> list[str]:
        return [read.error for read in self.reads if read.error and read.report is None]

    def new_count(self) -> int:
        """Items not in the library yet (counted once when two sources give the same story)."""
        items = (item for report in self.reports() for item in report.items)
        return len(split_new(items, self.find_existing).new)

    def _update_import_button(self) -> None:
        busy = self.rereads.running > 0
        count = self.new_count()
        if busy:
            text = "Reading…"
        elif count:
            text = f"&Import {plural(count, 'item')}"
        else:
            text = "Nothing new to import"
        self.import_button.setText(text)
        self.import_button.setEnabled(not busy and count > 0)
        self.import_button.setAccessibleName(text.replace("&", ""))

    def accept(self) -> None:
        if self.rereads.running or not self.new_count():
            return
        super().accept()
