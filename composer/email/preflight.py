"""Preflight checks: what would go wrong if this email were sent now.

Two kinds of checks, both returning :class:`Finding` s (severity ``error``,
``warning`` or ``info``, a message a communications officer understands, and the
item or element it concerns):

* :func:`check_digest` looks at the digest itself: a missing preheader, an
  empty section, an item that is no longer in the library or appears twice, a
  title or summary that is too long, an image without a description.
* :func:`check_readiness` says, as an error, that an email is not ready to send
  while the theme lacks the organisation, sender, postal address or unsubscribe
  address (:mod:`composer.email.readiness`), and how to set them.
* :func:`check_html` looks at any HTML email, ours or not (``newsdigest check
  FILE.html``): its size against Gmail's clipping (about 102 KB: everything
  below, unsubscribe link included, is hidden), a ``<style>`` block over 16 KB
  (Gmail drops it), images without ``alt``, empty or vague links, links that
  are not http, https or mailto, scripts and event handlers, a missing
  unsubscribe link or preheader, layout tables without ``role="presentation"``,
  ``!important`` in ``style=""`` (Outlook ignores such declarations), and the
  CSS properties and HTML features that Outlook for Windows or Gmail do not
  support, from the caniemail data shipped in ``composer/data``
  (see ``composer/data/CANIEMAIL-LICENSE.txt``).

CSS inside ``@media`` rules is not checked against caniemail: such rules are
progressive enhancement (dark mode, the mobile layout) and a client that
ignores them shows the desktop layout. Declarations on elements hidden from
Outlook with ``mso-hide:all`` (the hidden preheader) are not reported for
Outlook.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

from lxml import etree
from lxml import html as lxml_html

from composer.digest.model import ResolvedDigest
from composer.email.markup import intro_problems
from composer.theme.model import Theme

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

KB = 1024
SIZE_WARNING = 90 * KB
SIZE_ERROR = 100 * KB
STYLE_LIMIT = 16 * KB
MAX_TITLE = 150
MAX_SUMMARY = 1_200
MAX_PREHEADER = 150

#: Clients whose lack of support is reported (key in the caniemail table).
CHECKED_CLIENTS = ("outlook-windows", "gmail-webmail", "gmail-ios", "gmail-android")
#: caniemail features never reported: progressive enhancement by design.
ENHANCEMENTS = frozenset(
    {
        "css-at-media",
        "css-at-media-prefers-color-scheme",
        "css-at-media-prefers-reduced-motion",
        "css-at-media-orientation",
        "css-at-media-hover",
        "css-at-media-device-pixel-ratio",
        "css-color-scheme",
    }
)

VAGUE_LINK_TEXTS = frozenset(
    {"click here", "here", "read more", "more", "link", "this link", "click", "learn more"}
)
_PLACEHOLDER = re.compile(r"^\s*(\*\|[A-Za-z0-9_:]+\|\*|\{\{[^{}]+\}\}|\[[A-Za-z_]+\])\s*$")
_UNSUBSCRIBE_HINT = re.compile(r"unsub|opt[-_ ]?out|abmelden|désinscri|desinscri", re.IGNORECASE)
_FILLER = re.compile(r"[\s\u034f\u200c\u00a0\u200b\u2007\u00ad]+")
_DANGEROUS_SCHEMES = ("javascript", "vbscript", "data")


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or one fact, for ``info``) found before sending."""

    severity: Severity
    code: str
    message: str
    where: str = ""
    item_id: str | None = None
    section: int | None = None
    #: What the finding is about, for a window to take the user there (never parsed from
    #: :attr:`where`, which is for people): a field of the digest (``"preheader"``,
    #: ``"intro"``, ``"period"``), or a field qualified by what holds it: an item's
    #: (``"item.title"``, ``"item.summary"``, ``"item.url"``, ``"item.image_alt"``, with
    #: :attr:`item_id`), a theme setting's (``"theme.unsubscribe_url"``) or a sending
    #: setting's (``"smtp.security"``). Empty when the finding is about a whole item or
    #: section (see :attr:`item_id`, :attr:`section`), the digest, or the HTML.
    field: str = ""

    @property
    def digest_field(self) -> str:
        """The digest field (``"preheader"``...) this finding is about, or ``""``."""
        return "" if "." in self.field else self.field

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.severity}: {self.message}{where}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def errors_in(findings: Iterable[Finding]) -> list[Finding]:
    """The errors among ``findings`` (what blocks a send or asks for a confirmation)."""
    return [f for f in findings if f.severity == "error"]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then information; otherwise in the order found."""
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


# -- the digest ----------------------------------------------------------------------------------
def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def check_digest(resolved: ResolvedDigest) -> list[Finding]:
    """Problems of the digest itself (its text and its items), before any HTML."""
    digest = resolved.digest
    findings: list[Finding] = []
    if not digest.preheader.strip():
        findings.append(
            Finding(
                "warning",
                "preheader-missing",
                "The digest has no preheader: inboxes will show the first words of the email "
                "(often the 'view in browser' line) as its preview.",
                "preheader",
                field="preheader",
            )
        )
    elif len(digest.preheader) > MAX_PREHEADER:
        findings.append(
            Finding(
                "info",
                "preheader-long",
                f"The preheader is {len(digest.preheader)} characters; inboxes show about "
                "the first 90 to 130.",
                "preheader",
                field="preheader",
            )
        )
    for problem in intro_problems(digest.intro):
        findings.append(
            Finding("warning", "intro-link", f"In the intro, {problem}.", "intro", field="intro")
        )
    seen: dict[str, str] = {}
    total = 0
    for section in resolved.sections:
        for missing in section.missing:
            findings.append(
                Finding(
                    "warning",
                    "item-missing",
                    f"An item of the section {_quote(section.category)} is no longer in the "
                    f"library (id {missing.item_id}); it is left out of the email.",
                    f"section {_quote(section.category)}",
                    item_id=missing.item_id,
                    section=section.index,
                )
            )
        if not section.items:
            findings.append(
                Finding(
                    "warning",
                    "section-empty",
                    f"The section {_quote(section.category)} has no items; its heading is left "
                    "out of the email.",
                    f"section {_quote(section.category)}",
                    section=section.index,
                )
            )
        for entry in section.items:
            where = f"item {_quote(entry.title)}"
            item_id = entry.item.id
            if item_id in seen:
                findings.append(
                    Finding(
                        "warning",
                        "item-twice",
                        f"The item {_quote(entry.title)} is in the digest twice (in "
                        f"{_quote(seen[item_id])} and {_quote(section.category)}); only the "
                        "first is shown.",
                        where,
                        item_id=item_id,
                        section=section.index,
                    )
                )
                continue
            seen[item_id] = section.category
            total += 1
            if len(entry.title) > MAX_TITLE:
                findings.append(
                    Finding(
                        "warning",
                        "title-long",
                        f"The title is {len(entry.title)} characters long; titles over "
                        f"{MAX_TITLE} are hard to scan in an email. Shorten it for this digest.",
                        where,
                        field="item.title",
                        item_id=item_id,
                        section=section.index,
                    )
                )
            if len(entry.summary) > MAX_SUMMARY:
                findings.append(
                    Finding(
                        "warning",
                        "summary-long",
                        f"The summary is {len(entry.summary)} characters long; over "
                        f"{MAX_SUMMARY} it reads like the whole article. Shorten it for this "
                        "digest.",
                        where,
                        field="item.summary",
                        item_id=item_id,
                        section=section.index,
                    )
                )
            if not entry.item.url:
                findings.append(
                    Finding(
                        "warning",
                        "item-no-link",
                        "The item has no link: readers cannot read more on your website. "
                        "Add its address, or fetch its details from its link.",
                        where,
                        field="item.url",
                        item_id=item_id,
                        section=section.index,
                    )
                )
            if entry.item.image_url and not entry.item.image_alt.strip():
                findings.append(
                    Finding(
                        "warning",
                        "image-alt",
                        "The item's image has no description (alt text); the title is used. "
                        "Describe the image for readers who cannot see it.",
                        where,
                        field="item.image_alt",
                        item_id=item_id,
                        section=section.index,
                    )
                )
    if total == 0:
        findings.append(
            Finding("error", "digest-empty", "The digest has no items to send.", "digest")
        )
    return findings


def check_readiness(theme: Theme, *, profile_links: bool = True) -> list[Finding]:
    """An error when the theme is not set up to send (no sender, postal address...).

    ``profile_links`` is false for a mailing tool's profile, which brings its own
    sender, unsubscribe link and postal address (see :mod:`composer.email.readiness`).
    """
    from composer.email.readiness import missing_for_sending, not_ready_message

    missing = missing_for_sending(theme, profile_links=profile_links)
    if not missing:
        return []
    return [
        Finding(
            "error",
            "not-ready",
            not_ready_message(missing),
            "theme settings",
            field=f"theme.{missing[0]}",
        )
    ]


# -- caniemail -------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Feature:
    slug: str
    title: str
    failing: tuple[str, ...]  # client keys with "n"
    notes: dict[str, str]


@dataclasses.dataclass(frozen=True)
class _Index:
    clients: dict[str, str]
    url: str
    properties: dict[str, list[tuple[_Feature, frozenset[str]]]]  # prop -> (feature, values)
    property_prefixes: list[tuple[str, _Feature]]
    values: list[tuple[str, _Feature]]  # value keyword anywhere (no property given)
    functions: dict[str, _Feature]
    at_rules: dict[str, _Feature]
    elements: dict[str, list[tuple[_Feature, str | None]]]  # tag -> (feature, input type)
    attributes: dict[str, _Feature]
    href_prefixes: list[tuple[str, _Feature]]
    src_prefixes: list[tuple[str, _Feature]]
    extensions: dict[str, _Feature]
    snapshot: str


@functools.cache
def caniemail_index() -> _Index:
    """The shipped caniemail table, indexed for lookups (loaded once, with ``json`` only)."""
    resource = importlib.resources.files("composer").joinpath("data", "caniemail_table.json")
    table = json.loads(resource.read_text(encoding="utf-8"))
    index = _Index(
        clients=dict(table["clients"]),
        url=str(table.get("url") or ""),
        properties={},
        property_prefixes=[],
        values=[],
        functions={},
        at_rules={},
        elements={},
        attributes={},
        href_prefixes=[],
        src_prefixes=[],
        extensions={},
        snapshot=str(table.get("snapshot") or ""),
    )
    for raw in table["features"]:
        failing = tuple(c for c in CHECKED_CLIENTS if raw["support"].get(c) == "n")
        if not failing or raw["slug"] in ENHANCEMENTS:
            continue
        feature = _Feature(raw["slug"], raw["title"], failing, dict(raw.get("notes") or {}))
        match = raw["match"]
        values = frozenset(match.get("values") or ())
        for prop in match.get("properties") or ():
            index.properties.setdefault(prop, []).append((feature, values))
        if values and not match.get("properties"):
            index.values.extend((v, feature) for v in values)
        for prefix in match.get("property_prefixes") or ():
            index.property_prefixes.append((prefix, feature))
        for name in match.get("functions") or ():
            index.functions[name] = feature
        if "at_rule" in match and not match.get("media_features"):
            index.at_rules[match["at_rule"]] = feature
        for tag in match.get("elements") or ():
            index.elements.setdefault(tag, []).append((feature, match.get("type")))
        for name in match.get("attributes") or ():
            index.attributes[name] = feature
        for prefix in match.get("href_prefixes") or ():
            index.href_prefixes.append((prefix, feature))
        for prefix in match.get("src_prefixes") or ():
            index.src_prefixes.append((prefix, feature))
        for ext in match.get("extensions") or ():
            index.extensions[ext] = feature
    return index


_FUNCTION = re.compile(r"([a-z-]+)\(")
_WORD = re.compile(r"[a-z][a-z-]*")


def _declarations(css: str) -> Iterator[tuple[str, str]]:
    for part in css.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            yield name.strip().lower(), value.strip().lower()


def _css_features(declarations: Iterable[tuple[str, str]], index: _Index) -> Iterator[_Feature]:
    for name, value in declarations:
        for feature, values in index.properties.get(name, ()):
            if not values or any(v in _WORD.findall(value) for v in values):
                yield feature
        for prefix, feature in index.property_prefixes:
            if name.startswith(prefix):
                yield feature
        if "(" in value:
            for function in _FUNCTION.findall(value):
                if function in index.functions:
                    yield index.functions[function]
        if index.values:
            words = set(_WORD.findall(value))
            for keyword, feature in index.values:
                if keyword in words:
                    yield feature


_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _style_block(css: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Declarations outside ``@media`` and the at-rules of a ``<style>`` block."""
    css = _COMMENT.sub("", css)
    declarations: list[tuple[str, str]] = []
    at_rules: list[str] = []
    stack: list[str] = []
    start = 0
    for position, char in enumerate(css):
        if char == "{":
            prelude = css[start:position].strip()
            if prelude.startswith("@"):
                at_rules.append(prelude[1:].split(None, 1)[0].split("(")[0].lower())
            stack.append(prelude)
            start = position + 1
        elif char == "}":
            body = css[start:position]
            if stack and not any(p.startswith("@media") for p in stack):
                declarations.extend(_declarations(body))
            if stack:
                stack.pop()
            start = position + 1
        elif char == ";" and not stack:
            statement = css[start:position].strip()
            if statement.startswith("@"):
                at_rules.append(statement[1:].split(None, 1)[0].split("(")[0].lower())
            start = position + 1
    return declarations, at_rules


