"""The theme fields, declared once (composer.theme.fields): checks, round trips, readiness."""

from __future__ import annotations

from typing import Any

import pytest

from composer.errors import ValidationError
from composer.theme.model import (
    DEFAULT_COLORS,
    FIELDS,
    FIELDS_BY_NAME,
    LAYOUTS,
    READY_FIELDS,
    Theme,
    describe,
    field_value,
    is_sendable,
    merge_theme,
    missing_for_sending,
    theme_from_mapping,
    theme_from_settings,
    with_changes,
)

#: A value for each kind of field that differs from its default.
SAMPLES: dict[str, Any] = {
    "organisation": "Harbourside Water Trust",
    "logo_url": "https://water.example.net/logo.png",
    "logo_width": 220,
    "dark_logo_url": "https://water.example.net/logo-light.png",
    "from_address": "Trust News <news@water.example.net>",
    "postal_address": "4 Quay Street, Portmouth PM1 2AB",
    "unsubscribe_url": "https://water.example.net/leave?e={email}&t={token}",
    "web_version_url": "https://water.example.net/digest",
    "locale": "fr_CA",
    "template": "magazine",
    "font": "georgia",
    "heading_font": "trebuchet",
    "show_contents": "always",
    "read_more": "button",
    "footer": "Written by the trust's press office.\n\nWe answer every letter.",
    "category_order": ["Projects", "Events"],
    "utm_enabled": True,
    "utm_source": "digest",
    "utm_medium": "mail",
    "utm_campaign": "autumn",
    "own_domains": ["water.example.net", "harbour.example.org"],
    "templates_dir": "/srv/templates",
}


def _sample(name: str) -> Any:
    spec = FIELDS_BY_NAME[name]
    if spec.kind == "color":
        return "#123abc"
    if name.startswith("label_"):
        return "Lire: {title}" if name == "label_read_more_aria" else "Mot"
    return SAMPLES[name]


def test_the_table_names_every_field_once_with_a_flag_help_and_kind() -> None:
    names = [spec.name for spec in FIELDS]
    assert len(names) == len(set(names))
    flags = [spec.flag for spec in FIELDS]
    assert len(flags) == len(set(flags)) and all(f.startswith("--") for f in flags)
    for wanted in (
        *("organisation", "logo_url", "logo_width", "dark_logo_url", "from_address"),
        *("postal_address", "unsubscribe_url", "web_version_url", "locale", "template"),
        *("font", "heading_font", "show_contents", "read_more", "utm_enabled", "utm_source"),
        *("utm_medium", "utm_campaign", "own_domains", "footer"),
    ):
        assert wanted in FIELDS_BY_NAME
    for role in DEFAULT_COLORS:
        assert f"{role}_color" in FIELDS_BY_NAME
    assert FIELDS_BY_NAME["template"].flag == "--theme"
    assert FIELDS_BY_NAME["template"].choices == tuple(LAYOUTS)
    assert FIELDS_BY_NAME["from_address"].flag == "--from"
    assert {s.name for s in FIELDS if s.required_to_send} == set(READY_FIELDS)
    assert {s.name for s in FIELDS if s.first_run} >= set(READY_FIELDS)
    for spec in FIELDS:
        assert spec.help and spec.label and spec.kind and spec.group


@pytest.mark.parametrize("name", [spec.name for spec in FIELDS])
def test_every_field_round_trips_through_the_settings(name: str) -> None:
    value = _sample(name)
    settings = merge_theme({}, {name: value})
    again = theme_from_settings(settings)
    stored = field_value(again, name)
    if isinstance(stored, tuple):
        stored = list(stored)
    assert stored == value
    assert theme_from_mapping(again.to_settings()) == again
    assert dict(describe(again))[FIELDS_BY_NAME[name].label] not in ("", "-")
    cleared = with_changes(again, {name: None})
    assert field_value(cleared, name) == field_value(Theme(), name)


