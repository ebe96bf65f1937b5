"""The digest: one issue of the newsletter, as the editor arranged it.

A :class:`Digest` has a title, a period (usually a month, ``2023-01``), a
preheader (the preview line inboxes show), an intro (a short editorial note in
the small markup of :mod:`composer.email.markup`) and :class:`Section` s: an ordered
list of categories, each with an ordered list of item ids. Per-digest
:class:`Override` s change an item's title or summary in this digest only; the
library item stays as it is.

A digest refers to library items by id and holds none of their text, so an
item edited in the library shows its new text in every draft. An id whose item
has since been deleted is kept (the editor sees it as missing) and left out of
the rendered email; see :func:`resolve`.

Digests are values: frozen, changed only through the operations of
:mod:`composer.digest.operations`, and stored in the library's ``digests`` table as the
JSON-ready dictionaries of :meth:`Digest.to_dict` (with a ``"schema"`` key).
"""

from __future__ import annotations

import dataclasses
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from composer.errors import ValidationError
from composer.library.item import NewsItem, utc_now
from composer.text import checked_text, clean_line, clean_paragraphs

#: Version of the dictionary shape written by :meth:`Digest.to_dict`.
SCHEMA = 1
#: Digest fields that :class:`composer.digest.operations.SetField` may change.
TEXT_FIELDS = ("title", "period", "preheader", "intro")
#: Item fields a digest may override.
OVERRIDE_FIELDS = ("title", "summary")

MAX_TITLE = 200
MAX_PERIOD = 40
MAX_PREHEADER = 300
MAX_INTRO = 5_000
MAX_CATEGORY = 80
MAX_OVERRIDE_TITLE = 300
MAX_OVERRIDE_SUMMARY = 20_000
MAX_SECTIONS = 100
MAX_ITEMS = 1_000

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def new_digest_id() -> str:
    """A fresh digest id such as ``d-3f9a0c12b7e4``."""
    return f"d-{secrets.token_hex(6)}"


def month_of(period: str) -> tuple[int, int] | None:
    """``(year, month)`` when ``period`` is a month written ``YYYY-MM``, else ``None``."""
    m = _MONTH.match(period.strip())
    if not m or not 1 <= int(m[2]) <= 12:
        return None
    return int(m[1]), int(m[2])


@dataclasses.dataclass(frozen=True, slots=True)
class Override:
    """This digest's own title and/or summary for one item (``None``: the library's text)."""

    title: str | None = None
    summary: str | None = None

    def get(self, field: str) -> str | None:
        if field == "title":
            return self.title
        if field == "summary":
            return self.summary
        raise ValidationError("override", f"'{field}' cannot be overridden (only title, summary)")

    def with_field(self, field: str, value: str | None) -> Override:
        self.get(field)  # validates the field name
        return dataclasses.replace(self, **{field: value})

    @property
    def empty(self) -> bool:
        return self.title is None and self.summary is None

    def to_dict(self) -> dict[str, str]:
        return {
            key: value
            for key, value in (("title", self.title), ("summary", self.summary))
            if value is not None
        }


@dataclasses.dataclass(frozen=True, slots=True)
class Section:
    """One category of the digest and its items, in the order they appear."""

    category: str
    item_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "items": list(self.item_ids)}


