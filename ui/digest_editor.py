"""The digest editor: the digest's fields, its tree of sections and items, per-item text.

Every change made here is planned with :mod:`composer.digest.editing` and submitted to
the :class:`~ui.document.DigestDocument` (so it lands on the undo stack); the
widgets never change the digest themselves. Text fields push their text a
moment after typing stops (one undo step per field while typing continues) and
show why a text cannot be taken; after an undo or redo they show the digest's
text again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from composer.digest.editing import plan_field, plan_nudge, plan_override, plan_remove
from composer.digest.model import MAX_INTRO, MAX_PERIOD, MAX_PREHEADER, MAX_TITLE, Digest
from composer.digest.operations import Operation
from composer.errors import ValidationError
from composer.library.item import NewsItem
from ui.digest_model import DigestModel
from ui.document import DigestDocument
from ui.theme_picker import ThemePicker

COMMIT_MS = 300
TextWidget = QLineEdit | QPlainTextEdit


def _text_of(widget: TextWidget) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


def _set_text(widget: TextWidget, text: str) -> None:
    widget.blockSignals(True)
    if isinstance(widget, QLineEdit):
        widget.setText(text)
        widget.setCursorPosition(0)  # show the start of a long title
    else:
        widget.setPlainText(text)
    widget.blockSignals(False)


class _TextBinding:
    """One text widget bound to a digest text: debounced commits, errors shown, re-synced."""

    def __init__(
        self,
        widget: TextWidget,
        plan: Callable[[str], Operation | None],
        current: Callable[[], str | None],
        submit: Callable[[Operation], bool],
        error: Callable[[TextWidget, str], None],
    ) -> None:
        self.widget = widget
        self._plan = plan
        self._current = current
        self._submit = submit
        self._error = error
        self.committing = False
        self.timer = QTimer(widget, singleShot=True, interval=COMMIT_MS)
        self.timer.timeout.connect(self.commit)
        widget.textChanged.connect(self.timer.start)
        if isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self.commit)

    def commit(self) -> None:
        self.timer.stop()
        try:
            operation = self._plan(_text_of(self.widget))
        except ValidationError as exc:
            self._error(self.widget, exc.reason)
            return
        self._error(self.widget, "")
        if operation is None:
            return
        self.committing = True
        try:
            self._submit(operation)
        finally:
            self.committing = False

    def sync(self) -> None:
        """Show the digest's text unless the widget's (cleaned) text already says it."""
        if self.committing or self.timer.isActive():
            return
        text = self._current()
        if text is None:
            return
        try:
            unchanged = self._plan(_text_of(self.widget)) is None
        except ValidationError:
            unchanged = False
        if not unchanged:
            _set_text(self.widget, text)
            self._error(self.widget, "")


class DigestTreeView(QTreeView):
    """The digest's sections and items; drops and keys go through the model's plans."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Digest sections and items")
        self.setToolTip(
            "Drag items from the library into a section; drag to reorder. "
            "Alt+Up/Alt+Down move the selection, Delete removes it, F2 renames."
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setAutoExpandDelay(400)
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setAllColumnsShowFocus(True)

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        model.modelReset.connect(self.expandAll)
        model.rowsInserted.connect(self._expand_new_sections)

    def _expand_new_sections(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            for row in range(first, last + 1):
                self.expand(self.model().index(row, 0))
        else:
            self.expand(parent)


class ItemTextPanel(QGroupBox):
    """This digest's title and summary for the selected item, shown as overridden."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__("Selected item", parent)
        self.setAccessibleName("Selected item's text in this digest")
        self.about = QLabel("Select one item to change its title or summary for this digest.")
        self.about.setWordWrap(True)
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Item title in this digest")
        self.title_edit.setToolTip(
            "The item's title in this digest only; the library keeps its own"
        )
        self.summary_edit = QPlainTextEdit()
        self.summary_edit.setAccessibleName("Item summary in this digest")
        self.summary_edit.setToolTip(
            "The item's summary in this digest only; the library keeps its own"
        )
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setMinimumHeight(60)
        self.title_state = QLabel()
        self.summary_state = QLabel()
        for state in (self.title_state, self.summary_state):
            state.setAccessibleName("Override state")
        self.reset_title = QPushButton("Use library title")
        self.reset_title.setToolTip("Forget this digest's title for the item (Ctrl+Alt+T)")
        self.reset_title.setShortcut(QKeySequence("Ctrl+Alt+T"))
        self.reset_title.setAccessibleName("Use library title")
        self.reset_summary = QPushButton("Use library summary")
        self.reset_summary.setToolTip("Forget this digest's summary for the item (Ctrl+Alt+S)")
        self.reset_summary.setShortcut(QKeySequence("Ctrl+Alt+S"))
        self.reset_summary.setAccessibleName("Use library summary")
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_edit, 1)
        title_row.addWidget(self.reset_title)
        summary_buttons = QHBoxLayout()
        summary_buttons.addWidget(self.summary_state, 1)
        summary_buttons.addWidget(self.reset_summary)
        title_label = QLabel("T&itle:")
        title_label.setBuddy(self.title_edit)
        form = QFormLayout(self)
        form.addRow(self.about)
        form.addRow(title_label, title_row)
        form.addRow("", self.title_state)
        form.addRow("Su&mmary:", self.summary_edit)
        form.addRow("", summary_buttons)
        self.item: NewsItem | None = None

    def show_item(self, item: NewsItem | None, digest: Digest | None) -> None:
        self.item = item
        enabled = item is not None and digest is not None
        for widget in (self.title_edit, self.summary_edit):
            widget.setEnabled(enabled)
        if item is None or digest is None:
            self.about.setText("Select one item to change its title or summary for this digest.")
            self.title_edit.setPlaceholderText("")
            _set_text(self.title_edit, "")
            _set_text(self.summary_edit, "")
            self.reset_title.setEnabled(False)
            self.reset_summary.setEnabled(False)
            self.title_state.clear()
            self.summary_state.clear()
            return
        override = digest.override(item.id)
        link = item.url or "⚠ no link: readers cannot read more"
        self.about.setText(f"{item.category} · {item.date.isoformat()} · {link}")
        self.title_edit.setPlaceholderText(item.title)
        _set_text(self.title_edit, override.title if override.title is not None else item.title)
        _set_text(
            self.summary_edit, override.summary if override.summary is not None else item.summary
        )
        self.show_state(digest)

    def show_state(self, digest: Digest) -> None:
        if self.item is None:
            return
        override = digest.override(self.item.id)
        title_changed = override.title is not None
        summary_changed = override.summary is not None
        self.reset_title.setEnabled(title_changed)
        self.reset_summary.setEnabled(summary_changed)
        self.title_state.setText(
            "✎ <i>Changed for this digest</i>" if title_changed else "Library title"
        )
        self.summary_state.setText(
            "✎ <i>Changed for this digest</i>" if summary_changed else "Library summary"
        )
        for widget, changed in (
            (self.title_edit, title_changed),
            (self.summary_edit, summary_changed),
        ):
            font = widget.font()
            font.setItalic(changed)
            widget.setFont(font)


class DigestEditor(QWidget):
    """Fields, tree and item text of the open digest, or the ways to start one."""

    new_requested = Signal()
    draft_requested = Signal()
    open_requested = Signal()
    #: A short message for the status bar (why a text was not taken, etc.).
    message = Signal(str)

    def __init__(self, document: DigestDocument, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model: DigestModel = document.model
        self.setAccessibleName("Digest editor")

        self.title = QLineEdit()
        self.title.setAccessibleName("Digest title")
        self.title.setToolTip("The email's subject and main heading")
        self.title.setMaxLength(MAX_TITLE + 50)
        self.period = QLineEdit()
        self.period.setAccessibleName("Digest period")
        self.period.setToolTip(
            "The month the digest covers, written YYYY-MM (2023-01), or any text"
        )
        self.period.setMaxLength(MAX_PERIOD + 10)
        self.preheader = QLineEdit()
        self.preheader.setAccessibleName("Digest preheader")
        self.preheader.setToolTip(
            "The preview line inboxes show after the subject (about 90 to 130 characters)"
        )
        self.preheader.setMaxLength(MAX_PREHEADER + 50)
        self.intro = QPlainTextEdit()
        self.intro.setAccessibleName("Digest intro")
        self.intro.setToolTip(
            "A short editorial note. Blank line: new paragraph; **bold**, *italic*, "
            "[link text](https://…)"
        )
        self.intro.setPlaceholderText("Intro (optional): **bold**, *italic*, [link](https://…)")
        self.intro.setTabChangesFocus(True)
        self.intro.setMaximumHeight(84)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Field error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()

        fields = QFormLayout()
        fields.addRow("&Title:", self.title)
        fields.addRow("&Period:", self.period)
        fields.addRow("Pre&header:", self.preheader)
        fields.addRow("I&ntro:", self.intro)
        self.theme_picker = ThemePicker(document)  # the layout: an undoable edit as well
        fields.addRow("Th&eme:", self.theme_picker)
        fields.addRow(self.error)

        self.tree = DigestTreeView()
        self.tree.setModel(self.model)
        self.items = ItemTextPanel()
        self.tree.selectionModel().selectionChanged.connect(self._selection_changed)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("editor-splitter")
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.items)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        editor_page = QWidget()
        editor_layout = QVBoxLayout(editor_page)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(fields)
        editor_layout.addWidget(self.splitter, 1)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._empty_page())
        self.pages.addWidget(editor_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)

        self._bindings: list[_TextBinding] = []
        for name, widget in (
            ("title", self.title),
            ("period", self.period),
            ("preheader", self.preheader),
            ("intro", self.intro),
        ):
            self._bindings.append(self._field_binding(name, widget))
        self._title_binding = _TextBinding(
            self.items.title_edit,
            lambda text: self._plan_override("title", text),
            lambda: self._effective("title"),
            lambda op: self._submit(op, "title"),
            self._show_error,
        )
        self._summary_binding = _TextBinding(
            self.items.summary_edit,
            lambda text: self._plan_override("summary", text),
            lambda: self._effective("summary"),
            lambda op: self._submit(op, "summary"),
            self._show_error,
        )
        self._bindings += [self._title_binding, self._summary_binding]
        self.items.reset_title.clicked.connect(lambda: self._reset_override("title"))
        self.items.reset_summary.clicked.connect(lambda: self._reset_override("summary"))

        self._make_actions()
        document.opened.connect(self._opened)
        document.changed.connect(self._changed)
        document.flushing.connect(self.flush)
        self._opened(document.digest)

    # -- pages ----------------------------------------------------------------------------------
    def _empty_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        label = QLabel(
            "<h2>No digest open</h2><p>Start a new digest, draft one from a month of the "
            "library, or open one you saved.</p>"
        )
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)
        style = self.style()
        for text, tip, icon, signal in (
            (
                "New empty digest",
                "Start a digest without items (Ctrl+N)",
                QStyle.StandardPixmap.SP_FileIcon,
                self.new_requested,
            ),
            (
                "Draft from a month…",
                "Put every item of a month in, in the default order (Ctrl+Shift+N)",
                QStyle.StandardPixmap.SP_FileDialogListView,
                self.draft_requested,
            ),
            (
                "Open a saved digest…",
                "Continue a digest you worked on before (Ctrl+O)",
                QStyle.StandardPixmap.SP_DialogOpenButton,
                self.open_requested,
            ),
        ):
            button = QPushButton(style.standardIcon(icon), text)
            button.setToolTip(tip)
            button.setAccessibleName(text.rstrip("…"))
            button.setMinimumWidth(240)
            button.clicked.connect(signal.emit)
            layout.addWidget(button, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    def _opened(self, digest: Digest | None) -> None:
        self.pages.setCurrentIndex(0 if digest is None else 1)
        for binding in self._bindings:
            binding.timer.stop()
        self._show_error(self.title, "")
        if digest is not None:
            for name, widget in (
                ("title", self.title),
                ("period", self.period),
                ("preheader", self.preheader),
                ("intro", self.intro),
            ):
                _set_text(widget, digest.text_field(name))
        self.tree.expandAll()
        self._selection_changed()
        self._update_actions()

    def _changed(self) -> None:
        for binding in self._bindings:
            binding.sync()
        digest = self.document.digest
        if digest is not None:
            self.items.show_state(digest)
        self._update_actions()

    # -- text -----------------------------------------------------------------------------------
    def _field_binding(self, name: str, widget: TextWidget) -> _TextBinding:
        def plan(text: str) -> Operation | None:
            digest = self.document.digest
            return None if digest is None else plan_field(digest, name, text)

        def current() -> str | None:
            digest = self.document.digest
            return None if digest is None else digest.text_field(name)

        return _TextBinding(
            widget, plan, current, lambda op: self._submit(op, name), self._show_error
        )

    def _submit(self, operation: Operation, key: str) -> bool:
        merge = f"{key}:{getattr(operation, 'item_id', '')}"
        return self.document.submit([operation], merge_key=merge)

    def _plan_override(self, field: str, text: str) -> Operation | None:
        digest, item = self.document.digest, self.items.item
        if digest is None or item is None or not digest.contains(item.id):
            return None
        return plan_override(digest, item, field, text)

    def _effective(self, field: str) -> str | None:
        digest, item = self.document.digest, self.items.item
        if digest is None or item is None:
            return None
        value = digest.override(item.id).get(field)
        if value is not None:
            return value
        return item.title if field == "title" else item.summary

    def _reset_override(self, field: str) -> None:
        digest, item = self.document.digest, self.items.item
        if digest is None or item is None:
            return
        operation = plan_override(digest, item, field, None)
        if operation is not None:
            self.document.submit([operation])
        self._changed()

    def _show_error(self, widget: TextWidget, message: str) -> None:
        limits = {
            self.title: MAX_TITLE,
            self.preheader: MAX_PREHEADER,
            self.intro: MAX_INTRO,
            self.period: MAX_PERIOD,
        }
        widget.setProperty("invalid", bool(message))
        widget.setStyleSheet("border: 1px solid #c62828;" if message else "")
        if message:
            name = widget.accessibleName() or "This field"
            limit = limits.get(widget)
            self.error.setText(f"{name}: {message}" + (f" (limit {limit})" if limit else ""))
            self.error.show()
            self.message.emit(f"{name}: {message}")
        elif self.error.isVisible() and not any(
            b.widget.property("invalid") for b in self._bindings
        ):
            self.error.hide()

    def flush(self) -> None:
        """Push the text typed but not yet committed (before saving, exporting or closing)."""
        for binding in self._bindings:
            if binding.timer.isActive():
                binding.commit()

    # -- selection ------------------------------------------------------------------------------
    def selected(self) -> tuple[list[tuple[int, int]], list[int]]:
        """The selected item refs and section rows."""
        refs: list[tuple[int, int]] = []
        sections: list[int] = []
        for index in self.tree.selectionModel().selectedRows(0):
            if self.model.is_section(index):
                sections.append(index.row())
            elif (ref := self.model.ref(index)) is not None:
                refs.append(ref)
        return refs, sections

    def _selection_changed(self, *args: Any) -> None:
        for binding in (self._title_binding, self._summary_binding):
            if binding.timer.isActive():  # text typed for the item that was selected
                binding.commit()
        refs, sections = self.selected()
        digest = self.document.digest
        item = None
        if digest is not None and len(refs) == 1 and not sections:
            s, p = refs[0]
            item = self.model.lookup.get(digest.sections[s].item_ids[p])
        self.items.show_item(item, digest)
        self._update_actions()

    def select_item(self, item_id: str) -> bool:
        index = self.model.index_of_item(item_id)
        if not index.isValid():
            return False
        self._select(index)
        return True

    def select_section(self, row: int) -> bool:
        index = self.model.index(row, 0)
        if not index.isValid():
            return False
        self._select(index)
        return True

    def _select(self, index: QModelIndex) -> None:
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.tree.selectionModel().setCurrentIndex(index, flags)
        self.tree.scrollTo(index)
        self.tree.setFocus()

    def focus_field(self, name: str) -> bool:
        widget = {
            "title": self.title,
            "period": self.period,
            "preheader": self.preheader,
            "intro": self.intro,
        }.get(name)
        if widget is None:
            return False
        widget.setFocus()
        return True

    # -- actions --------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text: str, shortcut: str, tip: str, slot: Callable[[], object]) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shown = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            act.setToolTip(f"{tip} ({shown})")
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            self.tree.addAction(act)
            return act

        self.up_action = action(
            "Move &up", "Alt+Up", "Move the selected items or section up", lambda: self.nudge(-1)
        )
        self.down_action = action(
            "Move &down",
            "Alt+Down",
            "Move the selected items or section down",
            lambda: self.nudge(+1),
        )
        self.remove_action = action(
            "Remove from digest",
            "Del",
            "Take the selected items (or sections) out of this digest",
            self.remove_selected,
        )
        self.rename_action = action(
            "Rename…", "F2", "Rename the selected section, or retitle the item", self._rename
        )
        style = self.style()
        self.up_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowUp))
        self.down_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self.remove_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_DialogDiscardButton))

    def _update_actions(self) -> None:
        refs, sections = self.selected()
        has = bool(refs or sections) and self.document.digest is not None
        for act in (self.up_action, self.down_action, self.remove_action):
            act.setEnabled(has)
        self.rename_action.setEnabled(len(refs) + len(sections) == 1)

    def nudge(self, delta: int) -> bool:
        digest = self.document.digest
        if digest is None:
            return False
        refs, sections = self.selected()
        operations = plan_nudge(digest, refs, sections, delta)
        if not operations:
            return False
        return self.document.submit(operations)

    def remove_selected(self) -> bool:
        digest = self.document.digest
        if digest is None:
            return False
        refs, sections = self.selected()
        operations = plan_remove(digest, refs, sections)
        return bool(operations) and self.document.submit(operations)

    def _rename(self) -> None:
        index = self.tree.currentIndex()
        if index.isValid():
            self.tree.edit(index.siblingAtColumn(0))

    def _context_menu(self, pos: Any) -> None:
        if not self.tree.indexAt(pos).isValid():
            return
        menu = QMenu(self)
        menu.addActions([self.up_action, self.down_action, self.rename_action])
        menu.addSeparator()
        menu.addAction(self.remove_action)
        menu.exec(self.tree.viewport().mapToGlobal(pos))
