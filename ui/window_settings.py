"""The window's own settings, each declared once: its key, its type and its default.

The window keeps what is not the library's (that is the library's settings, shared
with the command line) in a :class:`QSettings`: its geometry and splitters, the
preview's toggles, the last digest of each library, the export profile and folder,
the test addresses, a skipped first-run setup, the libraries opened last. Every key is
declared here and read and written through its :class:`Setting` (compare Picard's
``options.py``); no other module names a key. :func:`ui.app.make_settings` chooses the file
(``NEWSDIGEST_SETTINGS``).

A setting that was once stored under another key lists it in ``old_keys``: while the
new key is absent the old one is read, and writing the new key removes the old ones
(the preview toggles were keyed by their visible labels, "preview/Images off"; they
are keyed by a stable name now, and a user's saved toggles survive the change).
Old and new keys differ by more than letter case: the Windows registry ignores case.

Settings of one library (:class:`PerLibrary`) carry the library's key
(:func:`library_key`, a short hash of its location) in theirs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Generic, TypeVar, cast

from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")

_TRUE = ("true", "1")


@dataclasses.dataclass(frozen=True)
class Setting(Generic[T]):
    """One stored value: ``key``, ``default`` (its type is the setting's), earlier keys."""

    key: str
    default: T
    old_keys: tuple[str, ...] = ()

    def stored_key(self, settings: QSettings) -> str | None:
        """The key the value is stored under (the new one first), None when not stored."""
        return next((k for k in (self.key, *self.old_keys) if settings.contains(k)), None)

    def read(self, settings: QSettings) -> T:
        """The stored value, or the default when there is none or it cannot be read."""
        key = self.stored_key(settings)
        if key is None:
            return self.default
        return self.parse(settings.value(key))

    def write(self, settings: QSettings, value: T) -> None:
        """Store ``value`` under the key (earlier keys are removed)."""
        settings.setValue(self.key, value)
        for old in self.old_keys:
            settings.remove(old)

    def parse(self, stored: object) -> T:
        """A stored value as the setting's type (ini files give strings back)."""
        default = self.default
        if isinstance(default, bool):
            return cast(T, str(stored).strip().lower() in _TRUE)
        if isinstance(default, int):
            try:
                return cast(T, int(str(stored)))
            except ValueError:
                return default
        if isinstance(default, str):
            return cast(T, "" if stored is None else str(stored))
        return cast(T, stored)


@dataclasses.dataclass(frozen=True)
class WidgetState(Setting["QByteArray | None"]):
    """What Qt saves of a widget (geometry, toolbars, splitter sizes); None when not saved."""

    default: QByteArray | None = None

    def parse(self, stored: object) -> QByteArray | None:
        if isinstance(stored, QByteArray):
            return stored
        if isinstance(stored, bytes):
            return QByteArray(stored)
        return None


@dataclasses.dataclass(frozen=True)
class StringList(Setting[tuple[str, ...]]):
    """A list of strings, stored as one JSON array (an ini file gives a one-element list
    back as a plain string, the registry a list: one text is the same everywhere)."""

    default: tuple[str, ...] = ()

    def write(self, settings: QSettings, value: tuple[str, ...]) -> None:
        settings.setValue(self.key, json.dumps(list(value), ensure_ascii=False))
        for old in self.old_keys:
            settings.remove(old)

    def parse(self, stored: object) -> tuple[str, ...]:
        try:
            found = json.loads(str(stored))
        except ValueError:
            return self.default
        if not isinstance(found, list):
            return self.default
        return tuple(entry for entry in found if isinstance(entry, str) and entry)


@dataclasses.dataclass(frozen=True)
class PerLibrary(Generic[T]):
    """A setting kept for each library: ``pattern`` names it with ``{library}``."""

    pattern: str
    default: T

    def of(self, library: str) -> Setting[T]:
        """The setting of the library whose :func:`library_key` is ``library``."""
        return Setting(self.pattern.format(library=library), self.default)


def library_key(location: str) -> str:
    """The short, stable name of a library in the window's settings (``packaging/smoke.sh``
    computes the same to seed a last digest)."""
    return hashlib.sha1(location.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


# -- the window ------------------------------------------------------------------------------------
GEOMETRY = WidgetState("window/geometry")
WINDOW_STATE = WidgetState("window/state")  # the toolbar
#: The splitters, by their object names (the keys have been these since the first release).
MAIN_SPLITTER = WidgetState("splitters/main-splitter")
PREVIEW_SPLITTER = WidgetState("splitters/preview-splitter")
EDITOR_SPLITTER = WidgetState("splitters/editor-splitter")

# -- the preview's toggles, by a stable name (they were keyed by their labels) ---------------------
PREVIEW_TOGGLES: dict[str, Setting[bool]] = {
    "email": Setting("preview/show_email", True, ("preview/Email",)),
    "text": Setting("preview/show_text", False, ("preview/Plain text",)),
    "source": Setting("preview/show_source", False, ("preview/HTML source",)),
    "desktop": Setting("preview/desktop_width", True, ("preview/Desktop",)),
    "mobile": Setting("preview/mobile_width", False, ("preview/Mobile",)),
    "dark": Setting("preview/dark_mode", False, ("preview/Dark",)),
    "images_off": Setting("preview/images_off", False, ("preview/Images off",)),
    "remote_images": Setting("preview/remote_images", False, ("preview/Load remote images",)),
}

# -- export and sending --------------------------------------------------------------------------
EXPORT_PROFILE = Setting("export/profile", "plain")
#: The folder last exported to; empty: the user's home folder.
EXPORT_FOLDER = Setting("export/folder", "")
#: The addresses last typed in the Send test dialog.
TEST_ADDRESSES = Setting("send/test_addresses", "")

# -- the libraries ---------------------------------------------------------------------------------
#: The libraries opened last, the newest first: locations only (a file's path, a database's url
#: without its password); the composition root opens the first when no library is named.
RECENT_LIBRARIES = StringList("libraries/recent")
RECENT_LIMIT = 8

# -- each library ----------------------------------------------------------------------------------
#: The digest open when the window last closed (reopened on the next start).
LAST_DIGEST = PerLibrary("libraries/{library}/last_digest", "")
#: The first-run setup was skipped: it is not offered again.
SETUP_SKIPPED = PerLibrary("setup/{library}/skipped", False)


def declared() -> list[Setting[object] | PerLibrary[object]]:
    """Every setting declared here (for the tests: one key, one declaration)."""
    found: list[Setting[object] | PerLibrary[object]] = []
    for value in globals().values():
        if isinstance(value, Setting | PerLibrary):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(v for v in value.values() if isinstance(v, Setting))
    return found
