"""Ordered schema migrations of the library file, with a backup taken before any runs.

The schema version lives in the ``meta`` table (``{"schema_version": N}``). A file
without it is version 0: a plain TinyDB file from an early build or made by hand.
Each :class:`Migration` takes the raw tables from version ``to - 1`` to ``to``;
they run in order, and before the first one the file is copied to
``<library>.v<N>-backup-<timestamp>.json`` beside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from composer.errors import LibraryError
from composer.fileio import tighten

Tables = dict[str, dict[str, Any]]
TABLES = ("items", "digests", "settings", "meta")
META_DOC = "1"


@dataclasses.dataclass(frozen=True)
class Migration:
    """Brings the raw tables from schema ``to - 1`` to schema ``to``."""

    to: int
    description: str
    apply: Callable[[Tables], None]


def _to_v1(tables: Tables) -> None:
    """Version 1: every table present; items carry every field, tags as a list."""
    for name in TABLES:
        tables.setdefault(name, {})
    for doc in tables["items"].values():
        doc.setdefault("summary", "")
        doc.setdefault("url", None)
        doc.setdefault("image_url", None)
        doc.setdefault("image_alt", "")
        doc.setdefault("source", "")
        tags = doc.get("tags")
        if isinstance(tags, str):
            doc["tags"] = [t.strip() for t in tags.split(",") if t.strip()]
        elif not isinstance(tags, list):
            doc["tags"] = []


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "add the schema version; complete item fields", _to_v1),
)
SCHEMA_VERSION = max(m.to for m in MIGRATIONS)


def schema_version(tables: Tables) -> int:
    meta = tables.get("meta", {}).get(META_DOC, {})
    version = meta.get("schema_version", 0)
    if not isinstance(version, int) or version < 0:
        raise LibraryError(f"the library's schema version {version!r} is not a number")
    return version


def set_schema_version(tables: Tables, version: int) -> None:
    tables.setdefault("meta", {}).setdefault(META_DOC, {})["schema_version"] = version


def backup_path(path: Path, version: int, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    return path.with_name(f"{path.stem}.v{version}-backup-{stamp}{path.suffix}")


def pending(version: int, migrations: Sequence[Migration] = MIGRATIONS) -> list[Migration]:
    """The migrations to run, in order, for a file at ``version``; a clear error if it is newer."""
    latest = max((m.to for m in migrations), default=0)
    if version > latest:
        raise LibraryError(
            f"this library was saved by a newer Newsdigest (schema {version}; this one knows up to "
            f"{latest}); update Newsdigest to open it"
        )
    return [m for m in sorted(migrations, key=lambda m: m.to) if m.to > version]


def migrate(tables: Tables, migrations: Sequence[Migration] = MIGRATIONS) -> list[Migration]:
    """Run the pending migrations on ``tables`` in place; returns those that ran."""
    todo = pending(schema_version(tables), migrations)
    for migration in todo:
        try:
            migration.apply(tables)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise LibraryError(
                f"could not upgrade the library to schema {migration.to} "
                f"({migration.description}): {exc}; the file was left as it was"
            ) from None
        set_schema_version(tables, migration.to)
    return todo


def backup(path: Path, version: int) -> Path:
    """Copy the library file aside before migrating it; returns the copy's path."""
    target = backup_path(path, version)
    n = 1
    while target.exists():
        target = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    shutil.copy2(path, target)
    tighten(target)  # copy2 copies the mode of a library an older version left 0644
    return target
