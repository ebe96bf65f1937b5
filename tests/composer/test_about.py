"""One version source (pyproject), looked up lazily; the About box's versions and notices."""

from __future__ import annotations

import platform
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from conftest import ROOT, run_cli

import composer
from composer import app_info as about
from composer.version import UNKNOWN, _version_from_source_tree, version

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
VERSION = PYPROJECT["project"]["version"]


def test_the_version_is_pyprojects_everywhere() -> None:
    assert version() == composer.__version__ == VERSION
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout == f"newsdigest {VERSION}\n"
    assert result.stderr == ""


def test_a_source_tree_that_is_not_installed_reads_pyproject(tmp_path: Path) -> None:
    assert _version_from_source_tree(ROOT) == VERSION
    assert _version_from_source_tree(tmp_path) == UNKNOWN  # no pyproject.toml
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "9.9"\n')
    assert _version_from_source_tree(tmp_path) == UNKNOWN  # another project's
    (tmp_path / "pyproject.toml").write_text("[project\n")
    assert _version_from_source_tree(tmp_path) == UNKNOWN  # broken


def test_an_unknown_attribute_of_the_package_is_an_attribute_error() -> None:
    assert not hasattr(composer, "no_such_thing")


def test_starting_the_command_line_or_the_window_does_not_look_the_version_up() -> None:
    code = (
        "import sys, composer.cli.main, ui.app, ui.main_window\n"
        "print(sorted(m for m in ('composer.version', 'composer.app_info', 'ui.about') "
        "if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_component_versions_are_the_installed_ones() -> None:
    rows = dict(about.component_versions())
    assert rows["Newsdigest"] == VERSION
    assert rows["Python"].startswith(platform.python_version())
    assert rows["premailer"] == metadata.version("premailer")
    assert rows["TinyDB"] == metadata.version("tinydb")
    assert about.package_version("no-such-package-here") == "not installed"


def test_the_notices_name_what_we_ship_with_the_caniemail_licence_in_full() -> None:
    text = about.notices_text()
    caniemail = (ROOT / "composer" / "data" / "CANIEMAIL-LICENSE.txt").read_text("utf-8")
    assert "Copyright (c) 2019 Rémi Parmentier" in caniemail
    for line in caniemail.splitlines():
        assert line.strip() in text
    by_name = {n.name.split(" ")[0]: n for n in about.notices()}
    assert by_name["Qt"].licence.startswith("LGPL-3.0")
    assert by_name["Jinja2"].licence == "BSD-3-Clause"
    assert by_name["premailer"].licence == "BSD-3-Clause"
    assert by_name["TinyDB"].licence == "MIT"
    assert f"Newsdigest {VERSION}" in text
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}
    assert "Newsdigest itself is distributed under the MIT licence" in text


def test_every_package_we_run_with_is_listed_with_its_version_and_licence() -> None:
    packages = {p.name.lower().replace("_", "-"): p for p in about.bundled_packages()}
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = requirement.split(">")[0].split("=")[0].split("[")[0].strip().lower()
        assert name in packages, name
        assert packages[name].version == metadata.version(name)
    # and what they require in turn, with the licence their metadata gives
    assert packages["cssutils"].licence.startswith("LGPL")
    assert packages["markupsafe"].licence == "BSD-3-Clause"
    assert packages["pyside6-essentials"].licence == "LGPL-3.0-only"
    assert all(p.licence and p.licence != "unknown" for p in packages.values()), [
        p for p in packages.values() if p.licence in ("", "unknown")
    ]
    assert "pytest" not in packages and "hypothesis" not in packages  # test tools are not shipped
