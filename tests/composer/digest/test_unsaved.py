"""Edits kept on this computer when the library cannot take them: real files, private, matched.

Each test keeps edits in a folder of its own (``tmp_path``) and reads them back as the
next open of the library would.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from composer.digest.model import Digest, Section, make_digest
from composer.digest.unsaved import (
    FORMAT,
    FORMAT_KEY,
    UnsavedEditError,
    UnsavedEdits,
    default_folder,
    read_kept,
)

TEAM = "postgresql://ann@db.example.org/newsroom"
FILE = "/home/ann/Newsdigest/library.json"
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX modes")


def october(version: int = 3, digest_id: str = "d-october") -> Digest:
    digest = make_digest(
        digest_id=digest_id,
        title="October digest",
        period="2026-10",
        intro="Typed while the server was away",
        sections=[Section("News", ("a1", "a2"))],
    )
    return dataclasses.replace(digest.touched("2026-12-01T13:03:27+00:00"), version=version)


def at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 12, 1, hour, minute, 27).astimezone()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_kept_edit_is_read_back_whole_for_its_library(tmp_path: Path) -> None:
    edits = UnsavedEdits(tmp_path / "unsaved")
    kept = edits.keep(TEAM, october(), "the connection failed", now=at(14, 3))
    [again] = edits.kept(TEAM)
    assert again.digest == october() and again.base_version == 3
    assert again.digest.intro == "Typed while the server was away"
    assert again.reason == "the connection failed" and again.path == kept.path
    assert again.question() == (
        "An edit of \u2018October digest\u2019 could not be saved to the team library "
        "on 2026-12-01 14:03."
    )
    assert edits.get(TEAM, "d-october") == again


def test_a_file_library_is_not_called_a_team_library(tmp_path: Path) -> None:
    kept = UnsavedEdits(tmp_path).keep(FILE, october(), "disk gone", now=at(9, 30))
    assert kept.question().endswith("could not be saved to the library on 2026-12-01 09:30.")


@posix_only
def test_the_files_and_folders_are_private(tmp_path: Path) -> None:
    edits = UnsavedEdits(tmp_path / "data" / "unsaved")
    kept = edits.keep(TEAM, october(), "away")
    assert mode(kept.path) == 0o600
    assert mode(kept.path.parent) == 0o700
    assert mode(edits.folder) == 0o700
    assert mode(tmp_path / "data") == 0o700  # made by it: private too


@posix_only
def test_a_loose_folder_of_its_own_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "unsaved"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    kept = UnsavedEdits(folder).keep(TEAM, october(), "away")
    assert mode(folder) == 0o700 and mode(kept.path) == 0o600


def test_edits_are_kept_per_library_and_per_digest(tmp_path: Path) -> None:
    edits = UnsavedEdits(tmp_path)
    edits.keep(TEAM, october(digest_id="d-1"), "away", now=at(14, 5))
    edits.keep(TEAM, october(digest_id="d-2"), "away", now=at(14, 3))
    edits.keep(FILE, october(digest_id="d-1"), "away", now=at(14, 4))
    assert [k.digest_id for k in edits.kept(TEAM)] == ["d-2", "d-1"]  # the oldest first
    assert [k.library for k in edits.kept(FILE)] == [FILE]
    assert edits.kept("postgresql://bob@elsewhere/db") == []
    assert edits.path_for(TEAM, "d-1") != edits.path_for(FILE, "d-1")


def test_a_newer_edit_of_the_same_digest_replaces_the_older(tmp_path: Path) -> None:
    edits = UnsavedEdits(tmp_path)
    edits.keep(TEAM, october(), "away", now=at(14, 3))
    newer = dataclasses.replace(october(), intro="Typed later")
    edits.keep(TEAM, newer, "still away", now=at(14, 9))
    [kept] = edits.kept(TEAM)
    assert kept.digest.intro == "Typed later" and kept.kept_label == "2026-12-01 14:09"
    assert len(list(edits.library_folder(TEAM).iterdir())) == 1  # no temporary left behind


def test_forget_removes_the_edit_and_its_empty_folder(tmp_path: Path) -> None:
    edits = UnsavedEdits(tmp_path)
    edits.keep(TEAM, october(digest_id="d-1"), "away")
    edits.keep(TEAM, october(digest_id="d-2"), "away")
    assert edits.forget(TEAM, "d-1")
    assert [k.digest_id for k in edits.kept(TEAM)] == ["d-2"]
    assert edits.forget(TEAM, "d-2") and not edits.library_folder(TEAM).exists()
    assert not edits.forget(TEAM, "d-2")  # already gone
    assert edits.get(TEAM, "d-2") is None


def test_a_copied_file_is_only_offered_to_the_library_it_names(tmp_path: Path) -> None:
    edits = UnsavedEdits(tmp_path)
    kept = edits.keep(TEAM, october(), "away")
    other = "postgresql://bob@elsewhere/db"
    stray = edits.path_for(other, "d-october")
    stray.parent.mkdir(mode=0o700)
    stray.write_bytes(kept.path.read_bytes())  # names TEAM, sits in the other's folder
    assert edits.kept(other) == [] and edits.get(other, "d-october") is None


def test_a_damaged_or_newer_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    edits = UnsavedEdits(tmp_path)
    kept = edits.keep(TEAM, october(digest_id="d-good"), "away")
    folder = kept.path.parent
    damaged = folder / "damaged.json"
    damaged.write_text("{not json", encoding="utf-8")
    newer = folder / "newer.json"
    document = json.loads(kept.path.read_text(encoding="utf-8")) | {FORMAT_KEY: FORMAT + 1}
    newer.write_text(json.dumps(document), encoding="utf-8")
    assert [k.digest_id for k in edits.kept(TEAM)] == ["d-good"]
    problems = edits.problems(TEAM)
    assert len(problems) == 2
    assert any("cannot be read" in p and "damaged.json" in p for p in problems)
    assert any("newer version of Newsdigest" in p for p in problems)
    assert damaged.exists() and newer.exists()


def test_a_file_whose_digest_is_not_a_digest_is_refused_in_words(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(
        json.dumps(
            {
                FORMAT_KEY: 1,
                "library": TEAM,
                "digest_id": "d-1",
                "kept_at": "2026-12-01T14:03:00+00:00",
                "reason": "away",
                "digest": {"id": "d-1", "title": "T", "sections": 7},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(UnsavedEditError, match="the digest in it cannot be read"):
        read_kept(path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_the_default_folder_is_in_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_folder() == tmp_path / "Newsdigest" / "unsaved"
