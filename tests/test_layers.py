"""The architecture's import rules, checked on the source and on a running CLI."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

QT = ("PySide6", "shiboken6")


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(module, at_top_level) for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top))
    return found


def root_of(module: str) -> str:
    return module.split(".")[0]


def python_files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, package
    return files


def test_core_imports_no_qt_no_tinydb_no_store_except_the_composition_root() -> None:
    offenders = []
    for path in python_files("composer"):
        rel = path.relative_to(ROOT).as_posix()
        for module, top_level in imports_of(path):
            root = root_of(module)
            if root in QT:
                offenders.append(f"{rel}: {module}")
            elif rel == "composer/cli/main.py":
                if root == "ui" and top_level:
                    offenders.append(f"{rel}: ui must be imported lazily, not at the top")
            elif root in ("tinydb", "store", "ui"):
                offenders.append(f"{rel}: {module}")
    assert offenders == []


def test_store_imports_no_qt_and_no_ui() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files("store")
        for module, _ in imports_of(path)
        if root_of(module) in (*QT, "ui")
    ]
    assert offenders == []


def test_ui_never_imports_the_store() -> None:
    """The window gets a Library from the composition root; it never opens a file itself."""
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files("ui")
        for module, _ in imports_of(path)
        if root_of(module) in ("store", "tinydb", "psycopg")
    ]
    assert offenders == []


def test_only_ui_imports_qt() -> None:
    users = {
        path.relative_to(ROOT).parts[0]
        for package in ("composer", "store", "ui", "templates")
        if (ROOT / package).exists()
        for path in (ROOT / package).rglob("*.py")
        if any(root_of(m) in QT for m, _ in imports_of(path))
    }
    assert users == {"ui"}


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for package in ("composer", "store", "ui", "templates")
        for path in (ROOT / package).rglob("*.py")
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def test_cli_commands_never_load_qt(tmp_path: Path) -> None:
    code = (
        "import sys, composer.cli.main as c\n"
        f"status = c.main(['--library', {str(tmp_path / 'lib.json')!r}, 'items'])\n"
        "roots = ('PySide6', 'shiboken6', 'ui')\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print('LOADED', loaded, status)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "LOADED [] 0" in out.stdout


def test_starting_the_app_does_not_load_the_importers() -> None:
    """feedparser, urllib.request & co. cost about 0.2 s: they load when an import starts."""
    code = (
        "import sys, composer.cli.main, ui.main_window\n"
        "heavy = ('feedparser', 'composer.library.importers', 'nh3', 'urllib.request', 'keyring',\n"
        "         'smtplib', 'email_validator', 'premailer', 'jinja2')\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "LOADED []" in out.stdout, out.stdout
