"""Exporting a digest: the HTML, the plain text, an .eml message and a .zip of all of them.

An :class:`ExportProfile` says how the unsubscribe and web-version links are
written for a mailing tool. The built-in profiles, with each tool's documented
placeholders:

* ``plain``: the unsubscribe and web-version urls from the theme settings;
* ``mailchimp``: merge tags ``*|UNSUB|*`` and ``*|ARCHIVE|*``;
* ``brevo``: ``{{ unsubscribe }}`` and ``{{ mirror }}``;
* ``listmonk``: ``{{ UnsubscribeURL }}`` and ``{{ MessageURL }}`` (Go template
  functions of listmonk's campaign templates).

Users add or change profiles under the ``"export_profiles"`` key of the library
settings: ``{"mytool": {"label": "My tool", "unsubscribe": "%%unsub%%",
"web_version": "%%web%%"}}``. A value is either an http(s) or mailto url or a
placeholder (no spaces at its ends, no quotes or angle brackets); other
schemes (``javascript:``) are refused.

Every file is written atomically (a temporary file renamed over the target),
so an export never leaves half a file behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email.policy
import email.utils
import hashlib
import io
import json
import re
import urllib.parse
import zipfile
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from composer.digest import Digest
from composer.errors import NewsdigestError, ValidationError
from composer.fileio import atomic_write_bytes
from composer.item import NewsItem
from composer.markup import safe_link
from composer.preflight import Finding
from composer.render import Links, Rendered, Renderer
from composer.theme import Theme

SETTINGS_KEY = "export_profiles"
FALLBACK_FROM = "newsletter@example.invalid"


@dataclasses.dataclass(frozen=True, slots=True)
class ExportProfile:
    """How links are written for one mailing tool."""

    name: str
    label: str
    unsubscribe: str | None = None
    web_version: str | None = None
    from_theme: bool = False  # take both links from the theme settings

    def links(self, theme: Theme) -> Links:
        if self.from_theme:
            return Links(theme.unsubscribe_url, theme.web_version_url)
        return Links(self.unsubscribe, self.web_version)


BUILTIN_PROFILES: dict[str, ExportProfile] = {
    "plain": ExportProfile("plain", "Plain HTML (links from the theme settings)", from_theme=True),
    "mailchimp": ExportProfile("mailchimp", "Mailchimp", "*|UNSUB|*", "*|ARCHIVE|*"),
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
@dataclasses.dataclass(frozen=True)
class Exported:
    """A digest rendered for one profile, ready to be written."""

    digest: Digest
    profile: ExportProfile
    rendered: Rendered
    eml: bytes
    notes: tuple[str, ...] = ()

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


def _sender(theme: Theme) -> tuple[str, list[str]]:
    notes: list[str] = []
    name, address = email.utils.parseaddr(theme.from_address)
    if not address or "@" not in address:
        notes.append(f"no sender address in the theme settings: the .eml says From {FALLBACK_FROM}")
        name, address = theme.organisation, FALLBACK_FROM
    return email.utils.formataddr((name or theme.organisation, address)), notes


#: Serialises headers set raw (``List-Unsubscribe``) as they are: the default SMTP policy
#: would refold a long url into RFC 2047 encoded words, which no receiver reads as a url.
EML_POLICY = email.policy.SMTP.clone(refold_source="none")


def ascii_url(url: str) -> str:
    """``url`` with any non-ASCII character percent-encoded (header values are ASCII)."""
    return urllib.parse.quote(url, safe="!#$%&'()*+,/:;=?@[]~")


def list_unsubscribe(links: Links) -> str | None:
    """``List-Unsubscribe`` value when the unsubscribe link is a real url or mailto, else None."""
    value = links.unsubscribe
    if value and safe_link(value) is not None:
        return f"<{ascii_url(value.strip())}>"
    return None


def build_eml(
    rendered: Rendered,
    digest: Digest,
    theme: Theme,
    links: Links,
    *,
    now: dt.datetime | None = None,
    message_id: str | None = None,
) -> tuple[bytes, list[str]]:
    """The message as bytes: multipart/alternative, text first, UTF-8, quoted-printable."""
    sender, notes = _sender(theme)
    when = now or dt.datetime.now(dt.UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    domain = sender.rsplit("@", 1)[-1].rstrip(">") or "localhost"
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = digest.title
    message["From"] = sender
    message["Date"] = email.utils.format_datetime(when)
    message["Message-ID"] = message_id or email.utils.make_msgid(
        idstring=re.sub(r"[^A-Za-z0-9.-]", "", digest.id)[:40] or None, domain=domain
    )
    message["MIME-Version"] = "1.0"
    header = list_unsubscribe(links)
    if header:
        message.set_raw("List-Unsubscribe", header)
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="quoted-printable")
    # A boundary from the content, not a random one: the same digest gives the same file.
    digest_of_parts = hashlib.sha256((rendered.text + rendered.html).encode("utf-8")).hexdigest()
    boundary = f"=_newsdigest_{digest_of_parts[:32]}"
    message.set_boundary(boundary)
    return message.as_bytes(policy=EML_POLICY), notes


def export_digest(
    renderer: Renderer,
    digest: Digest,
    items: Mapping[str, NewsItem],
    theme: Theme,
    profile: ExportProfile,
    *,
    now: dt.datetime | None = None,
    message_id: str | None = None,
) -> Exported:
    """Render ``digest`` for ``profile`` and build its .eml."""
    links = profile.links(theme)
    rendered = renderer.render(digest, items, theme, links)
    eml, notes = build_eml(rendered, digest, theme, links, now=now, message_id=message_id)
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
