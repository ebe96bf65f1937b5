"""The Jinja2 environment of the email templates: the shipped ones and a user's folder.

The shipped templates live in the ``templates`` package and are read with
:mod:`importlib.resources` (:class:`ResourceLoader`), so they work from a wheel;
a user's templates folder, when it exists, comes first, so a user's
``mine/digest.html`` can extend a shipped layout. Autoescape is on for HTML and
off for the plain-text (``.txt``) templates; undefined variables are errors.
"""

from __future__ import annotations

import importlib
import importlib.resources
import textwrap
from collections.abc import Callable
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2

from composer.theme.model import Theme

TEMPLATE_PACKAGE = "templates"
TEXT_WIDTH = 78


def package_root(package: str) -> Traversable:
    """``importlib.resources.files(package)``, also for a package seen as a namespace.

    An editable install made before the folder had its ``__init__.py`` registers it
    as a namespace package, and Python 3.11's ``files()`` fails on such a package
    when its path includes the editable finder's hook; its first real folder is used.
    """
    try:
        return importlib.resources.files(package)
    except (NotADirectoryError, TypeError):
        module = importlib.import_module(package)
        for entry in getattr(module, "__path__", ()):
            if Path(entry).is_dir():
                return Path(entry)
        raise


# -- the template loader ---------------------------------------------------------------------------
class ResourceLoader(jinja2.BaseLoader):
    """Templates from a Python package, read with :mod:`importlib.resources` (wheel-safe)."""

    def __init__(self, package: str = TEMPLATE_PACKAGE) -> None:
        self._root = package_root(package)

    def _node(self, template: str) -> Traversable:
        parts = [part for part in template.replace("\\", "/").split("/") if part]
        if not parts or any(part in (".", "..") for part in parts):
            raise jinja2.TemplateNotFound(template)
        node = self._root
        for part in parts:
            node = node.joinpath(part)
        return node

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        node = self._node(template)
        if not node.is_file():
            raise jinja2.TemplateNotFound(template)
        # The name shown in error messages: the shipped template's path in the package.
        shown = f"{TEMPLATE_PACKAGE}/{template}"
        return node.read_text(encoding="utf-8"), shown, lambda: True

    def list_templates(self) -> list[str]:
        found: list[str] = []

        def walk(node: Traversable, prefix: str) -> None:
            for child in node.iterdir():
                if child.is_dir():
                    walk(child, f"{prefix}{child.name}/")
                elif child.name.endswith((".html", ".txt")):
                    found.append(f"{prefix}{child.name}")

        walk(self._root, "")
        return sorted(found)


def wrap_text(
    text: str, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None
) -> str:
    """Fold ``text`` at ``width`` columns without breaking words or urls."""
    lines = textwrap.wrap(
        str(text),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines)


def make_environment(user_templates: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment: user folder first (if it exists), then the bundled templates."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None and user_templates.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(user_templates), encoding="utf-8"))
    loaders.append(ResourceLoader())
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # Everything is escaped except the plain-text (.txt) templates.
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml"),
            disabled_extensions=("txt",),
            default_for_string=True,
            default=True,
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=user_templates is not None,
    )
    env.filters["wrap"] = wrap_text
    return env


def default_user_templates() -> Path:
    """The per-user templates folder (``.../Newsdigest/templates``); it may not exist."""
    import platformdirs

    return platformdirs.user_data_path("Newsdigest", appauthor=False) / "templates"


def user_templates_for(theme: Theme) -> Path:
    """The theme's templates folder, or the per-user default."""
    return (
        Path(theme.templates_dir).expanduser() if theme.templates_dir else default_user_templates()
    )
