"""A list send to a loopback server: every reader their own unsubscribe link, body and header."""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.send_servers import (
    MemoryKeyring,
    Received,
    make_library,
    run_cli,
    smtp_server,
    write_recipients,
)
from keyring.backends import fail

from composer.digest.drafting import draft_digest
from composer.digest.model import Digest
from composer.email.unsubscribe import make_token, verify_token
from composer.errors import NewsdigestError
from composer.recipients import recipients_from_addresses
from composer.repository import Library
from composer.secrets import KEY_ENV_VAR, KEY_SERVICE, KEY_USERNAME, UnsubscribeKeyStore
from composer.send import MessageFactory, SendError, check_ready, job_for
from composer.smtp_settings import SmtpSettings, with_changes
from composer.theme.model import theme_from_settings
from store import open_library

DIGEST_ID = "month-2023-01"
PERSONAL = "https://news.example.org/leave?u={email}&t={token}"
KEY = bytes(range(100, 132))

Opener = Callable[..., Library]


def smtp(port: int, **changes: object) -> SmtpSettings:
    base = {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0}
    base.update(changes)
    return with_changes(SmtpSettings(), base)


@pytest.fixture
def open_lib(tmp_path: Path) -> Iterator[Opener]:
    opened: list[Library] = []

    def opener(**theme: object) -> Library:
        path = make_library(tmp_path / f"library-{len(opened)}.json", **theme)
        library = open_library(path)
        opened.append(library)
        return library

    yield opener
    for library in opened:
        library.close()


def digest_of(library: Library) -> Digest:
    theme = theme_from_settings(library.settings())
    return draft_digest(library.items(), "2023-01", theme, digest_id=DIGEST_ID)


def readers(count: int) -> list[str]:
    return [f"reader{n:02d}+news@example.org" for n in range(count)]


def personal_url(address: str, key: bytes) -> str:
    encoded = address.replace("+", "%2B")
    return f"https://news.example.org/leave?u={encoded}&t={make_token(key, address)}"


def test_a_list_send_gives_every_reader_their_own_link_and_one_click(open_lib: Opener) -> None:
    library = open_lib(unsubscribe_url=PERSONAL)
    backend = MemoryKeyring()
    keys = UnsubscribeKeyStore(backend=backend, environ={})
    addresses = readers(6)
    with smtp_server() as (handler, port):
        job = job_for(library, digest_of(library), settings=smtp(port), keys=keys)
        key = backend.store[(KEY_SERVICE, KEY_USERNAME)]  # made once, kept in the keychain
        plan = job.plan(list(recipients_from_addresses(addresses).recipients))
        preflight = job.preflight(plan)
        report = job.run(plan)
    assert report.ok, report.lines()
    assert not [f for f in preflight.findings if f.code == "unsubscribe-not-personal"]
    assert any("one per recipient, with one-click" in line for line in preflight.lines())
    key_bytes = bytes.fromhex(key)
    got = handler.by_recipient()
    assert sorted(got) == sorted(addresses)
    urls = set()
    for address in addresses:
        (received,) = got[address]
        message = received.message()
        url = personal_url(address, key_bytes)
        urls.add(url)
        assert str(message["List-Unsubscribe"]) == f"<{url}>"
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        body_html = message.get_body(("html",)).get_content()
        body_text = message.get_body(("plain",)).get_content()
        assert f'href="{html.escape(url)}"' in body_html
        assert url in body_text
        assert "{email}" not in body_html + body_text and "{token}" not in body_html + body_text
        # nobody else's address or link is in this reader's message
        others = [a for a in addresses if a != address]
        raw = received.data.decode("ascii", "replace").replace("%2B", "+")
        assert not any(other in raw for other in others)
        assert verify_token(key_bytes, url.rsplit("t=", 1)[1], address)
        assert received.data.count(b"MIME-Version:") == 1
    assert len(urls) == len(addresses)


def test_a_personal_http_url_gets_no_one_click(open_lib: Opener) -> None:
    library = open_lib(unsubscribe_url="http://news.example.org/leave/{email}")
    with smtp_server() as (handler, port):
        job = job_for(library, digest_of(library), settings=smtp(port))  # {email}: no key needed
        report = job.run(job.plan(list(recipients_from_addresses(readers(3)).recipients)))
    assert report.ok, report.lines()
    for address, (received,) in handler.by_recipient().items():
        message = received.message()
        expected = f"<http://news.example.org/leave/{address.replace('+', '%2B')}>"
        assert str(message["List-Unsubscribe"]).split(",")[0] == expected
        assert message["List-Unsubscribe-Post"] is None


