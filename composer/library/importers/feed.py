"""Reading news items from an RSS (0.9x, 1.0, 2.0) or Atom feed with feedparser.

Each entry becomes an item: category from its first category/tag, other tags as
the item's tags, summary (else content) reduced to clean text with nh3 (no tags,
no script content, entities decoded, paragraph breaks kept as blank lines), date
from ``published`` else ``updated`` as written in the feed (the publisher's own
day, not shifted to UTC), image from ``media:content``, ``media:thumbnail`` or an
image enclosure. Links that are not http(s) are dropped with a warning.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import warnings
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

import feedparser
import nh3

from composer.errors import SourceError, ValidationError
from composer.library.dates import parse_date
from composer.library.importers.base import (
    DEFAULT_CATEGORY,
    NOT_TEXT,
    SUMMARY_CUT,
    ImportReport,
    ReportBuilder,
    fit_summary,
)
from composer.library.item import MAX_CATEGORY, MAX_TAGS
from composer.text import clean_line, clean_paragraphs, fold
from composer.urls import check_web_url

_KEEP_TAGS = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"} | {
    "blockquote",
    "pre",
    "table",
    "tr",
    "section",
    "article",
    "figure",
    "figcaption",
    "hr",
}
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK = re.compile(r"</?[a-z0-9]+[^>]*>", re.IGNORECASE)
_MARKUP = re.compile(r"</?[a-zA-Z!?]")
_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2})")
_WRITTEN_DAY = re.compile(r"(\d{1,2})\s+([^\W\d_]{3,})\.?,?\s+(\d{4})")
_TEXT_PREFIXES = (b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00", b"\x00\x00\xfe\xff")


def html_to_text(value: str) -> str:
    """Clean text from an HTML fragment: tags and script/style content removed, entities decoded.

    Block elements (p, div, li, headings, ...) become paragraph breaks. Text that
    still reads as markup once decoded (double-escaped HTML) is cleaned again.
    """
    text = value
    for _ in range(4):
        cleaned = nh3.clean(text, tags=_KEEP_TAGS, attributes={}, strip_comments=True)
        cleaned = _BLOCK.sub("\n\n", _BREAK.sub("\n", cleaned))
        text = html.unescape(cleaned)
        if not _MARKUP.search(text):
            break
    else:
        text = _BLOCK.sub(" ", text).replace("<", "‹").replace(">", "›")
    return clean_paragraphs(text)


def _plain(value: Any) -> Any:
    """feedparser's dictionaries as plain ones (theirs map keys and warn on some reads)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in dict.items(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _entry_text(detail: Any, fallback: Any) -> str:
    value = detail.get("value") if isinstance(detail, Mapping) else None
    if not isinstance(value, str):
        value = fallback if isinstance(fallback, str) else ""
    return value


def _title(entry: Mapping[str, Any]) -> str:
    detail = entry.get("title_detail")
    raw = _entry_text(detail, entry.get("title"))
    kind = detail.get("type", "") if isinstance(detail, Mapping) else ""
    if "html" in str(kind) or _MARKUP.search(raw):
        raw = html_to_text(raw)
    return clean_line(raw)


def _summary(entry: Mapping[str, Any]) -> str:
    raw = _entry_text(entry.get("summary_detail"), entry.get("summary"))
    if not raw.strip():
        content = entry.get("content")
        if isinstance(content, list) and content and isinstance(content[0], Mapping):
            raw = _entry_text(content[0], "")
    return html_to_text(raw) if raw.strip() else ""


def _date_as_written(raw: str) -> dt.date | None:
    """The day a feed date names in the publisher's own time zone, if we can read it."""
    match = _ISO_DAY.match(raw) or _WRITTEN_DAY.search(raw)
    if match is None:
        return None
    text = match[1] if match.re is _ISO_DAY else f"{match[1]} {match[2]} {match[3]}"
    try:
        return parse_date(text)
    except ValidationError:
        return None


