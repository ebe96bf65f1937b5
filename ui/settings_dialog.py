"""The theme settings dialog: who sends the digest and how it looks, with a live preview.

Every change is checked by the core (:func:`composer.theme.merge_theme`) as it
is typed; a valid theme is sent to the window (:attr:`SettingsDialog.previewed`)
so the preview shows it at once, an invalid value is named under the form and
keeps OK disabled. Nothing is stored until OK: the window then writes
:meth:`SettingsDialog.settings_changes` to the library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from composer.errors import ValidationError
from composer.theme import DEFAULT_COLORS, Theme, merge_theme, theme_from_settings

COMMON_LOCALES = ("en_GB", "en_US", "de_DE", "de_AT", "fr_FR", "es_ES", "it_IT", "nl_NL", "ar")
COLOR_NAMES = {
    "brand": "Brand (header, headings)",
    "accent": "Links",
    "text": "Text",
    "muted": "Dates and footer",
    "background": "Around the email",
    "surface": "Email background",
    "dark_background": "Dark mode: around",
    "dark_surface": "Dark mode: email",
    "dark_text": "Dark mode: text",
    "dark_accent": "Dark mode: links",
}


class ColorField(QWidget):
    """A ``#rrggbb`` field with a swatch button that opens the colour picker."""

    def __init__(self, role: str, value: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.role = role
        self.edit = QLineEdit(value)
        self.edit.setAccessibleName(f"Colour: {COLOR_NAMES.get(role, role)}")
        self.edit.setMaxLength(7)
        self.edit.setFixedWidth(90)
        self.swatch = QPushButton()
        self.swatch.setFixedWidth(32)
        self.swatch.setAccessibleName(f"Pick colour: {COLOR_NAMES.get(role, role)}")
        self.swatch.setToolTip("Pick a colour")
        self.swatch.clicked.connect(self._pick)
        self.edit.textChanged.connect(self._paint)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.swatch)
        self._paint()

    def _paint(self) -> None:
        color = QColor(self.edit.text())
        self.swatch.setStyleSheet(f"background: {color.name()};" if color.isValid() else "")

    def _pick(self) -> None:
        color = QColorDialog.getColor(QColor(self.edit.text()), self, "Choose a colour")
        if color.isValid():
            self.edit.setText(color.name())


