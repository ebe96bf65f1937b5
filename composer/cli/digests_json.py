"""``newsdigest digests --json``: the saved digests as one JSON array, for scripts.

The array is in the order of the plain listing (the last saved first, damaged ones
last: :func:`composer.digest.listing.saved_digests`), one object per digest, always
with every key below (``null`` where the library has no value), so a script can rely
on them:

``id``
    the digest's id (what ``build --digest`` and ``send --digest`` take);
``title``, ``period``
    as saved; ``period`` is usually a month, ``2023-01``;
``month``
    the period when it is a month written ``YYYY-MM``, else ``null``;
``version``
    the library's version of it (0: stored before versions were kept);
``items``
    how many item references its sections hold;
``sections``
    ``[{"category": "In Focus", "items": 3}, …]`` in the digest's order;
``template``
    its layout (``classic``, ``magazine``, ``briefing``, a template folder), ``null`` for
    the theme's;
``updated``
    when its content was last changed (ISO 8601), ``null`` when unknown;
``saved_by``, ``saved_at``
    who saved it last and when, as the library stamped it (``null`` when it has not);
``sends``
    its send log's recipients counted by state (``{"sent": 120, "failed": 2}``), ``{}``
    when it was never sent;
``problem``
    why it cannot be read (``null`` when it can; then ``items`` is 0, ``sections`` []).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from composer.digest.listing import saved_digests
from composer.digest.model import Digest, month_of
from composer.errors import NewsdigestError
from composer.repository import Library

#: The keys of every object, in the order they are written.
KEYS = (
    "id",
    "title",
    "period",
    "month",
    "version",
    "items",
    "sections",
    "template",
    "updated",
    "saved_by",
    "saved_at",
    "sends",
    "problem",
)


def _sections(data: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    if data is None:
        return []
    try:
        digest = Digest.from_dict(data)
    except NewsdigestError:  # a damaged digest: its problem says why
        return []
    return [{"category": s.category, "items": len(s.item_ids)} for s in digest.sections]


def _template(data: Mapping[str, Any] | None) -> str | None:
    value = data.get("template") if data is not None else None
    return value if isinstance(value, str) and value else None


def digest_records(library: Library) -> list[dict[str, Any]]:
    """Every saved digest of ``library`` as the JSON objects :data:`KEYS` describes."""
    stored = {str(d.get("id")): d for d in library.digests() if isinstance(d, Mapping)}
    summaries = saved_digests(library)
    with_logs = set(library.send_log_ids())
    records: list[dict[str, Any]] = []
    for s in summaries:
        data = stored.get(s.id) if s.readable else None
        sends = Counter(library.send_states(s.id).values()) if s.id in with_logs else Counter()
        record = {
            "id": s.id,
            "title": s.title,
            "period": s.period,
            "month": s.period if month_of(s.period) else None,
            "version": s.version,
            "items": s.items,
            "sections": _sections(data),
            "template": _template(data),
            "updated": s.updated or None,
            "saved_by": s.changed_by or None,
            "saved_at": s.changed_at or None,
            "sends": {state or "unknown": n for state, n in sorted(sends.items())},
            "problem": s.problem or None,
        }
        records.append({key: record[key] for key in KEYS})
    return records
