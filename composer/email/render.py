"""Rendering a digest to email-safe HTML and to plain text, offline.

:class:`Renderer` holds what is worth keeping between renders (the GUI renders
on every edit): the Jinja2 environment with its compiled templates and one
configured :class:`premailer.Premailer`. A render is:

1. resolve the digest's items in the library (missing ones are reported, not fatal);
2. build the template context: every text is escaped by Jinja2 (autoescape on,
   ``StrictUndefined``), summaries become paragraphs, urls other than http,
   https and mailto are dropped, dates are formatted for the theme's locale
   with Babel;
3. render ``<layout>/digest.html`` and ``<layout>/digest.txt`` (the layout:
   the ``template`` asked for, else the digest's, else the theme's: ``classic``,
   ``magazine``, ``briefing`` or a user's folder), from the user templates folder
   when it has them, else from the bundled ``templates`` package (read with
   :mod:`importlib.resources`, so it works from a wheel). The shipped layouts
   extend ``base.html`` (named blocks) and use the macros of ``macros.html``, so
   a user's ``mine/digest.html`` can ``{% extends "classic/digest.html" %}`` and
   override one block;
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
"now" is embedded, so the same input gives byte-identical output. So a renderer
remembers its last few results (:mod:`composer.email.render_cache`) and renders again
only when something the email reads has changed (:attr:`Renderer.render_count`
counts the real renders). :func:`renderer_for` gives the one renderer of a theme's
user templates folder, shared by the preview, the exports and the sends.

Template variables (for user templates): see :mod:`composer.email.render_context`.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from composer.digest.model import Digest, ResolvedDigest, resolve
from composer.email import render_context
from composer.email.preflight import Finding, check_digest, check_html, sort_findings
from composer.email.render_cache import (
    CACHE_SIZE,
    RenderCache,
    render_key,
    renderer_for,
    templates_signature,
)
from composer.email.render_context import (
    IMAGE_WIDTH,
    UNSUBSCRIBE_SENTINEL,
    WEB_VERSION_SENTINEL,
    format_date,
)
from composer.email.template_env import (
    TEMPLATE_PACKAGE,
    TEXT_WIDTH,
    ResourceLoader,
    default_user_templates,
    make_environment,
    package_root,
    user_templates_for,
    wrap_text,
)
from composer.errors import NewsdigestError
from composer.library.item import NewsItem
from composer.theme.checks import check_template
from composer.theme.model import DEFAULT_LAYOUT, LAYOUT_ALIASES, LAYOUTS, Theme

log = logging.getLogger(__name__)

HTML_TEMPLATE = "digest.html"
TEXT_TEMPLATE = "digest.txt"
FALLBACK_THEME = DEFAULT_LAYOUT
#: The folder name earlier versions gave the classic layout (a user's copy is still used).
LEGACY_FOLDER = "default"
__all__ = [
    "IMAGE_WIDTH",
    "TEMPLATE_PACKAGE",
    "TEXT_WIDTH",
    "UNSUBSCRIBE_SENTINEL",
    "WEB_VERSION_SENTINEL",
    "Links",
    "Rendered",
    "Renderer",
    "ResourceLoader",
    "available_layouts",
    "build_context",
    "default_user_templates",
    "format_date",
    "layout_of",
    "make_environment",
    "package_root",
    "renderer_for",
    "user_templates_for",
    "wrap_text",
]

_IMPORTANT = re.compile(r"\s*!\s*important", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"""(\sstyle=)(["'])(.*?)\2""", re.DOTALL)
_STYLE_SPACES = re.compile(r"\s*[;,]\s*")
_SPACE_BY_SEPARATOR = re.compile(r"\s[;,]|[;,]\s")
_BGCOLOR_OUTSIDE_TABLES = re.compile(
    r"""(<(?:div|img|a|p|span|h[1-6]|center|strong|em)\b[^>]*?)\s+bgcolor=(["'])[^"']*\2""",
    re.IGNORECASE,
)


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
def build_context(
    resolved: ResolvedDigest, theme: Theme, links: Links, layout: str | None = None
) -> dict[str, Any]:
    """The template variables (:mod:`composer.email.render_context` lists them)."""
    return render_context.build_context(
        resolved,
        theme,
        unsubscribe=bool(links.unsubscribe),
        web_version=bool(links.web_version),
        layout=layout or theme.template,
    )


def layout_of(digest: Digest, theme: Theme, template: str | None = None) -> str:
    """The layout a digest renders with: ``template`` if given, else the digest's, else the
    theme's (an earlier version's ``default`` reads as ``classic``)."""
    name = template or digest.template or theme.template
    return check_template(name, "theme")


def shipped_layouts() -> list[str]:
    """The layouts shipped with Newsdigest, in gallery order."""
    return list(LAYOUTS)


def available_layouts(user_templates: Path | None = None) -> list[str]:
    """The shipped layouts, then the folders of ``user_templates`` that hold a digest.html."""
    names = shipped_layouts()
    if user_templates is not None and user_templates.is_dir():
        for folder in sorted(user_templates.iterdir()):
            known = folder.name in names or folder.name in LAYOUT_ALIASES
            if (folder / HTML_TEMPLATE).is_file() and not known:
                names.append(folder.name)
    return names


def _tidy_style(match: re.Match[str]) -> str:
    value = match[3]
    if "!" in value:
        value = _IMPORTANT.sub("", value)
    # premailer writes "a:b; c:d" and "Arial, sans-serif": plain replaces do the common case
    value = value.replace("; ", ";").replace(", ", ",")
    if _SPACE_BY_SEPARATOR.search(value):
        value = _STYLE_SPACES.sub(lambda s: s[0].strip(), value)
    return match[1] + match[2] + value + match[2]


def tidy_style_attributes(html: str) -> str:
    """``style=""`` attributes without ``!important`` (``<style>`` blocks keep it) and compact
    (premailer's ``a:b; c:d`` as ``a:b;c:d``, ``Arial, sans-serif`` as ``Arial,sans-serif``),
    in one pass over the email (the inlined HTML repeats its styles hundreds of times)."""
    return _STYLE_ATTRIBUTE.sub(_tidy_style, html)


def drop_bgcolor_outside_tables(html: str) -> str:
    """premailer copies ``background-color`` into ``bgcolor`` on every element; HTML allows
    (and classic Outlook needs) it on body, table and cells only."""
    return _BGCOLOR_OUTSIDE_TABLES.sub(r"\1", html)


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
    """Renders digests; keep one and reuse it (templates and premailer are set up once).

    :meth:`render` remembers its last ``cache_size`` results (0: none) and counts the
    renders it really made in :attr:`render_count`.
    """

    def __init__(self, *, user_templates: Path | None = None, cache_size: int = CACHE_SIZE) -> None:
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
        #: Renders made (cache misses of :meth:`render`).
        self.render_count = 0
        self._cache: RenderCache[Rendered] = RenderCache(cache_size)
        self._render_lock = threading.Lock()

    def _template(self, layout: str, name: str) -> jinja2.Template:
        """``<layout>/<name>``; a plain-text template falls back to the classic one, an
        unknown layout is a clear error naming the choices."""
        candidates = [f"{layout}/{name}"]
        user = self.user_templates
        if (
            layout == DEFAULT_LAYOUT
            and user is not None
            and (user / LEGACY_FOLDER / name).is_file()
            and not (user / layout / name).is_file()
        ):
            # a user's own "default" folder (the classic layout's earlier name) still wins
            candidates.insert(0, f"{LEGACY_FOLDER}/{name}")
        if name == TEXT_TEMPLATE:
            candidates.append(f"{FALLBACK_THEME}/{name}")
        try:
            return self.env.select_template(candidates)
        except jinja2.TemplatesNotFound:
            choices = ", ".join(available_layouts(self.user_templates))
            where = f" or in {self.user_templates}" if self.user_templates else ""
            raise NewsdigestError(
                f"there is no theme '{layout}' (no {layout}/{name} among the shipped "
                f"templates{where}); choose one of {choices}"
            ) from None
        except jinja2.TemplateError as exc:
            raise NewsdigestError(f"template {layout}/{name}: {exc}") from exc

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

    def _render_file(
        self,
        name: str,
        resolved: ResolvedDigest,
        theme: Theme,
        links: Links,
        context: Mapping[str, Any] | None,
        template: str | None,
    ) -> str:
        """The layout's template ``name`` (HTML or text), in the digest's context."""
        layout = layout_of(resolved.digest, theme, template)
        if context is None:
            context = build_context(resolved, theme, links, layout)
        return self._render(self._template(layout, name), context)

    def render_raw_html(
        self,
        resolved: ResolvedDigest,
        theme: Theme,
        links: Links,
        context: Mapping[str, Any] | None = None,
        *,
        template: str | None = None,
    ) -> str:
        """The template's HTML before inlining (stand-in links in place)."""
        return self._render_file(HTML_TEMPLATE, resolved, theme, links, context, template)

    def inline(self, html: str) -> str:
        """premailer's inlining, then ``!important`` removed from style attributes."""
        with self._lock:  # premailer and cssutils are not thread-safe
            try:
                inlined = str(self.premailer.transform(html))
            except NewsdigestError:
                raise
            except Exception as exc:  # premailer/cssutils/lxml on a broken user template
                raise NewsdigestError(f"the rendered HTML could not be inlined: {exc}") from exc
        return drop_bgcolor_outside_tables(tidy_style_attributes(inlined))

    def render_html(
        self,
        resolved: ResolvedDigest,
        theme: Theme,
        links: Links,
        context: Mapping[str, Any] | None = None,
        *,
        template: str | None = None,
    ) -> str:
        """Inlined HTML with the links in place."""
        raw = self.render_raw_html(resolved, theme, links, context, template=template)
        return put_links(self.inline(raw), links, escape=True)

    def render_text(
        self,
        resolved: ResolvedDigest,
        theme: Theme,
        links: Links,
        context: Mapping[str, Any] | None = None,
        *,
        template: str | None = None,
    ) -> str:
        """The plain-text alternative, from its own template, with the links in place."""
        text = self._render_file(TEXT_TEMPLATE, resolved, theme, links, context, template)
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
        template: str | None = None,
    ) -> Rendered:
        """HTML, text and preflight findings for ``digest``; ``items`` maps id -> item.

        ``template`` names the layout (``classic``, ``magazine``, ``briefing`` or a user
        template folder); without it the digest's own choice, else the theme's, is used.
        The same content (:func:`composer.email.render_cache.render_key`) is rendered once: a
        later call returns the result remembered, resolved against the ``digest`` given.
        """
        links = links if links is not None else Links(theme.unsubscribe_url, theme.web_version_url)
        signature = templates_signature(self.user_templates)
        if signature is None:  # a folder too large to sign: nothing is remembered
            return self._render_fresh(digest, items, theme, links, check=check, template=template)
        key = render_key(
            digest,
            items,
            theme,
            (links.unsubscribe, links.web_version),
            template=template,
            check=check,
            templates=signature,
        )
        rendered = self._cache.get(key)
        if rendered is None:
            with self._render_lock:  # one render at a time: a second asker waits, then reuses it
                rendered = self._cache.get(key)
                if rendered is None:
                    rendered = self._render_fresh(
                        digest, items, theme, links, check=check, template=template
                    )
                    self._cache.put(key, rendered)
                    return rendered
        return dataclasses.replace(rendered, resolved=resolve(digest, items))

    def _render_fresh(
        self,
        digest: Digest,
        items: Mapping[str, NewsItem],
        theme: Theme,
        links: Links,
        *,
        check: bool,
        template: str | None,
    ) -> Rendered:
        """A real render (counted in :attr:`render_count`)."""
        self.render_count += 1
        resolved = resolve(digest, items)
        layout = layout_of(digest, theme, template)
        context = build_context(resolved, theme, links, layout)
        html = self.render_html(resolved, theme, links, context, template=layout)
        text = self.render_text(resolved, theme, links, context, template=layout)
        findings: list[Finding] = []
        if check:
            findings = check_digest(resolved)
            digest_codes = {f.code for f in findings}
            labels: Sequence[str] = ("unsubscribe", theme.label("unsubscribe"))
            findings.extend(
                f for f in check_html(html, unsubscribe_labels=labels) if f.code not in digest_codes
            )
        return Rendered(html, text, tuple(sort_findings(findings)), resolved)
