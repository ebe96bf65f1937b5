"""``make screenshots``: the composer window on the sample library, saved as PNG files.

Run under a display (``xvfb-run -a python -m ui.screenshots docs/screenshots``).
It builds a throw-away library from the sample items (or, while the sample is
not available, from the listing fixture), drafts the digest of the newest month,
and saves ``main-window.png`` (desktop preview), ``mobile-preview.png``,
``dark-preview.png``, ``preflight.png``, ``sending-settings.png``,
``send-dialog.png`` (a list send interrupted earlier, ready to resume),
``import-preview.png`` (a news listing pasted from a browser, before it is imported)
and ``first-run.png`` (the organisation and sending setup, half filled in).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.app import prepare_qt

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "news-listing-2023-01.txt"
SIZE = (1440, 900)
SMTP = {
    "host": "smtp.northwind.example",
    "security": "starttls",
    "user": "newsroom",
    "sender_name": "Northwind News",
    "sender_address": "news@northwind.example",
    "reply_to": "Press office <press@northwind.example>",
    "throttle": 120,
}
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
        from composer.library.sample import load_sample_items
    except ImportError:
        from composer.library.importers import import_source

        return list(import_source(str(FIXTURE)).items)
    return list(load_sample_items())


class Shots:
    """The window being photographed, and the folder the pictures go to."""

    def __init__(self, window: Any, out: Path) -> None:
        self.window = window
        self.out = out

    def settle(self, ms: int = 400) -> None:
        """Let the window draw (and the web view catch up) for ``ms``."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for_preview(self, action: Callable[[], object]) -> None:
        """Do ``action`` and wait until the preview has loaded what it caused."""
        from PySide6.QtCore import QEventLoop, QTimer

        preview = self.window.preview
        loop = QEventLoop()
        preview.loaded.connect(loop.quit)
        QTimer.singleShot(15_000, loop.quit)
        action()
        loop.exec()
        preview.loaded.disconnect(loop.quit)
        self.settle(600)

    def save(self, name: str) -> None:
        """The window with its frame (from the screen), or as Qt draws it offscreen."""
        window = self.window
        pixmap = window.screen().grabWindow(
            0, window.x(), window.y(), window.frameGeometry().width(), window.height()
        )
        if pixmap.isNull() or pixmap.width() < 100:
            pixmap = window.grab()
        pixmap.save(str(self.out / name))
        print(f"wrote {self.out / name}")


def main(argv: list[str], open_library: Callable[[Path], Any]) -> int:
    """Write the screenshots into ``argv[1]``; ``open_library`` opens a library file (the
    composition root, ``newsdigest screenshots``, gives it: ui/ never imports the store)."""
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="newsdigest-shots-"))
    os.environ["NEWSDIGEST_SETTINGS"] = str(work / "settings.ini")
    prepare_qt()
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    app = QApplication([argv[0]])
    app.setApplicationName("Newsdigest")
    library = _sample_library(open_library(work / "library.json"))
    window = MainWindow(library)
    window.resize(*SIZE)
    window.show()
    shots = Shots(window, out)
    digest = shoot_window(shots, library)
    shoot_sending(window, library, out, shots.settle)
    shoot_import_preview(window, out, shots.settle)
    shoot_first_run(window, out, shots.settle)
    shoot_preflight(shots, library, digest)
    window.close()
    library.close()
    return 0


def _sample_library(library: Any) -> Any:
    """``library`` with the sample items and an organisation's theme."""
    from composer.theme.model import merge_theme

    library.add_items(_items())
    library.update_settings(merge_theme(library.settings(), THEME))
    return library


def shoot_window(shots: Shots, library: Any) -> Any:
    """The newest month drafted, at desktop and mobile width, and in dark mode; the digest."""
    window = shots.window
    months = sorted({item.month for item in library.items()})
    shots.wait_for_preview(lambda: window.digests.draft_from_month(months[-1]))
    digest = window.document.digest
    assert digest is not None
    window.editor.select_item(digest.sections[0].item_ids[0])
    window.splitter.setSizes([380, 420, 640])
    shots.settle()
    shots.save("main-window.png")
    shots.wait_for_preview(window.preview.mobile_action.trigger)
    shots.save("mobile-preview.png")
    shots.wait_for_preview(window.preview.desktop_action.trigger)
    shots.wait_for_preview(window.preview.dark_action.trigger)
    shots.save("dark-preview.png")
    shots.wait_for_preview(window.preview.dark_action.trigger)
    return digest


def shoot_preflight(shots: Shots, library: Any, digest: Any) -> None:
    """The preflight panel with something to say: an item gone from the library."""
    window = shots.window
    gone = digest.sections[0].item_ids[-1]
    library.remove_items([gone])
    shots.wait_for_preview(window.refresh)
    window.right.setSizes([560, 300])
    findings = window.preflight.model.findings
    row = next((n for n, f in enumerate(findings) if f.item_id == gone), 0)
    if findings:
        window.preflight.list.setCurrentIndex(window.preflight.model.index(row, 0))
        window.previewing.show_finding(findings[row])
    shots.settle()
    shots.save("preflight.png")


