"""Newsdigest's icon (``ui/icons/``): the window icon, the About box's picture.

``newsdigest.svg`` is the drawing; ``newsdigest-48.png``, ``-128`` and ``-256`` are
its renders (``packaging/render_icons.py``), used here so that showing the icon needs
no SVG plug-in. The desktop entry installs the same files (``packaging/``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

ICONS = Path(__file__).resolve().parent / "icons"
SIZES = (48, 128, 256)


def icon_file(size: int) -> Path:
    """The PNG render of the icon at ``size`` pixels (one of :data:`SIZES`)."""
    return ICONS / f"newsdigest-{size}.png"


def app_icon() -> QIcon:
    """The icon in all its sizes (an empty icon if the files are missing)."""
    icon = QIcon()
    for size in SIZES:
        path = icon_file(size)
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))  # loaded when first drawn
    return icon
