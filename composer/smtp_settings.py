"""SMTP settings: the server, the sender and the pace of sending, declared once and checked.

:class:`SmtpSettings` is the one declaration: each field carries, in its
metadata, its label, its command-line flags and its check, so that the
``settings smtp`` command, the ``send`` overrides, ``--show`` and the GUI's form
all come from the same table (:data:`FIELDS`). The settings live under the
``"smtp"`` key of the library settings (:func:`smtp_from_settings`,
:func:`merge_smtp` for :meth:`~composer.repository.Library.update_settings`).

The password is not a setting: it lives in the system keychain
(:mod:`composer.secrets`), never in the library.

Rules enforced here: security is ``starttls``, ``tls`` or ``none``, and ``none``
(no encryption) is refused unless the host is this machine (loopback); a named
CA file must exist; the sender's name and the Reply-To must be safe in a header.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from composer.errors import ValidationError
from composer.recipients import check_address, check_header_text

SETTINGS_KEY = "smtp"
SECURITY_MODES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
SECURITY_LABELS = {
    "starttls": "STARTTLS",
    "tls": "TLS (SMTPS)",
    "none": "no encryption, this machine only",
}

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def is_loopback(host: str) -> bool:
    """True when ``host`` names this machine: ``localhost``, ``127.x.x.x`` or ``::1``."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# -- checks of single values -----------------------------------------------------------------------
Check = Callable[[Any, str], Any]


def _text(value: Any, field: str, limit: int = 300) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    return check_header_text(value, field, limit)


def check_host(value: Any, field: str = "smtp host") -> str:
    """A host name or an IP address (IPv6 with or without brackets)."""
    text = _text(value, field, 253)
    if not text:
        return ""
    bare = text.strip("[]")
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        pass
    else:
        return bare
    try:
        ascii_host = text.rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(field, f"{text[:60]!r} is not a host name") from None
    if not ascii_host or not all(_LABEL.match(label) for label in ascii_host.split(".")):
        raise ValidationError(
            field, f"{text[:60]!r} is not a host name like smtp.example.org or an IP address"
        )
    return text


