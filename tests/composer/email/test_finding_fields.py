"""Every preflight finding says, as data, which field it is about (never read from its text)."""

from __future__ import annotations

from helpers.digest_samples import item, sample_theme

from composer.digest.model import Override, Section, make_digest, resolve
from composer.email.preflight import (
    Finding,
    check_digest,
    check_html,
    check_readiness,
    errors_in,
    has_errors,
)


def test_digest_findings_name_the_digest_field_or_the_item_field() -> None:
    long_title = item(1, image_url="https://ex.org/a.png", image_alt="")
    no_link = item(2, url=None)
    stories = [long_title, no_link]
    digest = make_digest(
        digest_id="d-fields",
        title="Fields",
        preheader="",
        intro="See [the report](ftp://ex.org/r).",
        sections=[
            Section("Project News", tuple(story.id for story in stories)),
            Section("Empty", ()),
        ],
        overrides={long_title.id: Override(title="T" * 151, summary="S" * 1_201)},
    )
    findings = check_digest(resolve(digest, {story.id: story for story in stories}))
    fields = {(f.code, f.item_id): f.field for f in findings}
    assert fields[("preheader-missing", None)] == "preheader"
    assert fields[("intro-link", None)] == "intro"
    assert fields[("title-long", long_title.id)] == "item.title"
    assert fields[("summary-long", long_title.id)] == "item.summary"
    assert fields[("image-alt", long_title.id)] == "item.image_alt"
    assert fields[("item-no-link", no_link.id)] == "item.url"
    assert fields[("section-empty", None)] == ""  # the section index says it
    by_code = {f.code: f for f in findings}
    assert by_code["preheader-missing"].digest_field == "preheader"
    assert by_code["title-long"].digest_field == ""  # an item's title, not the digest's


def test_readiness_and_html_findings_name_the_theme_setting() -> None:
    (not_ready,) = check_readiness(sample_theme(postal_address="", unsubscribe_url=""))
    assert not_ready.field == "theme.postal_address"
    assert not_ready.digest_field == ""
    html = "<html><body><h1>Hi</h1><p>No way out</p></body></html>"
    unsubscribe = next(f for f in check_html(html) if f.code == "unsubscribe")
    assert unsubscribe.field == "theme.unsubscribe_url"
    size = next(f for f in check_html(html) if f.code == "size")
    assert size.field == ""


def test_errors_in_keeps_the_errors_in_order() -> None:
    findings = [
        Finding("warning", "a", "first warning"),
        Finding("error", "b", "first error"),
        Finding("info", "c", "a note"),
        Finding("error", "d", "second error"),
    ]
    assert [f.code for f in errors_in(findings)] == ["b", "d"]
    assert has_errors(findings) and not has_errors(findings[:1])
    assert errors_in([]) == []
