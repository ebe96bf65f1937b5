"""``make theme-screenshots``: every theme of the email, as the preview's Chromium shows it.

Run under a display (``QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox xvfb-run -a python -m
ui.theme_screenshots docs/screenshots/themes``). The emails are built with the
``newsdigest`` command itself, in a throw-away library (the sample library, an
invented organisation as the first-run setup would give it, the newest month),
one per theme ``newsdigest build --theme`` offers. Each is shown in the
preview's web view (:class:`ui.web_view.EmailView`: the same locked-down Qt
WebEngine page, the same dark-mode simulation and images-off switch as the
preview pane) and saved whole, top to bottom, as:

* ``THEME-600.png``: desktop (the 600 px column in a 640 px wide window, so
  that a ``max-width: 600px`` phone rule does not apply);
* ``THEME-375.png``: a 375 px wide phone;
* ``THEME-dark.png``: desktop in dark mode;
* ``THEME-images-off.png``: desktop with images blocked (the alt text shows).

The sample's images and the logo live on invented hosts, so nothing is fetched:
each is replaced, in the shown HTML only, by a generated picture of its size
class (a landscape photo stand-in, or a logo plate bearing the organisation's name);
the images-off picture shows the email as sent, its remote images blocked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ui.app import prepare_qt

ROOT = Path(__file__).resolve().parent.parent
ORGANISATION = "Harbourside Water Trust"
LOGO_URL = "https://news.harbourside.example/logo.png"
THEME_OPTIONS = (
    ("--organisation", ORGANISATION),
    ("--logo-url", LOGO_URL),
    ("--postal-address", "4 Quay Lane, Portmarrow PM1 2AB, United Kingdom"),
    ("--unsubscribe-url", "https://news.harbourside.example/unsubscribe"),
    ("--web-version-url", "https://news.harbourside.example/digest"),
    ("--from", "Harbourside News <news@harbourside.example>"),
    ("--footer", "Questions about a story? Reply to this email and it reaches our press office."),
)
DESKTOP = 640
PHONE = 375
#: The tallest picture saved (a long digest on a phone is cut there).
MAX_HEIGHT = 12_000
#: (file suffix, window width, dark, images)
SHOTS = (
    ("600", DESKTOP, False, True),
    ("375", PHONE, False, True),
    ("dark", DESKTOP, True, True),
    ("images-off", DESKTOP, False, False),
)


def newsdigest(library: Path, *args: str) -> str:
    """Run the ``newsdigest`` command on ``library``; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "composer", "--library", str(library), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    # build exits 1 after writing its files when preflight found errors: the caller checks them
    if done.returncode != 0 and not (args[0] == "build" and done.returncode == 1):
        raise SystemExit(f"newsdigest {' '.join(args[:2])} failed: {done.stderr or done.stdout}")
    return done.stdout


def themes(library: Path) -> list[str]:
    """The themes ``build --theme`` offers (``["default"]`` before there was a choice)."""
    text = " ".join(newsdigest(library, "build", "--help").split())
    start = text.rfind("--theme NAME")
    if start < 0:
        return ["default"]
    try:
        from composer.theme.model import LAYOUTS

        known = list(LAYOUTS)
    except ImportError:
        known = sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_dir())
    found = [n for n in known if re.search(rf"\b{re.escape(n)}\b", text[start : start + 300])]
    return found or ["default"]


