"""Sending a digest by SMTP: test sends, and list sends that never send twice by themselves.

The pieces, in the order a send uses them:

* :func:`prepare_digest` renders the digest once (HTML, text, preflight) and
  builds its ``.eml`` with :func:`composer.export.build_eml`.
* :class:`MessageFactory` turns that into one message per recipient, built
  when it is sent and dropped right after (a list of any length costs the
  memory of one message): ``To`` is that recipient alone, ``Message-ID`` is
  derived from the digest and the recipient (:func:`message_id_for`), and
  ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` follow
  :class:`composer.unsubscribe.UnsubscribeRule`: a personal url (``{email}``,
  ``{token}``) is filled in for each recipient, in the body and in the header,
  and only a personal https url gets One-Click (RFC 8058); a shared url gets a
  ``mailto:`` naming the reader beside it. The subject is folded by
  :func:`composer.header_fold.fold_subject`. Test messages get ``[TEST]`` before
  the subject and a fresh Message-ID each time. Headers are set on an
  :class:`email.message.EmailMessage` with the SMTP policy (non-ASCII names as
  RFC 2047 encoded words); subjects and names with line breaks or control
  characters are refused.
* :func:`plan_send` decides, from the send log, who gets the digest in this run.
* :class:`SendJob` runs the plan over one reused SMTP connection
  (:class:`SmtpConnection`), reconnecting when it drops, throttled to the
  settings' messages per minute, reporting progress to a callback, and
  stopping between two messages when :meth:`SendJob.cancel` is called.

The send log (:meth:`composer.repository.Library.record_send`, one durable
write each time) holds, per digest and recipient, one of these states:

``queued``
    to be sent; written for every recipient of the run before the first message.
``sending``
    written after the server accepted the recipient (RCPT) and before ``DATA``
    starts.
``sent``
    written right after the server's 250 reply, before the next message starts.
``failed``
    a permanent refusal (5xx), or temporary ones (4xx, a dropped connection
    before ``DATA``) that persisted through every retry; with the SMTP code and text.
``uncertain``
    the connection was lost between the end of ``DATA`` and the server's reply,
    or the process died there (a ``sending`` entry found when resuming). SMTP
    cannot tell whether the message was accepted, so it is not sent again
    unless asked (``retry_uncertain``).

Nobody gets the same digest twice unless the user chooses it: ``send_again``
``"failed"`` or ``"all"``, or ``retry_uncertain``.

:class:`SendJob` is meant to run in a worker thread for the GUI: its progress
callback is called from that thread, and :meth:`SendJob.cancel` may be called
from any thread.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import email.policy
import email.utils
import hashlib
import heapq
import logging
import re
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any, Literal, Protocol

from composer.digest import Digest, month_of
from composer.errors import NewsdigestError, ValidationError
from composer.export import BUILTIN_PROFILES, EML_POLICY, build_eml, mime_body, personal_parts
from composer.header_fold import fold_subject
from composer.item import NewsItem
from composer.preflight import Finding
from composer.recipients import (
    Recipient,
    RecipientList,
    check_address,
    check_header_text,
    header_problem,
    validate_address,
)
from composer.render import Links, Rendered, Renderer, user_templates_for
from composer.repository import JSONDict, Library
from composer.secrets import PasswordStore, UnsubscribeKeyStore
from composer.smtp_settings import (
    SmtpSettings,
    check_security,
    missing_for_sending,
    smtp_from_settings,
)
from composer.theme import Theme, theme_from_settings
from composer.unsubscribe import ONE_CLICK, UnsubscribeRule, needs_key, spam_rule_problem

log = logging.getLogger(__name__)

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
UNCERTAIN = "uncertain"
STATES = (QUEUED, SENDING, SENT, FAILED, UNCERTAIN)

TEST_PREFIX = "[TEST] "
#: The recipient the preflight builds its sample message for.
PREVIEW_ADDRESS = "preview@example.org"
SendAgain = Literal["failed", "all"]

#: Serialise with the SMTP policy, but never re-fold a header we wrote ready-folded
#: (a long List-Unsubscribe url would otherwise be turned into RFC 2047 encoded words).
OUTPUT_POLICY = EML_POLICY


class SendError(NewsdigestError):
    """A problem that stops a send; everyone not yet sent stays queued for a resume."""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- the message ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PreparedDigest:
    """A digest rendered once for sending."""

    digest: Digest
    theme: Theme
    links: Links
    rendered: Rendered
    eml: bytes
    notes: tuple[str, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.rendered.findings


def prepare_digest(
    digest: Digest,
    items: Mapping[str, NewsItem],
    theme: Theme,
    *,
    renderer: Renderer | None = None,
) -> PreparedDigest:
    """Render ``digest`` with the theme's own links (the ``plain`` export profile)."""
    if renderer is None:
        folder = user_templates_for(theme)
        renderer = Renderer(user_templates=folder if folder.is_dir() else None)
    links = BUILTIN_PROFILES["plain"].links(theme)
    rendered = renderer.render(digest, items, theme, links)
    # the .eml as an export writes it; its notes are about that file (its placeholder
    # sender and links), not about a send, which has its own sender and fills each link
    eml, _file_notes = build_eml(rendered, digest, theme, links)
    return PreparedDigest(digest, theme, links, rendered, eml)


#: What to give for each setting a send cannot do without (see :func:`check_ready`).
_MISSING_HINTS = {
    "host": "the server (--smtp-host, or `newsdigest settings smtp --host ...`)",
    "sender_address": "the sender address (--from, or `newsdigest settings smtp --from ...`)",
}


