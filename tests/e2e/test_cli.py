"""The ``newsdigest`` command, run as users run it: real subprocesses on real files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LISTING, run_cli

from composer import __version__
from store.tinydb_library import TinyDBLibrary

pytestmark = pytest.mark.slow


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_importing_the_fixture_twice_adds_14_items_once(library_path: Path) -> None:
    first = run_cli("import", str(LISTING), library=library_path)
    assert first.returncode == 0, first.stderr
    assert "14 new, 0 already in the library, 0 rejected" in first.stdout
    second = run_cli("import", str(LISTING), library=library_path)
    assert second.returncode == 0
    assert "0 new, 14 already in the library, 0 rejected" in second.stdout


def test_items_lists_filters_and_prints_json(library_path: Path) -> None:
    assert run_cli("import", str(LISTING), library=library_path).returncode == 0
    table = run_cli("items", library=library_path)
    assert table.returncode == 0 and "14 items" in table.stdout
    assert "2023-01-31" in table.stdout.splitlines()[0]  # newest first
    january = json.loads(
        run_cli("items", "--month", "2023-01", "--json", library=library_path).stdout
    )
    assert len(january) == 6
    assert {entry["date"][:7] for entry in january} == {"2023-01"}
    assert list(january[0]) == [
        "id", "category", "title", "date", "summary", "url", "image_url", "image_alt", "tags",
        "source", "created", "updated",
    ]  # fmt: skip
    focus = json.loads(
        run_cli("items", "--category", "in focus", "--json", library=library_path).stdout
    )
    assert len(focus) == 4
    found = json.loads(
        run_cli("items", "--search", "Kürnavia host", "--json", library=library_path).stdout
    )
    assert [e["title"] for e in found] == ["Kürnavia becomes host country to an OCRC office"]


def test_json_export_imports_into_another_library_unchanged(tmp_path: Path) -> None:
    one, two = tmp_path / "one.json", tmp_path / "two.json"
    assert run_cli("import", str(LISTING), library=one).returncode == 0
    exported = run_cli("items", "--json", library=one).stdout
    dump = tmp_path / "items.json"
    dump.write_text(exported, encoding="utf-8")
    result = run_cli("import", str(dump), library=two)
    assert "14 new" in result.stdout, result.stderr
    assert run_cli("items", "--json", library=two).stdout == exported


def test_remove_removes_known_ids_and_refuses_unknown_ones(library_path: Path) -> None:
    assert run_cli("import", str(LISTING), library=library_path).returncode == 0
    items = json.loads(run_cli("items", "--json", library=library_path).stdout)
    bad = run_cli("remove", items[0]["id"], "t-0123456789abcdef", library=library_path)
    assert bad.returncode == 1 and "t-0123456789abcdef" in bad.stderr
    no_traceback(bad)
    assert len(json.loads(run_cli("items", "--json", library=library_path).stdout)) == 14
    ok = run_cli("remove", items[0]["id"], items[1]["id"], library=library_path)
    assert ok.returncode == 0 and "Removed 2 items" in ok.stdout
    assert len(json.loads(run_cli("items", "--json", library=library_path).stdout)) == 12


def test_a_source_that_is_wholly_bad_leaves_the_library_byte_for_byte(
    library_path: Path, tmp_path: Path
) -> None:
    assert run_cli("import", str(LISTING), library=library_path).returncode == 0
    before = library_path.read_bytes()
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 50)
    result = run_cli("import", str(junk), library=library_path)
    assert result.returncode == 1
    assert result.stderr.startswith("newsdigest: error:") and "junk.txt" in result.stderr
    no_traceback(result)
    assert library_path.read_bytes() == before


def test_a_missing_file_is_a_clear_error(library_path: Path, tmp_path: Path) -> None:
    result = run_cli("import", str(tmp_path / "nope.txt"), library=library_path)
    assert result.returncode == 1 and "nope.txt" in result.stderr
    no_traceback(result)
    assert not library_path.exists()


def test_a_locked_library_is_refused_with_the_reason(library_path: Path) -> None:
    with TinyDBLibrary(library_path):
        result = run_cli("import", str(LISTING), library=library_path)
        listing = run_cli("items", library=library_path)  # reading needs no lock
    assert result.returncode == 1
    assert "in use by another Newsdigest window or command" in result.stderr
    no_traceback(result)
    assert listing.returncode == 0


def test_a_damaged_library_is_reported_not_overwritten(library_path: Path) -> None:
    library_path.write_text('{"items": ', encoding="utf-8")
    result = run_cli("import", str(LISTING), library=library_path)
    assert result.returncode == 1 and "damaged" in result.stderr
    no_traceback(result)
    assert library_path.read_text(encoding="utf-8") == '{"items": '


def test_usage_errors_exit_1(library_path: Path) -> None:
    for args in (["items", "--month", "2023-13"], ["import"], ["frobnicate"]):
        result = run_cli(*args, library=library_path)
        assert result.returncode == 1, args
        assert "error" in result.stderr
        no_traceback(result)


def test_the_environment_variable_chooses_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "from-env.json"
    monkeypatch.setenv("NEWSDIGEST_LIBRARY", str(path))
    assert run_cli("import", str(LISTING)).returncode == 0
    assert path.exists()


def test_sample_library_loads_once(library_path: Path) -> None:
    first = run_cli("sample", library=library_path)
    assert first.returncode == 0 and " 0 already" in first.stdout, first.stderr
    assert " 0 new" in run_cli("sample", library=library_path).stdout


def test_version_and_console_script() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"newsdigest {__version__}"
    script = shutil.which("newsdigest", path=str(Path(sys.executable).parent))
    assert script, "the newsdigest console script is installed with the package"


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["table", "json"])
def test_a_reader_that_stops_is_no_error_but_exit_141(library_path: Path, extra: list[str]) -> None:
    """``newsdigest items | head -1``: the reader is gone before the output is written."""
    assert run_cli("sample", library=library_path).returncode == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader stopped: every write to the pipe now fails with EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "composer", "--library", str(library_path), "items", *extra],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == ""  # no "internal error", no "Exception ignored"
