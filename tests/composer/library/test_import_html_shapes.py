"""More listing shapes: where the date is, numbers-only dates, and pages that are not lists.

All pages are invented; each follows a kind of markup met on real sites (a Joomla
category table inside its form, dates written above each heading, a day heading over
its stories, US-style ``05.19.15`` dates, permalinks with the date in the path).
"""

from __future__ import annotations

import datetime as dt

from composer.library.importers.html_page import parse_html

BASE = "https://www.riverside-council.example/news/"


def read(html: str, **kwargs):
    return parse_html(html, source="page.html", page_url=BASE, **kwargs)


def doc(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>News</title>{head}</head><body>{body}</body></html>"


def titles(report) -> list[str]:
    return [item.title for item in report.items]


def test_a_category_table_inside_a_form():
    rows = "".join(
        f'<tr class="cat-list-row{n % 2}"><td class="list-title"><a href="/index.php/news/{n}-x">'
        f"Council notice {n}</a></td><td class='list-date small'>March {n}, 2015</td></tr>"
        for n in (9, 8, 7)
    )
    html = doc(
        '<form action="/index.php/news" method="post" name="adminForm" id="adminForm">'
        '<fieldset class="filters"><select name="limit"><option>10</option></select></fieldset>'
        f'<table class="category"><tbody>{rows}</tbody></table></form>'
    )
    report = read(html)
    assert titles(report) == ["Council notice 9", "Council notice 8", "Council notice 7"]
    assert report.items[0].date == dt.date(2015, 3, 9)
    assert report.items[0].url == "https://www.riverside-council.example/index.php/news/9-x"


def test_dates_written_above_their_headings_go_with_the_story_below():
    stories = "".join(
        f'<span class="date">{date}</span><h2 class="title"><a href="/news/{slug}">{title}</a></h2>'
        f'<p class="summary">{title} was discussed at length. <a href="/news/{slug}">Continue '
        "Reading</a></p><hr>"
        for date, slug, title in (
            ("05.19.15", "bridge", "Bridge repairs start"),
            ("05.18.15", "budget", "Budget approved"),
            ("05.12.15", "parks", "Parks open later"),
        )
    )
    report = read(doc(f'<div id="newscontent"><div id="press">{stories}</div></div>'))
    assert titles(report) == ["Bridge repairs start", "Budget approved", "Parks open later"]
    # 19 and 18 cannot be months: the page's dates are month-day-year, all of them.
    assert [item.date for item in report.items] == [
        dt.date(2015, 5, 19),
        dt.date(2015, 5, 18),
        dt.date(2015, 5, 12),
    ]
    assert report.date_order == "mdy"
    assert report.items[0].summary == "Bridge repairs start was discussed at length."


NUMERIC = """
<ul class="news">
  <li><a href="/n/a">Story A</a> <span class="date">03/04/2024</span></li>
  <li><a href="/n/b">Story B</a> <span class="date">02/04/2024</span></li>
  <li><a href="/n/c">Story C</a> <span class="date">01/04/2024</span></li>
</ul>
"""


def test_ambiguous_numeric_dates_are_rejected_until_an_order_is_given():
    report = read(doc(NUMERIC))
    assert report.items == []
    assert report.date_order_needed
    assert len(report.rejected) == 3
    assert report.rejected[0].reason.startswith(
        "the date '03/04/2024' of 'Story A' may be day-month or month-day"
    )
    assert "--date-order" in report.rejected[0].reason
    by_dmy = read(doc(NUMERIC), date_order="dmy")
    assert [item.date for item in by_dmy.items] == [
        dt.date(2024, 4, 3),
        dt.date(2024, 4, 2),
        dt.date(2024, 4, 1),
    ]
    by_mdy = read(doc(NUMERIC), date_order="mdy")
    assert by_mdy.items[0].date == dt.date(2024, 3, 4)
    assert by_mdy.date_order == "mdy"


def test_one_telling_date_decides_the_order_for_the_page():
    html = doc(NUMERIC.replace("01/04/2024", "25/03/2024"))
    report = read(html)
    assert report.date_order == "dmy"
    assert [item.date for item in report.items] == [
        dt.date(2024, 4, 3),
        dt.date(2024, 4, 2),
        dt.date(2024, 3, 25),
    ]


def test_a_day_heading_dates_the_stories_under_it():
    html = doc(
        "<div class='day'><h2>Friday, March 29, 2013</h2><ul id='updates'>"
        "<li><a href='https://a.example/1'><img src='/i/a.jpg' width='40' alt=''>Road closure "
        "on Mill Lane</a></li>"
        "<li><a href='https://b.example/2'>New recycling rules</a></li>"
        "<li><a href='https://c.example/3'>Library summer hours</a></li></ul></div>"
    )
    report = read(html)
    assert titles(report) == [
        "Road closure on Mill Lane",
        "New recycling rules",
        "Library summer hours",
    ]
    assert {item.date for item in report.items} == {dt.date(2013, 3, 29)}


def test_a_permalink_date_is_the_last_resort():
    cards = "".join(
        f"<li class='story'><a href='/2022/01/{day}/town/{slug}.html'><h3>{title}</h3></a>"
        f"<p>{title}: what the council decided, and what it means for residents.</p></li>"
        for day, slug, title in (("25", "snow", "Snow plan"), ("24", "bus", "Bus lanes"))
    )
    cards += (
        "<li class='story'><a href='/town/undated.html'><h3>Undated</h3></a>"
        "<p>No date in the link, none on the page either, only text.</p></li>"
    )
    report = read(doc(f"<ol class='stories'>{cards}</ol>"))
    assert titles(report) == ["Snow plan", "Bus lanes"]
    assert report.items[0].date == dt.date(2022, 1, 25)
    assert report.rejected[0].reason == "no date found near 'Undated'"


def test_wrapper_class_names_that_mention_a_sidebar_are_not_sidebars():
    stories = "".join(
        f"<article class='entry'><h2 class='entry-title'><a href='/news/{n}'>Story {n}</a></h2>"
        f"<time datetime='2024-01-0{n}'>{n} January</time></article>"
        for n in (3, 2, 1)
    )
    html = (
        "<html><head><title>News</title></head><body class='one-sidebar sidebar-first'>"
        "<div class='site-inner'><div class='content-sidebar-wrap'>"
        f"<main class='content'>{stories}</main>"
        "<aside class='sidebar'><ul><li><a href='/x'>Elsewhere</a> 1 May 2020</li>"
        "<li><a href='/y'>Elsewhere too</a> 2 May 2020</li></ul></aside>"
        "</div></div></body></html>"
    )
    report = read(html)
    assert titles(report) == ["Story 3", "Story 2", "Story 1"]


def test_blog_comments_are_not_stories():
    comments = "".join(
        f"<li class='comment'><div class='comment-author'><a href='https://people.example/{n}'>"
        f"Reader {n}</a></div><time datetime='2024-02-0{n}'>{n} Feb</time><p>Nice post, thanks "
        "for writing it up in such detail!</p></li>"
        for n in (1, 2, 3, 4)
    )
    html = doc(
        "<h1>Spring planting</h1><article><p>"
        + "We planted trees along the river. " * 60
        + f"</p></article><ol class='comment-list'>{comments}</ol>",
        head="<meta property='og:title' content='Spring planting'>"
        "<meta property='article:published_time' content='2024-01-30'>",
    )
    report = read(html)
    assert report.format == "article"
    assert titles(report) == ["Spring planting"]
    assert report.items[0].date == dt.date(2024, 1, 30)


def test_an_article_with_dated_links_in_its_text_is_one_story():
    paragraphs = "".join(
        f"<p>On {day} March 2024 the <a href='https://other.example/{day}'>committee</a> met "
        "again to discuss the river, the bridge and the long list of repairs still waiting. "
        * 4
        + "</p>"
        for day in (1, 8, 15, 22)
    )
    html = doc(
        f"<h1>A month of meetings</h1><div class='story'>{paragraphs}</div>"
        "<p class='byline'>Published 29 March 2024</p>"
    )
    report = read(html)
    assert report.format == "article"
    assert titles(report) == ["A month of meetings"]
    assert report.items[0].date == dt.date(2024, 3, 29)


def test_related_stories_under_an_article_do_not_make_it_a_listing():
    related = "".join(
        f"<div class='teaser'><h3><a href='/news/old-{n}'>Older story {n}</a></h3>"
        f"<span class='date'>{n} June 2023</span></div>"
        for n in (1, 2, 3)
    )
    html = doc(
        f"<article><h1>Flood defences finished</h1><p>{'The wall is done. ' * 30}</p></article>"
        f"<section class='more-news'>{related}</section>",
        head="<meta property='og:type' content='article'>"
        "<meta property='og:title' content='Flood defences finished'>"
        "<meta property='article:published_time' content='2024-06-30T10:00:00Z'>",
    )
    report = read(html)
    assert report.format == "article"
    assert titles(report) == ["Flood defences finished"]


def test_a_page_listing_many_dated_stories_is_a_listing_even_if_it_says_article():
    cards = "".join(
        f"<div class='teaser'><h3><a href='/news/s-{n}'>Story {n}</a></h3>"
        f"<span class='date'>{n} June 2023</span></div>"
        for n in range(1, 9)
    )
    html = doc(
        f"<h1>News</h1><div class='view-content'>{cards}</div>",
        head="<meta property='og:type' content='article'>",  # a CMS default on every page
    )
    report = read(html)
    assert report.format == "html"
    assert len(report.items) == 8


def test_link_texts_that_are_addresses_or_read_more_are_not_titles():
    html = doc(
        "<ul class='list'>"
        "<li><h3>Harbour works</h3><a href='/n/harbour'>Read more</a> 3 May 2024</li>"
        "<li><h3>Ferry fares</h3><a href='/n/ferry'>Read more</a> 2 May 2024</li>"
        "<li><a href='/n/www'>www.example.org/n/www</a> 1 May 2024</li>"
        "</ul>"
    )
    report = read(html)
    assert titles(report) == ["Harbour works", "Ferry fares"]
    assert report.items[0].url == "https://www.riverside-council.example/n/harbour"


def test_a_date_inside_the_heading_is_not_part_of_the_title():
    html = doc(
        "<div class='items'>"
        "<div class='item'><h3><a href='/n/1'>Choir concert</a> <small class='date'>3 May 2024"
        "</small></h3></div>"
        "<div class='item'><h3><a href='/n/2'>Town fair</a> <small class='date'>1 May 2024"
        "</small></h3></div></div>"
    )
    report = read(html)
    assert titles(report) == ["Choir concert", "Town fair"]
    assert report.items[0].date == dt.date(2024, 5, 3)


def test_a_background_image_thumbnail_and_a_category_link():
    cards = "".join(
        f"<div class='tile'><div class='thumb' style=\"background-image: url('/img/{n}.jpg')\">"
        f"</div><a class='kicker' href='/topics/{topic.lower()}/'>{topic}</a>"
        f"<h4><a href='/n/{n}'>Tile story {n}</a></h4><p class='meta'>{n} April 2024</p></div>"
        for n, topic in ((4, "Housing"), (2, "Transport"))
    )
    report = read(doc(f"<div class='tiles'>{cards}</div>"))
    assert [item.image_url for item in report.items] == [
        "https://www.riverside-council.example/img/4.jpg",
        "https://www.riverside-council.example/img/2.jpg",
    ]
    assert [item.category for item in report.items] == ["Housing", "Transport"]


def test_full_posts_with_many_links_each_are_still_one_story_each():
    links = " ".join(f"<a href='https://ref.example/{n}'>source {n}</a>" for n in range(20))
    posts = "".join(
        f"<div class='date-outer'><h2 class='date-header'><span>{day}</span></h2>"
        f"<div class='date-posts'><div class='post-outer'><div class='post'>"
        f"<h3 class='post-title'><a href='/2024/03/{slug}.html'>{title}</a></h3>"
        f"<div class='post-body'><p>{title}, with all our sources: {links}.</p></div>"
        "</div></div></div></div>"
        for day, slug, title in (
            ("Tuesday, March 5, 2024", "kayaks", "New kayaks for the club"),
            ("Friday, March 1, 2024", "agm", "Minutes of the AGM"),
        )
    )
    report = read(doc(f"<div class='blog-posts'>{posts}</div>"))
    assert titles(report) == ["New kayaks for the club", "Minutes of the AGM"]
    assert [item.date for item in report.items] == [dt.date(2024, 3, 5), dt.date(2024, 3, 1)]


def test_a_definition_list_of_dates_and_titles():
    html = doc(
        "<dl class='news'>"
        "<dt>12 February 2024</dt><dd><a href='/n/road'>Road works on the high street</a></dd>"
        "<dt>2 February 2024</dt><dd><a href='/n/pool'>The pool reopens</a></dd>"
        "<dd class='teaser'>With a new sauna and longer hours at weekends for families.</dd>"
        "</dl>"
    )
    report = read(html)
    assert titles(report) == ["Road works on the high street", "The pool reopens"]
    assert report.items[1].date == dt.date(2024, 2, 2)
    assert report.items[1].summary.startswith("With a new sauna")


def test_ghost_and_squarespace_like_cards():
    ghost = "".join(
        f"<article class='post-card'><a class='post-card-image-link' href='/{slug}/'>"
        f"<img class='post-card-image' srcset='/content/{slug}-300.jpg 300w, "
        f"/content/{slug}-600.jpg 600w' src='/content/{slug}-600.jpg' alt=''></a>"
        f"<div class='post-card-content'><a class='post-card-content-link' href='/{slug}/'>"
        f"<header class='post-card-header'><h2 class='post-card-title'>{title}</h2></header>"
        f"<section class='post-card-excerpt'><p>{title} and more.</p></section></a>"
        f"<footer class='post-card-meta'><time class='post-card-meta-date' "
        f"datetime='{iso}'>{iso}</time></footer></div></article>"
        for slug, title, iso in (
            ("trail", "The coastal trail", "2024-02-10"),
            ("boats", "Boats in winter", "2024-01-20"),
        )
    )
    report = read(doc(f"<main class='site-main'><div class='post-feed'>{ghost}</div></main>"))
    assert titles(report) == ["The coastal trail", "Boats in winter"]
    assert report.items[0].url == "https://www.riverside-council.example/trail/"
    assert (
        report.items[0].image_url == "https://www.riverside-council.example/content/trail-600.jpg"
    )
    squarespace = "".join(
        f"<article class='BlogList-item'><a href='/blog/{slug}' class='BlogList-item-image-link'>"
        f"<img data-src='https://images.example/{slug}.jpg' alt=''></a>"
        f"<a href='/blog/{slug}' class='BlogList-item-title'>{title}</a>"
        f"<div class='Blog-meta'><time class='Blog-meta-item--date'>{when}</time></div></article>"
        for slug, title, when in (
            ("spring", "Spring opening times", "March 3, 2024"),
            ("winter", "Winter storm damage", "January 9, 2024"),
        )
    )
    report = read(doc(f"<div class='BlogList'>{squarespace}</div>"))
    assert titles(report) == ["Spring opening times", "Winter storm damage"]
    assert report.items[1].date == dt.date(2024, 1, 9)
    assert report.items[1].image_url == "https://images.example/winter.jpg"


def test_an_article_with_a_rail_of_latest_stories_is_the_article():
    rail = "".join(
        f"<li><a href='/news/latest-{n}'>Latest story number {n}</a>"
        f"<time datetime='2024-06-{n:02d}'>{n} June</time></li>"
        for n in range(1, 11)
    )
    body = "<p>" + "The new bridge opened to walkers and cyclists this morning. " * 40 + "</p>"
    html = doc(
        f"<div class='latest-news'><ul>{rail}</ul></div>"
        f"<div class='story'><h1>The bridge opens</h1>{body}</div>",
        head='<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"The bridge opens", "datePublished": "2024-06-20T09:00:00Z"}</script>',
    )
    report = read(html)
    assert report.format == "article"
    assert titles(report) == ["The bridge opens"]
    assert report.items[0].date == dt.date(2024, 6, 20)


def test_arabic_dates_written_in_arabic_indic_digits():
    cards = "".join(
        f"<article><h3><a href='/ar/news/{slug}/'>{title}</a></h3><div class='meta'>{when}</div>"
        "</article>"
        for slug, title, when in (
            ("training", "التسجيل مفتوح للتدريب", "٧ يونيو ٢٠٢٤"),
            ("launch", "إطلاق الموقع الجديد", "٢٧ مارس ٢٠٢٤"),
        )
    )
    report = read(doc(f"<section class='list'>{cards}</section>"))
    assert [item.date for item in report.items] == [dt.date(2024, 6, 7), dt.date(2024, 3, 27)]
    assert report.items[0].url == "https://www.riverside-council.example/ar/news/training/"


def test_an_archive_split_into_months_gives_every_month_s_stories():
    months = "".join(
        f"<h2>{month} 2024</h2><ul class='archive'>"
        + "".join(
            f"<li><a href='/news/{month.lower()}-{day}'>{month} story {day}</a> "
            f"<span class='date'>{day} {month} 2024</span></li>"
            for day in (20, 10)
        )
        + "</ul>"
        for month in ("March", "February", "January")
    )
    report = read(doc(f"<div class='archive-page'>{months}</div>"))
    assert titles(report) == [
        "March story 20",
        "March story 10",
        "February story 20",
        "February story 10",
        "January story 20",
        "January story 10",
    ]


def test_day_sections_date_their_own_stories():
    days = "".join(
        f"<h3>{day} May 2024</h3><ul class='day'>"
        + "".join(
            f"<li><a href='https://src.example/{day}/{n}'>Update {day}.{n}</a></li>" for n in (1, 2)
        )
        + "</ul>"
        for day in (9, 8)
    )
    report = read(doc(f"<div class='updates'>{days}</div>"))
    assert [(item.title, item.date) for item in report.items] == [
        ("Update 9.1", dt.date(2024, 5, 9)),
        ("Update 9.2", dt.date(2024, 5, 9)),
        ("Update 8.1", dt.date(2024, 5, 8)),
        ("Update 8.2", dt.date(2024, 5, 8)),
    ]


def test_day_sections_holding_several_posts_each():
    def post(slug, title):
        return (
            f"<div class='post-outer'><h3 class='post-title'><a href='/2024/05/{slug}.html'>"
            f"{title}</a></h3><div class='post-body'><p>{title}, in full.</p></div></div>"
        )

    days = (
        "<div class='date-outer'><h2 class='date-header'><span>Thursday, May 9, 2024</span></h2>"
        f"<div class='date-posts'>{post('a', 'Post A')}{post('b', 'Post B')}</div></div>"
        "<div class='date-outer'><h2 class='date-header'><span>Monday, May 6, 2024</span></h2>"
        f"<div class='date-posts'>{post('c', 'Post C')}{post('d', 'Post D')}</div></div>"
    )
    report = read(doc(f"<div class='blog-posts'>{days}</div>"))
    assert [(item.title, item.date.day) for item in report.items] == [
        ("Post A", 9),
        ("Post B", 9),
        ("Post C", 6),
        ("Post D", 6),
    ]


def test_a_title_that_links_nowhere_takes_the_link_its_picture_and_read_more_share():
    cards = "".join(
        f"<div class='news-item'><a href='/news/{n}'><img src='/i/{n}.jpg' alt=''></a>"
        "<span class='category'><a href='/category/press'>Press</a></span>"
        f"<h2>Headline number {n}</h2><span class='date'>{n} May 2024</span>"
        f"<p>Teaser {n}, long enough to be the teaser of the story.</p>"
        f"<a href='/news/{n}'>Read more</a></div>"
        for n in (3, 2, 1)
    )
    report = read(doc(f"<div class='list'>{cards}</div>"))
    assert titles(report) == ["Headline number 3", "Headline number 2", "Headline number 1"]
    assert report.items[0].url == "https://www.riverside-council.example/news/3"
    assert report.items[0].category == "Press"
    assert report.items[0].image_url == "https://www.riverside-council.example/i/3.jpg"


def test_a_date_or_a_label_before_the_link_is_not_prose():
    bold = "".join(
        f"<p><strong>{d} March 2024</strong><br><a href='/n/{d}'>Notice {d}</a></p>" for d in (3, 2)
    )
    labelled = "".join(
        f"<p>Press release: <a href='/p/{d}'>Release {d}</a> ({d} March 2024)</p>" for d in (3, 2)
    )
    dashed = "".join(f"<li>{d} March 2024 - <a href='/m/{d}'>Minutes {d}</a></li>" for d in (3, 2))
    for body, expected in (
        (bold, ["Notice 3", "Notice 2"]),
        (labelled, ["Release 3", "Release 2"]),
        (f"<ul>{dashed}</ul>", ["Minutes 3", "Minutes 2"]),
    ):
        report = read(doc(f"<div class='content'>{body}</div>"))
        assert titles(report) == expected
        assert report.items[0].date == dt.date(2024, 3, 3)


def test_a_link_that_wraps_the_whole_teaser():
    cards = "".join(
        f"<a class='teaser' href='/t/{d}'><img src='/i/{d}.jpg' alt=''><strong>Story {d}</strong>"
        f"<p>The teaser of story {d}, long enough to be read as one.</p>"
        f"<span>{d}/12/2023</span></a>"
        for d in (14, 13)
    )
    report = read(doc(f"<div class='teasers'>{cards}</div>"))
    assert titles(report) == ["Story 14", "Story 13"]
    assert report.items[0].date == dt.date(2023, 12, 14)
    assert report.items[0].summary.startswith("The teaser of story 14")


def test_relative_dates_are_rejected_saying_what_was_shown():
    cards = "".join(
        f"<div class='item'><h3><a href='/r/{n}'>Story {n}</a></h3><span class='date'>{n} hours ago"
        "</span></div>"
        for n in (3, 5, 8)
    )
    report = read(doc(f"<div class='stream'>{cards}</div>"))
    assert report.items == []
    assert report.rejected[0].reason == "'Story 3' has no full publication date ('3 hours ago')"
    assert len(report.rejected) == 3


def test_links_one_a_line_with_their_dates_after_them():
    html = doc(
        "<div class='content'><p><a href='/a'>Title one</a> (3 May 2024)<br>"
        "<a href='/b'>Title two</a> (2 May 2024)<br>"
        "<a href='/c'>Title three</a> <small>1 May 2024</small><br></p></div>"
    )
    report = read(html)
    assert [(item.title, item.date.day) for item in report.items] == [
        ("Title one", 3),
        ("Title two", 2),
        ("Title three", 1),
    ]


def test_a_machine_date_in_a_title_attribute_and_a_card_wide_link():
    papermod = "".join(
        f"<article class='post-entry'><header class='entry-header'><h2>Post {d}</h2></header>"
        f"<div class='entry-content'><p>Summary of post {d}, long enough to be one.</p></div>"
        f"<footer class='entry-footer'><span title='2024-03-0{d} 00:00:00 +0000 UTC'>"
        f"{d} min read</span></footer>"
        f"<a class='entry-link' aria-label='post link to Post {d}' href='/posts/p{d}/'></a>"
        "</article>"
        for d in (3, 2)
    )
    report = read(doc(f"<main class='main'>{papermod}</main>"))
    assert titles(report) == ["Post 3", "Post 2"]
    assert report.items[0].url == "https://www.riverside-council.example/posts/p3/"
    assert report.items[0].date == dt.date(2024, 3, 3)
    blogger = "".join(
        f"<div class='post-outer'><h3 class='post-title'><a href='/2024/03/b{d}.html'>Blog {d}</a>"
        f"</h3><div class='post-footer'>at <abbr class='published' "
        f"title='2024-03-0{d}T10:00:00+01:00'>10:00</abbr></div></div>"
        for d in (3, 2)
    )
    report = read(doc(f"<div class='blog-posts'>{blogger}</div>"))
    assert [item.date for item in report.items] == [dt.date(2024, 3, 3), dt.date(2024, 3, 2)]


def test_hidden_copies_of_the_list_are_not_read_twice():
    cards = "".join(
        f"<li><a href='/n/{d}'>Story {d}</a> <time datetime='2024-05-0{d}'>{d} May</time></li>"
        for d in (3, 2)
    )
    html = doc(
        f"<div class='list'><ul>{cards}</ul></div>"
        f"<div class='list' style='display: none'><ul>{cards}</ul></div>"
        f"<div class='list' hidden><ul>{cards}</ul></div>"
    )
    report = read(html)
    assert titles(report) == ["Story 3", "Story 2"]
    assert report.warnings == []
