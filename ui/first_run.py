"""First-run setup: who sends the digest, asked once for a library whose theme is not set up.

The fields are those of :data:`composer.theme.model.FIELDS` marked ``first_run``
(the organisation's name, its logo, the sender, the postal address and the
unsubscribe address), each checked as it is typed with the field's own check,
the same the command line and the settings dialog use; a logo over plain http is
warned of under its field (the field's ``warn``), and saved all the same. *Save* stores them in
the library's theme settings (the window writes
:meth:`FirstRunDialog.settings_changes`); *Skip for now* closes it, and the
window remembers the skip in its own settings (:mod:`ui.theme_setup`) so
that it is not asked again. File ▸ Organisation and sending setup… reopens it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from composer.email.readiness import FIELD_WORDS
from composer.errors import ValidationError
from composer.theme.model import (
    FIELDS,
    Theme,
    ThemeField,
    field_value,
    merge_theme,
    theme_from_settings,
)

TITLE = "Organisation and sending setup"
FIRST_RUN_FIELDS: tuple[ThemeField, ...] = tuple(spec for spec in FIELDS if spec.first_run)
_PLACEHOLDERS = {
    "organisation": "e.g. Lakeside Water Board",
    "logo_url": "https://www.example.org/logo.png (optional)",
    "from_address": "e.g. Lakeside News <news@example.org>",
    "postal_address": "e.g. 3 Reservoir Road, 2210 Lakeside",
    "unsubscribe_url": "https://www.example.org/unsubscribe, or mailto:leave@example.org",
}


class FirstRunDialog(QDialog):
    """Asks for the organisation and sender; Save stores them, Skip for now leaves them."""

    def __init__(self, settings: Mapping[str, Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.setObjectName("first-run-setup")
        self._settings = dict(settings)
        try:
            theme = theme_from_settings(settings)
        except ValidationError:
            theme = Theme()
        intro = QLabel(
            "<b>Who sends your digest?</b><br>Readers see this in every email. Most "
            "countries' anti-spam laws ask for the sender's postal address and a way to "
            "unsubscribe; until they are set, the preflight says the email is not ready to "
            "send.<br>You can change these later: File ▸ Organisation and sending setup…, or "
            "File ▸ Theme settings… for the look."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self.warnings: dict[str, QLabel] = {}
        for spec in FIRST_RUN_FIELDS:
            self._add_field(form, spec, field_value(theme, spec.name))
        self.missing = QLabel()
        self.missing.setObjectName("setup-missing")
        self.missing.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("&Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.skip_button = self.buttons.addButton(
            "S&kip for now", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.missing)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.check()

    def _add_field(self, form: QFormLayout, spec: ThemeField, value: Any) -> None:
        """A field's row, and under it its problem (hidden while none), and its warning for a
        field that has some (a logo over plain http: shown, but Save still saves)."""
        edit = QLineEdit("" if value is None else str(value))
        edit.setObjectName(f"setup-{spec.name}")
        edit.setAccessibleName(spec.label)
        edit.setToolTip(spec.help)
        edit.setPlaceholderText(_PLACEHOLDERS.get(spec.name, ""))
        edit.textChanged.connect(lambda _text, name=spec.name: self.check_field(name))
        label = QLabel(f"{spec.label}:")
        label.setBuddy(edit)
        form.addRow(label, edit)
        self.edits[spec.name] = edit
        self.errors[spec.name] = self._note(form, spec, "error", "problem", "#c62828")
        if spec.warn is not None:
            self.warnings[spec.name] = self._note(form, spec, "warning", "warning", "#8a5300")

    @staticmethod
    def _note(form: QFormLayout, spec: ThemeField, kind: str, words: str, color: str) -> QLabel:
        note = QLabel()
        note.setObjectName(f"setup-{spec.name}-{kind}")
        note.setAccessibleName(f"{spec.label}: {words}")
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {color};")
        note.hide()
        form.addRow("", note)
        return note

    # -- checking ---------------------------------------------------------------------------------
    def check_field(self, name: str) -> bool:
        """Check one field as typed; its problem is shown under it. ``True`` when valid."""
        spec = next(spec for spec in FIRST_RUN_FIELDS if spec.name == name)
        text = self.edits[name].text()
        error = self.errors[name]
        was_hidden = error.isHidden()
        try:
            if text.strip():
                spec.check(text, spec.field_label)
        except ValidationError as exc:
            error.setText(f"⚠ {exc.reason}")
            error.show()
            valid = False
        else:
            error.clear()
            error.hide()
            valid = True
        changed = error.isHidden() != was_hidden
        if name in self.warnings:
            changed = self._show_warning(spec, text if valid else "") or changed
        if changed and self.isVisible():
            self.adjustSize()  # make room for the problem's line (or give it back)
        self._update()
        return valid

    def _show_warning(self, spec: ThemeField, text: str) -> bool:
        """Show what may go wrong with a value the check took; True when it appeared or went."""
        note = self.warnings[spec.name]
        was_hidden = note.isHidden()
        warning = spec.warn(text, spec.label) if spec.warn is not None and text.strip() else None
        note.setText(f"⚠ {warning}" if warning else "")
        note.setVisible(bool(warning))
        return note.isHidden() != was_hidden

    def check(self) -> bool:
        """Check every field; ``True`` when all are valid (some may still be empty)."""
        valid = True
        for name in self.edits:
            valid = self.check_field(name) and valid
        return valid

    def _update(self) -> None:
        valid = all(error.isHidden() for error in self.errors.values())
        self.save_button.setEnabled(valid)
        empty = [
            name
            for name in FIELD_WORDS
            if name in self.edits
            and (not self.edits[name].text().strip() or not self.errors[name].isHidden())
        ]
        if empty:
            words = [FIELD_WORDS[name] for name in empty]
            listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
            self.missing.setText(f"Still needed before sending: {listed}.")
        else:
            self.missing.setText("Everything needed to send is here.")

    # -- results ----------------------------------------------------------------------------------
    def changes(self) -> dict[str, str]:
        """The fields as typed (field name -> text; empty clears)."""
        return {name: edit.text().strip() for name, edit in self.edits.items()}

    def settings_changes(self) -> dict[str, Any]:
        """What to pass to ``library.update_settings`` (raises ``ValidationError`` if invalid)."""
        return merge_theme(self._settings, self.changes())

    def accept(self) -> None:
        if self.check():
            super().accept()
