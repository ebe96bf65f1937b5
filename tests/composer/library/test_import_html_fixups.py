"""HTML pages the first version read wrongly: cards whose title links nowhere, pages that
are no news, short teasers, labels, plain text with an .html name, CF_HTML files.

Every page here is invented (the sites, the stories, the markup).
"""

from __future__ import annotations

import datetime as dt

import pytest

from composer.errors import SourceError
from composer.library.importers import import_source
from composer.library.importers.html_dates import in_prose, line_date
from composer.library.importers.html_page import NO_BASE, NO_STORIES, parse_html

BASE = "https://harbourtown.example/"


def read(html: str | bytes, **kwargs):
    kwargs.setdefault("page_url", BASE + "news/")
    return parse_html(html, source="page.html", **kwargs)


def doc(body: str, head: str = "<title>News</title>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def titles(report) -> list[str]:
    return [item.title for item in report.items]


# Cards whose title has no real link ------------------------------------------------


def _teasers(links: list[str | None]) -> str:
    cards = []
    for n, href in enumerate(links, 1):
        heading = f"Harbour story number {n}"
        if href is not None:
            heading = f'<a href="{href}">{heading}</a>'
        picture = f'<img src="/pics/story-{n}.jpg" alt="">' if n == 2 else ""
        cards.append(
            f'<article class="teaser"><h2>{heading}</h2>'
            f'<time datetime="2024-05-{20 - n:02d}">May {20 - n}, 2024</time>'
            f"<p>Teaser {n}.</p>{picture}</article>"
        )
    return doc("<main>" + "\n".join(cards) + "</main>", head="")


def test_cards_without_a_link_are_items_without_one_and_keep_their_own_image():
    report = read(_teasers(["/n/first", None, None]))
    assert titles(report) == [
        "Harbour story number 1",
        "Harbour story number 2",
        "Harbour story number 3",
    ]
    first, second, third = report.items
    assert first.url == BASE + "n/first"
    assert first.image_url is None  # the second card's picture is the second card's
    assert second.url is None and second.image_url == BASE + "pics/story-2.jpg"
    assert third.url is None and third.date == dt.date(2024, 5, 17)
    assert report.rejected == []
    assert len(report.warnings) == 2
    assert "line 2: the title 'Harbour story number 2' links to no page" in report.warnings[0]
    assert report.warnings[0].endswith("the story was kept without a link")


@pytest.mark.parametrize("dead", ["#", "javascript:void(0)", "mailto:desk@harbourtown.example"])
def test_cards_linking_to_no_page_are_kept_saying_where_they_point(dead):
    report = read(_teasers(["/n/first", "/n/second", dead]))
    assert len(report.items) == 3
    assert report.items[2].title == "Harbour story number 3"
    assert report.items[2].url is None
    assert report.items[1].image_url == BASE + "pics/story-2.jpg"
    (warning,) = report.warnings
    assert f"(it points at '{dead}')" in warning


def test_a_list_of_dated_cards_with_no_links_at_all():
    report = read(_teasers([None, None, None]))
    assert len(report.items) == 3
    assert all(item.url is None for item in report.items)
    assert [item.date for item in report.items] == [
        dt.date(2024, 5, 19),
        dt.date(2024, 5, 18),
        dt.date(2024, 5, 17),
    ]


def test_undated_sections_without_links_are_no_stories():
    sections = "".join(
        f"<section><h2>Part {n}</h2><p>Some text about part {n} of our work.</p></section>"
        for n in (1, 2, 3)
    )
    with pytest.raises(SourceError, match="has no stories"):
        read(doc(sections, head="<title>Our work</title>"))


def test_a_fragment_of_several_cards_is_not_read_as_one():
    # A paste with one linked card and two unlinked ones: never one story made of them all.
    fragment = _teasers(["/n/first", None, None]).replace("<!DOCTYPE html>", "")
    report = read(fragment)
    assert len(report.items) == 3
    assert report.items[0].image_url is None


# Pages that are not news -----------------------------------------------------------


def test_a_contact_page_is_refused_and_its_prose_dates_are_not_story_dates():
    html = doc(
        '<nav><a href="/">Home</a><a href="/news/">News</a></nav><h1>Visit us</h1>'
        "<p>Find us at 4 Quay Lane. The ferry office has been here since 9 June 1978.</p>"
        "<footer>Last changed 2 January 2024</footer>",
        head="<title>Visit us</title>",
    )
    with pytest.raises(SourceError) as caught:
        read(html)
    assert str(caught.value) == f"page.html: {NO_STORIES}"
    assert NO_STORIES.startswith("has no stories: ")


def test_a_german_about_page_is_refused():
    html = doc(
        '<header><ul class="menu"><li><a href="/">Start</a></li></ul></header>'
        "<h1>Über den Verein</h1><p>Der Hafenverein wurde am 3. Mai 1961 von Fischern "
        "gegründet.</p><p>Sprechzeiten: Mo–Fr 9–12 Uhr.</p>",
        head="<title>Über den Verein</title>",
    )
    with pytest.raises(SourceError, match="has no stories"):
        read(html)


def test_an_article_takes_its_date_from_its_date_line_not_from_its_prose():
    html = doc(
        "<h1>Ferry timetable changes</h1><p>Published 4 March 2024</p>"
        "<p>The ferry, running since 1 May 1950, keeps its morning crossing.</p>",
        head='<title>Ferry timetable changes</title><meta property="og:type" content="article">',
    )
    (item,) = read(html).items
    assert item.date == dt.date(2024, 3, 4)


def test_an_article_whose_only_date_is_in_its_prose_is_rejected_not_dated():
    html = doc(
        "<article><h1>The old lighthouse</h1><p>The lighthouse was built in stone and lit on "
        "12 October 1888 by the harbour board.</p></article>",
        head="<title>The old lighthouse</title>",
    )
    report = read(html)
    assert report.items == []
    assert report.rejected[0].reason == "no date found near 'The old lighthouse'"


@pytest.mark.parametrize(
    ("text", "prose"),
    [
        ("Published 3 March 2024 by Ann Lee", False),
        ("Veröffentlicht am 16.08.2019", False),
        ("Pressemitteilung · 14. Februar 2024", False),
        ("Updated 3 March 2024.", False),
        ("The office has been open since 3 March 1999.", True),
        ("Gegründet am 1. Juli 1987 von drei Fischern.", True),
    ],
)
def test_a_date_line_or_a_sentence(text, prose):
    assert in_prose(text) is prose
    assert (line_date(text) is None) is prose


# Short teasers ----------------------------------------------------------------------


def test_short_teasers_are_kept():
    cards = "".join(
        f'<div class="teaser"><h3><a href="/p/{n}">Robbe Nummer {n} gesichtet</a></h3>'
        f'<span class="date">{n}. März 2024</span><p>{text}</p>'
        '<p><a href="/p/x">Weiterlesen</a></p></div>'
        for n, text in ((3, "Am Nordstrand."), (2, "Sehr jung."), (1, "Ab 9 Uhr."))
    )
    report = read(doc(f"<main>{cards}</main>"))
    assert [item.summary for item in report.items] == ["Am Nordstrand.", "Sehr jung.", "Ab 9 Uhr."]


def test_a_short_paragraph_that_is_a_date_or_a_label_is_no_teaser():
    cards = "".join(
        f'<div class="teaser"><h3><a href="/p/{n}">Story {n} of the quay</a></h3>'
        f'<p class="meta">{n} April 2024</p><p><a href="/category/port/">Port</a></p></div>'
        for n in (3, 2, 1)
    )
    report = read(doc(f"<main>{cards}</main>"))
    assert [item.summary for item in report.items] == ["", "", ""]
    assert report.items[0].date == dt.date(2024, 4, 3)


# Labels -----------------------------------------------------------------------------


def test_badges_labels_and_meta_lines_are_categories():
    badge = (
        '<div class="card"><a href="/n/1"><span class="badge">Regata</span>'
        '<h3>Boats race at dawn</h3></a><p class="card-date">2 de mayo de 2024</p></div>'
    )
    label = (
        '<div class="card"><a href="/n/2"><h3>Fish market reopens</h3></a>'
        '<span class="label">Mercado</span><p class="card-date">1 de mayo de 2024</p></div>'
    )
    meta = (
        '<div class="card"><h3><a href="/n/3">Quay works begin</a></h3>'
        '<div class="meta">Aviso · 30 de abril de 2024</div></div>'
    )
    report = read(doc(f"<main>{badge}{label}{meta}</main>"))
    assert [item.category for item in report.items] == ["Regata", "Mercado", "Aviso"]


def test_a_meta_line_with_an_author_gives_no_category():
    cards = "".join(
        f'<div class="card"><h3><a href="/n/{n}">Tide report {n}</a></h3>'
        f'<div class="meta">By Ann Lee · {n} June 2024 · 3 min read</div></div>'
        for n in (3, 2)
    )
    report = read(doc(f"<main>{cards}</main>"), default_category="Tides")
    assert [item.category for item in report.items] == ["Tides", "Tides"]


def test_a_tables_type_column_is_the_category():
    rows = "".join(
        f'<tr><td>{day} May 2024</td><td><a href="/r/{day}">Notice {day} to mariners</a></td>'
        f"<td>{kind}</td></tr>"
        for day, kind in ((14, "Avis"), (9, "Communiqué"))
    )
    html = doc(
        "<table><thead><tr><th>Date</th><th>Title</th><th>Catégorie</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    report = read(html)
    assert [item.category for item in report.items] == ["Avis", "Communiqué"]


# Dates a page shows that are no full date -------------------------------------------


def test_a_placeholder_date_is_no_publication_date():
    cards = "".join(
        f'<article><h2><a href="/n/{n}">Draft story {n}</a></h2>'
        f'<time datetime="0000-00-00T00:00:00+00:00"></time></article>'
        for n in (1, 2, 3)
    )
    report = read(doc(f"<main>{cards}</main>"))
    assert report.items == []
    assert report.rejected[0].reason == (
        "'Draft story 1' has no full publication date ('0000-00-00')"
    )


def test_a_relative_date_is_no_full_publication_date():
    cards = "".join(
        f'<li><a href="/n/{n}">Quick note {n}</a> <span class="date">{n} days ago</span></li>'
        for n in (2, 4, 5)
    )
    report = read(doc(f"<ul class='stream'>{cards}</ul>"))
    assert len(report.rejected) == 3
    assert report.rejected[0].reason == "'Quick note 2' has no full publication date ('2 days ago')"


# The relative-links warning ---------------------------------------------------------


def test_the_no_base_warning_names_both_places_to_give_the_address():
    cards = "".join(
        f'<li><a href="/n/{n}">Pier story {n}</a> <span>{n} May 2024</span></li>' for n in (1, 2)
    )
    report = parse_html(doc(f"<ul>{cards}</ul>"), source="p.html")
    assert report.warnings == [NO_BASE]
    assert NO_BASE.endswith(
        "give the page's address (--base-url, or the Base url field of the import preview)"
    )


# Plain text and CF_HTML files -------------------------------------------------------

PLAIN = (
    "Harbour news\n\nNew pontoon opens\n12 March 2024\nBoats can moor from Friday.\n\n"
    "Lifeboat day\n2 March 2024\nThe crew shows the boat.\n"
)


@pytest.mark.parametrize(
    "content",
    [PLAIN, "<html><body><p>" + PLAIN.replace("\n", "<br>") + "</p></body></html>"],
)
def test_a_plain_text_listing_with_an_html_name_says_how_to_read_it(tmp_path, content):
    path = tmp_path / "news.html"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        import_source(path)
    message = str(caught.value)
    assert "it is plain text, not a web page" in message
    assert message.endswith("read as a listing (use --format listing) it gives 2 stories")
    if "<br>" not in content:
        assert len(import_source(path, format="listing").items) == 2


def test_plain_text_that_is_no_listing_either_is_refused_as_before():
    with pytest.raises(SourceError) as caught:
        read("<html><body>Nothing here at all</body></html>")
    assert str(caught.value) == (
        "page.html: has no list of stories we can recognise (no repeated links with dates) "
        "and is not an article page"
    )


def test_a_saved_cf_html_payload_uses_its_source_url(tmp_path):
    markup = (
        "<html><body>\n<!--StartFragment-->"
        '<div class="item"><h3><a href="/notes/tide">Spring tides</a></h3>'
        '<span>8 avril 2024</span><p>Grandes marées.</p><img src="/img/tide.jpg"></div>'
        '<div class="item"><h3><a href="/notes/quai">Quai fermé</a></h3>'
        "<span>2 avril 2024</span></div><!--EndFragment-->\n</body></html>"
    )
    source = "https://port-sainte-anne.example/notes/"
    header = (
        "Version:0.9\r\nStartHTML:{0:010d}\r\nEndHTML:{1:010d}\r\n"
        "StartFragment:0000000000\r\nEndFragment:0000000000\r\nSourceURL:" + source + "\r\n"
    )
    size = len(header.format(0, 0).encode())
    payload = header.format(size, size + len(markup.encode())) + markup
    path = tmp_path / "paste.html"
    path.write_bytes(payload.encode("utf-8"))
    report = import_source(path)
    assert titles(report) == ["Spring tides", "Quai fermé"]
    assert report.items[0].url == "https://port-sainte-anne.example/notes/tide"
    assert report.items[0].image_url == "https://port-sainte-anne.example/img/tide.jpg"
    assert report.items[0].summary == "Grandes marées."
    assert report.base_url == source
    assert report.warnings == []


def test_one_pasted_card_with_a_kicker_heading_is_still_one_story():
    fragment = (
        '<meta charset="utf-8"><div class="card"><h4>Harbour</h4>'
        '<h3><a href="https://harbourtown.example/n/dredge">Dredging starts</a></h3>'
        '<span class="date">3 June 2024</span><img src="https://harbourtown.example/d.jpg"></div>'
    )
    (item,) = read(fragment).items
    assert item.title == "Dredging starts"
    assert item.image_url == "https://harbourtown.example/d.jpg"
