"""The bytes of a sent message: headers folded once where they can be, a body dot-stuffed once.

The factory folds the headers every message shares once and stuffs a shared body
once; these tests hold it to what the SMTP policy and ``smtplib`` give for the same
message: byte for byte against the headers set one by one on an SMTP-policy
``EmailMessage`` (the way every message was built before), and on the wire
against ``smtplib.sendmail``, through a real aiosmtpd server; a body line that
starts with a dot (or is one) arrives as it was written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import email.policy
import email.utils
import random
import re
import smtplib
import socket
import threading
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers.digest_samples import january_items, sample_theme
from helpers.send_servers import Received, make_library, smtp_server

from composer.digest.drafting import draft_digest
from composer.email.export import EML_POLICY, address_header, date_header, mime_body, personal_parts
from composer.email.header_fold import fold_subject
from composer.email.render import Links
from composer.email.unsubscribe import ONE_CLICK
from composer.recipients import Recipient, recipients_from_addresses
from composer.send import SENT, LibraryJournal, MessageFactory, PreparedDigest, SendJob
from composer.send import prepare_digest as prepare
from composer.send.smtp import SmtpConnection
from composer.smtp_settings import SmtpSettings, with_changes
from store import open_library

DIGEST_ID = "month-2023-01"
NOW = dt.datetime(2024, 3, 5, 7, 8, 9, tzinfo=dt.UTC)
SHARED = Links("https://news.example.org/unsubscribe", None)
PERSONAL = Links("https://news.example.org/u?email={email}", None)
#: Lines SMTP's transparency is for: a leading dot, a dot alone (which would end DATA).
DOT_LINES = (".NET 8 is out", "..", ".", ". a dot and a space")


@pytest.fixture(scope="module")
def prepared() -> PreparedDigest:
    theme = sample_theme()
    items = january_items()
    digest = draft_digest(items, "2023-01", theme, digest_id=DIGEST_ID)
    return prepare(digest, {i.id: i for i in items}, theme)


def settings(port: int = 25, **changes: object) -> SmtpSettings:
    base = {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0, "timeout": 5}
    return with_changes(SmtpSettings(), {**base, **changes})


def with_dot_lines(prepared: PreparedDigest, links: Links) -> PreparedDigest:
    """``prepared`` with lines that start with a dot in both parts, and the unsubscribe url."""
    url = links.unsubscribe or ""
    text = "\n".join((*DOT_LINES, f"Leave: {url}", prepared.rendered.text))
    pre = "<pre>\n" + "\n".join(DOT_LINES) + f'\n</pre><a href="{url}">leave</a></body>'
    html = prepared.rendered.html.replace("</body>", pre, 1)
    assert pre in html
    rendered = dataclasses.replace(prepared.rendered, text=text, html=html)
    return dataclasses.replace(prepared, rendered=rendered, links=links)


def people() -> list[Recipient]:
    listed = recipients_from_addresses(
        [
            "ann@example.org",
            "Reader One <reader1@example.org>",
            "Jörg Müller <joerg@bücher.de>",
            '"Doe, John" <john@example.org>',
            "Dr. Who <who@example.org>",
            "李小龍 <lee@example.org>",
            "Ann  Two   Spaces <two@example.org>",
            "=?utf-8?q?J=C3=B6rg?= <lookalike@example.org>",
            "a =?utf-8?q?x?= b <inner@example.org>",
            " ".join(["Averyveryverylongname"] * 4) + " <long@example.org>",
            "Exactly Seventy Eight Characters On The Line Here Okay <x78@example.org>",
        ]
    )
    assert not listed.rejected
    return list(listed.recipients)


# -- the reference: every header set one by one on an SMTP-policy message --------------------------
def reference_bytes(
    factory: MessageFactory, recipient: Recipient, message_id: str, now: dt.datetime
) -> bytes:
    """The message as it was built before the shared headers were folded once."""
    rendered, rule = factory.prepared.rendered, factory.unsubscribe
    text, html = rendered.text, rendered.html
    link = rule.link(recipient.ascii_address)
    if factory.personal and link is not None and rule.url is not None:
        text, html = personal_parts(rendered, rule.url, link)
    mime_headers, body = mime_body(text, html)
    message = EmailMessage(policy=email.policy.SMTP)
    message.set_raw("Subject", fold_subject(factory.subject))
    message["From"] = factory.sender
    message["To"] = Address(display_name=recipient.name, addr_spec=recipient.ascii_address)
    if factory.reply_to is not None:
        message["Reply-To"] = factory.reply_to
    message["Date"] = email.utils.format_datetime(now)
    message.set_raw("Message-ID", message_id)
    unsubscribe = factory.list_unsubscribe(recipient)
    if unsubscribe:
        message.set_raw("List-Unsubscribe", unsubscribe)
        if factory.one_click:
            message.set_raw("List-Unsubscribe-Post", ONE_CLICK)
    for name, value in mime_headers:
        message.set_raw(name, value)
    head = b"".join(EML_POLICY.fold_binary(name, value) for name, value in message.raw_items())
    return head + b"\r\n" + body


@pytest.mark.parametrize(
    ("links", "changes", "test"),
    [
        (SHARED, {}, False),
        (PERSONAL, {}, False),
        (
            Links("http://news.example.org/leave/{email}", None),
            {"reply_to": "Büro Öffentlichkeit <buero@example.org>"},
            False,
        ),
        (
            Links("mailto:leave@example.org", None),
            {"sender_name": "Zentrale für Öffentlichkeitsarbeit", "reply_to": "desk@example.org"},
            False,
        ),
        (Links(None, None), {"sender_name": "The Press Office, Geneva"}, True),
    ],
    ids=["shared", "personal-https", "personal-http", "mailto", "none-test"],
)
def test_messages_are_byte_for_byte_those_of_the_smtp_policy(
    prepared: PreparedDigest, links: Links, changes: dict[str, object], test: bool
) -> None:
    smtp = with_changes(settings(sender_address="newsroom@example.org"), changes)
    factory = MessageFactory(dataclasses.replace(prepared, links=links), smtp, test=test)
    heads = {}
    for recipient in people():
        message_id = factory.message_id(recipient)
        built = factory.build(recipient, message_id=message_id, now=NOW)
        assert built == reference_bytes(factory, recipient, message_id, NOW), recipient
        heads[recipient.ascii_address] = built.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert (
        "To: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <joerg@xn--bcher-kva.de>"
        in heads["joerg@xn--bcher-kva.de"]
    )
    assert "To: Reader One <reader1@example.org>\r\n" in heads["reader1@example.org"]


def test_an_address_with_a_non_ascii_local_part_is_refused_as_before(
    prepared: PreparedDigest, tmp_path: Path
) -> None:
    """Such an address never passes the recipient checks; built anyway, it cannot be a header,
    and a list send reports it failed and sends the others."""
    odd = Recipient("jörg@example.org", "jörg@example.org", "Jörg")
    factory = MessageFactory(prepared, settings(sender_address="newsroom@example.org"))
    with pytest.raises(ValueError, match="non-ASCII"):
        factory.build(odd)
    with pytest.raises(ValueError, match="non-ASCII"):
        factory.data(odd)
    library = open_library(make_library(tmp_path / "library.json"))
    try:
        with smtp_server() as (handler, port):
            smtp = settings(port, sender_address="newsroom@example.org")
            job = SendJob(prepared, smtp, journal=LibraryJournal(library, DIGEST_ID))
            ann = people()[0]
            report = job.run(job.plan([odd, ann]))
        assert report.sent == [ann.key]
        (failed,) = report.failed
        assert failed.recipient == odd.key and "cannot build" in failed.text
        assert [r.rcpt_tos for r in handler.messages()] == [[ann.ascii_address]]
    finally:
        library.close()


def test_the_address_header_shortcut_agrees_with_the_policy_on_any_name() -> None:
    """Names drawn from atoms, specials, spaces, encoded-word look-alikes and non-ASCII."""
    pieces = ["Ann", "b", "O'Neil", "#1", "=?", "?=", "=?utf-8?q?x?=", "x" * 30, ".", ",", '"']
    pieces += ["(c)", "<", "@", ";", "é", "李", "-", "~`{|}", "  ", " ", "\\"]
    draw = random.Random(20240305)
    addresses = ["a@example.org", "reader.one@news.example.org", "x" * 40 + "@example.org"]
    drawn = [
        ("".join(draw.choice(pieces) for _ in range(draw.randrange(0, 8))).strip(), address)
        for address in draw.choices(addresses, k=3_000)
    ]
    # "To: Ann Ann ... <a@example.org>" of 75 to 81 characters: the policy folds above 78
    edges = [(("Ann " * 20)[:width].strip(), addresses[0]) for width in range(55, 62)]
    for name, spec in drawn + edges:
        address = Address(display_name=name, addr_spec=spec)
        message = EmailMessage(policy=email.policy.SMTP)
        message["To"] = address
        ((header, value),) = message.raw_items()
        assert address_header("To", address) == EML_POLICY.fold_binary(header, value), name


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        dt.datetime(2024, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC),
        dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
        dt.datetime(2024, 1, 9, 3, 4, 5, tzinfo=dt.timezone(-dt.timedelta(hours=8))),
        dt.datetime(2024, 1, 9, 3, 4, 5),  # no time zone: UTC
    ],
)
def test_the_date_header_is_the_policys(now: dt.datetime) -> None:
    message = EmailMessage(policy=email.policy.SMTP)
    when = now if now.tzinfo is not None else now.replace(tzinfo=dt.UTC)
    message["Date"] = email.utils.format_datetime(when)
    ((header, value),) = message.raw_items()
    assert date_header(now) == EML_POLICY.fold_binary(header, value)


# -- through a real server -------------------------------------------------------------------------
@pytest.mark.parametrize("links", [SHARED, PERSONAL], ids=["shared", "personal"])
def test_a_body_line_starting_with_a_dot_arrives_with_one_dot(
    prepared: PreparedDigest, links: Links, tmp_path: Path
) -> None:
    digest = with_dot_lines(prepared, links)
    readers = people()[:4]
    library = open_library(make_library(tmp_path / "library.json"))
    try:
        with smtp_server() as (handler, port):
            smtp = settings(port, sender_address="newsroom@example.org")
            job = SendJob(digest, smtp, journal=LibraryJournal(library, DIGEST_ID))
            assert job.run(job.plan(readers)).ok
        assert {e["recipient"]: e["state"] for e in library.send_log(DIGEST_ID)} == {
            r.key: SENT for r in readers
        }
    finally:
        library.close()
    received = {r.rcpt_tos[0]: r for r in handler.messages()}
    assert sorted(received) == sorted(r.ascii_address for r in readers)
    for reader in readers:
        got = received[reader.ascii_address]
        when = email.utils.parsedate_to_datetime(str(got.message()["Date"]))
        expected = job.factory.build(reader, now=when)
        assert re.search(rb"(?m)^\.\r\n", expected)  # the bare dot line is in the message
        assert got.data == expected  # every byte, the dot lines with their one dot
        message = got.message()
        text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
        assert text_part is not None and html_part is not None
        text, html = text_part.get_content(), html_part.get_content()
        for part in (text, html):
            assert "\n".join(DOT_LINES) in part.replace("\r\n", "\n")
        if links is PERSONAL:
            assert f"email={reader.ascii_address}" in text


class Recorder:
    """A loopback relay in front of a server that keeps every byte each client sent it."""

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.streams: list[bytearray] = []
        self.sockets: list[socket.socket] = []
        self.pumps: list[threading.Thread] = []
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # the listener is closed
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            self.sockets += [client, server]
            stream = bytearray()
            self.streams.append(stream)
            for source, sink, keep in ((client, server, stream), (server, client, None)):
                pump = threading.Thread(target=self._pump, args=(source, sink, keep), daemon=True)
                pump.start()
                self.pumps.append(pump)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, keep: bytearray | None) -> None:
        try:
            while chunk := source.recv(65536):
                if keep is not None:
                    keep += chunk
                sink.sendall(chunk)
        except OSError:
            pass
        for sock in (source, sink):  # one side closed: so does the other
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def data_sections(self) -> list[bytes]:
        """What each client sent after its DATA command, to the end-of-data line."""
        self.listener.close()
        self.accepting.join(timeout=10)
        for pump in self.pumps:
            pump.join(timeout=10)
        for sock in self.sockets:
            sock.close()
        sections = []
        for stream in self.streams:
            start = bytes(stream).lower().index(b"\r\ndata\r\n") + len(b"\r\ndata\r\n")
            end = stream.index(b"\r\n.\r\n", start) + len(b"\r\n.\r\n")
            sections.append(bytes(stream[start:end]))
        return sections


@pytest.mark.parametrize("links", [SHARED, PERSONAL], ids=["shared", "personal"])
def test_the_data_on_the_wire_is_what_smtplib_sendmail_sends(
    prepared: PreparedDigest, links: Links
) -> None:
    digest = with_dot_lines(prepared, links)
    readers = [people()[i] for i in (1, 2, 5)]  # an ASCII name, a German one, a Chinese one
    with smtp_server() as (handler, port):
        relay = Recorder(port)
        smtp = settings(relay.port, sender_address="newsroom@example.org")
        factory = MessageFactory(digest, smtp)
        for reader in readers:
            message_id = factory.message_id(reader)
            connection = SmtpConnection(smtp, None)
            connection.open()
            data = factory.data(reader, message_id=message_id, now=NOW)
            outcome = connection.send(
                "newsroom@example.org", reader.ascii_address, data, nothing_before_data
            )
            connection.close()
            assert outcome.kind == "sent"
            built = factory.build(reader, message_id=message_id, now=NOW)
            with smtplib.SMTP("127.0.0.1", relay.port, local_hostname="localhost") as client:
                client.sendmail("newsroom@example.org", [reader.ascii_address], built)
        sections = relay.data_sections()
        received = handler.messages()
    assert len(sections) == 2 * len(readers)
    for k in range(len(readers)):
        ours, theirs = sections[2 * k], sections[2 * k + 1]
        assert ours == theirs
        assert b"\r\n..NET 8 is out\r\n...\r\n..\r\n" in ours  # the dot lines, stuffed
        assert received[2 * k].data == received[2 * k + 1].data  # and the server got both alike
        assert Received("x", [], received[2 * k].data).message()["To"].addresses[0].addr_spec == (
            readers[k].ascii_address
        )


def nothing_before_data() -> None:
    return None
