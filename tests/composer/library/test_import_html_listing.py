"""HTML listing pages of the shapes common CMSs write: each story becomes one item.

Every page here is invented (organisations, stories, addresses); each follows the
markup of a kind of site: a WordPress archive, a Drupal view, a Hugo or Jekyll list,
a table, a flat run of headings, a JSON-LD ItemList, a card grid with lazy images.
"""

from __future__ import annotations

import datetime as dt

import pytest

from composer.errors import SourceError
from composer.library.importers import import_text
from composer.library.importers.html_page import parse_html

SITE = "https://www.lakeside-trust.example"

NAV = """
<header class="site-header"><a href="/">Lakeside Trust</a>
  <nav class="main-navigation"><ul>
    <li><a href="/about/">About us</a></li><li><a href="/news/">News</a></li>
    <li><a href="/events/">Events 12 March 2024</a></li><li><a href="/contact/">Contact</a></li>
  </ul></nav></header>
"""
FOOTER = """
<footer class="site-footer"><ul>
  <li><a href="/privacy/">Privacy</a> <span>1 January 2024</span></li>
  <li><a href="/legal/">Legal notice</a> <span>2 January 2024</span></li>
</ul></footer>
<div id="cookie-notice" class="cookie-banner"><p>We use cookies. <a href="/cookies/">Settings</a>
  <a href="/cookies/accept">Accept</a></p></div>
"""


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>News</title>{head}"
        f"</head><body>{NAV}<main id='content'>{body}</main>{FOOTER}</body></html>"
    )


def read(html: str | bytes, **kwargs):
    kwargs.setdefault("page_url", f"{SITE}/news/")
    return parse_html(html, source="page.html", **kwargs)


def titles(report) -> list[str]:
    return [item.title for item in report.items]


WORDPRESS = page(
    """
<h1 class="page-title">News</h1>
<article id="post-101" class="post-101 post type-post status-publish has-post-thumbnail
    category-wetlands">
  <a class="post-thumbnail" href="/2024/03/reed-beds-restored/">
    <img width="300" height="200" src="/wp-content/uploads/2024/03/reeds-300x200.jpg"
      class="attachment-medium wp-post-image" alt="Reeds at dawn"></a>
  <header class="entry-header">
    <span class="cat-links"><a href="/category/wetlands/" rel="category tag">Wetlands</a></span>
    <h2 class="entry-title"><a href="/2024/03/reed-beds-restored/">Reed beds restored
      at the north shore</a></h2>
    <div class="entry-meta"><span class="posted-on"><a href="/2024/03/reed-beds-restored/">
      <time class="entry-date published" datetime="2024-03-14T09:30:00+01:00">14 March 2024</time>
      </a></span> <span class="byline">by <a href="/author/ann/">Ann</a></span></div>
  </header>
  <div class="entry-summary"><p>Volunteers replanted four hectares of reed beds over the
    winter, doubling the nesting area for warblers.</p></div>
  <a class="more-link" href="/2024/03/reed-beds-restored/">Read more</a>
</article>
<article id="post-99" class="post-99 post type-post status-publish category-events">
  <header class="entry-header">
    <span class="cat-links"><a href="/category/events/" rel="category tag">Events</a></span>
    <h2 class="entry-title"><a href="/2024/02/open-day/">Open day at the visitor centre</a></h2>
    <div class="entry-meta"><time class="entry-date published"
      datetime="2024-02-20T10:00:00+01:00">20 February 2024</time></div>
  </header>
  <div class="entry-summary"><p>Guided walks, pond dipping and a bird ringing demonstration
    for families, all free of charge.</p></div>
</article>
<article id="post-97" class="post-97 post type-post status-publish category-wetlands">
  <header class="entry-header">
    <h2 class="entry-title"><a href="/2024/01/winter-count/">The winter bird count</a></h2>
    <div class="entry-meta"><time datetime="2024-01-08T08:00:00+01:00">8 January 2024</time></div>
  </header>
  <div class="entry-summary"><p>Our yearly count found more teal and fewer coots than last
    winter.</p></div>
</article>
<nav class="navigation pagination"><a class="page-numbers" href="/news/page/2/">2</a>
  <a class="next page-numbers" href="/news/page/2/">Next</a></nav>
""",
    head="<link rel='alternate' type='application/rss+xml' title='Lakeside Trust &raquo; Feed' "
    "href='/feed/'><link rel='alternate' type='application/rss+xml' "
    "title='Lakeside Trust &raquo; Comments Feed' href='/comments/feed/'>",
)


