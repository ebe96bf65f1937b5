"""`newsdigest digests --json`, run as a real process on a TinyDB library file.

The library is the sample one (``newsdigest sample``, a real process too), with two
months drafted from it and saved the way the window saves them, a send log recorded for
one of them, and a stored digest that cannot be read. The JSON array is parsed and held
to the plain listing of the same library: the same digests in the same order, with the
same titles, periods and item counts; and to what was saved: sections, versions, who
saved each, the send log's states, the damaged one's reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

from composer.cli.digests_json import KEYS
from composer.digest.drafting import draft_digest
from composer.repository import saver_name
from composer.theme.model import theme_from_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def library(library_path: Path) -> Path:
    made = run_cli("sample", library=library_path)
    assert made.returncode == 0, made.stderr
    from store import open_library

    lib = open_library(library_path)
    try:
        theme = theme_from_settings(lib.settings())
        for month, stamp in (("2026-09", "2026-10-01T09:00:00+00:00"), ("2026-10", "")):
            digest = draft_digest(lib.items(), month, theme, digest_id=f"d-{month}")
            lib.save_digest((digest.touched(stamp) if stamp else digest.touched()).to_dict())
        lib.record_send(
            [
                {"digest_id": "d-2026-09", "recipient": f"r{n}@example.org", "state": state}
                for n, state in enumerate(["sent", "sent", "failed", "queued"])
            ]
        )
        lib.save_digest({"id": "d-broken", "title": "Half a digest", "sections": "not a list"})
    finally:
        lib.close()
    return library_path


def test_digests_json_is_the_plain_listing_as_json(library: Path) -> None:
    result = run_cli("digests", "--json", library=library)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    plain = run_cli("digests", library=library)
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert lines[-1] == "3 digests"

    assert [r["id"] for r in records] == [line.split()[0] for line in lines[:-1]]
    assert [r["id"] for r in records] == ["d-2026-10", "d-2026-09", "d-broken"]  # last saved first
    for record, line in zip(records, lines, strict=False):
        assert list(record) == list(KEYS)  # every key, in the documented order
        if record["problem"] is None:
            assert line.split()[1] == record["period"]
            assert f"{record['items']:>3} items  {record['title']}" in line
    october, september, broken = records
    assert september["month"] == "2026-09" and september["items"] == 16
    assert sum(s["items"] for s in september["sections"]) == 16
    assert all(set(s) == {"category", "items"} and s["category"] for s in september["sections"])
    assert september["updated"] == "2026-10-01T09:00:00+00:00"
    assert september["version"] == 1 and september["saved_by"] == saver_name()
    assert september["saved_at"] and september["template"] is None
    assert september["sends"] == {"failed": 1, "queued": 1, "sent": 2}
    assert october["sends"] == {} and october["problem"] is None
    assert broken["problem"] and broken["problem"] in lines[-2]
    assert broken["items"] == 0 and broken["sections"] == [] and broken["month"] is None


def test_digests_json_of_a_library_without_digests_is_an_empty_array(library_path: Path) -> None:
    result = run_cli("digests", "--json", library=library_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
