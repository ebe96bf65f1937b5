"""`newsdigest send` as a real process against a real SMTP server; killed with SIGKILL, resumed."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.send_servers import (
    PASSWORD,
    ROOT,
    USER,
    Handler,
    cli_argv,
    loopback_smtp,
    make_library,
    read_until,
    run_cli,
    send_log,
    sender_env,
    smtp_server,
    stop,
    tls_files,
    write_recipients,
)
from helpers.waiting import wait_for as _wait_for

from composer.send import QUEUED, SENDING, SENT, UNCERTAIN, message_id_for

#: What the sender says on the first Ctrl-C.
STOPPING = "stopping after the message in flight"

pytestmark = pytest.mark.slow

DIGEST_ID = "month-2023-01"
MONTH = ("send", "--month", "2023-01")


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    with smtp_server() as running:
        yield running


def check_each_once(handler: Handler, addresses: list[str], uncertain: set[str]) -> None:
    """Nobody twice; everyone but the reported uncertain exactly once; the right message."""
    got = handler.by_recipient()
    assert set(got) <= set(addresses)
    for address in addresses:
        copies = got.get(address, [])
        assert len(copies) <= 1, f"{address} got {len(copies)} messages"
        if address not in uncertain:
            assert len(copies) == 1, f"{address} got nothing and is not reported uncertain"
        for received in copies:
            assert received.rcpt_tos == [address]
            message = received.message()
            assert message.get_content_type() == "multipart/alternative"
            assert [p.get_content_type() for p in message.iter_parts()] == [
                "text/plain",
                "text/html",
            ]
            assert [a.addr_spec for a in message["To"].addresses] == [address]
            assert message["Message-ID"] == message_id_for(DIGEST_ID, address, "example.org")


def test_test_send_from_the_command_line(tmp_path: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    library = make_library(tmp_path / "library.json", loopback_smtp(port))
    result = run_cli(library, *MONTH, "--test", "ann@example.org", "Bo <bo@example.org>")
    assert result.returncode == 0, result.stderr
    assert "sent 2 test messages of 2" in result.stdout
    subjects = {str(r.message()["Subject"]) for r in handler.messages()}
    assert len(handler.messages()) == 2 and all(s.startswith("[TEST] ") for s in subjects)
    assert send_log(library, DIGEST_ID) == {}

    bad = run_cli(library, *MONTH, "--test", "not-an-address")
    assert bad.returncode == 1 and "not a valid address" in bad.stderr


def test_a_saved_digest_is_sent_by_its_id(tmp_path: Path, server: tuple[Handler, int]) -> None:
    from composer.digest.model import Section, make_digest
    from store import open_library

    handler, port = server
    path = make_library(tmp_path / "library.json", loopback_smtp(port))
    library = open_library(path)
    try:
        first = library.items()[0]
        digest = make_digest(
            digest_id="d-picks", title="Our picks", sections=[Section("Picks", (first.id,))]
        )
        library.save_digest(digest.to_dict())
    finally:
        library.close()
    result = run_cli(path, "send", "--digest", "d-picks", "--test", "ann@example.org")
    assert result.returncode == 0, result.stderr
    assert str(handler.messages()[0].message()["Subject"]) == "[TEST] Our picks"
    missing = run_cli(path, "send", "--digest", "d-none", "--test", "ann@example.org")
    assert missing.returncode == 1 and "there is no digest 'd-none'" in missing.stderr


def test_a_list_send_asks_for_confirmation_and_refuses_without_a_terminal(
    tmp_path: Path, server: tuple[Handler, int]
) -> None:
    handler, port = server
    library = make_library(tmp_path / "library.json", loopback_smtp(port))
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 5)
    result = run_cli(library, *MONTH, "--to-file", str(recipients), input="y\n")
    assert result.returncode == 1
    assert "Send to 5 recipients?" in result.stderr and "--yes" in result.stderr
    assert handler.messages() == [] and send_log(library, DIGEST_ID) == {}

    result = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
    assert result.returncode == 0, result.stderr
    assert "sent 5 messages of 5" in result.stdout
    check_each_once(handler, addresses, set())

    again = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
    assert again.returncode == 1 and "sent in part" not in again.stderr
    assert (
        "was already sent to everyone on its send log (5 sent); nobody gets it again. "
        "To send it anyway, add --send-again failed|all, or --retry-uncertain"
    ) in again.stderr
    resumed = run_cli(library, *MONTH, "--to-file", str(recipients), "--resume", "--yes")
    assert resumed.returncode == 0 and "Nothing to send" in resumed.stdout
    assert len(handler.messages()) == 5

    # a longer list: the two new readers are named as new, and --resume sends to them only
    longer = tmp_path / "longer.csv"
    more = write_recipients(longer, 7)
    refused = run_cli(library, *MONTH, "--to-file", str(longer), "--yes")
    assert refused.returncode == 1
    assert "was sent before (5 sent), and 2 of this list are new to it; add --resume" in (
        refused.stderr
    )
    resumed = run_cli(library, *MONTH, "--to-file", str(longer), "--resume", "--yes")
    assert resumed.returncode == 0, resumed.stderr
    check_each_once(handler, more, set())


def test_the_preview_lists_bad_entries_and_preflight_errors_block(
    tmp_path: Path, server: tuple[Handler, int]
) -> None:
    handler, port = server
    recipients = tmp_path / "recipients.csv"
    recipients.write_text(
        "email\nann@example.org\nann@EXAMPLE.ORG\nbroken@\nbo@example.org\n", encoding="utf-8"
    )
    library = make_library(tmp_path / "library.json", loopback_smtp(port))
    result = run_cli(library, *MONTH, "--to-file", str(recipients), "--dry-run")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "2 recipients in" in out and "1 duplicate removed" in out and "1 invalid" in out
    assert "line 4: 'broken@'" in out and "line 3: ann@example.org is already on line 2" in out
    assert (
        "List-Unsubscribe for preview@example.org: <https://news.example.org/unsubscribe>, "
        "<mailto:newsroom@example.org?subject=unsubscribe%20preview@example.org> "
        "(shared by every recipient: no one-click; the mailto names the reader)"
    ) in out
    assert "warning: every recipient gets the same unsubscribe url" in out
    assert "dry run: nothing was sent" in out and handler.messages() == []

    # no unsubscribe link in the theme: the preflight reports an error, and a list send stops
    bare = make_library(tmp_path / "bare.json", loopback_smtp(port), unsubscribe_url="")
    blocked = run_cli(bare, *MONTH, "--to-file", str(recipients), "--yes")
    assert blocked.returncode == 1 and "--ignore-preflight-errors" in blocked.stderr
    assert handler.messages() == []


def test_the_server_named_on_the_command_line(tmp_path: Path, server: tuple[Handler, int]) -> None:
    handler, port = server
    library = make_library(tmp_path / "library.json")  # no SMTP settings saved
    argv = ["--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--security", "none"]
    result = run_cli(
        library, *MONTH, "--test", "ann@example.org", *argv, "--from", "Desk <desk@example.org>"
    )
    assert result.returncode == 0, result.stderr
    assert str(handler.messages()[0].message()["From"]) == "Desk <desk@example.org>"

    remote = run_cli(
        library,
        *MONTH,
        "--test",
        "ann@example.org",
        "--smtp-host",
        "smtp.example.org",
        "--security",
        "none",
    )
    assert remote.returncode == 1 and "only allowed for a server on this machine" in remote.stderr


def test_starttls_login_with_the_password_from_the_environment(tmp_path: Path) -> None:
    tls = tls_files(tmp_path)
    with smtp_server(starttls=tls.server_context, auth=True) as (handler, port):
        smtp = loopback_smtp(port, security="starttls", user=USER, ca_file=str(tls.ca_file))
        library = make_library(tmp_path / "library.json", smtp)
        missing = run_cli(library, *MONTH, "--test", "ann@example.org")
        assert missing.returncode == 1 and "NEWSDIGEST_SMTP_PASSWORD" in missing.stderr
        result = run_cli(
            library, *MONTH, "--test", "ann@example.org", NEWSDIGEST_SMTP_PASSWORD=PASSWORD
        )
        assert result.returncode == 0, result.stderr
        assert handler.logins == [USER] and len(handler.messages()) == 1
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def _start_sender(library: Path, recipients: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli_argv(library, *MONTH, "--to-file", str(recipients), "--yes"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=sender_env(),
    )


def test_killed_while_waiting_for_the_reply_then_resumed(tmp_path: Path) -> None:
    """SIGKILL between the end of DATA and the 250: that recipient is uncertain, never resent."""
    handler = Handler()
    handler.hold_at = 8  # the server stores message 8, then keeps its reply back
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 20)
    with smtp_server(handler) as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port))
        proc = _start_sender(library, recipients)
        try:
            _wait_for(handler.holding.is_set)
        finally:
            stop(proc)
        handler.release.set()
        held = addresses[7]
        log = send_log(library, DIGEST_ID)
        assert log[held]["state"] == SENDING  # written before DATA, never confirmed
        assert sum(e["state"] == SENT for e in log.values()) == 7

        result = run_cli(library, *MONTH, "--to-file", str(recipients), "--resume", "--yes")
        # finished, with one recipient uncertain: exit 3, and the count on stderr
        assert result.returncode == 3, result.stderr
        assert "newsdigest: left: 1 uncertain" in result.stderr
        assert "interrupted while sending (the run was stopped or died): 1, now uncertain" in (
            result.stdout
        )
        assert f"uncertain from an earlier run, not sent again: {held}" in result.stdout
        check_each_once(handler, addresses, {held})
        assert len(handler.by_recipient()[held]) == 1  # the server had it: nobody got two
        log = send_log(library, DIGEST_ID)
        assert log[held]["state"] == UNCERTAIN
        assert all(e["state"] == SENT for k, e in log.items() if k != held)

        retried = run_cli(library, *MONTH, "--resume", "--retry-uncertain", "--yes")
        assert retried.returncode == 0, retried.stderr
        copies = handler.by_recipient()[held]
        assert len(copies) == 2  # only because the user chose it; recognisably the same message
        assert copies[0].message()["Message-ID"] == copies[1].message()["Message-ID"]


def test_ctrl_c_lets_the_message_in_flight_finish_then_stops(tmp_path: Path) -> None:
    handler = Handler()
    handler.hold_at = 4
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 10)
    with smtp_server(handler) as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port))
        proc = _start_sender(library, recipients)
        try:
            _wait_for(handler.holding.is_set)
            proc.send_signal(signal.SIGINT)
            said = read_until(proc.stderr, STOPPING)  # the sender still waits for reply 4
            handler.release.set()
            out, err = proc.communicate(timeout=30)
            err = said + err
        finally:
            stop(proc)
        assert proc.returncode == 130, err  # interrupted
        assert "stopping after the message in flight" in err
        assert "newsdigest: left: 6 still queued" in err
        assert "cancelled: 6 still queued" in out
        log = send_log(library, DIGEST_ID)
        assert [log[a]["state"] for a in addresses] == [SENT] * 4 + [QUEUED] * 6
        assert len(handler.messages()) == 4

        result = run_cli(library, *MONTH, "--resume", "--yes")
        assert result.returncode == 0, result.stderr
        check_each_once(handler, addresses, set())


@pytest.mark.parametrize("after", [3, 11])
def test_killed_at_any_moment_then_resumed(tmp_path: Path, after: int) -> None:
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 25)
    with smtp_server() as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port, throttle=1200))
        proc = _start_sender(library, recipients)
        try:
            _wait_for(lambda: len(handler.messages()) >= after)
        finally:
            stop(proc)
        assert len(handler.messages()) < 25
        result = run_cli(library, *MONTH, "--to-file", str(recipients), "--resume", "--yes")
        log = send_log(library, DIGEST_ID)
        uncertain = {k for k, e in log.items() if e["state"] == UNCERTAIN}
        # 0 when the kill fell between messages; 3, with the count, when one was in flight
        assert result.returncode == (3 if uncertain else 0), result.stdout + result.stderr
        if uncertain:
            assert f"newsdigest: left: {len(uncertain)} uncertain" in result.stderr
        assert all(e["state"] in (SENT, UNCERTAIN) for e in log.values())
        for address in uncertain:
            assert address in result.stdout  # reported, for the user to decide
        check_each_once(handler, addresses, uncertain)


def test_the_same_month_saved_as_another_digest_is_not_sent_to_everyone_again(
    tmp_path: Path, server: tuple[Handler, int]
) -> None:
    from helpers.digest_samples import january_items, sample_theme

    from composer.digest.drafting import draft_digest
    from store import open_library

    handler, port = server
    library = make_library(tmp_path / "library.json", loopback_smtp(port))
    recipients = tmp_path / "list.csv"
    addresses = write_recipients(recipients, 4)
    first = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
    assert first.returncode == 0, first.stderr
    # the same January news, saved in the window under its own id
    opened = open_library(library)
    try:
        saved = draft_digest(january_items(), "2023-01", sample_theme(), digest_id="d-window")
        opened.save_digest(saved.to_dict())
    finally:
        opened.close()
    again = run_cli(library, "send", "--digest", "d-window", "--to-file", str(recipients), "--yes")
    assert again.returncode == 1
    assert "already sent as another digest" in again.stdout + again.stderr
    assert "month-2023-01" in again.stdout + again.stderr
    assert len(handler.messages()) == 4  # nobody got it twice
    # a deliberate choice still can
    forced = run_cli(
        library,
        "send",
        "--digest",
        "d-window",
        "--to-file",
        str(recipients),
        "--yes",
        "--ignore-preflight-errors",
    )
    assert forced.returncode == 0, forced.stderr
    assert sorted(handler.by_recipient()) == sorted(addresses)
    assert len(handler.messages()) == 8


def test_send_theme_chooses_the_layout_for_this_run(
    tmp_path: Path, server: tuple[Handler, int]
) -> None:
    handler, port = server
    library = make_library(tmp_path / "library.json", loopback_smtp(port))
    help_text = run_cli(library, "send", "--help").stdout
    assert "--theme NAME" in help_text
    assert all(name in help_text for name in ("classic", "magazine", "briefing"))
    bodies = {}
    for name in ("classic", "briefing"):
        result = run_cli(library, *MONTH, "--test", "ann@example.org", "--theme", name)
        assert result.returncode == 0, result.stderr
        bodies[name] = handler.messages()[-1].message().get_body(("html",)).get_content()
    assert bodies["classic"] != bodies["briefing"]
    wrong = run_cli(library, *MONTH, "--test", "ann@example.org", "--theme", "gothic")
    assert wrong.returncode == 1 and "invalid choice: 'gothic'" in wrong.stderr
    assert len(handler.messages()) == 2


def test_a_list_send_before_setup_says_it_is_not_ready_and_sends_nothing(
    tmp_path: Path, server: tuple[Handler, int]
) -> None:
    handler, port = server
    recipients = tmp_path / "recipients.csv"
    recipients.write_text("email\nann@example.org\n", encoding="utf-8")
    library = make_library(
        tmp_path / "library.json", loopback_smtp(port), organisation="", postal_address=""
    )
    preview = run_cli(library, *MONTH, "--to-file", str(recipients), "--dry-run")
    assert "This email is not ready to send" in preview.stdout + preview.stderr
    blocked = run_cli(library, *MONTH, "--to-file", str(recipients), "--yes")
    assert blocked.returncode == 1
    assert "not ready to send" in blocked.stdout + blocked.stderr
    assert handler.messages() == []
    # a test send is how a theme being set up is checked: it goes
    test = run_cli(library, *MONTH, "--test", "ann@example.org")
    assert test.returncode == 0, test.stderr


def test_exit_status_of_a_list_with_no_valid_address_and_of_failed_recipients(
    tmp_path: Path,
) -> None:
    handler = Handler()
    handler.permanent = {"bo@example.org"}
    with smtp_server(handler) as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port))
        nobody = tmp_path / "nobody.txt"
        nobody.write_text("not an address\nalso@\n", encoding="utf-8")
        empty = run_cli(library, *MONTH, "--to-file", str(nobody), "--yes")
        assert empty.returncode == 1  # nothing valid to send is an error
        assert "has no valid address to send to; 2 rejected:\n  line 1: 'not an address'" in (
            empty.stderr
        )
        assert "  line 2: 'also@'" in empty.stderr and "more" not in empty.stderr
        assert handler.messages() == []
        # the error itself lists them (the first 10), with --dry-run too, which it never names
        many = tmp_path / "many.txt"
        many.write_text("".join(f"bad{n}@\n" for n in range(1, 13)), encoding="utf-8")
        preview = run_cli(library, *MONTH, "--to-file", str(many), "--dry-run")
        assert preview.returncode == 1
        assert "12 rejected:" in preview.stderr and "--dry-run" not in preview.stderr
        assert "  line 10: 'bad10@'" in preview.stderr and "line 11" not in preview.stderr
        assert "  … and 2 more" in preview.stderr

        # a test send has no queue: who did not get it is "not sent"
        test = run_cli(library, *MONTH, "--test", "bo@example.org")
        assert test.returncode == 3, test.stdout + test.stderr
        assert "newsdigest: not sent: 1" in test.stderr and "left:" not in test.stderr

        some = tmp_path / "some.txt"
        some.write_text("ann@example.org\nbo@example.org\n", encoding="utf-8")
        failed = run_cli(library, *MONTH, "--to-file", str(some), "--yes")
        assert failed.returncode == 3, failed.stdout + failed.stderr  # finished, one failed
        assert "newsdigest: left: 1 failed" in failed.stderr
        # nothing left to send, but the failed one is still failed: 3 again, with its count
        again = run_cli(library, *MONTH, "--to-file", str(some), "--resume", "--yes")
        assert again.returncode == 3 and "left: 1 failed" in again.stderr


def test_ctrl_c_twice_stops_at_once_with_exit_130(tmp_path: Path) -> None:
    """The second Ctrl-C does not wait for the reply the server still owes, nor for QUIT's;
    the message in flight is uncertain on resume, and nobody gets two copies."""
    handler = Handler()
    handler.hold_at = 3
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 8)
    with smtp_server(handler) as (handler, port):
        library = make_library(tmp_path / "library.json", loopback_smtp(port, timeout=60))
        proc = _start_sender(library, recipients)
        try:
            _wait_for(handler.holding.is_set)
            proc.send_signal(signal.SIGINT)
            said = read_until(proc.stderr, STOPPING)  # the first Ctrl-C is handled
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=20)  # well before the 60 s socket timeout
            err = said + err
        finally:
            handler.release.set()
            stop(proc)
        assert proc.returncode == 130, (out, err)
        assert "Traceback" not in err and "interrupted" in err
        log = send_log(library, DIGEST_ID)
        states = [log[a]["state"] for a in addresses]
        assert states[:2] == [SENT, SENT] and states[3:] == [QUEUED] * 5
        assert states[2] == SENDING  # in flight when stopped: reported uncertain on resume

        held = addresses[2]
        resumed = run_cli(library, *MONTH, "--to-file", str(recipients), "--resume", "--yes")
        assert resumed.returncode == 3, resumed.stdout + resumed.stderr
        assert "newsdigest: left: 1 uncertain" in resumed.stderr
        assert f"uncertain from an earlier run, not sent again: {held}" in resumed.stdout
        got = handler.by_recipient()
    assert sorted(got) == sorted(addresses)
    assert all(len(copies) == 1 for copies in got.values())  # the held one too: the server had it
    log = send_log(library, DIGEST_ID)
    assert log[held]["state"] == UNCERTAIN
    assert all(e["state"] == SENT for key, e in log.items() if key != held)
