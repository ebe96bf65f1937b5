"""Install Newsdigest's desktop entry, AppStream metainfo and icons for the current user.

``make install-desktop`` runs it with the virtual environment's ``newsdigest``::

    python packaging/install_desktop.py --exec /path/to/.venv/bin/newsdigest
    python packaging/install_desktop.py --uninstall

Files go under ``$XDG_DATA_HOME`` (default ``~/.local/share``), or ``--data-home``:
``applications/org.newsdigest.Newsdigest.desktop`` (its ``Exec`` and ``TryExec``
pointing at the given executable), ``metainfo/org.newsdigest.Newsdigest.metainfo.xml``,
``icons/hicolor/scalable/apps/org.newsdigest.Newsdigest.svg`` and the PNG renders in
``icons/hicolor/{48x48,128x128,256x256}/apps/``. The desktop and icon caches are
refreshed when their tools are installed. Nothing is written outside the data folder.

The standalone Linux app carries this script in its ``share/`` folder with the files
it installs; run from there, ``--exec`` defaults to the app's own executable::

    python3 /opt/newsdigest/share/install_desktop.py
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

APP_ID = "org.newsdigest.Newsdigest"
HERE = Path(__file__).resolve().parent
ICONS = HERE.parent / "ui" / "icons"
SIZES = (48, 128, 256)
# characters that make an Exec argument need quoting (Desktop Entry spec, "The Exec key")
_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")


def data_home(explicit: str | None = None) -> Path:
    """``--data-home``, else ``$XDG_DATA_HOME``, else ``~/.local/share``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("XDG_DATA_HOME", "")
    return Path(env) if env and Path(env).is_absolute() else Path.home() / ".local" / "share"


def exec_argument(path: str) -> str:
    """``path`` as one argument of a desktop entry's ``Exec`` line (quoted when needed)."""
    path = path.replace("%", "%%")  # a literal percent sign, not a field code
    if not _RESERVED.search(path):
        return path
    inner = re.sub(r'(["`$\\])', r"\\\1", path)
    # a desktop file's string values escape the backslash once more
    return '"' + inner.replace("\\", "\\\\") + '"'


def desktop_entry(executable: str) -> str:
    """The packaged desktop entry with ``Exec`` and ``TryExec`` pointing at ``executable``."""
    text = (HERE / f"{APP_ID}.desktop").read_text("utf-8")
    text = re.sub(r"(?m)^Exec=\S+", lambda _m: f"Exec={exec_argument(executable)}", text)
    return re.sub(r"(?m)^TryExec=.*$", lambda _m: f"TryExec={executable}", text)


def _icon(name: str, in_checkout: str) -> Path:
    """An icon file: beside this script (the standalone app's share/), else in ui/icons."""
    beside = HERE / name
    return beside if beside.exists() else ICONS / in_checkout


def targets(root: Path) -> dict[Path, Path | None]:
    """Where each file goes (the desktop entry, whose text is made, maps to ``None``)."""
    found: dict[Path, Path | None] = {
        root / "applications" / f"{APP_ID}.desktop": None,
        root / "metainfo" / f"{APP_ID}.metainfo.xml": HERE / f"{APP_ID}.metainfo.xml",
        root / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg": _icon(
            f"{APP_ID}.svg", "newsdigest.svg"
        ),
    }
    for size in SIZES:
        target = root / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
        found[target] = _icon(f"{APP_ID}-{size}.png", f"newsdigest-{size}.png")
    return found


def default_executable() -> Path | None:
    """In the standalone app (this script in its share/ folder), the app's executable."""
    candidate = HERE.parent / "newsdigest"
    return candidate if HERE.name == "share" and candidate.is_file() else None


def _refresh_caches(root: Path) -> None:
    for argv in (
        ["update-desktop-database", "-q", str(root / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(root / "icons" / "hicolor")],
    ):
        if shutil.which(argv[0]):
            subprocess.run(argv, check=False, capture_output=True)


def install(executable: str, root: Path) -> list[Path]:
    """Write every file; returns their paths."""
    written: list[Path] = []
    for target, source in targets(root).items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            target.write_text(desktop_entry(executable), "utf-8")
        else:
            shutil.copyfile(source, target)
        target.chmod(0o644)
        written.append(target)
    _refresh_caches(root)
    return written


def uninstall(root: Path) -> list[Path]:
    """Remove the files :func:`install` writes; returns those that were there."""
    removed = [target for target in targets(root) if target.exists()]
    for target in removed:
        target.unlink()
    _refresh_caches(root)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exec", dest="executable", help="the newsdigest executable to start")
    parser.add_argument("--data-home", help="instead of $XDG_DATA_HOME or ~/.local/share")
    parser.add_argument("--uninstall", action="store_true", help="remove the installed files")
    args = parser.parse_args(argv)
    root = data_home(args.data_home)
    if args.uninstall:
        for path in uninstall(root):
            print(f"removed {path}")
        return 0
    chosen = Path(args.executable) if args.executable else default_executable()
    if chosen is None:
        parser.error("--exec is required to install")
    executable = chosen.absolute()
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        parser.error(f"{executable} is not an executable file")
    for path in install(str(executable), root):
        print(f"installed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
