"""The send log's states and the journal a send records them in.

A list send records each recipient's state through a :class:`Journal`: the
library's send log (:class:`LibraryJournal`, one durable record per state change,
appended by the store and folded into the digest's summary at the end of a run)
or memory for test sends (:class:`MemoryJournal`). The states:

``queued``
    to be sent; written for every recipient of the run before the first message.
``sending``
    written after the server accepted the recipient (RCPT) and before ``DATA``
    starts.
``sent``
    written right after the server's 250 reply, before the next message starts.
``failed``
    a permanent refusal (5xx), or temporary ones (4xx, a dropped connection
    before ``DATA``) that persisted through every retry; with the SMTP code and text.
``uncertain``
    the connection was lost between the end of ``DATA`` and the server's reply,
    or the process died there (a ``sending`` entry found when resuming). SMTP
    cannot tell whether the message was accepted, so it is not sent again
    unless asked (``retry_uncertain``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from composer.errors import NewsdigestError
from composer.recipients import Recipient
from composer.repository import Holder, JSONDict, Library, SendSession

log = logging.getLogger(__name__)

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
UNCERTAIN = "uncertain"
STATES = (QUEUED, SENDING, SENT, FAILED, UNCERTAIN)
#: The count of entries in none of :data:`STATES` (hand-edited, or a newer version's).
UNKNOWN = "unknown"
#: The states of a recipient who may have received the digest without a recorded reply.
MAYBE_SENT = (SENDING, UNCERTAIN)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# -- the send log ----------------------------------------------------------------------------------
class Journal(Protocol):
    """Where recipients' states are kept: the library's send log, or memory for test sends."""

    def entries(self) -> dict[str, JSONDict]:
        """Every recipient's latest entry (read in one pass)."""
        ...

    def states(self) -> dict[str, str]:
        """Every recipient's state alone (lighter than :meth:`entries`)."""
        ...

    def record(self, entries: Sequence[JSONDict], *, only_new: bool = False) -> None:
        """Durable before it returns; costs the same whatever the log's size.

        ``only_new``: recipients the log already has are left out (a run that joined).
        """
        ...

    def claim(self, entry: JSONDict) -> bool:
        """Take the recipient (``entry``: its ``sending`` state) before its message is built.

        False: another sender has it or has dealt with it (skip them). See
        :meth:`composer.repository.Library.claim_send`.
        """
        ...

    def mark(self) -> Hashable | None:
        """Changes whenever the log does (``None``: cannot tell; plan again always)."""
        ...

    def hold(self, holder: Holder) -> AbstractContextManager[SendSession]:
        """Held for a whole run: a second run of the same digest is refused, or joins."""
        ...

    def senders(self) -> list[Holder]:
        """Who is sending this digest now, elsewhere ([] if nobody)."""
        ...

    def finish(self) -> None:
        """The run is over: fold what it recorded into the log's summary."""
        ...


class LibraryJournal:
    """The durable send log of one digest in the library."""

    def __init__(self, library: Library, digest_id: str) -> None:
        self.library = library
        self.digest_id = digest_id

    def entries(self) -> dict[str, JSONDict]:
        return {
            str(e["recipient"]): e
            for e in self.library.send_log(self.digest_id)
            if isinstance(e.get("recipient"), str)
        }

    def states(self) -> dict[str, str]:
        return self.library.send_states(self.digest_id)

    def record(self, entries: Sequence[JSONDict], *, only_new: bool = False) -> None:
        if entries:
            self.library.record_send(entries, only_new=only_new)

    def claim(self, entry: JSONDict) -> bool:
        return self.library.claim_send(entry)

    def mark(self) -> Hashable | None:
        return self.library.send_log_mark(self.digest_id)

    def hold(self, holder: Holder) -> AbstractContextManager[SendSession]:
        return self.library.send_lock(self.digest_id, holder)

    def senders(self) -> list[Holder]:
        return self.library.senders(self.digest_id)

    def finish(self) -> None:
        try:
            self.library.compact_send_log(self.digest_id)
        except NewsdigestError as exc:  # the journal still holds every state: nothing is lost
            log.warning("the send log of %s was not compacted: %s", self.digest_id, exc)