def check_ready(settings: SmtpSettings, fallback_sender: str = "") -> None:
    """Refuse to send when the server or the sender is missing (says which setting to give)."""
    missing = [_MISSING_HINTS[name] for name in missing_for_sending(settings, fallback_sender)]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise NewsdigestError(f"cannot send: {' and '.join(missing)} {verb} not set")
    check_security(settings)


def sender_of(settings: SmtpSettings, theme: Theme) -> Address:
    """The From address: the SMTP settings' sender, else the theme's from address."""
    name, address = settings.sender_name, settings.sender_address
    if not address and theme.from_address:
        fallback = check_address(theme.from_address, "theme from_address")
        address, name = fallback.ascii_address, name or fallback.name
    check_ready(settings, address)
    name = check_header_text(name or theme.organisation, "sender name", 200)
    ascii_address = validate_address(address)[1]
    return Address(display_name=name, addr_spec=ascii_address)


def message_id_for(digest_id: str, recipient: str, domain: str) -> str:
    """``<digest.hash@domain>``: the same digest and recipient always give the same id."""
    digest_part = re.sub(r"[^A-Za-z0-9-]+", "-", digest_id).strip("-")[:40] or "digest"
    token = hashlib.sha256(f"{digest_id}\n{recipient}".encode()).hexdigest()[:24]
    return f"<{digest_part}.{token}@{domain}>"


class MessageFactory:
    """Builds the message for one recipient at a time from a :class:`PreparedDigest`.

    ``unsubscribe_key`` is the key of the ``{token}`` placeholder
    (:class:`composer.secrets.UnsubscribeKeyStore`); a url with ``{token}`` needs it.
    """

    def __init__(
        self,
        prepared: PreparedDigest,
        settings: SmtpSettings,
        *,
        test: bool = False,
        unsubscribe_key: bytes | None = None,
    ) -> None:
        self.prepared = prepared
        self.test = test
        self.sender = sender_of(settings, prepared.theme)
        self.domain = self.sender.domain or "localhost"
        title = prepared.digest.title
        problem = header_problem(title)
        if problem:
            raise ValidationError(
                "digest title", f"{title[:60]!r} {problem}; it cannot be a subject"
            )
        self.subject = check_header_text((TEST_PREFIX if test else "") + title, "subject", 900)
        self._subject_value = fold_subject(self.subject)
        self.reply_to: Address | None = None
        if settings.reply_to:
            name, address = email.utils.parseaddr(settings.reply_to)
            self.reply_to = Address(display_name=name, addr_spec=validate_address(address)[1])
        url = prepared.links.unsubscribe
        if needs_key(url, settings.unsubscribe_mailto) and unsubscribe_key is None:
            raise SendError(
                "the unsubscribe url has {token}, and no unsubscribe key was given to make it"
            )
        self.unsubscribe = UnsubscribeRule(
            url, settings.unsubscribe_mailto, self.sender.addr_spec, unsubscribe_key
        )
        #: True when the body's unsubscribe link and the header differ for each recipient.
        self.personal = self.unsubscribe.personal
        #: ``List-Unsubscribe-Post`` is sent (a personal https url).
        self.one_click = self.unsubscribe.one_click
        rendered = prepared.rendered
        # Without personal links the body (both parts, with their boundary) is the same
        # for everyone: it is encoded once; each message is then its own headers and this.
        self._mime_headers, self._body = mime_body(rendered.text, rendered.html)

    def list_unsubscribe(self, recipient: Recipient) -> str | None:
        """The ``List-Unsubscribe`` value of ``recipient``'s message."""
        return self.unsubscribe.header(recipient.ascii_address)

    def message_id(self, recipient: Recipient) -> str:
        if self.test:
            return email.utils.make_msgid(idstring="test", domain=self.domain)
        return message_id_for(self.prepared.digest.id, recipient.key, self.domain)

    def _mime(self, recipient: Recipient) -> tuple[list[tuple[str, str]], bytes]:
        link = self.unsubscribe.link(recipient.ascii_address)
        url = self.unsubscribe.url
        if not self.personal or link is None or url is None:
            return self._mime_headers, self._body
        text, html = personal_parts(self.prepared.rendered, url, link)
        return mime_body(text, html)

    def headers(
        self,
        recipient: Recipient,
        *,
        message_id: str | None = None,
        now: dt.datetime | None = None,
        mime_headers: Sequence[tuple[str, str]] | None = None,
    ) -> EmailMessage:
        """The message's headers for ``recipient``, set with the SMTP policy."""
        when = now or dt.datetime.now(dt.UTC)
        msg = EmailMessage(policy=email.policy.SMTP)
        msg.set_raw("Subject", self._subject_value)
        msg["From"] = self.sender
        msg["To"] = Address(display_name=recipient.name, addr_spec=recipient.ascii_address)
        if self.reply_to is not None:
            msg["Reply-To"] = self.reply_to
        msg["Date"] = email.utils.format_datetime(when)
        msg.set_raw("Message-ID", message_id or self.message_id(recipient))
        list_unsubscribe = self.list_unsubscribe(recipient)
        if list_unsubscribe:
            msg.set_raw("List-Unsubscribe", list_unsubscribe)
            if self.one_click:
                msg.set_raw("List-Unsubscribe-Post", ONE_CLICK)
        for name, value in self._mime_headers if mime_headers is None else mime_headers:
            msg.set_raw(name, value)
        return msg

    def build(
        self, recipient: Recipient, *, message_id: str | None = None, now: dt.datetime | None = None
    ) -> bytes:
        """The message for ``recipient``, as the bytes to send (built now, kept by nobody)."""
        mime_headers, body = self._mime(recipient)
        msg = self.headers(recipient, message_id=message_id, now=now, mime_headers=mime_headers)
        head = b"".join(OUTPUT_POLICY.fold_binary(name, value) for name, value in msg.raw_items())
        return head + b"\r\n" + body


