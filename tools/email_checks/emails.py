"""The emails under test: built with the ``newsdigest`` command into a throw-away library.

:func:`build_emails` makes one library from the sample (``newsdigest sample``)
and one from the listing fixture (``newsdigest import``), gives them a complete
theme (an invented organisation with a postal address and an unsubscribe link,
as a real sender would have; a third library is the sample with "Read more"
buttons), and builds the newest month of each with
``newsdigest build --month … [--theme NAME] --html … --eml …`` per theme. It
also writes an MJML file of the same digest (:mod:`tools.email_checks.mjml_digest`)
for the comparison with MJML's output.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "news-listing-2023-01.txt"
#: An invented sender, set up as the first-run setup would.
THEME_FIELDS = {
    "organisation": "Harbourside Water Trust",
    "logo_url": "https://news.harbourside.example/logo.png",
    "postal_address": "4 Quay Lane, Portmarrow PM1 2AB, United Kingdom",
    "unsubscribe_url": "https://news.harbourside.example/unsubscribe",
    "web_version_url": "https://news.harbourside.example/digest",
    "from_address": "Harbourside News <news@harbourside.example>",
    "footer": "Questions about a story? Reply to this email and it reaches our press office.",
}
#: The ``newsdigest settings theme`` option of each field.
THEME_OPTIONS = {
    "organisation": "--organisation",
    "logo_url": "--logo-url",
    "postal_address": "--postal-address",
    "unsubscribe_url": "--unsubscribe-url",
    "web_version_url": "--web-version-url",
    "from_address": "--from",
    "footer": "--footer",
}
#: The theme name used when ``build`` has no ``--theme`` option yet (today's one layout).
DEFAULT_THEME = "default"


@dataclasses.dataclass(frozen=True)
class Email:
    """One built email: ``source`` (sample or fixture) in ``theme``."""

    source: str
    theme: str
    html: Path
    eml: Path
    mjml: Path
    build_status: int
    build_output: str

    @property
    def label(self) -> str:
        return f"{self.theme}/{self.source}"


def newsdigest_command() -> list[str]:
    """How to run ``newsdigest`` with the interpreter running this tool."""
    return [sys.executable, "-m", "composer"]


def run_newsdigest(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsdigest_command(), "--library", str(library), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def _checked(result: subprocess.CompletedProcess[str], what: str) -> str:
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr or result.stdout}")
    return result.stdout


def shipped_themes() -> list[str]:
    """The names ``newsdigest build --theme`` accepts, or ``["default"]`` before it exists."""
    help_text = _checked(run_newsdigest(ROOT / ".no-library.json", "build", "--help"), "build")
    if "--theme" not in help_text:
        return [DEFAULT_THEME]
    flat = " ".join(help_text.split())
    choices = re.search(r"--theme \{([^}]+)\}", flat)
    if choices:
        return [name.strip() for name in choices.group(1).split(",")]
    start = flat.rfind("--theme NAME")
    text = flat[start : start + 300] if start >= 0 else flat
    try:
        from composer.theme.model import LAYOUTS

        known = list(LAYOUTS)
    except ImportError:
        known = sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_dir())
    named = [name for name in known if re.search(rf"\b{re.escape(name)}\b", text)]
    return named or [DEFAULT_THEME]


def _prepare_library(library: Path, source: str) -> str:
    """Fill ``library`` from ``source`` and set the theme; the newest month (``YYYY-MM``)."""
    if source in ("sample", "buttons"):
        _checked(run_newsdigest(library, "sample"), "newsdigest sample")
    else:
        _checked(run_newsdigest(library, "import", str(FIXTURE)), f"newsdigest import {FIXTURE}")
    set_theme(library)
    if source == "buttons":  # the sample again, with a "Read more" button after each story
        _checked(
            run_newsdigest(library, "settings", "theme", "--read-more", "button"),
            "newsdigest settings theme --read-more button",
        )
    from store import open_library

    opened = open_library(library, read_only=True)
    try:
        months = sorted({item.date.strftime("%Y-%m") for item in opened.items()})
    finally:
        opened.close()
    return months[-1]


def set_theme(library: Path) -> None:
    """Give ``library`` a complete theme, with ``newsdigest settings theme`` where it exists."""
    args = ["settings", "theme"]
    for field, value in THEME_FIELDS.items():
        args += [THEME_OPTIONS[field], value]
    result = run_newsdigest(library, *args)
    if result.returncode == 0:
        return
    if "invalid choice: 'theme'" not in result.stderr:
        _checked(result, "newsdigest settings theme")
    from composer.theme.model import merge_theme
    from store import open_library

    opened = open_library(library)
    try:
        opened.update_settings(merge_theme(opened.settings(), THEME_FIELDS))
    finally:
        opened.close()


def _write_mjml(library: Path, month: str, out: Path) -> None:
    from composer.digest.drafting import draft_digest
    from composer.theme.model import theme_from_settings
    from store import open_library
    from tools.email_checks.mjml_digest import digest_mjml

    opened = open_library(library, read_only=True)
    try:
        theme = theme_from_settings(opened.settings())
        items = opened.items()
    finally:
        opened.close()
    digest = draft_digest(items, month, theme)
    out.write_text(digest_mjml(digest, {i.id: i for i in items}, theme), encoding="utf-8")


#: What the digests are made of: the sample library, the listing fixture, and the sample
#: with "Read more" buttons (theme setting ``read_more: button``), where the theme has them.
SOURCES = ("sample", "fixture", "buttons")


def has_buttons() -> bool:
    """Whether ``settings theme`` offers ``--read-more button``."""
    result = run_newsdigest(ROOT / ".no-library.json", "settings", "theme", "--help")
    return result.returncode == 0 and "--read-more" in result.stdout


def build_emails(work: Path, themes: list[str], sources: tuple[str, ...] = SOURCES) -> list[Email]:
    """Every theme × source (:data:`SOURCES`), built into ``work``.

    ``buttons`` is left out while the theme settings have no ``--read-more``.
    """
    if "buttons" in sources and not has_buttons():
        sources = tuple(s for s in sources if s != "buttons")
    emails: list[Email] = []
    has_theme_option = themes != [DEFAULT_THEME]
    for source in sources:
        library = work / f"{source}-library.json"
        month = _prepare_library(library, source)
        mjml = work / f"{source}.mjml"
        _write_mjml(library, month, mjml)
        for theme in themes:
            html = work / f"{theme}-{source}.html"
            eml = work / f"{theme}-{source}.eml"
            args = ["build", "--month", month, "--html", str(html), "--eml", str(eml)]
            if has_theme_option:
                args += ["--theme", theme]
            result = run_newsdigest(library, *args)
            if not html.exists():
                raise RuntimeError(
                    f"newsdigest build ({theme}, {source}) wrote no HTML "
                    f"({result.returncode}): {result.stderr or result.stdout}"
                )
            emails.append(
                Email(
                    source,
                    theme,
                    html,
                    eml,
                    mjml,
                    result.returncode,
                    (result.stdout + result.stderr).strip(),
                )
            )
    return emails


def caniemail_dir() -> Path | None:
    """The caniemail feature files: ``$CANIEMAIL_DIR``, else the shared snapshot, if present."""
    import os

    folder = Path(os.environ.get("CANIEMAIL_DIR") or "/work/shared/data/caniemail")
    return folder if (folder / "features").is_dir() else None
