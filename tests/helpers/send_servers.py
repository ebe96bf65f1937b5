"""Real SMTP servers for the send tests: aiosmtpd on a free loopback port, with misbehaviours.

:class:`Server` stores every message it accepts and can be told to answer 451
or 550 to some recipients, to drop the connection (before DATA, or after the
message's data but before its reply), or to hold its reply to one message until
the test releases it (to kill a sender while it waits). :class:`CountingHandler`
is for lists of thousands: it keeps each recipient's Message-IDs, not the
messages, and can hold the reply to any message number. :func:`tls_files` makes
a throw-away certificate authority and a server certificate with trustme.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import email
import email.policy
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring.backend
import keyring.errors
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

ROOT = Path(__file__).resolve().parents[2]
USER = "digest-sender"
PASSWORD = "s3cret-Pässword-never-on-disk"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keychain that lives in this test only (the real one is never touched)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("no such password")
        del self.store[(service, username)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclasses.dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class Handler:
    """aiosmtpd handler: stores messages; refuses, drops and holds as configured."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.temporary: dict[str, int] = {}  # address -> how many more 451 replies
        self.permanent: set[str] = set()  # addresses answered 550
        self.drop_before_data_every: int = 0  # drop at MAIL after this many messages a connection
        self.drop_after_data_at: set[int] = set()  # message numbers (1-based) never confirmed
        self.hold_at: int = 0  # message number whose 250 reply waits for release
        self.holding = threading.Event()
        self.release = threading.Event()
        self.connections = 0
        self.logins: list[str] = []
        self._per_connection: dict[int, int] = {}

    # aiosmtpd hooks --------------------------------------------------------------------------
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if session.peer not in self._per_connection:
            self._per_connection[session.peer] = 0
            with self.lock:
                self.connections += 1
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        count = self._per_connection.get(session.peer, 0)
        if self.drop_before_data_every and count >= self.drop_before_data_every:
            server.transport.close()
            return "250 OK"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.permanent:
                return "550 5.1.1 No such user here"
            left = self.temporary.get(address, 0)
            if left > 0:
                self.temporary[address] = left - 1
                return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
            number = len(self.received)
        self._per_connection[session.peer] = self._per_connection.get(session.peer, 0) + 1
        if number in self.drop_after_data_at:
            server.transport.close()
            return "250 OK"
        if number == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 2.0.0 Message accepted"

    # for tests -------------------------------------------------------------------------------
    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def by_recipient(self) -> dict[str, list[Received]]:
        result: dict[str, list[Received]] = {}
        for item in self.messages():
            for rcpt in item.rcpt_tos:
                result.setdefault(rcpt, []).append(item)
        return result


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode("utf-8")
    )
    if ok:
        handler = server.event_handler
        with handler.lock:
            handler.logins.append(auth_data.login.decode())
    return AuthResult(success=ok, handled=False)


@dataclasses.dataclass
class TlsFiles:
    ca_file: Path
    server_context: ssl.SSLContext


def tls_files(folder: Path, *names: str) -> TlsFiles:
    """A new CA (its PEM written to ``folder``) and a server context with a cert for ``names``."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert(*(names or ("127.0.0.1", "localhost")))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    ca_file = folder / f"ca-{id(ca)}.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return TlsFiles(ca_file, context)


@contextlib.contextmanager
def smtp_server(
    handler: Handler | None = None,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    auth: bool = False,
) -> Iterator[tuple[Handler, int]]:
    """A running aiosmtpd on 127.0.0.1 (STARTTLS, TLS, AUTH when asked); yields (handler, port)."""
    handler = handler or Handler()
    kwargs: dict[str, object] = {}
    if implicit_tls is not None:
        kwargs.update(ssl_context=implicit_tls)
    if starttls is not None:
        kwargs.update(tls_context=starttls, require_starttls=True)
    if auth:
        kwargs.update(auth_required=True, auth_require_tls=True, authenticator=_authenticator)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10, **kwargs)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release.set()
        controller.stop()


def sender_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.pop("NEWSDIGEST_SMTP_PASSWORD", None)
    env.update(extra)
    return env


def cli_argv(library: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "composer", "--library", str(library), *args]


def run_cli(
    library: Path, *args: str, input: str | None = None, timeout: float = 60, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_argv(library, *args),
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=input,
        timeout=timeout,
        cwd=ROOT,
        env=sender_env(**env),
    )


def loopback_smtp(port: int, **extra: object) -> dict[str, object]:
    """SMTP settings for a test server on loopback: plain, unthrottled, quick retries."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "throttle": 0,
        "retry_delay": 0.01,
        "timeout": 5,
        **extra,
    }


