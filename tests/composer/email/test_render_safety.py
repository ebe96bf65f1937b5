"""Nothing in an item, a digest or the theme can inject markup into the email.

Each field that reaches the templates gets planted markup (a script, an event
handler, a style block, tags that close the layout table, a Jinja expression,
an Outlook conditional comment); the output is parsed and compared with the
render of the same digest holding harmless text: the same elements, no script,
no handler, no extra style, only http(s) and mailto links, and the planted text
shown as text.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from helpers.digest_samples import item, sample_theme
from lxml import etree
from lxml import html as lxml_html

from composer.digest.model import Override, Section, make_digest
from composer.email.render import Links, Renderer
from composer.library.item import NewsItem

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "<style>body{display:none}</style>",
    "</td></tr></table></table></div>",
    "{{ 7*7 }}{% raw %}",
    "<!--[if mso]><table><![endif]-->",
    "<a href='javascript:alert(1)'>x</a>",
    "&lt;b&gt; & &amp; ' \"",
]


def _render(text: str, link_text: str) -> tuple[str, str]:
    first: NewsItem = item(
        1,
        category=f"Project {text}",
        title=f"Title {text}",
        summary=f"Summary {text}\n\nSecond {text}",
        image_url="https://www.example.org/a.jpg",
        image_alt=f"Alt {text}",
    )
    second = item(2, title="Plain", summary="Plain summary.")
    digest = make_digest(
        digest_id="d-safe",
        title=f"Digest {text}",
        preheader=f"Preheader {text}",
        period=f"P {text}",
        intro=f"Intro {text} and [{link_text}](https://www.example.org/x)\n\nMore {text}",
        sections=[Section(f"Project {text}", (first.id,)), Section("Press", (second.id,))],
        overrides={second.id: Override(title=f"Own {text}", summary=f"Own summary {text}")},
    )
    theme = sample_theme(
        organisation=f"Org {text}",
        postal_address=f"Street {text}",
        footer=f"Footer {text}",
        labels={"read_more": f"More {text}: {{title}}", "unsubscribe": f"Unsubscribe {text}"},
    )
    rendered = Renderer().render(digest, {first.id: first, second.id: second}, theme)
    return rendered.html, rendered.text


def _shape(html: str) -> tuple[Counter[str], list[str], list[str]]:
    doc = lxml_html.document_fromstring(html.encode("utf-8"))
    tags = Counter(str(e.tag) for e in doc.iter() if isinstance(e.tag, str))
    comments = [c.text or "" for c in doc.iter(etree.Comment)]
    styles = [s.text or "" for s in doc.iter("style")]
    return tags, comments, styles


@pytest.mark.parametrize("attack", ATTACKS)
def test_planted_markup_is_only_text(attack: str) -> None:
    html, text = _render(attack, f"link {attack.replace('[', '').replace(']', '')}")
    clean_html, _ = _render("harmless", "link harmless")
    tags, comments, styles = _shape(html)
    clean_tags, clean_comments, clean_styles = _shape(clean_html)
    assert tags == clean_tags
    assert comments == clean_comments
    assert styles == clean_styles
    doc = lxml_html.document_fromstring(html.encode("utf-8"))
    assert not list(doc.iter("script", "svg"))
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        assert not [a for a in element.attrib if str(a).lower().startswith("on")]
        for name in ("href", "src"):
            value = element.get(name)
            if value is not None:
                assert value.startswith(("https://", "mailto:")), value
    visible = doc.text_content()
    assert f"Title {attack}" in visible
    assert f"Summary {attack}" in visible
    assert f"Own summary {attack}" in visible
    assert f"Org {attack}" in visible
    img = next(doc.iter("img"))
    assert img.get("alt") == f"Alt {attack}"
    assert "49" not in visible
    assert f"Title {attack}" in text


def test_unsafe_link_schemes_in_items_theme_and_intro_are_dropped() -> None:
    story = dataclasses.replace(
        item(5), url="javascript:alert(1)", image_url="vbscript:x", image_alt="pic"
    )
    digest = make_digest(
        digest_id="d-x",
        title="T",
        preheader="p",
        intro="See [this](javascript:alert`1`) and [that](data:text/html,hi).",
        sections=[Section("Project News", (story.id,))],
    )
    theme = dataclasses.replace(sample_theme(), logo_url="javascript:alert(1)")
    links = Links(unsubscribe="https://news.example.org/u", web_version=None)
    rendered = Renderer().render(digest, {story.id: story}, theme, links)
    doc = lxml_html.document_fromstring(rendered.html.encode("utf-8"))
    assert [a.get("href") for a in doc.iter("a")] == ["https://news.example.org/u"]
    assert not list(doc.iter("img"))
    assert "See this and that." in doc.text_content()
    assert any(f.code == "intro-link" for f in rendered.findings)