# -- the send log ----------------------------------------------------------------------------------
class Journal(Protocol):
    """Where recipients' states are kept: the library's send log, or memory for test sends."""

    def entries(self) -> dict[str, JSONDict]: ...

    def record(self, entries: Sequence[JSONDict]) -> None: ...


class LibraryJournal:
    """The durable send log of one digest in the library."""

    def __init__(self, library: Library, digest_id: str) -> None:
        self.library = library
        self.digest_id = digest_id

    def entries(self) -> dict[str, JSONDict]:
        return {
            str(e["recipient"]): e
            for e in self.library.send_log(self.digest_id)
            if isinstance(e.get("recipient"), str)
        }

    def record(self, entries: Sequence[JSONDict]) -> None:
        if entries:
            self.library.record_send(entries)


class MemoryJournal:
    """States kept for this run only (test sends never touch the send log)."""

    def __init__(self) -> None:
        self._entries: dict[str, JSONDict] = {}

    def entries(self) -> dict[str, JSONDict]:
        return {k: dict(v) for k, v in self._entries.items()}

    def record(self, entries: Sequence[JSONDict]) -> None:
        for entry in entries:
            key = str(entry["recipient"])
            self._entries[key] = {**self._entries.get(key, {}), **entry}


def log_counts(entries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many entries are in each state (every state present, zeros included)."""
    counts = dict.fromkeys(STATES, 0)
    for entry in entries:
        state = str(entry.get("state", ""))
        if state in counts:
            counts[state] += 1
    return counts


def describe_counts(counts: Mapping[str, int]) -> str:
    """``"120 sent, 3 failed, 1 uncertain, 1,110 queued"`` (states with a count only)."""
    order = (SENT, FAILED, UNCERTAIN, SENDING, QUEUED)
    parts = [f"{counts[s]:,} {s}" for s in order if counts.get(s)]
    return ", ".join(parts) or "nothing"


def _recipient_from_entry(entry: Mapping[str, Any]) -> Recipient:
    key = str(entry["recipient"])
    return Recipient(key, str(entry.get("address") or key), str(entry.get("name") or ""))


@dataclasses.dataclass(frozen=True)
class SendPlan:
    """Who gets the digest in this run, and who does not and why."""

    digest_id: str
    to_send: tuple[Recipient, ...]
    already_sent: tuple[str, ...] = ()
    failed_before: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()  # left out: may have been delivered
    interrupted: tuple[str, ...] = ()  # found in "sending": a crash mid-message
    resumed: int = 0  # queued by an earlier run
    not_in_list: int = 0  # queued by an earlier run, but not in the list given now
    log_counts: Mapping[str, int] = dataclasses.field(default_factory=dict)
    retry_uncertain: bool = False
    send_again: SendAgain | None = None

    @property
    def started_before(self) -> bool:
        return any(self.log_counts.values())

    def lines(self) -> list[str]:
        n = len(self.to_send)
        lines = [f"to send now: {n:,} recipient{'s' if n != 1 else ''}"]
        if self.started_before:
            lines.append(f"send log of this digest: {describe_counts(self.log_counts)}")
        if self.resumed:
            lines.append(f"resuming: {self.resumed:,} still queued from an earlier run")
        if self.already_sent:
            lines.append(f"already sent, not sent again: {len(self.already_sent):,}")
        if self.failed_before:
            lines.append(
                f"failed earlier, not sent again: {len(self.failed_before):,} "
                "(choose 'send again to failed' to retry them)"
            )
        if self.interrupted:
            lines.append(
                f"interrupted while sending (a crash): {len(self.interrupted):,}, now uncertain"
            )
        if self.uncertain:
            lines.append(
                f"uncertain, not sent again: {len(self.uncertain):,} (they may have received it; "
                "choose 'retry uncertain' to send to them anyway): "
                + ", ".join(self.uncertain[:10])
                + (" ..." if len(self.uncertain) > 10 else "")
            )
        if self.not_in_list:
            lines.append(
                f"left out: {self.not_in_list:,} queued earlier but not in the list given now"
            )
        return lines


def plan_send(
    digest_id: str,
    log: Mapping[str, Mapping[str, Any]],
    recipients: Sequence[Recipient] | None,
    *,
    retry_uncertain: bool = False,
    send_again: SendAgain | None = None,
) -> SendPlan:
    """Who to send to: the list given (or, without one, the log's recipients) minus who had it.

    With a list, recipients of the log who are not in it are left alone (someone
    removed from the list is not sent to). A ``sending`` entry means the process
    died mid-message: it counts as uncertain.
    """
    if send_again not in (None, "failed", "all"):
        raise ValidationError("send again", f"{send_again!r} is not 'failed' or 'all'")
    targets: dict[str, Recipient] = {}
    not_in_list = 0
    if recipients is not None:
        for recipient in recipients:
            targets.setdefault(recipient.key, recipient)
        not_in_list = sum(
            1 for key, e in log.items() if key not in targets and e.get("state") == QUEUED
        )
    else:
        for key, entry in log.items():
            targets[key] = _recipient_from_entry(entry)
    to_send: list[Recipient] = []
    sent: list[str] = []
    failed: list[str] = []
    uncertain: list[str] = []
    interrupted: list[str] = []
    resumed = 0
    for key, recipient in targets.items():
        state = log.get(key, {}).get("state")
        if state is None:
            to_send.append(recipient)
        elif state == QUEUED:
            resumed += 1
            to_send.append(recipient)
        elif state in (SENDING, UNCERTAIN):
            if state == SENDING:
                interrupted.append(key)
            if retry_uncertain:
                to_send.append(recipient)
            else:
                uncertain.append(key)
        elif state == SENT:
            if send_again == "all":
                to_send.append(recipient)
            else:
                sent.append(key)
        elif state == FAILED:
            if send_again in ("failed", "all"):
                to_send.append(recipient)
            else:
                failed.append(key)
        else:  # an unknown state written by a newer version: do not guess
            uncertain.append(key)
    return SendPlan(
        digest_id=digest_id,
        to_send=tuple(to_send),
        already_sent=tuple(sent),
        failed_before=tuple(failed),
        uncertain=tuple(uncertain),
        interrupted=tuple(interrupted),
        resumed=resumed,
        not_in_list=not_in_list,
        log_counts=log_counts(log.values()),
        retry_uncertain=retry_uncertain,
        send_again=send_again,
    )


# -- the connection --------------------------------------------------------------------------------
class _Temporary(Exception):
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


def _dot_stuff(data: bytes) -> bytes:
    """The message as DATA content: leading dots doubled, CRLF line ends, the final ``.``."""
    data = re.sub(rb"(?:\r\n|\r|\n)", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


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
        s = self.settings
        where = s.server_label
        context = self.ssl_context() if s.security != "none" else None
        helo = s.helo_name or default_helo_name()
        smtp: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    s.host,
                    s.effective_port,
                    local_hostname=helo,
                    timeout=s.timeout,
                    context=context,
                )
            else:
                smtp = smtplib.SMTP(
                    s.host, s.effective_port, local_hostname=helo, timeout=s.timeout
                )
            smtp.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise SendError(
                        f"{where} does not offer STARTTLS; Newsdigest does not send the password "
                        "or the messages unencrypted (choose the security the server supports)"
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user:
                if self.password is None:
                    raise SendError(f"no password for {s.keyring_username}")
                _login(smtp, s.user, self.password)
        except SendError:
            self._abort(smtp)
            raise
        except ssl.SSLCertVerificationError as exc:
            self._abort(smtp)
            raise self._certificate_error(exc) from None
        except ssl.SSLError as exc:
            self._abort(smtp)
            raise SendError(
                f"the encrypted connection to {where} failed ({exc.reason or exc}); check the "
                "security setting: tls is usually port 465, starttls port 587"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            self._abort(smtp)
            text = _reply_text(exc.smtp_error)
            if 400 <= exc.smtp_code < 500:
                raise _Temporary(f"login refused for now: {exc.smtp_code} {text}") from None
            raise SendError(
                f"{where} refused the login for user {s.user} ({exc.smtp_code} {text}); "
                "check the user name and the password"
            ) from None
        except smtplib.SMTPNotSupportedError:
            self._abort(smtp)
            raise SendError(
                f"{where} does not offer login (AUTH); remove the user name or check the "
                "security setting"
            ) from None
        except smtplib.SMTPConnectError as exc:
            self._abort(smtp)
            text = f"{exc.smtp_code} {_reply_text(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500:
                raise _Temporary(f"{where} is busy: {text}") from None
            raise SendError(f"{where} refused the connection: {text}") from None
        except smtplib.SMTPResponseException as exc:
            self._abort(smtp)
            text = f"{exc.smtp_code} {_reply_text(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500:
                raise _Temporary(f"{where}: {text}") from None
            raise SendError(f"{where} refused: {text}") from None
        except smtplib.SMTPServerDisconnected as exc:
            self._abort(smtp)
            raise _Temporary(f"{where} closed the connection ({exc})") from None
        except smtplib.SMTPException as exc:
            self._abort(smtp)
            raise SendError(f"{where}: {exc}") from None
        except socket.gaierror as exc:
            self._abort(smtp)
            raise _Temporary(f"cannot find the server {s.host} ({exc.strerror or exc})") from None
        except OSError as exc:
            self._abort(smtp)
            raise _Temporary(f"cannot connect to {where}: {exc.strerror or exc}") from None
        self._smtp = smtp

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
        self, envelope_from: str, recipient: str, data: bytes, before_data: Callable[[], None]
    ) -> Outcome:
        """One message over the open connection; ``before_data`` runs after RCPT is accepted."""
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
            smtp.send(_dot_stuff(data))
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
    except _Temporary as exc:
        raise SendError(str(exc)) from None
    connection.close()
    login = f", logged in as {settings.user}" if settings.user else " (no login)"
    return f"Connected to {settings.server_label}{login}."


# -- progress and report ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SendEvent:
    """Something that happened to one recipient."""

    recipient: str
    state: str  # a send-log state, or "retrying"
    code: int | None = None
    text: str = ""
    attempt: int = 0

    def __str__(self) -> str:
        reply = f": {self.code or ''} {self.text}".rstrip() if (self.code or self.text) else ""
        return f"{self.state} {self.recipient}{reply}"


@dataclasses.dataclass(frozen=True)
class SendProgress:
    """Counts for a progress bar: sent, failed, uncertain of total, and the time left."""

    total: int
    sent: int
    failed: int
    uncertain: int
    retrying: int
    elapsed: float
    seconds_left: float | None
    event: SendEvent | None = None
    waiting: float = 0.0  # seconds until the next message (throttle or retry back-off)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.uncertain


ProgressCallback = Callable[[SendProgress], None]


@dataclasses.dataclass
class SendReport:
    """What a run did."""

    digest_id: str
    test: bool
    total: int
    sent: list[str] = dataclasses.field(default_factory=list)
    failed: list[SendEvent] = dataclasses.field(default_factory=list)
    uncertain: list[SendEvent] = dataclasses.field(default_factory=list)
    left_queued: list[str] = dataclasses.field(default_factory=list)
    uncertain_before: tuple[str, ...] = ()
    cancelled: bool = False
    stopped: str | None = None
    elapsed: float = 0.0

    @property
    def complete(self) -> bool:
        """True when every recipient of the run got an answer (sent, failed or uncertain)."""
        return not self.left_queued and self.stopped is None and not self.cancelled

    @property
    def ok(self) -> bool:
        """Complete, and every message accepted by the server."""
        return self.complete and not self.failed and not self.uncertain

    @property
    def all_uncertain(self) -> list[str]:
        return [e.recipient for e in self.uncertain] + list(self.uncertain_before)

    def lines(self) -> list[str]:
        what = "test message" if self.test else "message"
        n = len(self.sent)
        lines = [
            f"sent {n:,} {what}{'s' if n != 1 else ''} of {self.total:,} in {self.elapsed:.1f} s"
            + (f", {len(self.failed):,} failed" if self.failed else "")
            + (f", {len(self.uncertain):,} uncertain" if self.uncertain else "")
        ]
        lines.extend(
            f"  failed {event.recipient}: {event.code or ''} {event.text}".rstrip()
            for event in self.failed
        )
        lines.extend(f"  uncertain {event.recipient}: {event.text}" for event in self.uncertain)
        if self.uncertain_before:
            lines.append(
                f"  uncertain from an earlier run, not sent again: "
                f"{', '.join(self.uncertain_before[:20])}"
                + (" ..." if len(self.uncertain_before) > 20 else "")
            )
        if self.uncertain or self.uncertain_before:
            lines.append(
                "  uncertain recipients may have received the digest; send to them again only "
                "if you choose to (--retry-uncertain)"
            )
        if self.cancelled:
            lines.append(f"cancelled: {len(self.left_queued):,} still queued; resume to send them")
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
            if self.left_queued and not self.test:
                lines.append(f"  {len(self.left_queued):,} still queued; resume to send them")
        return lines


# -- the job ---------------------------------------------------------------------------------------
def _entry(digest_id: str, recipient: Recipient, state: str, **fields: Any) -> JSONDict:
    stamp = now_iso()
    entry: JSONDict = {
        "digest_id": digest_id,
        "recipient": recipient.key,
        "address": recipient.ascii_address,
        "name": recipient.name,
        "state": state,
        "updated_at": stamp,
    }
    entry.update(fields)
    return entry


class SendJob:
    """One send of a digest: plan it, run it (a worker thread may), cancel it from anywhere."""

    def __init__(
        self,
        prepared: PreparedDigest,
        settings: SmtpSettings,
        *,
        journal: Journal | None = None,
        test: bool = False,
        passwords: PasswordStore | None = None,
        clock: Callable[[], float] = time.monotonic,
        cautions: Sequence[Finding] = (),
        unsubscribe_key: bytes | None = None,
    ) -> None:
        if journal is None and not test:
            raise ValueError("a list send needs the library's send log (LibraryJournal)")
        self.prepared = prepared
        self.settings = settings
        self.test = test
        self.journal: Journal = journal if journal is not None else MemoryJournal()
        self.unsubscribe_key = unsubscribe_key
        self.factory = MessageFactory(
            prepared, settings, test=test, unsubscribe_key=unsubscribe_key
        )
        self.passwords = passwords if passwords is not None else PasswordStore()
        self.clock = clock
        #: Findings about earlier sends of the same news (see :func:`other_sends`).
        self.cautions = tuple(cautions)
        self._cancel = threading.Event()

    @property
    def digest_id(self) -> str:
        return self.prepared.digest.id

    # -- control ----------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop after the message in flight (thread-safe); the rest stays queued."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def again(self) -> SendJob:
        """A new job for another run of the same message, server and send log (not cancelled)."""
        return SendJob(
            self.prepared,
            self.settings,
            journal=self.journal,
            test=self.test,
            passwords=self.passwords,
            clock=self.clock,
            cautions=self.cautions,
            unsubscribe_key=self.unsubscribe_key,
        )

    # -- planning ---------------------------------------------------------------------------------
    def plan(
        self,
        recipients: Sequence[Recipient] | None = None,
        *,
        retry_uncertain: bool = False,
        send_again: SendAgain | None = None,
        log: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> SendPlan:
        """Who to send to now (``log``: the send log's entries, when the caller has them)."""
        log_entries = {} if self.test else (self.journal.entries() if log is None else log)
        return plan_send(
            self.digest_id,
            log_entries,
            recipients,
            retry_uncertain=retry_uncertain,
            send_again=send_again,
        )

    def preflight(self, plan: SendPlan, recipients: RecipientList | None = None) -> Preflight:
        return make_preflight(self, plan, recipients)

    # -- running ----------------------------------------------------------------------------------
    def _backoff(self, attempt: int) -> float:
        s = self.settings
        return float(min(s.retry_delay * 2.0 ** max(0, attempt - 1), s.retry_delay_max))

    def run(self, plan: SendPlan, progress: ProgressCallback | None = None) -> SendReport:
        """Send to ``plan.to_send``; returns the report (a stop is reported, not raised)."""
        started = self.clock()
        report = SendReport(self.digest_id, self.test, len(plan.to_send))
        report.uncertain_before = plan.uncertain
        digest_id = self.digest_id
        stamp = now_iso()
        start_entries = [
            _entry(
                digest_id,
                r,
                QUEUED,
                queued_at=stamp,
                attempts=0,
                code=None,
                text="",
                message_id=None if self.test else self.factory.message_id(r),
            )
            for r in plan.to_send
        ]
        log_entries = self.journal.entries() if plan.interrupted else {}
        resent = {r.key for r in plan.to_send}
        for key in plan.interrupted:
            if key in resent:
                continue
            start_entries.append(
                {
                    **log_entries.get(key, {}),
                    **_entry(
                        digest_id,
                        _recipient_from_entry(log_entries.get(key, {"recipient": key})),
                        UNCERTAIN,
                        text="interrupted after the message was handed to the server; it may "
                        "or may not have been delivered",
                    ),
                }
            )
        report.left_queued = [r.key for r in plan.to_send]
        try:
            self.journal.record(start_entries)
            if plan.to_send:
                self._run(plan, report, started, progress)
        except NewsdigestError as exc:  # SendError, or the send log could not be written
            report.stopped = str(exc)
        report.elapsed = self.clock() - started
        return report

    def _password(self) -> str | None:
        if not self.settings.user:
            return None
        password = self.passwords.get(self.settings)
        if password is None:
            from composer.secrets import ENV_VAR

            raise SendError(
                f"no password for {self.settings.keyring_username}: store it in the keychain "
                f"(`newsdigest settings smtp --password`), or set {ENV_VAR}"
            )
        return password

    def _run(
        self,
        plan: SendPlan,
        report: SendReport,
        started: float,
        progress: ProgressCallback | None,
    ) -> None:
        s = self.settings
        interval = 60.0 / s.throttle if s.throttle else 0.0
        queue: list[tuple[float, int, int, Recipient]] = [
            (0.0, n, 0, r) for n, r in enumerate(plan.to_send)
        ]
        sequence = len(queue)
        front = 0  # sequence numbers for a recipient put back at the head of the queue
        retrying: set[str] = set()
        envelope_from = self.factory.sender.addr_spec
        digest_id = self.digest_id

        def emit(event: SendEvent | None, waiting: float = 0.0) -> None:
            if progress is None:
                return
            elapsed = self.clock() - started
            done = len(report.sent) + len(report.failed) + len(report.uncertain)
            remaining = report.total - done
            per_message = max(interval, elapsed / done if done else interval)
            left = remaining * per_message if (done or interval) else None
            progress(
                SendProgress(
                    total=report.total,
                    sent=len(report.sent),
                    failed=len(report.failed),
                    uncertain=len(report.uncertain),
                    retrying=len(retrying),
                    elapsed=elapsed,
                    seconds_left=left,
                    event=event,
                    waiting=waiting,
                )
            )

        def record(recipient: Recipient, state: str, **fields: Any) -> None:
            self.journal.record([_entry(digest_id, recipient, state, **fields)])

        connection = SmtpConnection(s, self._password())
        opened_once = False
        trouble = 0  # connection problems since the last message accepted
        last_start: float | None = None
        try:
            while queue:
                if self._cancel.is_set():
                    report.cancelled = True
                    break
                ready_at, _, attempts, recipient = queue[0]
                now = self.clock()
                wait = ready_at - now
                if interval and last_start is not None:
                    wait = max(wait, last_start + interval - now)
                if wait > 0:
                    emit(None, wait)
                    self._cancel.wait(wait)
                    continue
                heapq.heappop(queue)
                if not connection.connected:
                    try:
                        connection.open()
                    except _Temporary as exc:
                        trouble += 1
                        if not opened_once or trouble >= s.max_attempts:
                            front -= 1
                            heapq.heappush(queue, (ready_at, front, attempts, recipient))
                            raise SendError(str(exc)) from None
                        delay = self._backoff(trouble)
                        log.info("reconnecting in %.1f s: %s", delay, exc)
                        front -= 1
                        heapq.heappush(queue, (self.clock() + delay, front, attempts, recipient))
                        continue
                    except SendError:
                        front -= 1
                        heapq.heappush(queue, (ready_at, front, attempts, recipient))
                        raise
                    opened_once = True
                last_start = self.clock()
                attempt = attempts + 1
                message_id = self.factory.message_id(recipient)
                try:
                    data = self.factory.build(recipient, message_id=message_id)
                except (ValueError, TypeError) as exc:  # an address the header cannot hold
                    event = SendEvent(recipient.key, FAILED, None, f"cannot build: {exc}", attempt)
                    record(recipient, FAILED, text=event.text, attempts=attempt)
                    report.failed.append(event)
                    emit(event)
                    continue

                def before_data(
                    r: Recipient = recipient, a: int = attempt, mid: str = message_id
                ) -> None:
                    record(r, SENDING, attempts=a, sending_at=now_iso(), message_id=mid)

                try:
                    outcome = connection.send(
                        envelope_from, recipient.ascii_address, data, before_data
                    )
                except NewsdigestError:  # the send log could not be written: nothing was sent
                    front -= 1
                    heapq.heappush(queue, (ready_at, front, attempts, recipient))
                    raise
                del data
                retrying.discard(recipient.key)
                if outcome.kind == "sent":
                    trouble = 0
                    record(
                        recipient,
                        SENT,
                        attempts=attempt,
                        code=outcome.code,
                        text=outcome.text,
                        sent_at=now_iso(),
                        message_id=message_id,
                    )
                    report.sent.append(recipient.key)
                    emit(SendEvent(recipient.key, SENT, outcome.code, outcome.text, attempt))
                    continue
                if outcome.kind == "sender_refused":
                    record(
                        recipient, QUEUED, attempts=attempts, code=outcome.code, text=outcome.text
                    )
                    front -= 1
                    heapq.heappush(queue, (ready_at, front, attempts, recipient))
                    raise SendError(
                        f"the server refused the sender address {envelope_from} "
                        f"({outcome.code} {outcome.text}); nothing more was sent"
                    )
                if outcome.kind == "rejected":
                    event = SendEvent(recipient.key, FAILED, outcome.code, outcome.text, attempt)
                    record(
                        recipient, FAILED, attempts=attempt, code=outcome.code, text=outcome.text
                    )
                    report.failed.append(event)
                    emit(event)
                    continue
                if outcome.kind == "uncertain":
                    trouble += 1
                    event = SendEvent(recipient.key, UNCERTAIN, None, outcome.text, attempt)
                    record(recipient, UNCERTAIN, attempts=attempt, text=outcome.text)
                    report.uncertain.append(event)
                    emit(event)
                    if trouble >= s.max_attempts:
                        raise SendError(f"the connection to {s.server_label} keeps failing")
                    continue
                # temporary: a 4xx reply, or the connection lost before DATA
                if outcome.reconnect:
                    trouble += 1
                if attempt >= s.max_attempts:
                    text = f"{outcome.text} (a temporary failure; gave up after {attempt} attempts)"
                    event = SendEvent(recipient.key, FAILED, outcome.code, text, attempt)
                    record(recipient, FAILED, attempts=attempt, code=outcome.code, text=text)
                    report.failed.append(event)
                    emit(event)
                else:
                    record(
                        recipient, QUEUED, attempts=attempt, code=outcome.code, text=outcome.text
                    )
                    retrying.add(recipient.key)
                    delay = self._backoff(attempt)
                    heapq.heappush(queue, (self.clock() + delay, sequence, attempt, recipient))
                    sequence += 1
                    emit(SendEvent(recipient.key, "retrying", outcome.code, outcome.text, attempt))
                if outcome.reconnect and trouble >= s.max_attempts:
                    raise SendError(
                        f"the connection to {s.server_label} keeps failing ({outcome.text})"
                    )
        except KeyboardInterrupt:
            # "Ctrl-C again to stop at once": no QUIT, whose reply may be queued behind the
            # one the server still owes; the message in flight stays "sending" (uncertain)
            connection.drop()
            raise
        finally:
            connection.close()
            report.left_queued = [r.key for _, _, _, r in sorted(queue)]
            emit(None)


def job_for(
    library: Library,
    digest: Digest,
    *,
    test: bool = False,
    settings: SmtpSettings | None = None,
    passwords: PasswordStore | None = None,
    renderer: Renderer | None = None,
    keys: UnsubscribeKeyStore | None = None,
    theme: Theme | None = None,
) -> SendJob:
    """A send of ``digest`` with the library's theme, items, SMTP settings and send log.

    ``settings`` replaces the stored SMTP settings (command-line overrides), ``theme``
    the stored theme settings; the GUI passes its own ``renderer`` so that
    templates and premailer are set up once. ``keys`` gives the unsubscribe key when
    the unsubscribe url has ``{token}`` (by default the keychain's, made once).
    """
    stored = library.settings()
    theme = theme if theme is not None else theme_from_settings(stored)
    smtp = settings if settings is not None else smtp_from_settings(stored)
    items = {item.id: item for item in library.items()}
    prepared = prepare_digest(digest, items, theme, renderer=renderer)
    journal = None if test else LibraryJournal(library, digest.id)
    cautions = () if test else other_sends(library, digest)
    key = None
    if needs_key(prepared.links.unsubscribe, smtp.unsubscribe_mailto):
        key = (keys if keys is not None else UnsubscribeKeyStore()).get_or_create()
    return SendJob(
        prepared,
        smtp,
        journal=journal,
        test=test,
        passwords=passwords,
        cautions=cautions,
        unsubscribe_key=key,
    )


def month_digest_id(month: str) -> str:
    """The id of the digest ``send --month YYYY-MM`` drafts: stable, so its send log resumes."""
    return f"month-{month}"


def other_sends(library: Library, digest: Digest) -> tuple[Finding, ...]:
    """Errors for other digests of the same month that were already sent (in part).

    The send log is kept per digest, so the January news sent from the command
    line (``send --month 2023-01``) and a January digest saved in the window are
    two logs: without this check, the second send would reach everyone again.
    """
    period = digest.period.strip()
    if month_of(period) is None:
        return ()
    others: dict[str, str] = {}
    for stored in library.digests():
        if str(stored.get("period") or "").strip() == period:
            others[str(stored.get("id"))] = str(stored.get("title") or "")
    others.setdefault(month_digest_id(period), f"the {period} news sent with `send --month`")
    others.pop(digest.id, None)
    findings = []
    for other_id, title in sorted(others.items()):
        counts = log_counts(library.send_log(other_id))
        if not (counts[SENT] or counts[SENDING] or counts[UNCERTAIN]):
            continue
        findings.append(
            Finding(
                "error",
                "already-sent-as-another-digest",
                f"the news of {period} was already sent as another digest, “{title}” "
                f"({other_id}): {describe_counts(counts)}. Its recipients are not in this "
                "digest's send log and would get the news again: resume that digest instead, "
                "or send anyway if that is what you mean",
            )
        )
    return tuple(findings)


# -- preflight -------------------------------------------------------------------------------------
def confirmation_question(count: int) -> str:
    """``"Send to 1,234 recipients?"``."""
    return f"Send to {count:,} recipient{'s' if count != 1 else ''}?"


def estimate_seconds(count: int, settings: SmtpSettings, per_message: float = 0.2) -> float:
    """A rough duration for ``count`` messages at the throttle (or ``per_message`` without one)."""
    interval = 60.0 / settings.throttle if settings.throttle else 0.0
    return count * max(interval, per_message)


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


@dataclasses.dataclass(frozen=True)
class Preflight:
    """What the Send dialog and ``newsdigest send`` show before asking for confirmation."""

    subject: str
    sender: str
    reply_to: str
    server: str
    login: str
    count: int
    size: int
    list_unsubscribe: str | None
    one_click: bool
    throttle: float
    estimate: float
    findings: tuple[Finding, ...]
    plan_lines: tuple[str, ...]
    recipient_lines: tuple[str, ...]
    notes: tuple[str, ...]
    test: bool = False
    personal: bool = False  # the unsubscribe link differs for each recipient

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def confirmation(self) -> str:
        return confirmation_question(self.count)

    def lines(self) -> list[str]:
        lines = [
            f"subject: {self.subject}",
            f"from: {self.sender}" + (f", reply-to: {self.reply_to}" if self.reply_to else ""),
            f"server: {self.server}, login: {self.login}",
            f"message: {self.size / 1024:.0f} KB",
        ]
        if self.list_unsubscribe:
            if self.one_click:
                how = " (one per recipient, with one-click)"
            elif self.personal:
                how = " (one per recipient; no https url: no one-click)"
            else:
                how = " (shared by every recipient: no one-click; the mailto names the reader)"
            example = " for preview@example.org" if PREVIEW_ADDRESS in self.list_unsubscribe else ""
            lines.append(
                f"List-Unsubscribe{example}: " + self.list_unsubscribe.replace(",\r\n ", ", ") + how
            )
        elif not self.test:
            lines.append(
                "List-Unsubscribe: none (set an unsubscribe url in the theme settings; large "
                "mailbox providers expect one)"
            )
        lines.extend(self.recipient_lines)
        lines.extend(self.plan_lines)
        if self.count:
            pace = f"{self.throttle:g} a minute" if self.throttle else "no limit"
            lines.append(f"pace: {pace}, about {format_duration(self.estimate)}")
        lines.extend(f"note: {note}" for note in self.notes)
        errors, warnings = len(self.errors), len(self.warnings)
        lines.append(
            f"preflight: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''}"
        )
        lines.extend(f"  {finding}" for finding in self.findings if finding.severity != "info")
        return lines


def make_preflight(
    job: SendJob, plan: SendPlan, recipients: RecipientList | None = None
) -> Preflight:
    factory = job.factory
    sample = Recipient(PREVIEW_ADDRESS, PREVIEW_ADDRESS)
    size = len(factory.build(sample, message_id=factory.message_id(sample)))
    settings = job.settings
    findings = job.prepared.findings + job.cautions
    if not job.test:  # a test send is how one checks a theme still being set up
        from composer.preflight import check_readiness

        findings = (*check_readiness(job.prepared.theme), *findings)
    spam_rule = spam_rule_problem(factory.unsubscribe.url if factory.personal else None)
    if spam_rule:
        findings += (Finding("warning", "unsubscribe-url-like-phishing", spam_rule),)
    if not job.test and factory.unsubscribe.shared:
        findings += (
            Finding(
                "warning",
                "unsubscribe-not-personal",
                "every recipient gets the same unsubscribe url, so a one-click unsubscribe "
                "(Gmail, Yahoo) cannot tell who left: no List-Unsubscribe-Post is sent. Put "
                "{email} and {token} in the theme's unsubscribe url (e.g. "
                "https://example.org/leave?u={email}&t={token}) to give each reader their own",
            ),
        )
    return Preflight(
        subject=factory.subject,
        sender=str(factory.sender),
        reply_to=str(factory.reply_to) if factory.reply_to else "",
        server=settings.server_label,
        login=settings.user or "none",
        count=len(plan.to_send),
        size=size,
        list_unsubscribe=factory.list_unsubscribe(sample),
        one_click=factory.one_click,
        throttle=settings.throttle,
        estimate=estimate_seconds(len(plan.to_send), settings),
        findings=findings,
        plan_lines=() if job.test else tuple(plan.lines()),
        recipient_lines=tuple(recipients.report_lines()) if recipients is not None else (),
        notes=job.prepared.notes,
        test=job.test,
        personal=factory.personal,
    )
