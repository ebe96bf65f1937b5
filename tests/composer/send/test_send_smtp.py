"""The send engine against real SMTP servers (aiosmtpd on loopback), misbehaving on purpose."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers.send_servers import (
    PASSWORD,
    USER,
    Handler,
    Received,
    smtp_server,
    tls_files,
)
from keyring.backends import fail

from composer.errors import ValidationError
from composer.recipients import Recipient, recipients_from_addresses
from composer.repository import Library
from composer.secrets import ENV_VAR, PasswordStore
from composer.send import (
    FAILED,
    QUEUED,
    SENT,
    UNCERTAIN,
    LibraryJournal,
    MessageFactory,
    PreparedDigest,
    SendJob,
    SendProgress,
    message_id_for,
)
from composer.smtp_settings import SmtpSettings, with_changes

DIGEST_ID = "month-2023-01"


def settings(port: int, **changes: object) -> SmtpSettings:
    base = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "throttle": 0,
        "retry_delay": 0.01,
        "timeout": 5,
        "max_attempts": 4,
    }
    base.update(changes)
    return with_changes(SmtpSettings(), base)


def passwords() -> PasswordStore:
    return PasswordStore(backend=fail.Keyring(), environ={ENV_VAR: PASSWORD})


def readers(count: int, start: int = 0) -> list[Recipient]:
    addresses = [f"reader{n:03d}@example.org" for n in range(start, start + count)]
    return list(recipients_from_addresses(addresses).recipients)


def list_job(prepared: PreparedDigest, smtp: SmtpSettings, library: Library) -> SendJob:
    return SendJob(
        prepared, smtp, journal=LibraryJournal(library, DIGEST_ID), passwords=passwords()
    )


def states(library: Library) -> dict[str, str]:
    return {e["recipient"]: e["state"] for e in library.send_log(DIGEST_ID)}


def check_message(received: Received, address: str) -> None:
    """One recipient alone, the expected parts, a stable Message-ID."""
    assert received.rcpt_tos == [address]
    message = received.message()
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert [a.addr_spec for a in message["To"].addresses] == [address]
    assert message["Cc"] is None and message["Bcc"] is None
    assert message["Message-ID"] == message_id_for(DIGEST_ID, address, "example.org")
    assert message["From"].addresses[0].addr_spec == "newsroom@example.org"
    assert received.mail_from == "newsroom@example.org"
    html = message.get_body(("html",)).get_content()
    assert "WELLSPRING Project" in html


def each_once(handler: Handler, addresses: Sequence[str]) -> None:
    got = handler.by_recipient()
    assert sorted(got) == sorted(addresses)
    for address in addresses:
        assert len(got[address]) == 1, address
        check_message(got[address][0], address)


# -- a good server ---------------------------------------------------------------------------------
def test_list_send_over_starttls_with_login(
    prepared: PreparedDigest, library: Library, tmp_path: Path
) -> None:
    tls = tls_files(tmp_path)
    recipients = readers(12)
    with smtp_server(starttls=tls.server_context, auth=True) as (handler, port):
        smtp = settings(
            port,
            security="starttls",
            user=USER,
            ca_file=str(tls.ca_file),
            reply_to="Press office <press@example.org>",
        )
        job = list_job(prepared, smtp, library)
        seen: list[SendProgress] = []
        report = job.run(job.plan(recipients), seen.append)
    assert report.ok and len(report.sent) == 12, report.lines()
    assert handler.logins and set(handler.logins) == {USER}
    each_once(handler, [r.address for r in recipients])
    message = handler.messages()[0].message()
    assert str(message["Reply-To"]) == "Press office <press@example.org>"
    # one url shared by everyone: a mailto naming the reader beside it, and no one-click
    assert str(message["List-Unsubscribe"]) == (
        "<https://news.example.org/unsubscribe>, "
        "<mailto:newsroom@example.org?subject=unsubscribe%20reader000@example.org>"
    )
    assert message["List-Unsubscribe-Post"] is None
    log = {e["recipient"]: e for e in library.send_log(DIGEST_ID)}
    assert {e["state"] for e in log.values()} == {SENT}
    first = log[recipients[0].address]
    assert first["code"] == 250 and first["attempts"] == 1
    assert first["queued_at"] <= first["sending_at"] <= first["sent_at"]
    assert first["message_id"] == message_id_for(DIGEST_ID, recipients[0].address, "example.org")
    assert seen[-1].sent == 12 and seen[-1].done == seen[-1].total == 12
    # the password went to the server and nowhere else
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_implicit_tls(prepared: PreparedDigest, tmp_path: Path) -> None:
    tls = tls_files(tmp_path)
    with smtp_server(implicit_tls=tls.server_context) as (handler, port):
        smtp = settings(port, security="tls", ca_file=str(tls.ca_file))
        job = SendJob(prepared, smtp, test=True, passwords=passwords())
        report = job.run(job.plan(readers(2)))
    assert report.ok, report.lines()
    assert len(handler.messages()) == 2


def test_an_untrusted_certificate_stops_before_anything_is_sent(
    prepared: PreparedDigest, library: Library, tmp_path: Path
) -> None:
    tls = tls_files(tmp_path)
    other_ca = tls_files(tmp_path).ca_file  # a CA that did not sign the server's certificate
    with smtp_server(starttls=tls.server_context, auth=True) as (handler, port):
        for ca_file in ("", str(other_ca)):
            smtp = settings(port, security="starttls", user=USER, ca_file=ca_file)
            job = list_job(prepared, smtp, library)
            report = job.run(job.plan(readers(3), retry_uncertain=False))
            assert report.stopped is not None and "could not be verified" in report.stopped
            assert ("--ca-file" in report.stopped) is (ca_file == "")
    assert handler.messages() == [] and handler.logins == []
    assert set(states(library).values()) == {QUEUED}  # resumable once the CA file is named


def test_a_wrong_password_or_missing_starttls_stops_clearly(
    prepared: PreparedDigest, library: Library, tmp_path: Path
) -> None:
    tls = tls_files(tmp_path)
    with smtp_server(starttls=tls.server_context, auth=True) as (handler, port):
        smtp = settings(port, security="starttls", user=USER, ca_file=str(tls.ca_file))
        job = SendJob(
            prepared,
            smtp,
            test=True,
            passwords=PasswordStore(backend=fail.Keyring(), environ={ENV_VAR: "wrong"}),
        )
        report = job.run(job.plan(readers(1)))
        assert report.stopped and "refused the login for user digest-sender" in report.stopped
        assert "535" in report.stopped
    with smtp_server() as (handler, port):  # a server without STARTTLS
        job = SendJob(prepared, settings(port, security="starttls"), test=True)
        report = job.run(job.plan(readers(1)))
        assert report.stopped and "does not offer STARTTLS" in report.stopped
        assert handler.messages() == []


def test_connection_refused_stops_at_once(prepared: PreparedDigest) -> None:
    from helpers.send_servers import free_port

    job = SendJob(prepared, settings(free_port()), test=True)
    seen: list[SendProgress] = []
    report = job.run(job.plan(readers(2)), seen.append)
    assert report.stopped and "cannot connect to 127.0.0.1" in report.stopped
    # at once: no retry was waited for, and no message was tried
    assert not any(p.waiting for p in seen) and report.attempted == 0
    assert report.left_queued == [r.address for r in readers(2)]


# -- refusals, drops, uncertainty ------------------------------------------------------------------
def test_temporary_refusals_are_retried_and_permanent_ones_fail(
    prepared: PreparedDigest, library: Library
) -> None:
    recipients = readers(6)
    greylisted, stubborn, unknown = (r.address for r in recipients[:3])
    handler = Handler()
    handler.temporary = {greylisted: 2, stubborn: 100}
    handler.permanent = {unknown}
    with smtp_server(handler) as (handler, port):
        job = list_job(prepared, settings(port), library)
        events: list[str] = []
        report = job.run(job.plan(recipients), lambda p: p.event and events.append(p.event.state))
    log = {e["recipient"]: e for e in library.send_log(DIGEST_ID)}
    assert log[greylisted]["state"] == SENT and log[greylisted]["attempts"] == 3
    assert log[stubborn]["state"] == FAILED and log[stubborn]["code"] == 451
    assert log[stubborn]["attempts"] == 4 and "gave up after 4 attempts" in log[stubborn]["text"]
    assert log[unknown]["state"] == FAILED and log[unknown]["code"] == 550
    assert log[unknown]["attempts"] == 1 and "No such user" in log[unknown]["text"]
    assert sorted(e.recipient for e in report.failed) == sorted([stubborn, unknown])
    assert "retrying" in events
    delivered = [r.address for r in recipients if r.address not in (stubborn, unknown)]
    each_once(handler, delivered)
    assert not report.ok and report.complete


def test_a_server_that_drops_the_connection_before_data(
    prepared: PreparedDigest, library: Library
) -> None:
    recipients = readers(10)
    handler = Handler()
    handler.drop_before_data_every = 3  # each connection takes 3 messages, then hangs up
    with smtp_server(handler) as (handler, port):
        job = list_job(prepared, settings(port), library)
        report = job.run(job.plan(recipients))
    assert report.ok, report.lines()
    each_once(handler, [r.address for r in recipients])
    assert handler.connections >= 4
    assert set(states(library).values()) == {SENT}


def test_a_drop_after_data_is_uncertain_and_never_resent_by_itself(
    prepared: PreparedDigest, library: Library
) -> None:
    recipients = readers(6)
    handler = Handler()
    handler.drop_after_data_at = {3}  # the server keeps message 3 but never says so
    with smtp_server(handler) as (handler, port):
        job = list_job(prepared, settings(port), library)
        report = job.run(job.plan(recipients))
        lost = recipients[2].address
        assert [e.recipient for e in report.uncertain] == [lost]
        assert states(library)[lost] == UNCERTAIN
        each_once(handler, [r.address for r in recipients])  # it did arrive, once

        resumed = list_job(prepared, settings(port), library)
        plan = resumed.plan(recipients)
        assert plan.to_send == () and plan.uncertain == (lost,)
        report = resumed.run(plan)
        assert report.all_uncertain == [lost] and "--retry-uncertain" in "\n".join(report.lines())
        assert len(handler.messages()) == 6

        # only an explicit choice sends it again: the same Message-ID, recognisably a retry
        again = list_job(prepared, settings(port), library)
        plan = again.plan(recipients, retry_uncertain=True)
        assert [r.address for r in plan.to_send] == [lost]
        assert again.run(plan).ok
    copies = handler.by_recipient()[lost]
    assert len(copies) == 2
    assert copies[0].message()["Message-ID"] == copies[1].message()["Message-ID"]


def test_cancel_stops_after_the_message_in_flight_and_resume_sends_the_rest(
    prepared: PreparedDigest, library: Library
) -> None:
    recipients = readers(9)
    with smtp_server() as (handler, port):
        job = list_job(prepared, settings(port), library)

        def progress(p: SendProgress) -> None:
            if p.sent == 3:
                job.cancel()

        report = job.run(job.plan(recipients), progress)
        assert report.cancelled and len(report.sent) == 3 and len(report.left_queued) == 6
        assert sorted(states(library).values()) == [QUEUED] * 6 + [SENT] * 3

        resumed = list_job(prepared, settings(port), library)
        plan = resumed.plan(None)  # no list given: the log's queued recipients
        assert plan.resumed == 6 and len(plan.already_sent) == 3
        assert resumed.run(plan).ok
    each_once(handler, [r.address for r in recipients])


def test_send_again_to_failed_or_to_all_is_explicit(
    prepared: PreparedDigest, library: Library
) -> None:
    recipients = readers(4)
    handler = Handler()
    handler.permanent = {recipients[0].address}
    with smtp_server(handler) as (handler, port):
        list_job(prepared, settings(port), library).run(
            list_job(prepared, settings(port), library).plan(recipients)
        )
        handler.permanent = set()
        assert list_job(prepared, settings(port), library).plan(recipients).to_send == ()
        job = list_job(prepared, settings(port), library)
        plan = job.plan(recipients, send_again="failed")
        assert [r.address for r in plan.to_send] == [recipients[0].address]
        assert job.run(plan).ok
        each_once(handler, [r.address for r in recipients])
        job = list_job(prepared, settings(port), library)
        assert job.run(job.plan(recipients, send_again="all")).ok
    assert all(len(v) == 2 for v in handler.by_recipient().values())


def test_a_recipient_removed_from_the_list_is_not_sent_on_resume(
    prepared: PreparedDigest, library: Library
) -> None:
    recipients = readers(5)
    with smtp_server() as (handler, port):
        job = list_job(prepared, settings(port), library)
        job.run(job.plan(recipients), lambda p: p.sent == 2 and job.cancel())
        shorter = [r for r in recipients if r.address != recipients[4].address]
        resumed = list_job(prepared, settings(port), library)
        plan = resumed.plan(shorter)
        assert plan.not_in_list == 1 and len(plan.to_send) == 2
        resumed.run(plan)
    assert recipients[4].address not in handler.by_recipient()
    assert len(handler.messages()) == 4


def test_the_throttle_spaces_messages_and_estimates_the_time_left(
    prepared: PreparedDigest,
) -> None:
    seen: list[SendProgress] = []
    with smtp_server() as (_, port):
        job = SendJob(prepared, settings(port, throttle=600), test=True)  # one per 0.1 s
        report = job.run(job.plan(readers(5)), seen.append)
    assert report.ok
    # the loop waited for the throttle before each message but the first (what it waits
    # for is reported; how long the machine took is not asserted)
    order = "".join("s" if p.event is not None else "w" for p in seen if p.event or p.waiting)
    assert order.startswith("s") and order.count("s") == 5
    gaps = order.split("s")[1:-1]
    assert len(gaps) == 4 and all(gaps)  # a wait between each two messages
    waits = [p.waiting for p in seen if p.event is None and p.waiting]
    assert all(0 < w <= 0.1 + 1e-6 for w in waits)
    lefts = [p.seconds_left for p in seen if p.event is not None and p.seconds_left is not None]
    assert lefts[0] == pytest.approx(0.4, abs=0.15) and lefts[-1] == 0


# -- the messages ----------------------------------------------------------------------------------
def test_test_messages_are_marked_new_each_time_and_not_logged(
    prepared: PreparedDigest, library: Library
) -> None:
    with smtp_server() as (handler, port):
        for _ in range(2):
            job = SendJob(prepared, settings(port), test=True)
            assert job.run(job.plan(readers(1))).ok
    first, second = (r.message() for r in handler.messages())
    assert str(first["Subject"]).startswith("[TEST] Ostmere Centre")
    assert first["Message-ID"] != second["Message-ID"]
    assert library.send_log(DIGEST_ID) == []


def test_headers_are_safe_and_non_ascii_names_are_encoded(prepared: PreparedDigest) -> None:
    import dataclasses

    smtp = settings(25, sender_name="Zentrale für Öffentlichkeitsarbeit")
    factory = MessageFactory(prepared, smtp)
    recipient = recipients_from_addresses(["Jörg Müller <joerg@bücher.de>"]).recipients[0]
    data = factory.build(recipient)
    head = data.split(b"\r\n\r\n", 1)[0].decode("ascii")  # headers are pure ASCII
    assert "=?utf-8?" in head and "xn--bcher-kva.de" in head
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    message = Received("x", [recipient.ascii_address], data).message()
    assert message["To"].addresses[0].display_name == "Jörg Müller"
    assert message["From"].addresses[0].display_name == "Zentrale für Öffentlichkeitsarbeit"

    bad = dataclasses.replace(prepared.digest, title="Digest\r\nBcc: everyone@example.org")
    with pytest.raises(ValidationError, match="line break"):
        MessageFactory(dataclasses.replace(prepared, digest=bad), smtp)


LONG = "https://news.example.org/unsubscribe/" + "x" * 120 + "?list=digest&who=reader"


@pytest.mark.parametrize(
    ("url", "mailto", "expected", "one_click"),
    [
        # a shared url: a mailto naming the reader beside it (to the settings' mailbox,
        # else the theme's mailto, else the sender), and no one-click
        (
            LONG,
            "mailto:unsubscribe@example.org?subject=unsubscribe",
            [LONG, "mailto:unsubscribe@example.org?subject=unsubscribe%20reader000@example.org"],
            False,
        ),
        (
            "http://news.example.org/unsubscribe",
            "",
            [
                "http://news.example.org/unsubscribe",
                "mailto:newsroom@example.org?subject=unsubscribe%20reader000@example.org",
            ],
            False,
        ),
        (
            "mailto:leave@example.org",
            "",
            ["mailto:leave@example.org?subject=unsubscribe%20reader000@example.org"],
            False,
        ),
        (None, "", [], False),
        # a personal url: filled in, one-click only over https
        (
            "https://news.example.org/u/" + "y" * 100 + "?email={email}",
            "",
            ["https://news.example.org/u/" + "y" * 100 + "?email=reader000@example.org"],
            True,
        ),
        (
            "http://news.example.org/leave/{email}",
            "",
            ["http://news.example.org/leave/reader000@example.org"],
            False,
        ),
    ],
)
def test_list_unsubscribe_headers(
    prepared: PreparedDigest, url: str | None, mailto: str, expected: list[str], one_click: bool
) -> None:
    import dataclasses

    from composer.email.render import Links

    links = Links(url, None)
    smtp = settings(25, unsubscribe_mailto=mailto)
    factory = MessageFactory(dataclasses.replace(prepared, links=links), smtp)
    data = factory.build(readers(1)[0])
    message = Received("x", [], data).message()
    value = message["List-Unsubscribe"]
    if not expected:
        assert value is None
    else:
        entries = [e.strip() for e in str(value).split(",")]
        assert entries == [f"<{e}>" for e in expected]  # kept whole, not encoded
        assert b"=?utf-8?q?=3Chttp" not in data
    assert (message["List-Unsubscribe-Post"] is not None) is one_click
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))


def test_message_ids_are_stable_and_distinct() -> None:
    a = message_id_for("d-1", "ann@example.org", "example.org")
    assert a == message_id_for("d-1", "ann@example.org", "example.org")
    assert a != message_id_for("d-1", "bo@example.org", "example.org")
    assert a != message_id_for("d-2", "ann@example.org", "example.org")
    assert email.utils.unquote(a).endswith("@example.org")
