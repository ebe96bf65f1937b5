"""The main window: the library (search, category and month filters, table) and its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from composer.errors import NewsdigestError
from composer.importers import import_source, import_text
from composer.importers.base import ImportReport
from composer.repository import AddResult, Library
from composer.search import ItemFilter, SearchIndex
from ui.item_filter_proxy import ItemFilterProxy
from ui.item_table_model import ITEM_ID_ROLE, ItemTableModel
from ui.welcome_page import WelcomePage

IMPORT_FILTER = (
    "News sources (*.txt *.xml *.rss *.atom *.csv *.json);;Listing text (*.txt);;"
    "RSS or Atom feed (*.xml *.rss *.atom);;Spreadsheet (*.csv);;JSON (*.json);;All files (*)"
)
ALL_CATEGORIES = "All categories"
ALL_MONTHS = "All months"


class MainWindow(QMainWindow):
    """Lists the library and imports into it; the digest editor joins it in a later release."""

    def __init__(self, library: Library, parent: Any = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle(f"Newsdigest — {library.location}")
        self.resize(1100, 720)

        self.model = ItemTableModel(parent=self)
        self.proxy = ItemFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit(placeholderText="Search titles, summaries and tags")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the library")
        self.search.setToolTip("Search titles, summaries and tags (Ctrl+F)")
        self.category = QComboBox()
        self.category.setAccessibleName("Category filter")
        self.category.setToolTip("Show one category only")
        self.month = QComboBox()
        self.month.setAccessibleName("Month filter")
        self.month.setToolTip("Show one month only")
        self.count = QLabel()

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Library items")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 150)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.category, 1)
        filters.addWidget(self.month, 1)
        library_page = QWidget()
        library_layout = QVBoxLayout(library_page)
        library_layout.addLayout(filters)
        library_layout.addWidget(self.table)

        self.welcome = WelcomePage()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(library_page)
        self.setCentralWidget(self.pages)
        self.statusBar().addPermanentWidget(self.count)

        self._search_timer = QTimer(self, singleShot=True, interval=120)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.category.currentIndexChanged.connect(self._apply_filter)
        self.month.currentIndexChanged.connect(self._apply_filter)

        self._make_actions()
        self.welcome.import_requested.connect(self.import_file)
        self.welcome.paste_requested.connect(self.paste_listing)
        self.welcome.sample_requested.connect(self.load_sample)
        self.refresh()

    # -- actions ------------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        tip: str,
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shown})" if shown else tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.import_action = self._action(
            "&Import…",
            self.import_file,
            "Ctrl+I",
            "Import news items from a file",
            sp.SP_DialogOpenButton,
        )
        self.paste_action = self._action(
            "&Paste news listing",
            self.paste_listing,
            "Ctrl+Shift+V",
            "Import the news listing text on the clipboard",
            sp.SP_FileDialogContentsView,
        )
        self.sample_action = self._action(
            "Load &sample library", self.load_sample, None, "Add 48 fictional items to try the app"
        )
        self.remove_action = self._action(
            "&Remove items…",
            self.remove_selected,
            QKeySequence.StandardKey.Delete,
            "Remove the selected items from the library",
            sp.SP_TrashIcon,
        )
        self.find_action = self._action(
            "&Find", self.search.setFocus, QKeySequence.StandardKey.Find, "Search the library"
        )
        self.quit_action = self._action(
            "&Quit", self.close, QKeySequence.StandardKey.Quit, "Close Newsdigest"
        )
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.table.addAction(self.remove_action)
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addActions([self.import_action, self.paste_action, self.sample_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("&Edit")
        edit_menu.addActions([self.find_action, self.remove_action])
        toolbar = self.addToolBar("Library")
        toolbar.setObjectName("library-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addActions([self.import_action, self.paste_action])
        toolbar.addSeparator()
        toolbar.addAction(self.remove_action)

    # -- data -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the table, the filters and the page from the library's current items."""
        items = self.library.items()
        self.model.set_items(items)
        self.proxy.set_index(SearchIndex(items))
        self._fill_combo(self.category, ALL_CATEGORIES, sorted({i.category for i in items}))
        months = sorted({i.month for i in items}, reverse=True)
        self._fill_combo(self.month, ALL_MONTHS, months)
        self.pages.setCurrentIndex(1 if items else 0)
        self.remove_action.setEnabled(bool(items))
        self._apply_filter()

    @staticmethod
    def _fill_combo(combo: QComboBox, everything: str, values: list[str]) -> None:
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything)
        combo.addItems(values)
        combo.setCurrentIndex(max(0, combo.findText(current)))
        combo.blockSignals(False)

    def current_filter(self) -> ItemFilter:
        category = self.category.currentText()
        month = self.month.currentText()
        return ItemFilter(
            text=self.search.text(),
            category="" if category in ("", ALL_CATEGORIES) else category,
            month="" if month in ("", ALL_MONTHS) else month,
        )

    def _apply_filter(self) -> None:
        self.proxy.apply(self.current_filter())
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{shown} of {total} items" if shown != total else f"{total} items")

    def selected_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [str(index.data(ITEM_ID_ROLE)) for index in rows]

    def select_ids(self, ids: list[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for item_id in ids:
            row = self.model.row_of(item_id)
            if row >= 0:
                proxy_index = self.proxy.mapFromSource(self.model.index(row, 0))
                if proxy_index.isValid():
                    selection.select(proxy_index, flags)

    # -- importing ------------------------------------------------------------------------------
    def import_file(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import news items", "", IMPORT_FILTER)
        if paths:
            self.import_sources(paths)

    def import_sources(self, sources: list[str]) -> None:
        reports: list[ImportReport] = []
        failures: list[str] = []
        for source in sources:
            try:
                reports.append(import_source(source))
            except NewsdigestError as exc:
                failures.append(str(exc))
        self._add_reports(reports, failures)

    def paste_listing(self) -> None:
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            QMessageBox.information(
                self,
                "Nothing to paste",
                "The clipboard holds no text. Copy a news listing from your website first.",
            )
            return
        try:
            report = import_text(text, name="clipboard", format="listing")
        except NewsdigestError as exc:
            self._add_reports([], [str(exc)])
            return
        self._add_reports([report], [])

    def load_sample(self) -> None:
        from composer.sample import SAMPLE_SOURCE, load_sample_items

        report = ImportReport(source=SAMPLE_SOURCE, format="json", items=load_sample_items())
        self._add_reports([report], [])

    def _add_reports(self, reports: list[ImportReport], failures: list[str]) -> None:
        lines: list[str] = []
        added = AddResult((), ())
        if reports:
            try:
                added = self.library.add_items(i for r in reports for i in r.items)
            except NewsdigestError as exc:
                failures.append(str(exc))
        for report in reports:
            lines.append(f"<b>{_escape(report.source)}</b>: {report.summary(added)}")
            lines.extend(f"&nbsp;&nbsp;⚠ {_escape(w)}" for w in report.warnings[:20])
            lines.extend(f"&nbsp;&nbsp;✗ {_escape(str(r))}" for r in report.rejected[:50])
            if len(report.rejected) > 50:
                lines.append(f"&nbsp;&nbsp;… and {len(report.rejected) - 50} more rejected")
        lines.extend(f"✗ {_escape(f)}" for f in failures)
        self.refresh()
        self.select_ids([item.id for item in added.new])
        self.last_import_summary = "\n".join(lines)
        box = QMessageBox(
            QMessageBox.Icon.Warning if failures else QMessageBox.Icon.Information,
            "Import finished" if not failures else "Import finished with problems",
            "<br>".join(lines) or "Nothing to import.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()
        self.statusBar().showMessage(f"Imported {len(added.new)} new items", 8000)

    # -- removing -------------------------------------------------------------------------------
    def _context_menu(self, pos: Any) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        menu.addAction(self.remove_action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def remove_selected(self, confirm: bool = True) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                "Remove items",
                f"Remove {len(ids)} item{'s' if len(ids) != 1 else ''} from the library? "
                "Digests that use them will show them as missing.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            removed = self.library.remove_items(ids)
        except NewsdigestError as exc:
            QMessageBox.critical(self, "Could not remove", str(exc))
            return
        self.refresh()
        self.statusBar().showMessage(f"Removed {len(removed)} items", 5000)

    def activate_row(self, index: QModelIndex) -> None:  # reserved for the digest editor
        del index


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
