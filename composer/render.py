"""Rendering a digest to email-safe HTML and to plain text, offline.

:class:`Renderer` holds what is worth keeping between renders (the GUI renders
on every edit): the Jinja2 environment with its compiled templates and one
configured :class:`premailer.Premailer`. A render is:

1. resolve the digest's items in the library (missing ones are reported, not fatal);
2. build the template context: every text is escaped by Jinja2 (autoescape on,
   ``StrictUndefined``), summaries become paragraphs, urls other than http,
   https and mailto are dropped, dates are formatted for the theme's locale
   with Babel;
3. render ``<theme>/digest.html`` and ``<theme>/digest.txt``, from the user
   templates folder when it has them, else from the bundled ``templates``
   package (read with :mod:`importlib.resources`, so it works from a wheel);
4. inline the CSS with premailer, with the network off
   (``allow_network=False``, and a session that refuses any request);
5. drop ``!important`` from ``style=""`` attributes (Outlook ignores such
   declarations) while the ``<style>`` blocks keep theirs (dark mode and the
   mobile layout need it);
6. put the export profile's unsubscribe and web-version links in (mailing tools'
   merge tags such as ``{{ unsubscribe }}`` would be %-escaped by the HTML
   serialiser, so the templates get stand-in urls that are replaced last);
7. run the preflight checks.

The output depends only on the digest, the items, the theme and the links: no
"now" is embedded, so the same input gives byte-identical output.

Template variables (for user templates): ``digest`` (``title``, ``preheader``,
``period_label``, ``intro`` as HTML paragraphs, ``intro_text``), ``sections``
(each ``category``, ``anchor``, ``entries``; each entry ``id``, ``title``, ``url``,
``date_iso``, ``date_label``, ``summary`` paragraphs, ``image`` with ``url``,
``alt``, ``width`` or ``None``, ``more_label``), ``theme`` (``organisation``,
``logo_url``, ``logo_width``, ``colors``, ``footer`` paragraphs,
``postal_address``, ``lang``, ``dir``), ``links`` (``unsubscribe``,
``web_version``), ``labels`` and ``preheader_filler``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as html_lib
import importlib
import importlib.resources
import logging
import re
import textwrap
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from composer.digest import Digest, ResolvedDigest, resolve
from composer.drafting import period_label
from composer.errors import NewsdigestError
from composer.item import NewsItem
from composer.markup import safe_link, to_html_paragraphs, to_text_paragraphs
from composer.preflight import Finding, check_digest, check_html, sort_findings
from composer.theme import DEFAULT_COLORS, Theme, language_tag, text_direction

log = logging.getLogger(__name__)

TEMPLATE_PACKAGE = "templates"
HTML_TEMPLATE = "digest.html"
TEXT_TEMPLATE = "digest.txt"
FALLBACK_THEME = "default"
#: Width of an item's image in the 600 px column (minus the 32 px side padding).
IMAGE_WIDTH = 536
TEXT_WIDTH = 78

#: Stand-ins for the links a profile fills in after inlining (plain ASCII, nothing to escape).
UNSUBSCRIBE_SENTINEL = "https://unsubscribe.newsdigest.invalid/"
WEB_VERSION_SENTINEL = "https://web-version.newsdigest.invalid/"

# Zero-width non-joiner + non-breaking space: keeps inboxes from filling the preview
# with the body's first words after a short preheader (the usual "preheader hack").
_PREHEADER_FILLER = Markup("&#847;&zwnj;&nbsp;") * 30
_IMPORTANT_IN_STYLE = re.compile(r'(\sstyle=")([^"]*!important[^"]*)(")', re.IGNORECASE)
_IMPORTANT = re.compile(r"\s*!\s*important", re.IGNORECASE)


@dataclasses.dataclass(frozen=True, slots=True)
class Links:
    """The unsubscribe and web-version links, as the export profile writes them."""

    unsubscribe: str | None = None
    web_version: str | None = None


@dataclasses.dataclass(frozen=True)
class Rendered:
    """A rendered digest: inlined HTML, plain text, and what the preflight checks found."""

    html: str
    text: str
    findings: tuple[Finding, ...]
    resolved: ResolvedDigest

    @property
    def size(self) -> int:
        """UTF-8 bytes of the HTML: what Gmail's 102 KB clipping counts."""
        return len(self.html.encode("utf-8"))

    @property
    def missing(self) -> list[str]:
        return [m.item_id for m in self.resolved.missing]


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
        return node.read_text(encoding="utf-8"), None, lambda: True

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


# -- cssutils' log --------------------------------------------------------------------------------
class _CssLog(logging.Handler):
    """Keeps the distinct messages cssutils logs (mso-*, -webkit-*...) instead of printing them."""

    def __init__(self, keep: int = 200) -> None:
        super().__init__(logging.DEBUG)
        self.keep = keep
        self.messages: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message in self.messages or len(self.messages) < self.keep:
            self.messages[message] = self.messages.get(message, 0) + 1


