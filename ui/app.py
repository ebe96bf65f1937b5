"""Starting the GUI: Qt WebEngine's prerequisites, the application, the library, the window.

Qt WebEngine needs two things before the :class:`QApplication` exists: shared
OpenGL contexts, and — when running as root, where Chromium refuses its sandbox
— the ``--no-sandbox`` flag. On Windows, Qt must be told to tell AltGr from
Ctrl+Alt, or European keyboards' AltGr characters fire shortcuts.
:func:`prepare_qt` does all three and is called by :func:`run` (and by the
test-suite before pytest-qt creates its application).

:func:`make_settings` gives the :class:`QSettings` the window keeps its state in:
the file named by ``NEWSDIGEST_SETTINGS`` when set, else Qt's per-user default.

:func:`run` logs to the rotating log file (:mod:`composer.logs`), sets the window
icon and the desktop entry's id, and installs the crash handler (:mod:`ui.crash`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings, Qt

from composer.errors import NewsdigestError
from composer.repository import Library

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from ui.crash import CrashHandler

SETTINGS_ENV = "NEWSDIGEST_SETTINGS"
#: The reverse-DNS id of the desktop entry and the AppStream metainfo (``packaging/``).
DESKTOP_ID = "org.newsdigest.Newsdigest"
log = logging.getLogger("newsdigest.gui")


def windows_platform(platform: str, current: str | None) -> str | None:
    """``QT_QPA_PLATFORM`` for Windows with AltGr told apart from Ctrl+Alt, or None to keep.

    Qt on Windows reports AltGr as Ctrl+Alt unless its platform plugin is started
    with ``altgr``: AltGr+E (€ on German keyboards), AltGr+L (ł in Polish) and
    the like would then fire the app's Ctrl+Alt shortcuts instead of typing.
    """
    if platform != "win32":
        return None
    if not current:
        return "windows:altgr"
    name, _, options = current.partition(":")
    if name != "windows" or "altgr" in options.split(","):
        return None
    return f"{current},altgr" if options else f"{current}:altgr"


def prepare_qt() -> None:
    """Set what Qt needs before the application object is created (WebEngine, AltGr)."""
    platform = windows_platform(sys.platform, os.environ.get("QT_QPA_PLATFORM"))
    if platform is not None:
        os.environ["QT_QPA_PLATFORM"] = platform
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
    """Open the library and show the main window; returns the exit status.

    From the moment the application exists, unexpected exceptions go to a
    :class:`ui.crash.CrashHandler`: logged, the open digest saved, a dialog shown.
    """
    prepare_qt()
    from PySide6.QtWidgets import QApplication, QMessageBox

    from composer.logs import setup_logging
    from ui.app_icon import app_icon
    from ui.crash import CrashHandler, enable_fault_log

    log_file = setup_logging()  # the command line did it already; run() may be called alone
    enable_fault_log(log_file)
    app = QApplication.instance() or QApplication(list(argv) or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Newsdigest")
    app.setOrganizationName("Newsdigest")
    app.setApplicationDisplayName("Newsdigest")
    app.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(app_icon())
    crash = CrashHandler(app, log_file=log_file)
    crash.install()
    try:
        try:
            library = open_library()
        except NewsdigestError as exc:
            QMessageBox.critical(None, "Newsdigest cannot open the library", f"{location}\n\n{exc}")
            return 1
        try:
            return _show_window(app, library, crash, log_file)
        finally:
            library.close()
    finally:
        crash.uninstall()


def _show_window(
    app: QApplication, library: Library, crash: CrashHandler, log_file: Path | None
) -> int:
    from PySide6.QtWidgets import QMessageBox

    from ui.main_window import MainWindow

    try:
        window = MainWindow(library)
    except Exception as exc:
        log.exception("the window could not be opened")
        where = f"\n\nThe details are in the log file {log_file}." if log_file else ""
        QMessageBox.critical(
            None,
            "Newsdigest could not start",
            f"The window could not be opened: {type(exc).__name__}: {exc}{where}",
        )
        return 1
    crash.attach(window, window.save_after_crash)
    log.info("window opened on the library %s", library.location)
    window.show()
    return int(app.exec())
