"""Send messages that say what is likely wrong, against real servers on loopback (issue 12).

A port that speaks TLS from the first byte reached with starttls (or none), and
the reverse; a log that holds only ``queued`` entries; a double Ctrl-C then a
resume; the disk filling up while the send log is written.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers.send_servers import (
    ROOT,
    Handler,
    cli_argv,
    free_port,
    loopback_smtp,
    make_library,
    run_cli,
    send_log,
    sender_env,
    smtp_server,
    tls_files,
    write_recipients,
)

from composer.errors import SendError
from composer.send import QUEUED, SmtpConnection, check_connection
from composer.smtp_settings import SmtpSettings, security_warnings, with_changes

DIGEST_ID = "month-2023-01"
MONTH = ("send", "--month", "2023-01")

#: What the sender says on the first Ctrl-C.
STOPPING = "stopping after the message in flight"


def settings(port: int, **extra: object) -> SmtpSettings:
    return with_changes(SmtpSettings(), loopback_smtp(port, **extra))


def start_sender(library: Path, recipients: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_argv(library, *MONTH, "--to-file", str(recipients), "--yes"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=sender_env(),
    )


# -- the wrong security for the port ---------------------------------------------------------------
@pytest.mark.parametrize("security", ["starttls", "none"])
def test_plain_start_against_an_implicit_tls_port_says_it_expects_tls(
    tmp_path: Path, security: str
) -> None:
    """The server waits for a TLS hello and never greets: a short wait, and what to choose."""
    tls = tls_files(tmp_path)
    with smtp_server(implicit_tls=tls.server_context) as (handler, port):
        smtp = settings(port, security=security, ca_file=str(tls.ca_file), timeout=1)
        with pytest.raises(SendError) as caught:
            check_connection(smtp, None)
    assert str(caught.value) == (
        f"127.0.0.1:{port} sent no SMTP greeting within 1 s: it probably expects TLS from the "
        "first byte; choose security tls (implicit TLS) for this port, or use port 587 with "
        "starttls"
    )
    assert handler.messages() == []


def test_a_test_send_to_an_implicit_tls_port_with_starttls_stops_with_the_hint(
    tmp_path: Path,
) -> None:
    tls = tls_files(tmp_path)
    with smtp_server(implicit_tls=tls.server_context) as (handler, port):
        smtp = loopback_smtp(port, security="starttls", ca_file=str(tls.ca_file), timeout=1)
        library = make_library(tmp_path / "library.json", smtp)
        result = run_cli(library, *MONTH, "--test", "ann@example.org")
        assert result.returncode != 0
        assert "timed out" not in result.stdout + result.stderr
        assert (
            f"stopped: 127.0.0.1:{port} sent no SMTP greeting within 1 s: it probably expects "
            "TLS from the first byte; choose security tls (implicit TLS) for this port"
        ) in result.stdout
        assert "Traceback" not in result.stderr
        # the same server with the security it speaks: the message goes
        fixed = run_cli(library, *MONTH, "--test", "ann@example.org", "--security", "tls")
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert len(handler.messages()) == 1


def test_tls_against_a_plain_port_says_it_answered_in_plain_text(tmp_path: Path) -> None:
    tls = tls_files(tmp_path)
    with smtp_server() as (handler, port):
        smtp = settings(port, security="tls", ca_file=str(tls.ca_file))
        with pytest.raises(SendError) as caught:
            check_connection(smtp, None)
        assert str(caught.value) == (
            f"the server at 127.0.0.1:{port} answered in plain text, not TLS: choose security "
            "starttls for this port, or use port 465 with tls"
        )
        library = make_library(tmp_path / "library.json", loopback_smtp(port, security="tls"))
        result = run_cli(
            library, *MONTH, "--test", "ann@example.org", "--ca-file", str(tls.ca_file)
        )
        assert result.returncode != 0
        assert f"the server at 127.0.0.1:{port} answered in plain text" in result.stdout
        assert "Traceback" not in result.stderr
    assert handler.messages() == []


def test_after_the_greeting_the_connection_waits_the_whole_timeout(tmp_path: Path) -> None:
    """The short greeting limit is for the greeting only: replies get the settings' timeout."""
    tls = tls_files(tmp_path)
    for security, kwargs in (("none", {}), ("tls", {"implicit_tls": tls.server_context})):
        with smtp_server(**kwargs) as (_handler, port):
            smtp = settings(port, security=security, ca_file=str(tls.ca_file), timeout=45)
            connection = SmtpConnection(smtp, None)
            connection.open()
            try:
                assert connection._smtp is not None and connection._smtp.sock is not None
                assert connection._smtp.sock.gettimeout() == 45
            finally:
                connection.close()


