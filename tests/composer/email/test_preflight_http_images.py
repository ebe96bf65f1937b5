"""Images over plain http are warned of, never refused: the logo naming its theme field,
an item's image naming the item, any other image naming its ``<img>``."""

from __future__ import annotations

from helpers.digest_samples import item, sample_theme

from composer.digest.model import Section, make_digest, resolve
from composer.email.preflight import Finding, check_digest, check_html
from composer.email.render import Renderer
from composer.theme.checks import check_url, http_image_warning
from composer.theme.fields import field_warnings

LOGO = "http://pondclub.example.net/logo.png"
DARK_LOGO = "http://pondclub.example.net/logo-dark.png"
POND = "http://pondclub.example.net/pond.jpg"


def _page(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>'
        '<div style="display:none;mso-hide:all">Preview text</div>'
        f'<table role="presentation"><tr><td><h1>Pond club</h1>{body}'
        '<p><a href="https://pondclub.example.net/unsubscribe">Unsubscribe</a></p>'
        "</td></tr></table></body></html>"
    )


def _http(findings: list[Finding] | tuple[Finding, ...]) -> list[Finding]:
    return [f for f in findings if f.code in ("img-http", "logo-http")]


def test_an_http_logo_is_taken_with_a_warning_naming_its_field() -> None:
    assert check_url(LOGO, "theme logo_url") == LOGO  # taken, not refused
    warning = http_image_warning(LOGO, "--logo-url")
    assert warning is not None
    assert warning.startswith(f"--logo-url: '{LOGO}' is plain http, not https")
    assert "Gmail's image proxy" in warning
    assert "https://pondclub.example.net/logo.png" in warning
    assert http_image_warning("https://pondclub.example.net/logo.png", "--logo-url") is None
    assert http_image_warning(None, "--logo-url") is None
    named = field_warnings(
        {"logo_url": LOGO, "dark_logo_url": DARK_LOGO, "web_version_url": "http://x.example"}
    )
    assert [w.split(":", 1)[0] for w in named] == ["Logo url", "Dark-mode logo url"]
    flags = field_warnings({"dark_logo_url": DARK_LOGO.upper()}, by_flag=True)
    assert [w.split(":", 1)[0] for w in flags] == ["--dark-logo-url"]


def test_check_html_warns_of_each_http_image_and_names_the_logos_field() -> None:
    body = (
        f'<img class="logo logol" src="{LOGO}" alt="Pond club">'
        f'<div class="logod"><img class="logo" src="{DARK_LOGO}" alt="Pond club"></div>'
        f'<img class="pic" src="{POND}" alt="The pond">'
        '<img class="pic" src="https://pondclub.example.net/bats.jpg" alt="Bats">'
    )
    found = _http(check_html(_page(body)))
    assert [(f.severity, f.code, f.field) for f in found] == [
        ("warning", "logo-http", "theme.logo_url"),
        ("warning", "logo-http", "theme.dark_logo_url"),
        ("warning", "img-http", ""),
    ]
    assert "--logo-url https://" in found[0].message
    assert "--dark-logo-url https://" in found[1].message
    assert found[2].where == f'<img class="pic" src="{POND}">'
    assert _http(check_html(_page('<img src="https://pondclub.example.net/a.png" alt="">'))) == []


def test_an_items_http_image_is_a_warning_naming_the_item() -> None:
    pond = item(4, image_url=POND, image_alt="The pond at dusk")
    bats = item(5, image_url="https://pondclub.example.net/bats.jpg", image_alt="Bats")
    digest = make_digest(
        digest_id="d-pond",
        title="Pond news",
        preheader="Frogs and bats",
        sections=[Section("Project News", (pond.id, bats.id))],
    )
    found = check_digest(resolve(digest, {pond.id: pond, bats.id: bats}))
    assert [(f.severity, f.code, f.item_id, f.field) for f in found] == [
        ("warning", "img-http", pond.id, "item.image_url")
    ]
    assert found[0].where == f"item “{pond.title}”"
    assert "https://pondclub.example.net/pond.jpg" in found[0].message


def test_the_rendered_email_names_the_item_once_and_the_logos_by_field() -> None:
    pond = item(4, image_url=POND, image_alt="The pond at dusk")
    digest = make_digest(
        digest_id="d-pond",
        title="Pond news",
        preheader="Frogs",
        sections=[Section("Project News", (pond.id,))],
    )
    theme = sample_theme(logo_url=LOGO, dark_logo_url=DARK_LOGO)
    rendered = Renderer().render(digest, {pond.id: pond}, theme)
    assert LOGO in rendered.html and POND in rendered.html
    found = _http(rendered.findings)
    # the item's image once (by the digest's check, naming the item), each logo by its field
    assert sorted((f.code, f.item_id or f.field) for f in found) == [
        ("img-http", pond.id),
        ("logo-http", "theme.dark_logo_url"),
        ("logo-http", "theme.logo_url"),
    ]
    secure = Renderer().render(digest, {pond.id: item(4, image_alt="x")}, sample_theme())
    assert _http(secure.findings) == []
