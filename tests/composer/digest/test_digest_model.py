"""The digest model: validation, round trips through the library, drafting, missing items."""

from __future__ import annotations

import json

import pytest
from helpers.digest_samples import january_items, sample_theme
from helpers.memory_library import MemoryLibrary

from composer.digest.drafting import draft_digest, period_label, section_insert_index
from composer.digest.model import SCHEMA, Digest, Override, Section, make_digest, resolve
from composer.errors import NewsdigestError, ValidationError
from composer.library.item import make_item
from composer.theme.model import Theme, merge_theme, theme_from_settings


def _digest() -> Digest:
    return make_digest(
        digest_id="d-test",
        title="  January   digest ",
        period="2023-01",
        preheader="Six stories",
        intro="First **paragraph**.\n\n\n\nSecond.",
        sections=[Section("Project News", ("u-1", "u-2")), Section("Press Release", ("u-3",))],
        overrides={"u-2": Override(title="Shorter title"), "u-9": Override(title="dangling")},
    )


def test_fields_are_cleaned_and_dangling_overrides_dropped() -> None:
    digest = _digest()
    assert digest.title == "January digest"
    assert digest.intro == "First **paragraph**.\n\nSecond."
    assert set(digest.overrides) == {"u-2"}
    assert digest.item_ids() == ["u-1", "u-2", "u-3"]
    assert digest.locate("u-3") == (1, 0)
    assert digest.section_index("press release") == 1


