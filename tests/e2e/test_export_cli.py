"""`newsdigest build`, `digests` and `check`, run as real subprocesses on a real library."""

from __future__ import annotations

import email
import email.policy
import zipfile
from pathlib import Path

import pytest
from conftest import LISTING, run_cli
from helpers.digest_samples import sample_theme

from composer.digest.model import Section, make_digest
from composer.theme.model import merge_theme

pytestmark = pytest.mark.slow


@pytest.fixture
def library(library_path: Path) -> Path:
    assert run_cli("import", str(LISTING), library=library_path).returncode == 0
    from store import open_library

    lib = open_library(library_path)
    try:
        lib.update_settings(merge_theme(lib.settings(), sample_theme().to_settings()))
        january = [i for i in lib.items() if i.month == "2023-01"]
        digest = make_digest(
            digest_id="d-saved",
            title="Saved digest",
            period="2023-01",
            preheader="Two picks",
            sections=[Section("Picks", (january[0].id, january[1].id))],
        ).touched("2023-02-02T10:00:00+00:00")
        lib.save_digest(digest.to_dict())
    finally:
        lib.close()
    return library_path


def test_build_a_month_to_every_format(library: Path, tmp_path: Path) -> None:
    out = {ext: tmp_path / f"jan.{ext}" for ext in ("html", "txt", "eml", "zip")}
    result = run_cli(
        "build",
        "--month",
        "2023-01",
        "--html",
        str(out["html"]),
        "--text",
        str(out["txt"]),
        "--eml",
        str(out["eml"]),
        "--zip",
        str(out["zip"]),
        library=library,
    )
    assert result.returncode == 0, result.stderr
    assert "6 items in 3 sections, profile plain" in result.stdout
    # the fixture is a listing pasted as text: none of its 6 stories has a link
    assert "preflight: 0 errors, 6 warnings" in result.stdout
    assert result.stdout.count("The item has no link") == 6
    html = out["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "WELLSPRING Project" in html
    assert "PROJECT NEWS" in out["txt"].read_text(encoding="utf-8")
    message = email.message_from_bytes(out["eml"].read_bytes(), policy=email.policy.default)
    assert message.get_content_type() == "multipart/alternative"
    with zipfile.ZipFile(out["zip"]) as bundle:
        assert len(bundle.namelist()) == 4


def test_build_a_saved_digest_for_a_mailing_tool(library: Path, tmp_path: Path) -> None:
    target = tmp_path / "saved.html"
    result = run_cli(
        "build",
        "--digest",
        "d-saved",
        "--profile",
        "mailchimp",
        "--title",
        "Our picks",
        "--html",
        str(target),
        library=library,
    )
    assert result.returncode == 0, result.stderr
    html = target.read_text(encoding="utf-8")
    assert 'href="*|UNSUB|*"' in html and "Our picks" in html


def test_build_without_outputs_prints_the_html(library: Path) -> None:
    result = run_cli("build", "--month", "2023-01", library=library)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "info: The email is" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2021-03"], "no items dated in March 2021"),
        (["--month", "March"], "YYYY-MM"),
        (["--digest", "d-nope"], "there is no digest 'd-nope'"),
        (["--month", "2023-01", "--profile", "nope"], "no export profile 'nope'"),
        (["--month", "2023-01", "--html", "/nonexistent-dir/x.html"], "does not exist"),
        ([], "one of the arguments --month --digest is required"),
    ],
)
def test_build_user_errors(library: Path, args: list[str], message: str) -> None:
    result = run_cli("build", *args, library=library)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_digests_lists_saved_digests(library: Path) -> None:
    result = run_cli("digests", library=library)
    assert result.returncode == 0, result.stderr
    assert "d-saved" in result.stdout and "Saved digest" in result.stdout
    assert "2 items" in result.stdout and "1 digest" in result.stdout


def test_check_exit_status(library: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    assert (
        run_cli("build", "--month", "2023-01", "--html", str(good), library=library).returncode == 0
    )
    ok = run_cli("check", str(good), library=library)
    assert ok.returncode == 0, ok.stdout
    assert "preflight: 0 errors" in ok.stdout
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<html><body><a href='javascript:alert(1)'>x</a><img src='a.png'></body></html>",
        encoding="utf-8",
    )
    result = run_cli("check", str(bad), library=library)
    assert result.returncode == 1
    assert "error: A link uses javascript:" in result.stdout
    assert "error: There is no unsubscribe link" in result.stdout
    missing = run_cli("check", str(tmp_path / "none.html"), library=library)
    assert missing.returncode == 1 and "no such file" in missing.stderr
