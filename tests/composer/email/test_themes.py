"""The theme gallery: classic, magazine and briefing over the same digests, and their markup.

Each layout renders the fixture's January digest and a month of the shipped sample library
with no preflight errors; the markup is checked with lxml for what classic Outlook, dark
mode, images-off, screen readers and phones need; sizes stay within Gmail's limits.
"""

from __future__ import annotations

import email.message
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.digest_samples import item, january_items, sample_theme
from lxml import etree
from lxml import html as lxml_html

from composer.digest.drafting import draft_digest
from composer.digest.model import Digest, Section, make_digest
from composer.email.render import Rendered, Renderer, available_layouts
from composer.errors import NewsdigestError
from composer.library.item import NewsItem
from composer.library.sample import load_sample_items
from composer.theme.model import LAYOUTS, Theme

THEMES = list(LAYOUTS)
#: Warnings a good digest may still get: jump links (Gmail for iOS does not jump) and, until
#: the preflight reads aria-label, the short "Read more" buttons.
TOLERATED = {"support:html-anchor-links", "link-vague"}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _doc(html: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(html.encode("utf-8"))


def _january() -> tuple[Digest, dict[str, NewsItem]]:
    items = january_items()
    digest = draft_digest(items, "2023-01", sample_theme(), digest_id="d-2023-01")
    return digest, {i.id: i for i in items}


def _sample(theme: Theme) -> tuple[Digest, dict[str, NewsItem]]:
    items = load_sample_items()
    digest = draft_digest(items, "2026-09", theme, digest_id="d-2026-09")
    return digest, {i.id: i for i in items}


def _full_theme(**changes: object) -> Theme:
    settings: dict[str, object] = {
        "logo_url": "https://news.example.org/logo.png",
        "dark_logo_url": "https://news.example.org/logo-dark.png",
        "read_more": "button",
    }
    return sample_theme(**{**settings, **changes})


def _render(renderer: Renderer, theme: Theme, layout: str) -> Rendered:
    digest, items = _sample(theme)
    return renderer.render(digest, items, theme, template=layout)


@pytest.mark.parametrize("layout", THEMES)
def test_each_theme_renders_the_fixture_with_no_preflight_problems(
    renderer: Renderer, layout: str
) -> None:
    digest, items = _january()
    rendered = renderer.render(digest, items, sample_theme(), template=layout)
    codes = {f.code for f in rendered.findings if f.severity != "info"}
    # the fixture was pasted as text: its stories have no links, and each says so
    assert codes - TOLERATED == {"item-no-link"}
    assert not [f for f in rendered.findings if f.severity == "error"]


@pytest.mark.parametrize("layout", THEMES)
@pytest.mark.parametrize("buttons", ["none", "button"])
def test_each_theme_renders_the_sample_library_with_no_preflight_errors(
    renderer: Renderer, layout: str, buttons: str
) -> None:
    rendered = _render(renderer, _full_theme(read_more=buttons), layout)
    assert not [f for f in rendered.findings if f.severity == "error"], rendered.findings
    warnings = {f.code for f in rendered.findings if f.severity == "warning"}
    assert warnings <= TOLERATED, warnings
    if buttons == "none":
        assert "link-vague" not in warnings


@pytest.mark.parametrize("layout", THEMES)
def test_outlook_markup(renderer: Renderer, layout: str) -> None:
    html = _render(renderer, _full_theme(), layout).html
    doc = _doc(html)
    comments = [c.text or "" for c in doc.iter(etree.Comment)]
    assert any("<o:PixelsPerInch>96</o:PixelsPerInch>" in c for c in comments)
    # every max-width column sits in a ghost table cell for classic Outlook
    columns = [
        e
        for e in doc.iter("div", "table")
        if re.search(r"max-width:\s*\d+px", e.get("style") or "")
        and "mso-hide:all" not in (e.get("style") or "")
    ]
    assert columns
    for column in columns:
        before = column.getprevious()
        assert isinstance(before, etree._Comment), etree.tostring(column)[:80]
        assert "[if mso]" in before.text and "<td" in before.text
        after = column.getnext()
        assert isinstance(after, etree._Comment) and "[if mso]" in after.text
    # a pixel line-height always comes with mso-line-height-rule:exactly
    for element in doc.iter():
        style = (element.get("style") or "").replace(" ", "")
        if re.search(r"line-height:\d+px", style):
            assert "mso-line-height-rule:exactly" in style, (element.tag, style)
    # bgcolor only where HTML allows it (the Nu validator flags it on a div or an img)
    assert {e.tag for e in doc.iter() if isinstance(e.tag, str) and e.get("bgcolor")} <= {
        "body",
        "table",
        "td",
    }
    # padding on cells, not on headings
    for heading in doc.iter("h1", "h2", "h3"):
        assert "padding" not in (heading.get("style") or ""), etree.tostring(heading)[:120]
    # images: the width as an attribute and in CSS, alt text styled for images-off
    images = list(doc.iter("img"))
    assert images
    for image in images:
        width = image.get("width")
        assert width and width.isdigit(), etree.tostring(image)
        style = (image.get("style") or "").replace(" ", "")
        assert f"width:{width}px" in style
        assert image.get("alt")
        assert "font-size:" in style and "color:" in style  # the alt text's look
    # bulletproof buttons: VML for classic Outlook, a padded link elsewhere
    buttons = [a for a in doc.iter("a") if "btn" in (a.get("class") or "").split()]
    assert buttons
    vml = [c for c in comments if "v:roundrect" in c]
    assert len(vml) == len(buttons)
    for button, shape in zip(buttons, vml, strict=True):
        assert f'href="{button.get("href")}"' in shape.replace("&amp;", "&")
        assert "padding:" in button.get("style", "")


@pytest.mark.parametrize("layout", THEMES)
def test_one_link_per_story_the_title(renderer: Renderer, layout: str) -> None:
    theme = _full_theme()
    digest, items = _sample(theme)
    doc = _doc(renderer.render(digest, items, theme, template=layout).html)
    titles = {i.title: i.url for i in items.values()}
    story_links = [
        h.find("a") for h in doc.iter("h2", "h3") if h.find("a") is not None and h.get("id")
    ]
    shown = {a.text_content(): a.get("href") for a in story_links}
    wanted = {items[i].title for i in digest.item_ids()}
    assert set(shown) == wanted
    assert all(shown[t] == titles[t] for t in shown)
    for a in doc.iter("a"):
        assert not a.text_content().startswith("Read more:")
        if "btn" in (a.get("class") or ""):
            assert a.text_content() == "Read more"
            assert a.get("aria-label", "").startswith("Read more: ")
            assert a.get("aria-label")[len("Read more: ") :] in wanted


@pytest.mark.parametrize("layout", THEMES)
def test_head_dark_mode_and_preheader(renderer: Renderer, layout: str) -> None:
    html = _render(renderer, _full_theme(), layout).html
    doc = _doc(html)
    metas = {m.get("name"): m.get("content") for m in doc.iter("meta") if m.get("name")}
    assert metas["color-scheme"] == "light dark"
    assert metas["supported-color-schemes"] == "light dark"
    styles = "".join(s.text or "" for s in doc.iter("style"))
    dark = styles[styles.index("@media (prefers-color-scheme:dark)") :]
    muted = sample_theme().color("dark_muted")
    assert re.search(r"\.date[^{]*\{color:" + muted, dark)  # muted text stays muted
    assert ".logod{display:block !important" in dark
    dark_logo = doc.find(".//div[@class='logod']")
    assert dark_logo is not None and "mso-hide:all" in dark_logo.get("style")
    assert dark_logo.find("img").get("src") == "https://news.example.org/logo-dark.png"
    assert len(styles.encode("utf-8")) < 16 * 1024
    body = doc.find("body")
    first = next(e for e in body.iter() if e is not body)
    style = first.get("style").replace(" ", "")
    assert "display:none" in style and "max-height:0" in style and "opacity:0" in style
    assert "font-size" not in style  # font-size:1px fires SpamAssassin's FONT_INVIS rules


@pytest.mark.parametrize(
    ("locale", "direction"), [("en_GB", "ltr"), ("ar", "rtl"), ("he", "rtl"), ("fa", "rtl")]
)
@pytest.mark.parametrize("layout", THEMES)
def test_lang_and_dir_on_html_and_the_wrapper(
    renderer: Renderer, layout: str, locale: str, direction: str
) -> None:
    doc = _doc(_render(renderer, _full_theme(locale=locale), layout).html)
    lang = locale.replace("_", "-")
    assert doc.get("lang") == lang and doc.get("dir") == direction
    wrapper = doc.find(".//body/div[@role='article']")
    assert wrapper is not None
    assert wrapper.get("lang") == lang and wrapper.get("dir") == direction


def test_rtl_puts_the_thumbnail_gap_on_the_left(renderer: Renderer) -> None:
    doc = _doc(_render(renderer, _full_theme(locale="ar"), "magazine").html)
    cell = doc.find(".//td[@class='thumbc']")
    assert cell is not None and "padding-left:16px" in cell.get("style").replace(" ", "")


def test_magazine_lead_cards_and_thumbnails(renderer: Renderer) -> None:
    theme = _full_theme()
    digest, items = _sample(theme)
    doc = _doc(renderer.render(digest, items, theme, template="magazine").html)
    mast = doc.find(".//td[@class='mast px']")
    assert mast is not None and mast.get("bgcolor") == theme.color("brand")
    assert mast.find(".//img").get("src") == theme.logo_url
    lead = doc.find(".//img[@class='lpic']")
    assert lead is not None and lead.get("width") == "600"
    cards = doc.findall(".//div[@class='card']")
    assert cards and len(cards) % 2 == 0
    for card in cards:
        assert card.find(".//img").get("width") == "252"
    thumbs = doc.findall(".//img[@class='thumb']")
    assert thumbs and all(t.get("width") == "120" for t in thumbs)
    # the lead is not shown twice, and every story is shown once
    ids = [h.get("id") for h in doc.iter("h2", "h3") if h.get("id", "").startswith("s")]
    assert len(ids) == len(set(ids)) == len(digest.item_ids())


def test_briefing_contents_jump_to_each_story(renderer: Renderer) -> None:
    digest, items = _january()  # six items: no contents in classic, always in briefing
    classic = _doc(renderer.render(digest, items, sample_theme(), template="classic").html)
    assert classic.find(".//*[@id='contents']") is None
    doc = _doc(renderer.render(digest, items, sample_theme(), template="briefing").html)
    contents = doc.find(".//h2[@id='contents']")
    assert contents is not None and contents.text_content() == "In this issue"
    jumps = [a.get("href")[1:] for a in doc.iter("a") if (a.get("href") or "").startswith("#s")]
    assert len(jumps) == len(digest.item_ids())
    for anchor in jumps:
        assert doc.find(f".//h3[@id='{anchor}']") is not None
    teasers = [p.text_content() for p in doc.iter("p") if p.get("class") == "tease"]
    assert len(teasers) == len(digest.item_ids())
    assert all(t.count(". ") == 0 for t in teasers)  # one sentence each
    never = renderer.render(digest, items, sample_theme(show_contents="never"), template="briefing")
    assert _doc(never.html).find(".//*[@id='contents']") is None


@pytest.mark.parametrize("layout", THEMES)
def test_contents_when_more_than_eight_items(renderer: Renderer, layout: str) -> None:
    many = [item(n) for n in range(1, 11)]
    digest = make_digest(
        digest_id="d-many",
        title="Ten",
        preheader="Ten stories",
        sections=[Section("Project News", tuple(i.id for i in many))],
    )
    lookup = {i.id: i for i in many}
    shown = renderer.render(digest, lookup, sample_theme(), template=layout)
    assert _doc(shown.html).find(".//*[@id='contents']") is not None
    assert "IN THIS ISSUE" in shown.text
    off = renderer.render(digest, lookup, sample_theme(show_contents="never"), template=layout)
    assert _doc(off.html).find(".//*[@id='contents']") is None


@pytest.mark.parametrize("layout", THEMES)
def test_forty_items_stay_under_60_kb(renderer: Renderer, layout: str) -> None:
    import importlib.util

    path = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_render.py"
    spec = importlib.util.spec_from_file_location("bench_render_for_themes", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    items = bench.make_items(40)
    th = bench.theme()
    rendered = renderer.render(
        bench.digest_of(items, th), {i.id: i for i in items}, th, template=layout
    )
    assert rendered.size < 60 * 1024
    doc = _doc(rendered.html)
    assert all(len((s.text or "").encode("utf-8")) < 16 * 1024 for s in doc.iter("style"))
    assert not [f for f in rendered.findings if f.severity == "error"]


@pytest.mark.parametrize("layout", THEMES)
def test_plain_text_per_theme(renderer: Renderer, layout: str) -> None:
    theme = _full_theme()
    digest, items = _sample(theme)
    text = renderer.render(digest, items, theme, template=layout).text
    assert "\n-- \n" in text  # the signature separator, with its space
    assert "Unsubscribe: https://news.example.org/unsubscribe" in text
    for item_id in digest.item_ids():
        assert items[item_id].title[:30] in text.replace("\n  ", " ")
    if layout == "briefing":
        assert "IN THIS ISSUE" in text
    if layout == "magazine":
        assert text.index("TOP STORY") < text.index("IN FOCUS")


def test_locale_words_and_dates(renderer: Renderer) -> None:
    theme = _full_theme(locale="de")
    digest, items = _sample(theme)
    rendered = renderer.render(digest, items, theme, template="briefing")
    doc = _doc(rendered.html)
    assert doc.find(".//h2[@id='contents']").text_content() == "In dieser Ausgabe"
    buttons = [a for a in doc.iter("a") if a.get("class") == "btn"]
    assert buttons and all(a.text_content() == "Weiterlesen" for a in buttons)
    assert all(a.get("aria-label").startswith("Weiterlesen: ") for a in buttons)
    assert "September 2026" in doc.text_content()
    assert "Abmelden" in rendered.text
    own = _full_theme(locale="de", labels={"read_more": "Mehr lesen"})
    again = _doc(renderer.render(digest, items, own, template="classic").html)
    assert {a.text_content() for a in again.iter("a") if a.get("class") == "btn"} == {"Mehr lesen"}


def test_campaign_tagging_only_on_own_domains(renderer: Renderer) -> None:
    ours = item(1, url="https://news.example.org/stories/one?ref=home#top")
    www = item(2, url="https://www.news.example.org/stories/two")
    partner = item(3, url="https://partner.example.com/report")
    tagged = item(4, url="https://news.example.org/stories/four?utm_source=web")
    stories = [ours, www, partner, tagged]
    digest = make_digest(
        digest_id="d-utm",
        title="Tagged",
        period="2023-01",
        preheader="Four stories",
        sections=[Section("Project News", tuple(i.id for i in stories))],
    )
    lookup = {i.id: i for i in stories}
    plain = renderer.render(digest, lookup, sample_theme(read_more="button"))
    assert "utm_" not in plain.html.replace("utm_source=web", "")  # off by default
    theme = sample_theme(utm_enabled=True, read_more="button")
    rendered = renderer.render(digest, lookup, theme)
    doc = _doc(rendered.html)
    hrefs = {a.text_content(): a.get("href") for a in doc.iter("a") if a.get("class") == "tl"}
    assert hrefs[ours.title] == (
        "https://news.example.org/stories/one?ref=home"
        "&utm_source=newsletter&utm_medium=email&utm_campaign=2023-01#top"
    )
    assert hrefs[www.title].endswith("?utm_source=newsletter&utm_medium=email&utm_campaign=2023-01")
    assert hrefs[partner.title] == "https://partner.example.com/report"
    assert hrefs[tagged.title] == (
        "https://news.example.org/stories/four?utm_source=web&utm_medium=email&utm_campaign=2023-01"
    )
    # the button and the classic Outlook button carry the same tagged link
    assert rendered.html.count("utm_campaign=2023-01") >= 3 * 3
    unsubscribe = [a for a in doc.iter("a") if a.text_content() == "Unsubscribe"]
    assert unsubscribe[0].get("href") == "https://news.example.org/unsubscribe"
    assert "utm_campaign=2023-01" in rendered.text
    own = sample_theme(utm_enabled=True, own_domains="partner.example.com", utm_campaign="spring")
    again = _doc(renderer.render(digest, lookup, own).html)
    links = {a.text_content(): a.get("href") for a in again.iter("a") if a.get("class") == "tl"}
    assert links[partner.title].endswith("utm_campaign=spring")
    assert "utm_" not in links[ours.title]


def test_a_user_template_extends_a_shipped_theme_and_overrides_one_block(
    tmp_path: Path,
) -> None:
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / "digest.html").write_text(
        '{% extends "magazine/digest.html" %}\n'
        '{% block footer %}<tr>\n<td class="ft px"><p>Our own footer for {{ digest.title }}.'
        ' <a href="{{ links.unsubscribe }}">{{ labels.unsubscribe }}</a></p></td></tr>'
        "{% endblock %}\n",
        encoding="utf-8",
    )
    digest, items = _january()
    own = Renderer(user_templates=tmp_path)
    rendered = own.render(digest, items, sample_theme(template="ours"))
    shipped = Renderer().render(digest, items, sample_theme(), template="magazine")
    doc = _doc(rendered.html)
    assert f"Our own footer for {digest.title}." in doc.text_content()
    assert "Mill Lane" not in doc.text_content()  # the shipped footer is replaced...
    assert doc.find(".//td[@class='mast px']") is not None  # ...and the rest is magazine
    assert rendered.html.split('<td class="ft px"')[0] == shipped.html.split('<td class="ft px"')[0]
    # no text template of its own: the classic plain text
    assert rendered.text == Renderer().render(digest, items, sample_theme()).text
    assert "ours" in available_layouts(tmp_path)
    assert not [f for f in rendered.findings if f.severity == "error"]


def test_the_digest_chooses_its_theme_and_the_caller_can_override(renderer: Renderer) -> None:
    digest, items = _january()
    chosen = make_digest(**{**_fields(digest), "template": "briefing"})
    assert Digest.from_dict(chosen.to_dict()) == chosen
    html = renderer.render(chosen, items, sample_theme()).html
    assert _doc(html).find(".//h2[@id='contents']") is not None  # briefing
    magazine = renderer.render(chosen, items, sample_theme(), template="magazine").html
    assert _doc(magazine).find(".//td[@class='mast px']") is not None
    legacy = make_digest(**{**_fields(digest), "template": "default"})
    assert legacy.template == "classic"
    with pytest.raises(NewsdigestError, match=r"no theme 'nosuch'.*classic, magazine, briefing"):
        renderer.render(digest, items, sample_theme(), template="nosuch")


def _fields(digest: Digest) -> dict[str, object]:
    return {
        "digest_id": digest.id,
        "title": digest.title,
        "period": digest.period,
        "preheader": digest.preheader,
        "sections": digest.sections,
    }


@pytest.mark.parametrize("layout", THEMES)
def test_an_unset_theme_never_shows_newsdigest_or_an_invalid_address(
    renderer: Renderer, layout: str
) -> None:
    items = january_items()
    digest = draft_digest(items, "2023-01", Theme(), digest_id="d-plain")
    assert digest.title == "News digest: January 2023"
    rendered = renderer.render(digest, {i.id: i for i in items}, Theme(), template=layout)
    for output in (_doc(rendered.html).text_content(), rendered.text):
        assert "Newsdigest" not in output and ".invalid" not in output
    assert "newsdigest.invalid" not in rendered.html
    assert [f.code for f in rendered.findings if f.severity == "error"] == ["unsubscribe"]


@pytest.mark.skipif(shutil.which("spamassassin") is None, reason="spamassassin is not installed")
@pytest.mark.parametrize("layout", THEMES)
def test_spamassassin_scores_nothing(renderer: Renderer, layout: str) -> None:
    rendered = _render(renderer, _full_theme(), layout)
    message = email.message.EmailMessage()
    message["From"] = "Newsroom <newsroom@example.org>"
    message["To"] = "reader@example.org"
    message["Subject"] = "News digest: September 2026"
    message["Date"] = "Tue, 01 Dec 2026 09:00:00 +0000"
    message["Message-ID"] = "<digest-2026-09.1@news.example.org>"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    result = subprocess.run(
        ["spamassassin", "-L", "-t"],
        input=message.as_bytes(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    report = result.stdout.decode("utf-8", "replace")
    scores = re.findall(r"^\s*(-?\d+\.\d+)\s+([A-Z0-9_]+)\s", report, re.MULTILINE)
    assert scores, report[-2000:]
    assert all(float(points) <= 0 for points, _ in scores), scores


@pytest.mark.parametrize("layout", THEMES)
def test_ids_are_unique_even_when_a_section_is_named_like_a_story_anchor(
    renderer: Renderer, layout: str
) -> None:
    first, second = item(1, category="S2"), item(2, category="Contents")
    digest = make_digest(
        digest_id="d-ids",
        title="Ids",
        preheader="Two stories",
        sections=[Section("S2", (first.id,)), Section("Contents", (second.id,))],
    )
    theme = sample_theme(show_contents="always")
    doc = _doc(renderer.render(digest, {first.id: first, second.id: second}, theme).html)
    ids = [e.get("id") for e in doc.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids))
    for a in doc.iter("a"):
        if (a.get("href") or "").startswith("#"):
            assert a.get("href")[1:] in ids


def test_a_user_template_can_extend_the_base_and_override_the_item_block(
    tmp_path: Path,
) -> None:
    (tmp_path / "terse").mkdir()
    (tmp_path / "terse" / "digest.html").write_text(
        '{% extends "base.html" %}\n'
        '{% import "macros.html" as m with context %}\n'
        '{% block item %}<tr><td class="it px">{{ m.title(item) }}'
        '<p class="mine">{{ item.teaser }}</p></td></tr>{% endblock %}\n',
        encoding="utf-8",
    )
    digest, items = _january()
    doc = _doc(
        Renderer(user_templates=tmp_path)
        .render(digest, items, sample_theme(), template="terse")
        .html
    )
    mine = [p.text_content() for p in doc.iter("p") if p.get("class") == "mine"]
    assert len(mine) == len(digest.item_ids())
    assert [h.text_content() for h in doc.iter("h2")] == [
        "Project News",
        "Press Release",
        "Expert Voice",
    ]
