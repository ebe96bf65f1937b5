"""A preflight finding: what would go wrong (or is worth knowing) before sending, and where.

A :class:`Finding` has a severity (``error``, ``warning`` or ``info``), a code, a
message a communications officer understands, where it is (for people) and what it is
about (for a window to take the user there: :attr:`Finding.field`, an item, a
section). :mod:`composer.email.preflight` makes them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclasses.dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or one fact, for ``info``) found before sending."""

    severity: Severity
    code: str
    message: str
    where: str = ""
    item_id: str | None = None
    section: int | None = None
    #: What the finding is about, for a window to take the user there (never parsed from
    #: :attr:`where`, which is for people): a field of the digest (``"preheader"``,
    #: ``"intro"``, ``"period"``), or a field qualified by what holds it: an item's
    #: (``"item.title"``, ``"item.summary"``, ``"item.url"``, ``"item.image_alt"``, with
    #: :attr:`item_id`), a theme setting's (``"theme.unsubscribe_url"``) or a sending
    #: setting's (``"smtp.security"``). Empty when the finding is about a whole item or
    #: section (see :attr:`item_id`, :attr:`section`), the digest, or the HTML.
    field: str = ""

    @property
    def digest_field(self) -> str:
        """The digest field (``"preheader"``...) this finding is about, or ``""``."""
        return "" if "." in self.field else self.field

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.severity}: {self.message}{where}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def errors_in(findings: Iterable[Finding]) -> list[Finding]:
    """The errors among ``findings`` (what blocks a send or asks for a confirmation)."""
    return [f for f in findings if f.severity == "error"]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then information; otherwise in the order found."""
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


def quote(text: str, limit: int = 60) -> str:
    """``text`` on one line in quotation marks, cut at ``limit`` characters."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"
