"""The preview controller: what to render and when, what the render shows, the size status.

:class:`PreviewController` asks the :class:`~ui.rendering.RenderScheduler` for a render
whenever the digest, the theme or the export profile changes (after a short pause,
on the window's work pool); a finished render goes to the preview pane, its findings (with the
library's readiness to send) to the preflight panel, and its size to the status bar,
coloured against Gmail's clipping limit. The first render waits for the window's
first paint. A finding clicked selects what it is about in the editor. The pane's
toggles are saved and restored by a stable name (:data:`ui.window_settings.PREVIEW_TOGGLES`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QLabel

from composer.email.preview_frames import size_label, size_level
from ui.rendering import RenderJob, RenderResult, RenderScheduler
from ui.window_settings import PREVIEW_TOGGLES

if TYPE_CHECKING:
    from composer.email.preflight import Finding
    from ui.main_window import MainWindow

log = logging.getLogger("newsdigest.window")

SIZE_COLORS = {
    "ok": ("#1b5e20", "#81c784"),
    "warning": ("#8a5300", "#ffb74d"),
    "error": ("#b71c1c", "#ef9a9a"),
}
SIZE_MARKS = {"ok": "●", "warning": "▲", "error": "■"}
NO_DIGEST = "No digest open.\n\nStart one from the digest pane, or drag items from the library."


class PreviewController(QObject):
    """Renders the open digest into the window's preview, preflight panel and size status."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.scheduler = RenderScheduler(window.workers.work, parent=window)
        self.last_result: RenderResult | None = None
        self.size_status = QLabel()
        self.size_status.setAccessibleName("Email size against Gmail's limit")
        self.size_status.setToolTip(
            "Gmail clips emails larger than about 102 KB and hides the rest, "
            "unsubscribe link included"
        )
        self.scheduler.finished.connect(self._rendered)
        window.preview.loaded.connect(self._first_preview_loaded)
        window.preflight.activated.connect(self.show_finding)

    def toggles(self) -> dict[str, QAction]:
        """The preview pane's toggles by their stable names (those of ``PREVIEW_TOGGLES``)."""
        pane = self.window.preview
        return {
            "email": pane.email_action,
            "text": pane.text_action,
            "source": pane.source_action,
            "desktop": pane.desktop_action,
            "mobile": pane.mobile_action,
            "dark": pane.dark_action,
            "images_off": pane.images_off_action,
            "remote_images": pane.remote_action,
        }

    def restore_toggles(self, settings: QSettings) -> None:
        for name, action in self.toggles().items():
            setting = PREVIEW_TOGGLES[name]
            if setting.stored_key(settings) is not None:
                action.setChecked(setting.read(settings))

    def save_toggles(self, settings: QSettings) -> None:
        for name, action in self.toggles().items():
            PREVIEW_TOGGLES[name].write(settings, action.isChecked())

    # -- rendering --------------------------------------------------------------------------------
    def render_job(self) -> RenderJob | None:
        """What a render of the open digest reads now; None without a digest."""
        window = self.window
        digest = window.document.digest
        if digest is None:
            return None
        theme = window.theme_setup.active_theme
        links = window.exports.current_profile().links(theme)
        return RenderJob(digest, window.document.lookup, theme, links)

    def request_render(self, *, now: bool = False) -> None:
        """Re-render the preview (after a short pause, unless ``now``)."""
        window = self.window
        if not window.started:
            if not now:
                return  # the first render follows the first paint
            window.after_start()
        job = self.render_job()
        if job is None:
            window.preview.show_message(NO_DIGEST)
            window.preflight.set_findings([])
            self.size_status.clear()
            return
        if now:
            self.scheduler.render_now(job)
        else:
            self.scheduler.request(job)

    def _rendered(self, result: RenderResult) -> None:
        window = self.window
        if window.closed:
            return
        digest = window.document.digest
        if digest is None or result.job.digest.id != digest.id:
            return
        self.last_result = result
        if result.rendered is None:
            message = result.error or "The preview could not be rendered."
            window.preview.show_message(message)
            window.statusBar().showMessage(message, 10000)
            return
        rendered = result.rendered
        window.preview.show_email(rendered.html, rendered.text)
        from composer.email.preflight import check_readiness

        profile = window.exports.current_profile()
        ready = check_readiness(window.theme, profile_links=profile.from_theme)
        window.preflight.set_findings([*ready, *rendered.findings])
        self._show_size(rendered.size)

    def _first_preview_loaded(self, ok: bool) -> None:
        """Say in the log whether the first email preview loaded (the standalone smoke test)."""
        self.window.preview.loaded.disconnect(self._first_preview_loaded)
        if ok:
            log.info("preview shown")
        else:
            log.warning("the preview did not load")

    def _show_size(self, size: int) -> None:
        level = size_level(size)
        dark = self.window.palette().color(QPalette.ColorRole.Window).lightness() < 128
        color = SIZE_COLORS[level][1 if dark else 0]
        self.size_status.setText(
            f"<span style='color:{color}'>{SIZE_MARKS[level]} {size_label(size)}</span>"
        )
        self.size_status.setAccessibleDescription(f"{size_label(size)}, {level}")

    def show_finding(self, finding: Finding) -> None:
        """Select what a preflight finding is about (an item, a section, or a field)."""
        editor = self.window.editor
        if finding.item_id and editor.select_item(finding.item_id):
            return
        if finding.section is not None and editor.select_section(finding.section):
            return
        if finding.digest_field:
            editor.focus_field(finding.digest_field)

    def close(self) -> None:
        self.scheduler.close()
