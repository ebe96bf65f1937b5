"""The window's sending actions: Send test…, Send…, Sending settings…, and their dialogs.

:class:`SendController` belongs to the main window. It keeps the run's
:class:`~composer.secrets.PasswordStore` (the password is asked for once per
run when there is no keychain) and at most one Send dialog; sends and connection
tests run on the window's send worker (:attr:`ui.operations.Workers.send`: one SMTP
conversation at a time), recipient lists are read on its work pool.
Before a dialog opens, the digest is saved, so that the send log is kept under
the digest's stored id, and the SMTP settings are checked: a missing server or
sender opens the settings instead of a dialog that cannot send. Closing the
window mid-send asks, then stops after the message in flight.

On a shared library (:mod:`ui.live_refresh`), another officer's save of the settings
makes a Send dialog that is not sending use them (its job made again), and puts a
notice on a Sending settings dialog open on the changed SMTP settings (what the user
typed stays); another sender's records in the send log are read again by a Send dialog
open on that digest (:meth:`SendController.send_log_changed`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QInputDialog, QLineEdit, QStyle

from composer.errors import NewsdigestError
from composer.repository import Holder
from composer.settings_parts import SMTP
from ui.actions import make_action
from ui.window_settings import TEST_ADDRESSES

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the sending core (email, smtplib, keyring...) loads on first use
    from composer.secrets import PasswordStore
    from composer.send import SendJob
    from composer.smtp_settings import SmtpSettings
    from ui.main_window import MainWindow
    from ui.send_dialog import SendDialog
    from ui.smtp_dialog import SmtpSettingsDialog


class SendController(QObject):
    """Opens the sending dialogs of a window and stores what they decide."""

    def __init__(
        self,
        window: MainWindow,
        *,
        passwords: PasswordStore | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self._passwords = passwords
        self.executor = window.workers.send
        self.dialog: SendDialog | None = None
        self.settings_dialog: SmtpSettingsDialog | None = None
        self._settings_opened_on: Mapping[str, Any] = {}
        self.test_action = self._action(
            "Send &test…",
            self.send_test,
            "Ctrl+Alt+E",
            "Send the digest to yourself or a colleague, with “[TEST]” before the subject",
            "mail-forward",
            QStyle.StandardPixmap.SP_MediaPlay,
        )
        self.send_action = self._action(
            "Sen&d…",
            self.send,
            "Ctrl+Alt+M",
            "Send the digest to a list of recipients, one message each",
            "mail-send",
            QStyle.StandardPixmap.SP_CommandLink,
        )
        self.settings_action = self._action(
            "Sendin&g settings…",
            self.show_settings,
            "Ctrl+Alt+O",
            "SMTP server, security, login, sender and pace; the password goes to the keychain",
        )
        self.actions_list = [self.test_action, self.send_action, self.settings_action]

    def _action(
        self, text: str, slot: Any, shortcut: str, tip: str, icon: str = "", fallback: Any = None
    ) -> QAction:
        themed = None
        if icon:
            themed = QIcon.fromTheme(icon, self.window.style().standardIcon(fallback))
        return make_action(self.window, text, shortcut, tip, slot=slot, icon=themed)

    # -- the password -----------------------------------------------------------------------------
    @property
    def passwords(self) -> PasswordStore:
        """The run's password store (made on first use: start-up does not load keyring)."""
        if self._passwords is None:
            from composer.secrets import PasswordStore

            self._passwords = PasswordStore(prompt=self.ask)
        return self._passwords

    def ask(self, username: str) -> str | None:
        """Ask for the SMTP password (no keychain, or none stored yet); kept for this run."""
        text, ok = QInputDialog.getText(
            self.window,
            "SMTP password",
            f"Password for {username}\n(kept until Newsdigest closes; store it in the keychain "
            "in File → Sending settings…):",
            QLineEdit.EchoMode.Password,
        )
        return text if ok and text else None

    # -- settings ---------------------------------------------------------------------------------
    def _smtp_or_raise(self) -> SmtpSettings:
        from composer.smtp_settings import smtp_from_settings

        return smtp_from_settings(self.window.library.settings())

    def _smtp(self) -> SmtpSettings | None:
        try:
            return self._smtp_or_raise()
        except NewsdigestError as exc:
            self.window.show_problem(f"The sending settings are not valid: {exc}")
            return None

    def show_settings(self, note: str = "") -> SmtpSettingsDialog:
        from ui.smtp_dialog import SmtpSettingsDialog

        dialog_settings = self.window.library.settings()
        dialog = SmtpSettingsDialog(dialog_settings, self.passwords, self.executor, self.window)
        if note:
            dialog.connection_result.setText(note)
        dialog.finished.connect(lambda result: self._settings_finished(dialog, result))
        self.settings_dialog = dialog
        self._settings_opened_on = dialog_settings
        dialog.open()
        return dialog

    def settings_changed_elsewhere(self, settings: Mapping[str, Any]) -> None:
        """Another officer saved the settings: an open Sending settings dialog whose SMTP
        settings changed under it says so (nothing typed is replaced)."""
        from composer.settings_parts import changed_parts
        from ui.live_refresh import tell_changed_under

        dialog = self.settings_dialog
        if dialog is not None and SMTP in changed_parts(self._settings_opened_on, settings):
            tell_changed_under(dialog, "the sending settings")

    def _settings_finished(self, dialog: SmtpSettingsDialog, result: int) -> None:
        self.settings_dialog = None
        dialog.deleteLater()
        if result != dialog.DialogCode.Accepted:
            return
        try:
            self.window.library.update_settings(dialog.settings_changes())
            self.window.theme_setup.note_saved(SMTP)  # the window's own save
            smtp = dialog.smtp()
        except NewsdigestError as exc:
            self.window.show_problem(f"The sending settings could not be saved: {exc}")
            return
        message = "Sending settings saved."
        if dialog.forget.isChecked() and smtp.user:
            self.passwords.forget(smtp)
            message += " The password was removed from the keychain."
        password = dialog.new_password()
        if password and smtp.user:
            if self.passwords.save(smtp, password):
                where = self.passwords.keychain_name()
                message += f" The password is in the system keychain ({where})."
            else:
                message += (
                    " This system has no keychain: the password is kept until Newsdigest "
                    "closes, never on disk."
                )
        self.window.statusBar().showMessage(message, 8000)
        self.digest_changed()

    # -- sending ----------------------------------------------------------------------------------
    def send_test(self) -> SendDialog | None:
        return self._open(test=True)

    def send(self) -> SendDialog | None:
        return self._open(test=False)

    def _open(self, *, test: bool) -> SendDialog | None:
        from ui.send_dialog import SendDialog

        window = self.window
        if self.dialog is not None and self.dialog.running:
            self.dialog.show()
            self.dialog.raise_()
            self.dialog.activateWindow()
            window.statusBar().showMessage("A send is in progress.", 6000)
            return self.dialog
        make_job = self._job_maker(test=test)
        if make_job is None:
            return None
        window.setCursor(Qt.CursorShape.WaitCursor)
        try:
            job = make_job()
        except NewsdigestError as exc:
            window.show_problem(str(exc), title="Cannot send")
            return None
        finally:
            window.unsetCursor()
        if self.dialog is not None:
            self.dialog.deleteLater()
        dialog = SendDialog(
            job,
            self.executor,
            reader_executor=window.workers.work,
            job_factory=make_job,
            test_addresses=TEST_ADDRESSES.read(window.settings),
            parent=window,
        )
        dialog.run_finished.connect(self._run_finished)
        if test:
            dialog.addresses.textChanged.connect(
                lambda text: TEST_ADDRESSES.write(window.settings, text.strip())
            )
        self.dialog = dialog
        dialog.show()
        return dialog

    def _job_maker(self, *, test: bool) -> Callable[[], SendJob] | None:
        """How to make the send job of the open digest, once it is saved and the settings
        name a server and a sender; None (and the reason shown) when it cannot be sent."""
        from composer.send import job_for
        from composer.smtp_settings import missing_for_sending

        window = self.window
        window.editor.flush()
        if window.document.digest is None:
            window.show_problem("Open or start a digest first: there is nothing to send.")
            return None
        if not window.document.save():
            return None  # the document said why
        smtp = self._smtp()
        if smtp is None:
            return None
        missing = missing_for_sending(smtp, window.theme.from_address)
        if missing:
            labels = {"host": "the SMTP server", "sender_address": "the sender address"}
            names = " and ".join(labels[name] for name in missing)
            self.show_settings(f"⚠ Name {names} first; then choose Send again.")
            return None
        digest = window.document.digest
        assert digest is not None
        digest_id = digest.id

        def make_job() -> SendJob:
            current = window.document.digest
            if current is None or current.id != digest_id:
                raise NewsdigestError(
                    "the digest this dialog was opened for is no longer open in the window; "
                    "close this dialog and choose Send again"
                )
            return job_for(
                window.library,
                current,
                test=test,
                settings=self._smtp_or_raise(),
                passwords=self.passwords,
                renderer=window.exports.renderer(),
                holder=Holder("window"),
            )

        return make_job

    def digest_changed(self) -> None:
        """The digest, the theme or the sending settings changed: the dialog sends the new."""
        if self.dialog is not None and not self.dialog.running:
            self.dialog.digest_changed()

    def send_log_changed(self, digest_ids: Collection[str]) -> None:
        """Another window or command wrote the send log of ``digest_ids`` (``""``: any)."""
        dialog = self.dialog
        if dialog is not None and ({"", dialog.job.digest_id} & set(digest_ids)):
            dialog.send_log_changed()

    def _run_finished(self, report: Any) -> None:
        from composer.send.pace import remember_pace

        first = report.lines()[0]
        self.window.statusBar().showMessage(first[:1].upper() + first[1:], 10000)
        if self.dialog is not None:
            try:  # the next estimate uses this server's measured pace
                remember_pace(self.window.library, self.dialog.job.settings, report)
            except NewsdigestError as exc:
                log.warning("the send pace was not kept: %s", exc)

    # -- closing ----------------------------------------------------------------------------------
    def close(self) -> bool:
        """The window wants to close: stop a send (after asking); False keeps the window open."""
        dialog = self.dialog
        if dialog is not None and dialog.running:
            if not self.window.confirm(
                "A send is in progress",
                "Stop sending after the message in flight and close? The recipients not yet "
                "sent to stay queued: open Send… again to resume.",
            ):
                return False
            timeout = dialog.job.settings.timeout * 2 + 5
            if not dialog.stop_and_wait(timeout):
                self.window.show_problem(
                    "The server has not answered the message in flight yet; try closing again "
                    "in a moment."
                )
                return False
        return True