# -- the HTML --------------------------------------------------------------------------------------
def _describe(element: Any) -> str:
    tag = element.tag if isinstance(element.tag, str) else "node"
    attrs = []
    for name in ("class", "href", "src"):
        value = element.get(name)
        if value:
            attrs.append(f'{name}="{value[:50]}"')
    return f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>"


def _text_of(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _scheme(href: str) -> str:
    m = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):", href)
    return m[1].lower() if m else ""


def _parse(html: str | bytes) -> Any:
    data = html.encode("utf-8") if isinstance(html, str) else html
    parser = lxml_html.HTMLParser(encoding="utf-8")
    return lxml_html.document_fromstring(data, parser=parser)


def size_findings(size: int) -> list[Finding]:
    """The size figure (always) and Gmail's clipping thresholds."""
    kb = size / KB
    figure = f"The email is {kb:.1f} KB ({size:,} bytes of HTML)."
    if size >= SIZE_ERROR:
        return [
            Finding(
                "error",
                "size",
                f"{figure} Gmail clips messages over about 102 KB and hides everything "
                "below the cut, the unsubscribe link included. Remove items or shorten "
                "summaries to get under 100 KB.",
                "whole email",
            )
        ]
    if size >= SIZE_WARNING:
        return [
            Finding(
                "warning",
                "size",
                f"{figure} That is close to the 102 KB at which Gmail clips messages; stay "
                "under 90 KB to be safe.",
                "whole email",
            )
        ]
    return [
        Finding("info", "size", f"{figure} Gmail clips messages over about 102 KB.", "whole email")
    ]


