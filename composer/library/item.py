"""The news item: what the library stores and a digest refers to.

An item's ``id`` is stable across imports: it is derived from the canonical url
when there is one, else from the normalised title and the date, so importing the
same story twice is recognised. Once given, an id never changes, even when the
item is edited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from composer.errors import ValidationError
from composer.library.dates import parse_date
from composer.text import checked_text, clean_line, clean_paragraphs, fold
from composer.urls import canonical_url, check_web_url

MAX_TITLE = 300
MAX_SUMMARY = 20_000
MAX_CATEGORY = 80
MAX_TAGS = 30
ID_PATTERN = re.compile(r"^[ut]-[0-9a-f]{16}$")

#: The order in which item fields are written by ``items --json`` and read back.
FIELDS = (
    "id",
    "category",
    "title",
    "date",
    "summary",
    "url",
    "image_url",
    "image_alt",
    "tags",
    "source",
    "created",
    "updated",
)


def utc_now() -> dt.datetime:
    """Now, in UTC, to the second (timestamps are for people, not for ordering events)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def title_key(title: str, date: dt.date) -> str:
    """Normalised title and date: the same story written with other spacing or case."""
    words = re.sub(r"[^\w]+", " ", fold(title)).strip()
    return f"{words}|{date.isoformat()}"


def derive_id(url: str | None, title: str, date: dt.date) -> str:
    """The stable id of a story: ``u-`` + hash of the canonical url, else ``t-`` + title, date."""
    if url:
        basis, prefix = canonical_url(url), "u"
    else:
        basis, prefix = title_key(title, date), "t"
    return f"{prefix}-{hashlib.sha256(basis.encode('utf-8')).hexdigest()[:16]}"


@dataclasses.dataclass(frozen=True, slots=True)
class NewsItem:
    """One news story in the library. Build it with :func:`make_item` to validate it."""

    id: str
    category: str
    title: str
    date: dt.date
    summary: str = ""
    url: str | None = None
    image_url: str | None = None
    image_alt: str = ""
    tags: tuple[str, ...] = ()
    source: str = ""
    created: dt.datetime = dataclasses.field(default_factory=utc_now)
    updated: dt.datetime = dataclasses.field(default_factory=utc_now)

    @property
    def title_key(self) -> str:
        return title_key(self.title, self.date)

    @property
    def month(self) -> str:
        """``YYYY-MM`` of the item's date."""
        return f"{self.date.year:04d}-{self.date.month:02d}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, in :data:`FIELDS` order, dates as ``YYYY-MM-DD``."""
        return {
            "id": self.id,
            "category": self.category,
            "title": self.title,
            "date": self.date.isoformat(),
            "summary": self.summary,
            "url": self.url,
            "image_url": self.image_url,
            "image_alt": self.image_alt,
            "tags": list(self.tags),
            "source": self.source,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
        }

    def edited(self, **changes: Any) -> NewsItem:
        """A validated copy with ``changes`` applied, the same id and a new ``updated`` time."""
        fields = self.to_dict()
        fields.update(changes)
        fields["id"] = self.id
        fields["created"] = self.created
        fields["updated"] = utc_now()
        return make_item(fields)


def _text_field(value: Any, field: str, limit: int, *, required: bool) -> str:
    return checked_text(value, field, limit, required=required)


