"""What every library backend agrees on: the order of items, and which items are one story.

* :func:`item_sort_key` is the canonical order: newest first, ties by title (case
  ignored), then by id, so that any two libraries holding the same items list them
  alike. The library list, ``newsdigest items`` and a drafted digest's sections all
  use it.
* :func:`find_duplicate` decides which known item a story duplicates (the same id,
  else :func:`composer.library.item.same_story`); a backend only has to fetch the
  candidates, the items that share the story's id or its title-and-date key
  (:attr:`NewsItem.title_key`), which is what its indexes are for.
* :func:`split_new` splits a batch into what a library adds and what it already has,
  a duplicate inside the batch counting as had.
* :class:`StoryIndex` holds items by those two keys, with the canonical order cached:
  what an in-memory library (or a store's copy of its items) looks stories up in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from composer.library.item import NewsItem, same_story
from composer.repository import AddResult

FindExisting = Callable[[NewsItem], NewsItem | None]


def item_sort_key(item: NewsItem) -> tuple[int, str, str]:
    """Newest first, then by title with case ignored, then by id: a total order."""
    return -item.date.toordinal(), item.title.casefold(), item.id


def sorted_items(items: Iterable[NewsItem]) -> list[NewsItem]:
    """``items`` in the canonical order (:func:`item_sort_key`)."""
    return sorted(items, key=item_sort_key)


def find_duplicate(item: NewsItem, known: Iterable[NewsItem]) -> NewsItem | None:
    """The item of ``known`` that is the same story as ``item``, or ``None``.

    One with the same id wins; else the first, in ``known``'s order, with the same title
    and date whose link does not say otherwise (:func:`same_story`).
    """
    candidates = list(known)
    same_id = next((other for other in candidates if other.id == item.id), None)
    if same_id is not None:
        return same_id
    return next((other for other in candidates if same_story(other, item)), None)


def split_new(items: Iterable[NewsItem], find_existing: FindExisting) -> AddResult:
    """Which of a batch a library adds (``new``) and which it has already (``existing``).

    An item is existing when ``find_existing`` (the library's lookup) finds it, or when it
    is the same story as an earlier new item of the batch. Both keep the batch's order,
    and ``existing`` holds the items as given, not the stored ones they duplicate.
    """
    batch = StoryIndex()
    new: list[NewsItem] = []
    existing: list[NewsItem] = []
    for item in items:
        if find_existing(item) is not None or batch.find(item) is not None:
            existing.append(item)
        else:
            batch.add(item)
            new.append(item)
    return AddResult(new=tuple(new), existing=tuple(existing))


class StoryIndex:
    """Items by id and by title-and-date key; the canonical order computed once per change.

    The title index is built on the first lookup that needs it, so that holding the
    items of a big library costs no more than a dictionary.
    """

    def __init__(self, items: Iterable[NewsItem] = ()) -> None:
        self._by_id: dict[str, NewsItem] = {item.id: item for item in items}
        self._by_title: dict[str, list[str]] | None = None  # title key -> ids, in order
        self._sorted: list[NewsItem] | None = None

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def __iter__(self) -> Iterator[NewsItem]:
        """The items in the order they were added (not the canonical order)."""
        return iter(self._by_id.values())

    def get(self, item_id: str) -> NewsItem | None:
        return self._by_id.get(item_id)

    def in_order(self) -> list[NewsItem]:
        """Every item in the canonical order; a new list each time (the caller may keep it)."""
        if self._sorted is None:
            self._sorted = sorted_items(self._by_id.values())
        return list(self._sorted)

    def candidates(self, item: NewsItem) -> Iterator[NewsItem]:
        """The items that may be ``item``'s story: the one with its id, then those with its
        title and date."""
        same_id = self._by_id.get(item.id)
        if same_id is not None:
            yield same_id
        for item_id in self._titles().get(item.title_key, ()):
            if item_id != item.id:
                yield self._by_id[item_id]

    def find(self, item: NewsItem) -> NewsItem | None:
        """The held item that is the same story as ``item`` (:func:`find_duplicate`).

        The same id is looked up first: a story imported again costs no title key, and
        the title index is only built once a story with a new id comes along.
        """
        same_id = self._by_id.get(item.id)
        if same_id is not None:
            return same_id
        return find_duplicate(item, self.candidates(item))

    def add(self, item: NewsItem) -> None:
        """Hold ``item``, replacing the one with the same id (its old title is forgotten)."""
        old = self._by_id.get(item.id)
        if old is not None:
            self._forget_title(old)
        self._by_id[item.id] = item
        if self._by_title is not None:
            self._by_title.setdefault(item.title_key, []).append(item.id)
        self._sorted = None

    def remove(self, item_id: str) -> NewsItem | None:
        """Stop holding the item with this id; returns it, or ``None`` if it was not held."""
        old = self._by_id.pop(item_id, None)
        if old is not None:
            self._forget_title(old)
            self._sorted = None
        return old

    def _titles(self) -> dict[str, list[str]]:
        if self._by_title is None:
            index: dict[str, list[str]] = {}
            for item in self._by_id.values():
                index.setdefault(item.title_key, []).append(item.id)
            self._by_title = index
        return self._by_title

    def _forget_title(self, item: NewsItem) -> None:
        if self._by_title is None:
            return
        ids = self._by_title.get(item.title_key)
        if ids is not None and item.id in ids:
            ids.remove(item.id)
            if not ids:
                del self._by_title[item.title_key]
