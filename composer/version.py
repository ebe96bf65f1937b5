"""The version of Newsdigest, from its one source: ``version`` in ``pyproject.toml``.

An installed Newsdigest (a wheel, an editable install, or the PyInstaller app, which
bundles the package's ``dist-info``) reads it from its distribution metadata; a source
tree that is not installed reads ``pyproject.toml`` itself. It is looked up on first
use and kept: reading the metadata costs some 20 ms, which start-up does not pay.
"""

from __future__ import annotations

import functools
from pathlib import Path

DISTRIBUTION = "newsdigest"
UNKNOWN = "0.0.0+unknown"


@functools.cache
def version() -> str:
    """The version of Newsdigest (``"0.0.0+unknown"`` if nothing says it)."""
    from importlib import metadata

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _version_from_source_tree(Path(__file__).resolve().parent.parent)


def _version_from_source_tree(root: Path) -> str:
    """``project.version`` of ``root/pyproject.toml``, if that is Newsdigest's."""
    import tomllib

    try:
        project = tomllib.loads((root / "pyproject.toml").read_text("utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return UNKNOWN
    if project.get("name") != DISTRIBUTION or not isinstance(project.get("version"), str):
        return UNKNOWN
    return str(project["version"])
