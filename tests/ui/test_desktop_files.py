"""Desktop integration: the desktop entry, the AppStream metainfo, the icon, their installation.

The validators (``desktop-file-validate`` from desktop-file-utils, ``appstreamcli``
from appstream) run when they are installed; without them those tests skip.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import ROOT

PACKAGING = ROOT / "packaging"
ICONS = ROOT / "ui" / "icons"
APP_ID = "org.newsdigest.Newsdigest"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]

sys.path.insert(0, str(PACKAGING))
import install_desktop  # noqa: E402


def desktop_keys(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if "=" in line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install desktop-file-utils appstream)")
    return found


# -- the files ------------------------------------------------------------------------------------
def test_the_ids_match_the_app() -> None:
    pytest.importorskip("PySide6.QtCore")
    from ui.app import DESKTOP_ID

    assert DESKTOP_ID == APP_ID
    keys = desktop_keys(DESKTOP.read_text("utf-8"))
    assert keys["Icon"] == APP_ID and keys["Name"] == "Newsdigest"
    assert keys["Exec"].split()[0] == keys["TryExec"] == "newsdigest"
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("provides/binary") == "newsdigest"


def test_the_metainfo_names_the_current_version_and_licence() -> None:
    root = ET.parse(METAINFO).getroot()
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == VERSION  # the newest comes first
    assert root.findtext("project_license") == "MIT"


def test_the_desktop_entry_is_valid() -> None:
    result = subprocess.run(
        [tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_the_metainfo_is_valid() -> None:
    result = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\nE: " not in f"\n{result.stdout}", result.stdout


def test_the_icon_is_an_svg_with_its_png_renders() -> None:
    svg = ET.parse(ICONS / "newsdigest.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.get("viewBox") == "0 0 256 256"
    for size in (48, 128, 256):
        assert png_size(ICONS / f"newsdigest-{size}.png") == (size, size)


def test_the_pngs_are_renders_of_the_svg(tmp_path: Path, qapp) -> None:
    pytest.importorskip("PySide6.QtSvg")
    sys.path.insert(0, str(PACKAGING))
    import render_icons
    from PySide6.QtGui import QImage

    for size in (48, 256):
        fresh = tmp_path / f"{size}.png"
        render_icons.render(ICONS / "newsdigest.svg", size, fresh)
        a, b = QImage(str(fresh)), QImage(str(ICONS / f"newsdigest-{size}.png"))
        assert (a.width(), a.height()) == (b.width(), b.height()) == (size, size)
        differences = [
            abs(a.pixelColor(x, y).red() - b.pixelColor(x, y).red())
            + abs(a.pixelColor(x, y).alpha() - b.pixelColor(x, y).alpha())
            for x in range(0, size, 3)
            for y in range(0, size, 3)
        ]
        assert sum(differences) / len(differences) < 2, "run packaging/render_icons.py"
        assert b.pixelColor(size // 2, size // 2).alpha() == 255  # not blank
        assert b.pixelColor(0, 0).alpha() == 0  # rounded, transparent corners


# -- installing -----------------------------------------------------------------------------------
def test_exec_arguments_are_quoted_as_the_spec_says() -> None:
    quote = install_desktop.exec_argument
    assert quote("/home/ann/.venv/bin/newsdigest") == "/home/ann/.venv/bin/newsdigest"
    assert quote("/home/ann/My Apps/newsdigest") == '"/home/ann/My Apps/newsdigest"'
    assert quote("/srv/$x/newsdigest") == '"/srv/\\\\$x/newsdigest"'
    assert quote("/srv/100%/newsdigest") == "/srv/100%%/newsdigest"


def test_install_desktop_puts_the_files_under_the_data_home(tmp_path: Path) -> None:
    executable = tmp_path / "venv dir" / "bin" / "newsdigest"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    data = tmp_path / "share"
    env = dict(os.environ, XDG_DATA_HOME=str(data))
    script = PACKAGING / "install_desktop.py"
    result = subprocess.run(
        [sys.executable, str(script), "--exec", str(executable)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    desktop = data / "applications" / f"{APP_ID}.desktop"
    keys = desktop_keys(desktop.read_text("utf-8"))
    assert keys["Exec"] == f'"{executable}" gui %F'
    assert keys["TryExec"] == str(executable)
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == METAINFO.read_bytes()
    scalable = data / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (ICONS / "newsdigest.svg").read_bytes()
    for size in (48, 128, 256):
        assert png_size(data / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png") == (size, size)
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True)
        assert check.returncode == 0, check.stdout

    result = subprocess.run(
        [sys.executable, str(script), "--uninstall"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    left = [p for p in data.rglob("*") if p.is_file() and APP_ID in p.name]
    assert left == []


def test_install_desktop_refuses_a_missing_executable(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(PACKAGING / "install_desktop.py"),
            "--exec",
            str(tmp_path / "nothing"),
            "--data-home",
            str(tmp_path / "share"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "is not an executable file" in result.stderr
    assert not (tmp_path / "share").exists()


def test_make_install_desktop_points_at_the_venv() -> None:
    result = subprocess.run(
        [tool("make"), "-n", "install-desktop"], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    venv_script = ROOT / ".venv" / "bin" / "newsdigest"
    assert f'packaging/install_desktop.py --exec "{venv_script}"' in result.stdout


def test_the_standalone_apps_share_folder_installs_the_app_itself(tmp_path: Path) -> None:
    """The layout the spec writes: dist/newsdigest/{newsdigest, share/…}."""
    app = tmp_path / "opt" / "newsdigest"
    share = app / "share"
    share.mkdir(parents=True)
    (app / "newsdigest").write_text("#!/bin/sh\n")
    (app / "newsdigest").chmod(0o755)
    shutil.copy(PACKAGING / "install_desktop.py", share)
    shutil.copy(DESKTOP, share)
    shutil.copy(METAINFO, share)
    shutil.copy(ICONS / "newsdigest.svg", share / f"{APP_ID}.svg")
    for size in (48, 128, 256):
        shutil.copy(ICONS / f"newsdigest-{size}.png", share / f"{APP_ID}-{size}.png")
    data = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, str(share / "install_desktop.py"), "--data-home", str(data)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    keys = desktop_keys((data / "applications" / f"{APP_ID}.desktop").read_text("utf-8"))
    assert keys["Exec"] == f"{app / 'newsdigest'} gui %F"
    assert (data / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()
