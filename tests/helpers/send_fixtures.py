"""Fixtures the send tests share: January's digest prepared once, a library on disk.

A plugin, not tests/composer/send/conftest.py: a second module named ``conftest`` would
shadow the root one that test modules import ``ROOT``, ``LISTING`` and ``run_cli`` from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from composer.digest.drafting import draft_digest
from composer.repository import Library
from composer.send import PreparedDigest, prepare_digest
from helpers.digest_samples import january_items, sample_theme
from helpers.send_servers import make_library
from store import open_library

#: The digest the send tests send (January 2023's draft).
DIGEST_ID = "month-2023-01"


@pytest.fixture(scope="module")
def prepared() -> PreparedDigest:
    theme = sample_theme()
    items = january_items()
    digest = draft_digest(items, "2023-01", theme, digest_id=DIGEST_ID)
    return prepare_digest(digest, {i.id: i for i in items}, theme)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    """A library file in the test's folder (the sample's items, no SMTP settings)."""
    lib = open_library(make_library(tmp_path / "library.json"))
    yield lib
    lib.close()
