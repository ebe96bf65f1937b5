"""The About box: the version of Newsdigest and of its parts, and the licences of what it ships.

The versions (Newsdigest, Python, Qt, PySide6, Qt WebEngine, premailer, TinyDB, …)
and the notices come from :mod:`composer.app_info`; this module adds Qt's own and
lays them out. "Copy versions" puts them on the clipboard for a bug report, "Open
log folder" shows where the log file is (:mod:`composer.logs`).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from composer.app_info import (
    Notice,
    bundled_packages,
    component_versions,
    notices,
    platform_description,
)
from composer.logs import current_log_file, log_dir
from ui.actions import add_button, open_folder_of
from ui.app_icon import app_icon

DESCRIPTION = (
    "Compose monthly news digests from a library of news items: arrange them by category, "
    "preview the email as readers get it, export email-safe HTML."
)


def qt_versions() -> list[tuple[str, str]]:
    """(label, version) of Qt, PySide6 and Qt WebEngine as running."""
    rows = [("Qt", qVersion()), ("PySide6", PYSIDE_VERSION)]
    try:
        from PySide6.QtWebEngineCore import qWebEngineChromiumVersion, qWebEngineVersion
    except ImportError:  # pragma: no cover - Qt WebEngine is a dependency
        rows.append(("Qt WebEngine", "not installed"))
    else:
        engine, chromium = _text(qWebEngineVersion()), _text(qWebEngineChromiumVersion())
        rows.append(("Qt WebEngine", f"{engine} (Chromium {chromium})"))
    return rows


def _text(value: object) -> str:
    """A version Qt gives as ``const char *`` (typed bytes, a str at run time)."""
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)


def all_versions() -> list[tuple[str, str]]:
    """Every version the About box shows, the operating system last."""
    core = component_versions()
    return [*core[:2], *qt_versions(), *core[2:], ("System", platform_description())]


def versions_text(rows: list[tuple[str, str]]) -> str:
    """The versions as plain text, one per line (what "Copy versions" copies)."""
    return "\n".join(f"{name}: {value}" for name, value in rows)


def _notice_html(notice: Notice) -> str:
    parts = [
        f"<h3>{html.escape(notice.name)}</h3>",
        f"<p>Licence: <b>{html.escape(notice.licence)}</b><br>{html.escape(notice.copyright)}"
        f"<br><a href='{html.escape(notice.url)}'>{html.escape(notice.url)}</a></p>",
    ]
    if notice.note:
        parts.append(f"<p>{html.escape(notice.note)}</p>")
    if notice.text:
        parts.append(f"<pre>{html.escape(notice.text)}</pre>")
    return "".join(parts)


def licences_html() -> str:
    """The notices and the table of bundled Python packages, as HTML for the browser pane."""
    rows = "".join(
        f"<tr><td>{html.escape(p.name)}</td><td>{html.escape(p.version)}</td>"
        f"<td>{html.escape(p.licence)}</td></tr>"
        for p in bundled_packages()
    )
    return (
        "<p>Newsdigest is distributed under the MIT licence. It ships the following parts, "
        "under their own licences.</p>"
        + "".join(_notice_html(n) for n in notices())
        + "<h3>Python packages</h3><table cellspacing='0' cellpadding='2'>"
        "<tr><th align='left'>Package</th><th align='left'>Version</th>"
        f"<th align='left'>Licence</th></tr>{rows}</table>"
        "<p>Each package's full licence text is in its <tt>.dist-info</tt> folder, installed "
        "beside it and bundled in the standalone app.</p>"
    )


class AboutDialog(QDialog):
    """Newsdigest's version, its parts' versions, and the licence notices."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from composer.version import version

        self.setWindowTitle("About Newsdigest")
        self.setObjectName("about-dialog")
        self.setAccessibleName("About Newsdigest")
        self.versions = all_versions()

        picture = QLabel()
        picture.setPixmap(app_icon().pixmap(96, 96))
        picture.setAccessibleName("Newsdigest icon")
        self.title = QLabel(f"<h2>Newsdigest {html.escape(version())}</h2>")
        self.title.setAccessibleName("Newsdigest version")
        description = QLabel(DESCRIPTION)
        description.setWordWrap(True)
        heading = QVBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(description)
        top = QHBoxLayout()
        top.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)

        versions_page = QWidget()
        form = QFormLayout(versions_page)
        self.version_labels: dict[str, QLabel] = {}
        for name, value in self.versions:
            label = QLabel(value)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(f"{name} version")
            form.addRow(f"{name}:", label)
            self.version_labels[name] = label
        self.log_file = current_log_file() or log_dir() / "newsdigest.log"
        self.log_label = QLabel(html.escape(str(self.log_file)))
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_label.setAccessibleName("Log file")
        self.log_label.setToolTip("Where Newsdigest writes its log (attach it to bug reports)")
        form.addRow("Log file:", self.log_label)

        self.licences = QTextBrowser()
        self.licences.setOpenExternalLinks(True)
        self.licences.setAccessibleName("Licences")
        self.licences.setHtml(licences_html())

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("About Newsdigest pages")
        self.tabs.addTab(versions_page, "&Versions")
        self.tabs.addTab(self.licences, "&Licences")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.copy_button = add_button(
            buttons, "&Copy versions", "Copy the versions, for a bug report", self.copy_versions
        )
        self.folder_button = add_button(
            buttons, "Open &log folder", "Show the folder of the log file", self.open_log_folder
        )

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(640, 560)
        #: Opens the log folder (tests replace it).
        self.opener: Callable[[QUrl], object] = QDesktopServices.openUrl

    def copy_versions(self) -> None:
        QGuiApplication.clipboard().setText(versions_text(self.versions))

    def open_log_folder(self) -> None:
        open_folder_of(self.log_file, self.opener)
