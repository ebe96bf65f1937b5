"""Starting the GUI: the application object, the library (or a clear message), the window."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QApplication, QMessageBox

from composer.errors import NewsdigestError
from composer.repository import Library


def run(open_library: Callable[[], Library], *, location: str, argv: Sequence[str]) -> int:
    """Open the library and show the main window; returns the exit status."""
    app = QApplication.instance() or QApplication(list(argv))
    assert isinstance(app, QApplication)
    app.setApplicationName("Newsdigest")
    app.setOrganizationName("Newsdigest")
    app.setDesktopFileName("org.newsdigest.Newsdigest")
    try:
        library = open_library()
    except NewsdigestError as exc:
        QMessageBox.critical(None, "Newsdigest cannot open the library", f"{location}\n\n{exc}")
        return 1
    from ui.main_window import MainWindow

    window = MainWindow(library)
    window.show()
    try:
        return app.exec()
    finally:
        library.close()
