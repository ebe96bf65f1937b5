"""Nothing typed is lost: an edit the library could not take is kept, and offered again.

:class:`UnsavedKeeper` watches the window's digest document. When a save is refused by
the library (a :class:`~composer.errors.LibraryError`: the team server went away, a
share dropped; never a version conflict, which has its own choice, though an answer to
it the library then could not take counts), the digest as it was to be saved is kept on
this computer (:mod:`composer.digest.unsaved`: what is kept, where, its file) and the
status bar says so. A later save of that digest that succeeds (the server is back, the
next autosave) drops the kept copy: it is in the library now.

Closing the window after a failed save asks first, in words that say what will happen
(:meth:`UnsavedKeeper.close_question`): the edit kept on this computer and offered again
the next time this library opens, or, only when it could not be kept either, lost.

The next time the window opens that library, :meth:`UnsavedKeeper.offer` asks about each
kept edit (:func:`offer_box`): **Save it now** (an ordinary save based on the version
the edit started from: a newer stored version brings up the reload-or-copy choice of
:mod:`ui.digest_conflict`), **Keep it as a copy** (a new digest beside the stored one),
**Discard**, or **Not now** (offered again next time; closing the box is the same).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from composer.digest.editing import duplicate_digest, shorten
from composer.digest.model import Digest
from composer.digest.unsaved import KeptEdit, UnsavedEdits
from composer.errors import DigestConflictError, LibraryError

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("newsdigest.window")

OfferChoice = Literal["save", "copy", "discard", "later"]
SAVE, COPY, DISCARD, LATER = "save", "copy", "discard", "later"
KEPT_MS = 20_000


def offer_box(kept: KeptEdit, parent: QWidget | None = None) -> QMessageBox:
    """The question about one kept edit; each button's ``objectName`` is its choice."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "An edit was kept on this computer",
        kept.question(),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("unsaved-edit-offer")
    box.setInformativeText(
        "It has been kept on this computer since. Save it now stores it in the library "
        "(if someone saved the digest meanwhile, you choose between their version and "
        "yours); Keep it as a copy saves it as a new digest beside the stored one; "
        "Discard throws it away. Not now asks again the next time this library opens."
    )
    box.setDetailedText(f"Why the save failed: {kept.reason}\n\nKept in: {kept.path}")
    save = box.addButton("Save it now", QMessageBox.ButtonRole.AcceptRole)
    save.setObjectName(SAVE)
    copy = box.addButton("Keep it as a copy", QMessageBox.ButtonRole.ActionRole)
    copy.setObjectName(COPY)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    discard.setObjectName(DISCARD)
    later = box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    later.setObjectName(LATER)
    box.setDefaultButton(save)
    box.setEscapeButton(later)
    return box


def choice_of(box: QMessageBox) -> OfferChoice:
    """What was chosen in ``box`` (closed without a choice: not now)."""
    clicked = box.clickedButton()
    name = clicked.objectName() if clicked is not None else LATER
    return name if name in (SAVE, COPY, DISCARD) else LATER  # type: ignore[return-value]


def ask_offer(kept: KeptEdit, parent: QWidget | None = None) -> OfferChoice:
    box = offer_box(kept, parent)
    box.exec()
    return choice_of(box)


class UnsavedKeeper(QObject):
    """Keeps the open digest's edit when the library refuses it; offers kept edits again."""

    def __init__(self, window: MainWindow, edits: UnsavedEdits | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.edits = edits if edits is not None else UnsavedEdits()
        #: Asks about one kept edit (tests replace it to answer).
        self.ask: Callable[[KeptEdit], OfferChoice] = lambda kept: ask_offer(kept, window)
        #: Per digest id, the edit kept after this window's latest failed save of it.
        self._kept_now: dict[str, KeptEdit] = {}
        document = window.document
        document.save_failed.connect(self.keep)
        document.saved.connect(self._saved)

    @property
    def location(self) -> str:
        return str(self.window.library.location)

    def keep(self, digest: Digest, error: BaseException) -> KeptEdit | None:
        """The library refused ``digest``: keep it here and say so (not for a conflict)."""
        self._kept_now.pop(digest.id, None)  # an older kept copy lacks this edit
        if not isinstance(error, LibraryError) or isinstance(error, DigestConflictError):
            return None
        title = shorten(digest.title or digest.id, 60)
        try:
            kept = self.edits.keep(self.location, digest, str(error))
        except OSError as exc:
            log.exception("the unsaved digest %s could not be kept either", digest.id)
            self.window.show_problem(
                f"The digest \u2018{title}\u2019 could not be saved, and could not be kept on "
                f"this computer either ({exc}); leave the window open and try again later."
            )
            return None
        self.window.statusBar().showMessage(
            f"The library cannot be reached: your edit of \u2018{title}\u2019 is kept on this "
            "computer and will be saved when the library is back.",
            KEPT_MS,
        )
        self._kept_now[digest.id] = kept
        return kept

    def _saved(self) -> None:
        digest = self.window.document.digest
        if digest is not None:
            self._kept_now.pop(digest.id, None)
            self.edits.forget(self.location, digest.id)

    def kept_now(self, digest_id: str) -> KeptEdit | None:
        """The edit kept by the latest failed save of ``digest_id`` here, if it is on disk."""
        if digest_id not in self._kept_now:
            return None
        return self.edits.get(self.location, digest_id)

    def close_question(self) -> tuple[str, str]:
        """The title and text of the question before closing when the digest was not saved."""
        digest = self.window.document.digest
        if digest is not None and self.kept_now(digest.id) is not None:
            return (
                "Close the window?",
                "The digest could not be saved to the library (see the message). Your "
                "changes are kept on this computer and offered again the next time this "
                "library opens. Close the window?",
            )
        return (
            "Close and lose the changes?",
            "The digest could not be saved (see the message), and your last changes could "
            "not be kept on this computer either. Close anyway and lose them?",
        )

    def kept(self) -> list[KeptEdit]:
        """The edits kept for the window's library, the oldest first."""
        return self.edits.kept(self.location)

    def offer(self) -> list[OfferChoice]:
        """Ask about each edit kept for this library, and do what was chosen; the choices."""
        for problem in self.edits.problems(self.location):
            log.warning("a kept edit cannot be offered: %s", problem)
        choices: list[OfferChoice] = []
        for kept in self.kept():
            choice = self.ask(kept)
            choices.append(choice)
            self.carry_out(kept, choice)
        return choices

    def carry_out(self, kept: KeptEdit, choice: OfferChoice) -> bool:
        """Do ``choice`` with ``kept``; True when the kept copy is done with (and removed)."""
        if choice == LATER:
            return False
        if choice == DISCARD:
            log.info("the kept edit of %s was discarded", kept.digest_id)
            return self.edits.forget(self.location, kept.digest_id)
        document = self.window.document
        if choice == SAVE:
            digest = kept.digest
        else:
            digest = duplicate_digest(kept.digest, f"{kept.title} (kept copy)")
        document.open(digest, save=True)  # a refused save over a newer version: the choice
        if document.dirty:  # the library still cannot take it: kept again, offered next time
            return False
        self.edits.forget(self.location, kept.digest_id)
        shown = shorten(kept.title, 60)
        done = "saved" if choice == SAVE else "saved as a copy"
        self.window.statusBar().showMessage(
            f"Your kept edit of \u2018{shown}\u2019 was {done}", 8000
        )
        return True
