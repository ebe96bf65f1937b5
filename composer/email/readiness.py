"""Is the library set up to send? The "not ready" rule and how to put it right.

A digest sent with the plain profile takes its sender, its postal address and
its unsubscribe link from the theme settings; until they are filled in, the
email is not ready to send, and every place that builds one says so (the
``build`` and ``send`` preflight, the window's preflight panel). A mailing
tool's profile brings its own unsubscribe link and sender (and Mailchimp its
postal address), so there only the organisation's name is asked for.

:func:`missing_for_sending` names the theme fields still missing (the rule
is :func:`composer.theme.model.missing_for_sending`, narrowed for a mailing tool);
:func:`how_to_set` says, in words a communications officer reads, what to set
and where (``newsdigest settings theme …`` or the window's setup).
"""

from __future__ import annotations

from collections.abc import Sequence

from composer.theme.model import FIELDS_BY_NAME, READY_FIELDS, Theme
from composer.theme.model import missing_for_sending as _theme_missing

#: What each field needed before sending is called in a message.
FIELD_WORDS = {
    "organisation": "the organisation's name",
    "from_address": "the sender address",
    "postal_address": "the postal address",
    "unsubscribe_url": "the unsubscribe address",
}

SETUP_ACTION = "File ▸ Organisation and sending setup…"


def flag_for(field: str) -> str:
    """The ``newsdigest settings theme`` option that sets ``field``."""
    spec = FIELDS_BY_NAME.get(field)
    return spec.flag if spec is not None else "--" + field.replace("_", "-")


def missing_for_sending(theme: Theme, *, profile_links: bool = True) -> tuple[str, ...]:
    """The fields ``theme`` still lacks to be sendable, in :data:`READY_FIELDS` order.

    ``profile_links`` is false for a mailing tool's profile, which brings the
    sender, the unsubscribe link and the postal address itself: only the
    organisation's name is then asked for.
    """
    missing = _theme_missing(theme)
    if not profile_links:
        missing = [name for name in missing if name == "organisation"]
    return tuple(name for name in READY_FIELDS if name in missing)


def is_set_up(theme: Theme) -> bool:
    """True when the plain profile has everything it needs (no first-run setup to ask)."""
    return not missing_for_sending(theme)


def _words(fields: Sequence[str]) -> str:
    names = [FIELD_WORDS.get(f) or FIELDS_BY_NAME[f].label.lower() for f in fields]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def how_to_set(fields: Sequence[str]) -> str:
    """``set the sender address and … with `newsdigest settings theme --from …` or …``."""
    flags = " ".join(f"{flag_for(f)} …" for f in fields)
    return (
        f"set {_words(fields)} with `newsdigest settings theme {flags}` "
        f"or in the window ({SETUP_ACTION})"
    )


def not_ready_message(fields: Sequence[str]) -> str:
    """The sentence the preflight shows for a theme that lacks ``fields``."""
    return f"This email is not ready to send: {how_to_set(fields)}."
