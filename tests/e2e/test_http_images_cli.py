"""An http (not https) logo or image, as a user meets it on the command line: `settings
theme` saves it and warns on stderr (exit 0); `check` lists the warning (exit 0: warnings
are no errors, as the README's table says)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli

pytestmark = pytest.mark.slow

LOGO = "http://pondclub.example.net/logo.png"


def test_settings_theme_saves_an_http_logo_with_a_warning_on_stderr(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    saved = run_cli("settings", "theme", "--logo-url", LOGO, library=library)
    assert saved.returncode == 0, saved.stderr
    assert "Saved the theme settings" in saved.stdout
    assert f"warning: --logo-url: '{LOGO}' is plain http, not https" in saved.stderr
    assert "Gmail's image proxy" in saved.stderr
    assert "Traceback" not in saved.stderr
    shown = run_cli("settings", "theme", "--show", library=library)
    assert shown.returncode == 0, shown.stderr
    assert LOGO in shown.stdout  # kept as given
    assert "warning: --logo-url:" in shown.stderr
    secure = run_cli(
        "settings", "theme", "--logo-url", "https://pondclub.example.net/logo.png", library=library
    )
    assert secure.returncode == 0, secure.stderr
    assert "warning" not in secure.stderr


def test_check_lists_an_http_image_as_a_warning_and_exits_0(tmp_path: Path) -> None:
    mail = tmp_path / "mail.html"
    mail.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>'
        '<div style="display:none;mso-hide:all">Frogs at dusk</div>'
        '<table role="presentation"><tr><td><h1>Pond club</h1>'
        '<img class="pic" src="http://pondclub.example.net/pond.jpg" alt="The pond">'
        '<p><a href="https://pondclub.example.net/unsubscribe">Unsubscribe</a></p>'
        "</td></tr></table></body></html>",
        encoding="utf-8",
    )
    result = run_cli("check", str(mail), library=tmp_path / "lib.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "warning: An image is loaded over plain http, not https: many mail clients block or "
        "flag such images"
    ) in result.stdout
    assert '[<img class="pic" src="http://pondclub.example.net/pond.jpg">]' in result.stdout
    assert "preflight: 0 errors, 1 warning" in result.stdout
