"""One SMTP connection: opened, secured, logged in, reused, and one message at a time over it.

:class:`SmtpConnection` never sends in the clear by mistake (TLS is verified;
STARTTLS is required when chosen) and tells apart, for each message, a refusal
(5xx), a temporary problem (4xx, a connection lost before ``DATA``) and an
uncertain end (the connection lost after the data and before the reply).
A message goes over it as :data:`DataContent`, dot-stuffed beforehand
(:func:`dot_stuff`, :func:`data_content`): the factory stuffs a body shared by
every recipient once, not once a message.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from typing import Literal, NewType

from composer.errors import SendError
from composer.smtp_settings import (
    SmtpSettings,
    check_security,
)

log = logging.getLogger(__name__)

#: The longest wait for a server's 220 greeting (the settings' timeout, when shorter).
GREETING_LIMIT = 10.0

#: How OpenSSL names a handshake that got plain text back (an SMTP greeting, not TLS).
PLAIN_TEXT_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "UNKNOWN_PROTOCOL", "PACKET_LENGTH_TOO_LONG"}
)


# -- the connection --------------------------------------------------------------------------------
class RetryLater(Exception):
    """A connection problem worth another try later."""


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What happened to one message."""

    kind: Literal["sent", "rejected", "temporary", "uncertain", "sender_refused"]
    code: int | None
    text: str
    stage: str  # "connection", "MAIL", "RCPT", "DATA", "message"
    reconnect: bool = False


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())[:500]


#: One message as SMTP DATA content: dot-stuffed lines with CRLF ends, then the ``.`` line
#: (made by :func:`data_content`; :meth:`SmtpConnection.send` sends it as it is).
DataContent = NewType("DataContent", bytes)

_LINE_END = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def dot_stuff(piece: bytes) -> bytes:
    """``piece`` as lines of SMTP DATA (RFC 5321 §4.5.2): CRLF line ends, a leading dot doubled.

    ``piece`` starts a line. Pieces of a message cut after a line end (its headers, its
    body) can be stuffed apart, a shared body once for all its messages: joined, they
    are the whole message stuffed.
    """
    return _LEADING_DOT.sub(b"..", _LINE_END.sub(b"\r\n", piece))


def data_content(*stuffed: bytes) -> DataContent:
    """The pieces :func:`dot_stuff` made, in order, as DATA content: a last CRLF, then ``.``.

    What ``smtplib``'s ``sendmail`` sends of the same message, in one copy of it.
    """
    last = next((piece for piece in reversed(stuffed) if piece), b"")
    end = b".\r\n" if last.endswith(b"\r\n") else b"\r\n.\r\n"
    return DataContent(b"".join((*stuffed, end)))


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; a non-ASCII user name or password goes by AUTH PLAIN in UTF-8 (RFC 4616).

    smtplib encodes credentials as ASCII; rather than fail, or start a mechanism it
    cannot finish, a non-ASCII password is sent the one way that defines UTF-8.
    """
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise SendError(
            "the user name or password has non-ASCII characters, which this server's login "
            "methods cannot take (it does not offer AUTH PLAIN)"
        )
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


def default_helo_name() -> str:
    name = socket.gethostname().strip().rstrip(".")
    if not name or not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", name):
        return "localhost"
    return name


def greeting_limit(settings: SmtpSettings) -> float:
    """Seconds to wait for the 220 greeting: the timeout, at most :data:`GREETING_LIMIT`."""
    return min(settings.timeout, GREETING_LIMIT)


def no_greeting_message(settings: SmtpSettings) -> str:
    """What a server that never greeted probably means, for the settings' security."""
    where, port = settings.address_label, settings.effective_port
    waited = f"{where} sent no SMTP greeting within {greeting_limit(settings):g} s"
    if settings.security == "tls":
        return f"{waited} after the TLS handshake: the server may be busy; try again later"
    return (
        f"{waited}: it probably expects TLS from the first byte; choose security tls "
        "(implicit TLS) for this port" + (", or use port 587 with starttls" if port != 587 else "")
    )


