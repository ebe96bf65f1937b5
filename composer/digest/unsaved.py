"""Edits of a digest that could not be saved to the library: kept on this computer, offered again.

When a save of the open digest fails because the library cannot be reached (a team
library whose server went away, a file on a share that dropped), the edit is not lost:
:meth:`UnsavedEdits.keep` writes it to a private file of its own and the next
successful open of that library offers it again (:meth:`UnsavedEdits.kept`), with the
question :meth:`KeptEdit.question` words. Saving it then is an ordinary save based on
the version the edit started from (:attr:`KeptEdit.digest`'s ``version``), so a newer
stored version is refused and the user chooses, as for any other conflict.

Where: one folder per library under the user data folder (:func:`default_folder`,
``…/Newsdigest/unsaved/<library key>/``), one file per digest (``<digest key>.json``);
the keys are short hashes of the library's location (its url without the password, or
its file's path) and of the digest id, so that any location and any id make a valid file
name on every system. Folders are made 0700, files 0600 (:mod:`composer.fileio`), and
each file is written atomically: a crash while keeping leaves the previous copy whole.

The file (UTF-8 JSON)::

    {"newsdigest_unsaved": 1, "library": "postgresql://ann@db.example.org/newsroom",
     "digest_id": "d-3f9a0c12b7e4", "kept_at": "2026-12-01T14:03:27+01:00",
     "reason": "the connection to the library … failed …", "digest": {…Digest.to_dict()…}}

A file is matched to a library by its ``library`` field as well as by its folder (a hash
can collide; a copied folder names its real library), and to a digest by ``digest_id``.
A file written by a newer version of Newsdigest (``newsdigest_unsaved`` above
:data:`FORMAT`), or one that cannot be read, is left where it is and reported by
:meth:`UnsavedEdits.problems`, never deleted and never offered half-read.

May import: ``composer`` top-level modules and ``composer.digest.model``; no Qt.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from composer.digest.model import Digest
from composer.errors import NewsdigestError
from composer.fileio import (
    PRIVATE_FILE,
    PRIVATE_FOLDER,
    atomic_write_bytes,
    make_private_folder,
    tighten,
)

log = logging.getLogger(__name__)

#: The format of a kept edit's file; a newer one is left for the version that wrote it.
FORMAT = 1
FORMAT_KEY = "newsdigest_unsaved"
FOLDER_NAME = "unsaved"
_DATABASE_SCHEMES = ("postgresql://", "postgres://")


def default_folder() -> Path:
    """``unsaved/`` in the per-user data folder (beside the default library file)."""
    import platformdirs

    return platformdirs.user_data_path("Newsdigest", appauthor=False) / FOLDER_NAME


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def is_team_library(location: str) -> bool:
    """Whether ``location`` names a database (a team library) rather than a file."""
    return location.lower().startswith(_DATABASE_SCHEMES)


@dataclasses.dataclass(frozen=True)
class KeptEdit:
    """One digest's edit kept on this computer because the library could not take it."""

    library: str
    digest: Digest
    #: When it was kept (ISO 8601, with the local UTC offset).
    kept_at: str
    #: Why the save failed, as the library said it.
    reason: str
    path: Path

    @property
    def digest_id(self) -> str:
        return self.digest.id

    @property
    def title(self) -> str:
        return self.digest.title or self.digest.id

    @property
    def base_version(self) -> int:
        """The library's version the edit started from (a save is based on it)."""
        return self.digest.version

    @property
    def kept_label(self) -> str:
        """``2026-12-01 14:03``, in local time (the stamp as written if it cannot be read)."""
        try:
            moment = dt.datetime.fromisoformat(self.kept_at)
        except ValueError:
            return self.kept_at
        local = moment.astimezone() if moment.tzinfo else moment
        return f"{local:%Y-%m-%d %H:%M}"

    def question(self) -> str:
        """What the window asks: "An edit of ‘October digest’ could not be saved to …"."""
        where = "the team library" if is_team_library(self.library) else "the library"
        return (
            f"An edit of \u2018{self.title}\u2019 could not be saved to {where} "
            f"on {self.kept_label}."
        )

    def to_json(self) -> bytes:
        document = {
            FORMAT_KEY: FORMAT,
            "library": self.library,
            "digest_id": self.digest.id,
            "kept_at": self.kept_at,
            "reason": self.reason,
            "digest": self.digest.to_dict(),
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


class UnsavedEditError(NewsdigestError):
    """A kept edit's file cannot be read (damaged, or written by a newer Newsdigest)."""


def read_kept(path: Path) -> KeptEdit:
    """The kept edit in ``path``; :class:`UnsavedEditError` saying why when it is not one."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UnsavedEditError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get(FORMAT_KEY), int):
        raise UnsavedEditError(f"{path}: not an edit kept by Newsdigest")
    if document[FORMAT_KEY] > FORMAT:
        raise UnsavedEditError(
            f"{path}: kept by a newer version of Newsdigest (format {document[FORMAT_KEY]}; "
            f"this one reads {FORMAT}); open the library with that version to get it back"
        )
    library, kept_at, reason = (document.get(k) for k in ("library", "kept_at", "reason"))
    if not all(isinstance(v, str) for v in (library, kept_at, reason)):
        raise UnsavedEditError(f"{path}: its library, time or reason is missing")
    try:
        digest = Digest.from_dict(_mapping(document.get("digest")))
    except NewsdigestError as exc:
        raise UnsavedEditError(f"{path}: the digest in it cannot be read ({exc})") from None
    if document.get("digest_id") != digest.id:
        raise UnsavedEditError(f"{path}: its digest id does not match the digest in it")
    return KeptEdit(str(library), digest, str(kept_at), str(reason), path)


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnsavedEditError("the digest is not an object")
    return value


class UnsavedEdits:
    """The edits kept on this computer, in ``folder`` (default: :func:`default_folder`)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else default_folder()

    def library_folder(self, library: str) -> Path:
        return self.folder / _key(library)

    def path_for(self, library: str, digest_id: str) -> Path:
        """The file an edit of ``digest_id`` in ``library`` is kept in."""
        return self.library_folder(library) / f"{_key(digest_id)}.json"

    def keep(
        self, library: str, digest: Digest, reason: str, *, now: dt.datetime | None = None
    ) -> KeptEdit:
        """Keep ``digest`` (as it was to be saved, its ``version`` the one it started from).

        A second edit of the same digest replaces the first: the newest is the whole
        edit. Raises :class:`OSError` when the file cannot be written.
        """
        moment = (now or dt.datetime.now()).astimezone()
        kept = KeptEdit(
            library=library,
            digest=digest,
            kept_at=moment.isoformat(timespec="seconds"),
            reason=reason,
            path=self.path_for(library, digest.id),
        )
        for folder in (self.folder, kept.path.parent):
            make_private_folder(folder)
            tighten(folder, PRIVATE_FOLDER)
        atomic_write_bytes(kept.path, kept.to_json())
        tighten(kept.path, PRIVATE_FILE)
        log.warning(
            "the digest %s could not be saved to %s; kept in %s", digest.id, library, kept.path
        )
        return kept

    def kept(self, library: str) -> list[KeptEdit]:
        """The edits kept for ``library``, the oldest first (unreadable ones left out)."""
        found = [kept for kept in self._read_all(library) if isinstance(kept, KeptEdit)]
        return sorted(found, key=lambda kept: (kept.kept_at, kept.digest_id))

    def problems(self, library: str) -> list[str]:
        """Why some files kept for ``library`` cannot be offered (each left as it is)."""
        return [found for found in self._read_all(library) if isinstance(found, str)]

    def _read_all(self, library: str) -> list[KeptEdit | str]:
        folder = self.library_folder(library)
        try:
            paths = sorted(folder.glob("*.json"))
        except OSError:
            return []
        found: list[KeptEdit | str] = []
        for path in paths:
            try:
                kept = read_kept(path)
            except UnsavedEditError as exc:
                found.append(str(exc))
                continue
            if kept.library == library and path == self.path_for(library, kept.digest_id):
                found.append(kept)
        return found

    def get(self, library: str, digest_id: str) -> KeptEdit | None:
        """The edit of ``digest_id`` kept for ``library``, if there is a readable one."""
        path = self.path_for(library, digest_id)
        if not path.is_file():
            return None
        try:
            kept = read_kept(path)
        except UnsavedEditError:
            return None
        return kept if kept.library == library and kept.digest_id == digest_id else None

    def forget(self, library: str, digest_id: str) -> bool:
        """Remove the edit of ``digest_id`` kept for ``library`` (it was saved, or discarded)."""
        path = self.path_for(library, digest_id)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # the library's folder, once it is empty
        log.info("the kept edit of the digest %s in %s was removed", digest_id, library)
        return True
