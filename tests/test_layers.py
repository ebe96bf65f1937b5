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


# The core's packages, each importing only those before it (and composer's top-level modules).
PACKAGE_ORDER = ("library", "theme", "digest", "email", "send", "cli")
# The top-level modules that reach into a package, and the one module each may import there.
TOP_LEVEL_EXCEPTIONS = {
    "composer/repository.py": {"composer.library.item"},  # the Library protocol names NewsItem
    "composer/__main__.py": {"composer.cli.main"},  # python -m composer
}


def composer_imports(path: Path, root: Path) -> list[str]:
    """Every ``composer`` module the file imports, relative imports and ``from composer import x``
    resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = path.relative_to(root).with_suffix("").parts
    package = here[:-1]  # a module's package, or an __init__'s own
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join((*base, *([node.module] if node.module else [])))
            else:
                module = node.module or ""
            if module == "composer" or (node.level and not node.module):
                found += [f"{module}.{alias.name}" for alias in node.names]
            else:
                found.append(module)
    return [name for name in found if root_of(name) == "composer"]


def package_of(module: str) -> str | None:
    """The package of ``composer.<package>.…`` (None for a top-level module of composer)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in PACKAGE_ORDER else None


def package_rule_offences(root: Path) -> list[str]:
    """Each import in ``root/composer`` that breaks the package order, named with the rule."""
    offences = []
    for path in sorted((root / "composer").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        parts = path.relative_to(root).parts
        own = parts[1] if len(parts) > 2 and parts[1] in PACKAGE_ORDER else None
        for module in composer_imports(path, root):
            target = package_of(module)
            if target is None or target == own:
                continue
            if own is None:
                if module not in TOP_LEVEL_EXCEPTIONS.get(rel, set()):
                    offences.append(
                        f"{rel} imports {module}: a top-level module of composer imports only "
                        "other top-level modules"
                    )
            elif PACKAGE_ORDER.index(target) > PACKAGE_ORDER.index(own):
                before = PACKAGE_ORDER[: PACKAGE_ORDER.index(own)]
                allowed = ", ".join((*before, "composer's top-level modules"))
                offences.append(
                    f"{rel} imports {module}: composer.{own} may import only {allowed}, "
                    f"not composer.{target}"
                )
    return offences


def test_each_package_imports_only_those_before_it() -> None:
    """library < theme < digest < email < send < cli; top-level modules import no package."""
    offences = package_rule_offences(ROOT)
    assert offences == [], "\n".join(offences)


def test_the_package_rules_name_the_offending_import(tmp_path: Path) -> None:
    """The rule itself, on a small tree that breaks each part of it once."""
    files = {
        "composer/__init__.py": "",
        "composer/errors.py": "",
        "composer/repository.py": "from composer.library.item import NewsItem\n",
        "composer/urls.py": "from composer.digest import model\n",
        "composer/library/__init__.py": "",
        "composer/library/item.py": "from composer.errors import ValidationError\n",
        "composer/library/search.py": "from composer import theme\n",
        "composer/digest/__init__.py": "",
        "composer/digest/model.py": "from composer.library.item import NewsItem\n",
        "composer/digest/drafting.py": "def f():\n    from ..email import render\n",
        "composer/email/render.py": "from . import render_cache\nimport composer.digest.model\n",
        "composer/send/job.py": "import composer.cli.main\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f'"""Doc."""\n{text}', encoding="utf-8")
    assert package_rule_offences(tmp_path) == [
        "composer/digest/drafting.py imports composer.email: composer.digest may import only "
        "library, theme, composer's top-level modules, not composer.email",
        "composer/library/search.py imports composer.theme: composer.library may import only "
        "composer's top-level modules, not composer.theme",
        "composer/send/job.py imports composer.cli.main: composer.send may import only "
        "library, theme, digest, email, composer's top-level modules, not composer.cli",
        "composer/urls.py imports composer.digest: a top-level module of composer "
        "imports only other top-level modules",
    ]
