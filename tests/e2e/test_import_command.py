"""``newsdigest import``'s options and exit status, run as users run it (real processes, files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

pytestmark = pytest.mark.slow

GOOD_AND_BAD = (
    "Category,Title,Date,Link\n"
    "News,A well for the school,2024-01-02,https://example.org/well\n"
    "News,A road to the clinic,2024-13-02,\n"
)
ALL_BAD = "Title,Date\nOne,2024-13-40\nTwo,not a date\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _items(library: Path) -> list[dict[str, object]]:
    if not library.exists():
        return []
    proc = run_cli("items", "--json", library=library)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_some_rejected_is_exit_0_and_the_rest_is_imported(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    proc = run_cli("import", str(_write(tmp_path, "a.csv", GOOD_AND_BAD)), library=library)
    assert proc.returncode == 0, proc.stderr
    assert "1 new, 0 already in the library, 1 rejected" in proc.stdout
    assert "rejected row 3: date '2024-13-02' is not a real date" in proc.stdout
    assert [item["title"] for item in _items(library)] == ["A well for the school"]
    # again: every valid row is already in the library, the other still rejected: exit 0 too
    # (1 is for a source of which no entry could be read, as the README's table says)
    again = run_cli("import", str(tmp_path / "a.csv"), library=library)
    assert again.returncode == 0, again.stderr
    assert "0 new, 1 already in the library, 1 rejected" in again.stdout


def test_nothing_imported_and_rejections_is_exit_1(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    proc = run_cli("import", str(_write(tmp_path, "a.csv", ALL_BAD)), library=library)
    assert proc.returncode == 1
    assert "0 new" in proc.stdout and "2 rejected" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert _items(library) == []


def test_strict_exits_1_on_any_rejection_and_writes_nothing(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    source = _write(tmp_path, "a.csv", GOOD_AND_BAD)
    proc = run_cli("import", str(source), "--strict", library=library)
    assert proc.returncode == 1
    assert "--strict: 1 rejected entry; nothing was written" in proc.stderr
    assert _items(library) == []


def test_an_unusable_source_is_exit_1_but_the_others_are_imported(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    good = _write(tmp_path, "a.csv", GOOD_AND_BAD)
    proc = run_cli("import", str(good), str(tmp_path / "missing.csv"), library=library)
    assert proc.returncode == 1
    assert "missing.csv: no such file" in proc.stderr
    assert len(_items(library)) == 1


def test_dry_run_prints_the_reading_and_writes_nothing(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    source = _write(tmp_path, "a.csv", GOOD_AND_BAD)
    proc = run_cli("import", str(source), "--dry-run", library=library)
    assert proc.returncode == 0, proc.stderr
    assert "2024-01-02  [News]  A well for the school" in proc.stdout
    assert "link https://example.org/well" in proc.stdout
    assert "Dry run: nothing was written to the library." in proc.stdout
    assert not library.exists()
    # once imported, a dry run shows the item as already there
    assert run_cli("import", str(source), library=library).returncode == 0
    again = run_cli("import", str(source), "--dry-run", library=library)
    assert "A well for the school  (already in the library)" in again.stdout
    assert "0 new, 1 already in the library" in again.stdout


def test_map_names_an_unknown_field_clearly(tmp_path: Path) -> None:
    source = _write(tmp_path, "a.csv", GOOD_AND_BAD)
    proc = run_cli("import", str(source), "--map", "Link=weblink", library=tmp_path / "l.json")
    assert proc.returncode == 1
    assert "'Link=weblink': 'weblink' is not an item field" in proc.stderr
    bad = run_cli("import", str(source), "--map", "Link", library=tmp_path / "l.json")
    assert bad.returncode == 1 and "'Link' is not COLUMN=FIELD" in bad.stderr


def test_base_url_must_be_a_web_address(tmp_path: Path) -> None:
    source = _write(tmp_path, "a.csv", GOOD_AND_BAD)
    proc = run_cli(
        "import", str(source), "--base-url", "ftp://example.org/", library=tmp_path / "l.json"
    )
    assert proc.returncode == 1
    assert "base url:" in proc.stderr and "Traceback" not in proc.stderr


FEED = """
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link rel="self" href="https://news.example.org/feed.atom"/>
  <title>Field notes</title>
  <id>urn:example:field-notes</id>
  <updated>2024-03-02T10:00:00Z</updated>
  <entry>
    <title>Seeds for the spring</title>
    <link href="/notes/2024/seeds"/>
    <id>urn:example:seeds</id>
    <updated>2024-03-02T10:00:00Z</updated>
  </entry>
</feed>
"""


def test_a_feed_file_resolves_relative_links_against_its_own_address(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    proc = run_cli("import", str(_write(tmp_path, "notes.atom", FEED)), library=library)
    assert proc.returncode == 0, proc.stderr
    assert "warning" not in proc.stdout  # the blank line before <?xml is no fault
    [item] = _items(library)
    assert item["url"] == "https://news.example.org/notes/2024/seeds"


SAME_TITLE_TWO_LINKS = (
    "title,date,summary,url\n"
    "Weekly bulletin,2024-03-01,The harbour trip,https://school.example/bulletin-1\n"
    "Weekly bulletin,2024-03-01,The science fair,https://school.example/bulletin-2\n"
)


def test_two_stories_of_one_title_and_day_with_their_own_links_both_land(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    source = _write(tmp_path, "bulletins.csv", SAME_TITLE_TWO_LINKS)
    dry = run_cli("import", str(source), "--dry-run", library=library)
    assert "2 new, 0 already in the library" in dry.stdout
    proc = run_cli("import", str(source), library=library)
    assert proc.returncode == 0, proc.stderr
    assert "2 new, 0 already in the library" in proc.stdout
    assert sorted(item["summary"] for item in _items(library)) == [
        "The harbour trip",
        "The science fair",
    ]
    again = run_cli("import", str(source), library=library)
    assert "0 new, 2 already in the library" in again.stdout


def test_a_story_pasted_as_text_gets_its_link_from_the_page_later(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    text = _write(tmp_path, "pasted.txt", "Harbour News\nNew ferry pier opens\n4 March 2024\n")
    assert run_cli("import", str(text), library=library).returncode == 0
    [before] = _items(library)
    assert before["url"] is None
    page = _write(
        tmp_path,
        "with-links.csv",
        "title,date,url,summary\n"
        "New ferry pier opens,2024-03-04,https://harbour.example/news/pier,The pier took a year.\n",
    )
    proc = run_cli("import", str(page), library=library)
    assert proc.returncode == 0, proc.stderr
    assert "0 new, 1 already in the library" in proc.stdout
    assert "1 story already in the library got its link" not in proc.stdout
    assert "1 story already in the library got their link, image or summary" in proc.stdout
    [after] = _items(library)
    assert after["id"] == before["id"]  # an id never changes
    assert after["url"] == "https://harbour.example/news/pier"
    assert after["summary"] == "The pier took a year."
    assert after["category"] == "Harbour News"  # what was there is kept


def test_strict_summary_counts_what_would_have_been_added(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    proc = run_cli(
        "import", str(_write(tmp_path, "a.csv", GOOD_AND_BAD)), "--strict", library=library
    )
    assert "1 new, 0 already in the library, 1 rejected" in proc.stdout
    assert "(the 1 good item included)" in proc.stderr
    assert not library.exists()


def test_an_import_that_adds_nothing_makes_no_library_file(tmp_path: Path) -> None:
    library = tmp_path / "lib.json"
    proc = run_cli("import", str(_write(tmp_path, "a.csv", ALL_BAD)), library=library)
    assert proc.returncode == 1
    assert not library.exists()
