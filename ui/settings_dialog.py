"""The theme settings dialog: every theme field, generated from the table, with a live preview.

The pages and their fields come from :data:`composer.theme.model.FIELDS` (the same
table as ``newsdigest settings theme`` and the first-run setup): Organisation,
Look, Email links, Campaign tagging and Words, one editor per field chosen by
its kind (a line, a text box, a list, a choice, a switch, a colour, a
locale). Every change is checked by the core (the field's own check, then
:func:`composer.theme.model.merge_theme`) as it is typed; a valid theme is sent to
the window (:attr:`SettingsDialog.previewed`) so the preview shows it at once,
an invalid value is named under the form and keeps OK disabled. A value the check
takes but that may not work everywhere (a logo over plain http: the field's
:attr:`~composer.theme.fields.ThemeField.warn`) is warned of there too, without
disabling OK. Nothing is
stored until OK: the window then writes :meth:`SettingsDialog.settings_changes`
to the library.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from composer.errors import ValidationError
from composer.theme.model import (
    FIELDS,
    Theme,
    ThemeField,
    field_value,
    merge_theme,
    theme_from_settings,
)

COMMON_LOCALES = ("en_GB", "en_US", "de_DE", "de_AT", "fr_FR", "es_ES", "it_IT", "nl_NL", "ar")
#: The dialog's pages, by :attr:`ThemeField.group`, in order.
PAGES = {
    "sender": "Organisation",
    "look": "Look",
    "links": "Email links",
    "campaign": "Campaign tagging",
    "words": "Words",
}
#: Pages that *Restore defaults* resets (the organisation and its links are kept).
RESET_GROUPS = ("look", "words")


class ColorField(QWidget):
    """A ``#rrggbb`` field with a swatch button that opens the colour picker."""

    def __init__(self, role: str, value: str, name: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self.role = role
        name = name or role
        self.edit = QLineEdit(value)
        self.edit.setAccessibleName(name)
        self.edit.setMaxLength(7)
        self.edit.setFixedWidth(90)
        self.swatch = QPushButton()
        self.swatch.setFixedWidth(32)
        self.swatch.setAccessibleName(f"Pick colour: {name}")
        self.swatch.setToolTip("Pick a colour")
        self.swatch.clicked.connect(self._pick)
        self.edit.textChanged.connect(self._paint)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.swatch)
        layout.addStretch(1)
        self._paint()

    def _paint(self) -> None:
        color = QColor(self.edit.text())
        self.swatch.setStyleSheet(f"background: {color.name()};" if color.isValid() else "")

    def _pick(self) -> None:
        color = QColorDialog.getColor(QColor(self.edit.text()), self, "Choose a colour")
        if color.isValid():
            self.edit.setText(color.name())


class FieldEditor:
    """One field's editor, chosen by its kind: read and set its value as the core takes it."""

    def __init__(self, spec: ThemeField, value: Any, changed: Callable[[], None]) -> None:
        self.spec = spec
        self.widget: QWidget
        self.line: QLineEdit | None = None
        self.text: QPlainTextEdit | None = None
        self.combo: QComboBox | None = None
        self.check: QCheckBox | None = None
        self.color: ColorField | None = None
        kind = spec.kind
        if kind == "color":
            self.color = ColorField(spec.key[-1], "", spec.label)
            self.color.edit.textChanged.connect(changed)
            self.widget = self.color
        elif kind in ("multiline", "list"):
            self.text = QPlainTextEdit()
            self.text.setTabChangesFocus(True)
            self.text.setMaximumHeight(80)
            self.text.textChanged.connect(changed)
            self.widget = self.text
        elif kind == "bool":
            self.check = QCheckBox(spec.help[:1].upper() + spec.help[1:])
            self.check.toggled.connect(changed)
            self.widget = self.check
        elif kind in ("choice", "locale"):
            self.combo = QComboBox()
            # a layout may also be a user's own templates folder; a locale any Babel knows
            self.combo.setEditable(kind == "locale" or spec.name == "template")
            choices = COMMON_LOCALES if kind == "locale" else spec.choices
            for choice in choices:
                self.combo.addItem(choice or f"(same as {_default_words(spec)})", choice)
            self.combo.currentIndexChanged.connect(changed)
            self.combo.editTextChanged.connect(changed)
            self.widget = self.combo
        else:
            self.line = QLineEdit()
            self.line.textChanged.connect(changed)
            self.widget = self.line
        self.widget.setObjectName(f"theme-{spec.name}")
        self.widget.setToolTip(spec.help)
        if self.color is None:
            self.widget.setAccessibleName(spec.label)
        self.set_value(value)

    def set_value(self, value: Any) -> None:
        if self.color is not None:
            self.color.edit.setText(str(value or ""))
        elif self.text is not None:
            if isinstance(value, list | tuple):
                value = "\n".join(str(v) for v in value)
            self.text.setPlainText(str(value or ""))
        elif self.check is not None:
            self.check.setChecked(bool(value))
        elif self.combo is not None:
            text = "" if value is None else str(value)
            index = self.combo.findData(text)
            if index < 0 and self.combo.isEditable():
                self.combo.addItem(text, text)
                index = self.combo.findData(text)
            self.combo.setCurrentIndex(max(index, 0))
        elif self.line is not None:
            if isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value)
            self.line.setText("" if value is None else str(value))

    def value(self) -> Any:
        """The value as typed (text; a list for lists; a bool for switches)."""
        if self.color is not None:
            return self.color.edit.text().strip()
        if self.text is not None:
            if self.spec.kind == "list":
                lines = [line.strip() for line in self.text.toPlainText().splitlines()]
                return [line for line in lines if line]
            return self.text.toPlainText()
        if self.check is not None:
            return self.check.isChecked()
        if self.combo is not None:
            if self.combo.isEditable():
                typed = self.combo.currentText().strip()
                index = self.combo.findText(typed)
                return self.combo.itemData(index) if index >= 0 else typed
            return self.combo.currentData()
        assert self.line is not None
        return self.line.text()


