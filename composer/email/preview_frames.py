"""Preview-only transformations of a rendered email (never used for what is exported).

The composer window shows the email as inboxes would: :func:`force_dark_scheme`
makes the template's ``@media (prefers-color-scheme: dark)`` rules apply
whatever the desktop's colour scheme is, which is how a dark-mode inbox shows
the message; :func:`size_label` writes the size against Gmail's clipping limit
as the status bar shows it ("54 KB of 102 KB").
"""

from __future__ import annotations

import re

KB = 1024
#: Gmail clips a message whose HTML is larger than this (about 102 KB).
GMAIL_CLIP = 102 * KB

_DARK = re.compile(r"\(\s*prefers-color-scheme\s*:\s*dark\s*\)", re.IGNORECASE)
_LIGHT = re.compile(r"\(\s*prefers-color-scheme\s*:\s*light\s*\)", re.IGNORECASE)
# A media feature that always holds, and one that never does, both valid CSS.
_ALWAYS = "(min-width: 0px)"
_NEVER = "(max-width: -1px)"


def force_dark_scheme(html: str) -> str:
    """``html`` with its dark-scheme media rules always on and light-scheme ones off."""
    return _LIGHT.sub(_NEVER, _DARK.sub(_ALWAYS, html))


def size_level(size: int) -> str:
    """``ok``, ``warning`` or ``error`` for an email of ``size`` bytes (the preflight limits)."""
    from composer.email.preflight import SIZE_ERROR, SIZE_WARNING

    if size >= SIZE_ERROR:
        return "error"
    if size >= SIZE_WARNING:
        return "warning"
    return "ok"


def size_label(size: int) -> str:
    """``"54 KB of 102 KB"``: the email's size against Gmail's clipping limit."""
    return f"{max(1, round(size / KB))} KB of {GMAIL_CLIP // KB} KB"