def test_wordpress_archive():
    report = read(WORDPRESS)
    assert report.format == "html"
    assert titles(report) == [
        "Reed beds restored at the north shore",
        "Open day at the visitor centre",
        "The winter bird count",
    ]
    first = report.items[0]
    assert first.url == f"{SITE}/2024/03/reed-beds-restored/"
    assert first.date == dt.date(2024, 3, 14)
    assert first.category == "Wetlands"
    assert first.image_url == f"{SITE}/wp-content/uploads/2024/03/reeds-300x200.jpg"
    assert first.image_alt == "Reeds at dawn"
    assert first.summary.startswith("Volunteers replanted four hectares")
    assert first.source == "page.html"
    assert report.items[2].category == "News"  # the default category
    assert report.rejected == []
    assert report.base_url == f"{SITE}/news/"


def test_the_stories_feed_is_named_in_a_note():
    report = read(WORDPRESS)
    assert len(report.notes) == 1
    assert f"{SITE}/feed/" in report.notes[0]
    assert "comments" not in report.notes[0]


def test_navigation_footer_cookie_banner_and_pagination_are_not_items():
    report = read(WORDPRESS)
    urls = {item.url for item in report.items}
    assert not any(
        word in url for url in urls for word in ("about", "privacy", "cookies", "page/2")
    )
    assert report.rejected == []


DRUPAL = page(
    """
<div class="view view-press-releases view-id-press_releases">
 <div class="view-content">
  <div class="views-row views-row-1 views-row-odd views-row-first">
    <div class="views-field views-field-title"><h3 class="field-content">
      <a href="/media/press-releases/grant-for-river-survey">Grant awarded for the river
      survey</a></h3></div>
    <span class="views-field views-field-created"><span class="field-content">Apr 14,
      2015</span></span>
    <span class="views-field views-field-type"><span class="field-content">
      <a href="/media/press-releases">Press Release</a></span></span>
    <div class="views-field views-field-body"><div class="field-content"><p>The council
      awarded a three-year grant to survey the river's invertebrates.</p></div></div>
    <div class="views-field views-field-field-issues"><span class="views-label">Issues:
      </span><div class="field-content"><a href="/issues/water">Water</a>,
      <a href="/issues/science">Science</a></div></div>
  </div>
  <div class="views-row views-row-2 views-row-even">
    <div class="views-field views-field-title"><h3 class="field-content">
      <a href="/media/press-releases/new-ranger">A new ranger joins the team</a></h3></div>
    <span class="views-field views-field-created"><span class="field-content">Mar 2,
      2015</span></span>
    <span class="views-field views-field-type"><span class="field-content">
      <a href="/media/press-releases">Press Release</a></span></span>
  </div>
  <div class="views-row views-row-3 views-row-odd views-row-last">
    <div class="views-field views-field-title"><h3 class="field-content">
      <a href="/media/statements/flood-warning">Statement on the flood warning</a></h3></div>
    <span class="views-field views-field-created"><span class="field-content">Feb 27,
      2015</span></span>
    <span class="views-field views-field-type"><span class="field-content">
      <a href="/media/statements">Statement</a></span></span>
  </div>
 </div>
 <div class="item-list"><ul class="pager"><li class="pager-next"><a href="?page=1">next ›</a>
 </li></ul></div>
</div>
"""
)


