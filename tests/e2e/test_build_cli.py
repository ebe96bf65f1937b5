"""`newsdigest build`: its exit status follows the preflight (1 on errors, named on stderr;
0 with --ignore-preflight-errors), a library not yet set up to send is told so plainly, and
--theme picks a shipped layout. Real subprocesses on a real library."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LISTING, run_cli

from composer.theme.model import LAYOUTS

pytestmark = pytest.mark.slow

SETUP = [
    "--organisation",
    "Lakeside Water Board",
    "--from",
    "Lakeside News <news@lakeside.example.org>",
    "--postal-address",
    "3 Reservoir Road, Lakeside 2210",
    "--unsubscribe-url",
    "https://lakeside.example.org/unsubscribe",
]


@pytest.fixture
def library(library_path: Path) -> Path:
    assert run_cli("import", str(LISTING), library=library_path).returncode == 0
    return library_path


@pytest.fixture
def set_up(library: Path) -> Path:
    result = run_cli("settings", "theme", *SETUP, library=library)
    assert result.returncode == 0, result.stderr
    return library


def test_build_before_setup_writes_its_files_and_exits_1(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "jan.html"
    result = run_cli("build", "--month", "2023-01", "--html", str(out), library=library)
    assert result.returncode == 1
    assert out.is_file(), "the files are written even when the preflight finds errors"
    assert "error: This email is not ready to send" in result.stderr
    assert "--organisation … --from … --postal-address … --unsubscribe-url …" in result.stderr
    assert "Organisation and sending setup" in result.stderr
    assert (
        "preflight checks found" in result.stderr and "--ignore-preflight-errors" in result.stderr
    )
    assert "Traceback" not in result.stderr
    # the summary on stdout counts the errors
    assert "preflight: 1 error" in result.stdout or "preflight: 2 errors" in result.stdout
    # no made-up sender or organisation in what was written
    html = out.read_text(encoding="utf-8")
    assert "Newsdigest" not in html and ".invalid" not in html


def test_ignore_preflight_errors_exits_0(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "jan.html"
    result = run_cli(
        "build",
        "--month",
        "2023-01",
        "--html",
        str(out),
        "--ignore-preflight-errors",
        library=library,
    )
    assert result.returncode == 0, result.stderr
    assert "This email is not ready to send" in result.stderr
    assert "(ignored)" in result.stderr
    assert out.is_file()


def test_build_to_stdout_follows_the_same_rule(library: Path) -> None:
    result = run_cli("build", "--month", "2023-01", library=library)
    assert result.returncode == 1
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "not ready to send" in result.stderr


def test_build_after_setup_exits_0(set_up: Path, tmp_path: Path) -> None:
    out = tmp_path / "jan.eml"
    result = run_cli("build", "--month", "2023-01", "--eml", str(out), library=set_up)
    assert result.returncode == 0, result.stderr
    assert "not ready" not in result.stderr + result.stdout
    assert "preflight: 0 errors" in result.stdout
    assert b"news@lakeside.example.org" in out.read_bytes()


def test_a_mailing_tool_profile_only_needs_the_organisation(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "jan.html"
    result = run_cli(
        "build", "--month", "2023-01", "--profile", "mailchimp", "--html", str(out), library=library
    )
    assert result.returncode == 1
    assert "set the organisation's name with `newsdigest settings theme --organisation …`" in (
        result.stderr
    )
    assert (
        run_cli("settings", "theme", "--organisation", "Lakeside", library=library).returncode == 0
    )
    again = run_cli(
        "build", "--month", "2023-01", "--profile", "mailchimp", "--html", str(out), library=library
    )
    assert again.returncode == 0, again.stderr


def test_other_preflight_errors_are_named_too(set_up: Path, tmp_path: Path) -> None:
    # a saved digest with no items: the preflight error "no items to send"
    from composer.digest.model import make_digest
    from store import open_library

    lib = open_library(set_up)
    try:
        lib.save_digest(make_digest(digest_id="d-empty", title="Nothing yet").to_dict())
    finally:
        lib.close()
    result = run_cli(
        "build", "--digest", "d-empty", "--html", str(tmp_path / "e.html"), library=set_up
    )
    assert result.returncode == 1
    assert "error: The digest has no items to send." in result.stderr


def test_theme_choices_are_in_help() -> None:
    result = run_cli("build", "--help")
    assert result.returncode == 0
    assert "--theme" in result.stdout and "--ignore-preflight-errors" in result.stdout
    for name in LAYOUTS:
        assert name in result.stdout


def test_unknown_theme_is_a_usage_error(set_up: Path) -> None:
    result = run_cli("build", "--month", "2023-01", "--theme", "glossy", library=set_up)
    assert result.returncode == 1
    assert "invalid choice: 'glossy'" in result.stderr


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_build_theme_renders_with_that_layout(set_up: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / f"{name}.html"
    result = run_cli(
        "build", "--month", "2023-01", "--theme", name, "--html", str(out), library=set_up
    )
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Lakeside Water Board" in html
    # the blocks only one layout has: Magazine's masthead band, Briefing's contents
    assert ('class="mast' in html) == (name == "magazine")
    assert ('class="toc' in html) == (name == "briefing")


def test_the_notes_about_the_eml_come_only_with_an_eml_or_zip(
    library: Path, tmp_path: Path
) -> None:
    """No sender address yet: the .eml says From a placeholder; only who writes one is told."""
    month = ("build", "--month", "2023-01", "--ignore-preflight-errors")
    html = run_cli(*month, "--html", str(tmp_path / "jan.html"), library=library)
    assert html.returncode == 0, html.stderr
    assert "note:" not in html.stdout + html.stderr and ".eml" not in html.stdout + html.stderr
    stdout = run_cli(*month, library=library)
    assert stdout.returncode == 0 and "note:" not in stdout.stderr
    for option, name in (("--eml", "jan.eml"), ("--zip", "jan.zip")):
        written = run_cli(*month, option, str(tmp_path / name), library=library)
        assert written.returncode == 0, written.stderr
        assert "note: no sender address in the theme settings: the .eml says From" in (
            written.stdout
        )
