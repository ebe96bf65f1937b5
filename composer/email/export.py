"""Exporting a digest: the HTML, the plain text, an .eml message and a .zip of all of them.

An :class:`ExportProfile` says how the unsubscribe and web-version links are
written for a mailing tool. The built-in profiles, with each tool's documented
placeholders:

* ``plain``: the unsubscribe and web-version urls from the theme settings;
* ``mailchimp``: merge tags ``*|UNSUB|*`` and ``*|ARCHIVE|*``, and
  ``*|LIST:ADDRESSLINE|*`` in place of the postal address (Mailchimp requires
  its address merge tag, which it fills from the audience's settings);
* ``brevo``: ``{{ unsubscribe }}`` and ``{{ mirror }}``;
* ``listmonk``: ``{{ UnsubscribeURL }}`` and ``{{ MessageURL }}`` (Go template
  functions of listmonk's campaign templates).

Users add or change profiles under the ``"export_profiles"`` key of the library
settings: ``{"mytool": {"label": "My tool", "unsubscribe": "%%unsub%%",
"web_version": "%%web%%"}}``. A value is either an http(s) or mailto url or a
placeholder (no spaces at its ends, no quotes or angle brackets); other
schemes (``javascript:``) are refused.

The ``.eml`` is the message one reader would get: ``To`` is a placeholder
(:data:`PLACEHOLDER_TO`, a group of no one, or the sender when the unsubscribe
url is personal and is filled in for that address), the subject is folded by
:func:`composer.email.header_fold.fold_subject`, only the top-level message carries
``MIME-Version``, and ``List-Unsubscribe-Post`` is there when it applies (a
personal https url, see :mod:`composer.email.unsubscribe`).

A file and a send follow the same rules, written here once: the sender
(:func:`sender_for`: the SMTP settings' sender, else the theme's from address, else
for a file the placeholder :data:`FALLBACK_FROM` with a note), ``List-Unsubscribe``
(:func:`list_unsubscribe`, a call of :class:`composer.email.unsubscribe.UnsubscribeRule`),
and the headers and MIME body folded into bytes (:class:`HeadTemplate`,
:func:`mime_body`, :func:`message_bytes`); :mod:`composer.send.message` builds each
recipient's message with them.

Every file is written atomically (a temporary file renamed over the target),
so an export never leaves half a file behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.policy
import email.utils
import hashlib
import html as html_lib
import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from composer.digest.model import Digest
from composer.email.header_fold import fold_subject
from composer.email.markup import safe_link
from composer.email.preflight import Finding
from composer.email.render import Links, Rendered, Renderer
from composer.email.unsubscribe import ONE_CLICK, UnsubscribeRule, header_url, needs_key
from composer.errors import NewsdigestError, ValidationError
from composer.fileio import atomic_write_bytes
from composer.library.item import NewsItem
from composer.recipients import check_address, check_header_text, validate_address
from composer.smtp_settings import SmtpSettings
from composer.theme.model import Theme

SETTINGS_KEY = "export_profiles"
FALLBACK_FROM = "newsletter@example.invalid"
#: ``To`` of an exported message: a group with no member (RFC 5322 §3.4), for a file
#: that is not addressed to anyone yet.
PLACEHOLDER_TO = "undisclosed-recipients:;"


@dataclasses.dataclass(frozen=True, slots=True)
class ExportProfile:
    """How links are written for one mailing tool."""

    name: str
    label: str
    unsubscribe: str | None = None
    web_version: str | None = None
    from_theme: bool = False  # take both links from the theme settings
    #: Written in place of the theme's postal address (a mailing tool's merge tag).
    postal_address: str | None = None

    def theme_for(self, theme: Theme) -> Theme:
        """``theme`` with the profile's postal address merge tag, when it has one."""
        if self.postal_address is None:
            return theme
        return dataclasses.replace(theme, postal_address=self.postal_address)

    def links(self, theme: Theme) -> Links:
        if self.from_theme:
            return Links(theme.unsubscribe_url, theme.web_version_url)
        return Links(self.unsubscribe, self.web_version)