class SmtpConnection:
    """One connection to the settings' server: opened, reused, closed; never plain by mistake."""

    def __init__(self, settings: SmtpSettings, password: str | None) -> None:
        self.settings = settings
        self.password = password
        self._smtp: smtplib.SMTP | None = None
        self._context: ssl.SSLContext | None = None

    @property
    def connected(self) -> bool:
        return self._smtp is not None

    def ssl_context(self) -> ssl.SSLContext:
        if self._context is None:
            cafile = self.settings.ca_file or None
            try:
                self._context = ssl.create_default_context(cafile=cafile)
            except (OSError, ssl.SSLError) as exc:
                raise SendError(
                    f"the CA file {cafile} cannot be used: {getattr(exc, 'strerror', None) or exc}"
                ) from None
        return self._context

    def _certificate_error(self, exc: ssl.SSLCertVerificationError) -> SendError:
        reason = exc.verify_message or exc.reason or str(exc)
        hint = (
            "check the CA file named in the settings"
            if self.settings.ca_file
            else "if your organisation's server uses its own certificate authority, name its "
            "CA file with --ca-file"
        )
        return SendError(
            f"the certificate of {self.settings.server_label} could not be verified "
            f"({reason}); nothing was sent. {hint}"
        )

    def open(self) -> None:
        """Connect, secure and log in; :class:`SendError` when retrying cannot help."""
        smtp: smtplib.SMTP | None = None
        try:
            smtp = self._greeted()
            self._secure_and_login(smtp)
        except (SendError, RetryLater, OSError, smtplib.SMTPException) as exc:
            self._abort(smtp)
            raise self._failure(exc) from None
        except BaseException:
            self._abort(smtp)
            raise
        self._smtp = smtp

    def _greeted(self) -> smtplib.SMTP:
        """Connected, its 220 greeting read within :func:`greeting_limit`; then the timeout.

        A server that says nothing is most often one that speaks TLS from the first
        byte, reached without it: the wait is short and the message says so.
        """
        s = self.settings
        helo = s.helo_name or default_helo_name()
        limit = greeting_limit(s)
        smtp: smtplib.SMTP
        try:
            if s.security == "tls":
                context = self.ssl_context()
                smtp = smtplib.SMTP_SSL(
                    s.host, s.effective_port, local_hostname=helo, timeout=limit, context=context
                )
            else:
                smtp = smtplib.SMTP(s.host, s.effective_port, local_hostname=helo, timeout=limit)
        except smtplib.SMTPServerDisconnected as exc:
            if isinstance(exc.__context__, TimeoutError):  # connected, but no greeting
                raise RetryLater(no_greeting_message(s)) from None
            raise
        smtp.timeout = s.timeout
        if smtp.sock is not None:
            smtp.sock.settimeout(s.timeout)
        return smtp

    def _secure_and_login(self, smtp: smtplib.SMTP) -> None:
        s = self.settings
        smtp.ehlo_or_helo_if_needed()
        if s.security == "starttls":
            if not smtp.has_extn("starttls"):
                raise SendError(
                    f"{s.server_label} does not offer STARTTLS; Newsdigest does not send the "
                    "password or the messages unencrypted (choose the security the server "
                    "supports)"
                )
            smtp.starttls(context=self.ssl_context())
            smtp.ehlo()
        if s.user:
            if self.password is None:
                raise SendError(f"no password for {s.keyring_username}")
            _login(smtp, s.user, self.password)

    def _failure(self, exc: Exception) -> SendError | RetryLater:
        """What a failure to open means: retry later, or a :class:`SendError` to show."""
        s = self.settings
        where = s.server_label
        if isinstance(exc, SendError | RetryLater):
            return exc
        if isinstance(exc, ssl.SSLCertVerificationError):
            return self._certificate_error(exc)
        if isinstance(exc, ssl.SSLError):
            if s.security == "tls" and exc.reason in PLAIN_TEXT_REASONS:
                return SendError(
                    f"the server at {s.address_label} answered in plain text, not TLS: choose "
                    "security starttls for this port"
                    + (", or use port 465 with tls" if s.effective_port != 465 else "")
                )
            return SendError(
                f"the encrypted connection to {where} failed ({exc.reason or exc}); check the "
                "security setting: tls is usually port 465, starttls port 587"
            )
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            text = _reply_text(exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                return RetryLater(f"login refused for now: {exc.smtp_code} {text}")
            return SendError(
                f"{where} refused the login for user {s.user} ({exc.smtp_code} {text}); "
                "check the user name and the password"
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return SendError(
                f"{where} does not offer login (AUTH); remove the user name or check the "
                "security setting"
            )
        if isinstance(exc, smtplib.SMTPResponseException):  # SMTPConnectError too
            text = f"{exc.smtp_code} {_reply_text(exc.smtp_error)}"
            if isinstance(exc, smtplib.SMTPConnectError):
                busy = f"{where} is busy: {text}"
                refused = f"{where} refused the connection: {text}"
            else:
                busy, refused = f"{where}: {text}", f"{where} refused: {text}"
            return RetryLater(busy) if 400 <= exc.smtp_code < 500 else SendError(refused)
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return RetryLater(f"{where} closed the connection ({exc})")
        if isinstance(exc, smtplib.SMTPException):
            return SendError(f"{where}: {exc}")
        if isinstance(exc, socket.gaierror):
            return RetryLater(f"cannot find the server {s.host} ({exc.strerror or exc})")
        assert isinstance(exc, OSError)
        return RetryLater(f"cannot connect to {where}: {exc.strerror or exc}")

    @staticmethod
    def _abort(smtp: smtplib.SMTP | None) -> None:
        if smtp is not None:
            try:
                smtp.close()
            except OSError as exc:
                log.debug("closing a failed connection: %s", exc)

    def drop(self) -> None:
        """Forget the connection without a goodbye (it is broken)."""
        self._abort(self._smtp)
        self._smtp = None

    def close(self) -> None:
        """Say QUIT and close."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError) as exc:
            log.debug("QUIT failed: %s", exc)
            self._abort(smtp)

    def _reset(self) -> None:
        assert self._smtp is not None
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.drop()

    def _refused(self, code: int, reply: bytes, stage: str) -> Outcome:
        text = _reply_text(reply)
        if code == 421:  # the server is closing the connection
            self.drop()
            return Outcome("temporary", code, text, stage, reconnect=True)
        self._reset()
        kind: Literal["rejected", "temporary"] = "temporary" if 400 <= code < 500 else "rejected"
        return Outcome(kind, code, text, stage, reconnect=not self.connected)

    def send(
        self,
        envelope_from: str,
        recipient: str,
        data: DataContent,
        before_data: Callable[[], None],
    ) -> Outcome:
        """One message (:func:`data_content`, e.g. :meth:`MessageFactory.data
        <composer.send.message.MessageFactory.data>`) over the open connection;
        ``before_data`` runs after RCPT is accepted."""
        smtp = self._smtp
        assert smtp is not None, "open() first"
        stage = "MAIL"
        try:
            code, reply = smtp.mail(envelope_from)
            if code != 250:
                if 500 <= code < 600:
                    self._reset()
                    return Outcome("sender_refused", code, _reply_text(reply), stage)
                return self._refused(code, reply, stage)
            stage = "RCPT"
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(code, reply, stage)
        except (smtplib.SMTPException, OSError) as exc:
            self.drop()
            return Outcome("temporary", None, f"connection lost ({exc})", stage, reconnect=True)
        try:
            before_data()
        except BaseException:
            self.drop()
            raise
        stage = "DATA"
        try:
            smtp.putcmd("data")
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.drop()
            return Outcome("temporary", None, f"connection lost ({exc})", stage, reconnect=True)
        if code != 354:
            return self._refused(code, reply, stage)
        stage = "message"
        try:
            smtp.send(data)
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.drop()
            return Outcome(
                "uncertain",
                None,
                f"the connection was lost after the message was sent and before the server "
                f"confirmed it ({exc}); it may or may not have been delivered",
                stage,
                reconnect=True,
            )
        if 200 <= code < 300:
            return Outcome("sent", code, _reply_text(reply), stage)
        return self._refused(code, reply, stage)


def check_connection(settings: SmtpSettings, password: str | None) -> str:
    """Connect, secure and log in as a send would, then say goodbye; what happened, in words.

    Raises :class:`SendError` with the reason when the server cannot be used
    (the Settings dialog's "Test connection", and ``settings smtp --check``).
    """
    if not settings.host:
        raise SendError("no SMTP server is set: name the server first")
    check_security(settings)
    connection = SmtpConnection(settings, password)
    try:
        connection.open()
    except RetryLater as exc:
        raise SendError(str(exc)) from None
    connection.close()
    login = f", logged in as {settings.user}" if settings.user else " (no login)"
    return f"Connected to {settings.server_label}{login}."