def test_drupal_views_rows():
    report = read(DRUPAL, page_url="http://www.lakeside-trust.example/media/press-releases")
    assert titles(report) == [
        "Grant awarded for the river survey",
        "A new ranger joins the team",
        "Statement on the flood warning",
    ]
    assert [item.date for item in report.items] == [
        dt.date(2015, 4, 14),
        dt.date(2015, 3, 2),
        dt.date(2015, 2, 27),
    ]
    assert [item.category for item in report.items] == [
        "Press Release",
        "Press Release",
        "Statement",
    ]
    assert report.items[0].url == (
        "http://www.lakeside-trust.example/media/press-releases/grant-for-river-survey"
    )
    assert report.items[0].summary.startswith("The council awarded")


HUGO = page(
    """
<div class="universal-wrapper"><h1>Posts</h1></div>
<div class="universal-wrapper">
  <div class="media stream-item"><div class="media-body">
    <h3 class="article-title"><a href="/post/bulletin-7/">Bulletin 7</a></h3>
    <div class="article-style">The seventh bulletin reports on the working groups and the
      autumn meeting.</div>
    <div class="article-metadata"><span><a href="/author/board/">Board</a></span>
      <span class="article-date">Oct 30, 2025</span>
      <span class="article-categories"><a href="/category/bulletin/">bulletin</a></span></div>
  </div><div class="ml-3"><a href="/post/bulletin-7/"><img src="/post/bulletin-7/featured_150x0.jpg"
    alt=""></a></div></div>
  <div class="media stream-item"><div class="media-body">
    <h3 class="article-title"><a href="/post/bulletin-6/">Bulletin 6</a></h3>
    <div class="article-metadata"><span class="article-date">Dec 12, 2024</span>
      <span class="article-categories"><a href="/category/bulletin/">bulletin</a></span></div>
  </div></div>
  <div class="media stream-item"><div class="media-body">
    <h3 class="article-title"><a href="/post/standards-meeting/">Meeting on data
      standards</a></h3>
    <div class="article-metadata"><span class="article-date">Oct 10, 2022</span>
      <span class="article-categories"><a href="/category/news/">news</a></span></div>
  </div></div>
</div>
"""
)


def test_hugo_list():
    report = read(HUGO, page_url="https://board.example/post/")
    assert titles(report) == ["Bulletin 7", "Bulletin 6", "Meeting on data standards"]
    assert report.items[0].url == "https://board.example/post/bulletin-7/"
    assert report.items[0].image_url == "https://board.example/post/bulletin-7/featured_150x0.jpg"
    assert report.items[0].category == "bulletin"
    assert report.items[2].category == "news"
    assert report.items[1].date == dt.date(2024, 12, 12)


JEKYLL = page(
    """
<div class="home"><h2 class="post-list-heading">Posts</h2>
<ul class="post-list">
  <li><span class="post-meta">Jan 31, 2023</span>
    <h3><a class="post-link" href="/2023/01/31/new-hides.html">Two new bird hides</a></h3>
    <p>Both hides face the lagoon and have step-free access.</p></li>
  <li><span class="post-meta">Jan 5, 2023</span>
    <h3><a class="post-link" href="/2023/01/05/annual-report.html">Annual report 2022</a></h3></li>
  <li><span class="post-meta">Dec 20, 2022</span>
    <h3><a class="post-link" href="/2022/12/20/volunteer-party.html">Volunteer party</a></h3></li>
</ul></div>
"""
)


def test_jekyll_post_list():
    report = read(JEKYLL, page_url="https://birds.example/")
    assert titles(report) == ["Two new bird hides", "Annual report 2022", "Volunteer party"]
    assert report.items[0].url == "https://birds.example/2023/01/31/new-hides.html"
    assert report.items[0].date == dt.date(2023, 1, 31)
    assert report.items[0].summary == "Both hides face the lagoon and have step-free access."


