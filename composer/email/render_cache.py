"""Remembering renders: the email is rendered once per content change.

A render's output depends only on what it is given (see :mod:`composer.email.render`):
the digest's fields, the items it references, the theme, the links, the layout
asked for, whether the preflight runs, and the files of the user templates folder.
:func:`render_key` folds all of that into one hash, and :class:`RenderCache` keeps
the last few results under their keys (least recently used first out), so that the
preview, the export and the send of an unchanged digest share one render.

What is left out of the key, because no template reads it: the digest's ``created``
and ``updated`` stamps and its saved ``version`` (saving a digest changes them, not the
email). What is in it
for the user templates folder: every file's path, size and modification time
(:func:`templates_signature`), so an edited template renders again; a folder too
large to sign on every render (:data:`MAX_SIGNED_FILES`) makes every render a new one.

:func:`renderer_for` gives the one renderer of a theme's user templates folder: the
preview, the exports, the sends and ``newsdigest build`` all render through it.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from composer.digest.model import Digest
from composer.email.template_env import user_templates_for
from composer.library.item import NewsItem
from composer.theme.model import Theme

if TYPE_CHECKING:
    from composer.email.render import Renderer

#: How many renders a renderer remembers (a window shows one digest; a few themes and
#: profiles of it fit).
CACHE_SIZE = 8
#: A templates folder with more files than this is not signed (nor cached) at each render.
MAX_SIGNED_FILES = 1000
#: How many templates folders keep their renderer (a user has one; tests make many).
SHARED_RENDERERS = 8
#: Digest fields the templates never see (:func:`composer.email.render_context.build_context`).
UNRENDERED_DIGEST_FIELDS = ("created", "updated", "version")

Signature = tuple[tuple[str, int, int], ...]
T = TypeVar("T")


def templates_signature(folder: Path | None) -> Signature | None:
    """``(path, size, mtime_ns)`` of every file under ``folder``, sorted; ``()`` without a
    folder; None when the folder holds more than :data:`MAX_SIGNED_FILES` files."""
    if folder is None or not folder.is_dir():
        return ()
    found: list[tuple[str, int, int]] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            path = Path(root, name)
            try:
                stat = path.stat()
            except OSError:  # removed meanwhile, or unreadable: it cannot be rendered either
                continue
            found.append((path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns))
            if len(found) > MAX_SIGNED_FILES:
                return None
    return tuple(sorted(found))


def _plain(value: Any) -> Any:
    """A JSON form of what :func:`json.dumps` does not know (mappings, sets, dates)."""
    if isinstance(value, Mapping):
        return {str(key): value[key] for key in value}
    if isinstance(value, set | frozenset):
        return sorted(str(member) for member in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def theme_fields(theme: Theme) -> dict[str, Any]:
    """Every field of ``theme`` (the key's part for the theme)."""
    return {field.name: getattr(theme, field.name) for field in dataclasses.fields(theme)}


def render_key(
    digest: Digest,
    items: Mapping[str, NewsItem],
    theme: Theme,
    links: tuple[str | None, str | None],
    *,
    template: str | None,
    check: bool,
    templates: Signature,
) -> str:
    """The hash of everything a render reads (two equal keys give byte-identical output)."""
    digest_fields = digest.to_dict()
    for name in UNRENDERED_DIGEST_FIELDS:
        digest_fields.pop(name, None)
    referenced = dict.fromkeys(digest.item_ids())
    for item_id in referenced:
        item = items.get(item_id)
        referenced[item_id] = item.to_dict() if item is not None else None
    parts = {
        "digest": digest_fields,
        "items": referenced,
        "theme": theme_fields(theme),
        "links": list(links),
        "template": template,
        "check": check,
        "templates": [list(entry) for entry in templates],
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RenderCache(Generic[T]):
    """The last ``size`` results by key, the least recently used dropped first; thread-safe."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: collections.OrderedDict[str, T] = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: str) -> T | None:
        """The result kept under ``key`` (now the most recently used), or None."""
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: str, value: T) -> None:
        """Keep ``value`` under ``key``; the oldest entry goes when there are too many."""
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# -- one renderer per templates folder ------------------------------------------------------------
_shared: dict[str, Renderer] = {}
_shared_lock = threading.Lock()


def renderer_for(theme: Theme) -> Renderer:
    """The one :class:`~composer.email.render.Renderer` of ``theme``'s user templates folder.

    Made on first use and safe to share between threads. A folder that does not exist
    (yet) is no folder: such themes share one renderer, and a folder gets its own once
    it exists. The :data:`SHARED_RENDERERS` most recently used folders keep theirs.
    """
    from composer.email.render import Renderer

    folder = user_templates_for(theme)
    exists = folder.is_dir()
    name = str(folder) if exists else ""
    with _shared_lock:
        renderer = _shared.pop(name, None)
        if renderer is None:
            renderer = Renderer(user_templates=folder if exists else None)
        _shared[name] = renderer  # now the most recently used
        while len(_shared) > SHARED_RENDERERS:
            del _shared[next(iter(_shared))]
        return renderer