def test_defaults_are_honest() -> None:
    theme = Theme()
    assert theme.organisation == "" and theme.from_address == ""
    assert theme.digest_title("January 2023") == "News digest: January 2023"
    assert "Newsdigest" not in theme.label("unsubscribe_note", organisation="")
    assert missing_for_sending(theme) == list(READY_FIELDS)
    assert not is_sendable(theme)
    ready = with_changes(theme, {name: SAMPLES[name] for name in READY_FIELDS})
    assert missing_for_sending(ready) == [] and is_sendable(ready)
    assert ready.digest_title("January 2023") == "Harbourside Water Trust news digest: January 2023"


def test_an_earlier_versions_stored_defaults_read_as_unset() -> None:
    stored = {
        "organisation": "Newsdigest",
        "template": "default",
        "labels": {
            "read_more": "Read more: {title}",
            "digest_title": "{organisation} news digest: {period}",
        },
        "colors": dict(DEFAULT_COLORS),
    }
    theme = theme_from_mapping(stored)
    assert theme.organisation == "" and theme.template == "classic" and not theme.labels
    assert theme.label("read_more") == "Read more"


def test_labels_follow_the_locale_unless_the_theme_has_its_own() -> None:
    assert Theme(locale="de_AT").label("in_this_issue") == "In dieser Ausgabe"
    assert Theme(locale="fr").label("read_more_aria", title="Le port") == "Lire la suite : Le port"
    assert Theme(locale="ja").label("unsubscribe") == "Unsubscribe"  # none shipped: English
    own = with_changes(Theme(locale="de"), {"label_in_this_issue": "Heute"})
    assert own.label("in_this_issue") == "Heute"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"unsubscribe_url": "https://x.example.org/u?id={id}"},
            r"\{id\}.*\{email\} and \{token\}",
        ),
        ({"unsubscribe_url": "javascript:alert(1)"}, "http"),
        ({"brand_color": "red"}, "colour"),
        ({"colors": {"accent": "#12345g"}}, "colour"),
        ({"template": "../etc"}, "theme name"),
        ({"font": "comic"}, "one of system"),
        ({"show_contents": "sometimes"}, "auto, always, never"),
        ({"read_more": "link"}, "none, button"),
        ({"utm_enabled": "perhaps"}, "on or off"),
        ({"utm_source": "a&b=c"}, "letters"),
        ({"own_domains": "not a domain!"}, "domain name"),
        ({"from_address": "news@example.invalid"}, "address"),
        ({"from_address": "not an address"}, "address"),
        ({"logo_width": 9000}, "between 16 and 600"),
        ({"label_read_more_aria": "More on {headline}"}, r"\{title\}"),
        ({"locale": "xx_NOPE"}, "locale"),
        ({"no_such_field": 1}, "unknown setting"),
    ],
)
def test_bad_values_are_refused_naming_the_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        merge_theme({}, changes)
    assert "theme" in str(caught.value)


def test_unsubscribe_placeholders_and_mailto_are_kept_as_written() -> None:
    for url in (
        "https://water.example.net/leave?e={email}&t={token}",
        "mailto:leave@water.example.net?subject=Unsubscribe",
    ):
        assert theme_from_settings(merge_theme({}, {"unsubscribe_url": url})).unsubscribe_url == url


def test_own_domains_default_to_the_themes_links() -> None:
    theme = with_changes(
        Theme(),
        {
            "web_version_url": "https://www.water.example.net/digest",
            "unsubscribe_url": "mailto:leave@water.example.net",
            "logo_url": "https://cdn.example.com/logo.png",
        },
    )
    assert theme.own_domain_set() == {"water.example.net", "cdn.example.com"}
    named = with_changes(theme, {"own_domains": "harbour.example.org, www.water.example.net"})
    assert named.own_domain_set() == {"harbour.example.org", "water.example.net"}


def test_contents_rule() -> None:
    assert not Theme().contents_shown(8) and Theme().contents_shown(9)
    assert Theme(show_contents="always").contents_shown(1)
    assert not Theme(show_contents="never").contents_shown(50)