def test_a_shared_url_warns_and_names_the_reader_in_a_mailto(open_lib: Opener) -> None:
    library = open_lib()  # https://news.example.org/unsubscribe for everyone
    addresses = readers(3)
    with smtp_server() as (handler, port):
        job = job_for(library, digest_of(library), settings=smtp(port))
        plan = job.plan(list(recipients_from_addresses(addresses).recipients))
        preflight = job.preflight(plan)
        assert job.run(plan).ok
    warnings = [f for f in preflight.warnings if f.code == "unsubscribe-not-personal"]
    assert len(warnings) == 1 and "one-click unsubscribe" in warnings[0].message
    assert "{email}" in warnings[0].message
    for address in addresses:
        message = handler.by_recipient()[address][0].message()
        encoded = address.replace("+", "%2B")
        assert str(message["List-Unsubscribe"]) == (
            "<https://news.example.org/unsubscribe>, "
            f"<mailto:newsroom@example.org?subject=unsubscribe%20{encoded}>"
        )
        assert message["List-Unsubscribe-Post"] is None
    # the settings' unsubscribe mailbox is used when there is one; test sends get no warning
    with smtp_server() as (handler, port):
        job = job_for(
            library,
            digest_of(library),
            test=True,
            settings=smtp(port, unsubscribe_mailto="mailto:leave@example.org"),
        )
        plan = job.plan(list(recipients_from_addresses(["ann@example.org"]).recipients))
        assert not [f for f in job.preflight(plan).findings if f.code == "unsubscribe-not-personal"]
        assert job.run(plan).ok
    message = handler.messages()[0].message()
    assert "<mailto:leave@example.org?subject=unsubscribe%20ann@example.org>" in str(
        message["List-Unsubscribe"]
    )


def test_a_token_url_without_a_keychain_stops_with_what_to_do(open_lib: Opener) -> None:
    library = open_lib(unsubscribe_url=PERSONAL)
    keys = UnsubscribeKeyStore(backend=fail.Keyring(), environ={})
    with pytest.raises(NewsdigestError, match=KEY_ENV_VAR):
        job_for(library, digest_of(library), settings=smtp(25), keys=keys)
    job = job_for(
        library,
        digest_of(library),
        settings=smtp(25),
        keys=UnsubscribeKeyStore(backend=fail.Keyring(), environ={KEY_ENV_VAR: KEY.hex()}),
    )
    assert job.unsubscribe_key == KEY
    with pytest.raises(SendError, match="no unsubscribe key"):
        MessageFactory(job.prepared, smtp(25))


def test_the_command_line_list_send_fills_each_readers_link(tmp_path: Path) -> None:
    recipients = tmp_path / "recipients.csv"
    with smtp_server() as (handler, port):
        library = make_library(
            tmp_path / "library.json",
            {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0},
            unsubscribe_url=PERSONAL,
        )
        addresses = write_recipients(recipients, 4)
        argv = ["send", "--month", "2023-01", "--to-file", str(recipients), "--yes"]
        result = run_cli(library, *argv, **{KEY_ENV_VAR: KEY.hex()})
        assert result.returncode == 0, result.stderr
        assert "one per recipient, with one-click" in result.stdout
        assert "unsubscribe url" not in result.stdout.split("preflight:", 1)[1].split("\n")[0]
    for address in addresses:
        message = handler.by_recipient()[address][0].message()
        url = personal_url(address, KEY)
        assert str(message["List-Unsubscribe"]) == f"<{url}>"
        assert url in message.get_body(("plain",)).get_content()


