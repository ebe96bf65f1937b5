"""What every importer's report promises: the same story kept once, two stories never merged."""

from __future__ import annotations

from composer.library.importers.base import ReportBuilder


def _builder() -> ReportBuilder:
    return ReportBuilder("paste", "listing", item_source="paste", default_category="News")


def test_the_same_story_twice_is_kept_once_with_a_word() -> None:
    builder = _builder()
    fields = {"title": "Seeds", "date": "2024-03-02", "summary": "Planted in spring."}
    builder.add(dict(fields), "line 1")
    builder.add(dict(fields, summary="Planted in spring. More."), "line 9")
    assert [item.title for item in builder.report.items] == ["Seeds"]
    assert builder.report.warnings == ["line 9: 'Seeds' is the same story as line 1; kept once"]
    assert builder.report.rejected == []


def test_same_link_is_the_same_story_whatever_the_text() -> None:
    builder = _builder()
    url = "https://example.org/seeds"
    builder.add({"title": "Seeds", "date": "2024-03-02", "url": url, "summary": "A"}, "card 1")
    builder.add({"title": "Seeds!", "date": "2024-03-02", "url": url, "summary": "B"}, "card 4")
    assert len(builder.report.items) == 1
    assert "is the same story as card 1" in builder.report.warnings[0]


def test_two_stories_with_one_title_and_date_are_never_merged() -> None:
    builder = _builder()
    builder.add({"title": "Update", "date": "2024-03-02", "summary": "The well."}, "line 1")
    builder.add({"title": "Update", "date": "2024-03-02", "summary": "The road."}, "line 7")
    assert [item.summary for item in builder.report.items] == ["The well."]
    [rejection] = builder.report.rejected
    assert rejection.location == "line 7"
    assert "same title and date as line 1 but another text" in rejection.reason
    assert builder.report.rejected_count == 1