TABLE = page(
    """
<table class="news-table">
  <thead><tr><th>Date</th><th>Title</th><th>Type</th></tr></thead>
  <tbody>
    <tr><td>05.11.2018</td><td><a href="/aktuelles/neue-satzung">Neue Satzung
      beschlossen</a></td><td class="type">Mitteilung</td></tr>
    <tr><td>12.10.2018</td><td><a href="/aktuelles/herbstfest">Herbstfest am
      See</a></td><td class="type">Veranstaltung</td></tr>
    <tr><td>1. Oktober 2018</td><td><a href="/aktuelles/jahresbericht">Jahresbericht
      2017</a></td><td class="type">Bericht</td></tr>
  </tbody>
</table>
"""
)


def test_table_listing():
    report = read(TABLE, page_url="https://verein.example/aktuelles/")
    assert titles(report) == ["Neue Satzung beschlossen", "Herbstfest am See", "Jahresbericht 2017"]
    assert [item.date for item in report.items] == [
        dt.date(2018, 11, 5),
        dt.date(2018, 10, 12),
        dt.date(2018, 10, 1),
    ]
    assert [item.category for item in report.items] == ["Mitteilung", "Veranstaltung", "Bericht"]
    assert report.items[0].url == "https://verein.example/aktuelles/neue-satzung"


FLAT = page(
    """
<div class="content">
  <h2><a href="/news/harbour-clean-up">Harbour clean-up</a></h2>
  <p class="date">Posted on 3 March 2024</p>
  <p>Sixty volunteers collected half a tonne of litter from the harbour walls.</p>
  <h2><a href="/news/new-website">Our new website</a></h2>
  <p class="date">Posted on 1 February 2024</p>
  <p>Find events, reports and volunteering more easily on the new site.</p>
  <h2><a href="/news/grant">A grant for the dunes</a></h2>
  <p class="date">Posted on 15 January 2024</p>
</div>
"""
)


def test_flat_run_of_headings():
    report = read(FLAT, page_url="https://harbour.example/news/")
    assert titles(report) == ["Harbour clean-up", "Our new website", "A grant for the dunes"]
    assert [item.date for item in report.items] == [
        dt.date(2024, 3, 3),
        dt.date(2024, 2, 1),
        dt.date(2024, 1, 15),
    ]
    assert report.items[1].summary.startswith("Find events")


CARDS = page(
    """
<section class="latest"><div class="grid">
  <a href="../stories/otters-return/index.html" class="cell card">
    <div class="image"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="
      data-src="/media/otters-800.jpg" alt="An otter"></div>
    <div class="content"><div class="date"> 02 février 2024</div>
    <div class="title"> Le retour des loutres</div>
    <div class="excerpt"> Des traces de loutre ont été relevées sur trois affluents ...</div>
    </div></a>
  <a href="../stories/new-reserve/index.html" class="cell card">
    <div class="image"><picture><source type="image/webp"
      srcset="/media/reserve-400.webp 400w, /media/reserve-1200.webp 1200w">
      <img data-lazy-src="/media/reserve-1200.jpg"
        src="/img/placeholder.svg" alt=""></picture></div>
    <div class="content"><div class="date">14 janvier 2024</div>
    <div class="title">Une nouvelle réserve</div></div></a>
  <a href="../stories/survey/index.html" class="cell card">
    <div class="image"><img srcset="/media/survey-300.jpg 300w, /media/survey-1024.jpg 1024w,
      /media/survey-640.jpg 640w" alt=""></div>
    <div class="content"><div class="date">3 décembre 2023</div>
    <div class="title">Inventaire des libellules</div></div></a>
</div></section>
"""
)


def test_cards_with_lazy_images_and_srcset():
    report = read(CARDS, page_url="https://conservatoire.example/actualites/")
    assert titles(report) == [
        "Le retour des loutres",
        "Une nouvelle réserve",
        "Inventaire des libellules",
    ]
    assert [item.url for item in report.items] == [
        "https://conservatoire.example/stories/otters-return/index.html",
        "https://conservatoire.example/stories/new-reserve/index.html",
        "https://conservatoire.example/stories/survey/index.html",
    ]
    assert [item.image_url for item in report.items] == [
        "https://conservatoire.example/media/otters-800.jpg",  # data-src, not the data: gif
        "https://conservatoire.example/media/reserve-1200.jpg",  # data-lazy-src
        "https://conservatoire.example/media/survey-1024.jpg",  # the widest srcset candidate
    ]
    assert report.items[0].date == dt.date(2024, 2, 2)
    assert report.items[0].summary.startswith("Des traces de loutre")


