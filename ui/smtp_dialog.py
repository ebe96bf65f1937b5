"""The SMTP settings dialog: server, security, login, sender, pace; password in the keychain.

The form is made from the core's declared settings
(:data:`composer.smtp_settings.FIELDS`: label, help and check of each), so the
window and ``newsdigest settings smtp`` offer the same settings with the same
rules. Every change is checked as it is typed; an invalid value is named under
the form and keeps OK disabled. "Test connection" connects, secures and logs in
on a worker thread, as a send would, and says what happened.

The password is never stored with the settings: OK hands it to the window,
which keeps it in the system keychain (or, without one, in memory until the app
closes).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from composer.errors import ValidationError
from composer.secrets import PasswordStore
from composer.send import check_connection
from composer.smtp_settings import (
    DEFAULT_PORTS,
    FIELDS,
    SECURITY_LABELS,
    SECURITY_MODES,
    SmtpSettings,
    merge_smtp,
    smtp_from_settings,
    with_changes,
)
from ui.operations import Operation

#: Spin-box ranges of the numeric settings (the core checks them again).
RANGES: dict[str, tuple[float, float, str]] = {
    "port": (0, 65535, "default"),
    "throttle": (0, 100_000, "no limit"),
    "timeout": (1, 600, ""),
    "max_attempts": (1, 20, ""),
    "retry_delay": (0, 3600, ""),
}
ADVANCED = ("timeout", "max_attempts", "retry_delay", "helo_name")
PLACEHOLDERS = {
    "host": "smtp.example.org",
    "user": "login name (empty: no login)",
    "sender_name": "Northwind Research Institute",
    "sender_address": "news@example.org (default: the theme's sender)",
    "reply_to": "press@example.org",
    "ca_file": "only for a server with its own certificate authority",
    "unsubscribe_mailto": "unsubscribe@example.org",
    "helo_name": "this computer's name",
}


class SmtpSettingsDialog(QDialog):
    """The SMTP settings; OK stores them (the window does), Cancel leaves them as they were."""

    checked = Signal(bool, str)  # a connection test's outcome

    def __init__(
        self,
        settings: Mapping[str, Any],
        passwords: PasswordStore,
        executor: concurrent.futures.Executor,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sending settings")
        self.setAccessibleName("Sending settings")
        self._settings = dict(settings)
        self.passwords = passwords
        self.executor = executor
        self.current: SmtpSettings = smtp_from_settings(settings)
        self._check: Operation[str] | None = None
        self.fields: dict[str, QWidget] = {}

        form = QFormLayout()
        advanced = QFormLayout()
        for spec in FIELDS:
            widget = self._field(spec.name, spec.kind, getattr(self.current, spec.name))
            widget.setToolTip(spec.help[:1].upper() + spec.help[1:])
            widget.setAccessibleName(spec.label)
            self.fields[spec.name] = widget
            label = QLabel(f"{spec.label}:")
            label.setBuddy(widget)
            (advanced if spec.name in ADVANCED else form).addRow(label, self._with_extra(spec.name))
            if spec.name == "user":
                form.addRow("Password:", self._password_row())

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings error")
        self.error.setStyleSheet("color: #c62828;")
        self.connection_result = QLabel()
        self.connection_result.setWordWrap(True)
        self.connection_result.setAccessibleName("Connection test result")
        self.test_button = QPushButton("&Test connection")
        self.test_button.setToolTip(
            "Connect, secure the connection and log in as a send would; nothing is sent"
        )
        self.test_button.clicked.connect(self.test_connection)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.connection_result, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        more = QLabel("<b>Retries and timeouts</b>")
        layout.addWidget(more)
        layout.addLayout(advanced)
        layout.addLayout(test_row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.check)
        self._security_changed()
        self.check()
        self.setMinimumWidth(560)

    # -- the form ---------------------------------------------------------------------------------
    def _field(self, name: str, kind: type, value: Any) -> QWidget:
        if name == "security":
            box = QComboBox()
            for mode in SECURITY_MODES:
                box.addItem(SECURITY_LABELS[mode], mode)
            box.setCurrentIndex(SECURITY_MODES.index(value))
            box.currentIndexChanged.connect(self._security_changed)
            box.currentIndexChanged.connect(self._changed)
            return box
        if kind is int or kind is float:
            low, high, special = RANGES[name]
            spin: QSpinBox | QDoubleSpinBox
            if kind is int:
                spin = QSpinBox()
                spin.setRange(int(low), int(high))
                spin.setValue(int(value))
            else:
                spin = QDoubleSpinBox()
                spin.setDecimals(0 if name == "throttle" else 1)
                spin.setRange(low, high)
                spin.setValue(float(value))
            if special:
                spin.setSpecialValueText(special)
            spin.valueChanged.connect(self._changed)
            return spin
        edit = QLineEdit(str(value))
        edit.setPlaceholderText(PLACEHOLDERS.get(name, ""))
        edit.textChanged.connect(self._changed)
        return edit

    def _with_extra(self, name: str) -> QWidget:
        widget = self.fields[name]
        if name != "ca_file":
            return widget
        browse = QPushButton("Browse…")
        browse.setAccessibleName("Choose the CA file")
        browse.setToolTip("Choose the certificate authority's .pem file")
        browse.clicked.connect(self._browse_ca)
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(widget, 1)
        layout.addWidget(browse)
        return row

    def _password_row(self) -> QWidget:
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        self.password.setPlaceholderText("unchanged")
        self.password.setToolTip(
            "Kept in the system keychain, never in the library; leave empty to keep the stored one"
        )
        self.password.textChanged.connect(self._changed)
        self.forget = QCheckBox("Forget the stored password")
        self.forget.setToolTip("Remove the password from the system keychain")
        self.keychain = QLabel()
        self.keychain.setWordWrap(True)
        self.keychain.setAccessibleName("Where the password is kept")
        self.keychain.setStyleSheet("color: palette(placeholder-text);")
        row = QWidget()
        layout = QVBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.password)
        layout.addWidget(self.forget)
        layout.addWidget(self.keychain)
        return row

    def _browse_ca(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Certificate authority", "", "Certificates (*.pem *.crt *.cer);;All files (*)"
        )
        if path:
            edit = self.fields["ca_file"]
            assert isinstance(edit, QLineEdit)
            edit.setText(path)

    def _security_changed(self, *args: Any) -> None:
        box = self.fields["security"]
        port = self.fields["port"]
        assert isinstance(box, QComboBox) and isinstance(port, QSpinBox)
        port.setSpecialValueText(f"default ({DEFAULT_PORTS[box.currentData()]})")

    def _changed(self, *args: Any) -> None:
        self._timer.start()

    def set_value(self, name: str, value: Any) -> None:
        """Set one field as a user would (tests, and the window's first-run defaults)."""
        widget = self.fields[name]
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData(value))
        elif isinstance(widget, QSpinBox | QDoubleSpinBox):
            widget.setValue(value)
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))

    def changes(self) -> dict[str, Any]:
        """The fields as typed (the core checks them)."""
        values: dict[str, Any] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, QComboBox):
                values[name] = widget.currentData()
            elif isinstance(widget, QSpinBox | QDoubleSpinBox):
                values[name] = widget.value()
            elif isinstance(widget, QLineEdit):
                values[name] = widget.text().strip()
        return values

    # -- checking ---------------------------------------------------------------------------------
    def check(self) -> SmtpSettings | None:
        """Check the fields now; an invalid one is explained and OK disabled."""
        self._timer.stop()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            smtp = with_changes(SmtpSettings(), self.changes())
        except ValidationError as exc:
            self.error.setText(f"⚠ {exc}")
            ok.setEnabled(False)
            self.test_button.setEnabled(False)
            return None
        self.error.clear()
        ok.setEnabled(True)
        self.test_button.setEnabled(bool(smtp.host) and self._check is None)
        self.keychain.setText(self._password_status(smtp))
        self.password.setEnabled(bool(smtp.user))
        keychain = self.passwords.keychain_available
        self.forget.setEnabled(bool(smtp.user))
        self.forget.setVisible(keychain)
        self.password.setPlaceholderText(
            "unchanged" if keychain else "asked for when sending, or type it here"
        )
        return smtp

    def _password_status(self, smtp: SmtpSettings) -> str:
        if not smtp.user:
            return "No login: no password is needed."
        if not self.passwords.keychain_available:
            return (
                "This system has no keychain: the password is asked for once each time "
                "Newsdigest runs and is never written to disk."
            )
        return f"Kept in the system keychain ({self.passwords.keychain_name()})."

    def test_connection(self) -> None:
        smtp = self.check()
        if smtp is None or self._check is not None:
            return
        password = self.password.text() or None
        if smtp.user and password is None:
            password = self.passwords.get(smtp)
            if password is None:
                self.connection_result.setText("⚠ Type the password first.")
                return
        self.connection_result.setText(f"Connecting to {smtp.server_label}…")
        self.test_button.setEnabled(False)
        check = Operation(
            lambda: check_connection(smtp, password),
            parent=self,
            executor=self.executor,
            what="Testing the connection",
        )
        check.success(lambda message: self._tested(True, message))
        check.failure(lambda failure: self._tested(False, failure.message))
        self._check = check
        check.run_in_background()

    def _tested(self, ok: bool, message: str) -> None:
        self._check = None
        self.connection_result.setText(("✔ " if ok else "⚠ ") + message)
        self.connection_result.setStyleSheet("" if ok else "color: #c62828;")
        self.check()
        self.checked.emit(ok, message)

    # -- the outcome ------------------------------------------------------------------------------
    def smtp(self) -> SmtpSettings:
        """The settings as typed (raises ``ValidationError`` if invalid)."""
        return with_changes(SmtpSettings(), self.changes())

    def settings_changes(self) -> dict[str, Any]:
        """What to pass to ``library.update_settings`` (raises ``ValidationError`` if invalid)."""
        return merge_smtp(self._settings, self.changes())

    def new_password(self) -> str | None:
        return self.password.text() or None

    def accept(self) -> None:
        if self.check() is not None:
            super().accept()
