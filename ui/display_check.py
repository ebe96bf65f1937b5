"""Can the window open here? Asked before Qt is touched, so that "no" is one line, not a core dump.

When none of its platform plugins can start, Qt ends the process with ``abort()``
(SIGABRT, a core dump) after a few lines that point at the wrong cause. On Linux and
the BSDs that happens without a display, when the X display named does not answer,
and when the xcb plugin's system libraries are missing. :func:`display_problem`
foresees those cases from the environment and returns the one line to print instead;
macOS and Windows always have a display, and nothing is checked there.

* No display: neither ``DISPLAY`` nor ``WAYLAND_DISPLAY`` is set, and
  ``QT_QPA_PLATFORM`` names no platform that needs none (``offscreen``, ``vnc``...).
* An X display that Qt's xcb plugin would have to use alone (``DISPLAY`` without
  ``WAYLAND_DISPLAY``, or ``QT_QPA_PLATFORM=xcb``): its libraries are loaded the way
  the plugin loads them (by their file names, through the system's loader; Linux
  only, the package names are Debian's), then the display is connected to once. With
  Wayland in the running Qt has somewhere else to go, and is left to choose.

:func:`qt_load_problem` is the line for the next step (:func:`ui.app.start_problem`):
Qt's modules failing to load because a system library they link is missing; it names
the library and, where it knows it, its Debian package.

Pure Python: no Qt import, and nothing but :mod:`ctypes` for the probes.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Callable, Mapping

NO_DISPLAY = (
    "newsdigest: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set); "
    "the command line works without one: newsdigest --help"
)

#: Qt platforms that draw without a display server.
HEADLESS_PLATFORMS = frozenset(
    {"offscreen", "minimal", "minimalegl", "vnc", "eglfs", "linuxfb", "vkkhrdisplay", "directfb"}
)
#: Every library Qt's xcb plugin links beyond Qt itself and the C/C++ runtime, with
#: the Debian package that has it (``objdump -p libqxcb.so``, ``dpkg -S``; PySide6 6.11).
XCB_LIBRARIES: Mapping[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libGL.so.1": "libgl1",
}
#: What Qt's modules and Qt WebEngine load, beyond the xcb plugin's, with their Debian
#: package: each was missing on a bare Debian 12 (``debootstrap --variant=minbase``).
QT_LIBRARIES: Mapping[str, str] = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libnspr4.so": "libnss3",
    "libnss3.so": "libnss3",
    "libXcomposite.so.1": "libxcomposite1",
    "libXdamage.so.1": "libxdamage1",
    "libXrandr.so.2": "libxrandr2",
    "libXtst.so.6": "libxtst6",
    "libasound.so.2": "libasound2",
    "libxkbfile.so.1": "libxkbfile1",
}
_ALWAYS_A_DISPLAY = ("darwin", "win32")
_LIBRARY_NAME = re.compile(r"\b(lib[\w.+-]*?\.so(?:\.\d+)*)\b")


def requested_platforms(value: str | None) -> list[str]:
    """The platform names in a ``QT_QPA_PLATFORM`` value such as ``"wayland;xcb"``."""
    names = (entry.partition(":")[0].strip().lower() for entry in (value or "").split(";"))
    return [name for name in names if name]


def library_loads(name: str) -> bool:
    """Whether the system's loader finds and loads the shared library ``name`` (a file name)."""
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def x_display_answers(display: str) -> bool:
    """Whether the X server ``display`` (a ``DISPLAY`` value) accepts a connection (libxcb)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(os.fsencode(display), None)  # never NULL: an error object
    try:
        return bool(connection) and xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def display_problem(
    platform: str,
    env: Mapping[str, str],
    *,
    loads: Callable[[str], bool] = library_loads,
    answers: Callable[[str], bool] = x_display_answers,
) -> str | None:
    """The one line that says why the window cannot open, or None when Qt can be started.

    ``platform`` is a :data:`sys.platform` value and ``env`` the environment;
    ``loads`` and ``answers`` are the probes (:func:`library_loads`,
    :func:`x_display_answers`), asked only when an X display is the one way in.
    """
    if platform.startswith(_ALWAYS_A_DISPLAY):
        return None
    requested = requested_platforms(env.get("QT_QPA_PLATFORM"))
    if any(name in HEADLESS_PLATFORMS for name in requested):
        return None
    display, wayland = env.get("DISPLAY", ""), env.get("WAYLAND_DISPLAY", "")
    if not display and not wayland:
        return NO_DISPLAY
    xcb_alone = all(name == "xcb" for name in requested) if requested else not wayland
    if not display or not xcb_alone:
        return None  # Wayland, or a platform Qt will judge for itself
    if platform.startswith("linux"):
        missing = [name for name in XCB_LIBRARIES if not loads(name)]
        if missing:
            return missing_libraries_message(display, missing)
    if not answers(display):
        return (
            f"newsdigest: the X display {display} (DISPLAY) does not answer, "
            "so the window cannot open on it; the command line works without one: newsdigest --help"
        )
    return None


def missing_libraries_message(display: str, missing: list[str]) -> str:
    """The line for an X display whose xcb libraries are not all installed."""
    packages = " ".join(dict.fromkeys(XCB_LIBRARIES[name] for name in missing))
    return (
        f"newsdigest: the window cannot open on the X display {display}: Qt's xcb platform "
        f"needs system libraries that are missing ({', '.join(missing)}); "
        f"on Debian or Ubuntu: sudo apt-get install {packages}; "
        "the command line works without them: newsdigest --help"
    )


def qt_load_problem(error: str) -> str:
    """The line for Qt's modules failing to load (``error``: the ImportError's message)."""
    error = " ".join(error.split())
    found = _LIBRARY_NAME.search(error)
    library = found.group(1) if found else ""
    package = QT_LIBRARIES.get(library) or XCB_LIBRARIES.get(library)
    where = f"on Debian or Ubuntu it is in {package}, and " if package else ""
    return (
        f"newsdigest: Qt cannot load ({error}); {where}the README lists every system library "
        "the window needs; the command line works without them: newsdigest --help"
    )


def check_display() -> str | None:
    """:func:`display_problem` for this process: its platform and environment."""
    return display_problem(sys.platform, os.environ)
