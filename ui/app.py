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
Before any of that it starts like a desktop app: without a display (or with an X
display Qt cannot use, or without a system library Qt needs) it says so in one line
and returns 1 before Qt is touched (:func:`start_problem`, :mod:`ui.display_check`:
Qt would abort with a core dump); and when a window is
already open on the library, it brings that window to the front, hands it the
sources to import, and returns 0 (:mod:`ui.single_instance`). Once the window is up,
Ctrl-C in the terminal closes it as File → Quit does and the run returns 130
(:mod:`ui.interrupt`).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import PySide6  # noqa: F401 - Qt's modules load later: they need system libraries (see run)

from composer.errors import NewsdigestError
from composer.repository import Library
from ui.display_check import check_display, qt_load_problem

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ui.crash import CrashHandler
    from ui.library_switch import WindowSession
    from ui.single_instance import Handover

#: Tells a server that cannot be reached (its reason in words) from other errors (None).
AwayReason = Callable[[BaseException], "str | None"]

SETTINGS_ENV = "NEWSDIGEST_SETTINGS"
#: The reverse-DNS id of the desktop entry and the AppStream metainfo (``packaging/``).
DESKTOP_ID = "org.newsdigest.Newsdigest"
#: What a second start on the same library prints (on stdout) before it exits 0.
ALREADY_OPEN = "Newsdigest is already open on this library: brought its window to the front"
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
    from PySide6.QtCore import QCoreApplication, Qt

    if QCoreApplication.instance() is None:
        # Qt WebEngine itself loads later (after the window is on screen): this is enough.
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


def make_settings() -> QSettings:
    """The window's settings: ``$NEWSDIGEST_SETTINGS`` (an ini file) or the user's default."""
    from PySide6.QtCore import QSettings

    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("Newsdigest", "Newsdigest")


def start_problem() -> str | None:
    """Why the window cannot start here, in one line; None when it can (Qt is then prepared).

    Asked before Qt is touched, where Qt would abort: without a display, or with an
    X display it cannot use (:mod:`ui.display_check`). Then Qt's modules are loaded:
    on a bare Linux even QtCore needs system libraries (GLib), and a missing one is
    named. With an application already made (tests, tools) nothing is asked.
    """
    core = sys.modules.get("PySide6.QtCore")
    if core is not None and core.QCoreApplication.instance() is not None:
        prepare_qt()
        return None
    problem = check_display()
    if problem is not None:
        return problem
    try:
        prepare_qt()
        import PySide6.QtNetwork
        import PySide6.QtWidgets  # noqa: F401
    except ImportError as exc:  # the Python modules are there, a library they link is not
        return qt_load_problem(str(exc))
    return None


def run(
    open_library: Callable[[], Library],
    *,
    location: str,
    argv: Sequence[str],
    sources: Sequence[str] = (),
    opener: Callable[[str], Library] | None = None,
    default_library: str = "",
    away_reason: AwayReason | None = None,
) -> int:
    """Open the library and show the main window; returns the exit status.

    ``location`` is the library's resolved path: it names the window for second
    starts. ``sources`` (paths, relative to the current folder, or http(s) urls) are
    previewed for import once the window is up, or handed to the window already open
    on the library. ``opener`` opens any library (a path or a url) in the window's
    place, for File → Open library… (:mod:`ui.library_switch`); ``away_reason`` tells a
    server that cannot be reached from other errors opening the library (its reason in
    words, or None), which then offers to retry or to open ``default_library`` or
    another local one (:mod:`ui.server_away`) instead of only saying so.
    From the moment the application exists, unexpected exceptions go to a
    :class:`ui.crash.CrashHandler`: logged, the open digest saved, a dialog shown.
    """
    problem = start_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    from ui.single_instance import Handover, server_name, sources_from_arguments

    handover = Handover(sources_from_arguments(sources, Path.cwd()))
    if _handed_to_open_window(server_name(location), handover):
        print(ALREADY_OPEN)
        return 0
    from composer.logs import setup_logging
    from ui.crash import CrashHandler, enable_fault_log

    log_file = setup_logging()  # the command line did it already; run() may be called alone
    enable_fault_log(log_file)
    app = _application(argv)
    crash = CrashHandler(app, log_file=log_file)
    crash.install()
    try:
        opened = first_library(
            open_library,
            location=location,
            opener=opener,
            default_library=default_library,
            away_reason=away_reason,
        )
        if opened is None:
            return 1
        library, named = opened
        return _show_window(
            app, library, crash, log_file, opener, location=named, handover=handover, asked=location
        )
    finally:
        crash.uninstall()


