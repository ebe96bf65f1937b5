"""Size limits: no module in composer/, store/ or ui/ over 600 lines, no function over 80;
in ui/, the window's aim of 500 and 60 (issue 13, item 4).

Measured on the source with :mod:`ast` (no ruff rule counts lines). A module's size is
its number of lines; a function's runs from its ``def`` line to its last line, nested
functions included (and each nested function counted on its own too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT

PACKAGES = ("composer", "store", "ui")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
UI_MODULE_LINES = 500
UI_FUNCTION_LINES = 60

# The ui functions over the ui's aim today (all are under the limits above). The list only
# shrinks: remove an entry once it is within the aim (the allow-list test names it);
# nothing is ever added to it.
# "path" stands for the module's length, "path:Qualified.name" for a function's.
UI_ALLOWED = {
    "ui/about.py:AboutDialog.__init__",
    "ui/item_dialog.py:ItemDialog.__init__",
    "ui/smtp_dialog.py:SmtpSettingsDialog.__init__",
}


def functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """(qualified name, node) of every function and method, nested ones included."""

    def walk(
        node: ast.AST, prefix: str
    ) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield f"{prefix}{child.name}", child
                yield from walk(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")
            else:
                yield from walk(child, prefix)

    return walk(tree, "")


def oversized(
    root: Path,
    packages: tuple[str, ...] = PACKAGES,
    module_lines: int = MAX_MODULE_LINES,
    function_lines: int = MAX_FUNCTION_LINES,
) -> dict[str, str]:
    """Every module and function over the limits under ``root``: key -> what is wrong."""
    found: dict[str, str] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            lines = len(text.splitlines())
            if lines > module_lines:
                found[rel] = f"{rel} is {lines} lines long (limit {module_lines})"
            for name, node in functions(ast.parse(text)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > function_lines:
                    found[f"{rel}:{name}"] = (
                        f"{rel}:{node.lineno} {name} is {length} lines long "
                        f"(limit {function_lines})"
                    )
    return found


def ui_over_its_aim(root: Path) -> dict[str, str]:
    return oversized(root, ("ui",), UI_MODULE_LINES, UI_FUNCTION_LINES)


def test_no_module_or_function_over_the_limits() -> None:
    """No exceptions, in the core, the store or the window."""
    over = list(oversized(ROOT).values())
    assert over == [], "\n".join(over)


def test_the_window_within_its_aim() -> None:
    over = [why for key, why in ui_over_its_aim(ROOT).items() if key not in UI_ALLOWED]
    assert over == [], "\n".join(over)


def test_the_allow_list_only_names_real_offenders() -> None:
    """An entry whose module or function is now within the aim is to be removed."""
    stale = sorted(UI_ALLOWED - ui_over_its_aim(ROOT).keys())
    assert stale == [], f"within the aim now, remove from UI_ALLOWED: {stale}"


def test_the_measure_counts_methods_and_nested_functions(tmp_path: Path) -> None:
    def body(indent: str, lines: int = MAX_FUNCTION_LINES) -> str:
        return "".join(f"{indent}x{i} = {i}\n" for i in range(lines))

    source = (
        '"""Doc."""\n'
        f"class Big:\n    def method(self):\n{body(' ' * 8)}"
        f"def outer():\n    def inner():\n{body(' ' * 8)}"
        f"def at_the_limit():\n{body(' ' * 4, MAX_FUNCTION_LINES - 1)}"
    )
    for package, name, text in (
        ("composer", "big.py", source),
        ("store", "long.py", "x = 1\n" * (MAX_MODULE_LINES + 1)),
        ("ui", "window.py", "x = 1\n" * MAX_MODULE_LINES),
    ):
        (tmp_path / package).mkdir()
        (tmp_path / package / name).write_text(text, encoding="utf-8")
    assert sorted(oversized(tmp_path)) == [
        "composer/big.py:Big.method",
        "composer/big.py:outer",
        "composer/big.py:outer.inner",
        "store/long.py",
    ]
    assert sorted(ui_over_its_aim(tmp_path)) == ["ui/window.py"]  # at the limit, over the aim
