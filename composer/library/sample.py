"""The sample library shipped in the package, so that the app is useful with an empty library.

The items are about a fictional organisation, the Northwind Institute for Regional
Cooperation; all text is original and every url is on the reserved ``example`` TLD.
They live in ``composer/data/sample_library.json`` (read with :mod:`importlib.resources`,
so it works from a wheel) and go through :func:`composer.library.item.make_item` like any import:
since the file is our own data, an entry that does not validate raises.
"""

from __future__ import annotations

import importlib.resources
import json
from typing import Any

from composer.errors import ValidationError
from composer.library.item import NewsItem, make_item

#: The ``source`` of every sample item and the name of the sample "import" shown to people.
SAMPLE_SOURCE = "sample library"

_RESOURCE = "sample_library.json"


def _entries() -> list[Any]:
    text = importlib.resources.files("composer.data").joinpath(_RESOURCE).read_text("utf-8")
    entries = json.loads(text)
    if not isinstance(entries, list):
        raise TypeError(f"{_RESOURCE} must hold a JSON array, not {type(entries).__name__}")
    return entries


def load_sample_items() -> list[NewsItem]:
    """The sample items, validated, in the order of the file.

    A malformed entry raises :class:`ValidationError` (or ``TypeError`` for an entry that
    is not an object): the file ships with the package, so that is a bug, not bad input.
    """
    items: list[NewsItem] = []
    for number, entry in enumerate(_entries(), start=1):
        if not isinstance(entry, dict):
            raise TypeError(f"{_RESOURCE} entry {number} must be an object")
        try:
            items.append(make_item({**entry, "source": entry.get("source") or SAMPLE_SOURCE}))
        except ValidationError as exc:
            raise ValidationError(exc.field, f"{exc.reason} ({_RESOURCE} entry {number})") from exc
    return items