def test_a_port_and_security_that_do_not_go_together_are_warned_about() -> None:
    host = {"host": "smtp.example.org"}
    implicit = with_changes(SmtpSettings(), {**host, "port": 465, "security": "starttls"})
    (warning,) = security_warnings(implicit)
    assert warning.startswith("port 465 usually expects TLS from the first byte")
    assert "Choose security tls for this port, or port 587 with starttls" in warning
    plain = with_changes(SmtpSettings(), {**host, "port": 587, "security": "tls"})
    (warning,) = security_warnings(plain)
    assert warning.startswith("port 587 usually starts in plain text (STARTTLS)")
    assert "Choose security starttls for this port, or port 465 with tls" in warning
    for port, security in ((465, "tls"), (587, "starttls"), (0, "tls"), (2525, "tls")):
        fine = with_changes(SmtpSettings(), {**host, "port": port, "security": security})
        assert security_warnings(fine) == [], (port, security)


def test_settings_smtp_and_send_warn_about_port_465_with_starttls(tmp_path: Path) -> None:
    library = make_library(tmp_path / "library.json")
    saved = run_cli(library, "settings", "smtp", "--host", "smtp.example.org", "--port", "465")
    assert saved.returncode == 0, saved.stderr
    assert "warning: port 465 usually expects TLS from the first byte" in saved.stdout
    shown = run_cli(library, "settings", "smtp", "--show")
    assert "warning: port 465 usually expects TLS" in shown.stdout
    fixed = run_cli(library, "settings", "smtp", "--security", "tls")
    assert "warning" not in fixed.stdout
    preview = run_cli(
        library, *MONTH, "--test", "ann@example.org", "--dry-run", "--security", "starttls"
    )
    assert preview.returncode == 0, preview.stderr
    assert "  warning: port 465 usually expects TLS" in preview.stdout  # a preflight finding


# -- a log that holds only queued entries ----------------------------------------------------------
def test_a_run_that_sent_nothing_is_not_called_sent_in_part(tmp_path: Path) -> None:
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 2)
    nowhere = free_port()  # nothing listens: the run stops before its first message
    library = make_library(tmp_path / "library.json", loopback_smtp(nowhere))
    first = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
    assert first.returncode == 3, first.stdout + first.stderr
    assert {e["state"] for e in send_log(library, DIGEST_ID).values()} == {QUEUED}

    again = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
    assert again.returncode == 1
    assert (
        "an earlier run of month-2023-01 stopped before sending anything (2 queued); "
        "add --resume to send to them now"
    ) in again.stderr
    assert "sent in part" not in again.stderr

    with smtp_server() as (handler, port):
        resumed = run_cli(
            library, *MONTH, "--to-file", str(recipients), "--resume", "--yes",
            "--smtp-port", str(port),
        )  # fmt: skip
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        assert sorted(handler.by_recipient()) == sorted(addresses)


def test_a_run_that_sent_some_keeps_the_counts(tmp_path: Path) -> None:
    """One sent, then the server drops every connection at the next MAIL: sent in part."""
    handler = Handler()
    handler.drop_before_data_every = 1
    recipients = tmp_path / "recipients.csv"
    write_recipients(recipients, 3)
    with smtp_server(handler) as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port, max_attempts=1))
        first = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
        assert first.returncode == 3, first.stdout + first.stderr
        again = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
    assert again.returncode == 1
    assert (
        "the digest month-2023-01 was already sent in part (1 sent, 1 failed, 1 queued); "
        "add --resume"
    ) in again.stderr
    assert "stopped before sending anything" not in again.stderr
    assert len(handler.messages()) == 1


# -- the disk fills up while the send log is written -----------------------------------------------
def journal_path(library: Path, digest_id: str) -> Path:
    """Where the store appends the digest's journal: ``<library>.sendlogs/<digest>.journal``."""
    from store.send_journal import SendJournal

    resolved = library.resolve()
    return SendJournal(resolved.with_name(resolved.stem + ".sendlogs"), digest_id).journal_path


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_while_writing_the_send_log_stops_clearly(tmp_path: Path) -> None:
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 3)
    with smtp_server() as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port))
        journal = journal_path(library, DIGEST_ID)
        journal.parent.mkdir(parents=True, exist_ok=True)
        journal.symlink_to("/dev/full")  # every write: "No space left on device"
        result = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert (
            f"newsdigest: could not write the send log of digest month-2023-01 ({journal}): "
            "No space left on device. Nothing more was sent"
        ) in result.stderr
        assert "run the same command with --resume" in result.stderr
        assert handler.messages() == []  # the log says nobody was sent: nobody was

        # room again: the same command with --resume sends to everyone, once
        journal.unlink(missing_ok=True)  # the run's compaction may have removed it
        resumed = run_cli(library, *MONTH, "--to-file", str(recipients), "--resume", "--yes")
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
        got = handler.by_recipient()
    assert sorted(got) == sorted(addresses)
    assert all(len(copies) == 1 for copies in got.values())
