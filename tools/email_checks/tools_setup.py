"""Finding, and when possible installing, the third-party tools the checks run.

Debian packages (``spamassassin``, ``chromium``, ``default-jre-headless``,
``nodejs``/``npm``) are installed with ``apt-get`` only when running as root
and asked to (``install=True``); npm packages go into
``tools/email_checks/node_modules`` from ``package.json``/``package-lock.json``.
Each ``find_*`` function returns what to run, or raises :class:`Missing` with
the reason, which the report shows as "not run".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
NPM_PACKAGES = ("axe-core", "doiuse-email", "mjml", "playwright-core", "vnu-jar", "yaml")


class Missing(Exception):
    """A tool is not installed (and could not be): the check is not run."""


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _apt_install(package: str) -> str | None:
    """Install a Debian package; ``None`` when done, else why not."""
    if not _is_root():
        return f"not root: install the Debian package '{package}' (apt-get install {package})"
    if shutil.which("apt-get") is None:
        return f"no apt-get here: install '{package}' with the system's package manager"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")

    def install() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["apt-get", "install", "-y", "-qq", package],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    result = install()
    if result.returncode != 0:  # the package lists may be missing or stale: update, once
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env, check=False)
        result = install()
    if result.returncode != 0:
        return f"apt-get install {package} failed: {result.stderr.strip()[-300:]}"
    return None


def _program(names: tuple[str, ...], package: str, install: bool) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    if not install:
        raise Missing(f"{names[0]} is not installed (Debian package '{package}')")
    reason = _apt_install(package)
    if reason:
        raise Missing(reason)
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    raise Missing(f"{names[0]} is still missing after installing '{package}'")


def find_spamassassin(install: bool = False) -> str:
    return _program(("spamassassin",), "spamassassin", install)


def find_chromium(install: bool = False) -> str:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return _program(("chromium", "chromium-browser"), "chromium", install)


def find_java(install: bool = False) -> str:
    return _program(("java",), "default-jre-headless", install)


def find_node(install: bool = False) -> str:
    """``node`` with the npm packages of ``package.json`` installed beside this module."""
    node = _program(("node", "nodejs"), "nodejs", install)
    absent = [p for p in NPM_PACKAGES if not (NODE_MODULES / p / "package.json").exists()]
    if not absent:
        return node
    if not install:
        raise Missing(f"npm packages missing in {NODE_MODULES}: {', '.join(absent)}")
    npm = _program(("npm",), "npm", install)
    lock = (HERE / "package-lock.json").exists()
    result = subprocess.run(
        [npm, "ci" if lock else "install", "--no-audit", "--no-fund"],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise Missing(f"npm could not install {', '.join(absent)}: {result.stderr[-300:]}")
    return node


def mjml_cli() -> Path:
    return NODE_MODULES / "mjml" / "bin" / "mjml"


def vnu_jar() -> Path:
    return NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
