"""Export from the window: the export profile, the file dialogs, writing, Copy HTML.

:class:`ExportFlow` owns the toolbar's "Export for" box (the mailing tool the email
is written for: it decides the unsubscribe and web-version links, so the preview
follows it), asks where to write (starting in the folder last written to), checks
the preflight findings first (errors are listed, and the user says whether to go
on), and writes with :func:`composer.email.export.write_exports`. The renderer is the
theme's shared one, the preview's: an unchanged digest is not rendered again to be
exported or sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox

from composer.errors import NewsdigestError
from ui.window_settings import EXPORT_FOLDER, EXPORT_PROFILE

if TYPE_CHECKING:  # the exporters and the renderer load on first use (start-up time)
    from composer.email.export import Exported, ExportProfile
    from composer.email.render import Renderer
    from ui.main_window import MainWindow

#: kind: (action label, file filter, suffix)
EXPORT_KINDS = {
    "html": ("Export HTML", "HTML email (*.html)", ".html"),
    "text": ("Export plain text", "Plain text (*.txt)", ".txt"),
    "eml": ("Export .eml", "Email message (*.eml)", ".eml"),
    "zip": ("Export bundle", "Zip bundle (*.zip)", ".zip"),
}
_WRITE_KEYWORD = {"html": "html", "text": "text", "eml": "eml", "zip": "bundle"}
_LISTED = 8  # errors named in the confirmation


class ExportFlow(QObject):
    """The window's export profile and its exports."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.profile = QComboBox()
        self.profile.setAccessibleName("Export profile")
        self.profile.setToolTip(
            "The mailing tool the export is for: it decides how the unsubscribe and "
            "web-version links are written"
        )
        self.profile.setMinimumContentsLength(18)
        self.profile.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.profile.currentIndexChanged.connect(self._profile_changed)

    # -- the profile ------------------------------------------------------------------------------
    def current_profile(self) -> ExportProfile:
        table = self._profiles()
        name = self.profile.currentData() or EXPORT_PROFILE.read(self.window.settings)
        return table.get(str(name)) or table["plain"]

    def _profiles(self) -> dict[str, ExportProfile]:
        from composer.email.export import profiles

        try:
            return profiles(self.window.library.settings())
        except NewsdigestError as exc:  # unreadable, or the library out of reach: the built-in
            self.window.statusBar().showMessage(f"Export profiles in the settings: {exc}", 8000)
            from composer.email.export import BUILTIN_PROFILES

            return dict(BUILTIN_PROFILES)

    def fill_profiles(self) -> None:
        """Fill the box (once the window is up: the exporters load then)."""
        wanted = EXPORT_PROFILE.read(self.window.settings)
        self.profile.blockSignals(True)
        self.profile.clear()
        for name, profile in self._profiles().items():
            self.profile.addItem(profile.label, name)
        self.profile.setCurrentIndex(max(0, self.profile.findData(wanted)))
        self.profile.blockSignals(False)

    def _profile_changed(self) -> None:
        EXPORT_PROFILE.write(self.window.settings, str(self.profile.currentData()))
        self.window.previewing.request_render()

    # -- exporting --------------------------------------------------------------------------------
    def renderer(self) -> Renderer:
        """The theme's shared renderer, the preview's."""
        from composer.email.render import renderer_for

        return renderer_for(self.window.theme)

    def exported(self) -> Exported | None:
        """The open digest as every export writes it; None (and a message) when it cannot be."""
        from composer.email.export import export_digest

        window = self.window
        if window.document.digest is None:
            return None
        window.editor.flush()
        digest = window.document.digest
        assert digest is not None
        try:
            return export_digest(
                self.renderer(),
                digest,
                window.document.lookup,
                window.theme,
                self.current_profile(),
            )
        except NewsdigestError as exc:
            window.show_problem(str(exc), title="Cannot export")
            return None

    def _confirm_findings(self, exported: Exported, what: str) -> bool:
        from composer.email.preflight import errors_in

        errors = errors_in(exported.findings)
        if not errors:
            return True
        listed = "\n".join(f"• {f.message}" for f in errors[:_LISTED])
        more = f"\n… and {len(errors) - _LISTED} more" if len(errors) > _LISTED else ""
        return self.window.confirm(
            "Export with errors?",
            f"The preflight check found {len(errors)} error{'s' if len(errors) != 1 else ''} "
            f"that will show in inboxes:\n\n{listed}{more}\n\n{what} anyway?",
        )

    def export(self, kind: str, path: str | None = None) -> Path | None:
        """Write the digest as ``kind`` (html, text, eml, zip); asks for the file unless given."""
        from composer.email.export import write_exports

        window = self.window
        exported = self.exported()
        if exported is None:
            return None
        label, file_filter, suffix = EXPORT_KINDS[kind]
        if not self._confirm_findings(exported, label):
            return None
        if path is None:
            folder = EXPORT_FOLDER.read(window.settings) or str(Path.home())
            suggested = str(Path(folder) / f"{exported.basename()}{suffix}")
            path = window.ask_save_path(label, suggested, file_filter)
            if not path:
                return None
        target = Path(path)
        if not target.suffix:
            target = target.with_suffix(suffix)
        try:
            (written,) = write_exports(exported, **{_WRITE_KEYWORD[kind]: target})
        except NewsdigestError as exc:
            window.show_problem(str(exc), title="Export failed")
            return None
        EXPORT_FOLDER.write(window.settings, str(target.parent))
        notes = f" ({'; '.join(exported.notes)})" if exported.notes else ""
        window.statusBar().showMessage(f"Wrote {written}{notes}", 10000)
        return written

    def copy_html(self) -> bool:
        """Put the email on the clipboard, HTML and plain text, for a mailing tool."""
        exported = self.exported()
        if exported is None or not self._confirm_findings(exported, "Copy"):
            return False
        mime = QMimeData()
        mime.setHtml(exported.html)
        mime.setText(exported.text)
        QGuiApplication.clipboard().setMimeData(mime)
        self.window.statusBar().showMessage(
            "Copied the email (HTML and plain text): paste it into your mailing tool", 6000
        )
        return True