_css_log_lock = threading.Lock()
_css_log: _CssLog | None = None


def _refuse_fetch(url: str) -> None:
    """cssutils' fetcher for ``@import``: nothing is fetched, from the network or from disk."""
    log.debug("not fetching %s for an @import", url)


def capture_cssutils_log() -> _CssLog:
    """Set cssutils up for offline, quiet use (done once per process).

    cssutils logs a warning for every property it does not know, and email CSS is full
    of them (``mso-line-height-rule``, ``-webkit-text-size-adjust``); they are expected
    and would flood the log. They go to a logger that does not propagate, which keeps
    the distinct messages (:func:`css_messages`).

    cssutils also fetches the style sheets that ``@import`` names, over http or from
    the current folder, whatever premailer's ``allow_network`` says: its default
    fetcher is replaced by one that fetches nothing (premailer calls
    ``cssutils.parseString``, which offers no other way to pass a fetcher).
    """
    global _css_log
    with _css_log_lock:
        if _css_log is None:
            import cssutils
            import cssutils.util

            handler = _CssLog()
            logger = logging.getLogger("newsdigest.cssutils")
            logger.propagate = False
            logger.setLevel(logging.WARNING)
            logger.addHandler(handler)
            cssutils.log.setLog(logger)
            cssutils.log.raiseExceptions = False
            cssutils.util._defaultFetcher = _refuse_fetch
            _css_log = handler
        return _css_log


def css_messages() -> dict[str, int]:
    """The distinct messages cssutils produced so far, with their counts."""
    return dict(capture_cssutils_log().messages)


class _NoNetwork:
    """A stand-in for ``requests``: premailer must never fetch anything."""

    def get(self, url: str, **kwargs: Any) -> Any:
        raise NewsdigestError(f"rendering does not use the network (a template asked for {url})")


# -- context --------------------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _slug(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "section"
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    used.add(slug)
    return slug


def format_date(date: dt.date, locale: str) -> str:
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(date, format="long", locale=locale))


def build_context(resolved: ResolvedDigest, theme: Theme, links: Links) -> dict[str, Any]:
    """The template variables (see the module docstring). Items twice are shown once."""
    digest = resolved.digest
    date_cache: dict[dt.date, str] = {}
    sections: list[dict[str, Any]] = []
    anchors: set[str] = set()
    shown: set[str] = set()
    for section in resolved.sections:
        items: list[dict[str, Any]] = []
        for entry in section.items:
            item = entry.item
            if item.id in shown:
                continue
            shown.add(item.id)
            if item.date not in date_cache:
                date_cache[item.date] = format_date(item.date, theme.locale)
            url = safe_link(item.url)
            image_url = safe_link(item.image_url)
            items.append(
                {
                    "id": item.id,
                    "title": entry.title,
                    "url": url if url and not url.startswith("mailto:") else None,
                    "date_iso": item.date.isoformat(),
                    "date_label": date_cache[item.date],
                    "summary": _paragraphs(entry.summary),
                    "image": (
                        {
                            "url": image_url,
                            "alt": item.image_alt or entry.title,
                            "width": IMAGE_WIDTH,
                        }
                        if image_url and not image_url.startswith("mailto:")
                        else None
                    ),
                    "more_label": theme.label("read_more", title=entry.title),
                    "category": item.category,
                }
            )
        if items:
            sections.append(
                {
                    "category": section.category,
                    "anchor": _slug(section.category, anchors),
                    "entries": items,
                }
            )
    return {
        "digest": {
            "id": digest.id,
            "title": digest.title,
            "preheader": digest.preheader,
            "period": digest.period,
            "period_label": period_label(digest.period, theme.locale) if digest.period else "",
            "intro": to_html_paragraphs(digest.intro),
            "intro_text": to_text_paragraphs(digest.intro),
        },
        "sections": sections,
        "theme": {
            "organisation": theme.organisation,
            "logo_url": safe_link(theme.logo_url),
            "logo_width": theme.logo_width,
            "colors": {role: theme.color(role) for role in DEFAULT_COLORS},
            "footer": _paragraphs(theme.footer),
            "postal_address": theme.postal_address,
            "lang": language_tag(theme.locale),
            "dir": text_direction(theme.locale),
        },
        "links": {
            "unsubscribe": UNSUBSCRIBE_SENTINEL if links.unsubscribe else None,
            "web_version": WEB_VERSION_SENTINEL if links.web_version else None,
        },
        "labels": {
            "web_version": theme.label("web_version"),
            "unsubscribe": theme.label("unsubscribe"),
            "unsubscribe_note": theme.label("unsubscribe_note", organisation=theme.organisation),
        },
        "preheader_filler": _PREHEADER_FILLER,
    }


def strip_important_in_style_attributes(html: str) -> str:
    """Remove ``!important`` from ``style=""`` attributes only; ``<style>`` blocks keep it."""
    return _IMPORTANT_IN_STYLE.sub(lambda m: m[1] + _IMPORTANT.sub("", m[2]) + m[3], html)


