"""Sending from the window against a real SMTP server on loopback (aiosmtpd).

The sending settings dialog (checks as typed, password to the keychain and never
into the library, a real connection test over STARTTLS with login), the test
send, and the Send dialog: the count and the preflight summary, the
confirmation naming the count, progress, failures per recipient, Cancel that
lets the message in flight finish, Resume, Retry uncertain, and closing the
window mid-send. The sends run on the real worker thread.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, window_factory  # noqa: E402
from helpers.send_servers import (  # noqa: E402
    PASSWORD,
    USER,
    Handler,
    MemoryKeyring,
    make_library,
    send_log,
    smtp_server,
    tls_files,
)
from PySide6.QtCore import QAbstractItemModel  # noqa: E402
from PySide6.QtTest import QAbstractItemModelTester  # noqa: E402

from composer.secrets import SERVICE, PasswordStore  # noqa: E402
from composer.send import message_id_for  # noqa: E402
from composer.smtp_settings import smtp_from_settings  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.send_dialog import SendDialog  # noqa: E402
from ui.send_log_model import SendLogModel  # noqa: E402

RECIPIENTS = [f"reader{n}@example.org" for n in range(5)]


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def server():
    with smtp_server() as running:
        yield running


def smtp(port: int, **changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "throttle": 0,
        "retry_delay": 0.05,
        "timeout": 5,
        "max_attempts": 3,
    }
    base.update(changes)
    return base


def open_window(
    windows: Windows, port: int | None, keychain: MemoryKeyring | None = None
) -> MainWindow:
    path = make_library(windows.folder / "library.json", smtp(port) if port else None)
    passwords = PasswordStore(backend=keychain or MemoryKeyring(), environ={})
    window = windows.open(path, passwords=passwords)
    assert window.digests.draft_from_month("2023-01") is not None
    return window


def wait_done(qtbot, dialog: SendDialog, timeout: int = 20_000) -> None:
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.running, timeout=timeout)


def list_dialog(window: MainWindow) -> SendDialog:
    """The Send dialog with the five readers pasted, and "yes" to its confirmation."""
    dialog = window.sending.send()
    assert dialog is not None and not dialog.test
    dialog.confirm = lambda title, text: True
    dialog.pasted.setPlainText("\n".join(RECIPIENTS))
    return dialog


def one_each(handler: Handler) -> dict[str, int]:
    return {address: len(got) for address, got in handler.by_recipient().items()}


# -- the model -------------------------------------------------------------------------------------
def test_send_log_model_passes_qt_model_checks(qtbot):
    from composer.send import SendEvent

    model = SendLogModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.reset(
        [
            {"recipient": "b@example.org", "state": "queued", "queued_at": "2"},
            {"recipient": "a@example.org", "state": "sent", "code": 250, "queued_at": "1"},
        ]
    )
    assert model.rowCount() == 2
    assert model.index(0, 0).data() == "a@example.org"  # oldest first
    assert model.index(0, 2).data() == "250"
    model.apply(SendEvent("b@example.org", "failed", 550, "No such user"))
    model.apply(SendEvent("c@example.org", "sent", 250, "OK"))
    assert model.state_of("b@example.org") == "failed"
    assert model.index(1, 2).data() == "550 No such user"
    assert model.rowCount() == 3 and model.recipients_in("sent") == [
        "a@example.org",
        "c@example.org",
    ]
    assert isinstance(model, QAbstractItemModel)


# -- settings --------------------------------------------------------------------------------------
def test_settings_dialog_checks_saves_and_keeps_the_password_in_the_keychain(qtbot, windows):
    keychain = MemoryKeyring()
    window = open_window(windows, None, keychain)
    dialog = window.sending.show_settings()
    dialog.set_value("host", "smtp.example.org")
    dialog.set_value("security", "none")
    dialog.check()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    assert "only allowed for a server on this machine" in dialog.error.text()
    dialog.set_value("security", "starttls")
    dialog.set_value("user", "ann")
    dialog.set_value("sender_address", "not an address")
    dialog.check()
    assert not ok.isEnabled() and "sender address" in dialog.error.text().lower()
    dialog.set_value("sender_address", "news@example.org")
    dialog.set_value("throttle", 30)
    dialog.password.setText("pässword-typed")
    assert dialog.check() is not None and ok.isEnabled()
    dialog.accept()
    qtbot.waitUntil(lambda: window.sending.settings_dialog is None)

    stored = smtp_from_settings(window.library.settings())
    assert (stored.host, stored.user, stored.throttle) == ("smtp.example.org", "ann", 30)
    assert keychain.store == {(SERVICE, "ann@smtp.example.org:587"): "pässword-typed"}
    assert "keychain" in window.statusBar().currentMessage()
    on_disk = Path(window.library.location).read_bytes()  # every write is durable at once
    assert b"smtp.example.org" in on_disk
    assert "pässword".encode() not in on_disk


def test_settings_dialog_tests_the_connection_over_starttls_with_login(qtbot, windows, tmp_path):
    tls = tls_files(tmp_path)
    with smtp_server(starttls=tls.server_context, auth=True) as (handler, port):
        window = open_window(windows, None)
        dialog = window.sending.show_settings()
        for name, value in smtp(port, security="starttls", user=USER).items():
            dialog.set_value(name, value)
        dialog.set_value("ca_file", str(tls.ca_file))
        dialog.password.setText("wrong")
        with qtbot.waitSignal(dialog.checked, timeout=15_000) as refused:
            dialog.test_connection()
        assert refused.args[0] is False and "refused the login" in refused.args[1]
        dialog.password.setText(PASSWORD)
        with qtbot.waitSignal(dialog.checked, timeout=15_000) as accepted:
            dialog.test_connection()
        assert accepted.args[0] is True, accepted.args[1]
        assert f"logged in as {USER}" in dialog.connection_result.text()
        assert handler.logins == [USER] and handler.messages() == []  # nothing was sent
        dialog.reject()


def test_send_without_a_server_opens_the_settings_instead(qtbot, windows):
    window = open_window(windows, None)
    assert window.sending.send() is None
    assert window.sending.settings_dialog is not None
    assert "SMTP server" in window.sending.settings_dialog.connection_result.text()
    window.sending.settings_dialog.reject()


# -- test send -------------------------------------------------------------------------------------
def test_send_test_from_the_window(qtbot, windows, server):
    handler, port = server
    window = open_window(windows, port)
    dialog = window.sending.send_test()
    assert dialog is not None and dialog.test
    dialog.addresses.setText("me@example.org, colleague@example.org, nonsense")
    dialog.refresh()
    assert "invalid" in dialog.summary.toPlainText()
    dialog.addresses.setText("me@example.org, colleague@example.org")
    dialog.refresh()
    assert dialog.send_button.text().replace("&", "") == "Send 2 tests"
    assert dialog.send()
    wait_done(qtbot, dialog)
    assert dialog.report is not None and dialog.report.ok
    assert one_each(handler) == {"me@example.org": 1, "colleague@example.org": 1}
    message = handler.messages()[0].message()
    assert message["Subject"].startswith("[TEST] ")
    assert message.get_content_type() == "multipart/alternative"
    assert "Sent 2 test messages" in window.statusBar().currentMessage()
    # the addresses are offered again next time
    dialog.close()
    again = window.sending.send_test()
    assert again is not None and "colleague@example.org" in again.addresses.text()
    again.close()


# -- list send -------------------------------------------------------------------------------------
def test_send_dialog_counts_confirms_sends_and_reports_each_recipient(qtbot, windows, server):
    handler, port = server
    handler.permanent.add(RECIPIENTS[1])
    handler.temporary[RECIPIENTS[2]] = 1  # greylisted once, then accepted
    window = open_window(windows, port)
    dialog = window.sending.send()
    assert dialog is not None and not dialog.test
    asked: list[str] = []
    dialog.confirm = lambda title, text: asked.append(text) or True
    pasted = "\n".join([*RECIPIENTS, "Broken <not-an-address>", RECIPIENTS[0].upper()])
    dialog.pasted.setPlainText(pasted)
    dialog.refresh()
    summary = dialog.summary.toPlainText()
    assert "5 recipients in the pasted list; 1 duplicate removed; 1 invalid" in summary
    assert "not-an-address" in summary
    assert "List-Unsubscribe" in summary and "preflight:" in summary
    assert dialog.send_button.text().replace("&", "") == "Send to 5 recipients…"
    assert dialog.send()
    assert asked and asked[0].startswith("Send to 5 recipients?")
    wait_done(qtbot, dialog)

    report = dialog.report
    assert report is not None and report.complete and not report.ok
    assert one_each(handler) == {a: 1 for a in RECIPIENTS if a != RECIPIENTS[1]}
    for received in handler.messages():
        assert received.message().get_content_type() == "multipart/alternative"
        assert len(received.rcpt_tos) == 1  # the list is never exposed
    assert dialog.log_model.state_of(RECIPIENTS[1]) == "failed"
    assert dialog.log_model.state_of(RECIPIENTS[2]) == "sent"
    assert "550" in dialog.summary.toPlainText()
    assert dialog.bar.value() == 5
    digest_id = window.document.digest.id
    on_disk = send_log(Path(window.library.location), digest_id)
    assert {k: v["state"] for k, v in on_disk.items()} == {
        a: ("failed" if a == RECIPIENTS[1] else "sent") for a in RECIPIENTS
    }
    assert dialog.failed_button.isVisible()
    assert dialog.failed_button.text().replace("&", "") == "Send again to failed (1)"
    assert not dialog.resume_button.isVisible() and not dialog.uncertain_button.isVisible()

    # opening the dialog again shows the log, and nobody is sent it twice
    dialog.close()
    again = window.sending.send()
    assert again is not None
    assert "4 sent" in again.history.text() and "1 failed" in again.history.text()
    assert again.log_model.rowCount() == 5
    again.pasted.setPlainText("\n".join(RECIPIENTS))
    again.refresh()
    assert again.send_button.text().replace("&", "") == "Send to 0 recipients…"
    assert not again.send_button.isEnabled()
    # the explicit choice: send again to the failed one (now accepted)
    handler.permanent.clear()
    again.confirm = lambda title, text: True
    again.send_again.setCurrentIndex(again.send_again.findData("failed"))
    again.refresh()
    assert again.send()
    wait_done(qtbot, again)
    assert one_each(handler) == dict.fromkeys(RECIPIENTS, 1)
    again.close()


def test_no_confirmation_no_send(qtbot, windows, server):
    handler, port = server
    window = open_window(windows, port)
    dialog = window.sending.send()
    assert dialog is not None
    dialog.confirm = lambda title, text: False
    dialog.pasted.setPlainText("\n".join(RECIPIENTS))
    assert dialog.send() is False
    assert not dialog.running and handler.messages() == []
    assert send_log(Path(window.library.location), window.document.digest.id) == {}
    dialog.close()


def test_cancel_finishes_the_message_in_flight_and_resume_sends_the_rest(qtbot, windows, server):
    handler, port = server
    handler.hold_at = 2  # the server holds its reply to the second message
    window = open_window(windows, port)
    dialog = list_dialog(window)
    assert dialog.send()
    assert handler.holding.wait(15)
    assert dialog.cancel_button.isVisible()
    dialog.cancel()
    handler.release.set()
    wait_done(qtbot, dialog)
    report = dialog.report
    assert report is not None and report.cancelled
    assert report.sent == RECIPIENTS[:2]  # the message in flight finished
    assert report.left_queued == RECIPIENTS[2:]
    assert dialog.resume_button.isVisible()
    assert dialog.resume_button.text().replace("&", "") == "Resume (3 queued)"
    assert dialog.send_follow_up()
    wait_done(qtbot, dialog)
    assert one_each(handler) == dict.fromkeys(RECIPIENTS, 1)
    assert not dialog.resume_button.isVisible()
    dialog.close()


def test_uncertain_recipients_are_retried_only_when_asked(qtbot, windows, server):
    handler, port = server
    handler.drop_after_data_at = {2}  # message 2 reaches the server, its reply never does
    window = open_window(windows, port)
    dialog = list_dialog(window)
    assert dialog.send()
    wait_done(qtbot, dialog)
    assert dialog.log_model.state_of(RECIPIENTS[1]) == "uncertain"
    assert one_each(handler) == dict.fromkeys(RECIPIENTS, 1)
    assert dialog.uncertain_button.isVisible()
    assert dialog.uncertain_button.text().replace("&", "") == "Retry uncertain (1)"
    # a plain resume does not send to it again
    dialog.pasted.setPlainText("\n".join(RECIPIENTS))
    dialog.refresh()
    assert "uncertain, not sent again: 1" in dialog.summary.toPlainText()
    assert not dialog.send_button.isEnabled()
    assert dialog.send_follow_up(retry_uncertain=True)
    wait_done(qtbot, dialog)
    got = handler.by_recipient()[RECIPIENTS[1]]
    assert len(got) == 2  # the user chose to send it again
    ids = {g.message()["Message-ID"] for g in got}
    assert ids == {message_id_for(window.document.digest.id, RECIPIENTS[1], "example.org")}
    assert dialog.log_model.state_of(RECIPIENTS[1]) == "sent"
    dialog.close()


def test_closing_the_window_mid_send_stops_after_the_message_in_flight(qtbot, windows, server):
    handler, port = server
    handler.hold_at = 1
    window = open_window(windows, port)
    digest_id = window.document.digest.id
    dialog = list_dialog(window)
    assert dialog.send()
    assert handler.holding.wait(15)
    threading.Timer(0.3, handler.release.set).start()
    location = Path(window.library.location)
    windows.close(window)  # asks (the helper answers yes), then waits for the reply
    states = {k: v["state"] for k, v in send_log(location, digest_id).items()}
    assert states == {RECIPIENTS[0]: "sent", **dict.fromkeys(RECIPIENTS[1:], "queued")}
    assert one_each(handler) == {RECIPIENTS[0]: 1}


def test_a_password_is_asked_for_once_when_there_is_no_keychain(qtbot, windows, tmp_path):
    tls = tls_files(tmp_path)
    with smtp_server(starttls=tls.server_context, auth=True) as (handler, port):
        path = make_library(
            windows.folder / "library.json",
            smtp(port, security="starttls", user=USER, ca_file=str(tls.ca_file)),
        )
        asked: list[str] = []

        def prompt(username: str) -> str:
            asked.append(username)
            return PASSWORD

        from keyring.backends import fail

        passwords = PasswordStore(backend=fail.Keyring(), prompt=prompt, environ={})
        window = windows.open(path, passwords=passwords)
        window.digests.draft_from_month("2023-01")
        for _ in range(2):
            dialog = window.sending.send_test()
            assert dialog is not None
            dialog.addresses.setText("me@example.org")
            assert dialog.send()
            wait_done(qtbot, dialog)
            assert dialog.report is not None and dialog.report.ok, dialog.report.lines()
            dialog.close()
        assert asked == [f"{USER}@127.0.0.1:{port}"]
        assert len(handler.messages()) == 2


def test_news_already_sent_as_another_digest_blocks_until_the_user_overrides(
    qtbot, windows, server
):
    handler, port = server
    window = open_window(windows, port)
    assert window.document.digest.period == "2023-01"
    window.library.record_send(  # the same month sent from the command line earlier
        [
            {
                "digest_id": "month-2023-01",
                "recipient": RECIPIENTS[0],
                "address": RECIPIENTS[0],
                "state": "sent",
            }
        ]
    )
    dialog = list_dialog(window)
    dialog.refresh()
    assert "already sent as another digest" in dialog.summary.toPlainText()
    assert dialog.ignore_errors.isVisibleTo(dialog)
    assert not dialog.send_button.isEnabled()
    assert dialog.send() is False and handler.messages() == []
    dialog.ignore_errors.setChecked(True)
    assert dialog.send_button.isEnabled()
    assert dialog.send()
    wait_done(qtbot, dialog)
    assert one_each(handler) == dict.fromkeys(RECIPIENTS, 1)
    dialog.close()


def test_a_recipient_file_is_read_and_a_bad_one_explained(qtbot, windows, server, tmp_path):
    _handler, port = server
    window = open_window(windows, port)
    dialog = window.sending.send()
    assert dialog is not None
    good = tmp_path / "readers.csv"
    good.write_text(
        "Name;E-mail\nAnn;ann@example.org\nBo;bo@example.org\nBroken;bo@\n"
        "Ann again;ANN@example.org\n",
        encoding="utf-8",
    )
    dialog.load_file(good)
    summary = dialog.summary.toPlainText()
    assert f"2 recipients in {good}; 1 duplicate removed; 1 invalid" in summary
    assert dialog.file_label.text() == "readers.csv" and not dialog.pasted.isEnabled()
    assert dialog.send_button.text().replace("&", "") == "Send to 2 recipients…"
    junk = tmp_path / "photo.csv"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    dialog.load_file(junk)
    assert "photo.csv" in dialog.problem.text()
    assert dialog.pasted.isEnabled() and dialog.file_label.text() != "photo.csv"
    assert not dialog.send_button.isEnabled()
    dialog.clear_recipients()
    assert dialog.problem.text() == ""
    dialog.close()


def test_a_long_pasted_list_is_checked_off_the_gui_thread(qtbot, windows, server):
    _handler, port = server
    path = make_library(windows.folder / "library.json", smtp(port))
    passwords = PasswordStore(backend=MemoryKeyring(), environ={})
    window = windows.open(path, passwords=passwords, threaded=True)
    window.digests.draft_from_month("2023-01")
    dialog = window.sending.send()
    assert dialog is not None
    dialog.pasted.setPlainText("\n".join(f"reader{n}@example.org" for n in range(3000)))
    dialog.refresh()
    assert dialog.summary.toPlainText() == "Checking the addresses…"
    assert not dialog.send_button.isEnabled()
    qtbot.waitUntil(lambda: "3,000 recipients" in dialog.summary.toPlainText(), timeout=20_000)
    assert dialog.send_button.text().replace("&", "") == "Send to 3,000 recipients…"
    dialog.close()


def test_an_edit_made_while_the_dialog_is_open_is_what_gets_sent(qtbot, windows, server):
    from composer.digest.editing import plan_field

    handler, port = server
    window = open_window(windows, port)
    dialog = window.sending.send_test()
    assert dialog is not None
    dialog.addresses.setText("me@example.org")
    dialog.refresh()
    assert "January 2023" in dialog.summary.toPlainText()
    operation = plan_field(window.document.digest, "title", "Corrected title for January")
    assert operation is not None
    window.document.submit([operation])  # a typo fixed in the window, the dialog still open
    dialog.refresh()
    assert "subject: [TEST] Corrected title for January" in dialog.summary.toPlainText()
    assert "Corrected title for January" in dialog.windowTitle()
    assert dialog.send()
    wait_done(qtbot, dialog)
    assert str(handler.messages()[0].message()["Subject"]) == "[TEST] Corrected title for January"
    # another digest opened meanwhile: the dialog says so instead of sending the wrong one
    window.digests.new_digest()
    dialog.refresh()
    assert "no longer open" in dialog.problem.text()
    assert not dialog.send_button.isEnabled()
    dialog.close()


def test_forgetting_the_password_and_a_system_without_a_keychain(qtbot, windows):
    from keyring.backends import fail

    keychain = MemoryKeyring()
    keychain.set_password(SERVICE, "ann@smtp.example.org:587", "old")
    window = open_window(windows, None, keychain)
    window.library.update_settings({"smtp": {"host": "smtp.example.org", "user": "ann"}})
    dialog = window.sending.show_settings()
    assert dialog.forget.isVisible() and "system keychain" in dialog.keychain.text()
    dialog.forget.setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: window.sending.settings_dialog is None)
    assert keychain.store == {}
    assert "removed from the keychain" in window.statusBar().currentMessage()

    # no keychain at all: the typed password lives in memory for this run, never on disk
    window.sending._passwords = PasswordStore(backend=fail.Keyring(), environ={})
    dialog = window.sending.show_settings()
    assert not dialog.forget.isVisibleTo(dialog)
    assert "no keychain" in dialog.keychain.text()
    dialog.password.setText("typed-once")
    dialog.accept()
    qtbot.waitUntil(lambda: window.sending.settings_dialog is None)
    assert "no keychain" in window.statusBar().currentMessage()
    stored = smtp_from_settings(window.library.settings())
    assert window.sending.passwords.get(stored) == "typed-once"
    assert b"typed-once" not in Path(window.library.location).read_bytes()


def test_a_server_that_cannot_be_reached_stops_the_send_with_the_reason(qtbot, windows):
    from helpers.send_servers import free_port

    window = open_window(windows, free_port())  # nothing listens there
    dialog = list_dialog(window)
    assert dialog.send()
    wait_done(qtbot, dialog)
    report = dialog.report
    assert report is not None and report.stopped and not report.sent
    assert "cannot connect" in dialog.problem.text()
    assert report.left_queued == RECIPIENTS
    assert dialog.resume_button.isVisible()
    assert dialog.resume_button.text().replace("&", "") == "Resume (5 queued)"
    dialog.close()


def test_a_run_that_died_mid_message_leaves_its_recipient_uncertain(qtbot, windows, server):
    from composer.recipients import Recipient
    from composer.send.journal import SENDING, make_entry

    handler, port = server
    window = open_window(windows, port)
    digest_id = window.document.digest.id
    # a crash between handing over the message and the server's reply: still "sending"
    who = Recipient(RECIPIENTS[0], RECIPIENTS[0])
    window.library.record_send([make_entry(digest_id, who, SENDING)])
    dialog = window.sending.send()
    assert dialog is not None
    assert "1 sending" in dialog.history.text()
    assert dialog.retry_uncertain.text() == "Also send to the uncertain recipients (1)"
    dialog.pasted.setPlainText(RECIPIENTS[0])
    dialog.refresh()
    assert "uncertain, not sent again: 1" in dialog.summary.toPlainText()
    assert not dialog.send_button.isEnabled()
    assert handler.messages() == []
    dialog.close()
