"""JSON documents on their way into JSONB: encoded by orjson, as the file store encodes them.

A value that is not JSON (an object, a non-string key, an integer beyond 64 bits) is
refused with a :class:`LibraryError` before anything is sent to the server, so a
refused call changes nothing; the server refuses what JSONB cannot hold (a ``\\u0000``
in a string), which :func:`store.postgres.connect.database_errors` says in words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from composer.errors import LibraryError


def to_json(document: Mapping[str, Any], what: str) -> str:
    """``document`` as JSON text for a ``%s::jsonb`` parameter; ``what`` names it if refused."""
    try:
        return orjson.dumps(dict(document)).decode()
    except (TypeError, orjson.JSONEncodeError) as exc:
        raise LibraryError(f"{what} cannot be stored: {exc}") from None
