"""Copy a whole library into another: items, digests, settings and send logs.

:func:`copy_library` works over two :class:`composer.repository.Library` objects,
whatever keeps them (a TinyDB file, a PostgreSQL database), so that a team can move
its library to a database and back without loss. The digests, settings and send logs
cross as the JSON dictionaries the backends keep, unread (this package knows nothing
of digests or email). What is written, in this order:

* the items, in one :meth:`~composer.repository.Library.add_items` batch;
* each digest, with :meth:`~composer.repository.Library.save_digest` keeping who saved it
  last and when (``keep_saver``);
* the settings, in one :meth:`~composer.repository.Library.update_settings`;
* each digest's send log, in one :meth:`~composer.repository.Library.record_send`,
  then :meth:`~composer.repository.Library.compact_send_log`.

A destination that holds anything (an item, a digest, a setting, a send log) is
refused before anything is written (:class:`DestinationNotEmptyError`), unless the
copy merges: then the items go through the destination's duplicate rule, a digest or
a send log whose id the destination has is left out unless the two are identical, and
only the settings the destination lacks are added (key by key, at the top level).
Everything is planned before the first write. A copied digest keeps the source's
``updated_by`` and ``updated_at`` (who saved it last, and when); its ``version`` is the
destination's count of its saves, so it starts again at 1 there (of
:data:`composer.repository.DIGEST_STAMP`, only the version is the destination's). A
password is never copied: settings hold none (the keychain does), and any key that
looks like one is left out and named.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Literal

from composer.errors import LibraryError
from composer.repository import DIGEST_STAMP, JSONDict, Library

Kind = Literal["item", "digest", "setting", "send log"]

#: Setting keys that would hold a password or a secret: never copied.
_SECRET_KEY = re.compile(r"pass(word|wd|phrase)|secret", re.IGNORECASE)


class DestinationNotEmptyError(LibraryError):
    """The destination holds something already, and the copy was not told to merge."""

    def __init__(self, location: str, contents: list[str]) -> None:
        super().__init__(
            f"the library {location} is not empty (it holds {_join(contents)}); nothing "
            "was copied: copy into a new, empty library, or merge into this one"
        )
        self.location = location
        self.contents = contents


@dataclasses.dataclass(frozen=True)
class Skipped:
    """Something of the source that was not copied, and why."""

    kind: Kind
    name: str
    reason: str


@dataclasses.dataclass
class CopyReport:
    """What :func:`copy_library` copied (counts per kind) and what it left out."""

    source: str
    destination: str
    merge: bool
    items: int = 0
    digests: int = 0
    settings: list[str] = dataclasses.field(default_factory=list)
    send_logs: int = 0
    send_entries: int = 0
    skipped: list[Skipped] = dataclasses.field(default_factory=list)

    @property
    def refused(self) -> list[Skipped]:
        """What was left out because the destination holds something else under its name."""
        return [s for s in self.skipped if s.reason.startswith(_DIFFERENT)]

    def lines(self) -> list[str]:
        """The report in words, one line each, for the command line."""
        verb = "Merged" if self.merge else "Copied"
        out = [
            f"{verb} {self.source} into {self.destination}:",
            f"  {_count(self.items, 'item')}",
            f"  {_count(self.digests, 'digest')}{_KEPT[min(self.digests, 2)]}",
            f"  {_count(len(self.settings), 'setting')}"
            + (f" ({', '.join(self.settings)})" if self.settings else ""),
            f"  {_count(self.send_logs, 'send log')} "
            f"({_count(self.send_entries, 'recipient entry', 'recipient entries')})",
        ]
        if self.skipped:
            out.append(f"Left out ({len(self.skipped)}):")
            out.extend(
                f"  {s.name if s.kind == 'item' else f'{s.kind} {s.name}'}: {s.reason}"
                for s in self.skipped
            )
        return out


_DIFFERENT = "the destination has a different"

#: What a copied digest keeps, after its count (none, one, several).
_KEPT = (
    "",
    " (it keeps who saved it last and when; its version starts again at 1 here)",
    " (each keeps who saved it last and when; its version starts again at 1 here)",
)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def contents(library: Library) -> list[str]:
    """What ``library`` holds, in words (``["3 items", "the settings smtp, theme"]``); ``[]``
    when it is empty."""
    found: list[str] = []
    if items := library.items():
        found.append(_count(len(items), "item"))
    if digests := library.digests():
        found.append(_count(len(digests), "digest"))
    if settings := library.settings():
        found.append(f"the setting{'s' if len(settings) != 1 else ''} {', '.join(settings)}")
    if logs := library.send_log_ids():
        found.append(f"the send log{'s' if len(logs) != 1 else ''} of {', '.join(logs)}")
    return found


def unstamped(digest: Mapping[str, Any]) -> JSONDict:
    """The digest without the :data:`~composer.repository.DIGEST_STAMP` keys its store set
    (who saved which version, when): a copy's version is the destination's own, so two
    digests are identical when all but these are."""
    return {key: value for key, value in digest.items() if key not in DIGEST_STAMP}


def check_source(source: Library) -> None:
    """Refuse a source that holds nothing: a mistyped path opens an empty library."""
    if not contents(source):
        raise LibraryError(
            f"the library {source.location} holds nothing to copy (no item, digest, setting "
            "or send log): is it the right one? Nothing was written"
        )


def without_secrets(value: Any, path: str = "") -> tuple[Any, list[str]]:
    """``value`` without the keys that look like a password, and the dotted names left out."""
    if isinstance(value, Mapping):
        kept: JSONDict = {}
        dropped: list[str] = []
        for key, inner in value.items():
            name = f"{path}.{key}" if path else str(key)
            if _SECRET_KEY.search(str(key)):
                dropped.append(name)
                continue
            kept[key], inner_dropped = without_secrets(inner, name)
            dropped.extend(inner_dropped)
        return kept, dropped
    if isinstance(value, list):
        cleaned = [without_secrets(inner, f"{path}[{n}]") for n, inner in enumerate(value)]
        return [c[0] for c in cleaned], [name for c in cleaned for name in c[1]]
    return value, []


@dataclasses.dataclass
class _Plan:
    """What will be written, decided before the first write."""

    digests: list[JSONDict] = dataclasses.field(default_factory=list)
    settings: JSONDict = dataclasses.field(default_factory=dict)
    send_logs: dict[str, list[JSONDict]] = dataclasses.field(default_factory=dict)


def copy_library(source: Library, destination: Library, *, merge: bool = False) -> CopyReport:
    """Copy everything ``source`` holds into ``destination``; the report says what was done.

    Raises :class:`DestinationNotEmptyError` (nothing written) when the destination
    holds anything and ``merge`` is false, and :class:`LibraryError` when the source
    holds nothing (a mistyped path opens an empty library), when the two are one
    library, or when the destination was opened read-only.
    """
    if destination.read_only:
        raise LibraryError(f"the library {destination.location} was opened read-only")
    if source.location == destination.location:
        raise LibraryError(f"{source.location} is both the source and the destination of the copy")
    check_source(source)
    _check_nobody_sends(source)
    if merge:
        _check_nobody_sends(destination)
    if not merge and (found := contents(destination)):
        raise DestinationNotEmptyError(destination.location, found)
    report = CopyReport(source.location, destination.location, merge)
    plan = _plan(source, destination, report)
    added = destination.add_items(source.items())
    report.items = len(added.new)
    if added.existing:
        report.skipped.append(
            Skipped(
                "item",
                _count(len(added.existing), "item"),
                "the destination has these stories already (the same id, or the same title "
                "and date)",
            )
        )
    for digest in plan.digests:
        destination.save_digest(digest, keep_saver=True)
    report.digests = len(plan.digests)
    if plan.settings:
        destination.update_settings(plan.settings)
    report.settings = list(plan.settings)
    for digest_id, entries in plan.send_logs.items():
        destination.record_send(entries)
        destination.compact_send_log(digest_id)
        report.send_logs += 1
        report.send_entries += len(entries)
    return report


def _check_nobody_sends(library: Library) -> None:
    """Refuse while a digest of ``library`` is being sent: its send log would be copied (or
    merged into) half-way, as the send goes on writing it."""
    for digest_id in library.send_log_ids():
        if senders := library.senders(digest_id):
            raise LibraryError(
                f"the digest {digest_id} in {library.location} is being sent now by "
                f"{senders[0].describe()}; copy the library once the send has finished"
            )


def _plan(source: Library, destination: Library, report: CopyReport) -> _Plan:
    plan = _Plan()
    refused_digests: set[str] = set()
    for digest in source.digests():
        digest_id = digest.get("id")
        if not isinstance(digest_id, str) or not digest_id:
            report.skipped.append(Skipped("digest", repr(digest_id), "it has no usable id"))
            continue
        there = destination.get_digest(digest_id) if report.merge else None
        if there is None:
            plan.digests.append(digest)
        elif unstamped(there) == unstamped(digest):
            report.skipped.append(Skipped("digest", digest_id, "the destination has it already"))
        else:
            refused_digests.add(digest_id)
            report.skipped.append(
                Skipped("digest", digest_id, f"{_DIFFERENT} digest with this id; kept as it is")
            )
    settings, secrets = without_secrets(source.settings())
    for name in secrets:
        report.skipped.append(
            Skipped("setting", name, "a password is never copied (it belongs in the keychain)")
        )
    theirs = destination.settings() if report.merge else {}
    for key, value in settings.items():
        if key not in theirs:
            plan.settings[key] = value
        elif theirs[key] != value:
            report.skipped.append(
                Skipped("setting", key, "the destination has its own; kept as it is")
            )
    for digest_id in source.send_log_ids():
        _plan_send_log(source, destination, digest_id, refused_digests, plan, report)
    return plan


def _plan_send_log(
    source: Library,
    destination: Library,
    digest_id: str,
    refused_digests: set[str],
    plan: _Plan,
    report: CopyReport,
) -> None:
    entries = [  # an entry names its digest (the protocol's key); one that names none is its log's
        {**entry, "digest_id": digest_id}
        for entry in source.send_log(digest_id)
        if entry.get("digest_id") in (None, digest_id)
    ]
    if not entries:
        return
    theirs = destination.send_log(digest_id) if report.merge else []
    if digest_id in refused_digests:
        report.skipped.append(Skipped("send log", digest_id, "its digest was left out (see above)"))
    elif not theirs:
        plan.send_logs[digest_id] = entries
    elif _by_recipient(theirs) == _by_recipient(entries):
        report.skipped.append(Skipped("send log", digest_id, "the destination has it already"))
    else:
        report.skipped.append(
            Skipped(
                "send log",
                digest_id,
                f"{_DIFFERENT} send log for this digest; kept as it is (merging two logs "
                "could send someone the digest twice)",
            )
        )


def _by_recipient(entries: list[JSONDict]) -> dict[str, JSONDict]:
    return {str(entry.get("recipient")): entry for entry in entries}