def put_links(html: str, links: Links, *, escape: bool) -> str:
    """Replace the stand-in urls with the profile's links (HTML-escaped for HTML)."""
    for sentinel, value in (
        (UNSUBSCRIBE_SENTINEL, links.unsubscribe),
        (WEB_VERSION_SENTINEL, links.web_version),
    ):
        if value and sentinel in html:
            html = html.replace(sentinel, html_lib.escape(value, quote=True) if escape else value)
    return html


# -- the renderer ----------------------------------------------------------------------------------
class Renderer:
    """Renders digests; keep one and reuse it (templates and premailer are set up once)."""

    def __init__(self, *, user_templates: Path | None = None) -> None:
        from premailer import Premailer

        capture_cssutils_log()
        self.user_templates = user_templates
        self.env = make_environment(user_templates)
        self.premailer = Premailer(
            base_url=None,
            allow_network=False,
            allow_loading_external_files=False,
            session=_NoNetwork(),
            strip_important=False,  # kept in <style>; removed from style="" afterwards
            keep_style_tags=False,
            remove_classes=False,  # the media queries in <style> select by class
            exclude_pseudoclasses=True,
            disable_basic_attributes=["width", "height"],  # the templates set these
            align_floating_images=False,
            cache_css_parsing=True,
            disable_validation=False,
        )
        self._lock = threading.Lock()

    def _template(self, theme: Theme, name: str) -> jinja2.Template:
        try:
            return self.env.select_template(
                [f"{theme.template}/{name}", f"{FALLBACK_THEME}/{name}"]
            )
        except jinja2.TemplateError as exc:
            raise NewsdigestError(f"template {theme.template}/{name}: {exc}") from exc

    def _render(self, template: jinja2.Template, context: Mapping[str, Any]) -> str:
        try:
            return template.render(context)
        except NewsdigestError:
            raise
        except Exception as exc:  # a user template with a mistake in it
            log.debug("template %s failed", template.name, exc_info=True)
            where = getattr(exc, "filename", None) or template.filename or template.name
            line = getattr(exc, "lineno", None)
            at = f"{where}, line {line}" if line else str(where)
            raise NewsdigestError(f"the template {at} cannot be rendered: {exc}") from exc

    def render_raw_html(
        self,
        resolved: ResolvedDigest,
        theme: Theme,
        links: Links,
        context: Mapping[str, Any] | None = None,
    ) -> str:
        """The template's HTML before inlining (stand-in links in place)."""
        if context is None:
            context = build_context(resolved, theme, links)
        return self._render(self._template(theme, HTML_TEMPLATE), context)

    def inline(self, html: str) -> str:
        """premailer's inlining, then ``!important`` removed from style attributes."""
        with self._lock:  # premailer and cssutils are not thread-safe
            try:
                inlined = str(self.premailer.transform(html))
            except NewsdigestError:
                raise
            except Exception as exc:  # premailer/cssutils/lxml on a broken user template
                raise NewsdigestError(f"the rendered HTML could not be inlined: {exc}") from exc
        return strip_important_in_style_attributes(inlined)

    def render_html(
        self,
        resolved: ResolvedDigest,
        theme: Theme,
        links: Links,
        context: Mapping[str, Any] | None = None,
    ) -> str:
        """Inlined HTML with the links in place."""
        raw = self.render_raw_html(resolved, theme, links, context)
        return put_links(self.inline(raw), links, escape=True)

    def render_text(
        self,
        resolved: ResolvedDigest,
        theme: Theme,
        links: Links,
        context: Mapping[str, Any] | None = None,
    ) -> str:
        """The plain-text alternative, from its own template, with the links in place."""
        if context is None:
            context = build_context(resolved, theme, links)
        text = self._render(self._template(theme, TEXT_TEMPLATE), context)
        text = re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip() + "\n"
        return put_links(text, links, escape=False)

    def render(
        self,
        digest: Digest,
        items: Mapping[str, NewsItem],
        theme: Theme,
        links: Links | None = None,
        *,
        check: bool = True,
    ) -> Rendered:
        """HTML, text and preflight findings for ``digest``; ``items`` maps id -> item."""
        links = links if links is not None else Links(theme.unsubscribe_url, theme.web_version_url)
        resolved = resolve(digest, items)
        context = build_context(resolved, theme, links)
        html = self.render_html(resolved, theme, links, context)
        text = self.render_text(resolved, theme, links, context)
        findings: list[Finding] = []
        if check:
            findings = check_digest(resolved)
            digest_codes = {f.code for f in findings}
            labels: Sequence[str] = ("unsubscribe", theme.label("unsubscribe"))
            findings.extend(
                f for f in check_html(html, unsubscribe_labels=labels) if f.code not in digest_codes
            )
        return Rendered(html, text, tuple(sort_findings(findings)), resolved)
