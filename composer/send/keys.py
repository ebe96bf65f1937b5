"""Some of a run's recipients, read from its plan without copying: what keeps a report small.

A run's report says who was sent to and who is still queued. At 50,000 recipients a
list of their keys is 400 KB more for each, built while the run goes: instead,
:class:`Marks` keeps one bit per recipient of the plan, and :class:`RecipientKeys`
reads the keys back from the plan's own list when asked (a :class:`range` of the list's
rest costs nothing whatever its length).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import overload

from composer.recipients import Recipient


class RecipientKeys(Sequence[str]):
    """Some of a run's recipients, by key, read from the plan's list: a view, never a copy.

    ``parts`` are indices into ``recipients``, in order (a :class:`range` costs nothing
    whatever its length). Equal to any sequence of the same keys (``== ["a@x.org"]``).
    """

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, recipients: Sequence[Recipient], *parts: Sequence[int]) -> None:
        self._recipients = recipients
        self._parts = parts

    def __len__(self) -> int:
        return sum(len(part) for part in self._parts)

    def __iter__(self) -> Iterator[str]:
        return (self._recipients[i].key for i in itertools.chain.from_iterable(self._parts))

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return list(self)[index]
        position = index + len(self) if index < 0 else index
        for part in self._parts:
            if 0 <= position < len(part):
                return self._recipients[part[position]].key
            position -= len(part)
        raise IndexError(index)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __repr__(self) -> str:
        shown = list(itertools.islice(self, 10))
        more = f", … {len(self) - 10:,} more" if len(self) > 10 else ""
        return f"RecipientKeys({shown!r}{more})"


class Marks(Sequence[int]):
    """The indices of a run's recipients something happened to: one bit each, in order."""

    def __init__(self, size: int) -> None:
        self._bits = bytearray((size + 7) // 8)
        self._count = 0

    def add(self, index: int) -> None:
        byte, bit = divmod(index, 8)
        if not self._bits[byte] & (1 << bit):
            self._bits[byte] |= 1 << bit
            self._count += 1

    def __contains__(self, index: object) -> bool:
        if not isinstance(index, int) or not 0 <= index < len(self._bits) * 8:
            return False
        byte, bit = divmod(index, 8)
        return bool(self._bits[byte] & (1 << bit))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        for byte, value in enumerate(self._bits):
            if value:
                yield from (byte * 8 + bit for bit in range(8) if value & (1 << bit))

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        return list(self)[index]
