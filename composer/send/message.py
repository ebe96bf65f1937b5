"""One message per recipient, built from the digest rendered once.

:func:`prepare_digest` renders the digest with the theme's own links (the
``plain`` export profile), through the theme's shared renderer
(:func:`composer.email.render.renderer_for`), so that a send reuses the preview's render of
an unchanged digest. :class:`MessageFactory` turns the rendered parts (no ``.eml`` in
between) into one message per recipient, built when it is sent and dropped right
after (a list of any length costs the memory of one message): ``To`` is that
recipient alone,
``Message-ID`` is derived from the digest and the recipient
(:func:`message_id_for`), and ``List-Unsubscribe`` / ``List-Unsubscribe-Post``
follow :class:`composer.email.unsubscribe.UnsubscribeRule`: a personal url
(``{email}``, ``{token}``) is filled in for each recipient, in the body and in
the header, and only a personal https url gets One-Click (RFC 8058); a shared
url gets a ``mailto:`` naming the reader beside it. The subject is folded by
:func:`composer.email.header_fold.fold_subject`. Test messages get ``[TEST]`` before
the subject and a fresh Message-ID each time. Headers are written as the SMTP
policy writes them (non-ASCII names as RFC 2047 encoded words); subjects and
names with line breaks or control characters are refused. The sender,
``List-Unsubscribe`` and the folding of the headers and MIME body into bytes are
the export's (:mod:`composer.email.export`): a file and a send follow one rule for each.

What a message costs is its own: the headers all messages share (``Subject``,
``From``, ``Reply-To``) are folded once (:class:`composer.email.export.HeadTemplate`),
and so is a body shared by every recipient, encoded and dot-stuffed for SMTP
(:func:`composer.send.smtp.dot_stuff`) once; per message, only ``To``, ``Date``,
``Message-ID`` and ``List-Unsubscribe`` are folded, and its headers stuffed
(:meth:`MessageFactory.data`). A personal body is encoded and stuffed with its message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import hashlib
import re
from collections.abc import Mapping
from email.headerregistry import Address

from composer.digest.model import Digest
from composer.email.export import (
    BUILTIN_PROFILES,
    fold_mime,
    head_template,
    message_bytes,
    mime_body,
    personal_parts,
    sender_for,
)
from composer.email.header_fold import fold_subject
from composer.email.preflight import Finding
from composer.email.render import Links, Rendered, Renderer, renderer_for
from composer.email.unsubscribe import UnsubscribeRule, needs_key
from composer.errors import NewsdigestError, SendError, ValidationError
from composer.library.item import NewsItem
from composer.recipients import (
    Recipient,
    check_header_text,
    header_problem,
    validate_address,
)
from composer.send.smtp import DataContent, data_content, dot_stuff
from composer.smtp_settings import (
    SmtpSettings,
    check_security,
    missing_for_sending,
)
from composer.theme.model import Theme

TEST_PREFIX = "[TEST] "
#: The recipient the preflight builds its sample message for.
PREVIEW_ADDRESS = "preview@example.org"


# -- the message ---------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PreparedDigest:
    """A digest rendered once for sending: the parts each recipient's message is built from."""

    digest: Digest
    theme: Theme
    links: Links
    rendered: Rendered
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
    """Render ``digest`` with the theme's own links (the ``plain`` export profile).

    ``renderer`` defaults to the theme's shared one (:func:`composer.email.render.renderer_for`),
    which returns the preview's render when nothing the email reads has changed.
    """
    renderer = renderer if renderer is not None else renderer_for(theme)
    links = BUILTIN_PROFILES["plain"].links(theme)
    rendered = renderer.render(digest, items, theme, links)
    return PreparedDigest(digest, theme, links, rendered)


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
    """The From address of a send, by the export's rule (:func:`composer.email.export.sender_for`):
    the SMTP settings' sender, else the theme's from address. A send without a server or
    a sender is refused first (:func:`check_ready`)."""
    check_ready(settings, settings.sender_address or theme.from_address)
    return sender_for(theme, settings).address


def message_id_for(digest_id: str, recipient: str, domain: str) -> str:
    """``<digest.hash@domain>``: the same digest and recipient always give the same id."""
    digest_part = re.sub(r"[^A-Za-z0-9-]+", "-", digest_id).strip("-")[:40] or "digest"
    token = hashlib.sha256(f"{digest_id}\n{recipient}".encode()).hexdigest()[:24]
    return f"<{digest_part}.{token}@{domain}>"


@dataclasses.dataclass(slots=True)
class _Body:
    """A message body (both MIME parts with their boundary): its folded MIME headers, its
    bytes, and those bytes dot-stuffed for SMTP DATA (made the first time they are asked for)."""

    mime: bytes
    data: bytes
    _stuffed: bytes | None = None

    def stuffed(self) -> bytes:
        if self._stuffed is None:
            self._stuffed = dot_stuff(self.data)
        return self._stuffed


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
        self._template = head_template(
            subject=self._subject_value,
            sender=self.sender,
            one_click=self.one_click,
            reply_to=self.reply_to,
        )
        # Without personal links the body (both parts, with their boundary) is the same
        # for everyone: it is encoded and dot-stuffed once; each message is then its own
        # headers and this.
        mime_headers, body = mime_body(prepared.rendered.text, prepared.rendered.html)
        self._shared = _Body(fold_mime(mime_headers), body)
        self._shared.stuffed()

    def list_unsubscribe(self, recipient: Recipient) -> str | None:
        """The ``List-Unsubscribe`` value of ``recipient``'s message."""
        return self.unsubscribe.header(recipient.ascii_address)

    def message_id(self, recipient: Recipient) -> str:
        if self.test:
            return email.utils.make_msgid(idstring="test", domain=self.domain)
        return message_id_for(self.prepared.digest.id, recipient.key, self.domain)

    def _body(self, recipient: Recipient) -> _Body:
        """``recipient``'s body: the shared one, or with their own unsubscribe link."""
        link = self.unsubscribe.link(recipient.ascii_address)
        url = self.unsubscribe.url
        if not self.personal or link is None or url is None:
            return self._shared
        mime_headers, body = mime_body(*personal_parts(self.prepared.rendered, url, link))
        return _Body(fold_mime(mime_headers), body)

    def _head(
        self, recipient: Recipient, body: _Body, message_id: str | None, now: dt.datetime | None
    ) -> bytes:
        """``recipient``'s folded headers: the shared ones, and To, Date, Message-ID and
        List-Unsubscribe of their own (an address the header cannot hold: ``ValueError``)."""
        return self._template.head(
            to=Address(display_name=recipient.name, addr_spec=recipient.ascii_address),
            message_id=message_id or self.message_id(recipient),
            list_unsubscribe=self.list_unsubscribe(recipient),
            mime=body.mime,
            now=now,
        )

    def build(
        self, recipient: Recipient, *, message_id: str | None = None, now: dt.datetime | None = None
    ) -> bytes:
        """The message for ``recipient``, as its bytes (built now, kept by nobody)."""
        body = self._body(recipient)
        return message_bytes(self._head(recipient, body, message_id, now), body.data)

    def data(
        self, recipient: Recipient, *, message_id: str | None = None, now: dt.datetime | None = None
    ) -> DataContent:
        """The message for ``recipient`` as SMTP DATA content: :meth:`build`, dot-stuffed.

        Only the headers are stuffed here; a shared body was stuffed once, when the
        factory encoded it, and a personal one is stuffed with its message.
        """
        body = self._body(recipient)
        head = dot_stuff(message_bytes(self._head(recipient, body, message_id, now), b""))
        return data_content(head, body.stuffed())
