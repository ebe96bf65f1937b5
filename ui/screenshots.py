"""``make screenshots``: the composer window on the sample library, saved as PNG files.

Run under a display (``xvfb-run -a python -m ui.screenshots docs/screenshots``).
It builds a throw-away library from the sample items (or, while the sample is
not available, from the listing fixture), drafts the digest of the newest month,
and saves ``main-window.png`` (desktop preview), ``mobile-preview.png``,
``dark-preview.png`` and ``preflight.png``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from ui.app import prepare_qt

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "news-listing-2023-01.txt"
SIZE = (1440, 900)
THEME = {
    "organisation": "Northwind Research Institute",
    "postal_address": "12 Harbour Street, 1010 Vienna, Austria",
    "unsubscribe_url": "https://news.example.org/unsubscribe",
    "web_version_url": "https://news.example.org/digest",
    "from_address": "Northwind News <news@example.org>",
    "footer": "You can reply to this email: it reaches our newsroom.",
}


def _items() -> list[object]:
    try:
        from composer.sample import load_sample_items
    except ImportError:
        from composer.importers import import_source

        return list(import_source(str(FIXTURE)).items)
    return list(load_sample_items())


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="newsdigest-shots-"))
    os.environ["NEWSDIGEST_SETTINGS"] = str(work / "settings.ini")
    prepare_qt()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from composer.theme import merge_theme
    from store.tinydb_library import TinyDBLibrary
    from ui.main_window import MainWindow

    app = QApplication([argv[0]])
    app.setApplicationName("Newsdigest")
    library = TinyDBLibrary(work / "library.json")
    library.add_items(_items())  # type: ignore[arg-type]
    library.update_settings(merge_theme(library.settings(), THEME))
    window = MainWindow(library)
    window.resize(*SIZE)
    window.show()
    months = sorted({item.month for item in library.items()})

    def settle(ms: int = 400) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for_preview(action: Callable[[], object]) -> None:
        loop = QEventLoop()
        window.preview.loaded.connect(loop.quit)
        QTimer.singleShot(15_000, loop.quit)
        action()
        loop.exec()
        window.preview.loaded.disconnect(loop.quit)
        settle(600)

    def save(name: str) -> None:
        screen = window.screen()
        pixmap = screen.grabWindow(
            0, window.x(), window.y(), window.frameGeometry().width(), window.height()
        )
        if pixmap.isNull() or pixmap.width() < 100:
            pixmap = window.grab()
        pixmap.save(str(out / name))
        print(f"wrote {out / name}")

    wait_for_preview(lambda: window.draft_from_month(months[-1]))
    digest = window.document.digest
    assert digest is not None
    window.editor.select_item(digest.sections[0].item_ids[0])
    window.splitter.setSizes([380, 420, 640])
    settle()
    save("main-window.png")

    wait_for_preview(window.preview.mobile_action.trigger)
    save("mobile-preview.png")
    wait_for_preview(window.preview.desktop_action.trigger)
    wait_for_preview(window.preview.dark_action.trigger)
    save("dark-preview.png")
    wait_for_preview(window.preview.dark_action.trigger)

    # the preflight panel with something to say: an item gone from the library
    gone = digest.sections[0].item_ids[-1]
    library.remove_items([gone])
    wait_for_preview(window.refresh)
    window.right.setSizes([560, 300])
    findings = window.preflight.model.findings
    row = next((n for n, f in enumerate(findings) if f.item_id == gone), 0)
    if findings:
        window.preflight.list.setCurrentIndex(window.preflight.model.index(row, 0))
        window.show_finding(findings[row])
    settle()
    save("preflight.png")

    window.close()
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