def build_emails(work: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """``{theme: html}`` for the newest month of the sample, and that month's items."""
    library = work / "library.json"
    newsdigest(library, "sample")
    newsdigest(library, "settings", "theme", *[v for pair in THEME_OPTIONS for v in pair])
    items = json.loads(newsdigest(library, "items", "--json"))
    month = max(item["date"][:7] for item in items)
    emails: dict[str, str] = {}
    for theme in themes(library):
        out = work / f"{theme}.html"
        args = ["build", "--month", month, "--html", str(out)]
        if theme != "default":
            args += ["--theme", theme]
        newsdigest(library, *args)
        if not out.exists():
            raise SystemExit(f"newsdigest build --theme {theme} wrote no HTML")
        emails[theme] = out.read_text(encoding="utf-8")
    return emails, [item for item in items if item["date"].startswith(month)]


# -- stand-in pictures ----------------------------------------------------------------------------
def _png(image: Any) -> str:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(bytes(data.data())).decode("ascii")


def photo(url: str) -> str:
    """A 1200×675 landscape stand-in, its colours drawn from the url (same url, same picture)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QColor, QImage, QPainter, QPolygonF

    seed = hashlib.sha256(url.encode("utf-8")).digest()
    hue = seed[0] * 360 // 256
    image = QImage(1200, 675, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    painter.fillRect(image.rect(), QColor.fromHsv(hue, 80, 235))  # flat: small PNG files
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(QColor(255, 244, 214))
    painter.drawEllipse(QPointF(300 + seed[1] * 2, 180), 70, 70)
    for n, (top, value) in enumerate(((330, 150), (420, 110))):
        painter.setBrush(QColor.fromHsv((hue + 120 + 20 * n) % 360, 120, value))
        peaks = [QPointF(0, 675), QPointF(0, top + seed[2 + n] % 80)]
        for x in range(150, 1351, 150):
            peaks.append(QPointF(x, top + (seed[(x // 150 + 3 * n) % 32] % 140) - 40))
        peaks.append(QPointF(1200, 675))
        painter.drawPolygon(QPolygonF(peaks))
    painter.end()
    return _png(image)


def logo(name: str) -> str:
    """A 360×96 logo on a white plate: the initials in a brand roundel, then the name.

    An opaque logo reads on every masthead (white, brand-coloured or dark).
    """
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    brand = QColor("#0b4f6c")
    image = QImage(360, 96, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 0))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(QRectF(0, 0, 360, 96), 14, 14)
    painter.setBrush(brand)
    painter.drawEllipse(QRectF(10, 10, 76, 76))
    font = QFont("DejaVu Sans", 26, QFont.Weight.Bold)
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    painter.drawText(QRectF(10, 10, 76, 76), Qt.AlignmentFlag.AlignCenter, initials)
    font.setPointSize(16)
    painter.setFont(font)
    painter.setPen(brand)
    painter.drawText(
        QRectF(100, 0, 252, 96),
        int(Qt.AlignmentFlag.AlignVCenter) | int(Qt.TextFlag.TextWordWrap),
        name,
    )
    painter.end()
    return _png(image)


def with_pictures(html: str, items: list[dict[str, Any]]) -> str:
    """``html`` with the sample's images and the logo replaced by generated ones."""
    urls = {item["image_url"] for item in items if item.get("image_url")}
    for url in sorted(urls):
        html = html.replace(url, photo(url))
    return html.replace(LOGO_URL, logo(ORGANISATION))


# -- shooting ------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "docs/screenshots/themes")
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="newsdigest-theme-shots-"))
    os.environ["NEWSDIGEST_SETTINGS"] = str(work / "settings.ini")
    emails, items = build_emails(work)
    prepare_qt()
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from composer.email.preview_frames import force_dark_scheme

    app = QApplication([argv[0]])
    app.setApplicationName("Newsdigest")
    from ui.web_view import EmailView

    view = EmailView(lambda url: None)
    view.show()

    def settle(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def load(action: Callable[[], None]) -> None:
        loop = QEventLoop()
        view.loaded.connect(loop.quit)
        QTimer.singleShot(20_000, loop.quit)
        action()
        loop.exec()
        view.loaded.disconnect(loop.quit)
        settle(500)

    for theme, html in emails.items():
        shown = with_pictures(html, items)
        for suffix, width, dark, images in SHOTS:
            view.resize(width, 900)
            # images off: the email as sent (its images are remote, and blocked)
            page = shown if images else html
            page = force_dark_scheme(page) if dark else page
            load(lambda p=page, d=dark, i=images: view.show_html(p, images=i, remote=False, dark=d))
            height = min(MAX_HEIGHT, max(900, int(view.page().contentsSize().height()) + 1))
            view.resize(width, height)
            settle(900)
            path = out / f"{theme}-{suffix}.png"
            view.grab().save(str(path))
            print(f"wrote {path} ({width}×{height})")
    view.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