def check_html(
    html: str | bytes,
    *,
    unsubscribe_labels: Sequence[str] = ("unsubscribe",),
) -> list[Finding]:
    """Every HTML check, on any HTML email. ``html`` as text, or as the bytes of a file."""
    data = html.encode("utf-8") if isinstance(html, str) else html
    findings = size_findings(len(data))
    try:
        root = _parse(data)
    except (etree.ParserError, ValueError):
        findings.append(Finding("error", "html", "The file is not HTML that can be read."))
        return findings
    index = caniemail_index()
    labels = [label.casefold() for label in unsubscribe_labels if label]
    hidden_from_outlook = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if "mso-hide:all" in (element.get("style") or "").replace(" ", "").lower():
            hidden_from_outlook.update(element.iter())

    feature_uses: dict[str, tuple[_Feature, list[str], set[str]]] = {}

    def use(feature: _Feature, where: str, hidden: bool = False) -> None:
        clients = [c for c in feature.failing if not (hidden and c == "outlook-windows")]
        if not clients:
            return
        entry = feature_uses.setdefault(feature.slug, (feature, [], set()))
        entry[1].append(where)
        entry[2].update(clients)

    html_el = root if root.tag == "html" else root.getroottree().getroot()
    if not (html_el.get("lang") or "").strip():
        findings.append(
            Finding(
                "warning",
                "lang",
                "The email does not say its language (lang on <html>): screen readers may "
                "read it with the wrong voice.",
                "<html>",
            )
        )
    unsubscribe_found = False
    h1_count = 0
    last_level = 0
    important_in_style = 0
    first_important = ""
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        tag = tag.lower()
        hidden = element in hidden_from_outlook
        if tag == "script":
            findings.append(
                Finding(
                    "error",
                    "script",
                    "The email contains a script; mail clients remove it "
                    "and spam filters penalise it.",
                    _describe(element),
                )
            )
        for name in element.attrib:
            lower = str(name).lower()
            if lower.startswith("on"):
                findings.append(
                    Finding(
                        "error",
                        "event-handler",
                        f"The element has an event handler ({lower}=), which email must not "
                        "contain.",
                        _describe(element),
                    )
                )
            elif lower in index.attributes:
                use(index.attributes[lower], _describe(element), hidden)
        for feature, input_type in index.elements.get(tag, ()):
            if input_type is None or (element.get("type") or "").lower() == input_type:
                use(feature, _describe(element), hidden)
        style = element.get("style")
        if style:
            if "!important" in style.lower():
                important_in_style += 1
                first_important = first_important or _describe(element)
            for feature in _css_features(_declarations(style), index):
                use(feature, f'style="" on {_describe(element)}', hidden)
        if tag == "style":
            css = element.text or ""
            if len(css.encode("utf-8")) > STYLE_LIMIT:
                findings.append(
                    Finding(
                        "error",
                        "style-size",
                        f"A <style> block is {len(css.encode('utf-8')) / KB:.1f} KB; Gmail "
                        "ignores <style> blocks over 16 KB, so dark mode and the mobile layout "
                        "would be lost.",
                        "<style>",
                    )
                )
            declarations, at_rules = _style_block(css)
            for feature in _css_features(declarations, index):
                use(feature, "<style>")
            for rule in at_rules:
                if rule in index.at_rules:
                    use(index.at_rules[rule], f"@{rule} in <style>")
        elif tag == "img":
            if element.get("alt") is None:
                findings.append(
                    Finding(
                        "warning",
                        "img-alt",
                        "An image has no alt text: readers who block images or use a screen "
                        "reader get nothing in its place.",
                        _describe(element),
                    )
                )
            src = (element.get("src") or "").strip()
            lowered = src.lower()
            for prefix, feature in index.src_prefixes:
                if lowered.startswith(prefix):
                    use(feature, _describe(element), hidden)
            ext = lowered.split("?", 1)[0].split("#", 1)[0].rsplit(".", 1)
            if len(ext) == 2 and ext[1] in index.extensions:
                use(index.extensions[ext[1]], _describe(element), hidden)
        elif tag == "a":
            findings.extend(_link_findings(element, index, use, hidden))
            href = element.get("href") or ""
            text = _text_of(element).casefold()
            if _UNSUBSCRIBE_HINT.search(href) or any(label in text for label in labels):
                unsubscribe_found = True
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = int(tag[1])
            h1_count += level == 1
            if last_level and level > last_level + 1:
                findings.append(
                    Finding(
                        "info",
                        "heading-order",
                        f"A level-{level} heading follows a level-{last_level} heading; screen "
                        "reader users navigate by headings in order.",
                        f"{_describe(element)} {_quote(_text_of(element), 40)}",
                    )
                )
            last_level = level
        elif (
            tag == "table"
            and (element.get("role") or "").lower() != "presentation"
            and element.find(".//th") is None
        ):
            findings.append(
                Finding(
                    "warning",
                    "table-role",
                    'A layout table lacks role="presentation": screen readers announce '
                    "its rows and columns.",
                    _describe(element),
                )
            )
    if h1_count != 1:
        findings.append(
            Finding(
                "info",
                "h1",
                f"The email has {h1_count} main headings (h1); one is expected.",
                "<h1>",
            )
        )
    if important_in_style:
        findings.append(
            Finding(
                "warning",
                "important-inline",
                f"{important_in_style} style attribute(s) use !important, which Outlook for "
                "Windows ignores along with the whole declaration.",
                first_important,
            )
        )
    if not unsubscribe_found:
        findings.append(
            Finding(
                "error",
                "unsubscribe",
                "There is no unsubscribe link. Mailing laws and the big inbox providers "
                "require one: set the unsubscribe address in the theme settings or export "
                "with your mailing tool's profile.",
                "footer",
                field="theme.unsubscribe_url",
            )
        )
    if not _has_preheader(root):
        findings.append(
            Finding(
                "warning",
                "preheader-missing",
                "No preheader was found (a short hidden text at the start of the body): inboxes "
                "will show the first words of the email as its preview.",
                "<body>",
            )
        )
    for feature, places, clients in feature_uses.values():
        names = " and ".join(index.clients.get(c, c) for c in CHECKED_CLIENTS if c in clients)
        note = next((feature.notes[c] for c in CHECKED_CLIENTS if c in feature.notes), "")
        more = f" (used {len(places)} times)" if len(places) > 1 else ""
        findings.append(
            Finding(
                "warning",
                f"support:{feature.slug}",
                f"{feature.title} is not supported by {names}{more}."
                + (f" Note: {note}" if note else "")
                + f" See {index.url.format(slug=feature.slug)}",
                places[0],
            )
        )
    return findings


