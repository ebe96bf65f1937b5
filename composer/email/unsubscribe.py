"""Unsubscribe links for one reader at a time: placeholders, tokens and ``List-Unsubscribe``.

The theme's unsubscribe url may carry two placeholders, filled in for each
recipient when Newsdigest sends by SMTP:

``{email}``
    the recipient's address (the one in the message's ``To``), url-encoded;
``{token}``
    ``base64url(HMAC-SHA256(key, lower(email)))[:22]`` (no padding): 22
    url-safe characters, 132 bits, that prove the link was made by whoever
    holds the key. The organisation's web form checks it with the same
    formula, or with ``newsdigest unsubscribe verify TOKEN EMAIL``. The key
    (32 random bytes) is kept in the system keychain
    (:class:`composer.secrets.UnsubscribeKeyStore`).

For example ``https://example.org/leave?u={email}&t={token}``. Avoid naming the
parameter ``email=`` (or putting the address after a ``#``): SpamAssassin reads
a link that carries the recipient's address that way as phishing
(``GB_CUSTOM_HTM_URI``, +1.0); :func:`spam_rule_problem` says so in the preflight.

The ``List-Unsubscribe`` header (RFC 2369) then names that personal url, and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058) is added only
when it is https: a mailbox provider's one-click POST carries no cookie and no
form, so only a url that names the reader can tell who left. A url shared by
every recipient gets no ``List-Unsubscribe-Post``; a ``mailto:`` whose subject
names the recipient's address is added instead (to the SMTP settings'
unsubscribe mailbox, else to the theme's unsubscribe mailto, else to the sender).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import re
import urllib.parse

from composer.email.markup import safe_link

EMAIL = "{email}"
TOKEN = "{token}"  # noqa: S105 (a placeholder, not a secret)
TOKEN_LENGTH = 22
KEY_BYTES = 32
ONE_CLICK = "List-Unsubscribe=One-Click"

#: Characters left as they are in a url of a header (any other non-ASCII one is %-encoded).
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


def is_personal(url: str | None) -> bool:
    """True when ``url`` carries ``{email}`` or ``{token}`` (it differs for each recipient)."""
    return bool(url) and (EMAIL in str(url) or TOKEN in str(url))


_PHISHING_LIKE = re.compile(r"(?:email=|#|\?&e=)\{email\}", re.IGNORECASE)


def spam_rule_problem(url: str | None) -> str | None:
    """Why SpamAssassin would score the personal ``url``, or None (GB_CUSTOM_HTM_URI)."""
    if not url or not _PHISHING_LIKE.search(url):
        return None
    return (
        "the unsubscribe url puts the reader's address after 'email=' (or '#'), which "
        "SpamAssassin scores as phishing (GB_CUSTOM_HTM_URI, +1.0); name the parameter "
        "otherwise, e.g. ?u={email}&t={token}"
    )


def needs_key(*urls: str | None) -> bool:
    """True when one of ``urls`` carries ``{token}`` (the send needs the unsubscribe key)."""
    return any(url and TOKEN in url for url in urls)


def make_token(key: bytes, email: str) -> str:
    """``base64url(HMAC-SHA256(key, lower(email)))[:22]``."""
    digest = hmac.new(key, email.strip().lower().encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:TOKEN_LENGTH]


def verify_token(key: bytes, token: str, email: str) -> bool:
    """True when ``token`` is the token of ``email`` under ``key`` (compared in constant time)."""
    expected = make_token(key, email)
    return hmac.compare_digest(expected.encode("ascii"), token.strip().encode("utf-8", "replace"))


def fill(url: str, email: str, key: bytes | None) -> str:
    """``url`` with ``{email}`` (url-encoded) and ``{token}`` filled in for ``email``."""
    filled = url.replace(EMAIL, urllib.parse.quote(email, safe="@"))
    if TOKEN in filled:
        if key is None:
            raise ValueError("the unsubscribe url has {token} but no key was given")
        filled = filled.replace(TOKEN, make_token(key, email))
    return filled


def header_url(url: str) -> str:
    """``url`` with any non-ASCII character percent-encoded (header values are ASCII)."""
    return urllib.parse.quote(url.strip(), safe=_URL_SAFE)


def _mailbox(mailto: str) -> str:
    """The address of a ``mailto:`` link, without its query."""
    return urllib.parse.unquote(mailto.split(":", 1)[1].split("?", 1)[0]).strip()


def personal_mailto(mailbox: str, email: str) -> str:
    """``mailto:mailbox?subject=unsubscribe%20email``: a message that names the reader."""
    subject = urllib.parse.quote(f"unsubscribe {email}", safe="@")
    return f"mailto:{urllib.parse.quote(mailbox, safe='@')}?subject={subject}"


@dataclasses.dataclass(frozen=True)
class UnsubscribeRule:
    """How one send writes the unsubscribe link and headers for each recipient.

    ``url`` is the link of the body and of the header (placeholders allowed);
    ``mailto`` the SMTP settings' unsubscribe mailbox (a ``mailto:`` link, placeholders
    allowed); ``sender`` the From address, the mailbox of last resort.
    """

    url: str | None
    mailto: str = ""
    sender: str = ""
    key: bytes | None = dataclasses.field(default=None, repr=False)

    @property
    def personal(self) -> bool:
        """The body's link and the header differ for each recipient."""
        return is_personal(self.url)

    @property
    def one_click(self) -> bool:
        """``List-Unsubscribe-Post`` is sent: the url is personal and https."""
        return self.personal and str(self.url).strip().lower().startswith("https://")

    @property
    def shared(self) -> bool:
        """One url for everyone (one-click could not tell who left)."""
        return bool(self.url) and safe_link(self.url) is not None and not self.personal

    def link(self, email: str) -> str | None:
        """The body's unsubscribe link for ``email``."""
        if not self.url:
            return None
        return fill(self.url, email, self.key) if self.personal else self.url

    def _fallback_mailbox(self) -> str:
        for candidate in (self.mailto, self.url or ""):
            if candidate.lower().startswith("mailto:") and not is_personal(candidate):
                return _mailbox(candidate)
        return self.sender if "@" in self.sender else ""

    def entries(self, email: str) -> list[str]:
        """The ``List-Unsubscribe`` entries for ``email`` (``<url>``), https first."""
        links: list[str] = []
        if self.personal:
            links.append(fill(str(self.url), email, self.key))
            if self.mailto:
                links.append(fill(self.mailto, email, self.key))
        else:
            if self.url and not self.url.lower().startswith("mailto:"):
                links.append(self.url)
            if is_personal(self.mailto):
                links.append(fill(self.mailto, email, self.key))
            else:
                mailbox = self._fallback_mailbox()
                if mailbox:
                    links.append(personal_mailto(mailbox, email))
        entries: list[str] = []
        for link in links:
            if safe_link(link) is None:
                continue
            entry = f"<{header_url(link)}>"
            if entry not in entries:
                entries.append(entry)
        # RFC 8058: the https url comes first, so that a receiver's POST goes there
        entries.sort(key=lambda entry: not entry.lower().startswith("<https://"))
        return entries

    def header(self, email: str) -> str | None:
        """The ``List-Unsubscribe`` value for ``email``, folded one entry a line; None without."""
        entries = self.entries(email)
        if not entries or not (self.url or self.mailto):
            return None
        return ",\r\n ".join(entries)
