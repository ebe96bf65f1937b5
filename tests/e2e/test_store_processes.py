"""The store against real processes: a writer killed mid-work, two writers at once."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from composer.errors import LibraryLockedError
from store.tinydb_library import TinyDBLibrary

WRITER = r"""
import sys, datetime as dt
from composer.library.item import make_item
from store.tinydb_library import TinyDBLibrary
lib = TinyDBLibrary(sys.argv[1])
print("ready", flush=True)
for n in range(100000):
    item = make_item({"title": f"Crash story {n} " + "x" * 200, "date": "2023-01-15",
                      "category": "Project News", "summary": "y" * 500})
    lib.add_items([item])
    print(item.id, flush=True)  # acknowledged: add_items returned after the durable write
"""

HOLDER = r"""
import sys
from store.tinydb_library import TinyDBLibrary
lib = TinyDBLibrary(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
lib.close()
print("released", flush=True)
"""


def start(script: str, path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    assert first in ("ready", "holding"), proc.stderr.read() if proc.stderr else first
    return proc


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_acknowledged_item_survives_sigkill(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "library.json"
    proc = start(WRITER, path)
    time.sleep(random.Random(seed).uniform(0.3, 1.5))
    proc.kill()  # SIGKILL on POSIX, TerminateProcess on Windows: no clean-up runs
    out, _ = proc.communicate(timeout=30)
    acknowledged = out.split()
    assert len(acknowledged) > 5, "the writer did not get going"
    with TinyDBLibrary(path) as lib:  # opens: the file is whole, and the dead writer's lock is gone
        stored = {item.id for item in lib.items()}
    assert set(acknowledged) <= stored
    assert len(stored) - len(acknowledged) <= 1  # at most the one written but not yet printed


@pytest.mark.slow
def test_a_second_writer_process_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    holder = start(HOLDER, path)
    try:
        with pytest.raises(
            LibraryLockedError, match="in use by another Newsdigest window or command"
        ):
            TinyDBLibrary(path)
        assert holder.poll() is None
    finally:
        out, _ = holder.communicate(input="", timeout=30)
    assert "released" in out
    TinyDBLibrary(path).close()  # free again once the other process closed it


@pytest.mark.slow
def test_a_killed_writer_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    holder = start(HOLDER, path)
    holder.kill()
    holder.communicate(timeout=30)
    TinyDBLibrary(path).close()


def test_two_writers_in_one_process_are_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    with TinyDBLibrary(path), pytest.raises(LibraryLockedError):
        TinyDBLibrary(path)
