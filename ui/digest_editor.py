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

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
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
from composer.digest.model import (
    MAX_INTRO,
    MAX_PERIOD,
    MAX_PREHEADER,
    MAX_TITLE,
    Digest,
    shown_text,
)
from composer.digest.operations import Operation
from ui.digest_model import DigestModel
from ui.document import DigestDocument
from ui.item_text_panel import ItemTextPanel
from ui.text_binding import TextBinding, TextWidget, set_text
from ui.theme_picker import ThemePicker


def _line_edit(name: str, tip: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setToolTip(tip)
    return edit


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
        fields = self._make_fields()
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
        self._bind_texts()
        self._make_actions()
        document.opened.connect(self._opened)
        document.changed.connect(self._changed)
        document.flushing.connect(self.flush)
        self._opened(document.digest)

    def _make_fields(self) -> QFormLayout:
        """The digest's title, period, preheader, intro and theme, and the error line."""
        self.title = _line_edit("Digest title", "The email's subject and main heading")
        self.title.setMaxLength(MAX_TITLE + 50)
        self.period = _line_edit(
            "Digest period", "The month the digest covers, written YYYY-MM (2023-01), or any text"
        )
        self.period.setMaxLength(MAX_PERIOD + 10)
        self.preheader = _line_edit(
            "Digest preheader",
            "The preview line inboxes show after the subject (about 90 to 130 characters)",
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
        self.theme_picker = ThemePicker(self.document)  # the layout: an undoable edit as well
        fields.addRow("Th&eme:", self.theme_picker)
        fields.addRow(self.error)
        return fields

    def _bind_texts(self) -> None:
        """Each digest field, and the selected item's title and summary, to its text."""
        self._bindings: list[TextBinding] = [
            self._field_binding(name, widget) for name, widget in self._field_widgets().items()
        ]
        self._title_binding = self._item_binding("title", self.items.title_edit)
        self._summary_binding = self._item_binding("summary", self.items.summary_edit)
        self._bindings += [self._title_binding, self._summary_binding]
        self.items.reset_title.clicked.connect(lambda: self._reset_override("title"))
        self.items.reset_summary.clicked.connect(lambda: self._reset_override("summary"))

    def _item_binding(self, field: str, widget: TextWidget) -> TextBinding:
        return TextBinding(
            widget,
            lambda text: self._plan_override(field, text),
            lambda: self._effective(field),
            lambda op: self._submit(op, field),
            self._show_error,
        )

    def _field_widgets(self) -> dict[str, TextWidget]:
        return {
            "title": self.title,
            "period": self.period,
            "preheader": self.preheader,
            "intro": self.intro,
        }

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
            for name, widget in self._field_widgets().items():
                set_text(widget, digest.text_field(name))
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
    def _field_binding(self, name: str, widget: TextWidget) -> TextBinding:
        def plan(text: str) -> Operation | None:
            digest = self.document.digest
            return None if digest is None else plan_field(digest, name, text)

        def current() -> str | None:
            digest = self.document.digest
            return None if digest is None else digest.text_field(name)

        return TextBinding(
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
        return shown_text(digest, item).get(field)

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
        widget = self._field_widgets().get(name)
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
