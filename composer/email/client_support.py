"""What the checked email clients do not support, from the shipped caniemail table.

The table (``composer/data/caniemail_table.json``, derived from the caniemail data;
see ``composer/data/CANIEMAIL-LICENSE.txt``) is indexed once (:func:`caniemail_index`)
for the CSS properties, values, functions and at-rules, HTML elements and
attributes, and link and image addresses that Outlook for Windows or Gmail do not
support. :class:`SupportUses` gathers what an email uses of them, and where, into
one finding per feature. Progressive enhancements (``@media``, dark mode) are never
reported.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import json
import re
from collections.abc import Iterable, Iterator

from composer.email.finding import Finding

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


@dataclasses.dataclass(frozen=True)
class Feature:
    """A caniemail feature that some checked client lacks."""

    slug: str
    title: str
    failing: tuple[str, ...]  # client keys with "n"
    notes: dict[str, str]


@dataclasses.dataclass(frozen=True)
class SupportIndex:
    """The features, by what an email would use: properties, elements, attributes..."""

    clients: dict[str, str]
    url: str
    properties: dict[str, list[tuple[Feature, frozenset[str]]]]  # prop -> (feature, values)
    property_prefixes: list[tuple[str, Feature]]
    values: list[tuple[str, Feature]]  # value keyword anywhere (no property given)
    functions: dict[str, Feature]
    at_rules: dict[str, Feature]
    elements: dict[str, list[tuple[Feature, str | None]]]  # tag -> (feature, input type)
    attributes: dict[str, Feature]
    href_prefixes: list[tuple[str, Feature]]
    src_prefixes: list[tuple[str, Feature]]
    extensions: dict[str, Feature]
    snapshot: str


@functools.cache
def caniemail_index() -> SupportIndex:
    """The shipped caniemail table, indexed for lookups (loaded once, with ``json`` only)."""
    resource = importlib.resources.files("composer").joinpath("data", "caniemail_table.json")
    table = json.loads(resource.read_text(encoding="utf-8"))
    index = SupportIndex(
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
        feature = Feature(raw["slug"], raw["title"], failing, dict(raw.get("notes") or {}))
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


def declarations(css: str) -> Iterator[tuple[str, str]]:
    """(property, value) of each declaration in ``css``, lower-cased."""
    for part in css.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            yield name.strip().lower(), value.strip().lower()


def css_features(found: Iterable[tuple[str, str]], index: SupportIndex) -> Iterator[Feature]:
    """The unsupported features the declarations ``found`` use (one per use)."""
    for name, value in found:
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


def style_block(css: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Declarations outside ``@media`` and the at-rules of a ``<style>`` block."""
    css = _COMMENT.sub("", css)
    found: list[tuple[str, str]] = []
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
                found.extend(declarations(body))
            if stack:
                stack.pop()
            start = position + 1
        elif char == ";" and not stack:
            statement = css[start:position].strip()
            if statement.startswith("@"):
                at_rules.append(statement[1:].split(None, 1)[0].split("(")[0].lower())
            start = position + 1
    return found, at_rules


class SupportUses:
    """The unsupported features an email uses: where each is used, and which clients lack it."""

    def __init__(self, index: SupportIndex) -> None:
        self.index = index
        self._uses: dict[str, tuple[Feature, list[str], set[str]]] = {}

    def use(self, feature: Feature, where: str, hidden: bool = False) -> None:
        """``feature`` is used at ``where``; ``hidden`` from Outlook (``mso-hide:all``)."""
        clients = [c for c in feature.failing if not (hidden and c == "outlook-windows")]
        if not clients:
            return
        entry = self._uses.setdefault(feature.slug, (feature, [], set()))
        entry[1].append(where)
        entry[2].update(clients)

    def findings(self) -> list[Finding]:
        """One warning per feature used, in the order first used, naming the clients."""
        index = self.index
        findings = []
        for feature, places, clients in self._uses.values():
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
