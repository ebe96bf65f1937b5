"""Bad input for every importer: each gets a clear error naming the source and what is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from composer.errors import SourceError, ValidationError
from composer.library.importers import FORMATS, MAX_SOURCE_BYTES, import_source, import_text
from composer.library.importers.detect import format_from_name, sniff_format

EXTENSIONS = {"listing": "txt", "html": "html", "rss": "xml", "csv": "csv", "json": "json"}


def source_error(source, **kwargs) -> str:
    with pytest.raises(SourceError) as caught:
        import_source(source, **kwargs)
    message = str(caught.value)
    assert message.startswith(f"{source}: ")
    return message


def test_formats():
    assert FORMATS == ("listing", "html", "rss", "csv", "json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_file(tmp_path, fmt):
    path = tmp_path / f"nowhere.{EXTENSIONS[fmt]}"
    assert source_error(path) == f"{path}: no such file"


def test_a_folder_is_not_a_file(tmp_path):
    assert source_error(tmp_path) == f"{tmp_path}: is a folder, not a file"


@pytest.mark.parametrize("fmt", FORMATS)
def test_binary_junk_is_not_a_text_file(tmp_path, fmt):
    path = tmp_path / f"junk.{EXTENSIONS[fmt]}"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20)
    assert "is not a text file" in source_error(path)


@pytest.mark.parametrize("fmt", ["listing", "html", "csv", "json"])
def test_control_character_soup_is_not_a_text_file(tmp_path, fmt):
    path = tmp_path / f"junk.{EXTENSIONS[fmt]}"
    path.write_bytes(bytes(range(1, 32)) * 40)
    assert "is not a text file" in source_error(path)


def test_undecodable_bytes_are_not_text(tmp_path):
    # 0x81 and 0x8d are neither UTF-8 nor Windows-1252.
    path = tmp_path / "junk.txt"
    path.write_bytes(b"\x81\x8d\x81\x8d title")
    assert "is not a text file" in source_error(path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_huge_file_is_refused_by_its_size_before_reading(tmp_path, fmt):
    path = tmp_path / f"huge.{EXTENSIONS[fmt]}"
    with path.open("wb") as handle:  # sparse: nothing is really written
        handle.truncate(MAX_SOURCE_BYTES + 1)
    message = source_error(path)
    assert "the limit is 20 MB" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_not_read(tmp_path):
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    assert source_error(path) == f"{path}: is not a regular file"


def test_huge_pasted_text_is_refused():
    with pytest.raises(SourceError, match="the limit is 20 MB"):
        import_text("x" * (MAX_SOURCE_BYTES + 1))


@pytest.mark.parametrize(
    ("fmt", "content", "expected"),
    [
        (
            "json",
            "News\nA story\n31 January 2023\n",
            "is not valid JSON: Expecting value at line 1",
        ),
        ("csv", "News\nA story\n31 January 2023\n", "has no 'title' column"),
        ("rss", "News\nA story\n31 January 2023\n", "is not an RSS or Atom feed"),
        ("listing", '[{"title": "x"}]', "has no date lines"),
        ("html", "News\nA story\n31 January 2023\n", "has no list of stories we can recognise"),
    ],
)
def test_wrong_format(tmp_path, fmt, content, expected):
    path = tmp_path / f"wrong.{EXTENSIONS[fmt]}"
    path.write_text(content, encoding="utf-8")
    assert expected in source_error(path, format=fmt)


def test_explicit_format_overrides_the_extension(tmp_path):
    path = tmp_path / "items.txt"
    path.write_text("title,date\nA,2023-01-31\n", encoding="utf-8")
    assert import_source(path, format="csv").items[0].title == "A"
    assert "has no date lines" in source_error(path, format="listing")


@pytest.mark.parametrize("fmt", ["listing", "html", "csv", "json", "rss"])
def test_empty_file(tmp_path, fmt):
    path = tmp_path / f"empty.{EXTENSIONS[fmt]}"
    path.write_bytes(b"")
    assert "is empty" in source_error(path)


def test_unknown_format_name():
    with pytest.raises(ValidationError, match="'yaml' is not a format we can read"):
        import_text("x", format="yaml")


@pytest.mark.parametrize("category", ["", "   ", "x" * 81])
def test_bad_default_category(category):
    with pytest.raises(ValidationError, match="default category"):
        import_text("News\nA\n31 January 2023\n", default_category=category)


def test_scheme_that_is_not_a_file_is_named():
    message = source_error("javascript:alert(1)")
    assert "'javascript:' addresses cannot be imported" in message


def test_pasted_binary_is_refused():
    with pytest.raises(SourceError, match="is not a text file"):
        import_text("abc\x00def", name="clipboard")


@pytest.mark.parametrize("fmt", ["listing", "html", "csv", "json"])
def test_javascript_urls_are_never_kept(fmt):
    texts = {
        "html": "<ul><li><a href='javascript:alert(1)'>A story</a> 31 January 2023</li>"
        "<li><a href='https://x.example/b'>B story</a> 30 January 2023"
        "<img src='javascript:alert(2)'></li>"
        "<li><a href='https://x.example/c'>C story</a> 29 January 2023</li></ul>",
        "listing": "News\nA story\n31 January 2023\njavascript:alert(1)\n",
        "csv": "title,date,url\nA story,2023-01-31,javascript:alert(1)\n",
        "json": '[{"title": "A story", "date": "2023-01-31", "url": "javascript:alert(1)"}]',
    }
    report = import_text(texts[fmt], format=fmt)
    assert all(item.url is None or item.url.startswith("http") for item in report.items)
    assert all(item.image_url is None for item in report.items)
    if fmt in ("csv", "json"):  # a listing has no url field, a page no link of that kind
        assert report.items == []
        assert "must start with http:// or https://" in report.rejected[0].reason


def test_detection_by_extension():
    assert format_from_name("a/b/news.TXT") == "listing"
    assert format_from_name("feed.atom") == "rss"
    assert format_from_name("items.tsv") == "csv"
    assert format_from_name("items.json") == "json"
    assert format_from_name("saved/news.html") == "html"
    assert format_from_name("page.HTM") == "html"
    assert format_from_name("https://example.org/feed.xml?x=1") == "rss"
    assert format_from_name("https://example.org/news/") is None
    assert format_from_name("folder.d/README") is None


def test_detection_by_content():
    assert sniff_format("\ufeff  <?xml version='1.0'?><rss/>") == "rss"
    assert sniff_format("<!doctype html><html><body>x</body></html>") == "html"
    assert sniff_format("<meta charset='utf-8'><ul><li><a href='x'>y</a></li></ul>") == "html"
    assert sniff_format('[{"title": "x"}]') == "json"
    assert sniff_format("Title;Date;Category\nx;2023-01-31;y\n") == "csv"
    assert sniff_format("News\nA story\n31 January 2023\n") == "listing"
    assert sniff_format("") == "listing"


def test_content_detection_for_unknown_extension(tmp_path: Path):
    path = tmp_path / "export.dat"
    path.write_text('[{"title": "Detected", "date": "2023-01-31"}]', encoding="utf-8")
    report = import_source(path)
    assert report.format == "json"
    assert report.items[0].source == "export.dat"
