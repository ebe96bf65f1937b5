"""Reading what browsers put on the clipboard: HTML, text and the page's address."""

from __future__ import annotations

import pytest

from composer.errors import SourceError
from composer.library.importers import import_clipboard, read_clipboard
from composer.library.importers.clipboard import ClipboardContent, split_cf_html

FRAGMENT = "<meta charset='utf-8'><ul><li><a href='https://example.org/a'>A</a></li></ul>"


def test_chromium_flavours():
    content = read_clipboard(
        {
            "text/html": FRAGMENT.encode(),
            "text/plain": b"A",
            "chromium/x-source-url": b"https://example.org/news/",
        }
    )
    assert content.html == FRAGMENT
    assert content.text == "A"
    assert content.source_url == "https://example.org/news/"


def test_firefox_source_url_is_utf16():
    content = read_clipboard(
        {
            "text/html": FRAGMENT.encode("utf-16"),
            "text/x-moz-url-priv": "https://example.org/news/".encode("utf-16-le"),
        }
    )
    assert content.html == FRAGMENT
    assert content.source_url == "https://example.org/news/"


def _cf_html(fragment: str, source: str) -> str:
    head = (
        "Version:0.9\r\nStartHTML:{:010d}\r\nEndHTML:{:010d}\r\n"
        "StartFragment:{:010d}\r\nEndFragment:{:010d}\r\nSourceURL:" + source + "\r\n"
    )
    size = len(head.format(0, 0, 0, 0).encode())
    body = f"<html><body><!--StartFragment-->{fragment}<!--EndFragment--></body></html>"
    total = size + len(body.encode())
    return head.format(size, total, size, total) + body


def test_windows_cf_html_gives_markup_and_source_url():
    payload = _cf_html("<p>Café news</p>", "https://example.org/actualités/")
    html, source = split_cf_html(payload)
    assert source == "https://example.org/actualités/"
    assert html.startswith("<html>") and "Café news" in html and "Version:" not in html
    content = read_clipboard(
        {'application/x-qt-windows-mime;value="HTML Format"': payload.encode("utf-8")}
    )
    assert content.source_url == "https://example.org/actualités/"
    assert "Café news" in (content.html or "")


def test_plain_html_is_not_taken_for_cf_html():
    assert split_cf_html("<p>x</p>") == ("<p>x</p>", None)


def test_unknown_and_empty_flavours_are_ignored():
    content = read_clipboard({"application/x-color": b"\x01\x02", "text/html": b""})
    assert content == ClipboardContent(None, None, None)
    assert content.empty


def test_an_empty_paste_is_refused_with_a_reason():
    with pytest.raises(SourceError, match="clipboard: is empty"):
        import_clipboard(ClipboardContent(html="  ", text="\n"))


LISTING = "Project News\nA well at the school\n3 March 2024\n\nThe village has water.\n"


def test_text_only_paste_reads_the_listing():
    report = import_clipboard(ClipboardContent(text=LISTING))
    assert [item.title for item in report.items] == ["A well at the school"]
    assert report.items[0].source == "clipboard"


def test_html_without_stories_falls_back_to_the_text_and_says_so():
    report = import_clipboard(
        ClipboardContent(html="<p>nothing here</p>", text=LISTING, source_url="https://x.org/")
    )
    assert [item.title for item in report.items] == ["A well at the school"]
    assert "plain text was read instead" in report.warnings[0]


def test_a_saved_cf_html_payload_is_recognised_whatever_its_name(tmp_path):
    from composer.library.importers import import_source

    fragment = (
        "<ul><li><a href='/news/pier'>New pier opens</a> <time datetime='2024-03-04'>4 March"
        "</time></li><li><a href='/news/ferry'>Ferry timetable</a> <time datetime='2024-03-01'>"
        "1 March</time></li></ul>"
    )
    path = tmp_path / "clip.txt"
    path.write_text(_cf_html(fragment, "https://harbour.example/news/"), encoding="utf-8")
    report = import_source(path)
    assert report.format == "html"
    assert [item.url for item in report.items] == [
        "https://harbour.example/news/pier",
        "https://harbour.example/news/ferry",
    ]