def _default_words(spec: ThemeField) -> str:
    return "the body font" if spec.name == "heading_font" else "the default"


class SettingsDialog(QDialog):
    """Every theme field; OK stores them, Cancel leaves the library as it was."""

    previewed = Signal(object)  # a valid Theme, as typed so far

    def __init__(self, settings: Mapping[str, Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Theme settings")
        self.setAccessibleName("Theme settings")
        self._settings = dict(settings)
        try:
            theme = theme_from_settings(settings)
        except ValidationError:
            theme = Theme()
        self.theme: Theme = theme
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.check)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Theme settings pages")
        self.editors: dict[str, FieldEditor] = {}
        self.colors: dict[str, ColorField] = {}
        forms: dict[str, QFormLayout] = {}
        for group, title in PAGES.items():
            form = QFormLayout()
            body = QWidget()
            body.setLayout(form)
            scroll = QScrollArea()
            scroll.setWidget(body)
            scroll.setWidgetResizable(True)
            self.tabs.addTab(scroll, title)
            forms[group] = form
        for spec in FIELDS:
            editor = FieldEditor(spec, field_value(theme, spec.name), self._changed)
            self.editors[spec.name] = editor
            if editor.color is not None:
                self.colors[spec.key[-1]] = editor.color
            form = forms.get(spec.group) or forms["look"]
            if editor.check is not None:
                form.addRow(f"{spec.label}:", editor.widget)
            else:
                label = QLabel(f"{spec.label}:")
                label.setBuddy(editor.color.edit if editor.color is not None else editor.widget)
                label.setToolTip(spec.help)
                form.addRow(label, editor.widget)

        self.error, self.warning = self._message_labels()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.setToolTip("Reset the look and the words (the organisation and links stay)")
        restore.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.warning)
        layout.addWidget(self.buttons)
        self._timer.stop()  # filling the editors is no change
        self.resize(660, 640)

    @staticmethod
    def _message_labels() -> tuple[QLabel, QLabel]:
        """The message area: a value refused (OK disabled), and warnings (OK still saves)."""
        error = QLabel()
        error.setWordWrap(True)
        error.setAccessibleName("Settings error")
        error.setStyleSheet("color: #c62828;")
        warning = QLabel()
        warning.setObjectName("theme-warnings")
        warning.setWordWrap(True)
        warning.setAccessibleName("Settings warnings")
        warning.setStyleSheet("color: #8a5300;")
        warning.hide()
        return error, warning

    # the fields the window's tests and older code reach by name
    @property
    def organisation(self) -> QLineEdit:
        line = self.editors["organisation"].line
        assert line is not None
        return line

    def _changed(self, *args: Any) -> None:
        self._timer.start()

    def changes(self) -> dict[str, Any]:
        """Every theme field as typed, by field name (the core checks them)."""
        return {name: editor.value() for name, editor in self.editors.items()}

    def _field_problem(self) -> str | None:
        """The first field whose own check refuses its value: ``Label: why`` (its page shown)."""
        for name, value in self.changes().items():
            spec = self.editors[name].spec
            if value in ("", None) or isinstance(value, bool | list):
                continue
            try:
                spec.check(value, spec.field_label)
            except ValidationError as exc:
                return f"{PAGES.get(spec.group, spec.group)} ▸ {spec.label}: {exc.reason}"
        return None

    def field_warnings(self) -> list[str]:
        """What may go wrong with values the checks take (a logo over plain http), each
        naming its page and field; the value is saved all the same."""
        found: list[str] = []
        for editor in self.editors.values():
            spec = editor.spec
            where = f"{PAGES.get(spec.group, spec.group)} ▸ {spec.label}"
            if spec.warn is not None and (warning := spec.warn(editor.value(), where)):
                found.append(warning)
        return found

    def _show_warnings(self) -> None:
        warnings = self.field_warnings()
        self.warning.setText("\n".join(f"⚠ {warning}" for warning in warnings))
        self.warning.setVisible(bool(warnings))

    def check(self) -> Theme | None:
        """Check the fields now; a valid theme is previewed, an invalid one explained (a
        warning is shown either way, and keeps nothing from being saved)."""
        self._timer.stop()
        self._show_warnings()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        problem = self._field_problem()
        theme: Theme | None = None
        if problem is None:
            try:
                theme = theme_from_settings(merge_theme(self._settings, self.changes()))
            except ValidationError as exc:
                problem = str(exc)
        if theme is None:
            self.error.setText(f"⚠ {problem}")
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
        """The look and the words back to their defaults; the organisation and links stay."""
        defaults = Theme()
        for name, editor in self.editors.items():
            if editor.spec.group in RESET_GROUPS:
                editor.set_value(field_value(defaults, name))

    def accept(self) -> None:
        if self.check() is not None:
            super().accept()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._timer.isActive():
            self.check()
        super().keyPressEvent(event)
