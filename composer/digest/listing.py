"""The digests saved in a library: listed for people, loaded for editing or sending.

The library stores each digest as the dictionary of
:meth:`~composer.digest.model.Digest.to_dict`; this module is the one place that
reads those dictionaries back for a list (the window's Open dialog, ``newsdigest
digests``, the check for another digest of the same month). Every stored digest
is read through :meth:`Digest.from_dict`, so a list shows what opening would
show; a damaged one is listed with the reason it cannot be read, never dropped
and never a traceback. A summary also says who saved the digest last, and when, as
the library stamped it (:data:`composer.repository.DIGEST_STAMP`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from composer.digest.model import Digest
from composer.errors import NewsdigestError
from composer.repository import Library


@dataclasses.dataclass(frozen=True, slots=True)
class DigestSummary:
    """One saved digest, as a list shows it."""

    id: str
    title: str
    period: str
    #: When it was last saved (an ISO timestamp; empty when unknown or unreadable).
    updated: str
    #: How many item references its sections hold.
    items: int
    #: Why the digest cannot be read (empty when it can).
    problem: str = ""
    #: Who saved it last and when, as the library stamped it (empty when it has not).
    changed_by: str = dataclasses.field(default="", compare=False)
    changed_at: str = dataclasses.field(default="", compare=False)
    #: The library's version of it (0: stored before versions were kept).
    version: int = dataclasses.field(default=0, compare=False)

    @property
    def readable(self) -> bool:
        return not self.problem

    @property
    def updated_label(self) -> str:
        """``2023-02-01 09:00``: the minute it was last saved."""
        return self.updated[:16].replace("T", " ")

    @property
    def changed_label(self) -> str:
        """``ann@office-2, 2023-02-01 16:03``: who saved it last and when; empty if unknown."""
        when = self.changed_at[:16].replace("T", " ")
        return ", ".join(part for part in (self.changed_by, when) if part)


def summary_of(data: Mapping[str, Any]) -> DigestSummary:
    """What a list shows of one stored digest (its reason, if it cannot be read)."""
    raw = data if isinstance(data, Mapping) else {}
    changed_by, changed_at = _raw_text(raw.get("updated_by")), _raw_text(raw.get("updated_at"))
    try:
        digest = Digest.from_dict(data)
    except NewsdigestError as exc:
        return DigestSummary(
            id=str(raw.get("id") or "?"),
            title=_raw_text(raw.get("title")),
            period=_raw_text(raw.get("period")),
            updated="",
            items=0,
            problem=str(exc),
            changed_by=changed_by,
            changed_at=changed_at,
        )
    return DigestSummary(
        id=digest.id,
        title=digest.title,
        period=digest.period,
        updated=digest.updated,
        items=sum(len(section.item_ids) for section in digest.sections),
        changed_by=changed_by,
        changed_at=changed_at,
        version=digest.version,
    )


def _raw_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def saved_digests(library: Library) -> list[DigestSummary]:
    """Every digest saved in ``library``, the last saved first (damaged ones last)."""
    summaries = [summary_of(data) for data in library.digests()]
    summaries.sort(key=lambda summary: summary.updated, reverse=True)
    return summaries


def load_digest(library: Library, digest_id: str) -> Digest | None:
    """The saved digest ``digest_id``; ``None`` when there is none.

    Raises :class:`~composer.errors.ValidationError` saying why when it is damaged.
    """
    stored = library.get_digest(digest_id)
    return None if stored is None else Digest.from_dict(stored)
