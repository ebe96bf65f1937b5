"""`newsdigest settings theme`: every field of the table set, shown and read back, bad values
refused with their option named and nothing saved; run as real subprocesses on a real library."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

from composer.theme.model import FIELDS, Theme, ThemeField, field_value, theme_from_settings

pytestmark = pytest.mark.slow


def _stored(library: Path) -> Theme:
    from store import open_library

    lib = open_library(library, read_only=True)
    try:
        return theme_from_settings(lib.settings())
    finally:
        lib.close()


_TEXT = {
    "organisation": "Harbour Light Trust",
    "postal_address": "12 Quay Street, Portville 4410",
    "utm_source": "harbour_digest",
    "utm_medium": "mail",
    "utm_campaign": "spring-issue",
    "templates_dir": "/srv/harbour/templates",
}
_URL = {
    "logo_url": "https://harbour.example.org/logo.png",
    "dark_logo_url": "https://harbour.example.org/logo-dark.png",
    "unsubscribe_url": "https://harbour.example.org/leave?e={email}&t={token}",
    "web_version_url": "https://harbour.example.org/digest/latest",
}


def _value(spec: ThemeField, n: int) -> str:
    """A valid value for ``spec`` that differs from its default."""
    if spec.name in _TEXT:
        return _TEXT[spec.name]
    if spec.name in _URL:
        return _URL[spec.name]
    if spec.name.startswith("label_"):
        return f"Harbour words number {n}"
    by_kind: dict[str, str] = {
        "email": "Harbour News <news@harbour.example.org>",
        "int": "240",
        "bool": "on",
        "color": f"#{n:02x}34{n:02x}",
        "locale": "de_AT",
        "domains": "harbour.example.org, harbour-news.example.net",
        "list": "Events,Reports,Harbour Life",
        "multiline": "Write to us at the harbour office.\n\nWe answer every letter.",
    }
    if spec.kind == "choice":
        return next(c for c in reversed(spec.choices) if c and c != spec.default)
    return by_kind[spec.kind]


def test_every_field_round_trips(library_path: Path) -> None:
    values = {spec.name: _value(spec, n) for n, spec in enumerate(FIELDS)}
    argv = [part for spec in FIELDS for part in (spec.flag, values[spec.name])]
    result = run_cli("settings", "theme", *argv, library=library_path)
    assert result.returncode == 0, result.stderr
    assert "Saved the theme settings" in result.stdout
    assert "Not ready" not in result.stdout

    theme = _stored(library_path)
    defaults = Theme()
    for spec in FIELDS:
        expected = spec.check(values[spec.name], spec.field_label)
        assert field_value(theme, spec.name) == expected, spec.name
        assert field_value(theme, spec.name) != field_value(defaults, spec.name), spec.name

    shown = run_cli("settings", "theme", "--show", library=library_path)
    assert shown.returncode == 0, shown.stderr
    rows = {
        line.split("(--")[1].split(")")[0]: line
        for line in shown.stdout.splitlines()
        if "(--" in line
    }
    assert len(rows) == len(FIELDS)
    for spec in FIELDS:
        row = rows[spec.flag.removeprefix("--")]
        assert "(default)" not in row, row
    assert "Harbour Light Trust" in rows["organisation"]
    assert "Harbour News <news@harbour.example.org>" in rows["from"]
    assert "{email}" in rows["unsubscribe-url"] and "{token}" in rows["unsubscribe-url"]
    assert rows["utm"].rstrip().endswith("on")
    assert "Ready to send" in shown.stdout


def test_show_marks_defaults_and_says_not_ready(library_path: Path) -> None:
    shown = run_cli("settings", "theme", "--show", library=library_path)
    assert shown.returncode == 0, shown.stderr
    lines = [line for line in shown.stdout.splitlines() if "(--" in line]
    assert len(lines) == len(FIELDS)
    assert all(line.endswith("(default)") for line in lines)
    assert "Newsdigest" not in shown.stdout.replace("Newsdigest/", "")
    assert "Not ready to send" in shown.stdout
    assert "--organisation … --from … --postal-address … --unsubscribe-url …" in shown.stdout


def test_empty_value_clears_a_field(library_path: Path) -> None:
    assert (
        run_cli(
            "settings",
            "theme",
            "--organisation",
            "Harbour Light Trust",
            "--font",
            "georgia",
            library=library_path,
        ).returncode
        == 0
    )
    result = run_cli("settings", "theme", "--organisation", "", library=library_path)
    assert result.returncode == 0, result.stderr
    theme = _stored(library_path)
    assert theme.organisation == "" and theme.font == "georgia"


def test_partial_setup_names_what_is_left(library_path: Path) -> None:
    result = run_cli(
        "settings",
        "theme",
        "--organisation",
        "Harbour Light Trust",
        "--from",
        "news@harbour.example.org",
        library=library_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Not ready to send yet: set the postal address and the unsubscribe address" in (
        result.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--brand-color", "red"], "--brand-color: 'red' is not a colour like #0b4f6c"),
        (["--logo-url", "ftp://harbour.example.org/logo.png"], "--logo-url:"),
        (["--unsubscribe-url", "https://harbour.example.org/u?id={id}"], "{id}"),
        (["--from", "not an address"], "--from:"),
        (["--from", "news@harbour.invalid"], "--from: 'news@harbour.invalid' is not a valid"),
        (["--locale", "xx_QQ"], "--locale: 'xx_QQ' is not a known locale"),
        (["--theme", "glossy/../x"], "--theme:"),
        (["--show-contents", "sometimes"], "--show-contents: 'sometimes' is not one of auto"),
        (["--utm", "maybe"], "--utm: 'maybe' is not on or off"),
        (["--logo-width", "5000"], "--logo-width: must be between 16 and 600"),
        (["--own-domains", "not a domain!"], "--own-domains:"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(
    library_path: Path, args: list[str], message: str
) -> None:
    result = run_cli(
        "settings", "theme", "--organisation", "Harbour Light Trust", *args, library=library_path
    )
    assert result.returncode == 1
    assert message in result.stderr
    assert "nothing was saved" in result.stderr
    assert "Traceback" not in result.stderr
    assert _stored(library_path).organisation == ""


def test_show_refuses_changes(library_path: Path) -> None:
    result = run_cli(
        "settings", "theme", "--show", "--organisation", "Harbour", library=library_path
    )
    assert result.returncode == 1
    assert "--show only shows" in result.stderr


def test_help_lists_the_options_of_the_table() -> None:
    result = run_cli("settings", "theme", "--help")
    assert result.returncode == 0
    for spec in FIELDS:
        assert spec.flag in result.stdout, spec.flag
    assert "auto|always|never" in result.stdout and "on|off" in result.stdout
    for heading in ("Organisation:", "Look:", "Email links:", "Campaign tagging:"):
        assert heading in result.stdout
