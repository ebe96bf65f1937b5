"""The errors Newsdigest reports to people: each says what is wrong and where.

Every error the user can cause derives from :class:`NewsdigestError`; the CLI
and the GUI show its message as it is, never a traceback.
"""

from __future__ import annotations


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


class LibraryLockedError(LibraryError):
    """Another process holds the library open for writing."""


class SendLockedError(NewsdigestError):
    """Another run is sending the same digest (its holder is named in the message)."""


class SendError(NewsdigestError):
    """A problem that stops a send; everyone not yet sent stays queued for a resume."""
