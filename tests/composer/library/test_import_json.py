"""The JSON importer: what ``newsdigest items --json`` prints, read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from composer.errors import SourceError
from composer.library.importers import import_source, import_text
from composer.library.item import FIELDS, make_item


def sample_items():
    created = dt.datetime(2023, 2, 1, 9, 30, tzinfo=dt.UTC)
    return [
        make_item(
            {
                "category": "Project News",
                "title": "WELLSPRING Project: Scoping Visit to Vostrana",
                "date": "31 January 2023",
                "summary": "First paragraph.\n\nSecond paragraph.",
                "url": "https://example.org/wellspring",
                "image_url": "https://example.org/wellspring.jpg",
                "image_alt": "Experts at work",
                "tags": ["Vostrana", "water"],
                "source": "news-listing-2023-01.txt",
                "created": created,
                "updated": created + dt.timedelta(hours=3),
            }
        ),
        make_item({"category": "In Focus", "title": "Без ссылки", "date": "2022-12-22"}),
        make_item(
            {"category": "Expert Voice", "title": "Soil sensors – farms", "date": "2023-01-13"}
        ),
    ]


def test_export_then_import_round_trips_every_field(tmp_path):
    items = sample_items()
    path = tmp_path / "items.json"
    path.write_text(
        json.dumps([item.to_dict() for item in items], ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    report = import_source(path)
    assert report.format == "json"
    assert report.rejected == [] and report.warnings == []
    assert report.items == items
    for original, read in zip(items, report.items, strict=True):
        for field in FIELDS:
            assert getattr(read, field) == getattr(original, field), field
        assert dataclasses.asdict(read) == dataclasses.asdict(original)


def test_entries_without_source_or_id_get_them(tmp_path):
    path = tmp_path / "handmade.json"
    path.write_text(json.dumps([{"title": "Hand made", "date": "2023-01-31"}]), encoding="utf-8")
    (item,) = import_source(path, default_category="Updates").items
    assert item.source == "handmade.json"
    assert item.category == "Updates"
    assert item.id.startswith("t-")


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"title": "x",\n   "date": 2023-01-31}\n]', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        import_source(path)
    assert str(caught.value) == (
        f"{path}: is not valid JSON: Expecting ',' delimiter at line 3, column 16"
    )


def test_not_an_array_is_a_source_error(tmp_path):
    path = tmp_path / "object.json"
    path.write_text('{"title": "x", "date": "2023-01-31"}', encoding="utf-8")
    with pytest.raises(SourceError, match="holds an object, not an array of items"):
        import_source(path)


def test_empty_array_is_a_source_error():
    with pytest.raises(SourceError, match="empty array"):
        import_text("[]", format="json")


def test_bad_entries_are_rejected_by_number():
    text = json.dumps(
        [
            {"title": "Good", "date": "2023-01-31"},
            "just a string",
            {"title": "No date"},
            {"title": "Bad url", "date": "2023-01-31", "url": "javascript:alert(1)"},
            {"title": 42, "date": "2023-01-31"},
            {"title": "Bad tags", "date": "2023-01-31", "tags": {"a": 1}},
            None,
        ]
    )
    report = import_text(text)
    assert report.format == "json"
    assert [item.title for item in report.items] == ["Good"]
    assert [str(r) for r in report.rejected] == [
        "entry 2: is a string, not an object with item fields",
        "entry 3: date is missing",
        "entry 4: url 'javascript:alert(1)' must start with http:// or https:// "
        "(it has 'javascript:')",
        "entry 5: title must be text, not int",
        "entry 6: tags must be a list of words, not dict",
        "entry 7: is null, not an object with item fields",
    ]


def test_same_id_twice_is_kept_once():
    item = sample_items()[0].to_dict()
    report = import_text(json.dumps([item, item]))
    assert len(report.items) == 1
    assert report.warnings == [
        f"entry 2: '{item['title']}' is the same story as entry 1; kept once"
    ]


def test_json_must_be_utf8(tmp_path: Path):
    path = tmp_path / "latin.json"
    path.write_bytes('[{"title": "Café", "date": "2023-01-31"}]'.encode("cp1252"))
    with pytest.raises(SourceError, match="is not a UTF-8 text file"):
        import_source(path)


def test_absurd_nesting_is_a_source_error():
    with pytest.raises(SourceError, match="JSON"):
        import_text("[" * 100_000 + "]" * 100_000, format="json")
