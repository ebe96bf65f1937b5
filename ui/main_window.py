"""The composer window: the library, the digest editor, the preview and the preflight panel.

Left, the library (search, category and month filters, a table to drag from);
in the middle, the open digest (fields, sections and items, per-item text);
right, the preview of the email and the preflight findings. The window wires
them together and to the library; the work itself is the core's:
:mod:`composer.digest.editing` plans every edit, :mod:`composer.email.render` renders (on a
worker thread, see :mod:`ui.rendering`), :mod:`composer.email.export` writes files,
the importers read sources (on a worker, see :mod:`ui.importing`).

Window state (geometry, splitter sizes, the last digest of each library, the
preview toggles, the export profile) lives in :class:`QSettings`; the file can
be chosen with ``NEWSDIGEST_SETTINGS`` (see :func:`ui.app.make_settings`).
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QDate,
    QItemSelectionModel,
    QMimeData,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from composer.digest.drafting import draft_digest
from composer.digest.editing import (
    duplicate_digest,
    empty_digest,
    plan_add_items,
    plan_field,
    shorten,
)
from composer.digest.model import Digest
from composer.email.preview_frames import size_label, size_level
from composer.errors import NewsdigestError, ValidationError
from composer.library.item import NewsItem
from composer.library.search import ItemFilter
from composer.repository import AddResult, Library
from composer.theme.model import Theme, theme_from_settings
from ui.actions import make_action
from ui.app_icon import app_icon
from ui.digest_dialogs import DraftDialog, OpenDigestDialog
from ui.digest_editor import DigestEditor
from ui.document import DigestDocument
from ui.findings import PreflightPanel
from ui.importing import (
    ImportOutcome,
    ImportTask,
    SourceRead,
    clipboard_reader,
    mime_formats,
    progress_dialog,
)
from ui.item_dialog import ItemDialog
from ui.item_filter_proxy import ItemFilterProxy
from ui.item_table_model import ITEM_ID_ROLE, ItemTableModel
from ui.link_fetch import LinkDropFilter
from ui.preview import PreviewPane
from ui.rendering import RenderJob, RenderResult, RenderScheduler
from ui.sending import SendController
from ui.settings_dialog import SettingsDialog
from ui.welcome_page import WelcomePage

log = logging.getLogger("newsdigest.window")

if TYPE_CHECKING:  # the exporters, importers and renderer load on first use (start-up time)
    from composer.email.export import Exported, ExportProfile
    from composer.email.preflight import Finding
    from composer.email.render import Renderer
    from composer.library.importers.base import ImportReport
    from composer.secrets import PasswordStore
    from ui.about import AboutDialog
    from ui.first_run import FirstRunDialog
    from ui.import_preview import ImportPreview

IMPORT_FILTER = (
    "News sources (*.txt *.xml *.rss *.atom *.csv *.json);;Listing text (*.txt);;"
    "RSS or Atom feed (*.xml *.rss *.atom);;Spreadsheet (*.csv);;JSON (*.json);;All files (*)"
)
ALL_CATEGORIES = "All categories"
ALL_MONTHS = "All months"
DATE_RANGE = "Date range…"
EXPORT_KINDS = {
    "html": ("Export HTML", "HTML email (*.html)", ".html"),
    "text": ("Export plain text", "Plain text (*.txt)", ".txt"),
    "eml": ("Export .eml", "Email message (*.eml)", ".eml"),
    "zip": ("Export bundle", "Zip bundle (*.zip)", ".zip"),
}
DEFAULT_SIZES = (360, 430, 610)
SIZE_COLORS = {
    "ok": ("#1b5e20", "#81c784"),
    "warning": ("#8a5300", "#ffb74d"),
    "error": ("#b71c1c", "#ef9a9a"),
}


def _day(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class MainWindow(QMainWindow):
    """Library, digest editor, preview and preflight, with the app's menus and toolbar."""

    def __init__(
        self,
        library: Library,
        parent: Any = None,
        *,
        settings: QSettings | None = None,
        render_executor: concurrent.futures.Executor | None = None,
        import_executor: concurrent.futures.Executor | None = None,
        send_executor: concurrent.futures.Executor | None = None,
        passwords: PasswordStore | None = None,
        restore: bool = True,
        first_run: bool | None = None,
    ) -> None:
        super().__init__(parent)
        from ui.app import make_settings

        self.library = library
        self.settings = settings if settings is not None else make_settings()
        self._library_key = hashlib.sha1(
            library.location.encode("utf-8"), usedforsecurity=False
        ).hexdigest()[:12]
        self.theme = self._read_theme()
        self._preview_theme: Theme | None = None
        # first-run setup: on a real start (the window makes its own settings) unless asked
        self._first_run = settings is None if first_run is None else first_run
        self._own_import_executor = import_executor is None
        self.import_executor = import_executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="newsdigest-import"
        )
        self.last_import_summary = ""
        self.last_result: RenderResult | None = None
        self._import_task: ImportTask | None = None
        self._progress: QProgressDialog | None = None
        self.import_preview: ImportPreview | None = None
        self._closed = False
        self._started = False  # set once the event loop runs: see _after_start
        self.setObjectName("newsdigest-main-window")
        self.setWindowIcon(app_icon())
        self._default_size()

        self.document = DigestDocument(library, self)
        self.document.model.set_category_order(self.theme.category_order)
        self.scheduler = RenderScheduler(render_executor, parent=self)

        self._build_library_pane()
        self.editor = DigestEditor(self.document)
        self.theme_picker = self.editor.theme_picker
        self.theme_picker.set_default(self.theme.template)
        self.preview = PreviewPane()
        self.preflight = PreflightPanel()

        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.setObjectName("preview-splitter")
        self.right.addWidget(self.preview)
        self.right.addWidget(self.preflight)
        self.right.setStretchFactor(0, 4)
        self.right.setStretchFactor(1, 1)
        self.right.setSizes([700, 170])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main-splitter")
        self.splitter.addWidget(self.library_pane)
        self.splitter.addWidget(self.editor)
        self.splitter.addWidget(self.right)
        self.splitter.setChildrenCollapsible(False)
        for n, factor in enumerate((2, 2, 3)):
            self.splitter.setStretchFactor(n, factor)
        self.splitter.setSizes(list(DEFAULT_SIZES))
        self.setCentralWidget(self.splitter)

        self.count = QLabel()
        self.count.setAccessibleName("Library item count")
        self.size_status = QLabel()
        self.size_status.setAccessibleName("Email size against Gmail's limit")
        self.size_status.setToolTip(
            "Gmail clips emails larger than about 102 KB and hides the rest, "
            "unsubscribe link included"
        )
        self.statusBar().addPermanentWidget(self.size_status)
        self.statusBar().addPermanentWidget(self.count)

        self.sending = SendController(self, passwords=passwords, executor=send_executor)
        self._make_actions()
        self._connect()
        self.refresh()
        if restore:
            self._restore_state()
        self._update_title()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._started:
            # Qt WebEngine, the export profiles and the first render (which loads the
            # renderer) start once the window is on screen, not before.
            QTimer.singleShot(0, self, self._after_start)

    def _after_start(self) -> None:
        if self._started:
            return
        self._started = True
        log.info("window shown")
        self._fill_profiles()
        self.preview.prepare()
        self.proxy.build_index_in(self.import_executor)
        self.request_render()
        if self._first_run:
            self.offer_first_run()

    def _default_size(self) -> None:
        """1440 × 900, or 90 % of a smaller screen."""
        screen = QGuiApplication.primaryScreen()
        width, height = 1440, 900
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.9)) or width
            height = min(height, int(available.height() * 0.9)) or height
        self.resize(width, height)

    # -- building ---------------------------------------------------------------------------------
    def _build_library_pane(self) -> None:
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
        self.month.setToolTip("Show one month only, or the items of a range of dates")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "From date"), (self.date_to, "To date")):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setAccessibleName(name)
            edit.setToolTip(f"{name} (inclusive)")
            edit.dateChanged.connect(self._apply_filter)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Library items")
        self.table.setToolTip(
            "Drag items into the digest, or press Enter / double-click to add them"
        )
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        # fixed widths: sizing to contents would measure every row of a 50,000-item library
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, self.fontMetrics().horizontalAdvance("2023-01-31") + 28)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 120)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.add_button = QPushButton("Add to digest")
        self.add_button.setAccessibleName("Add the selected items to the digest")
        self.add_button.setToolTip("Add the selected items to the open digest (Ctrl+Enter)")
        filters = QHBoxLayout()
        filters.addWidget(self.category, 1)
        filters.addWidget(self.month, 1)
        self.range_row = QWidget()
        range_layout = QHBoxLayout(self.range_row)
        range_layout.setContentsMargins(0, 0, 0, 0)
        range_layout.addWidget(QLabel("From"))
        range_layout.addWidget(self.date_from, 1)
        range_layout.addWidget(QLabel("to"))
        range_layout.addWidget(self.date_to, 1)
        self.range_row.hide()
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.add_button)
        library_page = QWidget()
        library_layout = QVBoxLayout(library_page)
        library_layout.setContentsMargins(4, 4, 4, 4)
        library_layout.addWidget(self.search)
        library_layout.addLayout(filters)
        library_layout.addWidget(self.range_row)
        library_layout.addWidget(self.table, 1)
        library_layout.addLayout(bottom)

        self.welcome = WelcomePage()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.welcome)
        self.pages.addWidget(library_page)
        self.library_pane = self.pages

        self._search_timer = QTimer(self, singleShot=True, interval=120)
        self._search_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(self._search_timer.start)
        self.category.currentIndexChanged.connect(self._apply_filter)
        self.month.currentIndexChanged.connect(self._apply_filter)
        self.table.activated.connect(lambda _index: self.add_selected_to_digest())

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        tip: str,
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        standard = self.style().standardIcon(icon) if icon is not None else None
        return make_action(self, text, shortcut, tip, slot=slot, icon=standard)

    def _make_actions(self) -> None:
        sp = QStyle.StandardPixmap
        a = self._action
        # digests
        self.new_action = a(
            "&New digest",
            self.new_digest,
            QKeySequence.StandardKey.New,
            "Start a new, empty digest",
            sp.SP_FileIcon,
        )
        self.draft_action = a(
            "&Draft from month…",
            self.draft_from_month,
            "Ctrl+Shift+N",
            "Draft a digest from every item of a month",
            sp.SP_FileDialogListView,
        )
        self.open_action = a(
            "&Open digest…",
            self.open_digest,
            QKeySequence.StandardKey.Open,
            "Open a digest saved in this library",
            sp.SP_DialogOpenButton,
        )
        self.save_action = a(
            "&Save digest",
            self.save_digest,
            QKeySequence.StandardKey.Save,
            "Save the digest now (it is also saved a second after every change)",
            sp.SP_DialogSaveButton,
        )
        self.duplicate_action = a(
            "D&uplicate digest",
            self.duplicate_digest,
            "Ctrl+Alt+D",
            "Make a copy of this digest and open it",
        )
        self.rename_digest_action = a(
            "&Rename digest…",
            self.rename_digest,
            "Ctrl+Alt+R",
            "Change the digest's title",
        )
        self.delete_digest_action = a(
            "Delete digest…",
            self.delete_digest,
            "Ctrl+Shift+Del",
            "Delete this digest from the library (the items stay)",
            sp.SP_TrashIcon,
        )
        # library
        self.import_action = a(
            "&Import…",
            self.import_file,
            "Ctrl+I",
            "Import news items from a file or a feed address",
            sp.SP_DialogOpenButton,
        )
        self.paste_action = a(
            "&Paste news listing",
            self.paste_listing,
            "Ctrl+Shift+V",
            "Import the news listing (or the article links) on the clipboard",
            sp.SP_FileDialogContentsView,
        )
        self.sample_action = a(
            "Load &sample library",
            self.load_sample,
            "Ctrl+Alt+L",
            "Add 48 fictional items to try the app",
        )
        self.new_item_action = a(
            "New &item…",
            self.new_item,
            "Ctrl+Alt+I",
            "Type in a news item by hand",
            sp.SP_FileDialogNewFolder,
        )
        self.edit_item_action = a(
            "&Edit item…",
            self.edit_item,
            "Ctrl+Shift+E",
            "Edit the selected library item",
        )
        self.remove_action = a(
            "&Remove items…",
            self.remove_selected,
            QKeySequence.StandardKey.Delete,
            "Remove the selected items from the library",
            sp.SP_TrashIcon,
        )
        self.add_action = a(
            "&Add to digest",
            self.add_selected_to_digest,
            "Ctrl+Return",
            "Add the selected library items to the open digest",
            sp.SP_ArrowRight,
        )
        self.find_action = a(
            "&Find", self.search.setFocus, QKeySequence.StandardKey.Find, "Search the library"
        )
        # export
        self.export_actions: dict[str, QAction] = {}
        for kind, shortcut in (
            ("html", "Ctrl+E"),
            ("text", "Ctrl+Shift+T"),
            ("eml", "Ctrl+Shift+M"),
            ("zip", "Ctrl+Shift+B"),
        ):
            label, _, suffix = EXPORT_KINDS[kind]
            self.export_actions[kind] = a(
                f"{label}…",
                partial(self.export, kind),
                shortcut,
                f"Write the digest as a {suffix} file for the chosen mailing tool",
                sp.SP_DialogSaveButton if kind == "html" else None,
            )
        self.copy_html_action = a(
            "&Copy HTML",
            self.copy_html,
            "Ctrl+Shift+C",
            "Copy the email (HTML and plain text) to paste into a mailing tool",
            sp.SP_FileDialogDetailedView,
        )
        self.settings_action = a(
            "&Theme settings…",
            self.show_settings,
            "Ctrl+,",
            "Organisation, logo, colours, footer, locale, category order",
            sp.SP_FileDialogInfoView,
        )
        self.setup_action = a(
            "Or&ganisation and sending setup…",
            self.show_first_run,
            "Ctrl+Shift+,",
            "Who sends the digest: organisation, logo, sender, postal address, unsubscribe",
        )
        self.quit_action = a("&Quit", self.close, "Ctrl+Q", "Close Newsdigest")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.about_action = a(
            "&About Newsdigest",
            self.show_about,
            "F1",
            "Versions, licences and where the log file is",
            sp.SP_MessageBoxInformation,
        )
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        # undo and redo: the stack names the step ("Undo move 'Workshop on…'")
        self.undo_action = self.document.stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setIcon(self.style().standardIcon(sp.SP_ArrowBack))
        self.redo_action = self.document.stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo_action.setIcon(self.style().standardIcon(sp.SP_ArrowForward))
        self.undo_action.setToolTip("Undo the last change to the digest (Ctrl+Z)")
        self.redo_action.setToolTip("Redo the change undone last (Ctrl+Shift+Z)")

        for action in (self.remove_action, self.edit_item_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.table.addAction(action)
        self.add_button.clicked.connect(self.add_selected_to_digest)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addActions(
            [self.new_action, self.draft_action, self.open_action, self.save_action]
        )
        file_menu.addActions(
            [self.duplicate_action, self.rename_digest_action, self.delete_digest_action]
        )
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.sample_action])
        file_menu.addSeparator()
        file_menu.addActions([*self.export_actions.values(), self.copy_html_action])
        file_menu.addSeparator()
        file_menu.addActions([self.sending.test_action, self.sending.send_action])
        file_menu.addSeparator()
        file_menu.addActions(
            [self.setup_action, self.settings_action, self.sending.settings_action]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = menu.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.paste_action, self.find_action, self.add_action])
        edit_menu.addSeparator()
        edit_menu.addActions(
            [
                self.editor.up_action,
                self.editor.down_action,
                self.editor.rename_action,
                self.editor.remove_action,
            ]
        )
        edit_menu.addSeparator()
        edit_menu.addActions([self.new_item_action, self.edit_item_action, self.remove_action])
        view_menu = menu.addMenu("&View")
        view_menu.addActions(self.preview.actions_list)
        for action in self.preview.actions_list:
            self.addAction(action)
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)

        self.profile = QComboBox()
        self.profile.setAccessibleName("Export profile")
        self.profile.setToolTip(
            "The mailing tool the export is for: it decides how the unsubscribe and "
            "web-version links are written"
        )
        self.profile.setMinimumContentsLength(18)
        self.profile.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        # short toolbar labels (the menus keep the full ones), so that Send fits a laptop screen
        for action, short in (
            (self.new_action, "New"),
            (self.open_action, "Open"),
            (self.paste_action, "Paste listing"),
        ):
            action.setIconText(short)
        toolbar.addActions([self.new_action, self.open_action])
        toolbar.addSeparator()
        toolbar.addActions([self.import_action, self.paste_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        for action in (self.undo_action, self.redo_action):  # known arrows: room for Send
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Export for: "))
        toolbar.addWidget(self.profile)
        toolbar.addActions([self.export_actions["html"], self.copy_html_action])
        toolbar.addSeparator()
        toolbar.addActions([self.sending.test_action, self.sending.send_action])

    def _connect(self) -> None:
        self.link_drops = LinkDropFilter(self)  # links or files dropped on the library
        self.link_drops.watch(self.table.viewport(), self.welcome)
        self.link_drops.dropped.connect(self.fetch_links)
        self.link_drops.files_dropped.connect(partial(self.import_sources, preview=True))
        self.welcome.import_requested.connect(self.import_file)
        self.welcome.paste_requested.connect(self.paste_listing)
        self.welcome.sample_requested.connect(self.load_sample)
        self.editor.new_requested.connect(self.new_digest)
        self.editor.draft_requested.connect(self.draft_from_month)
        self.editor.open_requested.connect(self.open_digest)
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.document.opened.connect(self._digest_opened)
        self.document.changed.connect(self._digest_changed)
        self.document.changed.connect(self.sending.digest_changed)
        self.document.opened.connect(lambda _digest: self.sending.digest_changed())
        self.document.failed.connect(self.show_problem)
        self.document.stack.cleanChanged.connect(lambda _clean: self._update_title())
        self.scheduler.finished.connect(self._rendered)
        self.preview.loaded.connect(self._first_preview_loaded)
        self.preflight.activated.connect(self.show_finding)
        self.profile.currentIndexChanged.connect(self._profile_changed)
        self.table.selectionModel().selectionChanged.connect(self._library_selection_changed)

    # -- library ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the table, the filters and the digest's items from the library."""
        items = self.library.items()
        self.model.set_items(items)
        self.proxy.set_items(items)
        self._fill_combo(self.category, ALL_CATEGORIES, sorted({i.category for i in items}))
        days = {i.date for i in items}  # a few hundred distinct days, even in a big library
        months = sorted({f"{d.year:04d}-{d.month:02d}" for d in days}, reverse=True)
        self._fill_combo(self.month, ALL_MONTHS, [*months, DATE_RANGE] if months else [])
        if items and self.month.currentText() != DATE_RANGE:
            low, high = min(days), max(days)
            for edit, day in ((self.date_from, low), (self.date_to, high)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        self.pages.setCurrentIndex(1 if items else 0)
        self.document.model.set_lookup({item.id: item for item in items})
        self._mark_digest_items()
        self._apply_filter()
        self._library_selection_changed()
        if self._started:
            self.proxy.build_index_in(self.import_executor)
        self.request_render()

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
        in_range = month == DATE_RANGE
        self.range_row.setVisible(in_range)
        return ItemFilter(
            text=self.search.text(),
            category="" if category in ("", ALL_CATEGORIES) else category,
            month="" if month in ("", ALL_MONTHS, DATE_RANGE) else month,
            date_from=_day(self.date_from.date()) if in_range else None,
            date_to=_day(self.date_to.date()) if in_range else None,
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

    def _library_selection_changed(self, *args: Any) -> None:
        has = bool(self.table.selectionModel().hasSelection())
        for action in (self.add_action, self.remove_action):
            action.setEnabled(has)
        self.add_button.setEnabled(has)
        self.edit_item_action.setEnabled(len(self.selected_ids()) == 1)

    def _mark_digest_items(self) -> None:
        digest = self.document.digest
        self.model.set_marked(digest.item_ids() if digest else ())

    def _context_menu(self, pos: Any) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        menu.addActions([self.add_action, self.edit_item_action, self.new_item_action])
        menu.addSeparator()
        menu.addAction(self.remove_action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def remove_selected(self, confirm: bool = True) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if confirm and not self.confirm(
            "Remove items",
            f"Remove {len(ids)} item{'s' if len(ids) != 1 else ''} from the library? "
            "Digests that use them will show them as missing.",
        ):
            return
        try:
            removed = self.library.remove_items(ids)
        except NewsdigestError as exc:
            self.show_problem(f"Could not remove the items: {exc}")
            return
        self.refresh()
        self.statusBar().showMessage(f"Removed {len(removed)} items", 5000)

    def new_item(self) -> None:
        dialog = ItemDialog(self._categories(), parent=self, executor=self.import_executor)
        dialog.accepted.connect(lambda: self._item_entered(dialog.result_item, new=True))
        dialog.open()

    def edit_item(self) -> None:
        ids = self.selected_ids()
        item = self.library.get_item(ids[0]) if len(ids) == 1 else None
        if item is None:
            return
        dialog = ItemDialog(self._categories(), item, parent=self, executor=self.import_executor)
        dialog.accepted.connect(lambda: self._item_entered(dialog.result_item, new=False))
        dialog.open()

    def _categories(self) -> list[str]:
        return list(dict.fromkeys([*self.theme.category_order, *self.model_categories()]))

    def model_categories(self) -> list[str]:
        return sorted({self.model.item_at(r).category for r in range(self.model.rowCount())})

    def _item_entered(self, item: NewsItem | None, *, new: bool) -> None:
        if item is None:
            return
        try:
            if new:
                added = self.library.add_items([item])
                if not added.new:
                    self.show_problem(
                        f"“{item.title}” is already in the library ({added.existing[0].date})."
                    )
                    return
            else:
                self.library.save_item(item)
        except NewsdigestError as exc:
            self.show_problem(f"The item could not be saved: {exc}")
            return
        self.refresh()
        self.select_ids([item.id])

    # -- importing --------------------------------------------------------------------------------
    def import_file(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import news items", "", IMPORT_FILTER)
        if paths:
            self.import_sources(paths, preview=True)

    def import_sources(self, sources: Sequence[str], *, preview: bool = False) -> ImportTask:
        """Read the sources in the background (progress and Cancel), then add and summarise.

        With ``preview`` (the Import action, drops) they are shown first, and only the
        preview's "Import N items" adds them.
        """
        task = ImportTask(list(sources), self.import_executor, parent=self)
        return self._run_import(task, preview)

    def fetch_links(self, links: Sequence[str]) -> ImportTask:
        """Fetch article links in the background, then preview the items they make."""
        from ui.link_fetch import article_reader, merge_links

        task = ImportTask(list(links), self.import_executor, reader=article_reader(), parent=self)
        return self._run_import(task, True, merge_links, "Fetching articles")

    def _run_import(
        self,
        task: ImportTask,
        preview: bool,
        merge: Callable[[Sequence[SourceRead]], SourceRead] | None = None,
        title: str = "Importing news items",
    ) -> ImportTask:
        self._progress = progress_dialog(self, task, title)
        self._import_task = task
        task.finished.connect(lambda outcome: self._import_finished(outcome, preview, merge))
        task.start()
        return task

    def _import_finished(
        self,
        outcome: ImportOutcome,
        preview: bool = False,
        merge: Callable[[Sequence[SourceRead]], SourceRead] | None = None,
    ) -> None:
        if self._progress is not None:
            self._progress.reset()
            self._progress.hide()
            self._progress.deleteLater()
            self._progress = None
        self._import_task = None
        if outcome.cancelled:
            self._import_cancelled()
        elif preview and outcome.reports:
            reads = [merge(outcome.reads)] if merge else list(outcome.reads)
            self.preview_import(reads)
        else:
            self._add_reports(list(outcome.reports), list(outcome.failures))

    def _import_cancelled(self) -> None:
        self.last_import_summary = "Import cancelled: nothing was added to the library."
        self.statusBar().showMessage(self.last_import_summary, 8000)

    def preview_import(self, reads: Sequence[SourceRead]) -> ImportPreview:
        """Show what was read; its "Import N items" adds it in one write, Cancel nothing."""
        from ui.import_preview import ImportPreview

        dialog = ImportPreview(
            reads,
            find_existing=self.library.find_existing,
            executor=self.import_executor,
            parent=self,
        )
        dialog.accepted.connect(
            lambda: self._add_reports(dialog.reports(), dialog.failures(), previewed=True)
        )
        dialog.rejected.connect(self._import_cancelled)
        dialog.finished.connect(lambda _result: self._preview_closed(dialog))
        self.import_preview = dialog
        dialog.open()
        return dialog

    def _preview_closed(self, dialog: ImportPreview) -> None:
        if self.import_preview is dialog:
            self.import_preview = None
        dialog.deleteLater()

    def paste_listing(self) -> ImportTask | None:
        """Read the clipboard (its HTML when it has some), or fetch the links it holds."""
        from composer.library.importers import links_in_text

        mime = QGuiApplication.clipboard().mimeData()
        text = mime.text() if mime is not None and mime.hasText() else ""
        has_html = mime is not None and mime.hasHtml() and bool(mime.html().strip())
        if mime is None or not (has_html or text.strip()):
            self.show_problem(
                "The clipboard holds no text. Copy a news listing from your website first.",
                title="Nothing to paste",
            )
            return None
        if links := links_in_text(text):
            return self.fetch_links(links)
        reader = clipboard_reader(mime_formats(mime))
        task = ImportTask(["clipboard"], self.import_executor, reader=reader, parent=self)
        return self._run_import(task, True, title="Reading the clipboard")

    def load_sample(self) -> None:
        from composer.library import sample
        from composer.library.importers.base import ImportReport

        items = sample.load_sample_items()
        report = ImportReport(source=sample.SAMPLE_SOURCE, format="json", items=items)
        self._add_reports([report], [])

    def _add_reports(
        self, reports: list[ImportReport], failures: list[str], *, previewed: bool = False
    ) -> None:
        from composer.library.import_adding import ImportAdded, add_imported

        lines: list[str] = []
        outcome = ImportAdded(AddResult((), ()))
        if reports:
            try:
                outcome = add_imported(self.library, (i for r in reports for i in r.items))
            except NewsdigestError as exc:
                failures.append(str(exc))
                previewed = False  # the write failed: say so
        added = outcome.added
        if mended := outcome.mended_line():
            lines.append(_escape(mended))
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
        self.statusBar().showMessage(
            f"Imported {len(added.new)} new items" + (f"; {mended}" if mended else ""), 8000
        )
        if previewed:
            return  # the preview showed the rest
        box = QMessageBox(
            QMessageBox.Icon.Warning if failures else QMessageBox.Icon.Information,
            "Import finished" if not failures else "Import finished with problems",
            "<br>".join(lines) or "Nothing to import.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()

    # -- digests ----------------------------------------------------------------------------------
    def _settings_key(self, name: str) -> str:
        return f"libraries/{self._library_key}/{name}"

    def new_digest(self, period: str | None = None) -> Digest:
        digest = empty_digest(self.theme, period)
        self.document.open(digest, save=True)
        self.editor.focus_field("title")
        return digest

    def draft_from_month(self, month: str | None = None) -> Digest | None:
        items = self.library.items()
        if month is None:
            counts: dict[str, int] = {}
            for item in items:
                counts[item.month] = counts.get(item.month, 0) + 1
            dialog = DraftDialog(sorted(counts.items(), reverse=True), self)
            if dialog.exec() != DraftDialog.DialogCode.Accepted:
                return None
            month = dialog.chosen_month()
            title = dialog.title.text().strip() or None
        else:
            title = None
        try:
            digest = draft_digest(items, month, self.theme, title=title)
        except NewsdigestError as exc:
            self.show_problem(str(exc), title="Cannot draft the digest")
            return None
        self.document.open(digest, save=True)
        return digest

    def open_digest(self, digest_id: str | None = None) -> Digest | None:
        if digest_id is None:
            dialog = OpenDigestDialog(self.library.digests(), self)
            if dialog.exec() != OpenDigestDialog.DialogCode.Accepted:
                return None
            digest_id = dialog.chosen_id()
            if digest_id is None:
                return None
        stored = self.library.get_digest(digest_id)
        if stored is None:
            self.show_problem(f"There is no digest {digest_id} in this library.")
            return None
        try:
            digest = Digest.from_dict(stored)
        except ValidationError as exc:
            self.show_problem(f"The digest {digest_id} cannot be opened: {exc}")
            return None
        self.document.open(digest)
        return digest

    def save_digest(self) -> bool:
        self.editor.flush()
        self.document.dirty = self.document.dirty or self.document.autosave_pending
        saved = self.document.save()
        if saved and self.document.digest is not None:
            self.statusBar().showMessage("Digest saved", 3000)
        return saved

    def duplicate_digest(self) -> Digest | None:
        digest = self.document.digest
        if digest is None:
            return None
        self.save_digest()
        copy = duplicate_digest(digest)
        self.document.open(copy, save=True)
        self.statusBar().showMessage(f"Opened a copy: {copy.title}", 5000)
        return copy

    def rename_digest(self, title: str | None = None) -> bool:
        digest = self.document.digest
        if digest is None:
            return False
        if title is None:
            text, ok = QInputDialog.getText(
                self, "Rename digest", "Title:", QLineEdit.EchoMode.Normal, digest.title
            )
            if not ok:
                return False
            title = text
        try:
            operation = plan_field(digest, "title", title)
        except ValidationError as exc:
            self.show_problem(str(exc), title="Cannot rename the digest")
            return False
        return operation is None or self.document.submit([operation], text="rename digest")

    def delete_digest(self, confirm: bool = True) -> bool:
        digest = self.document.digest
        if digest is None:
            return False
        if confirm and not self.confirm(
            "Delete digest",
            f"Delete the digest “{digest.title}” from the library? Its items stay in the "
            "library. This cannot be undone.",
        ):
            return False
        self.document.close_without_saving()
        try:
            self.library.remove_digest(digest.id)
        except NewsdigestError as exc:
            self.show_problem(f"The digest could not be deleted: {exc}")
            return False
        self.statusBar().showMessage(f"Deleted the digest “{digest.title}”", 5000)
        return True

    def add_selected_to_digest(self) -> bool:
        return self.add_to_digest(self.selected_ids())

    def add_to_digest(self, ids: Sequence[str]) -> bool:
        """Add library items to the digest, each into its category's section."""
        lookup = self.document.lookup
        items = [lookup[i] for i in ids if i in lookup]
        if not items:
            return False
        if self.document.digest is None:
            months = {item.month for item in items}
            self.new_digest(months.pop() if len(months) == 1 else None)
        digest = self.document.digest
        assert digest is not None
        operations = plan_add_items(digest, items, lookup, self.theme.category_order)
        if not operations:
            self.statusBar().showMessage("Those items are already in the digest", 4000)
            return False
        done = self.document.submit(operations)
        if done:
            first = next((i for i in items if not digest.contains(i.id)), None)
            if first is not None:
                self.editor.select_item(first.id)
        return done

    def _digest_opened(self, digest: Digest | None) -> None:
        self.settings.setValue(self._settings_key("last_digest"), digest.id if digest else "")
        self.settings.sync()  # a crash right after must still reopen this digest
        self._digest_changed()

    def _digest_changed(self) -> None:
        self._mark_digest_items()
        self._update_title()
        has = self.document.digest is not None
        for action in (
            self.save_action,
            self.duplicate_action,
            self.rename_digest_action,
            self.delete_digest_action,
            self.copy_html_action,
            *self.export_actions.values(),
        ):
            action.setEnabled(has)
        self.request_render()

    def _update_title(self) -> None:
        digest = self.document.digest
        name = digest.title if digest else "no digest open"
        self.setWindowTitle(f"{shorten(name, 60)} — Newsdigest — {self.library.location}")

    # -- preview ----------------------------------------------------------------------------------
    @property
    def active_theme(self) -> Theme:
        return self._preview_theme or self.theme

    def current_profile(self) -> ExportProfile:
        table = self._profiles()
        name = self.profile.currentData() or self.settings.value("export/profile", "plain")
        return table.get(str(name)) or table["plain"]

    def _profiles(self) -> dict[str, ExportProfile]:
        from composer.email.export import profiles

        try:
            return profiles(self.library.settings())
        except ValidationError as exc:
            self.statusBar().showMessage(f"Export profiles in the settings: {exc}", 8000)
            from composer.email.export import BUILTIN_PROFILES

            return dict(BUILTIN_PROFILES)

    def _fill_profiles(self) -> None:
        wanted = str(self.settings.value("export/profile", "plain"))
        self.profile.blockSignals(True)
        self.profile.clear()
        for name, profile in self._profiles().items():
            self.profile.addItem(profile.label, name)
        self.profile.setCurrentIndex(max(0, self.profile.findData(wanted)))
        self.profile.blockSignals(False)

    def _profile_changed(self) -> None:
        self.settings.setValue("export/profile", self.profile.currentData())
        self.request_render()

    def render_job(self) -> RenderJob | None:
        digest = self.document.digest
        if digest is None:
            return None
        theme = self.active_theme
        return RenderJob(digest, self.document.lookup, theme, self.current_profile().links(theme))

    def request_render(self, *, now: bool = False) -> None:
        """Re-render the preview (after a short pause, unless ``now``)."""
        if not self._started:
            if not now:
                return  # the first render follows the first paint
            self._after_start()
        job = self.render_job()
        if job is None:
            self.preview.show_message(
                "No digest open.\n\nStart one from the digest pane, or drag items from the library."
            )
            self.preflight.set_findings([])
            self.size_status.clear()
            return
        if now:
            self.scheduler.render_now(job)
        else:
            self.scheduler.request(job)

    def _rendered(self, result: RenderResult) -> None:
        if self._closed:
            return
        digest = self.document.digest
        if digest is None or result.job.digest.id != digest.id:
            return
        self.last_result = result
        if result.rendered is None:
            message = result.error or "The preview could not be rendered."
            self.preview.show_message(message)
            self.statusBar().showMessage(message, 10000)
            return
        rendered = result.rendered
        self.preview.show_email(rendered.html, rendered.text)
        from composer.email.preflight import check_readiness

        ready = check_readiness(self.theme, profile_links=self.current_profile().from_theme)
        self.preflight.set_findings([*ready, *rendered.findings])
        self._show_size(rendered.size)

    def _first_preview_loaded(self, ok: bool) -> None:
        """Say in the log whether the first email preview loaded (the standalone smoke test)."""
        self.preview.loaded.disconnect(self._first_preview_loaded)
        if ok:
            log.info("preview shown")
        else:
            log.warning("the preview did not load")

    def _show_size(self, size: int) -> None:
        level = size_level(size)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        color = SIZE_COLORS[level][1 if dark else 0]
        mark = {"ok": "●", "warning": "▲", "error": "■"}[level]
        self.size_status.setText(f"<span style='color:{color}'>{mark} {size_label(size)}</span>")
        self.size_status.setAccessibleDescription(f"{size_label(size)}, {level}")

    def show_finding(self, finding: Finding) -> None:
        """Select what a preflight finding is about (an item, a section, or a field)."""
        if finding.item_id and self.editor.select_item(finding.item_id):
            return
        if finding.section is not None and self.editor.select_section(finding.section):
            return
        self.editor.focus_field(finding.digest_field)

    # -- export -----------------------------------------------------------------------------------
    def export_renderer(self) -> Renderer:
        """The theme's shared renderer, the preview's: an unchanged digest is not rendered
        again to be exported or sent."""
        from composer.email.render import renderer_for

        return renderer_for(self.theme)

    def exported(self) -> Exported | None:
        from composer.email.export import export_digest

        digest = self.document.digest
        if digest is None:
            return None
        self.editor.flush()
        digest = self.document.digest
        assert digest is not None
        try:
            return export_digest(
                self.export_renderer(),
                digest,
                self.document.lookup,
                self.theme,
                self.current_profile(),
            )
        except NewsdigestError as exc:
            self.show_problem(str(exc), title="Cannot export")
            return None

    def _confirm_findings(self, exported: Exported, what: str) -> bool:
        errors = [f for f in exported.findings if f.severity == "error"]
        if not errors:
            return True
        listed = "\n".join(f"• {f.message}" for f in errors[:8])
        more = f"\n… and {len(errors) - 8} more" if len(errors) > 8 else ""
        return self.confirm(
            "Export with errors?",
            f"The preflight check found {len(errors)} error{'s' if len(errors) != 1 else ''} "
            f"that will show in inboxes:\n\n{listed}{more}\n\n{what} anyway?",
        )

    def export(self, kind: str, path: str | None = None) -> Path | None:
        """Write the digest as ``kind`` (html, text, eml, zip); asks for the file unless given."""
        from composer.email.export import write_exports

        exported = self.exported()
        if exported is None:
            return None
        label, file_filter, suffix = EXPORT_KINDS[kind]
        if not self._confirm_findings(exported, label):
            return None
        if path is None:
            folder = str(self.settings.value("export/folder", str(Path.home())))
            suggested = str(Path(folder) / f"{exported.basename()}{suffix}")
            path = self.ask_save_path(label, suggested, file_filter)
            if not path:
                return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(suffix)
        keyword = {"html": "html", "text": "text", "eml": "eml", "zip": "bundle"}[kind]
        try:
            (written,) = write_exports(exported, **{keyword: target})
        except NewsdigestError as exc:
            self.show_problem(str(exc), title="Export failed")
            return None
        self.settings.setValue("export/folder", str(target.parent))
        notes = f" ({'; '.join(exported.notes)})" if exported.notes else ""
        self.statusBar().showMessage(f"Wrote {written}{notes}", 10000)
        return written

    def copy_html(self) -> bool:
        exported = self.exported()
        if exported is None or not self._confirm_findings(exported, "Copy"):
            return False
        mime = QMimeData()
        mime.setHtml(exported.html)
        mime.setText(exported.text)
        QGuiApplication.clipboard().setMimeData(mime)
        self.statusBar().showMessage(
            "Copied the email (HTML and plain text): paste it into your mailing tool", 6000
        )
        return True

    # -- settings ---------------------------------------------------------------------------------
    def _read_theme(self) -> Theme:
        try:
            return theme_from_settings(self.library.settings())
        except ValidationError as exc:
            message = f"The theme settings are not valid ({exc}); the default theme is used."
            QTimer.singleShot(0, lambda: self.show_problem(message))
            return Theme()

    def show_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.library.settings(), self)
        dialog.previewed.connect(self._preview_settings)
        dialog.finished.connect(lambda result: self._settings_finished(dialog, result))
        dialog.open()
        return dialog

    def _preview_settings(self, theme: Theme) -> None:
        self._preview_theme = theme
        self.request_render()

    def _settings_finished(self, dialog: SettingsDialog, result: int) -> None:
        self._preview_theme = None
        if result == SettingsDialog.DialogCode.Accepted:
            try:
                self.library.update_settings(dialog.settings_changes())
            except NewsdigestError as exc:
                self.show_problem(f"The settings could not be saved: {exc}")
            self._theme_saved()
        self.request_render()

    def _theme_saved(self) -> None:
        self.theme = self._read_theme()
        self.document.model.set_category_order(self.theme.category_order)
        self.theme_picker.set_default(self.theme.template)
        self.sending.digest_changed()

    def offer_first_run(self) -> FirstRunDialog | None:
        """The first-run setup, when this library's theme is not set up and it was not skipped."""
        from ui.first_run import setup_wanted

        if not setup_wanted(self.theme, self.settings, self._library_key):
            return None
        return self.show_first_run()

    def show_first_run(self) -> FirstRunDialog:
        """Organisation and sending setup (first run, or File ▸ Organisation and sending setup…)."""
        from ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.library.settings(), self)
        dialog.finished.connect(lambda result: self._first_run_finished(dialog, result))
        dialog.open()
        return dialog

    def _first_run_finished(self, dialog: FirstRunDialog, result: int) -> None:
        from ui.first_run import remember_skipped

        if result != dialog.DialogCode.Accepted:
            remember_skipped(self.settings, self._library_key)
            return
        try:
            self.library.update_settings(dialog.settings_changes())
        except NewsdigestError as exc:
            self.show_problem(f"The setup could not be saved: {exc}")
        self._theme_saved()
        self.request_render()

    # -- about and errors -------------------------------------------------------------------------
    def show_about(self) -> AboutDialog:
        """Open the About box (without blocking)."""
        from ui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def save_after_crash(self) -> str:
        """Save the open digest after an unexpected error; says what happened, for the user."""
        digest = self.document.digest
        if digest is None:
            return "No digest was open, so nothing needed saving."
        try:
            self.editor.flush()  # text typed but not yet pushed as an edit
        except Exception:
            log.exception("taking the text being typed after the error failed")
        title = shorten((self.document.digest or digest).title, 60)
        try:
            self.document.dirty = self.document.dirty or self.document.autosave_pending
            saved = self.document.save()
        except Exception as exc:
            log.exception("saving the digest after the error failed")
            return (
                f"The digest “{title}” could not be saved ({type(exc).__name__}: {exc}); "
                "the library keeps its last autosave, about a second before the error."
            )
        if not saved:
            return (
                f"The digest “{title}” could not be saved (see the other message); "
                "the library keeps its last autosave."
            )
        return f"Your digest “{title}” was saved before this message."

    # -- messages ---------------------------------------------------------------------------------
    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (tests replace this method)."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def ask_save_path(self, caption: str, suggested: str, file_filter: str) -> str | None:
        """Ask where to write a file (tests replace this method)."""
        path, _ = QFileDialog.getSaveFileName(self, caption, suggested, file_filter)
        return path or None

    def show_problem(self, message: str, *, title: str = "Newsdigest") -> None:
        """Show a problem in the window (never only in a console)."""
        self.statusBar().showMessage(message, 10000)
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self
        )
        box.open()

    # -- state ------------------------------------------------------------------------------------
    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        for splitter in (self.splitter, self.right, self.editor.splitter):
            saved = self.settings.value(f"splitters/{splitter.objectName()}")
            if saved is not None:
                splitter.restoreState(saved)
        for action in self.preview.actions_list:
            stored = self.settings.value(f"preview/{action.text()}")
            if stored is not None:
                action.setChecked(str(stored).lower() in ("true", "1"))
        last = str(self.settings.value(self._settings_key("last_digest"), "") or "")
        if last and self.library.get_digest(last) is not None:
            self.open_digest(last)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        for splitter in (self.splitter, self.right, self.editor.splitter):
            self.settings.setValue(f"splitters/{splitter.objectName()}", splitter.saveState())
        for action in self.preview.actions_list:
            self.settings.setValue(f"preview/{action.text()}", action.isChecked())
        digest = self.document.digest
        self.settings.setValue(self._settings_key("last_digest"), digest.id if digest else "")
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.sending.close():
            event.ignore()
            return
        self.editor.flush()
        if not self.document.save() and not self.confirm(
            "Close without saving?",
            "The digest could not be saved (see the message). Close anyway and lose the "
            "last changes?",
        ):
            event.ignore()
            return
        self.save_state()
        self._closed = True
        if self._import_task is not None:
            self._import_task.cancel()
        self.scheduler.close()
        if self._own_import_executor:
            self.import_executor.shutdown(wait=False, cancel_futures=True)
        self.sending.shutdown()
        super().closeEvent(event)

    def activate_row(self, index: QModelIndex) -> None:
        """Add the row's item to the digest (what Enter and double-click do)."""
        if index.isValid():
            self.add_to_digest([str(index.data(ITEM_ID_ROLE))])