def shoot_sending(window: Any, library: Any, out: Path, settle: Callable[[], None]) -> None:
    """The sending settings, and the Send dialog of a list send interrupted earlier."""
    from composer.smtp_settings import merge_smtp

    library.update_settings(merge_smtp(library.settings(), SMTP))
    digest = window.document.digest
    readers = [f"reader{n:04d}@example.org" for n in range(1240)]
    states = ["sent"] * 1180 + ["failed"] * 3 + ["uncertain"] + ["queued"] * 56
    entries = []
    for n, (address, state) in enumerate(zip(readers, states, strict=True)):
        entry = {
            "digest_id": digest.id,
            "recipient": address,
            "address": address,
            "name": "",
            "state": state,
            "queued_at": f"2026-11-02T09:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
            "updated_at": f"2026-11-02T09:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
            "code": {"sent": 250, "failed": 550}.get(state),
            "text": {
                "sent": "2.0.0 Ok: queued",
                "failed": f"5.1.1 <{address}>: Recipient address rejected: User unknown",
                "uncertain": "the connection was lost after the message was handed over",
            }.get(state, ""),
        }
        entries.append(entry)
    library.record_send(entries)
    window.sending.passwords.remember(window.sending._smtp(), "not-a-real-password")

    settings = window.sending.show_settings()
    settle()
    settings.grab().save(str(out / "sending-settings.png"))
    print(f"wrote {out / 'sending-settings.png'}")
    settings.reject()
    dialog = window.sending.send()
    dialog.log_view.scrollTo(dialog.log_model.index(1180, 0))
    dialog.log_view.selectRow(1180)
    settle()
    dialog.grab().save(str(out / "send-dialog.png"))
    print(f"wrote {out / 'send-dialog.png'}")
    dialog.close()


PASTED_SITE = "https://www.northwind.example"
PASTED_CARDS = [
    ("Harbour Talks", "Ports and the energy transition: notes from the harbour talks", "2023-03-28",
     "Port authorities from six countries compared how they plan for shore power."),
    ("Press Release", "Northwind opens a field office in Gdańsk", "2023-03-24",
     "The new office brings the institute's coastal research closer to the Baltic ports."),
    ("Expert Voice", "Why tide gauges still matter in the satellite age", "2023-03-20",
     "Our oceanographer explains what a century of local readings tells us."),
    ("Project News", "Wetland survey: first results from the spring season", "2023-03-15",
     "Volunteers counted 41 bird species across the three survey sites."),
    ("Project News", "Coastal schools join the weather-station network", None,
     "Twelve schools now share their readings with the regional network."),
]  # fmt: skip


def _pasted_listing(known: Any) -> bytes:
    """A news listing as a browser copies it: cards with links, thumbnails and dates."""
    cards = []
    rows = [
        *PASTED_CARDS[:2],
        (known.category, known.title, known.date.isoformat(), ""),
        *PASTED_CARDS[2:],
    ]
    for n, (label, title, date, teaser) in enumerate(rows):
        link = known.url if title == known.title and known.url else f"{PASTED_SITE}/news/story-{n}"
        when = f'<time datetime="{date}">{date}</time>' if date else ""
        cards.append(
            f'<article class="card"><a href="{link}"><img src="{PASTED_SITE}/media/{n}.jpg" '
            f'alt="Photo for {title}"></a><span class="kicker">{label}</span>'
            f'<h3><a href="{link}">{title}</a></h3>{when}<p>{teaser}</p></article>'
        )
    return f"<html><body><main>{''.join(cards)}</main></body></html>".encode()


def shoot_import_preview(window: Any, out: Path, settle: Callable[[], None]) -> None:
    """The import preview of a listing pasted from a browser, one story already imported."""
    from ui.importing import clipboard_reader

    known = window.library.items()[0]
    formats = {
        "text/html": _pasted_listing(known),
        "chromium/x-source-url": f"{PASTED_SITE}/news/".encode(),
    }
    dialog = window.imports.preview_import([clipboard_reader(formats)("clipboard")])
    dialog.resize(1180, 620)
    settle()
    dialog.grab().save(str(out / "import-preview.png"))
    print(f"wrote {out / 'import-preview.png'}")
    dialog.reject()
    window.statusBar().clearMessage()  # "Import cancelled" is no part of the next picture


def shoot_first_run(window: Any, out: Path, settle: Callable[[], None]) -> None:
    """The first-run setup of a library not set up yet, two fields typed, one still wrong."""
    from ui.first_run import FirstRunDialog

    dialog = FirstRunDialog({}, window)
    dialog.edits["organisation"].setText(str(THEME["organisation"]))
    dialog.edits["from_address"].setText("Northwind News <news@example.org>")
    dialog.edits["unsubscribe_url"].setText("news.example.org/unsubscribe")
    dialog.show()
    settle()
    dialog.grab().save(str(out / "first-run.png"))
    print(f"wrote {out / 'first-run.png'}")
    dialog.reject()


if __name__ == "__main__":  # the composition root opens the library
    from composer.cli.main import main as cli_main

    sys.exit(cli_main(["screenshots", *sys.argv[1:2]]))
