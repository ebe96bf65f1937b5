"""The composer window: the library, the digest editor, the preview and the preflight panel.

Left, the library (search, category and month filters, a table to drag from);
in the middle, the open digest (fields, sections and items, per-item text);
right, the preview of the email and the preflight findings. This module only
assembles the window: it makes the parts, lays them out, wires their signals,
and restores and saves the window's state. Each part owns its widgets and slots:

- :mod:`ui.library_pane` — the item table, its filters, the item actions;
- :mod:`ui.digest_flow` — new, draft, open, save, duplicate, rename, delete a digest;
  adding library items to it; saving it after a crash;
- :mod:`ui.import_flow` — files, the clipboard, drops and links, the import preview;
- :mod:`ui.export_flow` — the export profile, the exports and Copy HTML;
- :mod:`ui.preview_controller` — render scheduling, the preview, the size status;
- :mod:`ui.theme_setup` — the theme, its settings dialog, the first-run setup;
- :mod:`ui.sending` — Send test, Send and the sending settings;
- :mod:`ui.window_actions` — the actions, menus and toolbar, declared as tables;
- :mod:`ui.open_library_dialog` — File → Open library… and the recent libraries;
- :mod:`ui.unsaved_edits` — an edit the library could not take, kept and offered again;
- :mod:`ui.live_refresh` — other officers' changes to a shared library, shown live.

The work itself is the core's (:mod:`composer.digest.editing` plans every edit,
:mod:`composer.email.render` renders, off the GUI thread: :mod:`ui.rendering`).
Background work runs as operations (:mod:`ui.operations`) on the window's
:class:`~ui.operations.Workers`: the library executor (the one thread that writes
imports to the library; the window's own library calls share its lock), the work pool
(rendering, reading sources, fetching links, the search index) and the send worker.
Window state lives in a :class:`QSettings` under the keys of :mod:`ui.window_settings`;
the file can be chosen with ``NEWSDIGEST_SETTINGS`` (see :func:`ui.app.make_settings`).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPaintEvent
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QSplitter

from composer.repository import Library
from composer.theme.model import Theme
from ui.app_icon import app_icon
from ui.digest_editor import DigestEditor
from ui.digest_flow import DigestFlow
from ui.document import DigestDocument
from ui.export_flow import ExportFlow
from ui.findings import PreflightPanel
from ui.import_flow import ImportFlow
from ui.library_pane import LibraryPane
from ui.link_fetch import LinkDropFilter
from ui.live_refresh import LiveRefresh
from ui.open_library_dialog import LibraryMenu
from ui.operations import Workers
from ui.preview import PreviewPane
from ui.preview_controller import PreviewController
from ui.sending import SendController
from ui.theme_setup import ThemeSetup
from ui.unsaved_edits import UnsavedKeeper
from ui.window_actions import install_actions
from ui.window_settings import (
    EDITOR_SPLITTER,
    GEOMETRY,
    MAIN_SPLITTER,
    PREVIEW_SPLITTER,
    WINDOW_STATE,
    WidgetState,
    library_key,
)

log = logging.getLogger("newsdigest.window")

if TYPE_CHECKING:
    from composer.library.item import NewsItem
    from composer.secrets import PasswordStore
    from ui.about import AboutDialog
    from ui.import_preview import ImportPreview
    from ui.importing import ImportTask

DEFAULT_SIZES = (360, 430, 610)


class MainWindow(QMainWindow):
    """Library, digest editor, preview and preflight, with the app's menus and toolbar."""

    def __init__(
        self,
        library: Library,
        parent: Any = None,
        *,
        settings: QSettings | None = None,
        library_executor: concurrent.futures.Executor | None = None,
        work_executor: concurrent.futures.Executor | None = None,
        send_executor: concurrent.futures.Executor | None = None,
        passwords: PasswordStore | None = None,
        restore: bool = True,
        first_run: bool | None = None,
    ) -> None:
        super().__init__(parent)
        from ui.app import make_settings

        self.workers = Workers(library=library_executor, work=work_executor, send=send_executor)
        self.library = self.workers.serial(library)
        self.settings = settings if settings is not None else make_settings()
        self.library_key = library_key(library.location)
        # first-run setup: on a real start (the window makes its own settings) unless asked
        self._first_run = settings is None if first_run is None else first_run
        self.started = False  # set once the event loop runs: see after_start
        self.closed = False
        self.setObjectName("newsdigest-main-window")
        self.setWindowIcon(app_icon())
        self._default_size()

        self.theme_setup = ThemeSetup(self)
        # the autosave runs on the library worker: a server that went away never freezes typing
        self.document = DigestDocument(self.library, self, runner=self.workers.library_op)
        self.document.model.set_category_order(self.theme.category_order)
        self.library_pane = LibraryPane(self)
        self.editor = DigestEditor(self.document)
        self.theme_picker = self.editor.theme_picker
        self.theme_picker.set_default(self.theme.template)
        self.preview = PreviewPane()
        self.preflight = PreflightPanel()
        self.previewing = PreviewController(self)
        self.exports = ExportFlow(self)
        self.imports = ImportFlow(self)
        self.digests = DigestFlow(self)
        self.sending = SendController(self, passwords=passwords)
        self.libraries = LibraryMenu(self)  # File → Open library…, the recent list
        self.unsaved = UnsavedKeeper(self)  # an edit the library could not take is kept
        self.live = LiveRefresh(self)  # others' changes to a shared library, shown live
        self._lay_out()
        self.actions_by_name = install_actions(self)
        self.library_pane.use_actions(self.actions_by_name)
        self._connect()
        self.refresh()
        if restore:
            self._restore_state()
        self.digests.update_title()

    @property
    def theme(self) -> Theme:
        """The library's theme (:class:`ui.theme_setup.ThemeSetup` reads and changes it)."""
        return self.theme_setup.theme

    # -- assembly ---------------------------------------------------------------------------------
    def _default_size(self) -> None:
        """1440 × 900, or 90 % of a smaller screen."""
        screen = QGuiApplication.primaryScreen()
        width, height = 1440, 900
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.9)) or width
            height = min(height, int(available.height() * 0.9)) or height
        self.resize(width, height)

    def _lay_out(self) -> None:
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
        self.statusBar().addPermanentWidget(self.previewing.size_status)
        self.statusBar().addPermanentWidget(self.library_pane.item_count)

    def _connect(self) -> None:
        pane, imports, digests, document = (
            self.library_pane,
            self.imports,
            self.digests,
            self.document,
        )
        self.link_drops = LinkDropFilter(self)  # links or files dropped on the library
        self.link_drops.watch(pane.table.viewport(), pane.welcome)
        self.link_drops.dropped.connect(imports.fetch_links)
        self.link_drops.files_dropped.connect(partial(imports.import_sources, preview=True))
        pane.welcome.import_requested.connect(imports.import_file)
        pane.welcome.paste_requested.connect(imports.paste_listing)
        pane.welcome.sample_requested.connect(imports.load_sample)
        pane.add_button.clicked.connect(digests.add_selected_to_digest)
        pane.table.activated.connect(lambda _index: digests.add_selected_to_digest())
        self.editor.new_requested.connect(digests.new_digest)
        self.editor.draft_requested.connect(digests.draft_from_month)
        self.editor.open_requested.connect(digests.open_digest)
        self.editor.message.connect(lambda text: self.statusBar().showMessage(text, 6000))
        document.opened.connect(digests.digest_opened)
        document.changed.connect(digests.digest_changed)
        document.changed.connect(self.sending.digest_changed)
        document.opened.connect(lambda _digest: self.sending.digest_changed())
        document.failed.connect(self.show_problem)
        document.stack.cleanChanged.connect(lambda _clean: digests.update_title())

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.started:
            # Qt WebEngine, the export profiles and the first render (which loads the
            # renderer) start once the window is on screen, not before.
            QTimer.singleShot(0, self, self.after_start)

    def after_start(self) -> None:
        """What waits for the window to be on screen (or for a render asked for at once)."""
        if self.started:
            return
        self.started = True
        log.info("window shown")
        self.exports.fill_profiles()
        self.preview.prepare()
        self.library_pane.proxy.build_index_in(self.workers.work)
        self.previewing.request_render()
        if self._first_run:
            self.theme_setup.offer_first_run()

    def refresh(self, items: Sequence[NewsItem] | None = None) -> None:
        """Reload the table, the filters and the digest's items from the library (or ``items``,
        just read from it)."""
        items = self.library.items() if items is None else items
        self.library_pane.show_items(items)
        self.document.model.set_lookup({item.id: item for item in items})
        self.library_pane.mark_digest_items()
        self.library_pane.apply_filter()
        self.library_pane.selection_changed()
        if self.started:
            self.library_pane.proxy.build_index_in(self.workers.work)
        self.previewing.request_render()

    def items_added(self, new: Sequence[NewsItem], mended: Sequence[NewsItem]) -> None:
        """An import added ``new`` items and mended ``mended`` ones: update what shows them.

        Only their rows change (:meth:`ui.library_pane.LibraryPane.items_added`); the
        search index is built again in the background.
        """
        if not new and not mended:
            return
        lookup = dict(self.document.lookup)
        lookup.update((item.id, item) for item in (*new, *mended))
        self.document.model.set_lookup(lookup)
        self.library_pane.items_added(new, mended)
        if self.started:
            self.library_pane.proxy.build_index_in(self.workers.work)
        self.previewing.request_render()

    # -- what other modules ask the window for ----------------------------------------------------
    def import_sources(self, sources: Sequence[str], *, preview: bool = False) -> ImportTask:
        """Import files or links (a second start hands its own over, :mod:`ui.single_instance`)."""
        return self.imports.import_sources(sources, preview=preview)

    @property
    def import_preview(self) -> ImportPreview | None:
        """The import preview open now, if one is."""
        return self.imports.import_preview

    def save_after_crash(self) -> str:
        """Save the open digest after an unexpected error (:mod:`ui.crash`); says what happened."""
        return self.digests.save_after_crash()

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

    def show_about(self) -> AboutDialog:
        """Open the About box (without blocking)."""
        from ui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    # -- state ------------------------------------------------------------------------------------
    def _splitters(self) -> list[tuple[QSplitter, WidgetState]]:
        return [
            (self.splitter, MAIN_SPLITTER),
            (self.right, PREVIEW_SPLITTER),
            (self.editor.splitter, EDITOR_SPLITTER),
        ]

    def _restore_state(self) -> None:
        geometry = GEOMETRY.read(self.settings)
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = WINDOW_STATE.read(self.settings)
        if state is not None:
            self.restoreState(state)
        for splitter, setting in self._splitters():
            saved = setting.read(self.settings)
            if saved is not None:
                splitter.restoreState(saved)
        self.previewing.restore_toggles(self.settings)
        self.digests.reopen_last()

    def save_state(self) -> None:
        GEOMETRY.write(self.settings, self.saveGeometry())
        WINDOW_STATE.write(self.settings, self.saveState())
        for splitter, setting in self._splitters():
            setting.write(self.settings, splitter.saveState())
        self.previewing.save_toggles(self.settings)
        self.digests.remember_open()
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.sending.close():
            event.ignore()
            return
        self.editor.flush()
        if not self.document.save() and not self.confirm(*self.unsaved.close_question()):
            event.ignore()
            return
        self.save_state()
        self.closed = True
        self.live.stop()
        self.imports.cancel()
        self.previewing.close()
        self.workers.shutdown()
        super().closeEvent(event)
