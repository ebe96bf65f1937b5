"""Preflight checks: what would go wrong if this email were sent now.

Two kinds of checks, both returning :class:`Finding` s (severity ``error``,
``warning`` or ``info``, a message a communications officer understands, and the
item or element it concerns):

* :func:`check_digest` looks at the digest itself: a missing preheader, an
  empty section, an item that is no longer in the library or appears twice, a
  title or summary that is too long, an image without a description, an image
  loaded over plain http (a warning naming the item; the HTML check's warning of the
  same code, which names only the ``<img>``, is then left out by the renderer).
* :func:`check_readiness` says, as an error, that an email is not ready to send
  while the theme lacks the organisation, sender, postal address or unsubscribe
  address (:mod:`composer.email.readiness`), and how to set them.
* :func:`check_html` looks at any HTML email, ours or not (``newsdigest check
  FILE.html``): its size against Gmail's clipping (about 102 KB: everything
  below, unsubscribe link included, is hidden), a ``<style>`` block over 16 KB
  (Gmail drops it), images without ``alt`` or over plain http (the logo's naming
  the theme field to set), empty or vague links, links that
  are not http, https or mailto, scripts and event handlers, a missing
  unsubscribe link or preheader, layout tables without ``role="presentation"``,
  ``!important`` in ``style=""`` (Outlook ignores such declarations), and the
  CSS properties and HTML features that Outlook for Windows or Gmail do not
  support, from the caniemail data shipped in ``composer/data``
  (see ``composer/data/CANIEMAIL-LICENSE.txt``).

The findings are :mod:`composer.email.finding`'s, the HTML checks
:mod:`composer.email.html_checks`', what clients support
:mod:`composer.email.client_support`'s; this module has the entry points and the
digest's checks.

CSS inside ``@media`` rules is not checked against caniemail: such rules are
progressive enhancement (dark mode, the mobile layout) and a client that
ignores them shows the desktop layout. Declarations on elements hidden from
Outlook with ``mso-hide:all`` (the hidden preheader) are not reported for
Outlook.
"""

from __future__ import annotations

from composer.digest.model import ResolvedDigest, ResolvedItem, ResolvedSection
from composer.email.client_support import caniemail_index
from composer.email.finding import Finding, Severity, errors_in, has_errors, quote, sort_findings
from composer.email.html_checks import KB, PLAIN_HTTP_CODE, SIZE_ERROR, SIZE_WARNING, check_html
from composer.email.markup import intro_problems
from composer.theme.checks import PLAIN_HTTP_IMAGE, https_form, is_plain_http
from composer.theme.model import Theme

__all__ = [
    "KB",
    "MAX_PREHEADER",
    "MAX_SUMMARY",
    "MAX_TITLE",
    "SIZE_ERROR",
    "SIZE_WARNING",
    "Finding",
    "Severity",
    "caniemail_index",
    "check_digest",
    "check_html",
    "check_readiness",
    "errors_in",
    "has_errors",
    "sort_findings",
]

MAX_TITLE = 150
MAX_SUMMARY = 1_200
MAX_PREHEADER = 150


def check_digest(resolved: ResolvedDigest) -> list[Finding]:
    """Problems of the digest itself (its text and its items), before any HTML."""
    findings = _text_findings(resolved)
    seen: dict[str, str] = {}  # item id -> the section it is shown in
    for section in resolved.sections:
        findings += _section_findings(section, seen)
    if not seen:
        findings.append(
            Finding("error", "digest-empty", "The digest has no items to send.", "digest")
        )
    return findings


def _text_findings(resolved: ResolvedDigest) -> list[Finding]:
    """The digest's own texts: its preheader, the links of its intro."""
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
    return findings


def _section_findings(section: ResolvedSection, seen: dict[str, str]) -> list[Finding]:
    """A section's missing items, its emptiness, its items twice, then each item's problems.

    ``seen`` holds the items of the sections before; this section's are added to it.
    """
    findings: list[Finding] = []
    where = f"section {quote(section.category)}"
    for missing in section.missing:
        findings.append(
            Finding(
                "warning",
                "item-missing",
                f"An item of the section {quote(section.category)} is no longer in the "
                f"library (id {missing.item_id}); it is left out of the email.",
                where,
                item_id=missing.item_id,
                section=section.index,
            )
        )
    if not section.items:
        findings.append(
            Finding(
                "warning",
                "section-empty",
                f"The section {quote(section.category)} has no items; its heading is left "
                "out of the email.",
                where,
                section=section.index,
            )
        )
    for entry in section.items:
        item_id = entry.item.id
        if item_id in seen:
            findings.append(
                Finding(
                    "warning",
                    "item-twice",
                    f"The item {quote(entry.title)} is in the digest twice (in "
                    f"{quote(seen[item_id])} and {quote(section.category)}); only the "
                    "first is shown.",
                    f"item {quote(entry.title)}",
                    item_id=item_id,
                    section=section.index,
                )
            )
            continue
        seen[item_id] = section.category
        findings += _item_findings(entry, section.index)
    return findings


def _item_findings(entry: ResolvedItem, section: int) -> list[Finding]:
    """One item's problems as it is shown: a long title or summary, no link, no alt text."""
    where = f"item {quote(entry.title)}"
    item_id = entry.item.id
    found: list[tuple[str, str, str]] = []  # (code, field, message)
    if len(entry.title) > MAX_TITLE:
        found.append(
            (
                "title-long",
                "item.title",
                f"The title is {len(entry.title)} characters long; titles over "
                f"{MAX_TITLE} are hard to scan in an email. Shorten it for this digest.",
            )
        )
    if len(entry.summary) > MAX_SUMMARY:
        found.append(
            (
                "summary-long",
                "item.summary",
                f"The summary is {len(entry.summary)} characters long; over "
                f"{MAX_SUMMARY} it reads like the whole article. Shorten it for this "
                "digest.",
            )
        )
    if not entry.item.url:
        found.append(
            (
                "item-no-link",
                "item.url",
                "The item has no link: readers cannot read more on your website. "
                "Add its address, or fetch its details from its link.",
            )
        )
    if entry.item.image_url and not entry.item.image_alt.strip():
        found.append(
            (
                "image-alt",
                "item.image_alt",
                "The item's image has no description (alt text); the title is used. "
                "Describe the image for readers who cannot see it.",
            )
        )
    if is_plain_http(entry.item.image_url):
        found.append(
            (
                PLAIN_HTTP_CODE,
                "item.image_url",
                f"The item's image is loaded over plain http, not https: {PLAIN_HTTP_IMAGE}. "
                f"Give its https address ({https_form(entry.item.image_url or '')[:80]}) if "
                "the site has one.",
            )
        )
    return [
        Finding("warning", code, message, where, field=field, item_id=item_id, section=section)
        for code, field, message in found
    ]


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