def _number(value: Any, field: str, low: float, high: float, *, whole: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(field, f"must be a number, not {value!r}")
    try:
        number = float(value) if not whole else int(str(value).strip())
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ValidationError(field, f"must be {kind}, not {value!r}") from None
    if math.isnan(number) or not low <= number <= high:
        raise ValidationError(field, f"must be between {low:g} and {high:g}, not {value!r}")
    return number


def _port(value: Any, field: str) -> int:
    if value is None or value == "":
        return 0
    return int(_number(value, field, 0, 65535, whole=True))


def _security(value: Any, field: str) -> str:
    text = str(value or "starttls").strip().lower()
    if text not in SECURITY_MODES:
        raise ValidationError(
            field, f"{str(value)[:20]!r} is not one of {', '.join(SECURITY_MODES)}"
        )
    return text


def _user(value: Any, field: str) -> str:
    return _text(value, field, 320)


def _sender_name(value: Any, field: str) -> str:
    return _text(value, field, 200)


def _address(value: Any, field: str) -> str:
    text = _text(value, field, 320)
    return check_address(text, field).address if text else ""


def _reply_to(value: Any, field: str) -> str:
    """One address, optionally with a name: ``Press office <press@example.org>``."""
    text = _text(value, field, 400)
    if not text:
        return ""
    recipient = check_address(text, field)
    return f"{recipient.name} <{recipient.address}>" if recipient.name else recipient.address


def _ca_file(value: Any, field: str) -> str:
    text = _text(value, field, 1000)
    if not text:
        return ""
    path = Path(text).expanduser()
    if not path.is_file():
        raise ValidationError(field, f"{text} is not a file (name the organisation's CA .pem file)")
    return str(path.resolve())


def _mailto(value: Any, field: str) -> str:
    text = _text(value, field, 400)
    if not text:
        return ""
    address = text[len("mailto:") :] if text.lower().startswith("mailto:") else text
    plain, _, query = address.partition("?")
    check_address(plain, field)
    if any(ch.isspace() or ch in "<>\"'" for ch in address):
        raise ValidationError(field, f"{text[:60]!r} is not a valid mailto: link")
    return f"mailto:{plain}" + (f"?{query}" if query else "")


def _throttle(value: Any, field: str) -> float:
    return _number(value, field, 0, 100_000, whole=False)


def _timeout(value: Any, field: str) -> float:
    return _number(value, field, 0.1, 600, whole=False)


def _attempts(value: Any, field: str) -> int:
    return int(_number(value, field, 1, 20, whole=True))


def _delay(value: Any, field: str) -> float:
    return _number(value, field, 0, 3600, whole=False)


def _helo(value: Any, field: str) -> str:
    text = _text(value, field, 253)
    return check_host(text, field) if text else ""


def _meta(label: str, flag: str, send_flag: str | None, help: str, check: Check) -> dict[str, Any]:
    return {"label": label, "flag": flag, "send_flag": send_flag, "help": help, "check": check}


# -- the settings ----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SmtpSettings:
    """Where and how digests are sent. Each field's metadata: label, flags, help, check."""

    host: str = dataclasses.field(
        default="",
        metadata=_meta(
            "Server", "--host", "--smtp-host", "SMTP server name or address", check_host
        ),
    )
    port: int = dataclasses.field(
        default=0,
        metadata=_meta(
            "Port", "--port", "--smtp-port", "port (default: 587 STARTTLS, 465 TLS, 25 none)", _port
        ),
    )
    security: str = dataclasses.field(
        default="starttls",
        metadata=_meta(
            "Security",
            "--security",
            "--security",
            "starttls, tls, or none (none only for a server on this machine)",
            _security,
        ),
    )
    user: str = dataclasses.field(
        default="",
        metadata=_meta(
            "User name",
            "--user",
            "--smtp-user",
            "login name, for a server that asks for one",
            _user,
        ),
    )
    sender_name: str = dataclasses.field(
        default="",
        metadata=_meta(
            "Sender name", "--sender-name", None, "name shown as the sender", _sender_name
        ),
    )
    sender_address: str = dataclasses.field(
        default="",
        metadata=_meta(
            "Sender address",
            "--from",
            "--from",
            "sender: address, or 'Name <address>' (default: the theme's from address)",
            _address,
        ),
    )
    reply_to: str = dataclasses.field(
        default="",
        metadata=_meta("Reply-To", "--reply-to", "--reply-to", "address replies go to", _reply_to),
    )
    ca_file: str = dataclasses.field(
        default="",
        metadata=_meta(
            "CA file",
            "--ca-file",
            "--ca-file",
            "certificate authority (.pem) of an organisation's own server",
            _ca_file,
        ),
    )
    unsubscribe_mailto: str = dataclasses.field(
        default="",
        metadata=_meta(
            "Unsubscribe mailto",
            "--unsubscribe-mailto",
            None,
            "mailto: address for List-Unsubscribe, beside the theme's unsubscribe url",
            _mailto,
        ),
    )
    throttle: float = dataclasses.field(
        default=60.0,
        metadata=_meta(
            "Messages per minute",
            "--throttle",
            "--throttle",
            "at most this many messages a minute (0: as fast as the server accepts)",
            _throttle,
        ),
    )
    timeout: float = dataclasses.field(
        default=30.0,
        metadata=_meta(
            "Timeout (s)", "--timeout", None, "seconds to wait for the server", _timeout
        ),
    )
    max_attempts: int = dataclasses.field(
        default=4,
        metadata=_meta(
            "Attempts",
            "--max-attempts",
            None,
            "tries per recipient after temporary failures (4xx, dropped connections)",
            _attempts,
        ),
    )
    retry_delay: float = dataclasses.field(
        default=5.0,
        metadata=_meta(
            "First retry after (s)",
            "--retry-delay",
            None,
            "seconds before the first retry; each further retry waits twice as long",
            _delay,
        ),
    )
    helo_name: str = dataclasses.field(
        default="",
        metadata=_meta(
            "HELO name", "--helo-name", None, "name this computer gives the server", _helo
        ),
    )

    # -- derived --------------------------------------------------------------------------------
    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def address_label(self) -> str:
        """``"smtp.example.org:587"`` (an IPv6 address in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.effective_port}"

    @property
    def server_label(self) -> str:
        """``"smtp.example.org:587 (STARTTLS)"`` for summaries and messages."""
        return f"{self.address_label} ({SECURITY_LABELS[self.security]})"

    @property
    def keyring_username(self) -> str:
        """The keychain entry's user name: ``user@host:port``."""
        return f"{self.user}@{self.host}:{self.effective_port}"

    @property
    def retry_delay_max(self) -> float:
        return max(self.retry_delay, min(300.0, self.retry_delay * 2.0 ** (self.max_attempts - 1)))

    def to_settings(self) -> dict[str, Any]:
        """The JSON-ready form stored under ``settings["smtp"]``."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One setting as the CLI and the GUI present it."""

    name: str
    label: str
    flag: str
    send_flag: str | None
    help: str
    kind: type
    default: Any
    check: Check


def _field_specs() -> tuple[FieldSpec, ...]:
    kinds = {"str": str, "int": int, "float": float}
    specs = []
    for f in dataclasses.fields(SmtpSettings):
        meta = f.metadata
        specs.append(
            FieldSpec(
                name=f.name,
                label=meta["label"],
                flag=meta["flag"],
                send_flag=meta["send_flag"],
                help=meta["help"],
                kind=kinds[str(f.type)],
                default=f.default,
                check=meta["check"],
            )
        )
    return tuple(specs)


#: Every SMTP setting, in display order.
FIELDS: tuple[FieldSpec, ...] = _field_specs()
FIELDS_BY_NAME: dict[str, FieldSpec] = {spec.name: spec for spec in FIELDS}


def check_security(settings: SmtpSettings) -> SmtpSettings:
    """Refuse security "none" for a server that is not on this machine."""
    if settings.security == "none" and settings.host and not is_loopback(settings.host):
        raise ValidationError(
            "smtp security",
            f"'none' sends the password and the messages unencrypted; it is only allowed for a "
            f"server on this machine (localhost), not {settings.host}. Use starttls or tls",
        )
    return settings


#: Ports whose security is all but fixed: 465 speaks TLS from the first byte (RFC 8314),
#: 587 and 25 start in plain text (STARTTLS upgrades them).
IMPLICIT_TLS_PORTS = frozenset({465})
PLAIN_START_PORTS = frozenset({25, 587})


def security_warnings(settings: SmtpSettings) -> list[str]:
    """Likely mistakes in the port and security pair: 465 with starttls, 587 with tls."""
    port = settings.effective_port
    if settings.security != "tls" and port in IMPLICIT_TLS_PORTS:
        return [
            f"port {port} usually expects TLS from the first byte, but the security is "
            f"{settings.security}: the server will probably send no greeting. Choose security "
            "tls for this port, or port 587 with starttls"
        ]
    if settings.security == "tls" and port in PLAIN_START_PORTS:
        return [
            f"port {port} usually starts in plain text (STARTTLS), but the security is tls: "
            "the encrypted connection will probably fail. Choose security starttls for this "
            "port, or port 465 with tls"
        ]
    return []


def smtp_from_mapping(data: Mapping[str, Any]) -> SmtpSettings:
    """Checked settings from the stored form; missing keys take their defaults."""
    if not isinstance(data, Mapping):
        raise ValidationError(SETTINGS_KEY, "must be an object")
    values: dict[str, Any] = {}
    for spec in FIELDS:
        if spec.name in data and data[spec.name] is not None:
            values[spec.name] = spec.check(data[spec.name], f"smtp {spec.label.lower()}")
    return check_security(SmtpSettings(**values))


def smtp_from_settings(settings: Mapping[str, Any]) -> SmtpSettings:
    """The SMTP settings stored in the library's settings (defaults when none are)."""
    stored = settings.get(SETTINGS_KEY)
    return SmtpSettings() if stored is None else smtp_from_mapping(stored)


def with_changes(current: SmtpSettings, changes: Mapping[str, Any]) -> SmtpSettings:
    """``current`` with ``changes`` (field name -> value; ``None`` leaves a field) applied."""
    unknown = sorted(set(changes) - set(FIELDS_BY_NAME))
    if unknown:
        raise ValidationError(SETTINGS_KEY, f"unknown setting {', '.join(unknown)}")
    merged = current.to_settings()
    merged.update({k: v for k, v in changes.items() if v is not None})
    return smtp_from_mapping(merged)


def merge_smtp(settings: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``{"smtp": ...}`` with ``changes`` applied and checked, for ``Library.update_settings``."""
    return {SETTINGS_KEY: with_changes(smtp_from_settings(settings), changes).to_settings()}


def parse_from(value: str, field: str = "smtp sender") -> dict[str, str]:
    """``--from`` as changes: ``Name <address>`` sets both, a bare address only the address."""
    recipient = check_address(value, field)
    changes = {"sender_address": recipient.address}
    if recipient.name:
        changes["sender_name"] = recipient.name
    return changes


def describe(settings: SmtpSettings) -> list[tuple[str, str]]:
    """``(label, value)`` rows for ``settings smtp --show`` and the GUI."""
    rows = []
    for spec in FIELDS:
        value = getattr(settings, spec.name)
        if spec.name == "port":
            text = str(settings.effective_port) + ("" if settings.port else " (default)")
        elif spec.name == "security":
            text = SECURITY_LABELS[settings.security]
        elif spec.name == "throttle":
            text = f"{value:g}" if value else "no limit"
        elif isinstance(value, float):
            text = f"{value:g}"
        else:
            text = str(value) if value != "" else "-"
        rows.append((spec.label, text))
    return rows


def missing_for_sending(settings: SmtpSettings, fallback_sender: str = "") -> list[str]:
    """The settings a send cannot do without that are not set: ``"host"``, ``"sender_address"``.

    ``fallback_sender`` is the theme's from address, used when the SMTP settings name none.
    """
    missing = []
    if not settings.host:
        missing.append("host")
    if not settings.sender_address and not fallback_sender:
        missing.append("sender_address")
    return missing
