"""What the About box says: the versions of the parts, and the licences of what we ship.

:data:`NOTICES` are the short notices of the main components (Qt and Qt for
Python under the LGPLv3, Jinja2, premailer, TinyDB, the caniemail data, …);
the caniemail data's MIT notice is given in full, read from
``composer/data/CANIEMAIL-LICENSE.txt``. :func:`bundled_packages` lists every
Python package Newsdigest runs with (the dependency closure of the installed
distribution) with its version and licence, read from the package metadata, which
the standalone app bundles too, licence files included. Nothing here imports the
packages it describes: the About box costs nothing until it opens.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import platform
import re
import sys
import textwrap
from collections.abc import Iterable

from composer.version import DISTRIBUTION, version

CANIEMAIL_LICENCE = "CANIEMAIL-LICENSE.txt"

#: The parts whose versions the About box shows: (label, distribution name).
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("premailer", "premailer"),
    ("TinyDB", "tinydb"),
    ("Jinja2", "jinja2"),
    ("lxml", "lxml"),
    ("feedparser", "feedparser"),
    ("Babel", "babel"),
)


@dataclasses.dataclass(frozen=True)
class Notice:
    """The licence notice of one shipped component."""

    name: str
    licence: str
    copyright: str
    url: str
    note: str = ""
    #: The distributions (package names) the notice covers.
    distributions: tuple[str, ...] = ()
    #: The licence's full text, where it travels with the data (caniemail).
    text: str = ""


_QT_DISTRIBUTIONS = (
    "pyside6",
    "pyside6-essentials",
    "pyside6-addons",
    "pyside6-webengine",
    "pyside6-pdf",
    "shiboken6",
)

NOTICES: tuple[Notice, ...] = (
    Notice(
        "Qt and Qt for Python (PySide6, Shiboken)",
        "LGPL-3.0-only",
        "Copyright (C) The Qt Company Ltd. and other contributors",
        "https://www.qt.io/licensing/",
        "Used under the GNU Lesser General Public License version 3 "
        "(https://www.gnu.org/licenses/lgpl-3.0.html). Qt's libraries are separate, "
        "dynamically loaded files, also in the standalone app (its PySide6 folder), and can be "
        "replaced by your own build of the same version. Source code: "
        "https://code.qt.io (Qt) and https://code.qt.io/cgit/pyside/pyside-setup.git "
        "(Qt for Python).",
        _QT_DISTRIBUTIONS,
    ),
    Notice(
        "Qt WebEngine (Chromium)",
        "LGPL-3.0-only; Chromium: BSD-3-Clause and the licences of its third-party parts",
        "Copyright (C) The Qt Company Ltd.; Copyright The Chromium Authors",
        "https://doc.qt.io/qt-6/qtwebengine-licensing.html",
        "The preview's web view. The licences of Chromium's third-party parts are listed in "
        "Qt WebEngine's documentation.",
    ),
    Notice(
        "Python",
        "PSF-2.0",
        "Copyright (c) 2001 Python Software Foundation; All Rights Reserved",
        "https://docs.python.org/3/license.html",
        "The standalone app includes the Python interpreter and its standard library.",
    ),
    Notice(
        "Jinja2 and MarkupSafe",
        "BSD-3-Clause",
        "Copyright 2007 Pallets (Jinja2); Copyright 2010 Pallets (MarkupSafe)",
        "https://palletsprojects.com/",
        distributions=("jinja2", "markupsafe"),
    ),
    Notice(
        "premailer",
        "BSD-3-Clause",
        "Copyright (c) 2009-2012, Peter Bengtsson",
        "https://github.com/peterbe/premailer",
        "Its package metadata says “Python”; its LICENSE file is the BSD 3-clause licence.",
        ("premailer",),
    ),
    Notice(
        "cssutils and encutils (used by premailer)",
        "LGPL-3.0-or-later",
        "Copyright Christof Hoeke and contributors",
        "https://github.com/jaraco/cssutils",
        "Pure Python packages shipped as separate, replaceable files.",
        ("cssutils", "encutils"),
    ),
    Notice(
        "TinyDB",
        "MIT",
        "Copyright (C) 2013 Markus Siemens",
        "https://github.com/msiemens/tinydb",
        distributions=("tinydb",),
    ),
    Notice(
        "lxml (with libxml2 and libxslt)",
        "BSD-3-Clause (libxml2 and libxslt: MIT)",
        "Copyright (c) 2004 Infrae; libxml2 and libxslt: Copyright (C) Daniel Veillard",
        "https://lxml.de/",
        distributions=("lxml",),
    ),
    Notice(
        "Babel (with Unicode CLDR data)",
        "BSD-3-Clause (CLDR data: Unicode License v3)",
        "Copyright (c) 2013 by the Babel Team; CLDR: Copyright Unicode, Inc.",
        "https://babel.pocoo.org/",
        distributions=("babel",),
    ),
    Notice(
        "feedparser",
        "BSD-2-Clause",
        "Copyright (C) 2010 Kurt McKee; Copyright (C) 2002-2008 Mark Pilgrim",
        "https://github.com/kurtmckee/feedparser",
        distributions=("feedparser",),
    ),
    Notice(
        "nh3 (with ammonia)",
        "MIT",
        "Copyright (c) 2021-present Messense Lv; ammonia: the rust-ammonia developers",
        "https://github.com/messense/nh3",
        distributions=("nh3",),
    ),
    Notice(
        "orjson",
        "Apache-2.0 OR MIT",
        "Copyright ijl and the orjson contributors",
        "https://github.com/ijl/orjson",
        distributions=("orjson",),
    ),
)


@dataclasses.dataclass(frozen=True)
class Package:
    """One Python package Newsdigest runs with."""

    name: str
    version: str
    licence: str


def _key(name: str) -> str:
    """A distribution name in its normalised form (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def package_version(distribution: str) -> str:
    """The installed version of ``distribution``, or ``"not installed"``."""
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def component_versions() -> list[tuple[str, str]]:
    """(label, version) of Newsdigest, Python and :data:`COMPONENTS` (Qt's come from ``ui``)."""
    python = f"{platform.python_version()} ({platform.python_implementation()})"
    rows = [("Newsdigest", version()), ("Python", python)]
    rows += [(label, package_version(name)) for label, name in COMPONENTS]
    return rows


def platform_description() -> str:
    """The operating system, in one line (for bug reports)."""
    frozen = ", standalone app" if getattr(sys, "frozen", False) else ""
    return f"{platform.system()} {platform.release()} ({platform.machine()}){frozen}"


def caniemail_licence() -> str:
    """The caniemail data's licence notice, as shipped beside the derived table."""
    resource = importlib.resources.files("composer.data").joinpath(CANIEMAIL_LICENCE)
    return resource.read_text("utf-8")


def notices() -> list[Notice]:
    """:data:`NOTICES` and the caniemail data's notice with its full text."""
    caniemail = Notice(
        "caniemail data (the email-client support table of the preflight check)",
        "MIT",
        "Copyright (c) 2019 Rémi Parmentier",
        "https://www.caniemail.com/",
        distributions=(),
        text=caniemail_licence(),
    )
    return [*NOTICES, caniemail]


def _licence_of(meta: object) -> str:
    get = getattr(meta, "get", None)
    get_all = getattr(meta, "get_all", None)
    if get is None or get_all is None:
        return "unknown"
    expression = str(get("License-Expression") or "").strip()
    if expression:
        return expression
    declared = str(get("License") or "").strip()
    if declared and "\n" not in declared and len(declared) <= 60:
        return declared
    classifiers = [
        str(c).rsplit("::", 1)[-1].strip()
        for c in get_all("Classifier") or []
        if str(c).startswith("License ::")
    ]
    return " OR ".join(classifiers) or "unknown"


def _requirement_names(requires: Iterable[str]) -> list[str]:
    """Names of the requirements, extras left out.

    Other markers (``sys_platform == "win32"``) are not evaluated: a requirement for
    another platform names a package that is not installed here, and is skipped.
    """
    names: list[str] = []
    for requirement in requires:
        spec, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if match:
            names.append(match.group(1))
    return names


def bundled_packages(root: str = DISTRIBUTION) -> list[Package]:
    """``root`` and every package it requires, transitively, sorted by name."""
    from importlib import metadata

    found: dict[str, Package] = {}
    overrides = {d: n.licence for n in NOTICES for d in n.distributions}
    todo = [root]
    while todo:
        name = todo.pop()
        key = _key(name)
        if key in found:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        meta = dist.metadata
        found[key] = Package(
            str(meta["Name"] or name), dist.version, overrides.get(key) or _licence_of(meta)
        )
        todo.extend(_requirement_names(dist.requires or []))
    return sorted(found.values(), key=lambda p: _key(p.name))


def notices_text(packages: Iterable[Package] | None = None) -> str:
    """All notices as plain text (the About box's licences, and the standalone app's file)."""
    lines = [
        f"Newsdigest {version()}: the licences of what it ships",
        "",
        "Newsdigest itself is distributed under the MIT licence.",
        "",
    ]
    for notice in notices():
        lines += [notice.name, f"  Licence: {notice.licence}", f"  {notice.copyright}"]
        lines.append(f"  {notice.url}")
        if notice.note:
            lines += textwrap.wrap(notice.note, 88, initial_indent="  ", subsequent_indent="  ")
        if notice.text:
            lines += ["", *(f"  {line}".rstrip() for line in notice.text.splitlines())]
        lines.append("")
    rows = list(packages) if packages is not None else bundled_packages()
    if rows:
        lines += ["Python packages (name, version, licence):", ""]
        width = max(len(p.name) for p in rows)
        v_width = max(len(p.version) for p in rows)
        lines += [f"  {p.name:<{width}}  {p.version:<{v_width}}  {p.licence}" for p in rows]
        lines += [
            "",
            "Each package's full licence text is in its .dist-info folder (licenses/ or "
            "LICENSE), installed beside it and bundled in the standalone app.",
        ]
    return "\n".join(lines) + "\n"
