"""A non-editable install works: the wheel carries the templates and the data files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow
SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    ".bench",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src") / "newsdigest"
    shutil.copytree(ROOT, src, ignore=SKIP)
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (whl,) = out.glob("newsdigest-*.whl")
    return whl


def test_the_wheel_holds_packages_templates_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = ["composer", "store", "ui", "templates", "composer/library/importers"]
    subpackages = ("library", "theme", "digest", "email", "send", "cli")
    packages += [f"composer/{name}" for name in subpackages]
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    assert any(n.startswith("templates/") and n.endswith(".html") for n in names)
    assert "composer/data/sample_library.json" in names
    assert "composer/data/date_names.json" in names  # every CLDR month and weekday name
    for theme in ("classic", "magazine", "briefing"):  # each theme, and what they extend
        assert {f"templates/{theme}/digest.html", f"templates/{theme}/digest.txt"} <= names
    assert {"templates/base.html", "templates/base.txt", "templates/macros.html"} <= names
    assert not any(n.startswith("tests/") for n in names)


def test_the_installed_wheel_runs_without_the_source_tree(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path = [p for p in sys.path if p != '']\n"
        "import importlib.resources as r, composer, templates\n"
        "assert composer.__file__.startswith(sys.argv[1]), composer.__file__\n"
        "names = [p.name for p in r.files('templates').iterdir()]\n"
        "from composer.library.sample import load_sample_items\n"
        "print(len(load_sample_items()), sorted(names))\n"
        "from composer.cli.main import main\n"
        "sys.exit(main(['--library', sys.argv[2], 'sample']))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(site), str(tmp_path / "lib.json")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    count = int(run.stdout.split()[0])
    assert count >= 40 and f"{count} new" in run.stdout
