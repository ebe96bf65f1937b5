"""A library is one file however it is spelled, and its personal data is its owner's only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from composer.errors import LibraryLockedError
from composer.fileio import atomic_write_bytes
from store import open_library, resolve_library_path
from store.tinydb_library import TinyDBLibrary

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_symlink_and_a_dotdot_spelling_are_the_same_library(tmp_path: Path) -> None:
    real = tmp_path / "office" / "library.json"
    first = open_library(real)
    try:
        alias = tmp_path / "alias"
        alias.mkdir()
        (alias / "lib.json").symlink_to(real)
        for spelling in (
            alias / "lib.json",
            tmp_path / "office" / ".." / "office" / "library.json",
        ):
            assert resolve_library_path(spelling) == real.resolve()
            with pytest.raises(LibraryLockedError):
                open_library(spelling)
            with pytest.raises(LibraryLockedError):
                TinyDBLibrary(spelling)  # the store resolves it too, whoever calls it
    finally:
        first.close()
    lock_files = sorted(p.name for p in tmp_path.rglob("*.lock"))
    assert lock_files == ["library.json.lock"]  # one lock, beside the real file


@posix_only
def test_the_library_its_folder_send_logs_and_backups_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new-folder"
    library = open_library(folder / "library.json")
    try:
        library.update_settings({"x": 1})
        library.record_send(
            [{"digest_id": "d-1", "recipient": "ann@example.org", "state": "queued"}]
        )
    finally:
        library.close()
    assert _mode(folder) == 0o700
    assert _mode(folder / "library.json") == 0o600
    logs = folder / "library.sendlogs"
    assert _mode(logs) == 0o700
    assert all(_mode(p) == 0o600 for p in logs.iterdir())


@posix_only
def test_a_library_left_readable_by_an_older_version_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    open_library(path).close()
    path.chmod(0o644)
    open_library(path).close()
    assert _mode(path) == 0o600


@posix_only
def test_atomic_writes_are_private_from_the_first_byte(tmp_path: Path) -> None:
    target = tmp_path / "data.json"
    old = os.umask(0o022)
    try:
        atomic_write_bytes(target, b"{}")
    finally:
        os.umask(old)
    assert _mode(target) == 0o600


@posix_only
def test_every_folder_made_for_the_library_is_private_and_existing_ones_are_left(
    tmp_path: Path,
) -> None:
    from composer.fileio import make_private_folder

    tmp_path.chmod(0o755)  # ours before: never tightened
    leaf = tmp_path / "a" / "b" / "c"
    make_private_folder(leaf)
    assert [_mode(p) for p in (tmp_path / "a", tmp_path / "a" / "b", leaf)] == [0o700] * 3
    assert _mode(tmp_path) == 0o755
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    make_private_folder(shared / "x" / "y")
    assert _mode(shared) == 0o755  # it existed: the user's own
    assert _mode(shared / "x") == _mode(shared / "x" / "y") == 0o700