@dataclasses.dataclass(frozen=True)
class Digest:
    """One issue of the newsletter. Build it with :func:`make_digest` or :meth:`from_dict`."""

    id: str
    title: str
    period: str = ""
    preheader: str = ""
    intro: str = ""
    sections: tuple[Section, ...] = ()
    overrides: Mapping[str, Override] = dataclasses.field(default_factory=dict)
    created: str = ""
    updated: str = ""
    #: The layout this digest is rendered with (``classic``, ``magazine``, ``briefing`` or a
    #: user template folder); empty: the theme's.
    template: str = ""
    #: The library's version of this digest when it was loaded (0: never saved); a save is
    #: based on it (:meth:`composer.repository.Library.save_digest`). Not content: two
    #: digests that differ only in it are equal, and it is never shown in the email.
    version: int = dataclasses.field(default=0, compare=False)

    # -- queries ----------------------------------------------------------------------------
    def item_ids(self) -> list[str]:
        """Every item reference in order, section by section (an id may appear twice)."""
        return [item_id for section in self.sections for item_id in section.item_ids]

    def contains(self, item_id: str) -> bool:
        return any(item_id in section.item_ids for section in self.sections)

    def locate(self, item_id: str) -> tuple[int, int] | None:
        """``(section index, position)`` of the first reference to ``item_id``, or ``None``."""
        for s, section in enumerate(self.sections):
            if item_id in section.item_ids:
                return s, section.item_ids.index(item_id)
        return None

    def section_index(self, category: str) -> int | None:
        """Index of the section of ``category`` (compared as written, case-insensitively)."""
        wanted = category.casefold()
        for index, section in enumerate(self.sections):
            if section.category.casefold() == wanted:
                return index
        return None

    def override(self, item_id: str) -> Override:
        return self.overrides.get(item_id) or Override()

    def text_field(self, name: str) -> str:
        if name not in TEXT_FIELDS:
            raise ValidationError("digest", f"'{name}' is not a field that can be changed")
        value: str = getattr(self, name)
        return value

    # -- (de)serialisation ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form the library stores (keys in a fixed order)."""
        return {
            "schema": SCHEMA,
            "id": self.id,
            "title": self.title,
            "period": self.period,
            "preheader": self.preheader,
            "intro": self.intro,
            "sections": [section.to_dict() for section in self.sections],
            "overrides": {
                item_id: self.overrides[item_id].to_dict() for item_id in sorted(self.overrides)
            },
            "created": self.created,
            "updated": self.updated,
            "template": self.template,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Digest:
        """A digest from its stored form; a clear :class:`ValidationError` when it is not one."""
        if not isinstance(data, Mapping):
            raise ValidationError("digest", f"must be an object, not {type(data).__name__}")
        schema = data.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise ValidationError(
                "digest",
                f"was saved in format {schema!r}; this version of Newsdigest reads format {SCHEMA}",
            )
        raw_sections = data.get("sections") or []
        if not isinstance(raw_sections, list):
            raise ValidationError("sections", "must be a list")
        sections: list[Section] = []
        for number, raw in enumerate(raw_sections, start=1):
            if not isinstance(raw, Mapping):
                raise ValidationError(f"sections[{number}]", "must be an object")
            ids = raw.get("items") or []
            if not isinstance(ids, list):
                raise ValidationError(f"sections[{number}].items", "must be a list of item ids")
            sections.append(
                Section(
                    category=_text(
                        raw.get("category"), f"sections[{number}].category", MAX_CATEGORY
                    ),
                    item_ids=tuple(_item_id(i, f"sections[{number}].items") for i in ids),
                )
            )
        raw_overrides = data.get("overrides") or {}
        if not isinstance(raw_overrides, Mapping):
            raise ValidationError("overrides", "must be an object keyed by item id")
        overrides: dict[str, Override] = {}
        for item_id, raw in raw_overrides.items():
            key = _item_id(item_id, "overrides")
            if not isinstance(raw, Mapping):
                raise ValidationError(f"overrides.{key}", "must be an object")
            override = Override(
                title=override_value("title", raw.get("title")),
                summary=override_value("summary", raw.get("summary")),
            )
            if not override.empty:
                overrides[key] = override
        digest = make_digest(
            digest_id=data.get("id"),
            title=data.get("title"),
            period=data.get("period"),
            preheader=data.get("preheader"),
            intro=data.get("intro"),
            sections=sections,
            overrides=overrides,
            created=data.get("created"),
            updated=data.get("updated"),
            template=data.get("template"),
        )
        return dataclasses.replace(digest, version=_version(data.get("version", 0)))

    def touched(self, now: str | None = None) -> Digest:
        """A copy with ``updated`` (and ``created``, if unset) set to ``now``, for saving."""
        stamp = now or utc_now().isoformat()
        return dataclasses.replace(self, updated=stamp, created=self.created or stamp)


# -- validation ---------------------------------------------------------------------------------
def _version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError("version", f"{str(value)[:20]!r} is not a version (0, 1, 2…)")
    return value


def _text(value: Any, field: str, limit: int, *, required: bool = True) -> str:
    return checked_text(value, field, limit, required=required)


def check_item_id(value: Any, field: str = "item") -> str:
    """``value`` if it can be an item id (letters, digits, ``. _ -``), else a clear error."""
    return _item_id(value, field)


def _item_id(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _ITEM_ID.match(value):
        raise ValidationError(field, f"{str(value)[:40]!r} is not an item id")
    return value


def check_field(name: str, value: Any) -> str:
    """``value`` cleaned for the digest field ``name``, or a :class:`ValidationError`."""
    if name == "title":
        return _text(value, "title", MAX_TITLE)
    if name == "period":
        return _text(value, "period", MAX_PERIOD, required=False)
    if name == "preheader":
        return _text(value, "preheader", MAX_PREHEADER, required=False)
    if name == "intro":
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValidationError("intro", f"must be text, not {type(value).__name__}")
        intro = clean_paragraphs(value)
        if len(intro) > MAX_INTRO:
            raise ValidationError(
                "intro", f"is {len(intro)} characters long; the limit is {MAX_INTRO}"
            )
        return intro
    raise ValidationError("digest", f"'{name}' is not a field that can be changed")


def check_category(value: Any) -> str:
    return _text(value, "category", MAX_CATEGORY)


def override_value(field: str, value: Any) -> str | None:
    """An override cleaned for ``field``; ``None`` (no override) for nothing or blank text."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"override {field}", f"must be text, not {type(value).__name__}")
    if field == "title":
        text = clean_line(value)
        limit = MAX_OVERRIDE_TITLE
    elif field == "summary":
        text = clean_paragraphs(value)
        limit = MAX_OVERRIDE_SUMMARY
    else:
        raise ValidationError("override", f"'{field}' cannot be overridden (only title, summary)")
    if len(text) > limit:
        raise ValidationError(
            f"override {field}", f"is {len(text)} characters long; the limit is {limit}"
        )
    return text or None


def make_digest(
    *,
    digest_id: Any = None,
    title: Any,
    period: Any = "",
    preheader: Any = "",
    intro: Any = "",
    sections: Iterable[Section] = (),
    overrides: Mapping[str, Override] | None = None,
    created: Any = "",
    updated: Any = "",
    template: Any = "",
) -> Digest:
    """A validated :class:`Digest`. Overrides of items the digest does not hold are dropped."""
    if digest_id is None or digest_id == "":
        digest_id = new_digest_id()
    if not isinstance(digest_id, str) or not _ID.match(digest_id):
        raise ValidationError(
            "id", f"{str(digest_id)[:40]!r} is not a digest id (letters, digits, . _ -)"
        )
    section_list = tuple(sections)
    if len(section_list) > MAX_SECTIONS:
        raise ValidationError(
            "sections", f"there are {len(section_list)}; the limit is {MAX_SECTIONS}"
        )
    count = sum(len(section.item_ids) for section in section_list)
    if count > MAX_ITEMS:
        raise ValidationError("sections", f"hold {count} items; the limit is {MAX_ITEMS}")
    held = {item_id for section in section_list for item_id in section.item_ids}
    kept = {
        key: value for key, value in (overrides or {}).items() if key in held and not value.empty
    }
    return Digest(
        id=digest_id,
        title=check_field("title", title),
        period=check_field("period", period),
        preheader=check_field("preheader", preheader),
        intro=check_field("intro", intro),
        sections=tuple(
            Section(check_category(section.category), tuple(section.item_ids))
            for section in section_list
        ),
        overrides=kept,
        created=_stamp(created, "created"),
        updated=_stamp(updated, "updated"),
        template=check_digest_template(template),
    )


def check_digest_template(value: Any) -> str:
    """The digest's layout name (``default`` reads as ``classic``), or empty for the theme's."""
    if value is None or value == "":
        return ""
    from composer.theme.checks import check_template

    return check_template(value, "digest template")


def _stamp(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, f"must be a timestamp, not {type(value).__name__}")
    return value.strip()[:40]


# -- what the digest shows of an item --------------------------------------------------------------
def library_text(item: NewsItem, field: str) -> str:
    """The library's own text of ``item`` for an overridable ``field`` (title, summary)."""
    if field == "title":
        return item.title
    if field == "summary":
        return item.summary
    raise ValidationError("override", f"'{field}' cannot be overridden (only title, summary)")


@dataclasses.dataclass(frozen=True, slots=True)
class ShownText:
    """An item's title and summary as one digest shows them, and which are its own."""

    title: str
    summary: str
    #: The fields this digest overrides (a subset of :data:`OVERRIDE_FIELDS`).
    overridden: frozenset[str]

    def get(self, field: str) -> str:
        if field == "title":
            return self.title
        if field == "summary":
            return self.summary
        raise ValidationError("override", f"'{field}' cannot be overridden (only title, summary)")


def shown_text(digest: Digest, item: NewsItem) -> ShownText:
    """The one override rule: the digest's text where it has one, else the library's.

    The editor's tree and item panel, the Undo/Redo labels and the rendered email
    (through :func:`resolve`) all read an item's text here.
    """
    override = digest.override(item.id)
    return ShownText(
        title=override.title if override.title is not None else item.title,
        summary=override.summary if override.summary is not None else item.summary,
        overridden=frozenset(f for f in OVERRIDE_FIELDS if override.get(f) is not None),
    )


# -- resolving against the library -----------------------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class ResolvedItem:
    """An item of the digest with the digest's overrides applied."""

    item: NewsItem
    section: int
    position: int
    title: str
    summary: str
    overridden: frozenset[str]


@dataclasses.dataclass(frozen=True, slots=True)
class MissingItem:
    """A reference to an item that is no longer in the library."""

    item_id: str
    section: int
    position: int
    category: str


@dataclasses.dataclass(frozen=True, slots=True)
class ResolvedSection:
    category: str
    index: int
    items: tuple[ResolvedItem, ...]
    missing: tuple[MissingItem, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ResolvedDigest:
    """A digest with its items looked up: what rendering and the preflight checks read."""

    digest: Digest
    sections: tuple[ResolvedSection, ...]

    @property
    def missing(self) -> list[MissingItem]:
        return [m for section in self.sections for m in section.missing]

    @property
    def items(self) -> list[ResolvedItem]:
        return [r for section in self.sections for r in section.items]


def resolve(digest: Digest, lookup: Mapping[str, NewsItem]) -> ResolvedDigest:
    """Look the digest's items up in ``lookup`` (id -> item); absent ones are reported missing."""
    sections: list[ResolvedSection] = []
    for s, section in enumerate(digest.sections):
        found: list[ResolvedItem] = []
        missing: list[MissingItem] = []
        for p, item_id in enumerate(section.item_ids):
            item = lookup.get(item_id)
            if item is None:
                missing.append(MissingItem(item_id, s, p, section.category))
                continue
            text = shown_text(digest, item)
            found.append(
                ResolvedItem(
                    item=item,
                    section=s,
                    position=p,
                    title=text.title,
                    summary=text.summary,
                    overridden=text.overridden,
                )
            )
        sections.append(ResolvedSection(section.category, s, tuple(found), tuple(missing)))
    return ResolvedDigest(digest, tuple(sections))
