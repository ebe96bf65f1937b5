"""One message per recipient, built from the digest rendered once.

:func:`prepare_digest` renders the digest with the theme's own links (the
``plain`` export profile). :class:`MessageFactory` turns that into one message
per recipient, built when it is sent and dropped right after (a list of any
length costs the memory of one message): ``To`` is that recipient alone,
``Message-ID`` is derived from the digest and the recipient
(:func:`message_id_for`), and ``List-Unsubscribe`` / ``List-Unsubscribe-Post``
follow :class:`composer.unsubscribe.UnsubscribeRule`: a personal url
(``{email}``, ``{token}``) is filled in for each recipient, in the body and in
the header, and only a personal https url gets One-Click (RFC 8058); a shared
url gets a ``mailto:`` naming the reader beside it. The subject is folded by
:func:`composer.header_fold.fold_subject`. Test messages get ``[TEST]`` before
the subject and a fresh Message-ID each time. Headers are set on an
:class:`email.message.EmailMessage` with the SMTP policy (non-ASCII names as
RFC 2047 encoded words); subjects and names with line breaks or control
characters are refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.policy
import email.utils
import hashlib
import re
from collections.abc import Mapping, Sequence
from email.headerregistry import Address
from email.message import EmailMessage

from composer.digest import Digest
from composer.errors import NewsdigestError, SendError, ValidationError
from composer.export import BUILTIN_PROFILES, EML_POLICY, build_eml, mime_body, personal_parts
from composer.header_fold import fold_subject
from composer.item import NewsItem
from composer.preflight import Finding
from composer.recipients import (
    Recipient,
    check_address,
    check_header_text,
    header_problem,
    validate_address,
)
from composer.render import Links, Rendered, Renderer, user_templates_for
from composer.smtp_settings import (
    SmtpSettings,
    check_security,
    missing_for_sending,
)
from composer.theme import Theme
from composer.unsubscribe import ONE_CLICK, UnsubscribeRule, needs_key

TEST_PREFIX = "[TEST] "
#: The recipient the preflight builds its sample message for.
PREVIEW_ADDRESS = "preview@example.org"

#: Serialise with the SMTP policy, but never re-fold a header we wrote ready-folded
#: (a long List-Unsubscribe url would otherwise be turned into RFC 2047 encoded words).
OUTPUT_POLICY = EML_POLICY


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
