"""The small markup of a digest's intro: paragraphs, bold, italic and links, nothing else.

The editor writes (or the GUI's rich-text box produces, as Markdown) text such as::

    A **busy** month for our *regional* offices. Read the [annual report](https://ex.org/r).

    A second paragraph.

Paragraphs are separated by a blank line; a single line break is a space.
``**bold**`` / ``__bold__``, ``*italic*`` / ``_italic_``, ``[text](url)`` and
backslash escapes (``\\*``) are understood; everything else is plain text. The
output is built from escaped text only, so no markup the editor types can reach
the email as HTML, and a link whose url is not http, https or mailto is shown as
its text, without a link (:func:`intro_problems` says so).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from composer.urls import LINK_SCHEMES

_TOKEN = re.compile(
    r"\\(?P<escaped>[\\`*_\[\]()#+\-.!{}<>|])"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>[^()\s]+)\)"
    r"|(?P<delim>\*\*|__|\*|_)"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text with one style."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None  # only http, https and mailto


def safe_link(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) url with a host or a mailto: link, else ``None``."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ch in "<>\"'`" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES:
        return None
    if scheme == "mailto":
        return url if "@" in parts.path else None
    return url if parts.hostname else None


def _split_paragraphs(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return [p for p in paragraphs if p]


def _pairs(tokens: list[tuple[str, str, str | None]]) -> set[int]:
    """Indexes of delimiter tokens that open or close a pair (the others are literal)."""
    paired: set[int] = set()
    for kind in ("**", "__", "*", "_"):
        candidates = [i for i, (k, value, _) in enumerate(tokens) if k == "delim" and value == kind]
        if kind in ("_", "__"):
            candidates = [i for i in candidates if not _intraword(tokens, i)]
        for a, b in zip(candidates[0::2], candidates[1::2], strict=False):
            paired.update((a, b))
    return paired


def _intraword(tokens: list[tuple[str, str, str | None]], index: int) -> bool:
    before = tokens[index - 1][1] if index > 0 and tokens[index - 1][0] == "text" else ""
    after = (
        tokens[index + 1][1] if index + 1 < len(tokens) and tokens[index + 1][0] == "text" else ""
    )
    return bool(before[-1:].isalnum() and after[:1].isalnum())


def parse_paragraph(paragraph: str) -> list[Run]:
    """The styled runs of one paragraph."""
    tokens: list[tuple[str, str, str | None]] = []
    pos = 0
    for m in _TOKEN.finditer(paragraph):
        if m.start() > pos:
            tokens.append(("text", paragraph[pos : m.start()], None))
        if m["escaped"] is not None:
            tokens.append(("text", m["escaped"], None))
        elif m["label"] is not None:
            tokens.append(("link", m["label"], m["url"]))
        else:
            tokens.append(("delim", m["delim"], None))
        pos = m.end()
    if pos < len(paragraph):
        tokens.append(("text", paragraph[pos:], None))
    paired = _pairs(tokens)
    runs: list[Run] = []
    bold = italic = False
    for index, (kind, value, url) in enumerate(tokens):
        if kind == "delim" and index in paired:
            if value in ("**", "__"):
                bold = not bold
            else:
                italic = not italic
            continue
        href = safe_link(url) if kind == "link" else None
        run = Run(value, bold, italic, href)
        if (
            runs
            and runs[-1].bold == bold
            and runs[-1].italic == italic
            and not (runs[-1].href or href or kind == "link")
        ):
            runs[-1] = Run(runs[-1].text + value, bold, italic)
        else:
            runs.append(run)
    return runs


def parse(text: str) -> list[list[Run]]:
    """Paragraphs of runs."""
    return [parse_paragraph(p) for p in _split_paragraphs(text)]


def runs_to_html(runs: list[Run]) -> Markup:
    """Inner HTML of one paragraph: escaped text in ``strong``, ``em`` and ``a`` only."""
    parts: list[Markup] = []
    for run in runs:
        html = escape(run.text)
        if run.italic:
            html = Markup("<em>{}</em>").format(html)
        if run.bold:
            html = Markup("<strong>{}</strong>").format(html)
        if run.href:
            html = Markup('<a href="{}">{}</a>').format(run.href, html)
        parts.append(html)
    return Markup("").join(parts)


def runs_to_text(runs: list[Run]) -> str:
    """Plain text of one paragraph; a link's url follows its text in parentheses."""
    parts: list[str] = []
    for run in runs:
        if run.href and run.text.strip() != run.href.removeprefix("mailto:"):
            parts.append(f"{run.text} ({run.href.removeprefix('mailto:')})")
        else:
            parts.append(run.text)
    return "".join(parts)


def to_html_paragraphs(text: str) -> list[Markup]:
    return [runs_to_html(runs) for runs in parse(text)]


def to_text_paragraphs(text: str) -> list[str]:
    return [runs_to_text(runs) for runs in parse(text)]


def intro_problems(text: str) -> list[str]:
    """Links in the intro that will be shown as plain text, and why."""
    problems: list[str] = []
    for paragraph in _split_paragraphs(text):
        for m in _TOKEN.finditer(paragraph):
            if m["label"] is not None and safe_link(m["url"]) is None:
                problems.append(
                    f"the link '{m['label'][:40]}' goes to '{m['url'][:60]}', which is not an "
                    "http, https or mailto address; it is shown as plain text"
                )
    return problems