def _names_its_target(element: Any, text: str) -> bool:
    """Whether a link's accessible name (``aria-label``) says more than its vague text does:
    "Read more" whose label carries the story's title is clear to a screen reader."""
    label = " ".join((element.get("aria-label") or "").split())
    return bool(label) and label.casefold() not in VAGUE_LINK_TEXTS and label != text


def _link_findings(element: Any, index: _Index, use: Any, hidden: bool) -> list[Finding]:
    findings: list[Finding] = []
    href = (element.get("href") or "").strip()
    text = _text_of(element)
    image_alt = " ".join((img.get("alt") or "") for img in element.iter("img")).strip()
    where = _describe(element)
    if not text and not image_alt:
        findings.append(
            Finding(
                "warning",
                "link-empty",
                "A link has no text (nor an image with alt text): readers cannot tell where "
                "it goes.",
                where,
            )
        )
    elif text.casefold().strip(" .:!»›>") in VAGUE_LINK_TEXTS and not _names_its_target(
        element, text
    ):
        findings.append(
            Finding(
                "warning",
                "link-vague",
                f"A link only says {_quote(text)}: say what it opens (for example the title "
                "of the story).",
                where,
            )
        )
    if not href:
        if element.get("name") is None and element.get("id") is None:
            findings.append(Finding("warning", "link-no-address", "A link has no address.", where))
        return findings
    if _PLACEHOLDER.match(href):
        return findings  # a mailing tool's merge tag, replaced when the campaign is sent
    for prefix, feature in index.href_prefixes:
        if href.lower().startswith(prefix):
            use(feature, where, hidden)
    if href.startswith("#"):
        return findings
    scheme = _scheme(href)
    if scheme in _DANGEROUS_SCHEMES:
        findings.append(
            Finding(
                "error",
                "link-scheme",
                f"A link uses {scheme}:, which runs code or embeds data; mail clients block "
                "it and spam filters penalise it.",
                where,
            )
        )
    elif scheme not in ("http", "https", "mailto"):
        shown = f"{scheme}:" if scheme else "no scheme (a relative address)"
        findings.append(
            Finding(
                "warning",
                "link-scheme",
                f"A link uses {shown}; in an email only http, https and mailto links work "
                "everywhere.",
                where,
            )
        )
    return findings


def _has_preheader(root: Any) -> bool:
    body = root.find(".//body")
    if body is None:
        return False
    for element in body.iter():
        if not isinstance(element.tag, str) or element is body:
            continue
        style = (element.get("style") or "").replace(" ", "").lower()
        if "display:none" in style:
            return bool(_FILLER.sub("", _text_of(element)))
        if _FILLER.sub("", element.text or ""):
            return False
    return False
