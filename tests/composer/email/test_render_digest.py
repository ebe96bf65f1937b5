"""Rendering: the golden January digest, its structure parsed with lxml, locales, user templates."""

from __future__ import annotations

import dataclasses
import http.server
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.digest_samples import item, january_items, sample_theme
from helpers.http_server import serving
from lxml import etree
from lxml import html as lxml_html

from composer.digest.drafting import draft_digest
from composer.digest.model import Digest, Override, Section, make_digest
from composer.email.render import Links, Renderer, css_messages, make_environment
from composer.errors import NewsdigestError
from composer.library.item import NewsItem

GOLDEN = Path(__file__).resolve().parents[2] / "golden"
UPDATE = os.environ.get("NEWSDIGEST_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _january() -> tuple[Digest, dict[str, NewsItem]]:
    items = january_items()
    digest = draft_digest(items, "2023-01", sample_theme(), digest_id="d-2023-01")
    return digest, {i.id: i for i in items}


def _doc(html: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(html.encode("utf-8"))


@pytest.mark.parametrize("suffix", ["html", "txt"])
def test_golden_january_2023(renderer: Renderer, suffix: str) -> None:
    digest, items = _january()
    rendered = renderer.render(digest, items, sample_theme())
    output = rendered.html if suffix == "html" else rendered.text
    golden = GOLDEN / f"digest-2023-01.{suffix}"
    if UPDATE:
        golden.write_bytes(output.encode("utf-8"))
    assert output.encode("utf-8") == golden.read_bytes(), (
        f"{golden.name} differs; if the change is intended, rerun with NEWSDIGEST_UPDATE_GOLDEN=1"
    )


def test_same_input_gives_byte_identical_output(renderer: Renderer) -> None:
    digest, items = _january()
    first = renderer.render(digest, items, sample_theme())
    second = renderer.render(digest, items, sample_theme())
    fresh = Renderer().render(digest, items, sample_theme())
    assert first.html == second.html == fresh.html
    assert first.text == second.text == fresh.text


def test_the_default_digest_has_no_problems(renderer: Renderer) -> None:
    digest, items = _january()
    rendered = renderer.render(digest, items, sample_theme())
    # the fixture was pasted as text: its stories have no links, and each says so
    no_link = [f for f in rendered.findings if f.code == "item-no-link"]
    assert sorted(f.item_id or "" for f in no_link) == sorted(items)
    rest = [f for f in rendered.findings if f.code != "item-no-link"]
    assert [f.code for f in rest] == ["size"]
    assert rest[0].severity == "info"
    assert f"{rendered.size:,} bytes" in rest[0].message


def test_structure(renderer: Renderer) -> None:
    digest, items = _january()
    html = renderer.render(digest, items, sample_theme()).html
    assert html.startswith("<!DOCTYPE html>")
    doc = _doc(html)
    assert doc.get("lang") == "en-GB" and doc.get("dir") == "ltr"
    head = doc.find("head")
    assert head is not None
    assert head.find("meta[@charset]").get("charset").lower() == "utf-8"
    metas = {m.get("name"): m.get("content") for m in head.iter("meta") if m.get("name")}
    assert "width=device-width" in metas["viewport"]
    assert "x-apple-disable-message-reformatting" in metas
    assert metas["color-scheme"] == "light dark"
    assert metas["supported-color-schemes"] == "light dark"
    comments = [c.text for c in doc.iter(etree.Comment)]
    assert any("[if mso]" in c and "<o:PixelsPerInch>96</o:PixelsPerInch>" in c for c in comments)
    assert any("[if mso]" in c and 'width="600"' in c and "<table" in c for c in comments)
    # the hidden preheader comes first in the body
    body = doc.find("body")
    first = next(e for e in body.iter() if e is not body)
    assert "display:none" in first.get("style").replace(" ", "")
    assert first.text_content().startswith(digest.preheader)
    # every layout table
    tables = list(doc.iter("table"))
    assert tables
    for table in tables:
        assert table.get("role") == "presentation"
        assert table.get("border") == table.get("cellpadding") == table.get("cellspacing") == "0"
    container = [t for t in tables if "max-width:600px" in (t.get("style") or "")]
    assert len(container) == 1
    # headings: one h1, sections as h2, items as h3, in order
    headings = [(h.tag, h.text_content()) for h in doc.iter("h1", "h2", "h3")]
    assert [tag for tag, _ in headings].count("h1") == 1
    assert headings[0] == ("h1", digest.title)
    assert [text for tag, text in headings if tag == "h2"] == [
        "Project News",
        "Press Release",
        "Expert Voice",
    ]
    expected_titles = [items[i].title for s in digest.sections for i in s.item_ids]
    assert [text for tag, text in headings if tag == "h3"] == expected_titles
    # dates formatted for the locale
    assert "31 January 2023" in doc.text_content()
    # !important: never in style attributes, kept in the media queries
    for element in doc.iter():
        assert "!important" not in (element.get("style") or "")
    styles = "".join(s.text or "" for s in doc.iter("style"))
    assert "@media (prefers-color-scheme:dark)" in styles
    assert re.search(r"@media screen and \(max-width:620px\)\{[^}]*!important", styles)
    assert len(list(doc.iter("style"))) == 1  # the inlined block is gone
    # footer
    footer = doc.text_content()
    assert "4 Mill Lane, 2041 Caldrith, Vostrana" in footer
    unsubscribe = [a for a in doc.iter("a") if a.text_content() == "Unsubscribe"]
    assert [a.get("href") for a in unsubscribe] == ["https://news.example.org/unsubscribe"]


def test_items_with_links_and_images(renderer: Renderer) -> None:
    pictured = item(1, image_url="https://www.example.org/p.jpg", image_alt="Delegates at a table")
    plain = item(2, url=None, summary="First paragraph.\n\nSecond paragraph.")
    digest = make_digest(
        digest_id="d-x",
        title="Links",
        preheader="Two stories",
        sections=[Section("Project News", (pictured.id, plain.id))],
    )
    lookup = {pictured.id: pictured, plain.id: plain}
    # one link per story: its title (issue #11); no "Read more: <title>" links
    quiet = _doc(renderer.render(digest, lookup, sample_theme()).html)
    assert [a.get("href") for a in quiet.iter("a") if a.get("href") == pictured.url] == [
        pictured.url
    ]
    doc = _doc(renderer.render(digest, lookup, sample_theme(read_more="button")).html)
    h3s = list(doc.iter("h3"))
    link = h3s[0].find("a")
    assert link is not None and link.get("href") == pictured.url
    more = [a for a in doc.iter("a") if a.get("class") == "btn"]
    assert len(more) == 1
    assert more[0].text_content() == "Read more"
    assert more[0].get("aria-label") == f"Read more: {pictured.title}"
    assert more[0].get("href") == pictured.url
    img = next(i for i in doc.iter("img"))
    assert img.get("alt") == "Delegates at a table"
    assert img.get("width") == "536"
    assert img.get("src") == "https://www.example.org/p.jpg"
    assert h3s[1].find("a") is None  # no url: no link, no "read more"
    paragraphs = [p.text_content() for p in h3s[1].getparent().iter("p")]
    assert paragraphs[-2:] == ["First paragraph.", "Second paragraph."]


def test_overrides_and_intro_are_rendered(renderer: Renderer) -> None:
    story = item(3)
    digest = make_digest(
        digest_id="d-x",
        title="Intro",
        preheader="p",
        intro="A **busy** month, see [the report](https://www.example.org/r?a=1&b=2).\n\nThanks.",
        sections=[Section("Project News", (story.id,))],
        overrides={story.id: Override(title="Our own title", summary="Our own teaser.")},
    )
    rendered = renderer.render(digest, {story.id: story}, sample_theme())
    doc = _doc(rendered.html)
    assert doc.find(".//h3").text_content() == "Our own title"
    assert "Our own teaser." in doc.text_content()
    assert story.title not in doc.text_content().replace("Read more: Our own title", "")
    strong = doc.find(".//strong")
    assert strong is not None and strong.text == "busy"
    report = next(a for a in doc.iter("a") if a.text_content() == "the report")
    assert report.get("href") == "https://www.example.org/r?a=1&b=2"
    assert "A busy month, see the report (https://www.example.org/r?a=1&b=2)." in rendered.text
    assert "Our own title" in rendered.text and "Our own teaser." in rendered.text


def test_missing_item_renders_the_rest(renderer: Renderer) -> None:
    digest, items = _january()
    gone = digest.sections[1].item_ids[0]  # the only Press Release
    del items[gone]
    rendered = renderer.render(digest, items, sample_theme())
    doc = _doc(rendered.html)
    assert [h.text_content() for h in doc.iter("h2")] == ["Project News", "Expert Voice"]
    codes = {f.code: f for f in rendered.findings}
    assert codes["item-missing"].item_id == gone
    assert codes["section-empty"].section == 1
    assert rendered.missing == [gone]


@pytest.mark.parametrize(
    ("locale", "lang", "direction", "date"),
    [
        ("de_AT", "de-AT", "ltr", "31. Jänner 2023"),
        ("ar", "ar", "rtl", "يناير 2023"),
        ("fr", "fr", "ltr", "31 janvier 2023"),
    ],
)
def test_locale_sets_lang_dir_and_dates(
    renderer: Renderer, locale: str, lang: str, direction: str, date: str
) -> None:
    digest, items = _january()
    doc = _doc(renderer.render(digest, items, sample_theme(locale=locale)).html)
    assert doc.get("lang") == lang and doc.get("dir") == direction
    article = doc.find(".//div[@role='article']")
    assert article is not None and article.get("dir") == direction
    assert date in doc.text_content()


def test_theme_colours_reach_the_css(renderer: Renderer) -> None:
    digest, items = _january()
    theme = sample_theme(colors={"brand": "#aa0000", "dark_background": "#010203"})
    doc = _doc(renderer.render(digest, items, theme).html)
    assert "color:#a00" in doc.find(".//h1").get("style").replace(" ", "") or "#aa0000" in (
        doc.find(".//h1").get("style")
    )
    assert "#010203" in doc.find(".//style").text


def test_plain_text(renderer: Renderer) -> None:
    digest, items = _january()
    text = renderer.render(digest, items, sample_theme()).text
    for line in text.splitlines():
        assert len(line) <= 78 or " " not in line.strip(), line
    assert text.startswith(digest.title[:40])
    for section in ("PROJECT NEWS", "PRESS RELEASE", "EXPERT VOICE"):
        assert f"\n{section}\n" in text
    assert "31 January 2023" in text
    assert "Unsubscribe: https://news.example.org/unsubscribe" in text
    assert "<" not in text and "&amp;" not in text


def test_user_templates_override_the_bundled_ones(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "digest.html").write_text(
        "<!DOCTYPE html><html lang='{{ theme.lang }}'><body><h1>{{ digest.title }}</h1>"
        "<p>mine</p></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "digest.html").write_text(
        "<html><body><h1>{{ digest.title }} (mine)</h1></body></html>", encoding="utf-8"
    )
    digest, items = _january()
    own = Renderer(user_templates=tmp_path)
    rendered = own.render(digest, items, sample_theme())
    assert "<p>mine</p>" in rendered.html
    assert "PROJECT NEWS" in rendered.text  # no user text template: the bundled one
    other = own.render(digest, items, sample_theme(template="mine"))
    assert "(mine)</h1>" in other.html
    # a folder that does not exist: the bundled templates
    bundled = Renderer(user_templates=tmp_path / "nope").render(digest, items, sample_theme())
    assert bundled.html == Renderer().render(digest, items, sample_theme()).html


def test_a_broken_user_template_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "digest.html").write_text(
        "<html>{{ digest.no_such_field }}</html>", encoding="utf-8"
    )
    digest, items = _january()
    with pytest.raises(NewsdigestError, match=r"digest\.html"):
        Renderer(user_templates=tmp_path).render(digest, items, sample_theme())
    (tmp_path / "default" / "digest.html").write_text("<html>{% for %}</html>", encoding="utf-8")
    with pytest.raises(NewsdigestError, match=r"digest\.html"):
        Renderer(user_templates=tmp_path).render(digest, items, sample_theme())


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        _Counting.hits.append(self.path)
        body = b"td { color: red; }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def css_server() -> Iterator[str]:
    _Counting.hits = []
    with serving(_Counting) as url:
        yield url


def test_rendering_never_touches_the_network(tmp_path: Path, css_server: str) -> None:
    (tmp_path / "default").mkdir()
    (tmp_path / "default" / "digest.html").write_text(
        f'<!DOCTYPE html><html lang="en"><head><link rel="stylesheet" href="{css_server}/a.css">'
        f'<style>@import url("{css_server}/b.css"); p {{ color: blue; }}</style></head>'
        "<body><h1>{{ digest.title }}</h1><p>x</p></body></html>",
        encoding="utf-8",
    )
    digest, items = _january()
    rendered = Renderer(user_templates=tmp_path).render(digest, items, sample_theme())
    assert "color:blue" in rendered.html.replace(" ", "")
    assert _Counting.hits == []
    assert any(f.code == "support:html-link" for f in rendered.findings)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_cssutils_warnings_are_captured_not_logged(
    renderer: Renderer, capfd: pytest.CaptureFixture[str]
) -> None:
    digest, items = _january()
    theme = sample_theme(colors={"text": "#123123"})  # CSS not parsed before in this process
    root = logging.getLogger()
    collect = _Collect()
    root.addHandler(collect)
    try:
        renderer.render(digest, items, theme)
    finally:
        root.removeHandler(collect)
    assert not [m for m in collect.messages if "Property" in m]
    assert "Unknown Property" not in capfd.readouterr().err
    assert any("-webkit-text-size-adjust" in message for message in css_messages())


def test_links_of_a_profile_are_put_in_after_inlining(renderer: Renderer) -> None:
    digest, items = _january()
    links = Links(unsubscribe="{{ unsubscribe }}", web_version="{{ mirror }}")
    rendered = renderer.render(digest, items, sample_theme(), links)
    assert 'href="{{ unsubscribe }}"' in rendered.html
    assert 'href="{{ mirror }}"' in rendered.html
    assert "Unsubscribe: {{ unsubscribe }}" in rendered.text
    assert "newsdigest.invalid" not in rendered.html + rendered.text


def test_no_unsubscribe_address_is_an_error(renderer: Renderer) -> None:
    digest, items = _january()
    rendered = renderer.render(digest, items, sample_theme(unsubscribe_url=""))
    assert [f.code for f in rendered.findings if f.severity == "error"] == ["unsubscribe"]


def test_environment_escapes_html_but_not_text() -> None:
    env = make_environment()
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert env.get_template("default/digest.txt").environment.autoescape is not False


def test_unsafe_urls_in_items_never_become_links(renderer: Renderer) -> None:
    story = dataclasses.replace(
        item(4),
        url="javascript:alert(1)",
        image_url="data:image/png;base64,AAAA",
    )
    digest = make_digest(
        digest_id="d-x", title="T", preheader="p", sections=[Section("Project News", (story.id,))]
    )
    doc = _doc(renderer.render(digest, {story.id: story}, sample_theme()).html)
    hrefs = [a.get("href") for a in doc.iter("a")]
    assert all(h.startswith(("https://", "mailto:")) for h in hrefs)
    assert not list(doc.iter("img"))


def test_a_40_item_digest_stays_under_60_kb(renderer: Renderer) -> None:
    """The size target of the benchmark, checked on the same made-up items (size, not time)."""
    import importlib.util

    path = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_render.py"
    spec = importlib.util.spec_from_file_location("bench_render_for_test", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    items = bench.make_items(40)
    th = bench.theme()
    rendered = renderer.render(bench.digest_of(items, th), {i.id: i for i in items}, th)
    assert rendered.size < 60 * 1024
    # 40 items get the "In this issue" jump links, which Gmail for iOS does not follow
    assert {f.code for f in rendered.findings if f.severity != "info"} == {
        "support:html-anchor-links"
    }


def test_images_shrink_to_a_phone_screen(renderer: Renderer) -> None:
    """An image's width attribute (536) must not hold a 375 px phone layout open.

    Seen in the mobile preview: without such a rule the whole email scrolled sideways.
    """
    pictured = item(1, image_url="https://www.example.org/p.jpg", image_alt="Delegates")
    digest = make_digest(
        digest_id="d-img",
        title="Images",
        preheader="One story",
        sections=[Section("Project News", (pictured.id,))],
    )
    html = renderer.render(digest, {pictured.id: pictured}, sample_theme()).html
    doc = _doc(html)
    img = next(doc.iter("img"))
    assert img.get("width") == "536"
    classes = img.get("class", "").split()
    assert classes
    styles = " ".join(s.text_content() for s in doc.iter("style"))
    mobile = re.search(r"@media screen and \(max-width:\s*\d+px\)\s*\{(.*?)\n\}", styles, re.S)
    assert mobile is not None
    rules = {
        name.strip().lstrip("."): body
        for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", mobile.group(1))
        for name in selectors.split(",")
    }
    assert any("width:100% !important" in rules.get(c, "") for c in classes)
