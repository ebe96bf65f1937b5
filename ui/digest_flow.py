"""The digest's life in the window: new, drafted, opened, saved, copied, renamed, deleted.

:class:`DigestFlow` carries out the File menu's digest actions and adding library items
to the open digest (each into its category's section), with the core planning each
edit (:mod:`composer.digest.editing`, :mod:`composer.digest.drafting`; saved digests are
listed and loaded by :mod:`composer.digest.listing`) and the
:class:`~ui.document.DigestDocument` holding, undoing and saving it. When a digest
opens or changes it updates what follows it: the actions that need a digest, the
library's marks on the items in it, the window title, the preview; the library's
last digest is remembered (:data:`ui.window_settings.LAST_DIGEST`) and reopened on the
next start. After an unexpected error it saves the open digest
(:meth:`DigestFlow.save_after_crash`).

On a shared library, other officers' changes come in (:mod:`ui.live_refresh`,
:meth:`DigestFlow.changed_elsewhere`): the open digest, when someone saved a newer version
of it, is reloaded quietly if nothing here is unsaved (the status bar says who changed it
and when), else a notice over the editor (:class:`~ui.digest_dialogs.ChangedNotice`) offers
Reload or Keep mine as a copy, carried out by the document's own conflict path
(:meth:`DigestFlow.resolve_now`). While the notice is up the document's autosave is held
(:meth:`ui.document.DigestDocument.hold_autosave`): typing goes on, unsaved, and no
autosave is refused and asked about in a box; the answer applies to every edit made
until then. Closing the notice (×) releases the hold: the next autosave is refused and
asks, as any save over a newer version. An Open dialog on screen lists the digests again. The
status bar always says who changed the open digest last, and when (the library's stamp).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QBoxLayout, QInputDialog, QLabel, QLineEdit

from composer.digest.drafting import draft_digest
from composer.digest.editing import (
    duplicate_digest,
    empty_digest,
    plan_add_items,
    plan_field,
    shorten,
)
from composer.digest.listing import load_digest, saved_digests
from composer.digest.model import Digest
from composer.errors import NewsdigestError, ValidationError
from composer.repository import JSONDict, LibraryChange, stored_version
from ui.digest_conflict import RELOAD, ConflictChoice
from ui.digest_dialogs import (
    ChangedNotice,
    DraftDialog,
    OpenDigestDialog,
    changed_line,
    when_label,
)
from ui.operations import Failure
from ui.window_actions import DIGEST_OPEN, needing
from ui.window_settings import LAST_DIGEST

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("newsdigest.window")


class DigestFlow(QObject):
    """The open digest's lifecycle, as the window's actions ask for it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.document = window.document
        #: The Open dialog while it is on screen (refilled when others change digests).
        self.open_dialog: OpenDigestDialog | None = None
        self.notice = ChangedNotice()
        self.notice.chosen.connect(self.resolve_now)
        self.notice.dismiss.clicked.connect(self.document.release_autosave)
        editor_layout = window.editor.layout()
        assert isinstance(editor_layout, QBoxLayout)
        editor_layout.insertWidget(0, self.notice)  # over the digest it is about
        #: Who changed the open digest last, and when (in the status bar).
        self.last_changed = QLabel()
        self.last_changed.setAccessibleName("Who changed the digest last")
        window.statusBar().addPermanentWidget(self.last_changed)
        self.document.saved.connect(self.read_stamp)
        self.document.saved.connect(self._saved)

    def _saved(self) -> None:
        """A save landed: the notice about unsaved edits is over (their digest was deleted)."""
        if not self.document.autosave_held:
            self.notice.hide()

    def _status(self, message: str, ms: int) -> None:
        self.window.statusBar().showMessage(message, ms)

    # -- new, draft, open -------------------------------------------------------------------------
    def new_digest(self, period: str | None = None) -> Digest:
        digest = empty_digest(self.window.theme, period)
        self.document.open(digest, save=True)
        self.window.editor.focus_field("title")
        return digest

    def draft_from_month(self, month: str | None = None) -> Digest | None:
        window = self.window
        items = window.library.items()
        title = None
        if month is None:
            counts: dict[str, int] = {}
            for item in items:
                counts[item.month] = counts.get(item.month, 0) + 1
            dialog = DraftDialog(sorted(counts.items(), reverse=True), window)
            if dialog.exec() != DraftDialog.DialogCode.Accepted:
                return None
            month = dialog.chosen_month()
            title = dialog.title.text().strip() or None
        try:
            digest = draft_digest(items, month, window.theme, title=title)
        except NewsdigestError as exc:
            window.show_problem(str(exc), title="Cannot draft the digest")
            return None
        self.document.open(digest, save=True)
        return digest

    def open_digest(self, digest_id: str | None = None) -> Digest | None:
        window = self.window
        if digest_id is None:
            dialog = self.open_dialog = OpenDigestDialog(saved_digests(window.library), window)
            try:
                accepted = dialog.exec() == OpenDigestDialog.DialogCode.Accepted
            finally:
                self.open_dialog = None
            if not accepted:
                return None
            digest_id = dialog.chosen_id()
            if digest_id is None:
                return None
        try:
            digest = load_digest(window.library, digest_id)
        except ValidationError as exc:
            window.show_problem(f"The digest {digest_id} cannot be opened: {exc}")
            return None
        if digest is None:
            window.show_problem(f"There is no digest {digest_id} in this library.")
            return None
        self.document.open(digest)
        return digest

    def reopen_last(self) -> None:
        """Open the digest that was open when the window last closed on this library."""
        window = self.window
        last = LAST_DIGEST.of(window.library_key).read(window.settings)
        if last and window.library.get_digest(last) is not None:
            self.open_digest(last)

    # -- save, duplicate, rename, delete ----------------------------------------------------------
    def save_digest(self) -> bool:
        self.window.editor.flush()
        self.document.dirty = self.document.dirty or self.document.autosave_pending
        saved = self.document.save()
        if saved and self.document.digest is not None:
            self._status("Digest saved", 3000)
        return saved

    def duplicate_digest(self) -> Digest | None:
        digest = self.document.digest
        if digest is None:
            return None
        self.save_digest()
        copy = duplicate_digest(digest)
        self.document.open(copy, save=True)
        self._status(f"Opened a copy: {copy.title}", 5000)
        return copy

    def rename_digest(self, title: str | None = None) -> bool:
        digest = self.document.digest
        if digest is None:
            return False
        if title is None:
            text, ok = QInputDialog.getText(
                self.window, "Rename digest", "Title:", QLineEdit.EchoMode.Normal, digest.title
            )
            if not ok:
                return False
            title = text
        try:
            operation = plan_field(digest, "title", title)
        except ValidationError as exc:
            self.window.show_problem(str(exc), title="Cannot rename the digest")
            return False
        return operation is None or self.document.submit([operation], text="rename digest")

    def delete_digest(self, confirm: bool = True) -> bool:
        digest = self.document.digest
        if digest is None:
            return False
        if confirm and not self.window.confirm(
            "Delete digest",
            f"Delete the digest “{digest.title}” from the library? Its items stay in the "
            "library. This cannot be undone.",
        ):
            return False
        self.document.close_without_saving()
        try:
            self.window.library.remove_digest(digest.id)
        except NewsdigestError as exc:
            self.window.show_problem(f"The digest could not be deleted: {exc}")
            return False
        self._status(f"Deleted the digest “{digest.title}”", 5000)
        return True

    # -- adding library items ---------------------------------------------------------------------
    def add_selected_to_digest(self) -> bool:
        return self.add_to_digest(self.window.library_pane.selected_ids())

    def add_to_digest(self, ids: Sequence[str]) -> bool:
        """Add library items to the digest, each into its category's section."""
        lookup = self.document.lookup
        items = [lookup[i] for i in ids if i in lookup]
        if not items:
            return False
        if self.document.digest is None:
            months = {item.month for item in items}
            self.new_digest(months.pop() if len(months) == 1 else None)
        digest = self.document.digest
        assert digest is not None
        order = self.window.theme.category_order
        operations = plan_add_items(digest, items, lookup, order)
        if not operations:
            self._status("Those items are already in the digest", 4000)
            return False
        done = self.document.submit(operations)
        if done:
            first = next((i for i in items if not digest.contains(i.id)), None)
            if first is not None:
                self.window.editor.select_item(first.id)
        return done

    # -- what follows the open digest -------------------------------------------------------------
    def remember_open(self) -> None:
        """Keep the open digest's id: the next start on this library reopens it."""
        window = self.window
        digest = self.document.digest
        LAST_DIGEST.of(window.library_key).write(window.settings, digest.id if digest else "")

    def digest_opened(self, digest: Digest | None) -> None:
        self.notice.hide()  # about the digest open before (or answered: reloaded, copied)
        self.remember_open()
        self.window.settings.sync()  # a crash right after must still reopen this digest
        self.digest_changed()
        self.read_stamp()

    def digest_changed(self) -> None:
        window = self.window
        window.library_pane.mark_digest_items()
        self.update_title()
        has = self.document.digest is not None
        for action in needing(window.actions_by_name, DIGEST_OPEN):
            action.setEnabled(has)
        window.previewing.request_render()

    def update_title(self) -> None:
        digest = self.document.digest
        name = digest.title if digest else "no digest open"
        location = self.window.library.location
        self.window.setWindowTitle(f"{shorten(name, 60)} — Newsdigest — {location}")

    # -- who changed it, and changes made elsewhere ----------------------------------------------
    def read_stamp(self) -> None:
        """Show who changed the open digest last and when, as the library stamped it."""
        digest = self.document.digest
        if digest is None:
            self.last_changed.clear()
            return
        digest_id = digest.id
        self._read_digest(digest_id, lambda stored: self._show_stamp(digest_id, stored))

    def _read_digest(self, digest_id: str, then: Callable[[JSONDict | None], object]) -> None:
        """Read the stored digest on the library thread; ``then(stored)`` on this one."""
        library = self.window.library
        self.window.workers.library_op(
            lambda: library.get_digest(digest_id), parent=self, what="Reading the digest"
        ).success(then).failure(self._read_failed).run_in_background()

    def _read_failed(self, failure: Failure) -> None:
        self._status(f"The digest could not be read again: {failure.message}", 10000)

    def _show_stamp(self, digest_id: str, stored: JSONDict | None) -> None:
        digest = self.document.digest
        if digest is None or digest.id != digest_id or stored is None:
            return
        by, at = _stamp_of(stored)
        parts = [part for part in (by, when_label(at)) if part]
        self.last_changed.setText(f"Last changed by {', '.join(parts)}" if parts else "")
        self.last_changed.setToolTip(
            f"The library's version {stored_version(stored)} of this digest, saved at {at} "
            f"by {by or 'someone'}"
            if parts
            else ""
        )

    def changed_elsewhere(self, changes: Sequence[LibraryChange]) -> None:
        """Others changed digests: the open one is looked at again, an Open dialog refilled."""
        ids = {change.digest_id for change in changes}
        dialog = self.open_dialog
        if dialog is not None:
            library = self.window.library
            self.window.workers.library_op(
                lambda: saved_digests(library), parent=dialog, what="Listing the digests"
            ).success(dialog.refill).failure(self._read_failed).run_in_background()
        digest = self.document.digest
        if digest is not None and (digest.id in ids or "" in ids):  # "": any, after a gap
            digest_id = digest.id
            self._read_digest(digest_id, lambda stored: self._stored_elsewhere(digest_id, stored))

    def _stored_elsewhere(self, digest_id: str, stored: JSONDict | None) -> None:
        """The library's copy of the open digest, read after someone changed it."""
        document = self.document
        digest = document.digest
        if digest is None or digest.id != digest_id:
            return  # another digest was opened meanwhile
        if stored is None:
            self._status(
                "This digest was deleted from the library elsewhere; it stays open here, "
                "and your next change saves it again",
                15000,
            )
            return
        if stored_version(stored) <= digest.version:
            return  # nothing newer than what is open (our own save, or only a maybe)
        line = changed_line(*_stamp_of(stored))
        self.window.editor.flush()  # text typed a moment ago is an unsaved edit too
        if document.dirty or document.autosave_pending:
            document.hold_autosave()  # the notice asks; a refused autosave would ask again
            self.notice.show_change(
                f"{line}, and your changes here are not saved yet: they wait for your answer."
            )
            self._show_stamp(digest_id, stored)
            return
        try:
            theirs = Digest.from_dict(stored)
        except ValidationError as exc:
            self.window.show_problem(
                f"The digest {digest_id} was changed elsewhere and cannot be read: {exc}"
            )
            return
        document.open(theirs)  # nothing unsaved: nothing is written first
        self._status(f"{line} — reloaded", 15000)

    def resolve_now(self, choice: str) -> bool:
        """The notice's answer, carried out as the conflict box's would be.

        The edits are saved as usual; the library refuses them (a newer version is stored)
        and the document's conflict path (:meth:`ui.document.DigestDocument.save`) takes
        ``choice`` instead of asking: Reload shows their version, Keep mine saves these
        edits as a new digest, every edit made while the notice was up included. Should
        the library take the save after all (their digest was deleted meanwhile), the edits
        are simply saved: nothing is lost either way. Should the answer fail (the library
        away), the edits stay open, the autosave held, and the notice is shown again.
        """
        document = self.document
        if document.digest is None:
            return False
        self.window.editor.flush()
        answer: ConflictChoice = "reload" if choice == RELOAD else "keep"
        ask = document.resolve_conflict
        document.resolve_conflict = lambda conflict: answer
        try:
            document.dirty = True
            done = document.save()
        finally:
            document.resolve_conflict = ask
        if not done and document.autosave_held:
            self.notice.show()  # the edits still wait: the question stands
        shown = document.digest
        if done and shown is not None:
            self._status(
                "Reloaded their version"
                if answer == "reload"
                else f"Your changes are kept as a new digest, “{shorten(shown.title, 60)}”",
                10000,
            )
        return done

    # -- after an unexpected error ----------------------------------------------------------------
    def save_after_crash(self) -> str:
        """Save the open digest after an unexpected error; says what happened, for the user."""
        digest = self.document.digest
        if digest is None:
            return "No digest was open, so nothing needed saving."
        try:
            self.window.editor.flush()  # text typed but not yet pushed as an edit
        except Exception:
            log.exception("taking the text being typed after the error failed")
        title = shorten((self.document.digest or digest).title, 60)
        try:
            self.document.dirty = self.document.dirty or self.document.autosave_pending
            saved = self.document.save()
        except Exception as exc:
            log.exception("saving the digest after the error failed")
            return (
                f"The digest “{title}” could not be saved ({type(exc).__name__}: {exc}); "
                "the library keeps its last autosave, about a second before the error."
            )
        if not saved:
            return (
                f"The digest “{title}” could not be saved (see the other message); "
                "the library keeps its last autosave."
            )
        return f"Your digest “{title}” was saved before this message."


def _stamp_of(stored: JSONDict) -> tuple[str, str]:
    """Who saved a stored digest last, and when (ISO): the library's stamp."""
    return str(stored.get("updated_by") or ""), str(stored.get("updated_at") or "")
