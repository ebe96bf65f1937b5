"""The web view the preview shows the email in, locked down (loaded after the first paint).

Qt WebEngine is imported only by this module, which :class:`ui.preview.PreviewPane`
loads once the window is on screen, so starting the app does not wait for it.

:class:`EmailView` uses an off-the-record profile, JavaScript off, no plugins,
no navigation (a clicked link goes to the opener: the system browser), and a
:class:`RemoteContentBlocker` that refuses every request leaving the machine
unless remote images are allowed (then http(s) images and fonts only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, Qt, QUrl, Signal
from PySide6.QtGui import QColor
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineScript,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

_LOCAL_SCHEMES = frozenset({"data", "about", "blob"})
_REMOTE_SCHEMES = frozenset({"http", "https"})
_RT = QWebEngineUrlRequestInfo.ResourceType
_REMOTE_WHEN_ALLOWED = frozenset({_RT.ResourceTypeImage, _RT.ResourceTypeFontResource})


class RemoteContentBlocker(QWebEngineUrlRequestInterceptor):
    """Blocks every request but local ones; with ``allow_remote``, http(s) images and fonts."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.allow_remote = False
        #: Urls refused since the last :meth:`reset` (what the preview did not load).
        self.blocked: list[str] = []
        self.allowed: list[str] = []

    def reset(self) -> None:
        self.blocked.clear()
        self.allowed.clear()

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        scheme = url.scheme().lower()
        if scheme in _LOCAL_SCHEMES:
            return
        if (
            self.allow_remote
            and scheme in _REMOTE_SCHEMES
            and info.resourceType() in _REMOTE_WHEN_ALLOWED
        ):
            self.allowed.append(url.toString())
            return
        self.blocked.append(url.toString())
        info.block(True)


class _ExternalLinkPage(QWebEnginePage):
    """The page a ``target=_blank`` link would open: hands the url over, then goes away."""

    def __init__(
        self, profile: QWebEngineProfile, opener: Callable[[QUrl], None], parent: Any
    ) -> None:
        super().__init__(profile, parent)
        self._opener = opener

    def acceptNavigationRequest(
        self, url: QUrl | str, type: QWebEnginePage.NavigationType, isMainFrame: bool
    ) -> bool:
        self._opener(QUrl(url))
        self.deleteLater()
        return False


class PreviewPage(QWebEnginePage):
    """Shows the HTML it is given and nothing else; clicked links go to :attr:`opener`."""

    def __init__(
        self, profile: QWebEngineProfile, opener: Callable[[QUrl], None], parent: Any
    ) -> None:
        super().__init__(profile, parent)
        self.opener = opener

    def acceptNavigationRequest(
        self, url: QUrl | str, type: QWebEnginePage.NavigationType, isMainFrame: bool
    ) -> bool:
        target = QUrl(url)
        if type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            self.opener(target)
            return False
        return target.scheme().lower() in _LOCAL_SCHEMES or target.isEmpty()

    def createWindow(self, type: QWebEnginePage.WebWindowType) -> QWebEnginePage:
        return _ExternalLinkPage(self.profile(), self.opener, self.parent())


def lock_down(settings: QWebEngineSettings) -> None:
    """No scripts, plugins, storage, prefetching or navigation by drop in the preview."""
    a = QWebEngineSettings.WebAttribute
    for attribute, on in (
        (a.JavascriptEnabled, False),
        (a.JavascriptCanOpenWindows, False),
        (a.JavascriptCanAccessClipboard, False),
        (a.LocalContentCanAccessRemoteUrls, False),
        (a.LocalContentCanAccessFileUrls, False),
        (a.LocalStorageEnabled, False),
        (a.PluginsEnabled, False),
        (a.WebGLEnabled, False),
        (a.AllowRunningInsecureContent, False),
        (a.DnsPrefetchEnabled, False),
        (a.HyperlinkAuditingEnabled, False),
        (a.NavigateOnDropEnabled, False),
        (a.ErrorPageEnabled, False),
        (a.ScreenCaptureEnabled, False),
        (a.PdfViewerEnabled, False),
        (a.AutoLoadIconsForPage, False),
        (a.FocusOnNavigationEnabled, False),
    ):
        settings.setAttribute(attribute, on)


class EmailView(QWebEngineView):
    """Shows one HTML document at a time, keeping the scroll position across reloads."""

    loaded = Signal(bool)

    def __init__(self, opener: Callable[[QUrl], None], parent: Any = None) -> None:
        super().__init__(parent)
        self._scroll = QPointF()
        profile = QWebEngineProfile()  # no storage name: off the record
        profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.MemoryHttpCache)
        profile.setPersistentCookiesPolicy(
            QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies
        )
        self.blocker = RemoteContentBlocker(profile)
        profile.setUrlRequestInterceptor(self.blocker)
        self.preview_page = PreviewPage(profile, opener, self)
        # A profile must outlive its pages: as the page's child it is deleted just after it.
        profile.setParent(self.preview_page)
        lock_down(self.preview_page.settings())
        self.setPage(self.preview_page)
        self.setAccessibleName("Email preview (HTML)")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.loadFinished.connect(self._finished)

    def show_html(self, html: str, *, images: bool, remote: bool, dark: bool) -> None:
        page = self.preview_page
        page.settings().setAttribute(QWebEngineSettings.WebAttribute.AutoLoadImages, images)
        self.blocker.allow_remote = remote
        page.setBackgroundColor(QColor("#111418") if dark else QColor("#ffffff"))
        self._scroll = page.scrollPosition()
        self.setHtml(html, QUrl("about:blank"))

    def _finished(self, ok: bool) -> None:
        if ok and self._scroll.y() > 0:
            y = int(self._scroll.y())
            # An isolated world: runs although the page's own JavaScript is off.
            self.preview_page.runJavaScript(
                f"window.scrollTo(0, {y});", QWebEngineScript.ScriptWorldId.ApplicationWorld
            )
        self.loaded.emit(ok)
