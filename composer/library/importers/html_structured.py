"""Structured data in a page: schema.org objects from JSON-LD and microdata.

:func:`json_ld_objects` reads every ``<script type="application/ld+json">`` (a broken
one is skipped), flattening ``@graph`` and lists; :func:`microdata_articles` reads
``itemscope`` elements of an article type. :func:`story_from_object` turns a
``NewsArticle``-like object into story fields, :func:`listed_stories` the stories of
an ``ItemList`` (or of several articles) and :func:`main_article` the page's own
article, if it is one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import lxml.html

from composer.text import clean_line

#: schema.org types that are one story (lower case).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "report",
        "pressrelease",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "liveblogposting",
        "techarticle",
        "scholarlyarticle",
        "socialmediaposting",
        "event",
    }
)
_CDATA = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_MAX_OBJECTS = 2000

Story = dict[str, Any]


def types_of(obj: dict[str, Any]) -> set[str]:
    """The lower-cased schema.org types of an object (``schema:NewsArticle`` -> newsarticle)."""
    kind = obj.get("@type") or obj.get("type")
    names = kind if isinstance(kind, list) else [kind]
    return {re.split(r"[/:#]", str(name))[-1].lower() for name in names if name}


def _walk(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 12:
        return
    if isinstance(value, list):
        for entry in value:
            yield from _walk(entry, depth + 1)
    elif isinstance(value, dict):
        yield value
        graph = value.get("@graph")
        if graph is not None:
            yield from _walk(graph, depth + 1)


def json_ld_objects(root: lxml.html.HtmlElement) -> list[dict[str, Any]]:
    """The top-level objects of the page's JSON-LD blocks (``@graph`` members included)."""
    objects: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = _CDATA.sub("", (script.text or "").strip()).strip()
        text = _CDATA.sub("", text).strip()
        if not text:
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        objects.extend(_walk(data))
        if len(objects) > _MAX_OBJECTS:
            break
    return objects[:_MAX_OBJECTS]


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = next((entry for entry in value if entry), "")
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
    return clean_line(str(value)) if isinstance(value, str | int | float) else ""


def _url(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl") or value.get("@id") or ""
    return clean_line(value) if isinstance(value, str) else ""


def story_from_object(obj: dict[str, Any]) -> Story:
    """Story fields of a schema.org article-like object (values as written; urls unresolved)."""
    image = obj.get("image") or obj.get("thumbnailUrl")
    section = obj.get("articleSection") or obj.get("genre")
    return {
        "title": _text(obj.get("headline")) or _text(obj.get("name")),
        "name": _text(obj.get("name")),
        "url": _url(obj.get("url")) or _url(obj.get("mainEntityOfPage")) or _id_url(obj),
        "date": _text(obj.get("datePublished"))
        or _text(obj.get("dateCreated"))
        or _text(obj.get("startDate")),
        "summary": _text(obj.get("description")),
        "image_url": _url(image),
        "image_alt": _text(image.get("caption")) if isinstance(image, dict) else "",
        "category": _text(section),
    }


def _id_url(obj: dict[str, Any]) -> str:
    ident = obj.get("@id")
    if isinstance(ident, str) and ident.startswith(("http://", "https://")):
        return ident.split("#", 1)[0]
    return ""


def listed_stories(objects: list[dict[str, Any]]) -> list[Story]:
    """The stories a page lists in JSON-LD: an ``ItemList``'s members, else several articles."""
    stories: list[Story] = []
    for obj in objects:
        for holder in (obj, obj.get("mainEntity")):
            if isinstance(holder, dict) and "itemlist" in types_of(holder):
                stories.extend(_list_members(holder))
    if stories:
        return stories
    articles = [obj for obj in objects if types_of(obj) & ARTICLE_TYPES]
    if len(articles) >= 2:
        return [story_from_object(obj) for obj in articles]
    return []


def _list_members(item_list: dict[str, Any]) -> list[Story]:
    members = item_list.get("itemListElement") or []
    if not isinstance(members, list):
        members = [members]
    stories = []
    for member in members:
        if isinstance(member, str):
            stories.append({"url": member, "title": ""})
            continue
        if not isinstance(member, dict):
            continue
        inner = member.get("item")
        if isinstance(inner, dict):
            story = story_from_object(inner)
            story["url"] = story["url"] or _url(member.get("url"))
            story["title"] = story["title"] or _text(member.get("name"))
        elif isinstance(inner, str):
            story = story_from_object(member)
            story["url"] = inner
        else:
            story = story_from_object(member)
        if story.get("url") or story.get("title"):
            stories.append(story)
    return stories


def main_article(objects: list[dict[str, Any]]) -> Story | None:
    """The page's own article in JSON-LD: its only article-type object, or a WebPage's
    ``mainEntity`` of an article type; None when there is none (or several)."""
    articles = [obj for obj in objects if types_of(obj) & ARTICLE_TYPES - {"event"}]
    for obj in objects:
        main = obj.get("mainEntity")
        if isinstance(main, dict) and types_of(main) & ARTICLE_TYPES:
            return story_from_object(main)
    if len(articles) == 1:
        return story_from_object(articles[0])
    return None


_PAGE_TYPES = frozenset({"webpage", "itempage", "aboutpage", "profilepage", "qapage", "faqpage"})


def page_date(objects: list[dict[str, Any]]) -> str:
    """The ``datePublished`` of the page itself (a ``WebPage`` object), when no article
    object says when the story was published."""
    for obj in objects:
        if types_of(obj) & _PAGE_TYPES and (value := _text(obj.get("datePublished"))):
            return value
    return ""


def _prop_value(element: lxml.html.HtmlElement) -> str:
    for attribute in ("content", "datetime", "href", "src"):
        value = element.get(attribute)
        if value:
            return clean_line(value)
    return clean_line(" ".join(element.itertext()))


def microdata_articles(root: lxml.html.HtmlElement) -> list[tuple[lxml.html.HtmlElement, Story]]:
    """Elements with ``itemscope`` of an article type, with the story their ``itemprop``s give."""
    found = []
    for scope in root.iterfind(".//*[@itemscope]"):
        kind = (scope.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1].lower()
        if kind not in ARTICLE_TYPES:
            continue
        props: dict[str, str] = {}
        for element in scope.iterfind(".//*[@itemprop]"):
            owner = element.getparent()
            while owner is not None and owner is not scope and owner.get("itemscope") is None:
                owner = owner.getparent()
            if owner is not scope:
                continue
            for name in (element.get("itemprop") or "").split():
                props.setdefault(name, _prop_value(element))
        found.append(
            (
                scope,
                {
                    "title": props.get("headline") or props.get("name", ""),
                    "url": props.get("url") or props.get("mainEntityOfPage", ""),
                    "date": props.get("datePublished") or props.get("dateCreated", ""),
                    "summary": props.get("description", ""),
                    "image_url": props.get("image") or props.get("thumbnailUrl", ""),
                    "category": props.get("articleSection", ""),
                },
            )
        )
    return found