class SettingsDialog(QDialog):
    """The theme's fields; OK stores them, Cancel leaves the library as it was."""

    previewed = Signal(object)  # a valid Theme, as typed so far

    def __init__(self, settings: Mapping[str, Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Theme settings")
        self.setAccessibleName("Theme settings")
        self._settings = dict(settings)
        theme = theme_from_settings(settings)
        self.theme: Theme = theme

        self.organisation = self._line(theme.organisation, "Organisation name")
        self.logo_url = self._line(theme.logo_url or "", "Logo url (https://…)")
        self.from_address = self._line(theme.from_address, "Sender, e.g. News <news@example.org>")
        self.postal_address = self._line(theme.postal_address, "Postal address")
        self.unsubscribe_url = self._line(theme.unsubscribe_url or "", "Unsubscribe url")
        self.web_version_url = self._line(theme.web_version_url or "", "Web version url")
        self.locale_box = QComboBox()
        self.locale_box.setEditable(True)
        self.locale_box.setAccessibleName("Locale")
        self.locale_box.setToolTip(
            "Language and region for dates and text direction (en_GB, de_AT…)"
        )
        self.locale_box.addItems(list(dict.fromkeys([theme.locale, *COMMON_LOCALES])))
        self.locale_box.setCurrentText(theme.locale)
        self.locale_box.currentTextChanged.connect(self._changed)
        self.footer = QPlainTextEdit(theme.footer)
        self.footer.setAccessibleName("Footer text")
        self.footer.setToolTip("A note at the bottom of every digest")
        self.footer.setMaximumHeight(70)
        self.footer.setTabChangesFocus(True)
        self.footer.textChanged.connect(self._changed)
        self.category_order = QPlainTextEdit("\n".join(theme.category_order))
        self.category_order.setAccessibleName("Category order")
        self.category_order.setToolTip(
            "One category per line: sections come in this order, then the others alphabetically"
        )
        self.category_order.setMaximumHeight(90)
        self.category_order.setTabChangesFocus(True)
        self.category_order.textChanged.connect(self._changed)

        self.colors: dict[str, ColorField] = {}
        colors = QGridLayout()
        for n, role in enumerate(DEFAULT_COLORS):
            field = ColorField(role, theme.color(role))
            field.edit.textChanged.connect(self._changed)
            self.colors[role] = field
            label = QLabel(COLOR_NAMES.get(role, role) + ":")
            label.setBuddy(field.edit)
            colors.addWidget(label, n // 2, (n % 2) * 2)
            colors.addWidget(field, n // 2, (n % 2) * 2 + 1)

        form = QFormLayout()
        form.addRow("&Organisation:", self.organisation)
        form.addRow("&Logo url:", self.logo_url)
        form.addRow("&Sender:", self.from_address)
        form.addRow("&Postal address:", self.postal_address)
        form.addRow("&Unsubscribe url:", self.unsubscribe_url)
        form.addRow("&Web version url:", self.web_version_url)
        form.addRow("L&ocale:", self.locale_box)
        form.addRow("&Footer:", self.footer)
        form.addRow("&Category order:", self.category_order)
        form.addRow(QLabel("<b>Colours</b>"))
        form.addRow(colors)
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings error")
        self.error.setStyleSheet("color: #c62828;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(
            self.restore_defaults
        )
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.check)
        self.resize(620, 640)

    def _line(self, value: str, name: str) -> QLineEdit:
        edit = QLineEdit(value)
        edit.setAccessibleName(name)
        edit.setToolTip(name)
        edit.textChanged.connect(self._changed)
        return edit

    def _changed(self, *args: Any) -> None:
        self._timer.start()

    def changes(self) -> dict[str, Any]:
        """The theme fields as typed (the core checks them)."""
        order = [line.strip() for line in self.category_order.toPlainText().splitlines()]
        return {
            "organisation": self.organisation.text(),
            "logo_url": self.logo_url.text(),
            "from_address": self.from_address.text(),
            "postal_address": self.postal_address.text(),
            "unsubscribe_url": self.unsubscribe_url.text(),
            "web_version_url": self.web_version_url.text(),
            "locale": self.locale_box.currentText(),
            "footer": self.footer.toPlainText(),
            "category_order": [name for name in order if name],
            "colors": {role: field.edit.text() for role, field in self.colors.items()},
        }

    def check(self) -> Theme | None:
        """Check the fields now; a valid theme is previewed, an invalid one explained."""
        self._timer.stop()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            merged = merge_theme(self._settings, self.changes())
            theme = theme_from_settings(merged)
        except ValidationError as exc:
            self.error.setText(f"⚠ {exc}")
            ok.setEnabled(False)
            return None
        self.error.clear()
        ok.setEnabled(True)
        if theme != self.theme:
            self.theme = theme
            self.previewed.emit(theme)
        return theme

    def settings_changes(self) -> dict[str, Any]:
        """What to pass to ``library.update_settings`` (raises ``ValidationError`` if invalid)."""
        return merge_theme(self._settings, self.changes())

    def restore_defaults(self) -> None:
        defaults = Theme()
        self.organisation.setText(defaults.organisation)
        self.logo_url.clear()
        self.locale_box.setCurrentText(defaults.locale)
        self.footer.clear()
        self.category_order.setPlainText("\n".join(defaults.category_order))
        for role, field in self.colors.items():
            field.edit.setText(DEFAULT_COLORS[role])

    def accept(self) -> None:
        if self.check() is not None:
            super().accept()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._timer.isActive():
            self.check()
        super().keyPressEvent(event)