def test_round_trip_through_json_and_a_library() -> None:
    digest = _digest().touched("2023-02-01T10:00:00+00:00")
    data = digest.to_dict()
    assert data["schema"] == SCHEMA
    assert list(data)[:3] == ["schema", "id", "title"]
    library = MemoryLibrary()
    library.save_digest(data)
    stored = library.get_digest("d-test")
    assert stored is not None
    assert Digest.from_dict(stored) == digest
    assert json.loads(json.dumps(data)) == data
    assert digest.created == digest.updated == "2023-02-01T10:00:00+00:00"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"id": "d-1", "title": ""}, "title"),
        ({"id": "bad id!", "title": "x"}, "id"),
        ({"id": "d-1", "title": "x", "sections": "nope"}, "sections"),
        ({"id": "d-1", "title": "x", "sections": [{"category": "", "items": []}]}, "category"),
        ({"id": "d-1", "title": "x", "sections": [{"category": "A", "items": [3]}]}, "items"),
        ({"id": "d-1", "title": "x", "overrides": {"u-1": {"title": 5}}}, "override title"),
        ({"id": "d-1", "title": "x" * 500}, "title"),
        ({"id": "d-1", "title": "x", "schema": 99}, "digest"),
    ],
)
def test_bad_dicts_give_clear_errors(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Digest.from_dict(data)
    assert field in str(caught.value)


def test_from_dict_refuses_non_objects() -> None:
    with pytest.raises(ValidationError):
        Digest.from_dict([])  # type: ignore[arg-type]


def test_draft_january_from_the_fixture() -> None:
    items = january_items()
    digest = draft_digest(items, "2023-01", sample_theme(), digest_id="d-jan")
    assert [s.category for s in digest.sections] == [
        "Project News",
        "Press Release",
        "Expert Voice",
    ]
    assert [len(s.item_ids) for s in digest.sections] == [4, 1, 1]
    by_id = {i.id: i for i in items}
    dates = [by_id[i].date.day for i in digest.sections[0].item_ids]
    assert dates == [31, 24, 18, 9]  # newest first
    assert digest.title.endswith("January 2023")
    assert digest.preheader.startswith("In this issue: WELLSPRING Project")
    assert len(digest.preheader) <= 140
    # the same library gives the same draft
    again = draft_digest(list(reversed(items)), "2023-01", sample_theme(), digest_id="d-jan")
    assert again == digest


def test_draft_uses_the_category_order_then_alphabetical() -> None:
    items = [
        make_item({"category": c, "title": f"T {c}", "date": "2023-03-02"})
        for c in ("Zebra", "Expert Voice", "alpha", "In Focus", "project news")
    ]
    digest = draft_digest(items, "2023-03", Theme(), digest_id="d-x")
    assert [s.category for s in digest.sections] == [
        "In Focus",
        "project news",
        "Expert Voice",
        "alpha",
        "Zebra",
    ]
    assert section_insert_index(digest, "Press Release", Theme().category_order) == 2


def test_draft_of_an_empty_month_is_a_clear_error() -> None:
    with pytest.raises(NewsdigestError, match=r"no items dated in March 2021 \(2021-03\)"):
        draft_digest(january_items(), "2021-03", Theme())
    with pytest.raises(ValidationError, match="YYYY-MM"):
        draft_digest(january_items(), "2021-13", Theme())


def test_period_label_is_localised() -> None:
    assert period_label("2023-01", "en_GB") == "January 2023"
    assert period_label("2023-01", "de") == "Januar 2023"
    assert period_label("Spring 2023", "de") == "Spring 2023"


def test_missing_items_are_reported_not_fatal() -> None:
    items = january_items()
    digest = draft_digest(items, "2023-01", Theme(), digest_id="d-jan")
    library = MemoryLibrary(items)
    gone = digest.sections[0].item_ids[1]
    library.remove_items([gone])
    resolved = resolve(digest, {i.id: i for i in library.items()})
    assert [m.item_id for m in resolved.missing] == [gone]
    assert len(resolved.items) == 5


def test_overrides_apply_in_the_digest_only() -> None:
    items = january_items()
    digest = draft_digest(items, "2023-01", Theme(), digest_id="d-jan")
    first = digest.sections[0].item_ids[0]
    digest = make_digest(
        digest_id=digest.id,
        title=digest.title,
        sections=digest.sections,
        overrides={first: Override(summary="A short teaser.")},
    )
    resolved = resolve(digest, {i.id: i for i in items})
    assert resolved.items[0].summary == "A short teaser."
    assert resolved.items[0].overridden == frozenset({"summary"})
    assert resolved.items[0].title == resolved.items[0].item.title
    assert {i.id: i for i in items}[first].summary != "A short teaser."


def test_theme_settings_round_trip_and_checks() -> None:
    library = MemoryLibrary()
    assert theme_from_settings(library.settings()) == Theme()
    library.update_settings(
        merge_theme(library.settings(), {"organisation": "ACME", "colors": {"brand": "#123456"}})
    )
    theme = theme_from_settings(library.settings())
    assert theme.organisation == "ACME"
    assert theme.color("brand") == "#123456"
    assert theme.color("accent") == Theme().color("accent")
    for bad in (
        {"colors": {"brand": "red;}</style><script>"}},
        {"locale": "xx_NOPE"},
        {"unsubscribe_url": "javascript:alert(1)"},
        {"logo_url": "ftp://example.org/logo.png"},
        {"template": "../etc"},
    ):
        with pytest.raises(ValidationError):
            merge_theme(library.settings(), bad)
    assert (
        merge_theme({}, {"unsubscribe_url": "mailto:leave@example.org"})["theme"]["unsubscribe_url"]
        == "mailto:leave@example.org"
    )


def test_spelled_out_january_items_match_the_importer() -> None:
    """The golden file's items are the fixture's: checked against the listing importer."""
    importers = pytest.importorskip("composer.library.importers")
    from conftest import LISTING

    report = importers.import_source(str(LISTING))
    imported = {
        (i.category, i.title, i.date, i.summary) for i in report.items if i.month == "2023-01"
    }
    spelled = {(i.category, i.title, i.date, i.summary) for i in january_items()}
    assert imported == spelled
    digest = draft_digest(report.items, "2023-01", sample_theme(), digest_id="d-jan")
    assert [len(s.item_ids) for s in digest.sections] == [4, 1, 1]