JSON_LD = page(
    """
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "CollectionPage", "mainEntity": {
  "@type": "ItemList", "itemListElement": [
    {"@type": "ListItem", "position": 1, "item": {"@type": "NewsArticle",
      "headline": "Ferry timetable changes", "url": "https://port.example/news/ferry",
      "datePublished": "2024-05-02T08:00:00Z", "image": {"@type": "ImageObject",
      "url": "https://port.example/img/ferry.jpg"}, "articleSection": "Transport",
      "description": "Summer sailings start a week earlier."}},
    {"@type": "ListItem", "position": 2, "url": "https://port.example/news/quay",
      "name": "The east quay reopens"}
  ]}}
</script>
<ul class="stories">
  <li><a href="/news/quay">The east quay reopens</a> <span class="date">28 April 2024</span></li>
  <li><a href="/news/ferry">Ferry timetable changes</a> <span class="date">2 May 2024</span></li>
</ul>
"""
)


def test_a_json_ld_item_list_is_read_and_completed_from_the_cards():
    report = read(JSON_LD, page_url="https://port.example/news/")
    assert titles(report) == ["Ferry timetable changes", "The east quay reopens"]
    ferry, quay = report.items
    assert ferry.category == "Transport"
    assert ferry.image_url == "https://port.example/img/ferry.jpg"
    assert ferry.summary == "Summer sailings start a week earlier."
    assert ferry.date == dt.date(2024, 5, 2)
    assert quay.date == dt.date(2024, 4, 28)  # from the card with the same link


def test_several_json_ld_articles_are_a_listing():
    articles = ",".join(
        f'{{"@type": "BlogPosting", "headline": "Story {n}", "url": "/blog/story-{n}", '
        f'"datePublished": "2024-0{n}-01"}}'
        for n in (1, 2, 3)
    )
    html = page(
        f'<script type="application/ld+json">[{articles}]</script><p>Our blog</p>',
        head='<meta property="og:type" content="website">',
    )
    report = read(html, page_url="https://blog.example/")
    assert titles(report) == ["Story 1", "Story 2", "Story 3"]
    assert report.items[2].url == "https://blog.example/blog/story-3"
    assert report.items[2].date == dt.date(2024, 3, 1)


def test_undated_cards_are_rejected_with_their_title():
    html = page(
        """
<div class="news-list">
  <div class="news-item"><h3><a href="/n/one">Dated story</a></h3>
    <span class="date">3 March 2024</span></div>
  <div class="news-item"><h3><a href="/n/two">Story without a date</a></h3>
    <p>Nothing here says when this was published, only what it is about.</p></div>
  <div class="news-item"><h3><a href="/n/three">Another dated story</a></h3>
    <span class="date">1 March 2024</span></div>
</div>
"""
    )
    report = read(html)
    assert titles(report) == ["Dated story", "Another dated story"]
    (rejection,) = report.rejected
    assert rejection.reason == "no date found near 'Story without a date'"
    assert rejection.location.startswith("line ")


def test_most_read_sidebar_and_related_box_are_not_items():
    sidebar = """
<div class="sidebar"><h2>Most read</h2><ul>
  <li><a href="/old/1">Old favourite one</a> <span>1 May 2020</span></li>
  <li><a href="/old/2">Old favourite two</a> <span>2 May 2020</span></li>
  <li><a href="/old/3">Old favourite three</a> <span>3 May 2020</span></li>
  <li><a href="/old/4">Old favourite four</a> <span>4 May 2020</span></li>
</ul></div>
<div class="most-read-box"><ul>
  <li><a href="/pop/1">Popular one</a> <span>1 June 2020</span></li>
  <li><a href="/pop/2">Popular two</a> <span>2 June 2020</span></li>
</ul></div>"""
    report = read(page(sidebar + JEKYLL.split("<main id='content'>")[1].split("</main>")[0]))
    assert titles(report) == ["Two new bird hides", "Annual report 2022", "Volunteer party"]


