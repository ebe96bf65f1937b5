"""The library's theme in the window: read, previewed, changed in Theme settings or the setup.

:class:`ThemeSetup` holds the theme the window uses (read from the library's settings;
an invalid one is reported and the default used), and, while the Theme settings dialog
is open, the theme it previews (:attr:`ThemeSetup.active_theme`: the preview shows the
dialog's values as they are typed; Cancel goes back). Saving there, or in the
organisation and sending setup (:mod:`ui.first_run`, offered on the first start for a
library that is not set up, and remembered when skipped: :data:`SETUP_SKIPPED`), writes
the library's settings and hands the new theme to the parts that follow it: the digest
model's category order, the layout picker's default, the Send dialog.

On a shared library, another officer's save of the settings comes here
(:meth:`ThemeSetup.changed_elsewhere`, from :mod:`ui.live_refresh`): the settings are
read again and compared with those the window last read (:mod:`composer.settings_parts`);
a new theme goes to the same parts, new export profiles to the "Export for" box, the
preview is rendered again when a part it is rendered from changed, and the status bar
says what changed. A Theme settings or setup dialog open meanwhile keeps what the user
typed (and the preview keeps showing it); a notice at its top says that the theme
changed under it (:func:`ui.live_refresh.tell_changed_under`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog

from composer.errors import NewsdigestError, ValidationError
from composer.settings_parts import EXPORT_PROFILES, SMTP, THEME, changed_parts, needs_render
from composer.theme.model import Theme, theme_from_settings
from ui.live_refresh import tell_changed_under
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
        #: The settings as the window last read them (what a change elsewhere is told from).
        self.seen: dict[str, Any] = window.library.settings()
        self.theme = self.read_theme(self.seen)
        self._previewed: Theme | None = None
        #: The theme dialogs on screen, with the settings each was opened on.
        self._open: dict[QDialog, dict[str, Any]] = {}

    @property
    def active_theme(self) -> Theme:
        """The theme the preview shows: the settings dialog's while it is open."""
        return self._previewed or self.theme

    def read_theme(self, settings: dict[str, Any] | None = None) -> Theme:
        """The library's theme (in ``settings``, read from it); the default one (and a
        message) when it is not valid."""
        if settings is None:
            settings = self.window.library.settings()
            self.note_saved(THEME, settings)
        try:
            return theme_from_settings(settings)
        except ValidationError as exc:
            message = f"The theme settings are not valid ({exc}); the default theme is used."
            QTimer.singleShot(0, lambda: self.window.show_problem(message))
            return Theme()

    def note_saved(self, part: str, settings: dict[str, Any] | None = None) -> None:
        """The window saved ``part`` of the settings: not a change made elsewhere (only that
        part is taken: another officer's change of another part is still to be shown)."""
        if settings is None:
            settings = self.window.library.settings()
        if part in settings:
            self.seen[part] = settings[part]
        else:
            self.seen.pop(part, None)

    def _theme_saved(self) -> None:
        self._show_theme(self.read_theme())

    def _show_theme(self, theme: Theme) -> None:
        window = self.window
        self.theme = theme
        window.document.model.set_category_order(self.theme.category_order)
        window.theme_picker.set_default(self.theme.template)
        window.sending.digest_changed()

    # -- the theme settings dialog ----------------------------------------------------------------
    def show_settings(self) -> SettingsDialog:
        settings = self.window.library.settings()
        dialog = SettingsDialog(settings, self.window)
        self._open[dialog] = settings
        dialog.previewed.connect(self._preview_settings)
        dialog.finished.connect(lambda result: self._settings_finished(dialog, result))
        dialog.open()
        return dialog

    def _preview_settings(self, theme: Theme) -> None:
        self._previewed = theme
        self.window.previewing.request_render()

    def _settings_finished(self, dialog: SettingsDialog, result: int) -> None:
        self._open.pop(dialog, None)
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

        settings = self.window.library.settings()
        dialog = FirstRunDialog(settings, self.window)
        self._open[dialog] = settings
        dialog.finished.connect(lambda result: self._first_run_finished(dialog, result))
        dialog.open()
        return dialog

    def _first_run_finished(self, dialog: FirstRunDialog, result: int) -> None:
        self._open.pop(dialog, None)
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

    # -- another officer's save -------------------------------------------------------------------
    def changed_elsewhere(self) -> frozenset[str]:
        """The library's settings were saved elsewhere: read them, show what changed (its parts)."""
        window = self.window
        try:
            settings = window.library.settings()
        except NewsdigestError as exc:
            window.statusBar().showMessage(f"The settings changed elsewhere: {exc}", 10000)
            return frozenset()
        parts = changed_parts(self.seen, settings)
        self.seen = settings
        if not parts:
            return parts
        if THEME in parts:
            self._show_theme(self.read_theme(settings))
        else:
            window.sending.digest_changed()  # the sending settings, or the pace, are new
        if EXPORT_PROFILES in parts:
            window.exports.fill_profiles()
        window.sending.settings_changed_elsewhere(settings)
        for dialog, opened_on in self._open.items():
            if THEME in changed_parts(opened_on, settings):
                tell_changed_under(dialog, "the theme settings")
        if needs_render(parts):
            window.previewing.request_render()
        named = [PART_NAMES[part] for part in (THEME, EXPORT_PROFILES, SMTP) if part in parts]
        if named:
            window.statusBar().showMessage(
                f"{' and '.join(named).capitalize()} were changed elsewhere: the window shows "
                "them now.",
                10000,
            )
        return parts


#: What the status bar calls each part of the settings changed elsewhere.
PART_NAMES = {
    THEME: "the theme settings",
    EXPORT_PROFILES: "the export profiles",
    SMTP: "the sending settings",
}
