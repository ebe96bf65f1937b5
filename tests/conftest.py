"""Shared fixtures: paths to the real fixture, temporary libraries, running the CLI for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LISTING = FIXTURES / "news-listing-2023-01.txt"

#: The throwaway PostgreSQL cluster (the ``postgres_cluster`` fixture, stopped at the end) and
#: the send tests' prepared digest and library on disk.
pytest_plugins = ["helpers.postgres_cluster", "helpers.send_fixtures"]


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never touch the real user's library, logs or data, whatever a test forgets to pass."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NEWSDIGEST_LIBRARY", str(home / "default-library.json"))
    monkeypatch.setenv("NEWSDIGEST_LOG_DIR", str(home / "logs"))
    monkeypatch.setenv("NEWSDIGEST_SETTINGS", str(home / "settings.ini"))
    runtime = home / "run"  # the single-instance socket of windows the tests start (and kill)
    runtime.mkdir(mode=0o700, exist_ok=True)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    # platformdirs' per-user data folder on Linux: kept edits, user templates (a window
    # whose save fails keeps its edit there)
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


def pytest_configure(config: pytest.Config) -> None:
    """Qt WebEngine's prerequisites, set before pytest-qt creates the QApplication."""
    try:
        from ui.app import prepare_qt
    except ImportError:  # no Qt here: the GUI tests skip themselves
        return
    prepare_qt()


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    return tmp_path / "library.json"


def run_cli(*args: str, library: Path | None = None, input: str | None = None, timeout: float = 60):
    """Run ``python -m composer`` in a real subprocess; returns the CompletedProcess."""
    argv = [sys.executable, "-m", "composer"]
    if library is not None:
        argv += ["--library", str(library)]
    argv += list(args)
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=input,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )
