"""The import preview's reading choices: layout, date order, columns, category, base url.

:class:`ReadOptionsPanel` shows only the choices a report offers: a layout combo
for a plain-text listing that can be read in several layouts, the order of
slash dates for a CSV that has them, one combo per CSV column (an item field or
"ignore"), the base url of an HTML page, and the category for items that name
none. Every change emits :attr:`ReadOptionsPanel.changed`; :meth:`options` gives
the :class:`~composer.library.importers.base.ReadOptions` to read the source again with.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from composer.library.importers.base import ImportReport, ReadOptions
from composer.library.importers.csv_import import COLUMNS

IGNORE = "ignore"
DATE_ORDER_LABELS = {
    "dmy": "Day first (31/01/2023)",
    "mdy": "Month first (01/31/2023)",
}
FIELD_LABELS = {
    "category": "Category",
    "title": "Title",
    "date": "Date",
    "summary": "Summary",
    "url": "Link",
    "image_url": "Image url",
    "image_alt": "Image description",
    "tags": "Tags",
}
COLUMNS_PER_ROW = 3


def layout_label(layout: str) -> str:
    """ "title-teaser-date" -> "Title → teaser → date": a layout name as people read it."""
    parts = [part for part in layout.replace("_", "-").split("-") if part]
    text = " ".join(parts) if "in" in parts else " → ".join(parts)
    return text[:1].upper() + text[1:]


class ReadOptionsPanel(QWidget):
    """The choices a report offers; see the module's docstring."""

    changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.layout_combo = QComboBox()
        self.layout_combo.setAccessibleName("Listing layout")
        self.layout_combo.setToolTip("How the listing's lines are read as stories")
        self.date_order = QComboBox()
        self.date_order.setAccessibleName("Order of slash dates")
        self.date_order.setToolTip("How dates such as 03/04/2023 are read")
        for order, label in DATE_ORDER_LABELS.items():
            self.date_order.addItem(label, order)
        self.date_order.setPlaceholderText("Choose the order…")
        self.date_hint = QLabel(
            "⚠ Dates such as 03/04/2023 can be read either way: choose their order."
        )
        self.date_hint.setWordWrap(True)
        self.category = QLineEdit()
        self.category.setAccessibleName("Category for items without one")
        self.category.setToolTip("The category of items whose source names none")
        self.base_url = QLineEdit()
        self.base_url.setAccessibleName("Base url for relative links")
        self.base_url.setPlaceholderText("https://www.example.org/news/")
        self.base_url.setToolTip("Relative links and images are read against this address")
        self.column_combos: dict[int, QComboBox] = {}
        self._headers: dict[int, str] = {}
        self.columns_box = QGroupBox("&Columns")
        self.columns_box.setAccessibleName("Column mapping")
        self._columns_grid = QGridLayout()
        inner = QWidget()
        inner.setLayout(self._columns_grid)
        self._columns_scroll = QScrollArea()
        self._columns_scroll.setWidget(inner)
        self._columns_scroll.setWidgetResizable(True)
        self._columns_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        box_layout = QVBoxLayout(self.columns_box)
        box_layout.setContentsMargins(6, 4, 6, 4)
        box_layout.addWidget(self._columns_scroll)
        self._build_layout()
        #: What the user chose since the report was shown (ReadOptions field -> value).
        self._choices: dict[str, Any] = {}
        self._shown: dict[str, Any] = {}  # what show_report put in the controls
        self.layout_combo.currentIndexChanged.connect(
            lambda _i: self._choose("layout", self.layout_combo.currentData())
        )
        self.date_order.currentIndexChanged.connect(
            lambda _i: self._choose("date_order", self.date_order.currentData())
        )
        self.category.editingFinished.connect(
            lambda: self._choose("default_category", self.category.text().strip() or None)
        )
        self.base_url.editingFinished.connect(
            lambda: self._choose("base_url", self.base_url.text().strip() or None)
        )

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.layout_label = self._label("&Layout:", self.layout_combo)
        self.date_label = self._label("&Dates:", self.date_order)
        dates = QHBoxLayout()
        dates.addWidget(self.date_order)
        dates.addWidget(self.date_hint, 1)
        dates.addStretch(0)
        layouts = QHBoxLayout()
        layouts.addWidget(self.layout_combo)
        layouts.addStretch(1)
        self.base_label = self._label("&Base url:", self.base_url)
        form.addRow(self.layout_label, layouts)
        form.addRow(self.date_label, dates)
        form.addRow(self.base_label, self.base_url)
        form.addRow(self._label("Cate&gory if none:", self.category), self.category)
        self._form = form
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(form)
        outer.addWidget(self.columns_box)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    def _choose(self, field: str, value: Any) -> None:
        if field == "default_category" and value is None:
            return  # an emptied category keeps the one the source was read with
        if self._shown.get(field) == value and field not in self._choices:
            return  # editing finished without a change
        self._choices[field] = value
        self.changed.emit()

    # -- showing a report --------------------------------------------------------------------
    def show_report(self, report: ImportReport | None, options: ReadOptions | None) -> None:
        """Offer the choices of ``report`` (read with ``options``), without emitting changes."""
        options = options or ReadOptions()
        widgets = (self.layout_combo, self.date_order, self.category, self.base_url)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self._show_layouts(report)
            self._show_date_order(report, options)
            self._show_columns(report)
            self.category.setText(options.default_category)
            self.base_url.setText(options.base_url or (report.base_url if report else "") or "")
            html = report is not None and (report.format == "html" or bool(report.base_url))
            self.base_label.setVisible(html)
            self.base_url.setVisible(html)
            self._form.setRowVisible(2, html)
            self._choices = {}
            self._shown = {
                "layout": self.layout_combo.currentData(),
                "date_order": self.date_order.currentData(),
                "default_category": self.category.text().strip(),
                "base_url": self.base_url.text().strip() or None,
            }
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def _show_layouts(self, report: ImportReport | None) -> None:
        self.layout_combo.clear()
        layouts = list(report.layouts) if report else []
        if report and report.layout and report.layout not in layouts:
            layouts.insert(0, report.layout)
        for layout in layouts:
            self.layout_combo.addItem(layout_label(layout), layout)
        if report and report.layout:
            self.layout_combo.setCurrentIndex(self.layout_combo.findData(report.layout))
        shown = len(layouts) > 1
        self.layout_label.setVisible(shown)
        self.layout_combo.setVisible(shown)
        self._form.setRowVisible(0, shown)

    def _show_date_order(self, report: ImportReport | None, options: ReadOptions) -> None:
        order = (report.date_order if report else None) or options.date_order
        needed = bool(report and report.date_order_needed)
        shown = needed or order is not None
        self.date_label.setVisible(shown)
        self.date_order.setVisible(shown)
        self._form.setRowVisible(1, shown)
        self.date_hint.setVisible(needed)
        # an order still to choose shows none chosen: either choice reads the dates again
        self.date_order.setCurrentIndex(self.date_order.findData(order) if order else -1)

    def _show_columns(self, report: ImportReport | None) -> None:
        while self._columns_grid.count():
            taken = self._columns_grid.takeAt(0)
            if taken is not None and (widget := taken.widget()) is not None:
                widget.deleteLater()
        self.column_combos.clear()
        self._headers.clear()
        columns = report.columns if report else []
        for n, column in enumerate(columns):
            combo = QComboBox()
            for field in COLUMNS:
                combo.addItem(FIELD_LABELS.get(field, field), field)
            combo.addItem("(ignore)", IGNORE)
            combo.setCurrentIndex(combo.findData(column.field or IGNORE))
            header = column.header or f"column {column.position + 1}"
            combo.setAccessibleName(f"Column '{header}' gives")
            combo.setToolTip(f"What column {column.position + 1}, '{header}', holds")
            combo.currentIndexChanged.connect(lambda _i: self._columns_changed())
            label = QLabel(header[:32])
            label.setBuddy(combo)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            row, col = divmod(n, COLUMNS_PER_ROW)
            self._columns_grid.addWidget(label, row, col * 2)
            self._columns_grid.addWidget(combo, row, col * 2 + 1)
            self.column_combos[column.position] = combo
            self._headers[column.position] = column.header
        for n in range(COLUMNS_PER_ROW):
            self._columns_grid.setColumnStretch(n * 2 + 1, 1)
        rows = min(3, -(-len(columns) // COLUMNS_PER_ROW))
        row_height = QComboBox().sizeHint().height() + self._columns_grid.verticalSpacing()
        self._columns_scroll.setFixedHeight(rows * row_height + 12)
        self.columns_box.setVisible(bool(columns))

    def _columns_changed(self) -> None:
        self._choices["column_map"] = {
            self._headers[position]: "" if combo.currentData() == IGNORE else combo.currentData()
            for position, combo in self.column_combos.items()
            if self._headers[position]
        }
        self.changed.emit()

    # -- the choices ----------------------------------------------------------------------------
    def options(self, base: ReadOptions | None) -> ReadOptions:
        """``base`` (what the source was read with) changed by the choices made here."""
        return dataclasses.replace(base or ReadOptions(), **self._choices)
