"""The feed importer: RSS 2.0 and Atom files written by the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer.errors import SourceError
from composer.library.importers import import_source, import_text
from composer.library.importers.feed import html_to_text, parse_feed

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
<channel>
  <title>OCRC news</title><link>https://example.org/</link><description>News</description>
  <item>
    <title>WELLSPRING Project: Scoping Visit to Vostrana</title>
    <link>https://example.org/news/wellspring?utm_source=rss</link>
    <description>&lt;p&gt;From 7&amp;ndash;12 November &amp;amp; after.&lt;/p&gt;
      &lt;script&gt;alert("x")&lt;/script&gt;
      &lt;p&gt;Second &lt;b&gt;paragraph&lt;/b&gt;.&lt;br&gt;Same one.&lt;/p&gt;</description>
    <pubDate>Tue, 31 Jan 2023 00:30:00 +0200</pubDate>
    <category>Project News</category>
    <category>Vostrana</category>
    <category>Water</category>
    <media:content url="https://example.org/img/wellspring.jpg" medium="image"/>
  </item>
  <item>
    <title>Rural Water Forecast 2023</title>
    <link>https://example.org/news/forecast</link>
    <description>Plain text teaser &amp; more.</description>
    <pubDate>Wed, 18 Jan 2023 10:00:00 GMT</pubDate>
    <media:thumbnail url="https://example.org/img/forecast-thumb.jpg"/>
  </item>
  <item>
    <title>No date at all</title>
    <link>https://example.org/news/nodate</link>
  </item>
  <item>
    <title>Sneaky link</title>
    <link>javascript:alert(document.cookie)</link>
    <pubDate>Fri, 13 Jan 2023 08:00:00 GMT</pubDate>
    <category>Expert Voice</category>
    <enclosure url="https://example.org/img/crypto.png" type="image/png" length="100"/>
  </item>
  <item>
    <description>An entry with no title</description>
    <pubDate>Fri, 13 Jan 2023 08:00:00 GMT</pubDate>
  </item>
  <item>
    <title>Garbled date</title>
    <pubDate>sometime soon</pubDate>
  </item>
  <item>
    <title>Image over ftp only</title>
    <pubDate>Mon, 09 Jan 2023 08:00:00 GMT</pubDate>
    <media:content url="ftp://example.org/img.jpg" medium="image"/>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
  <title>Atom news</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <updated>2023-01-31T12:00:00Z</updated>
  <entry>
    <title type="html">&lt;i&gt;Kürnavia&lt;/i&gt; becomes host country to an OCRC office</title>
    <id>urn:uuid:1</id>
    <link rel="alternate" href="https://example.org/news/hosting"/>
    <link rel="enclosure" type="image/jpeg" href="https://example.org/img/hosting.jpg"/>
    <published>2022-12-22T23:30:00-05:00</published>
    <updated>2022-12-23T10:00:00Z</updated>
    <category term="In Focus"/>
    <category term="Kürnavia"/>
    <summary type="html">&lt;p&gt;On 21&amp;nbsp;December 2022 in Halvenport.&lt;/p&gt;
      &lt;style&gt;p {color: red}&lt;/style&gt;</summary>
    <content type="html">&lt;p&gt;The full text.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Only updated, content but no summary</title>
    <id>urn:uuid:2</id>
    <link href="/news/relative"/>
    <updated>2022-12-21T09:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>Para one.</p><p>Para two.</p></div></content>
  </entry>
</feed>
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rss_file(tmp_path):
    report = import_source(write(tmp_path, "feed.xml", RSS))
    assert report.format == "rss"
    titles = [item.title for item in report.items]
    assert titles == [
        "WELLSPRING Project: Scoping Visit to Vostrana",
        "Rural Water Forecast 2023",
        "Sneaky link",
        "Image over ftp only",
    ]
    wellspring, forecast, sneaky, ftp = report.items
    assert wellspring.category == "Project News"
    assert wellspring.tags == ("Vostrana", "Water")
    # The day as the publisher wrote it, not shifted to UTC (it would be 30 January).
    assert wellspring.date.isoformat() == "2023-01-31"
    assert wellspring.url == "https://example.org/news/wellspring?utm_source=rss"
    assert wellspring.image_url == "https://example.org/img/wellspring.jpg"
    assert wellspring.summary == "From 7–12 November & after.\n\nSecond paragraph. Same one."
    assert "alert" not in wellspring.summary and "<" not in wellspring.summary
    assert wellspring.source == "feed.xml"
    assert forecast.category == "News"
    assert forecast.summary == "Plain text teaser & more."
    assert forecast.image_url == "https://example.org/img/forecast-thumb.jpg"
    assert sneaky.url is None
    assert sneaky.category == "Expert Voice"
    assert sneaky.image_url == "https://example.org/img/crypto.png"
    assert ftp.image_url is None
    assert [str(r) for r in report.rejected] == [
        "entry 3: has no date (neither published nor updated)",
        "entry 5: has no title",
        "entry 6: published date 'sometime soon' is not a date we can read",
    ]
    assert report.warnings == [
        "entry 4: link 'javascript:alert(document.cookie)' is not an http(s) address; "
        "it was dropped"
    ]


def test_atom_file(tmp_path):
    report = import_source(write(tmp_path, "news.atom", ATOM), default_category="Updates")
    assert report.format == "rss"
    assert report.rejected == []
    hosting, relative = report.items
    assert hosting.title == "Kürnavia becomes host country to an OCRC office"
    assert hosting.category == "In Focus"
    assert hosting.tags == ("Kürnavia",)
    assert hosting.date.isoformat() == "2022-12-22"  # published wins over updated
    assert hosting.url == "https://example.org/news/hosting"
    assert hosting.image_url == "https://example.org/img/hosting.jpg"
    assert hosting.summary == "On 21 December 2022 in Halvenport."
    assert relative.category == "Updates"
    assert relative.date.isoformat() == "2022-12-21"
    assert relative.summary == "Para one.\n\nPara two."
    # A relative link cannot be resolved in a file with no address: dropped with a warning.
    assert relative.url is None
    assert report.warnings == [
        "entry 2: link '/news/relative' is not an http(s) address; it was dropped"
    ]


def test_relative_links_resolve_against_the_feed_address():
    report = parse_feed(
        ATOM.encode("utf-8"),
        source="https://example.org/feeds/atom",
        base_url="https://example.org/feeds/atom",
    )
    assert report.items[1].url == "https://example.org/news/relative"
    assert report.warnings == []


def test_feed_detected_by_content_with_unknown_extension(tmp_path):
    report = import_source(write(tmp_path, "download.dat", RSS))
    assert report.format == "rss"
    assert len(report.items) == 4


def test_pasted_feed_text():
    report = import_text(ATOM)
    assert report.format == "rss"
    assert report.items[0].title == "Kürnavia becomes host country to an OCRC office"
    assert report.items[0].source == "clipboard"


def test_latin1_declared_feed(tmp_path):
    text = RSS.replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace(
        "Rural Water Forecast 2023", "Rural Water Forecast à 2023"
    )
    text = text.replace("&amp;ndash;", "-").replace("Kürnavia", "Kurnavia")
    path = tmp_path / "latin.rss"
    path.write_bytes(text.encode("iso-8859-1"))
    report = import_source(path)
    assert report.items[1].title == "Rural Water Forecast à 2023"


def test_same_entry_twice_is_kept_once(tmp_path):
    item = (
        "<item><title>Twice</title><link>https://example.org/twice</link>"
        "<pubDate>Tue, 31 Jan 2023 10:00:00 GMT</pubDate></item>"
    )
    text = f'<rss version="2.0"><channel><title>x</title>{item}{item}</channel></rss>'
    report = import_text(text)
    assert len(report.items) == 1
    assert report.warnings == ["entry 2: 'Twice' is the same story as entry 1; kept once"]


def test_not_a_feed(tmp_path):
    path = write(tmp_path, "notes.xml", "<notes><note>hello</note></notes>")
    with pytest.raises(SourceError) as caught:
        import_source(path)
    assert str(caught.value).startswith(f"{path}: is not an RSS or Atom feed")


def test_broken_xml_is_not_a_feed(tmp_path):
    path = write(tmp_path, "broken.rss", "this is <not xml at all")
    with pytest.raises(SourceError, match="is not an RSS or Atom feed"):
        import_source(path)


def test_a_web_page_is_not_a_feed(tmp_path):
    page = "<!DOCTYPE html><html><head><title>News</title></head><body><p>Hi</p></body></html>"
    with pytest.raises(SourceError, match="is a web page, not an RSS or Atom feed"):
        import_source(write(tmp_path, "page.xml", page))


def test_a_feed_without_entries(tmp_path):
    text = '<rss version="2.0"><channel><title>Empty</title></channel></rss>'
    with pytest.raises(SourceError, match="is a feed with no entries"):
        import_source(write(tmp_path, "empty.rss", text))


def test_malformed_feed_still_read_with_a_warning():
    text = (
        '<rss version="2.0"><channel><title>x</title><item><title>Loose &nbsp; entity</title>'
        "<pubDate>Tue, 31 Jan 2023 10:00:00 GMT</pubDate></item></channel></rss>"
    )
    report = import_text(text, format="rss")
    assert [item.title for item in report.items] == ["Loose entity"]
    assert len(report.warnings) == 1
    assert report.warnings[0].startswith("the feed is not well-formed")


def test_html_to_text():
    assert html_to_text("<p>One &amp; two</p><p>Three<br/>four</p>") == "One & two\n\nThree four"
    assert html_to_text("<script>alert(1)</script>Safe") == "Safe"
    assert html_to_text("<ul><li>a</li><li>b</li></ul>") == "a\n\nb"
    # Double-escaped markup is cleaned too: never kept as markup.
    assert html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;Safe") == "Safe"
    assert html_to_text("&lt;b&gt;bold&lt;/b&gt; text") == "bold text"
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text("") == ""


WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Riverside Trust</title><link>https://riverside.example</link>
<item><title>Otters are back</title><link>https://riverside.example/otters/</link>
<pubDate>Mon, 04 Mar 2024 10:00:00 +0000</pubDate>
<wp:post_type><![CDATA[post]]></wp:post_type><wp:status><![CDATA[publish]]></wp:status></item>
<item><title>otter-1024x683</title><link>https://riverside.example/otter-photo/</link>
<pubDate>Mon, 04 Mar 2024 10:00:00 +0000</pubDate>
<wp:post_type><![CDATA[attachment]]></wp:post_type><wp:status><![CDATA[inherit]]></wp:status></item>
<item><title>Contact us</title><link>https://riverside.example/contact/</link>
<pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>
<wp:post_type><![CDATA[page]]></wp:post_type><wp:status><![CDATA[publish]]></wp:status></item>
<item><title>Draft: not yet</title><link>https://riverside.example/?p=9</link>
<pubDate>Mon, 30 Nov -0001 00:00:00 +0000</pubDate>
<wp:post_type><![CDATA[post]]></wp:post_type><wp:status><![CDATA[draft]]></wp:status></item>
</channel></rss>
"""


def test_a_wordpress_export_gives_its_published_posts_only():
    report = import_text(WXR, format="rss")
    assert [item.title for item in report.items] == ["Otters are back"]
    assert report.rejected == []
    assert sorted(report.warnings) == [
        "1 attachment of the WordPress export was skipped: only published posts are news",
        "1 draft post of the WordPress export was skipped: only published posts are news",
        "1 page of the WordPress export was skipped: only published posts are news",
    ]