def _date(entry: Mapping[str, Any]) -> dt.date | str:
    """The entry's date, or the reason it has none."""
    problem = "has no date (neither published nor updated)"
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not isinstance(raw, str) or not raw.strip():
            continue
        written = _date_as_written(raw)
        if written is not None:
            return written
        parsed = entry.get(f"{key}_parsed")
        if parsed is not None:
            try:
                return dt.date(parsed[0], parsed[1], parsed[2])
            except (TypeError, ValueError, IndexError):
                pass
        if problem.startswith("has no date"):
            problem = f"{key} date '{clean_line(raw)[:60]}' is not a date we can read"
    return problem


def _web_url(value: Any, base_url: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = value.strip()
    if base_url and "://" not in url and not url.lower().startswith(("javascript:", "data:")):
        url = urljoin(base_url, url)
    try:
        return check_web_url(url)
    except ValidationError:
        return None


def _image_candidates(entry: Mapping[str, Any]) -> Iterator[Any]:
    for media in entry.get("media_content") or ():
        if isinstance(media, Mapping):
            medium = str(media.get("medium") or "")
            kind = str(media.get("type") or "")
            if medium == "image" or kind.startswith("image/") or (not medium and not kind):
                yield media.get("url")
    for thumb in entry.get("media_thumbnail") or ():
        if isinstance(thumb, Mapping):
            yield thumb.get("url")
    for link in entry.get("links") or ():
        if (
            isinstance(link, Mapping)
            and str(link.get("type") or "").startswith("image/")
            and link.get("rel", "enclosure") == "enclosure"
        ):
            yield link.get("href")


def _image(entry: Mapping[str, Any], base_url: str | None) -> str | None:
    for candidate in _image_candidates(entry):
        url = _web_url(candidate, base_url)
        if url is not None:
            return url
    return None


def _terms(entry: Mapping[str, Any]) -> list[str]:
    terms: list[str] = []
    seen: set[str] = set()
    for tag in entry.get("tags") or ():
        if not isinstance(tag, Mapping):
            continue
        term = tag.get("term") or tag.get("label")
        if isinstance(term, str) and (cleaned := clean_line(term)) and fold(cleaned) not in seen:
            seen.add(fold(cleaned))
            terms.append(cleaned)
    return terms


def _parse(data: bytes, headers: dict[str, str], source: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return feedparser.parse(
                io.BytesIO(data),
                response_headers=headers,
                sanitize_html=False,  # nh3 cleans what we keep, more thoroughly
                resolve_relative_uris=False,  # markup is reduced to text: its links go anyway
            )
    except Exception as error:  # any parser failure means "not a feed we can read"
        reason = str(error) or type(error).__name__
        raise SourceError(source, f"cannot be read as an RSS or Atom feed ({reason})") from None


def parse_feed(
    data: bytes,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
    base_url: str | None = None,
    content_type: str | None = None,
) -> ImportReport:
    """Read the entries of an RSS or Atom feed given as bytes.

    ``base_url`` (the feed's address) resolves relative links; ``content_type`` is
    the server's Content-Type, whose charset, if any, decides the encoding.
    """
    builder = ReportBuilder(
        source, "rss", item_source=item_source or source, default_category=default_category
    )
    if not data.strip():
        raise SourceError(source, "is empty; expected an RSS or Atom feed")
    if b"\x00" in data and not data.startswith(_TEXT_PREFIXES):
        raise SourceError(source, NOT_TEXT)
    if data[:1].isspace() and data.lstrip()[:5] == b"<?xml":
        data = data.lstrip()  # a blank line before the XML declaration makes it ill-formed
    headers = {"content-type": content_type or "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    result = _parse(data, headers, source)
    entries = dict.get(result, "entries") or []
    if not entries:
        raise SourceError(source, _not_a_feed(result, data))
    if dict.get(result, "bozo") and dict.get(result, "version"):
        problem = dict.get(result, "bozo_exception")
        builder.warn(f"the feed is not well-formed ({problem}); what could be read was read")
    base_url = base_url or _feed_address(_plain(dict.get(result, "feed") or {}))
    builder.report.base_url = base_url
    skipped: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        plain = _plain(entry)
        if kind := _not_a_published_post(plain):
            skipped[kind] = skipped.get(kind, 0) + 1
            continue
        _read_entry(builder, plain, number, base_url)
    for kind, count in skipped.items():
        builder.warn(
            f"{count} {kind}{'s' if count != 1 else ''} of the WordPress export "
            f"{'were' if count != 1 else 'was'} skipped: only published posts are news"
        )
    if skipped and not builder.report.items and not builder.report.rejected:
        raise SourceError(source, "is a WordPress export with no published posts")
    return builder.report


def _not_a_published_post(entry: Mapping[str, Any]) -> str:
    """What a WordPress export (WXR) entry is when it is no published post ("" for a post).

    WXR, the file of WordPress's Tools > Export, is RSS whose items are every post,
    page, attachment and menu item, each with its ``wp:post_type`` and ``wp:status``.
    """
    kind = str(entry.get("wp_post_type") or "").strip().lower()
    status = str(entry.get("wp_status") or "").strip().lower()
    if kind and kind != "post":
        return {"nav_menu_item": "menu item"}.get(kind, kind.replace("_", " "))
    if status and status != "publish":
        return {"future": "scheduled post", "trash": "post in the trash"}.get(
            status, f"{status} post"
        )
    return ""


def _feed_address(feed: Mapping[str, Any]) -> str | None:
    """Where a feed read from a file says it lives: its ``rel=self`` link, else its site link
    or an http(s) ``id``; relative entry links resolve against it."""
    links = [link for link in feed.get("links") or () if isinstance(link, Mapping)]
    candidates = [link.get("href") for link in links if link.get("rel") == "self"]
    candidates += [link.get("href") for link in links if link.get("rel") == "alternate"]
    candidates += [feed.get("link"), feed.get("id")]
    for candidate in candidates:
        if isinstance(candidate, str) and "://" in candidate:
            url = _web_url(candidate, None)
            if url is not None:
                return url
    return None


def _not_a_feed(result: Any, data: bytes) -> str:
    if dict.get(result, "version"):
        return "is a feed with no entries"
    head = data[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return (
            "is a web page, not an RSS or Atom feed (import it with --format html or "
            "--format auto to read its stories, or give the page's feed address)"
        )
    problem = dict.get(result, "bozo_exception")
    detail = f" ({problem})" if problem else ""
    return f"is not an RSS or Atom feed{detail}"


def _read_entry(
    builder: ReportBuilder, entry: Mapping[str, Any], number: int, base_url: str | None
) -> None:
    location = f"entry {number}"
    title = _title(entry)
    if not title:
        builder.reject(location, "has no title")
        return
    date = _date(entry)
    if isinstance(date, str):
        builder.reject(location, date)
        return
    url: str | None = None
    link = entry.get("link")
    if isinstance(link, str) and link.strip():
        url = _web_url(link, base_url)
        if url is None:
            builder.warn(
                f"{location}: link '{clean_line(link)[:80]}' is not an http(s) address; "
                "it was dropped"
            )
    terms = _terms(entry)
    category = builder.default_category
    if terms and len(terms[0]) <= MAX_CATEGORY:
        category, terms = terms[0], terms[1:]
    summary, cut = fit_summary(_summary(entry))
    if cut:
        builder.warn(f"{location}: {SUMMARY_CUT}")
    fields: dict[str, Any] = {
        "title": title,
        "date": date,
        "category": category,
        "summary": summary,
        "url": url,
        "image_url": _image(entry, base_url),
        "tags": [term[:60] for term in terms][:MAX_TAGS],
    }
    builder.add(fields, location)
