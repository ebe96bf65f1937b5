"""Starting the GUI: Qt WebEngine's prerequisites, the application, the library, the window.

Qt WebEngine needs two things before the :class:`QApplication` exists: shared
OpenGL contexts, and — when running as root, where Chromium refuses its sandbox
— the ``--no-sandbox`` flag. :func:`prepare_qt` does both and is called by
:func:`run` (and by the test-suite before pytest-qt creates its application).

:func:`make_settings` gives the :class:`QSettings` the window keeps its state in:
the file named by ``NEWSDIGEST_SETTINGS`` when set, else Qt's per-user default.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QSettings, Qt

from composer.errors import NewsdigestError
from composer.repository import Library

SETTINGS_ENV = "NEWSDIGEST_SETTINGS"


def prepare_qt() -> None:
    """Set what Qt WebEngine needs before the application object is created."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags.split():
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    if QCoreApplication.instance() is None:
        # Qt WebEngine itself loads later (after the window is on screen): this is enough.
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


def make_settings() -> QSettings:
    """The window's settings: ``$NEWSDIGEST_SETTINGS`` (an ini file) or the user's default."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("Newsdigest", "Newsdigest")


def run(open_library: Callable[[], Library], *, location: str, argv: Sequence[str]) -> int:
    """Open the library and show the main window; returns the exit status."""
    prepare_qt()
    from PySide6.QtWidgets import QApplication, QMessageBox

    app = QApplication.instance() or QApplication(list(argv) or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Newsdigest")
    app.setOrganizationName("Newsdigest")
    app.setApplicationDisplayName("Newsdigest")
    app.setDesktopFileName("org.newsdigest.Newsdigest")
    try:
        library = open_library()
    except NewsdigestError as exc:
        QMessageBox.critical(None, "Newsdigest cannot open the library", f"{location}\n\n{exc}")
        return 1
    from ui.main_window import MainWindow

    try:
        window = MainWindow(library)
        window.show()
        return app.exec()
    finally:
        library.close()
