"""The send job's own rules: the digest's send lock, planning again under it, the measured pace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.digest_samples import january_items, sample_theme
from helpers.send_servers import PASSWORD, make_library, smtp_server
from keyring.backends import fail

from composer.digest.drafting import draft_digest
from composer.errors import SendLockedError
from composer.recipients import Recipient, recipients_from_addresses
from composer.repository import Holder, Library
from composer.secrets import ENV_VAR, PasswordStore
from composer.send import SENT, LibraryJournal, PreparedDigest, SendJob, job_for, prepare_digest
from composer.send.pace import MIN_MESSAGES, PACE_KEY, measured_pace, remember_pace
from composer.smtp_settings import SmtpSettings, smtp_from_settings, with_changes
from store import open_library

DIGEST_ID = "month-2023-01"


@pytest.fixture(scope="module")
def prepared() -> PreparedDigest:
    theme = sample_theme()
    items = january_items()
    digest = draft_digest(items, "2023-01", theme, digest_id=DIGEST_ID)
    return prepare_digest(digest, {i.id: i for i in items}, theme)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = open_library(make_library(tmp_path / "library.json"))
    yield lib
    lib.close()


def settings(port: int) -> SmtpSettings:
    return with_changes(
        SmtpSettings(),
        {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0, "timeout": 5},
    )


def readers(count: int) -> list[Recipient]:
    addresses = [f"reader{n:03d}@example.org" for n in range(count)]
    return list(recipients_from_addresses(addresses).recipients)


def job(prepared: PreparedDigest, smtp: SmtpSettings, library: Library, **extra: object) -> SendJob:
    passwords = PasswordStore(backend=fail.Keyring(), environ={ENV_VAR: PASSWORD})
    return SendJob(
        prepared,
        smtp,
        journal=LibraryJournal(library, DIGEST_ID),
        passwords=passwords,
        **extra,  # type: ignore[arg-type]
    )


def test_a_run_planned_before_another_sent_leaves_out_whoever_that_one_dealt_with(
    prepared: PreparedDigest, library: Library
) -> None:
    with smtp_server() as (handler, port):
        first, second = (
            job(prepared, settings(port), library),
            job(prepared, settings(port), library),
        )
        plan_first, plan_second = first.plan(readers(12)), second.plan(readers(12))
        assert len(plan_second.to_send) == 12  # planned before anything was sent
        assert first.run(plan_first).ok
        report = second.run(plan_second)
    assert report.sent == [] and report.dealt_elsewhere == 12 and report.total == 0
    assert "dealt with by another run" in "\n".join(report.lines())
    got = handler.by_recipient()
    assert sorted(got) == [r.key for r in readers(12)]
    assert all(len(copies) == 1 for copies in got.values())


def test_a_run_is_refused_while_another_holds_the_digest_and_sends_nothing(
    prepared: PreparedDigest, library: Library
) -> None:
    other = Holder("window")  # this process: a live holder, as the window would be
    with smtp_server() as (handler, port):
        running = job(prepared, settings(port), library)
        plan = running.plan(readers(3))
        with (
            library.send_lock(DIGEST_ID, other),
            pytest.raises(SendLockedError, match=f"the Newsdigest window \\(process {os.getpid()}"),
        ):
            running.run(plan)
        assert handler.messages() == []
        assert library.send_log(DIGEST_ID) == []
        assert running.run(plan).ok  # the lock went with its holder
    assert len(handler.messages()) == 3


def test_a_run_too_short_to_measure_keeps_no_pace(
    prepared: PreparedDigest, library: Library
) -> None:
    with smtp_server() as (_handler, port):
        smtp = settings(port)
        sender = job(prepared, smtp, library)
        assert sender.preflight(sender.plan(readers(5))).pace is None
        report = sender.run(sender.plan(readers(MIN_MESSAGES - 1)))
    assert report.ok and report.attempted == MIN_MESSAGES - 1 and report.busy > 0
    remember_pace(library, smtp, report)
    assert PACE_KEY not in library.settings()
    assert measured_pace(library.settings(), smtp) is None


def test_a_measured_pace_is_what_the_next_preflight_estimates_with(
    prepared: PreparedDigest, library: Library
) -> None:
    digest = prepared.digest
    library.save_digest(digest.to_dict())
    with smtp_server() as (_handler, port):
        library.update_settings(
            {"smtp": {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0}}
        )
        smtp = smtp_from_settings(library.settings())
        first = job_for(library, digest, passwords=PasswordStore(backend=fail.Keyring()))
        assert first.pace is None
        report = first.run(first.plan(readers(MIN_MESSAGES + 10)))
        assert report.ok
        remember_pace(library, smtp, report)
    again = job_for(library, digest, passwords=PasswordStore(backend=fail.Keyring()))
    assert again.pace == pytest.approx(report.busy / report.attempted, rel=1e-3)
    recipients = recipients_from_addresses([f"new{n}@example.org" for n in range(1000)])
    preflight = again.preflight(again.plan(recipients.recipients), recipients)
    assert preflight.estimate == pytest.approx(1000 * again.pace, rel=1e-6)
    assert any("on the last send to this server" in line for line in preflight.lines())
    states = {e["state"] for e in library.send_log(DIGEST_ID)}
    assert states == {SENT}