def test_test_send_subjects_have_no_empty_encoded_word(open_lib: Opener) -> None:
    library = open_lib()
    title = "Neuigkeiten der Zentrale für Öffentlichkeitsarbeit – Überblick über den Januar 2023"
    digest = dataclasses.replace(digest_of(library), title=title)
    with smtp_server() as (handler, port):
        job = job_for(library, digest, test=True, settings=smtp(port))
        assert job.run(job.plan(list(recipients_from_addresses(["ann@example.org"]).recipients))).ok
    received: Received = handler.messages()[0]
    head = received.data.split(b"\r\n\r\n", 1)[0]
    assert b"?q??=" not in head.lower()
    subject_lines = head.split(b"Subject: ", 1)[1].split(b"\r\nFrom:", 1)[0].split(b"\r\n")
    assert all(len(line) <= 78 and not line.endswith(b" ") for line in subject_lines)
    assert str(received.message()["Subject"]) == "[TEST] " + title


def test_missing_settings_are_named_in_plain_words() -> None:
    with pytest.raises(NewsdigestError) as caught:
        check_ready(SmtpSettings())
    message = str(caught.value)
    assert message.startswith("cannot send: the server (--smtp-host")
    assert "and the sender address (--from" in message and message.endswith("are not set")
    assert "no the" not in message
    with pytest.raises(NewsdigestError, match=r"cannot send: the server .* is not set$"):
        check_ready(SmtpSettings(), "News <news@example.org>")


def test_fold_subject_never_makes_empty_words_or_long_lines() -> None:
    import email
    import email.policy
    import random

    from composer.email.header_fold import fold_subject

    rng = random.Random(11)
    words = ["Zentrale", "für", "Öffentlichkeitsarbeit", "2023", "–", "news", "digest:", "é"]
    words += ["=?utf-8?q?x?=", "Ärzte", "日本語のニュース", "a" * 90, "tab\there"]
    for _ in range(400):
        subject = " ".join(rng.choice(words) for _ in range(rng.randint(1, 18)))
        folded = fold_subject(subject)
        assert "?q??=" not in folded.lower() and folded.isascii()
        for line in folded.split("\r\n "):
            assert not line.endswith(" ") and line
            assert len(line) <= 78 or " " not in line.strip()
        data = f"Subject: {folded}\r\n\r\n".encode("ascii")
        parsed = email.message_from_bytes(data, policy=email.policy.default)
        assert str(parsed["Subject"]) == " ".join(subject.split())


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("https://news.example.org/leave?email={email}&t={token}", True),
        ("https://news.example.org/leave#{email}", True),
        (PERSONAL, False),
    ],
)
def test_an_url_spamassassin_reads_as_phishing_is_warned_about(
    open_lib: Opener, url: str, warned: bool
) -> None:
    library = open_lib(unsubscribe_url=url)
    keys = UnsubscribeKeyStore(backend=fail.Keyring(), environ={KEY_ENV_VAR: KEY.hex()})
    job = job_for(library, digest_of(library), test=True, settings=smtp(25), keys=keys)
    plan = job.plan(list(recipients_from_addresses(["ann@example.org"]).recipients))
    found = [f for f in job.preflight(plan).warnings if f.code == "unsubscribe-url-like-phishing"]
    assert bool(found) is warned
    if warned:
        assert "GB_CUSTOM_HTM_URI" in found[0].message and "?u={email}" in found[0].message


@pytest.mark.skipif(
    __import__("shutil").which("spamassassin") is None, reason="SpamAssassin is not installed"
)
def test_spamassassin_and_the_personal_link(open_lib: Opener) -> None:
    import re
    import subprocess

    def rules(url: str) -> set[str]:
        library = open_lib(unsubscribe_url=url)
        keys = UnsubscribeKeyStore(backend=fail.Keyring(), environ={KEY_ENV_VAR: KEY.hex()})
        job = job_for(library, digest_of(library), settings=smtp(25), keys=keys)
        reader = recipients_from_addresses(["Ann Example <ann@example.org>"]).recipients[0]
        data = job.factory.build(reader)
        result = subprocess.run(
            ["spamassassin", "-L", "-t"], input=data, capture_output=True, timeout=180, check=False
        )
        report = result.stdout.decode("utf-8", "replace")
        assert "X-Spam-Status:" in report
        return set(re.findall(r"^\s*-?[0-9.]+ ([A-Z][A-Z0-9_]+)\s", report, re.MULTILINE))

    good = rules(PERSONAL)
    assert "GB_CUSTOM_HTM_URI" not in good and "MISSING_HEADERS" not in good
    assert "GB_CUSTOM_HTM_URI" in rules("https://news.example.org/leave?email={email}")