BUILTIN_PROFILES: dict[str, ExportProfile] = {
    "plain": ExportProfile("plain", "Plain HTML (links from the theme settings)", from_theme=True),
    "mailchimp": ExportProfile(
        "mailchimp", "Mailchimp", "*|UNSUB|*", "*|ARCHIVE|*", postal_address="*|LIST:ADDRESSLINE|*"
    ),
    "brevo": ExportProfile("brevo", "Brevo", "{{ unsubscribe }}", "{{ mirror }}"),
    "listmonk": ExportProfile("listmonk", "listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}"),
}

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _link_value(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 300:
        raise ValidationError(field, "must be a url or a placeholder of at most 300 characters")
    if value != value.strip() or any(ch in value for ch in "\"'<>\n\r\t"):
        raise ValidationError(
            field, f"{value[:60]!r} must not contain quotes, angle brackets or line breaks"
        )
    m = _SCHEME.match(value)
    if m and m[1].lower() not in ("http", "https", "mailto"):
        raise ValidationError(
            field, f"{value[:60]!r} uses {m[1]}:, only http, https and mailto links are allowed"
        )
    if m and safe_link(value) is None:
        raise ValidationError(field, f"{value[:60]!r} is not a valid link")
    return value


def _postal_value(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    field = f"export profile {name} postal_address"
    if not isinstance(value, str) or len(value) > 300:
        raise ValidationError(field, "must be a merge tag or text of at most 300 characters")
    if any(ch in value for ch in "<>\n\r\t"):
        raise ValidationError(
            field, f"{value[:60]!r} must not contain angle brackets or line breaks"
        )
    return value.strip()


def profile_from_mapping(name: str, data: Mapping[str, Any]) -> ExportProfile:
    """A checked user profile from its settings entry."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError(
            "export profile", f"{str(name)[:40]!r} is not a profile name (a-z, 0-9, - and _)"
        )
    if not isinstance(data, Mapping):
        raise ValidationError(f"export profile {name}", "must be an object")
    label = data.get("label") or name
    if not isinstance(label, str):
        raise ValidationError(f"export profile {name} label", "must be text")
    return ExportProfile(
        name=name,
        label=" ".join(label.split())[:80],
        unsubscribe=_link_value(data.get("unsubscribe"), f"export profile {name} unsubscribe"),
        web_version=_link_value(data.get("web_version"), f"export profile {name} web_version"),
        from_theme=bool(data.get("from_theme", False)),
        postal_address=_postal_value(data.get("postal_address"), name),
    )


def profiles(settings: Mapping[str, Any]) -> dict[str, ExportProfile]:
    """The built-in profiles, with the user's from the settings added (or replacing them)."""
    table = dict(BUILTIN_PROFILES)
    extra = settings.get(SETTINGS_KEY) or {}
    if not isinstance(extra, Mapping):
        raise ValidationError(SETTINGS_KEY, "must be an object of name -> profile")
    for name, data in extra.items():
        table[str(name)] = profile_from_mapping(str(name), data)
    return table


def get_profile(name: str, settings: Mapping[str, Any]) -> ExportProfile:
    table = profiles(settings)
    if name not in table:
        raise NewsdigestError(
            f"there is no export profile '{name}'; choose one of {', '.join(sorted(table))}"
        )
    return table[name]


# -- the message ---------------------------------------------------------------------------------
class ExportNote(str):
    """A note for the reader of an exported file; ``about`` names the file (``"eml"``).

    It is the note's text (``str(note)``), so it prints and joins as one; what it is
    about lets a command print it only when that file is written.
    """

    about: str

    def __new__(cls, text: str, about: str = "eml") -> ExportNote:
        note = super().__new__(cls, text)
        note.about = about
        return note


@dataclasses.dataclass(frozen=True)
class Exported:
    """A digest rendered for one profile, ready to be written."""

    digest: Digest
    profile: ExportProfile
    rendered: Rendered
    eml: bytes
    notes: tuple[ExportNote, ...] = ()  # each names the file it is about

    @property
    def html(self) -> str:
        return self.rendered.html

    @property
    def text(self) -> str:
        return self.rendered.text

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.rendered.findings

    def json_bytes(self) -> bytes:
        return (json.dumps(self.digest.to_dict(), ensure_ascii=False, indent=2) + "\n").encode(
            "utf-8"
        )

    def basename(self) -> str:
        stem = self.digest.period or self.digest.id
        return "digest-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "export")

    def zip_bytes(self) -> bytes:
        """The .zip bundle: the HTML, the text, the .eml and the digest as JSON."""
        stamp = _zip_time(self.digest)
        buffer = io.BytesIO()
        base = self.basename()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for name, data in (
                (f"{base}.html", self.html.encode("utf-8")),
                (f"{base}.txt", self.text.encode("utf-8")),
                (f"{base}.eml", self.eml),
                (f"{base}.json", self.json_bytes()),
            ):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                bundle.writestr(info, data)
        return buffer.getvalue()


def _zip_time(digest: Digest) -> tuple[int, int, int, int, int, int]:
    """The digest's last-saved time, so that the same digest gives the same bundle."""
    try:
        when = dt.datetime.fromisoformat(digest.updated) if digest.updated else None
    except ValueError:
        when = None
    if when is None or when.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


@dataclasses.dataclass(frozen=True)
class Sender:
    """The ``From`` of a message, and what the reader of an exported file is told about it."""

    address: Address
    notes: tuple[str, ...] = ()


def sender_for(theme: Theme, settings: SmtpSettings | None = None) -> Sender:
    """The ``From`` address, by one rule for sends and exported files.

    The SMTP settings' sender when they name one; else the theme's from address; else,
    for a file (no ``settings``: an export has no SMTP settings), the placeholder
    :data:`FALLBACK_FROM`, with a note saying so. A send with neither is refused
    (:func:`composer.send.message.check_ready` says which setting to give), and so is a
    send whose theme from address is not valid; a file notes it and uses the placeholder.
    The display name is the sender's name, else the theme's organisation.
    """
    name, address = (settings.sender_name, settings.sender_address) if settings else ("", "")
    notes: list[str] = []
    if not address and theme.from_address:
        try:
            fallback = check_address(theme.from_address, "theme from_address")
        except ValidationError as exc:
            if settings is not None:
                raise
            notes.append(f"{exc}: the .eml says From {FALLBACK_FROM}")
        else:
            address, name = fallback.ascii_address, name or fallback.name
    if not address:
        if settings is not None:
            raise NewsdigestError("cannot send: the sender address is not set")
        if not notes:
            notes.append(
                f"no sender address in the theme settings: the .eml says From {FALLBACK_FROM}"
            )
        name, address = theme.organisation, FALLBACK_FROM
    else:
        address = validate_address(address)[1]
    display = check_header_text(name or theme.organisation, "sender name", 200)
    return Sender(Address(display_name=display, addr_spec=address), tuple(notes))


#: Serialises headers set raw (``List-Unsubscribe``) as they are: the default SMTP policy
#: would refold a long url into RFC 2047 encoded words, which no receiver reads as a url.
EML_POLICY = email.policy.SMTP.clone(refold_source="none")


def list_unsubscribe(rule: UnsubscribeRule, reader: str | None = None) -> str | None:
    """The ``List-Unsubscribe`` value of ``reader``'s message, by ``rule``; else None.

    ``reader`` None is a file addressed to no one: it names the url shared by everyone
    (https or mailto) as written, and a personal url (``{email}``, ``{token}``) has no
    reader to be filled in for, so it gives no header.
    """
    if reader is not None:
        return rule.header(reader)
    if rule.shared and rule.url:
        return f"<{header_url(rule.url)}>"
    return None


#: One header line's length (before its CRLF) up to which the SMTP policy writes it unfolded.
_LINE_LENGTH = EML_POLICY.max_line_length or 78
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
#: A display name the SMTP policy writes as it is: ASCII words (RFC 5322 atoms), one space apart.
_PLAIN_NAME = re.compile(rf"{_ATEXT}(?: {_ATEXT})*")
#: An address the SMTP policy writes as it is: dot-atoms before and after the ``@``.
_PLAIN_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_ATEXT}(?:\.{_ATEXT})*")


def fold_raw(name: str, value: str) -> bytes:
    """``name: value`` as it is (a header set raw: already folded, or a url kept whole)."""
    return EML_POLICY.fold_binary(name, value)


def address_header(name: str, address: Address) -> bytes:
    """The ``name`` header of one ``address``, byte for byte as the SMTP policy writes it.

    A plain ASCII name and address that fit on one line, the policy writes unchanged:
    those are written directly. The rest (a non-ASCII name, as an RFC 2047 encoded
    word; a quoted name, an encoded-word look-alike, a long line) go through the policy.
    """
    display, spec = address.display_name, address.addr_spec
    plain = _PLAIN_ADDRESS.fullmatch(spec) and (
        not display or ("=?" not in display and _PLAIN_NAME.fullmatch(display))
    )
    line = f"{name}: {display} <{spec}>" if display else f"{name}: {spec}"
    if plain and len(line) <= _LINE_LENGTH:
        return line.encode("ascii") + b"\r\n"
    return EML_POLICY.fold_binary(name, EML_POLICY.header_factory(name, address))


def date_header(now: dt.datetime | None = None) -> bytes:
    """``Date:`` of ``now`` (default: now; without a time zone, UTC), as the SMTP policy writes it.

    :func:`email.utils.format_datetime` gives a short ASCII line the policy keeps as it is.
    """
    when = now or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return b"Date: " + email.utils.format_datetime(when).encode("ascii") + b"\r\n"


def fold_mime(mime_headers: Sequence[tuple[str, str]]) -> bytes:
    """The MIME headers of :func:`mime_body`, folded (they close a message's headers)."""
    return b"".join(fold_raw(name, value) for name, value in mime_headers)


@dataclasses.dataclass(frozen=True, slots=True)
class HeadTemplate:
    """The headers of a digest's messages, in one order for files and sends, byte for byte
    what the SMTP policy writes: those all messages share (``Subject``, ``From``,
    ``Reply-To``) folded once; :meth:`head` adds each one's ``To``, ``Date``, ``Message-ID``,
    ``List-Unsubscribe`` (``-Post`` too when ``one_click``) and its body's MIME headers.
    """

    top: bytes  # Subject and From
    reply_to: bytes  # Reply-To, or nothing
    one_click: bool

    def head(
        self,
        *,
        to: Address | None,
        message_id: str,
        list_unsubscribe: str | None,
        mime: bytes,
        now: dt.datetime | None = None,
    ) -> bytes:
        """The folded headers of one message; ``to`` None is :data:`PLACEHOLDER_TO`.

        ``mime`` is :func:`fold_mime` of its body's MIME headers.
        """
        pieces = [
            self.top,
            fold_raw("To", PLACEHOLDER_TO) if to is None else address_header("To", to),
            self.reply_to,
            date_header(now),
            fold_raw("Message-ID", message_id),
        ]
        if list_unsubscribe:
            pieces.append(fold_raw("List-Unsubscribe", list_unsubscribe))
            if self.one_click:
                pieces.append(fold_raw("List-Unsubscribe-Post", ONE_CLICK))
        pieces.append(mime)
        return b"".join(pieces)


def head_template(
    *, subject: str, sender: Address, one_click: bool, reply_to: Address | None = None
) -> HeadTemplate:
    """The headers shared by a digest's messages: ``subject`` is already folded
    (:func:`composer.email.header_fold.fold_subject`); ``one_click`` says whether a
    ``List-Unsubscribe`` goes with a ``List-Unsubscribe-Post``."""
    top = fold_raw("Subject", subject) + address_header("From", sender)
    return HeadTemplate(
        top, address_header("Reply-To", reply_to) if reply_to is not None else b"", one_click
    )


def message_head(
    *,
    subject: str,
    sender: Address,
    to: Address | None,
    message_id: str,
    list_unsubscribe: str | None,
    one_click: bool,
    mime_headers: Sequence[tuple[str, str]],
    reply_to: Address | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """One message's folded headers (:class:`HeadTemplate`), for a file."""
    template = head_template(subject=subject, sender=sender, one_click=one_click, reply_to=reply_to)
    return template.head(
        to=to,
        message_id=message_id,
        list_unsubscribe=list_unsubscribe,
        mime=fold_mime(mime_headers),
        now=now,
    )


def message_bytes(head: bytes, body: bytes) -> bytes:
    """The message as bytes: its folded headers (:class:`HeadTemplate`), a blank line, ``body``."""
    return head + b"\r\n" + body


def mime_body(text: str, html: str) -> tuple[list[tuple[str, str]], bytes]:
    """The MIME headers and body of the multipart/alternative (text first, quoted-printable).

    Only the top-level message says ``MIME-Version`` (RFC 2045 §4): the parts do not.
    The boundary comes from the content, not from chance: the same digest gives the
    same bytes.
    """
    message = EmailMessage(policy=email.policy.SMTP)
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for part in message.iter_parts():
        del part["MIME-Version"]
    digest_of_parts = hashlib.sha256((text + html).encode("utf-8")).hexdigest()
    message.set_boundary(f"=_newsdigest_{digest_of_parts[:32]}")
    whole = message.as_bytes(policy=EML_POLICY)
    body = whole.split(b"\r\n\r\n", 1)[1]
    headers = [
        (name, value)
        for name, value in message.raw_items()
        if name.lower() in ("content-type", "content-transfer-encoding")
    ]
    return [("MIME-Version", "1.0"), *headers], body


def personal_parts(rendered: Rendered, template_url: str, link: str) -> tuple[str, str]:
    """The text and HTML with the personal unsubscribe ``link`` in place of ``template_url``."""
    text = rendered.text.replace(template_url, link)
    html = rendered.html.replace(
        html_lib.escape(template_url, quote=True), html_lib.escape(link, quote=True)
    )
    return text, html


def build_eml(
    rendered: Rendered,
    digest: Digest,
    theme: Theme,
    links: Links,
    *,
    now: dt.datetime | None = None,
    message_id: str | None = None,
    unsubscribe_key: bytes | None = None,
) -> tuple[bytes, list[ExportNote]]:
    """The message as bytes: multipart/alternative, text first, UTF-8, quoted-printable.

    With a personal unsubscribe url (``{email}``, ``{token}``), the message is the
    one the sender would get: ``To`` is the sender, and the links are filled in
    for that address (``{token}`` needs ``unsubscribe_key``; without it the file keeps
    the placeholders and has no ``List-Unsubscribe``, and a note says so).
    """
    sender = sender_for(theme)
    notes = [ExportNote(note, about="eml") for note in sender.notes]
    address = sender.address.addr_spec
    rule = UnsubscribeRule(links.unsubscribe, sender=address, key=unsubscribe_key)
    reader: str | None = None
    if rule.personal:
        if needs_key(rule.url) and unsubscribe_key is None:
            notes.append(
                ExportNote(
                    "the unsubscribe url is personal ({token}): the .eml keeps the placeholders "
                    "and has no List-Unsubscribe; they are filled in for each reader at send time",
                    about="eml",
                )
            )
        else:
            reader = address
    text, html = rendered.text, rendered.html
    link = rule.link(reader) if reader is not None else None
    if rule.url and link is not None:
        text, html = personal_parts(rendered, rule.url, link)
    mime_headers, body = mime_body(text, html)
    domain = sender.address.domain or "localhost"
    head = message_head(
        subject=fold_subject(digest.title),
        sender=sender.address,
        to=sender.address if reader is not None else None,
        message_id=message_id
        or email.utils.make_msgid(
            idstring=re.sub(r"[^A-Za-z0-9.-]", "", digest.id)[:40] or None, domain=domain
        ),
        list_unsubscribe=list_unsubscribe(rule, reader),
        one_click=reader is not None and rule.one_click,
        mime_headers=mime_headers,
        now=now,
    )
    return message_bytes(head, body), notes


def export_digest(
    renderer: Renderer,
    digest: Digest,
    items: Mapping[str, NewsItem],
    theme: Theme,
    profile: ExportProfile,
    *,
    now: dt.datetime | None = None,
    message_id: str | None = None,
    unsubscribe_key: bytes | None = None,
) -> Exported:
    """Render ``digest`` for ``profile`` and build its .eml."""
    links = profile.links(theme)
    rendered = renderer.render(digest, items, profile.theme_for(theme), links)
    eml, notes = build_eml(
        rendered,
        digest,
        theme,
        links,
        now=now,
        message_id=message_id,
        unsubscribe_key=unsubscribe_key,
    )
    return Exported(digest, profile, rendered, eml, tuple(notes))


def write_exports(
    exported: Exported,
    *,
    html: Path | None = None,
    text: Path | None = None,
    eml: Path | None = None,
    bundle: Path | None = None,
) -> list[Path]:
    """Write the asked-for files, each atomically; returns the paths written."""
    planned: list[tuple[Path, bytes]] = []
    if html is not None:
        planned.append((html, exported.html.encode("utf-8")))
    if text is not None:
        planned.append((text, exported.text.encode("utf-8")))
    if eml is not None:
        planned.append((eml, exported.eml))
    if bundle is not None:
        planned.append((bundle, exported.zip_bytes()))
    written: list[Path] = []
    for path, data in planned:
        path = Path(path)
        if path.is_dir():
            raise NewsdigestError(f"{path}: is a folder; give a file name")
        if not path.parent.is_dir():
            raise NewsdigestError(f"{path}: the folder {path.parent} does not exist")
        try:
            atomic_write_bytes(path, data)
        except OSError as exc:
            raise NewsdigestError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
        written.append(path)
    return written
