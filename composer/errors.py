"""The errors Newsdigest reports to people: each says what is wrong and where.

Every error the user can cause derives from :class:`NewsdigestError`; the CLI
and the GUI show its message as it is, never a traceback.
"""

from __future__ import annotations

import datetime as dt


class NewsdigestError(Exception):
    """A problem the user can understand and act on."""


class ValidationError(NewsdigestError):
    """A field of a news item (or of a digest) has a value we cannot accept."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class ImpossibleDateError(ValidationError):
    """A date that is written as one but does not exist (30 February 2023)."""


class SourceError(NewsdigestError):
    """A whole import source is unusable: wrong format, unreadable, too large."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class LibraryError(NewsdigestError):
    """The library file cannot be opened, read or written."""


class LibraryUnreachableError(LibraryError):
    """The library's server cannot be reached (down, offline, no route): worth a retry.

    ``reason`` says why in words ("nothing answers at the server's address and port…");
    the message is the whole error, with the driver's own words.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class LibraryPasswordError(LibraryError):
    """The library's server refused the password of its role.

    ``source`` names where the password came from, in words ("the environment variable
    PGPASSWORD", "the password file /home/ann/.pgpass", "the system keychain (…)", "the
    url itself"); the message says it too, and how to change it there. Never the password.
    """

    def __init__(self, message: str, source: str) -> None:
        super().__init__(message)
        self.source = source


class LibraryLockedError(LibraryError):
    """Another process holds the library open for writing."""


class DigestConflictError(LibraryError):
    """A save of a digest refused: it was saved by someone else since it was opened.

    ``version``, ``updated_by`` and ``updated_at`` are the stored digest's (the newer
    one, kept as it is); ``expected`` is the version the refused save was based on.
    """

    def __init__(
        self,
        digest_id: str,
        title: str,
        *,
        version: int,
        expected: int,
        updated_by: str = "",
        updated_at: str = "",
    ) -> None:
        self.digest_id = digest_id
        self.title = title
        self.version = version
        self.expected = expected
        self.updated_by = updated_by
        self.updated_at = updated_at
        who = updated_by or "another window or command"
        when = _when(updated_at)
        super().__init__(
            f"the digest \u201c{title or digest_id}\u201d was changed by {who}{when} since you "
            "opened it; your save was refused, their version is kept"
        )


def _when(stamp: str) -> str:
    """`` at 16:03`` (today, local time), `` on 2023-02-01 at 16:03``, or ``""``."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return ""
    local = moment.astimezone() if moment.tzinfo else moment
    if local.date() == dt.datetime.now(local.tzinfo).date():
        return f" at {local:%H:%M}"
    return f" on {local:%Y-%m-%d} at {local:%H:%M}"


class SendLockedError(NewsdigestError):
    """Another run is sending the same digest (its holder is named in the message)."""


class SendError(NewsdigestError):
    """A problem that stops a send; everyone not yet sent stays queued for a resume."""
