#!/usr/bin/env python3
"""Derive composer/data/caniemail_table.json from the caniemail feature files.

Usage (with any Python 3 that has PyYAML, e.g. the system python3; PyYAML is
not a dependency of Newsdigest, which reads only the JSON this writes)::

    python3 packaging/derive_caniemail.py \
        ../shared/data/caniemail composer/data/caniemail_table.json

For every feature whose use can be detected in an email's HTML (a CSS property,
a property value such as ``display:flex``, a CSS function, an at-rule, an HTML
element or attribute, an image format), the table keeps how it can be detected
and its current support (the last entry of each platform) in the clients the
preflight checks name: Outlook for Windows, Gmail, Apple Mail, Yahoo, Outlook.com.
Features that cannot be detected in markup (units, selectors, AMP, BIMI...)
are left out. The data is (c) Rémi Parmentier and caniemail contributors,
MIT licence: composer/data/CANIEMAIL-LICENSE.txt.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

#: (family, platform) -> key and name used in the table and in findings.
CLIENTS: dict[tuple[str, str], tuple[str, str]] = {
    ("outlook", "windows"): ("outlook-windows", "Outlook for Windows"),
    ("outlook", "outlook-com"): ("outlook-com", "Outlook.com"),
    ("gmail", "desktop-webmail"): ("gmail-webmail", "Gmail (webmail)"),
    ("gmail", "ios"): ("gmail-ios", "Gmail (iOS app)"),
    ("gmail", "android"): ("gmail-android", "Gmail (Android app)"),
    ("apple-mail", "macos"): ("apple-mail-macos", "Apple Mail (macOS)"),
    ("apple-mail", "ios"): ("apple-mail-ios", "Apple Mail (iOS)"),
    ("yahoo", "desktop-webmail"): ("yahoo-webmail", "Yahoo Mail (webmail)"),
}

#: Features whose title does not say how to detect them.
SPECIAL: dict[str, dict[str, Any]] = {
    "css-variables": {"functions": ["var"], "property_prefixes": ["--"]},
    "css-unit-calc": {"functions": ["calc"]},
    "css-modern-color": {"functions": ["lch", "oklch", "lab", "oklab"]},
    "css-sytem-ui": {
        "values": ["system-ui", "ui-serif", "ui-sans-serif", "ui-rounded", "ui-monospace"]
    },
    "css-intrinsic-size": {"values": ["fit-content", "min-content", "max-content"]},
    "css-flex-direction": {"properties": ["flex-direction"], "values": ["column"]},
    "css-flex-wrap": {"properties": ["flex-wrap"], "values": ["wrap"]},
    "css-column-layout-properties": {
        "properties": ["columns", "column-width", "column-rule", "column-span", "column-fill"]
    },
    "css-grid-template": {
        "properties": [
            "grid-template",
            "grid-template-columns",
            "grid-template-rows",
            "grid-template-areas",
        ]
    },
    "css-border-inline-block": {"properties": ["border-inline", "border-block"]},
    "css-border-inline-block-longhand": {
        "properties": [
            "border-inline-width",
            "border-inline-style",
            "border-inline-color",
            "border-block-width",
            "border-block-style",
            "border-block-color",
        ]
    },
    "css-border-inline-block-individual": {
        "properties": [
            "border-inline-start",
            "border-inline-end",
            "border-block-start",
            "border-block-end",
        ]
    },
    "css-border-radius-logical": {
        "properties": [
            "border-start-start-radius",
            "border-start-end-radius",
            "border-end-start-radius",
            "border-end-end-radius",
        ]
    },
    "css-inert-attribute": {"attributes": ["inert"]},
    "html-semantics": {
        "elements": [
            "article",
            "aside",
            "details",
            "figcaption",
            "figure",
            "footer",
            "header",
            "main",
            "mark",
            "nav",
            "section",
            "summary",
            "time",
        ]
    },
    "html-lists": {"elements": ["ul", "ol", "dl"]},
    "html-h1-h6": {"elements": ["h1", "h2", "h3", "h4", "h5", "h6"]},
    "html-image-maps": {"elements": ["map", "area"]},
    "html-address": {"elements": ["address"]},
    "html-base": {"elements": ["base"]},
    "html-svg": {"elements": ["svg"]},
    "html-srcset": {"attributes": ["srcset", "sizes"]},
    "html-anchor-links": {"href_prefixes": ["#"]},
    "html-mailto-links": {"href_prefixes": ["mailto:"]},
    "image-base64": {"src_prefixes": ["data:image/"]},
    "image-jpg": {"extensions": ["jpg", "jpeg"]},
    "image-heif": {"extensions": ["heif", "heic"]},
    "image-tiff": {"extensions": ["tif", "tiff"]},
    "image-mp4": {"extensions": ["mp4"]},
}

#: Features that cannot be detected in markup, or that every email uses by design.
SKIP_PREFIXES = ("css-unit-", "css-selector-", "css-pseudo-", "css-nesting", "css-comments")
SKIP = {
    "_template",
    "amp",
    "bimi",
    "css-important",
    "html-comments",
    "html-doctype",
    "html-meta-color-scheme",
    "image-apng",
    "css-pseudo-class-lang",
}

#: Clients whose notes are kept (the ones the preflight names); others' notes are dropped.
NOTED = {"outlook-windows", "gmail-webmail", "gmail-ios", "gmail-android"}

_PROPERTY = re.compile(r"^-?[a-z]+(?:-[a-z]+)*$")


def front_matter(text: str) -> dict[str, Any]:
    """The YAML between the first two lines that are exactly ``---`` (tabs made spaces)."""
    lines = text.replace("\t", "    ").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError("no front matter")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    data = yaml.safe_load("\n".join(lines[1:end]))
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    return data


def _short(note: str, limit: int = 240) -> str:
    note = " ".join(note.split())
    return note if len(note) <= limit else note[: limit - 1].rstrip() + "…"


def _split_names(title: str) -> list[str]:
    return [part.strip() for part in re.split(r",|&|\band\b", title) if part.strip()]


def detection(slug: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """How to recognise the feature in HTML, or ``None`` when it cannot be."""
    if slug in SPECIAL:
        return SPECIAL[slug]
    title = str(data.get("title") or "").strip()
    category = data.get("category")
    if category == "css":
        if title.startswith("@"):
            m = re.match(r"^@([a-z-]+)(?:\s*\(([-a-z]+)\))?", title)
            if not m:
                return None
            if m[2]:
                return {"at_rule": m[1], "media_features": [m[2]]}
            return {"at_rule": m[1]}
        if m := re.match(r"^([a-z-]+)\s*:\s*([a-z-]+)$", title):
            return {"properties": [m[1]], "values": [m[2]]}
        functions = re.findall(r"([a-z-]+)\(\)", title)
        if functions:
            return {"functions": functions}
        name = re.sub(r"\s+(property|CSS property)$", "", title)
        names = _split_names(name)
        if names and all(_PROPERTY.match(n) for n in names):
            props = list(names)
            keywords = str(data.get("keywords") or "")
            for word in _split_names(keywords):
                if _PROPERTY.match(word) and any(word.startswith(f"{p}-") for p in names):
                    props.append(word)
            return {"properties": sorted(set(props))}
        return None
    if category == "html":
        m = re.match(r'^<([a-z0-9]+)(?:\s+type=\\?"([a-z]+)\\?")?>', title)
        if m:
            found: dict[str, Any] = {"elements": [m[1]]}
            if m[2]:
                found["type"] = m[2]
            return found
        if m := re.match(r"^([a-z-]+) attribute$", title):
            return {"attributes": [m[1]]}
        return None
    if category == "image":
        m = re.match(r"^([A-Za-z]+) image format$", title)
        if m:
            return {"extensions": [m[1].lower()]}
        return None
    return None


def current_support(stats: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """client key -> y/n/a/u (last entry), and client key -> note numbers."""
    support: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    for (family, platform), (key, _) in CLIENTS.items():
        versions = (stats.get(family) or {}).get(platform) or {}
        if not versions:
            continue
        last = str(list(versions.values())[-1]).strip()
        parts = last.split()
        support[key] = parts[0][:1] if parts else "u"
        numbers = [p.lstrip("#") for p in parts[1:] if p.startswith("#")]
        if numbers:
            notes[key] = numbers
    return support, notes


def derive(source: Path) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    snapshot = ""
    readme = source / "README.md"
    if readme.exists():
        m = re.search(r"snapshot of (\d{4}-\d{2}-\d{2})", readme.read_text(encoding="utf-8"))
        snapshot = m[1] if m else ""
    for path in sorted((source / "features").glob("*.md")):
        slug = path.stem
        if slug in SKIP or slug.startswith(SKIP_PREFIXES):
            continue
        data = front_matter(path.read_text(encoding="utf-8"))
        match = detection(slug, data)
        if match is None:
            continue
        support, note_numbers = current_support(data.get("stats") or {})
        raw_notes = data.get("notes_by_num") or {}
        notes = {
            client: " ".join(
                str(raw_notes.get(n) or raw_notes.get(int(n)) or "").strip()
                for n in numbers
                if n.isdigit()
            ).strip()
            for client, numbers in note_numbers.items()
        }
        features.append(
            {
                "slug": slug,
                "title": str(data.get("title") or slug).strip(),
                "match": match,
                "support": support,
                "notes": {k: _short(v) for k, v in notes.items() if v and k in NOTED},
            }
        )
    return {
        "source": "caniemail, https://www.caniemail.com (MIT licence, see CANIEMAIL-LICENSE.txt)",
        "snapshot": snapshot,
        "url": "https://www.caniemail.com/features/{slug}/",
        "clients": {key: name for key, name in CLIENTS.values()},
        "features": features,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    table = derive(Path(argv[1]))
    out = Path(argv[2])
    # One feature per line: small, and a change shows as a readable diff.
    head = {key: value for key, value in table.items() if key != "features"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    features = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in table["features"]]
    lines.append(",\n".join(features))
    lines.append("]}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out}: {len(table['features'])} features")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