class MemoryJournal:
    """States kept for this run only (test sends never touch the send log)."""

    def __init__(self) -> None:
        self._entries: dict[str, JSONDict] = {}

    def entries(self) -> dict[str, JSONDict]:
        return {k: dict(v) for k, v in self._entries.items()}

    def states(self) -> dict[str, str]:
        return {k: str(v.get("state") or "") for k, v in self._entries.items()}

    def record(self, entries: Sequence[JSONDict], *, only_new: bool = False) -> None:
        for entry in entries:
            key = str(entry["recipient"])
            if only_new and key in self._entries:
                continue
            self._entries[key] = {**self._entries.get(key, {}), **entry}

    def claim(self, entry: JSONDict) -> bool:
        return True  # one run, alone

    def mark(self) -> Hashable | None:
        return None

    def hold(self, holder: Holder) -> AbstractContextManager[SendSession]:
        return contextlib.nullcontext(SendSession())

    def senders(self) -> list[Holder]:
        return []

    def finish(self) -> None:
        pass


def log_counts(entries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many entries are in each state (every state present, zeros included).

    An entry in none of :data:`STATES` counts under :data:`UNKNOWN`, so that the counts
    always add up to the log's size.
    """
    counts = dict.fromkeys((*STATES, UNKNOWN), 0)
    for entry in entries:
        state = str(entry.get("state", ""))
        counts[state if state in STATES else UNKNOWN] += 1
    return counts


def describe_counts(counts: Mapping[str, int]) -> str:
    """``"120 sent, 3 failed, 1 uncertain, 1,110 queued"`` (states with a count only).

    Entries in an unknown state end it: ``"…, 1 in an unknown state"``.
    """
    order = (SENT, FAILED, UNCERTAIN, SENDING, QUEUED)
    parts = [f"{counts[s]:,} {s}" for s in order if counts.get(s)]
    if counts.get(UNKNOWN):
        parts.append(f"{counts[UNKNOWN]:,} in an unknown state")
    return ", ".join(parts) or "nothing"


@dataclasses.dataclass(frozen=True)
class SendLogSummary:
    """A send log counted: who was sent to, failed, may have received it, is still queued.

    The one "uncertain" rule: a recipient is uncertain when the log says ``uncertain``,
    or ``sending`` (a run died between handing over the message and the server's
    reply): either may have received the digest (:data:`MAYBE_SENT`). An entry in an
    unknown state is counted (:attr:`unknown`) and taken as maybe reached, but a retry of
    the uncertain does not send to it (the planner's rule).
    """

    #: How many entries are in each state (every state present, and :data:`UNKNOWN`).
    counts: Mapping[str, int] = dataclasses.field(
        default_factory=lambda: dict.fromkeys((*STATES, UNKNOWN), 0)
    )

    @classmethod
    def of(cls, entries: Iterable[Mapping[str, Any]]) -> SendLogSummary:
        """The summary of these send-log entries."""
        return cls(log_counts(entries))

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> SendLogSummary:
        return cls({state: int(counts.get(state, 0)) for state in (*STATES, UNKNOWN)})

    @property
    def sent(self) -> int:
        return self.counts.get(SENT, 0)

    @property
    def failed(self) -> int:
        return self.counts.get(FAILED, 0)

    @property
    def queued(self) -> int:
        return self.counts.get(QUEUED, 0)

    @property
    def sending(self) -> int:
        """Left ``sending`` by a run that stopped mid-message (counted in :attr:`uncertain`)."""
        return self.counts.get(SENDING, 0)

    @property
    def uncertain(self) -> int:
        """May have received it: ``uncertain`` or ``sending`` entries."""
        return sum(self.counts.get(state, 0) for state in MAYBE_SENT)

    @property
    def unknown(self) -> int:
        """In none of the known states (hand-edited, or a newer version's): never sent again."""
        return self.counts.get(UNKNOWN, 0)

    @property
    def reached(self) -> int:
        """Sent to, or may have been: whoever a second send of the same news would reach twice."""
        return self.sent + self.uncertain + self.unknown

    @property
    def started(self) -> bool:
        """Anything at all in the log: a run of this digest began before."""
        return any(self.counts.values())

    def describe(self) -> str:
        return describe_counts(self.counts)


def recipient_from_entry(entry: Mapping[str, Any]) -> Recipient:
    key = str(entry["recipient"])
    return Recipient(key, str(entry.get("address") or key), str(entry.get("name") or ""))


def make_entry(digest_id: str, recipient: Recipient, state: str, **fields: Any) -> JSONDict:
    stamp = now_iso()
    entry: JSONDict = {
        "digest_id": digest_id,
        "recipient": recipient.key,
        "address": recipient.ascii_address,
        "name": recipient.name,
        "state": state,
        "updated_at": stamp,
    }
    entry.update(fields)
    return entry
