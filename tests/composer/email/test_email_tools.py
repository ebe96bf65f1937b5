"""Issue #11's "Done when", checked with tools nobody here wrote, on every shipped theme.

The sample library is built in every theme ``newsdigest build --theme`` offers
(:mod:`tools.email_checks.emails`), then each check of ``make email-checks``
runs on it: ``newsdigest check``, SpamAssassin with local rules, axe-core in
headless Chromium, doiuse-email over the caniemail data against the same digest
compiled with MJML, and the Nu validator. A check whose tool is not installed is
skipped with the reason (``make email-checks`` installs them: SpamAssassin and
Chromium are Debian packages, the rest npm packages in ``tools/email_checks``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import ROOT

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.email_checks import checks, tools_setup
from tools.email_checks.emails import Email, build_emails, shipped_themes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("email-checks")


@pytest.fixture(scope="module")
def emails(work: Path) -> list[Email]:
    return build_emails(work, shipped_themes(), sources=("sample",))


def need(find: object) -> None:
    """Skip the test when the tool ``find`` looks for is not installed (never installs)."""
    try:
        find()  # type: ignore[operator]
    except tools_setup.Missing as missing:
        pytest.skip(f"not installed: {missing}; `make email-checks` installs it")


def failures(results: dict[str, checks.Result]) -> list[str]:
    return [
        f"{label}: {r.summary}: {list(r.details)}"
        for label, r in results.items()
        if r.status != "pass"
    ]


def test_every_shipped_theme_is_built_for_the_sample(emails: list[Email]) -> None:
    themes = shipped_themes()
    assert sorted({e.theme for e in emails}) == sorted(themes)
    for email in emails:
        assert email.html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
        headers = email.eml.read_bytes().split(b"\r\n\r\n", 1)[0]
        assert re.search(rb"(?m)^Subject: \S", headers)
        assert "<mj-section" in email.mjml.read_text(encoding="utf-8")


def test_newsdigest_check_finds_no_errors(emails: list[Email], work: Path) -> None:
    results = checks.preflight(emails, work)
    assert failures(results) == []


def test_spamassassin_with_local_rules_scores_zero(emails: list[Email], work: Path) -> None:
    need(tools_setup.find_spamassassin)
    results = checks.spamassassin(emails, work)
    assert failures(results) == []
    for result in results.values():
        assert result.summary.split()[0] in ("0", "-0")


def test_axe_core_in_chromium_finds_nothing_serious_or_critical(
    emails: list[Email], work: Path
) -> None:
    need(tools_setup.find_node)
    need(tools_setup.find_chromium)
    results = checks.axe(emails, work)
    assert [r.summary for r in results.values() if r.status == "not run"] == []
    assert failures(results) == []


def test_caniemail_findings_are_no_more_than_mjml_s(emails: list[Email], work: Path) -> None:
    need(tools_setup.find_node)
    results = checks.caniemail(emails, work)
    assert [r.summary for r in results.values() if r.status == "not run"] == []
    assert failures(results) == []
    for result in results.values():
        assert result.details[0].startswith("data: ")


def test_nu_validator_errors_are_only_email_idioms(emails: list[Email], work: Path) -> None:
    need(tools_setup.find_node)
    need(tools_setup.find_java)
    results = checks.nu_validator(emails, work)
    assert [r.summary for r in results.values() if r.status == "not run"] == []
    unexpected = [
        f"{label}: {line}"
        for label, result in results.items()
        for line in result.details
        if line.endswith("[not an email idiom]")
    ]
    assert unexpected == []


def test_a_missing_tool_is_reported_as_not_run_with_the_reason(
    emails: list[Email], work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no spamassassin on it
    results = checks.spamassassin(emails, work, install=False)
    assert {r.status for r in results.values()} == {"not run"}
    assert all("spamassassin" in r.summary for r in results.values())


def test_spamassassin_report_is_read_with_its_rules() -> None:
    report = (
        "Content analysis details:   (1.9 points, 5.0 required)\n\n"
        " pts rule name              description\n"
        "---- ---------------------- --------------------------------------------------\n"
        "-0.0 NO_RECEIVED            Informational: message has no Received headers\n"
        " 0.9 MISSING_HEADERS        Missing To: header\n"
        " 1.0 FONT_INVIS_MSGID       Invisible text + suspicious message ID\n"
    )
    score, rules = checks.spam_score(report)
    assert score == 1.9
    assert [(p, r) for p, r, _ in rules if p] == [
        (0.9, "MISSING_HEADERS"),
        (1.0, "FONT_INVIS_MSGID"),
    ]
    with pytest.raises(ValueError, match="Content analysis details"):
        checks.spam_score("not a report")
