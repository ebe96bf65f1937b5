"""Preflight: each planted problem is found, with its severity and what it concerns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.digest_samples import item, january_items, sample_theme

from composer.digest.drafting import draft_digest
from composer.digest.model import Override, Section, make_digest
from composer.email.preflight import (
    KB,
    Finding,
    caniemail_index,
    check_digest,
    check_html,
    has_errors,
)
from composer.email.render import Renderer

ROOT = Path(__file__).resolve().parents[3]


def page(body: str, head: str = "", lang: str = "en", unsubscribe: bool = True) -> str:
    footer = '<p><a href="https://ex.org/unsubscribe">Unsubscribe</a></p>' if unsubscribe else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{head}</head><body>'
        '<div style="display:none;mso-hide:all">Preview text</div>'
        f'<table role="presentation"><tr><td><h1>Title</h1>{body}{footer}</td></tr></table>'
        "</body></html>"
    )


def codes(findings: list[Finding], severity: str | None = None) -> list[str]:
    return [f.code for f in findings if severity is None or f.severity == severity]


def test_a_clean_page_has_only_the_size_figure() -> None:
    findings = check_html(page("<p>Hello <a href='https://ex.org/a'>the annual report</a></p>"))
    assert codes(findings) == ["size"]
    assert findings[0].severity == "info"
    assert "KB" in findings[0].message and "bytes" in findings[0].message


@pytest.mark.parametrize(
    ("size_kb", "severity"), [(50, "info"), (89, "info"), (91, "warning"), (101, "error")]
)
def test_size_thresholds_measure_utf8_bytes(size_kb: int, severity: str) -> None:
    base = page("<p>x</p>")
    filler = "é" * ((size_kb * KB - len(base.encode("utf-8"))) // 2)  # two bytes each in UTF-8
    html = page(f"<p>{filler}</p>")
    size = [f for f in check_html(html) if f.code == "size"]
    assert len(size) == 1
    assert size[0].severity == severity
    assert f"{len(html.encode('utf-8')):,} bytes" in size[0].message


def test_a_style_block_over_16_kb_is_an_error() -> None:
    rules = "".join(f".c{n}{{color:#123456}}" for n in range(1200))
    assert len(rules) > 16 * KB
    findings = check_html(page("<p>x</p>", head=f"<style>{rules}</style>"))
    assert "style-size" in codes(findings, "error")


def test_images_and_links() -> None:
    body = (
        '<img src="https://ex.org/a.png">'
        '<img src="https://ex.org/b.png" alt="">'
        '<p><a href="https://ex.org/1"></a></p>'
        '<p><a href="https://ex.org/2">Click here</a> <a href="https://ex.org/3">Read more</a></p>'
        '<p><a href="javascript:alert(1)">Story</a> <a href="ftp://ex.org/f">File</a></p>'
        '<p><a href="*|ARCHIVE|*">Web version</a> <a href="{{ mirror }}">Mirror</a></p>'
    )
    findings = check_html(page(body))
    assert codes(findings).count("img-alt") == 1  # alt="" is a decorative image, and fine
    assert codes(findings, "warning").count("link-empty") == 1
    assert codes(findings, "warning").count("link-vague") == 2
    schemes = [f for f in findings if f.code == "link-scheme"]
    assert [(f.severity, "javascript" in f.message) for f in schemes] == [
        ("error", True),
        ("warning", False),
    ]
    assert 'href="ftp://ex.org/f"' in schemes[1].where


def test_scripts_handlers_and_important_in_attributes() -> None:
    body = '<script>alert(1)</script><p onclick="x()">a</p><p style="color:red !important">b</p>'
    findings = check_html(page(body))
    assert {"script", "event-handler"} <= set(codes(findings, "error"))
    assert "important-inline" in codes(findings, "warning")


def test_no_unsubscribe_link_and_no_preheader() -> None:
    html = (
        '<!DOCTYPE html><html lang="en"><body><table role="presentation"><tr><td>'
        "<h1>Hi</h1><p>Body text first.</p></td></tr></table></body></html>"
    )
    findings = check_html(html)
    assert "unsubscribe" in codes(findings, "error")
    assert "preheader-missing" in codes(findings, "warning")
    assert has_errors(findings)


def test_unsubscribe_is_recognised_by_merge_tags_and_label() -> None:
    for link in (
        '<a href="*|UNSUB|*">Leave</a>',
        '<a href="{{ UnsubscribeURL }}">Leave</a>',
        '<a href="https://ex.org/x">Se désabonner</a>',
    ):
        findings = check_html(
            page(f"<p>{link}</p>", unsubscribe=False), unsubscribe_labels=["se désabonner"]
        )
        assert "unsubscribe" not in codes(findings), link


def test_layout_and_language() -> None:
    html = (
        "<!DOCTYPE html><html><body><div style='display:none'>Pre</div><table><tr><td>"
        "<h2>a</h2><h4>b</h4><a href='https://ex.org/unsubscribe'>Unsubscribe</a>"
        "</td></tr></table></body></html>"
    )
    findings = check_html(html)
    assert {"lang", "table-role"} <= set(codes(findings, "warning"))
    assert {"heading-order", "h1"} <= set(codes(findings, "info"))


def test_caniemail_names_the_client_that_fails() -> None:
    body = (
        '<div style="display:flex">a</div>'
        '<p style="display: flex">b</p>'
        "<video src='https://ex.org/v.mp4'></video>"
        '<img src="https://ex.org/pic.webp" alt="pic">'
    )
    head = (
        "<style>@font-face{font-family:X;src:url(x.woff)}"
        ".a{box-shadow:0 0 1px #000}"
        "@media (max-width:600px){.b{position:absolute !important}}</style>"
    )
    findings = {f.code: f for f in check_html(page(body, head=head))}
    flex = findings["support:css-display-flex"]
    assert flex.severity == "warning"
    assert "Outlook for Windows" in flex.message and "Gmail" not in flex.message
    assert "used 2 times" in flex.message
    assert "caniemail.com/features/css-display-flex" in flex.message
    video = findings["support:html-video"]
    assert "Outlook for Windows" in video.message and "Gmail (webmail)" in video.message
    assert "support:image-webp" in findings
    assert "support:css-at-font-face" in findings
    assert "support:css-box-shadow" in findings
    assert "support:css-position" not in findings  # inside @media: progressive enhancement


def test_elements_hidden_from_outlook_are_not_reported_for_outlook() -> None:
    body = '<div style="opacity:0;max-height:0;overflow:hidden;mso-hide:all">Preview</div>'
    findings = check_html(page(body))
    assert not [f for f in findings if f.code.startswith("support:")]
    shown = check_html(page('<div style="opacity:0.5">x</div>'))
    assert "support:css-opacity" in codes(shown)


def test_the_shipped_table_loads_with_json_and_keeps_its_notice() -> None:
    data = ROOT / "composer" / "data"
    table = json.loads((data / "caniemail_table.json").read_text(encoding="utf-8"))
    assert "CANIEMAIL-LICENSE.txt" in table["source"]
    notice = (data / "CANIEMAIL-LICENSE.txt").read_text(encoding="utf-8")
    assert "MIT License" in notice and "Rémi Parmentier" in notice
    assert len(table["features"]) > 150
    index = caniemail_index()
    assert "display" in index.properties and "video" in index.elements


# -- the digest ---------------------------------------------------------------------------------
def _digest_findings(**changes: object) -> list[Finding]:
    from composer.digest.model import resolve

    items = [item(1), item(2, category="Press Release"), item(3)]
    fields: dict[str, object] = {
        "digest_id": "d-x",
        "title": "T",
        "preheader": "Three stories",
        "sections": [
            Section("Project News", (items[0].id, items[2].id)),
            Section("Press Release", (items[1].id,)),
        ],
    }
    fields.update(changes)
    digest = make_digest(**fields)  # type: ignore[arg-type]
    return check_digest(resolve(digest, {i.id: i for i in items}))


def test_a_good_digest_has_no_digest_findings() -> None:
    assert _digest_findings() == []


def test_each_planted_digest_problem_is_found() -> None:
    one, two, three = item(1).id, item(2, category="Press Release").id, item(3).id
    assert codes(_digest_findings(preheader="")) == ["preheader-missing"]
    empty = _digest_findings(
        sections=[Section("Project News", (one, two, three)), Section("Events", ())]
    )
    assert [(f.code, f.section) for f in empty] == [("section-empty", 1)]
    twice = _digest_findings(
        sections=[Section("Project News", (one, three)), Section("Press Release", (two, one))]
    )
    assert [(f.code, f.item_id) for f in twice] == [("item-twice", one)]
    gone = _digest_findings(sections=[Section("Project News", (one, "u-0000000000000000"))])
    assert [(f.code, f.item_id) for f in gone] == [("item-missing", "u-0000000000000000")]
    long_text = _digest_findings(
        overrides={one: Override(title="T" * 151), three: Override(summary="S " * 700)}
    )
    assert [(f.code, f.item_id) for f in long_text] == [
        ("title-long", one),
        ("summary-long", three),
    ]
    nothing = _digest_findings(sections=[Section("Project News", ())])
    assert set(codes(nothing)) == {"section-empty", "digest-empty"}
    assert has_errors(nothing)


def test_image_without_alt_in_a_digest() -> None:
    from composer.digest.model import resolve

    pictured = item(7, image_url="https://ex.org/p.jpg")
    digest = make_digest(
        digest_id="d-x",
        title="T",
        preheader="p",
        sections=[Section("Project News", (pictured.id,))],
    )
    findings = check_digest(resolve(digest, {pictured.id: pictured}))
    assert [(f.code, f.item_id) for f in findings] == [("image-alt", pictured.id)]


def test_render_reports_the_size_and_nothing_else_for_the_fixture() -> None:
    items = january_items()
    digest = draft_digest(items, "2023-01", sample_theme(), digest_id="d-jan")
    rendered = Renderer().render(digest, {i.id: i for i in items}, sample_theme())
    # the fixture was pasted as text: each of its stories warns that it has no link
    assert [(f.severity, f.code) for f in rendered.findings] == [
        *[("warning", "item-no-link")] * len(items),
        ("info", "size"),
    ]


def test_every_item_without_a_link_is_a_warning_naming_it() -> None:
    linked = item(1)
    without = [item(2, url=None), item(3, url=None)]
    stories = [linked, *without]
    from composer.digest.model import resolve

    digest = make_digest(
        digest_id="d-links",
        title="Links",
        preheader="p",
        sections=[Section("Project News", tuple(story.id for story in stories))],
    )
    findings = check_digest(resolve(digest, {story.id: story for story in stories}))
    no_link = [f for f in findings if f.code == "item-no-link"]
    assert [f.item_id for f in no_link] == [story.id for story in without]
    assert all(f.severity == "warning" and f.where.startswith("item “") for f in no_link)
    assert "readers cannot read more" in no_link[0].message


def test_check_html_reads_bytes_of_any_file(tmp_path: Path) -> None:
    path = tmp_path / "mail.html"
    path.write_bytes(page("<p>Grüße</p>").encode("utf-8"))
    findings = check_html(path.read_bytes())
    assert codes(findings) == ["size"]
    assert check_html(b"\x00\x01 not html")  # no crash: findings, not an exception


def test_a_read_more_button_whose_label_names_the_story_is_not_vague() -> None:
    body = (
        '<p><a href="https://ex.org/1" aria-label="Read more: A well for the school">Read more</a>'
        ' <a href="https://ex.org/2" aria-label="Read more">Read more</a></p>'
    )
    findings = check_html(page(body))
    vague = [f for f in findings if f.code == "link-vague"]
    assert len(vague) == 1  # only the one whose label says no more than "Read more"
