"""Small text helpers shared by the item model and the importers."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from composer.errors import ValidationError

_WS = re.compile(r"\s+")
# Control characters other than tab and newline; they never belong in news text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")


def clean_line(text: str) -> str:
    """One line of text: controls removed, any run of white space (NBSP too) as one space."""
    return _WS.sub(" ", _CONTROL.sub("", text)).strip()


def clean_paragraphs(text: str) -> str:
    """Multi-paragraph text: each paragraph cleaned, paragraphs separated by one blank line."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = [clean_line(p) for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def fold(text: str) -> str:
    """A key for comparing text the way a reader would: case, accents' forms and spacing ignored."""
    return clean_line(unicodedata.normalize("NFKC", text)).casefold()


def checked_text(
    value: Any, field: str, limit: int, *, required: bool = False, multiline: bool = False
) -> str:
    """``value`` cleaned (one line, or paragraphs), or a :class:`ValidationError` naming ``field``.

    ``None`` counts as empty; anything but text, an empty required value and text over
    ``limit`` characters are refused with the reason.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    text = clean_paragraphs(value) if multiline else clean_line(value)
    if required and not text:
        raise ValidationError(field, "is empty")
    if len(text) > limit:
        raise ValidationError(field, f"is {len(text)} characters long; the limit is {limit}")
    return text
