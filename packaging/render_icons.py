"""Render ``ui/icons/newsdigest.svg`` to the PNG sizes the desktop and the window use.

Run ``python packaging/render_icons.py`` after changing the SVG, and commit the PNGs
(``ui/icons/newsdigest-48.png``, ``-128``, ``-256``). It uses Qt's own SVG renderer,
on the offscreen platform, so it needs nothing but PySide6.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "ui" / "icons"
SIZES = (48, 128, 256)


def render(svg: Path, size: int, out: Path) -> None:
    """Render ``svg`` at ``size`` x ``size`` pixels into the PNG file ``out``."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"{out}: cannot be written")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    svg = ICONS / "newsdigest.svg"
    for size in SIZES:
        out = ICONS / f"newsdigest-{size}.png"
        render(svg, size, out)
        print(f"wrote {out} ({size}x{size})")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
