"""Reading news items from JSON: an array of objects as ``newsdigest items --json`` prints them.

Each object has the fields of :meth:`composer.library.item.NewsItem.to_dict` (id, category,
title, date, summary, url, image_url, image_alt, tags, source, created, updated);
only title and date are required. A well-formed id is kept, so an export imported
again gives identical items.
"""

from __future__ import annotations

import json
from typing import Any

from composer.errors import SourceError
from composer.library.importers.base import DEFAULT_CATEGORY, ImportReport, ReportBuilder

_SHAPE = 'an array of items: [{"title": ..., "date": "2023-01-31", "category": ...}, ...]'


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def parse_json(
    text: str,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
) -> ImportReport:
    """Read the items of a JSON export; whole-file problems raise :class:`SourceError`."""
    builder = ReportBuilder(
        source, "json", item_source=item_source or source, default_category=default_category
    )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise SourceError(source, f"is empty; expected {_SHAPE}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceError(
            source,
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
        ) from None
    except (ValueError, RecursionError) as error:  # too-long integers, absurd nesting
        raise SourceError(source, f"is not JSON we can read ({error})") from None
    if not isinstance(data, list):
        raise SourceError(source, f"holds {_kind(data)}, not {_SHAPE}")
    if not data:
        raise SourceError(source, "holds an empty array: there are no items in it")
    for number, entry in enumerate(data, start=1):
        location = f"entry {number}"
        if not isinstance(entry, dict):
            builder.reject(location, f"is {_kind(entry)}, not an object with item fields")
            continue
        builder.add(dict(entry), location)
    return builder.report