def test_a_single_card_fragment():
    html = (
        "<meta charset='utf-8'><div class='teaser'><h3><a href='https://club.example/news/cup'>"
        "We won the cup</a></h3><time datetime='2024-06-01'>1 June</time></div>"
    )
    report = read(html, page_url=None)
    assert titles(report) == ["We won the cup"]
    assert report.items[0].url == "https://club.example/news/cup"
    assert report.items[0].date == dt.date(2024, 6, 1)


def test_a_chromium_clipboard_fragment_with_inline_styles():
    style = 'style="color: rgb(0, 0, 0); font-family: Arial; font-size: medium;"'
    stories = "".join(
        f'<div class="story" {style}><span class="when" {style}>{day} May 2024</span>'
        f'<h4 {style}><a href="https://town.example/news/{slug}" {style}>{title}</a></h4>'
        f'<img src="https://town.example/img/{slug}.jpg" {style} alt=""></div>'
        for day, slug, title in (
            (9, "market", "The market moves"),
            (7, "bins", "New bin days"),
            (2, "library", "Library hours"),
        )
    )
    html = f"<meta charset='utf-8'><div class='list' {style}>{stories}</div>"
    report = import_text(html)  # recognised as HTML by its content
    assert report.format == "html"
    assert titles(report) == ["The market moves", "New bin days", "Library hours"]
    assert report.items[1].image_url == "https://town.example/img/bins.jpg"
    assert report.items[1].date == dt.date(2024, 5, 7)
    assert report.items[1].source == "clipboard"


def test_a_page_with_links_but_no_stories_is_refused():
    with pytest.raises(SourceError) as caught:
        read(page("<p>Welcome to our site. <a href='/about/'>About us</a></p>"))
    assert str(caught.value).startswith("page.html: has no stories: no repeated story cards")


def test_microdata_cards():
    cards = "".join(
        f'<div itemscope itemtype="https://schema.org/BlogPosting" class="entry">'
        f'<a itemprop="url" href="/blog/{slug}"><span itemprop="headline">{title}</span></a>'
        f'<meta itemprop="datePublished" content="{iso}"><p itemprop="description">{title}: '
        "notes from the volunteers' day out on the marsh.</p></div>"
        for slug, title, iso in (
            ("marsh", "A day on the marsh", "2024-04-02"),
            ("owls", "Owl boxes up", "2024-03-28"),
        )
    )
    report = read(page(f"<div class='blog'>{cards}</div>"), page_url="https://marsh.example/")
    assert titles(report) == ["A day on the marsh", "Owl boxes up"]
    assert report.items[1].date == dt.date(2024, 3, 28)
    assert report.items[1].url == "https://marsh.example/blog/owls"


def test_a_json_ld_list_of_bare_addresses_takes_titles_and_dates_from_the_cards():
    html = page(
        """
<script type="application/ld+json">{"@type": "ItemList", "itemListElement": [
  {"@type": "ListItem", "position": 1, "url": "https://port.example/news/pier"},
  {"@type": "ListItem", "position": 2, "url": "https://port.example/news/lights"}]}</script>
<div class="cards">
  <div class="c"><h3><a href="/news/pier">Pier repaired</a></h3>
    <time datetime="2024-05-09">9 May</time></div>
  <div class="c"><h3><a href="/news/lights">New harbour lights</a></h3>
    <time datetime="2024-05-01">1 May</time></div>
</div>"""
    )
    report = read(html, page_url="https://port.example/news/")
    assert titles(report) == ["Pier repaired", "New harbour lights"]
    assert [item.date for item in report.items] == [dt.date(2024, 5, 9), dt.date(2024, 5, 1)]
