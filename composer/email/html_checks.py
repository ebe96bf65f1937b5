"""The checks of an HTML email, ours or any other (``newsdigest check FILE.html``).

Its size against Gmail's clipping (about 102 KB: everything below, unsubscribe link
included, is hidden), a ``<style>`` block over 16 KB (Gmail drops it), images without
``alt``, images loaded over plain http (a warning: many clients block them; the logo,
``<img class="logo">``, is named as the theme's logo), empty or vague links, links that
are not http, https or mailto, scripts and event handlers, a missing unsubscribe link
or preheader, layout tables without ``role="presentation"``, headings out of order,
``!important`` in ``style=""`` (Outlook ignores such declarations), and what Outlook
for Windows or Gmail do not support (:mod:`composer.email.client_support`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from composer.email.client_support import (
    SupportUses,
    caniemail_index,
    css_features,
    declarations,
    style_block,
)
from composer.email.finding import Finding, quote
from composer.theme.checks import PLAIN_HTTP_IMAGE, https_form, is_plain_http

KB = 1024
SIZE_WARNING = 90 * KB
SIZE_ERROR = 100 * KB
STYLE_LIMIT = 16 * KB

VAGUE_LINK_TEXTS = frozenset(
    {"click here", "here", "read more", "more", "link", "this link", "click", "learn more"}
)
_PLACEHOLDER = re.compile(r"^\s*(\*\|[A-Za-z0-9_:]+\|\*|\{\{[^{}]+\}\}|\[[A-Za-z_]+\])\s*$")
_UNSUBSCRIBE_HINT = re.compile(r"unsub|opt[-_ ]?out|abmelden|désinscri|desinscri", re.IGNORECASE)
_FILLER = re.compile(r"[\s\u034f\u200c\u00a0\u200b\u2007\u00ad]+")
_DANGEROUS_SCHEMES = ("javascript", "vbscript", "data")


def describe(element: Any) -> str:
    """An element as a finding names it: its tag, class, href and src."""
    tag = element.tag if isinstance(element.tag, str) else "node"
    attrs = []
    for name in ("class", "href", "src"):
        value = element.get(name)
        if value:
            attrs.append(f'{name}="{value[:50]}"')
    return f"<{tag}{' ' if attrs else ''}{' '.join(attrs)}>"


def text_of(element: Any) -> str:
    """The text an element shows, on one line."""
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
    walk = _Walk(root, [label.casefold() for label in unsubscribe_labels if label])
    for element in root.iter():
        if isinstance(element.tag, str):
            walk.element(element)
    return [*findings, *walk.findings, *walk.whole_email(root), *walk.support.findings()]


class _Walk:
    """The checks of each element, in document order, and what they add up to."""

    def __init__(self, root: Any, unsubscribe_labels: list[str]) -> None:
        self.support = SupportUses(caniemail_index())
        self.labels = unsubscribe_labels
        self.findings: list[Finding] = []
        self.hidden_from_outlook: set[Any] = set()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            if "mso-hide:all" in (element.get("style") or "").replace(" ", "").lower():
                self.hidden_from_outlook.update(element.iter())
        self.unsubscribe_found = False
        self.h1_count = 0
        self.last_level = 0
        self.important_in_style = 0
        self.first_important = ""

    def element(self, element: Any) -> None:
        tag = element.tag.lower()
        hidden = element in self.hidden_from_outlook
        if tag == "script":
            self.findings.append(
                Finding(
                    "error",
                    "script",
                    "The email contains a script; mail clients remove it "
                    "and spam filters penalise it.",
                    describe(element),
                )
            )
        self._attributes(element, hidden)
        for feature, input_type in self.support.index.elements.get(tag, ()):
            if input_type is None or (element.get("type") or "").lower() == input_type:
                self.support.use(feature, describe(element), hidden)
        style = element.get("style")
        if style:
            if "!important" in style.lower():
                self.important_in_style += 1
                self.first_important = self.first_important or describe(element)
            for feature in css_features(declarations(style), self.support.index):
                self.support.use(feature, f'style="" on {describe(element)}', hidden)
        if tag == "style":
            self._style(element)
        elif tag == "img":
            self._image(element, hidden)
        elif tag == "a":
            self.findings.extend(_link_findings(element, self.support, hidden))
            href = element.get("href") or ""
            text = text_of(element).casefold()
            if _UNSUBSCRIBE_HINT.search(href) or any(label in text for label in self.labels):
                self.unsubscribe_found = True
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading(element, int(tag[1]))
        elif (
            tag == "table"
            and (element.get("role") or "").lower() != "presentation"
            and element.find(".//th") is None
        ):
            self.findings.append(
                Finding(
                    "warning",
                    "table-role",
                    'A layout table lacks role="presentation": screen readers announce '
                    "its rows and columns.",
                    describe(element),
                )
            )

    def _attributes(self, element: Any, hidden: bool) -> None:
        """Event handlers (an error), and attributes a client does not support."""
        attributes = self.support.index.attributes
        for name in element.attrib:
            lower = str(name).lower()
            if lower.startswith("on"):
                self.findings.append(
                    Finding(
                        "error",
                        "event-handler",
                        f"The element has an event handler ({lower}=), which email must not "
                        "contain.",
                        describe(element),
                    )
                )
            elif lower in attributes:
                self.support.use(attributes[lower], describe(element), hidden)

    def _style(self, element: Any) -> None:
        """A ``<style>`` block: its size, and its CSS outside ``@media``."""
        css = element.text or ""
        if len(css.encode("utf-8")) > STYLE_LIMIT:
            self.findings.append(
                Finding(
                    "error",
                    "style-size",
                    f"A <style> block is {len(css.encode('utf-8')) / KB:.1f} KB; Gmail "
                    "ignores <style> blocks over 16 KB, so dark mode and the mobile layout "
                    "would be lost.",
                    "<style>",
                )
            )
        index = self.support.index
        found, at_rules = style_block(css)
        for feature in css_features(found, index):
            self.support.use(feature, "<style>")
        for rule in at_rules:
            if rule in index.at_rules:
                self.support.use(index.at_rules[rule], f"@{rule} in <style>")

    def _image(self, element: Any, hidden: bool) -> None:
        """An image without alt text, or of a kind (an address, a format) not supported."""
        if element.get("alt") is None:
            self.findings.append(
                Finding(
                    "warning",
                    "img-alt",
                    "An image has no alt text: readers who block images or use a screen "
                    "reader get nothing in its place.",
                    describe(element),
                )
            )
        if finding := _plain_http_image(element):
            self.findings.append(finding)
        index = self.support.index
        lowered = (element.get("src") or "").strip().lower()
        for prefix, feature in index.src_prefixes:
            if lowered.startswith(prefix):
                self.support.use(feature, describe(element), hidden)
        ext = lowered.split("?", 1)[0].split("#", 1)[0].rsplit(".", 1)
        if len(ext) == 2 and ext[1] in index.extensions:
            self.support.use(index.extensions[ext[1]], describe(element), hidden)

    def _heading(self, element: Any, level: int) -> None:
        """Headings counted (one h1), and a level skipped after the one before."""
        self.h1_count += level == 1
        if self.last_level and level > self.last_level + 1:
            self.findings.append(
                Finding(
                    "info",
                    "heading-order",
                    f"A level-{level} heading follows a level-{self.last_level} heading; "
                    "screen reader users navigate by headings in order.",
                    f"{describe(element)} {quote(text_of(element), 40)}",
                )
            )
        self.last_level = level

    def whole_email(self, root: Any) -> list[Finding]:
        """What the walk found of the email as a whole: its main headings, ``!important``
        in style attributes, the unsubscribe link, the preheader."""
        findings = []
        if self.h1_count != 1:
            findings.append(
                Finding(
                    "info",
                    "h1",
                    f"The email has {self.h1_count} main headings (h1); one is expected.",
                    "<h1>",
                )
            )
        if self.important_in_style:
            findings.append(
                Finding(
                    "warning",
                    "important-inline",
                    f"{self.important_in_style} style attribute(s) use !important, which "
                    "Outlook for Windows ignores along with the whole declaration.",
                    self.first_important,
                )
            )
        if not self.unsubscribe_found:
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
                    "No preheader was found (a short hidden text at the start of the body): "
                    "inboxes will show the first words of the email as its preview.",
                    "<body>",
                )
            )
        return findings


#: The code of a finding about an image over plain http: the same for the items' images
#: in the digest's own checks (:mod:`composer.email.preflight`), which name the item.
PLAIN_HTTP_CODE = "img-http"
#: The code of that finding about the logo, which names the theme's field.
PLAIN_HTTP_LOGO_CODE = "logo-http"


def _plain_http_image(element: Any) -> Finding | None:
    """A warning for an ``<img>`` loaded over plain http; the logo's names the theme field.

    The logo is the image of class ``logo`` (the templates' logo macro); the dark-mode
    logo is the one inside the ``logod`` block that swaps it in.
    """
    src = (element.get("src") or "").strip()
    if not is_plain_http(src):
        return None
    advice = f"Give its https address ({https_form(src)[:80]}) if the site has one."
    if "logo" not in (element.get("class") or "").split():
        return Finding(
            "warning",
            PLAIN_HTTP_CODE,
            f"An image is loaded over plain http, not https: {PLAIN_HTTP_IMAGE}. {advice}",
            describe(element),
        )
    dark = any("logod" in (parent.get("class") or "").split() for parent in element.iterancestors())
    name, flag = ("dark-mode logo", "--dark-logo-url") if dark else ("logo", "--logo-url")
    return Finding(
        "warning",
        PLAIN_HTTP_LOGO_CODE,
        f"The {name} is loaded over plain http, not https: {PLAIN_HTTP_IMAGE}. Give its https "
        f"address ({https_form(src)[:80]}) in the theme settings (`newsdigest settings theme "
        f"{flag} https://…`) if the site has one.",
        describe(element),
        field="theme.dark_logo_url" if dark else "theme.logo_url",
    )


def _names_its_target(element: Any, text: str) -> bool:
    """Whether a link's accessible name (``aria-label``) says more than its vague text does:
    "Read more" whose label carries the story's title is clear to a screen reader."""
    label = " ".join((element.get("aria-label") or "").split())
    return bool(label) and label.casefold() not in VAGUE_LINK_TEXTS and label != text


def _link_findings(element: Any, uses: SupportUses, hidden: bool) -> list[Finding]:
    """An empty or vague link, one without an address, or with a scheme email cannot take."""
    findings: list[Finding] = []
    href = (element.get("href") or "").strip()
    text = text_of(element)
    image_alt = " ".join((img.get("alt") or "") for img in element.iter("img")).strip()
    where = describe(element)
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
                f"A link only says {quote(text)}: say what it opens (for example the title "
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
    for prefix, feature in uses.index.href_prefixes:
        if href.lower().startswith(prefix):
            uses.use(feature, where, hidden)
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
    """True when the body starts with hidden text that is not only spacing."""
    body = root.find(".//body")
    if body is None:
        return False
    for element in body.iter():
        if not isinstance(element.tag, str) or element is body:
            continue
        style = (element.get("style") or "").replace(" ", "").lower()
        if "display:none" in style:
            return bool(_FILLER.sub("", text_of(element)))
        if _FILLER.sub("", element.text or ""):
            return False
    return False