def make_library(path: Path, smtp: dict[str, object] | None = None, **theme: object) -> Path:
    """A library with the fixture's January 2023 items, the sample theme and SMTP settings."""
    from composer.smtp_settings import merge_smtp
    from composer.theme.model import merge_theme
    from helpers.digest_samples import january_items, sample_theme
    from store import open_library

    library = open_library(path)
    try:
        library.add_items(january_items())
        library.update_settings(
            merge_theme(library.settings(), sample_theme(**theme).to_settings())
        )
        if smtp is not None:
            library.update_settings(merge_smtp(library.settings(), smtp))
    finally:
        library.close()
    return path


def send_log(path: Path, digest_id: str) -> dict[str, dict[str, object]]:
    from store import open_library

    library = open_library(path, read_only=True)
    try:
        return {str(e["recipient"]): e for e in library.send_log(digest_id)}
    finally:
        library.close()


def write_recipients(path: Path, count: int, *, header: bool = True) -> list[str]:
    addresses = [f"reader{n:04d}@example.org" for n in range(count)]
    lines = (["name,email"] if header else []) + [
        f"Reader {n},{address}" for n, address in enumerate(addresses)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return addresses


# -- long runs: a server that keeps counts, not messages ---------------------------------------
@dataclasses.dataclass
class Hold:
    """The reply to one message (its number over the server's life) kept back until released."""

    at: int
    recipients: list[str] = dataclasses.field(default_factory=list)  # of the held message
    reached: threading.Event = dataclasses.field(default_factory=threading.Event)
    release: threading.Event = dataclasses.field(default_factory=threading.Event)


_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class CountingHandler:
    """aiosmtpd handler for lists of thousands: per recipient, the Message-IDs it received.

    It keeps no message data (5,000 messages of 30 KB would be 150 MB in the test
    process). :meth:`hold_reply` keeps the 250 to one message back, after the
    message is stored, until the test releases it: a sender killed meanwhile never
    learns that the server has it.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.delivered = 0  # messages accepted (stored), over the server's life
        self.copies: dict[str, list[str]] = {}  # recipient -> Message-ID of each copy
        self.holds: dict[int, Hold] = {}
        self.release = threading.Event()  # set when the server stops: every hold lets go

    def hold_reply(self, at: int) -> Hold:
        """Hold the reply to message number ``at`` (1-based, counted over the server's life)."""
        hold = Hold(at)
        with self.lock:
            self.holds[at] = hold
        return hold

    async def handle_DATA(self, server, session, envelope):
        content = bytes(envelope.content)
        head = content.split(b"\r\n\r\n", 1)[0]
        found = _MESSAGE_ID.search(head)
        message_id = found.group(1).decode("ascii", "replace") if found else ""
        with self.lock:
            self.delivered += 1
            for rcpt in envelope.rcpt_tos:
                self.copies.setdefault(rcpt, []).append(message_id)
            hold = self.holds.pop(self.delivered, None)
        if hold is not None:
            hold.recipients = list(envelope.rcpt_tos)
            hold.reached.set()
            while not (hold.release.is_set() or self.release.is_set()):
                await asyncio.sleep(0.01)
        return "250 2.0.0 Message accepted"

    def snapshot(self) -> dict[str, list[str]]:
        with self.lock:
            return {rcpt: list(ids) for rcpt, ids in self.copies.items()}

    def count(self) -> int:
        with self.lock:
            return self.delivered


def read_until(stream: Any, text: str) -> str:
    """Lines of ``stream`` up to and including the one holding ``text`` (a real barrier: the
    process said it got there). At end of stream, what was read, for the assertion to show."""
    seen = ""
    for line in iter(stream.readline, ""):
        seen += line
        if text in line:
            break
    return seen


def stop(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc`` if it still runs, reap it and close its pipes (no process or pipe is left
    for a later test's garbage collection to warn about)."""
    if proc.poll() is None:
        proc.kill()
    try:
        proc.communicate(timeout=30)
    except ValueError:  # already communicated: its pipes are closed
        proc.wait(timeout=30)