def _application(argv: Sequence[str]) -> QApplication:
    """The application (made, unless one exists), named and with its icon."""
    from PySide6.QtWidgets import QApplication

    from ui.app_icon import app_icon

    app = QApplication.instance() or QApplication(list(argv) or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("Newsdigest")
    app.setOrganizationName("Newsdigest")
    app.setApplicationDisplayName("Newsdigest")
    app.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(app_icon())
    return app


def first_library(
    open_library: Callable[[], Library],
    *,
    location: str,
    opener: Callable[[str], Library] | None = None,
    default_library: str = "",
    away_reason: AwayReason | None = None,
) -> tuple[Library, str] | None:
    """The library the window starts on, and the location its window is named by (``location``
    unless a local library was opened instead); None (the user told why) when there is none.

    A server that cannot be reached (``away_reason`` says so) brings up
    :class:`ui.server_away.ServerAwayDialog`; any other error is a message box.
    """
    from PySide6.QtWidgets import QMessageBox

    try:
        return open_library(), location
    except NewsdigestError as exc:
        reason = away_reason(exc) if away_reason is not None else None
        if reason is None:
            QMessageBox.critical(None, "Newsdigest cannot open the library", f"{location}\n\n{exc}")
            return None
        log.warning("the library %s cannot be reached at start: %s", location, exc)
    from ui.server_away import ServerAwayDialog

    dialog = ServerAwayDialog(
        location,
        reason,
        retry=open_library,
        opener=opener,
        default_library=default_library,
        away_reason=away_reason,
    )
    try:
        library = dialog.wait()
    finally:
        dialog.deleteLater()
    if library is None:
        return None
    return library, location if dialog.retried else library.location


def remembered_library() -> str | None:
    """The library the window was last opened on (:data:`ui.window_settings.RECENT_LIBRARIES`).

    For the composition root, which opens it when no library is named. None when there
    is none, or when Qt's modules cannot be loaded here (:func:`run` then says why).
    """
    try:
        from ui.window_settings import RECENT_LIBRARIES

        recent = RECENT_LIBRARIES.read(make_settings())
    except ImportError:
        return None
    return recent[0] if recent else None


def _handed_to_open_window(name: str, handover: Handover) -> bool:
    """Whether a window open on the library took the request (it comes to the front)."""
    from ui.single_instance import Delivery, hand_over

    delivery = hand_over(name, handover)
    if delivery is Delivery.UNANSWERED:  # a window that hangs: the library's lock will say whose
        log.warning("the window listening on %s did not answer a second start", name)
    return delivery is Delivery.DELIVERED


def _show_window(
    app: QApplication,
    library: Library,
    crash: CrashHandler,
    log_file: Path | None,
    opener: Callable[[str], Library] | None,
    *,
    location: str,
    handover: Handover,
    asked: str = "",
) -> int:
    """The window on ``library``, named by ``location``: another than ``asked`` when a local
    library was opened because the team's server was away (the next start tries it again)."""
    from PySide6.QtWidgets import QMessageBox

    away_from = asked if asked and asked != location else ""

    from ui.library_switch import WindowSession

    session = WindowSession(app, opener=opener, crash=crash)
    try:
        try:
            session.show(library, handover, location=location, away_from=away_from)
        except Exception as exc:
            log.exception("the window could not be opened")
            library.close()
            where = f"\n\nThe details are in the log file {log_file}." if log_file else ""
            QMessageBox.critical(
                None,
                "Newsdigest could not start",
                f"The window could not be opened: {type(exc).__name__}: {exc}{where}",
            )
            return 1
        return _run_loop(app, session)
    finally:
        session.close()  # the library the window was on last, and its single-instance server


def _run_loop(app: QApplication, session: WindowSession) -> int:
    """The event loop, until the window closes; Ctrl-C in the terminal closes it as File →
    Quit does, and the run then exits 130 (:mod:`ui.interrupt`)."""
    from ui.interrupt import interruptible

    def close() -> bool:
        window = session.window
        if window is not None:
            window.close()  # the digest saved, or the user asked (and may keep it open)
            if not window.closed:
                return False
        app.quit()  # a dialog of the window's left on screen does not keep the app running
        return True

    with interruptible(app, close) as interrupt:
        return interrupt.status(int(app.exec()))
