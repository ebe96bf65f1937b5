"""The library's theme in the window: read, previewed, changed in Theme settings or the setup.

:class:`ThemeSetup` holds the theme the window uses (read from the library's settings;
an invalid one is reported and the default used), and, while the Theme settings dialog
is open, the theme it previews (:attr:`ThemeSetup.active_theme`: the preview shows the
dialog's values as they are typed; Cancel goes back). Saving there, or in the
organisation and sending setup (:mod:`ui.first_run`, offered on the first start for a
library that is not set up, and remembered when skipped: :data:`SETUP_SKIPPED`), writes
the library's settings and hands the new theme to the parts that follow it: the digest
model's category order, the layout picker's default, the Send dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from composer.errors import NewsdigestError, ValidationError
from composer.theme.model import Theme, theme_from_settings
from ui.settings_dialog import SettingsDialog
from ui.window_settings import SETUP_SKIPPED

if TYPE_CHECKING:
    from ui.first_run import FirstRunDialog
    from ui.main_window import MainWindow


class ThemeSetup(QObject):
    """The window's theme, its settings dialog and the first-run setup."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.theme = self.read_theme()
        self._previewed: Theme | None = None

    @property
    def active_theme(self) -> Theme:
        """The theme the preview shows: the settings dialog's while it is open."""
        return self._previewed or self.theme

    def read_theme(self) -> Theme:
        """The library's theme; the default one (and a message) when it is not valid."""
        try:
            return theme_from_settings(self.window.library.settings())
        except ValidationError as exc:
            message = f"The theme settings are not valid ({exc}); the default theme is used."
            QTimer.singleShot(0, lambda: self.window.show_problem(message))
            return Theme()

    def _theme_saved(self) -> None:
        window = self.window
        self.theme = self.read_theme()
        window.document.model.set_category_order(self.theme.category_order)
        window.theme_picker.set_default(self.theme.template)
        window.sending.digest_changed()

    # -- the theme settings dialog ----------------------------------------------------------------
    def show_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.window.library.settings(), self.window)
        dialog.previewed.connect(self._preview_settings)
        dialog.finished.connect(lambda result: self._settings_finished(dialog, result))
        dialog.open()
        return dialog

    def _preview_settings(self, theme: Theme) -> None:
        self._previewed = theme
        self.window.previewing.request_render()

    def _settings_finished(self, dialog: SettingsDialog, result: int) -> None:
        self._previewed = None
        if result == SettingsDialog.DialogCode.Accepted:
            try:
                self.window.library.update_settings(dialog.settings_changes())
            except NewsdigestError as exc:
                self.window.show_problem(f"The settings could not be saved: {exc}")
            self._theme_saved()
        self.window.previewing.request_render()

    # -- the first-run setup ----------------------------------------------------------------------
    def offer_first_run(self) -> FirstRunDialog | None:
        """The first-run setup, when this library's theme is not set up and it was not skipped."""
        from composer.email.readiness import is_set_up

        skipped = SETUP_SKIPPED.of(self.window.library_key).read(self.window.settings)
        if skipped or is_set_up(self.theme):
            return None
        return self.show_first_run()

    def show_first_run(self) -> FirstRunDialog:
        """Organisation and sending setup (first run, or File ▸ Organisation and sending setup…)."""
        from ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(self.window.library.settings(), self.window)
        dialog.finished.connect(lambda result: self._first_run_finished(dialog, result))
        dialog.open()
        return dialog

    def _first_run_finished(self, dialog: FirstRunDialog, result: int) -> None:
        window = self.window
        if result != dialog.DialogCode.Accepted:
            SETUP_SKIPPED.of(window.library_key).write(window.settings, True)
            window.settings.sync()
            return
        try:
            window.library.update_settings(dialog.settings_changes())
        except NewsdigestError as exc:
            window.show_problem(f"The setup could not be saved: {exc}")
        self._theme_saved()
        window.previewing.request_render()
