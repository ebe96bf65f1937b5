"""The email preview: the inlined HTML in a locked-down web view, the text, the source.

:class:`PreviewPane` shows what :mod:`composer.email.render` produced. Its web view
(:mod:`ui.web_view`, made just after the window first paints) is private: an
off-the-record profile, JavaScript off, no plugins, no navigation (links clicked
open in the system browser), and no request leaving the machine unless the user
turns on "Load remote images" (then images and fonts only).
Toggles: desktop or mobile (375 px) width, a dark-mode simulation (the
template's ``prefers-color-scheme: dark`` rules forced on), images off, and the
plain-text and HTML-source versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QFont, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from composer.email.preview_frames import force_dark_scheme
from ui.actions import make_action

if TYPE_CHECKING:
    from ui.web_view import EmailView, PreviewPage, RemoteContentBlocker

MOBILE_WIDTH = 375


def open_in_browser(url: QUrl) -> None:
    """Open a link of the email in the system browser (http, https and mailto only)."""
    if url.scheme().lower() in ("http", "https", "mailto"):
        QDesktopServices.openUrl(url)


class PreviewPane(QWidget):
    """The preview and its toggles."""

    #: The web view finished showing the newest HTML (``ok``).
    loaded = Signal(bool)
    #: A link of the email was clicked (it was handed to the system browser).
    link_opened = Signal(QUrl)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Email preview")
        self.html = ""
        self.text = ""
        self.shown_html = ""
        self.opener: Callable[[QUrl], None] = open_in_browser

        self._view: EmailView | None = None

        frame = QWidget()
        frame.setAutoFillBackground(True)
        frame.setBackgroundRole(QPalette.ColorRole.Mid)  # around the phone-width preview
        frame_layout = QHBoxLayout(frame)
        frame_layout.setContentsMargins(0, 0, 0, 0)
        frame_layout.addStretch(0)
        self._placeholder = QLabel("Preparing the preview…")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setMinimumWidth(1)  # the window's minimum size stays what it will be
        self._placeholder.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        frame_layout.addWidget(self._placeholder, 1)
        frame_layout.addStretch(0)
        self._frame_layout = frame_layout

        self.text_view = self._text_widget("Plain-text version of the email")
        self.source_view = self._text_widget("HTML source of the email")
        self.source_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName("Preview message")
        self.message.setMinimumWidth(1)  # its text must not change the window's minimum size
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.stack = QStackedWidget()
        for widget in (frame, self.text_view, self.source_view, self.message):
            self.stack.addWidget(widget)

        self.toolbar = QToolBar("Preview")
        self.toolbar.setObjectName("preview-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._make_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)

    # -- the web view (made on first use) ----------------------------------------------------------
    def prepare(self) -> None:
        """Start Qt WebEngine now (the window calls this once it is on screen)."""
        self._make_view()

    def _make_view(self) -> EmailView:
        if self._view is None:
            from ui.web_view import EmailView

            view = EmailView(self._open_link)
            view.loaded.connect(self.loaded)
            self._frame_layout.replaceWidget(self._placeholder, view)
            self._placeholder.deleteLater()
            self._view = view
            self._apply_width()
        return self._view

    @property
    def view(self) -> EmailView:
        return self._make_view()

    @property
    def page(self) -> PreviewPage:
        return self._make_view().preview_page

    @property
    def blocker(self) -> RemoteContentBlocker:
        return self._make_view().blocker

    # -- set-up ---------------------------------------------------------------------------------
    def _text_widget(self, name: str) -> QPlainTextEdit:
        widget = QPlainTextEdit()
        widget.setReadOnly(True)
        widget.setAccessibleName(name)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        widget.setFont(font)
        return widget

    def _action(self, text: str, shortcut: str, tip: str, *, checked: bool = False) -> QAction:
        return make_action(self, text, shortcut, tip, checkable=True, checked=checked)

    def _make_actions(self) -> None:
        self.desktop_action = self._action(
            "Desktop", "Ctrl+1", "Show the email at desktop width (600 px column)", checked=True
        )
        self.mobile_action = self._action(
            "Mobile", "Ctrl+2", f"Show the email on a {MOBILE_WIDTH} px wide phone screen"
        )
        self.dark_action = self._action("Dark", "Ctrl+Shift+D", "Simulate an inbox in dark mode")
        self.images_off_action = self._action(
            "Images off", "Ctrl+Shift+I", "Show the email as inboxes that block images do"
        )
        self.remote_action = self._action(
            "Load remote images",
            "Ctrl+Shift+R",
            "Let the preview fetch images and fonts from the internet (off: nothing leaves "
            "this computer)",
        )
        self.email_action = self._action(
            "Email", "Ctrl+3", "Show the email as it will look", checked=True
        )
        self.text_action = self._action("Plain text", "Ctrl+4", "Show the plain-text version")
        self.source_action = self._action("HTML source", "Ctrl+5", "Show the inlined HTML")
        self.remote_action.setIconText("Remote images")  # shorter on the toolbar
        width = QActionGroup(self)
        width.addAction(self.desktop_action)
        width.addAction(self.mobile_action)
        mode = QActionGroup(self)
        for action in (self.email_action, self.text_action, self.source_action):
            mode.addAction(action)
        self.toolbar.addActions([self.email_action, self.text_action, self.source_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.desktop_action, self.mobile_action, self.dark_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.images_off_action, self.remote_action])
        self.desktop_action.toggled.connect(self._apply_width)
        for action in (self.dark_action, self.images_off_action, self.remote_action):
            action.toggled.connect(self._reload)
        for action in (self.email_action, self.text_action, self.source_action):
            action.toggled.connect(self._show_mode)
        icon = self.style().standardIcon
        self.desktop_action.setIcon(icon(QStyle.StandardPixmap.SP_ComputerIcon))
        self.mobile_action.setIcon(icon(QStyle.StandardPixmap.SP_ArrowDown))

    @property
    def actions_list(self) -> list[QAction]:
        return [
            self.email_action,
            self.text_action,
            self.source_action,
            self.desktop_action,
            self.mobile_action,
            self.dark_action,
            self.images_off_action,
            self.remote_action,
        ]

    # -- showing --------------------------------------------------------------------------------
    def show_email(self, html: str, text: str) -> None:
        """Show a newly rendered email (keeps the scroll position of the previous one)."""
        self.html, self.text = html, text
        self.text_view.setPlainText(text)
        self.source_view.setPlainText(html)
        if self.stack.currentWidget() is self.message:
            self._show_mode()
        self._load()

    def show_message(self, message: str) -> None:
        """Show a message instead of the email (no digest open, a template error...)."""
        self.message.setText(message)
        self.stack.setCurrentWidget(self.message)

    def _load(self) -> None:
        dark = self.dark_action.isChecked()
        html = force_dark_scheme(self.html) if dark else self.html
        self.shown_html = html
        self.view.show_html(
            html,
            images=not self.images_off_action.isChecked(),
            remote=self.remote_action.isChecked(),
            dark=dark,
        )

    def _reload(self) -> None:
        if self.html:
            self._load()

    def _apply_width(self) -> None:
        if self._view is None:
            return
        if self.mobile_action.isChecked():
            self.view.setFixedWidth(MOBILE_WIDTH)
            self._frame_layout.setStretch(0, 1)
            self._frame_layout.setStretch(2, 1)
        else:
            self.view.setMinimumWidth(0)
            self.view.setMaximumWidth(16_777_215)
            self._frame_layout.setStretch(0, 0)
            self._frame_layout.setStretch(2, 0)

    def _show_mode(self) -> None:
        if self.text_action.isChecked():
            self.stack.setCurrentWidget(self.text_view)
        elif self.source_action.isChecked():
            self.stack.setCurrentWidget(self.source_view)
        else:
            self.stack.setCurrentIndex(0)

    def _open_link(self, url: QUrl) -> None:
        self.link_opened.emit(url)
        self.opener(url)