def _date_field(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return parse_date(value)
    if value is None:
        raise ValidationError("date", "is missing")
    raise ValidationError("date", f"must be a date, not {type(value).__name__}")


def _optional_url(value: Any, field: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValidationError(field, f"must be text, not {type(value).__name__}")
    return check_web_url(value, field)


def _tags(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    raw: Iterable[Any]
    if isinstance(value, str):
        raw = re.split(r"[,;|]", value)
    elif isinstance(value, list | tuple):
        raw = value
    else:
        raise ValidationError("tags", f"must be a list of words, not {type(value).__name__}")
    tags: list[str] = []
    seen: set[str] = set()
    for tag in raw:
        if not isinstance(tag, str):
            raise ValidationError("tags", f"must be text, not {type(tag).__name__}")
        cleaned = clean_line(tag)[:60]
        if cleaned and fold(cleaned) not in seen:
            seen.add(fold(cleaned))
            tags.append(cleaned)
    if len(tags) > MAX_TAGS:
        raise ValidationError("tags", f"has {len(tags)} tags; the limit is {MAX_TAGS}")
    return tuple(tags)


def _timestamp(value: Any, field: str, default: dt.datetime) -> dt.datetime:
    if value is None or value == "":
        return default
    if isinstance(value, dt.datetime):
        stamp = value
    elif isinstance(value, str):
        try:
            stamp = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(field, f"'{value[:40]}' is not a timestamp") from None
    else:
        raise ValidationError(field, f"must be a timestamp, not {type(value).__name__}")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def make_item(fields: Mapping[str, Any], *, default_category: str = "") -> NewsItem:
    """A validated :class:`NewsItem` from loose fields (strings or typed values).

    Raises :class:`ValidationError` naming the first field that is wrong.
    Unknown keys are ignored, so rows with extra columns are accepted.
    """
    title = _text_field(fields.get("title"), "title", MAX_TITLE, required=True)
    date = _date_field(fields.get("date"))
    category = _text_field(
        fields.get("category") or default_category, "category", MAX_CATEGORY, required=True
    )
    summary_raw = fields.get("summary")
    if summary_raw is not None and not isinstance(summary_raw, str):
        raise ValidationError("summary", f"must be text, not {type(summary_raw).__name__}")
    summary = clean_paragraphs(summary_raw or "")
    if len(summary) > MAX_SUMMARY:
        raise ValidationError(
            "summary", f"is {len(summary)} characters long; the limit is {MAX_SUMMARY}"
        )
    url = _optional_url(fields.get("url"), "url")
    image_url = _optional_url(fields.get("image_url"), "image_url")
    image_alt = _text_field(fields.get("image_alt"), "image_alt", 300, required=False)
    source = _text_field(fields.get("source"), "source", 500, required=False)
    now = utc_now()
    created = _timestamp(fields.get("created"), "created", now)
    updated = _timestamp(fields.get("updated"), "updated", created)
    given_id = fields.get("id")
    item_id = (
        given_id
        if isinstance(given_id, str) and ID_PATTERN.match(given_id)
        else derive_id(url, title, date)
    )
    return NewsItem(
        id=item_id,
        category=category,
        title=title,
        date=date,
        summary=summary,
        url=url,
        image_url=image_url,
        image_alt=image_alt,
        tags=_tags(fields.get("tags")),
        source=source,
        created=created,
        updated=updated,
    )


_date = dt.date.fromisoformat
_datetime = dt.datetime.fromisoformat


def item_from_stored(doc: Mapping[str, Any]) -> NewsItem:
    """An item as the library stored it: the fast path for loading thousands at once.

    Stored items were validated when saved, so only their shape is checked here
    (types, the id's form, real dates); a document that was edited by hand and
    no longer has the stored shape goes through :func:`make_item` instead, which
    says what is wrong with it. Opening a 10,000-item library spends most of its
    time in this function, hence the plain style.
    """
    try:
        item_id, title, category = doc["id"], doc["title"], doc["category"]
        tags = doc.get("tags") or ()
        summary = doc.get("summary") or ""
        image_alt = doc.get("image_alt") or ""
        source = doc.get("source") or ""
        url = doc.get("url") or None
        image_url = doc.get("image_url") or None
        if (
            type(item_id) is str
            and type(title) is str
            and type(category) is str
            and title
            and category
            and type(summary) is str
            and type(image_alt) is str
            and type(source) is str
            and (url is None or type(url) is str)
            and (image_url is None or type(image_url) is str)
            and (not tags or (type(tags) is list and all(type(t) is str for t in tags)))
            and ID_PATTERN.match(item_id)
        ):
            created = _datetime(doc["created"])
            updated = doc.get("updated")
            return NewsItem(  # positional, in field order: a third faster than keywords
                item_id,
                category,
                title,
                _date(doc["date"]),
                summary,
                url,
                image_url,
                image_alt,
                tuple(tags),
                source,
                created,
                _datetime(updated) if updated else created,
            )
    except (KeyError, TypeError, ValueError):
        pass
    return make_item(doc)


def same_story(first: NewsItem, second: NewsItem) -> bool:
    """Whether two items are one story: the same id, or the same title and date unless both
    have links and the links differ (two stories of one title and day, on two pages)."""
    if first.id == second.id:
        return True
    if first.title_key != second.title_key:
        return False
    if first.url and second.url:
        return canonical_url(first.url) == canonical_url(second.url)
    return True


#: The fields an import may add to a story already in the library that lacks them.
MENDABLE = ("url", "image_url", "image_alt", "summary")


def mended(stored: NewsItem, incoming: NewsItem) -> NewsItem | None:
    """``stored`` with what ``incoming`` (the same story, read again) adds, or None if nothing.

    A listing pasted as text has no links; the same stories imported later from the page
    or a feed bring them. Only empty fields are filled: nothing the user wrote is replaced.
    """
    changes = {
        name: getattr(incoming, name)
        for name in MENDABLE
        if not getattr(stored, name) and getattr(incoming, name)
    }
    return stored.edited(**changes) if changes else None
