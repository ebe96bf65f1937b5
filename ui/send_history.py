"""The Send dialog's view of earlier runs: what the send log says, and the choices it offers.

Before a list send: the send log's counts in words, "also send to the uncertain
recipients" (with their number) and "send again to". After a run: Resume,
Retry uncertain and Send again to failed, each shown with its count when there is
someone to send to. The counts, and who is uncertain, are the core's
(:class:`composer.send.journal.SendLogSummary`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QPushButton, QWidget

from composer.send import SendAgain
from composer.send.journal import SendLogSummary

SEND_AGAIN_CHOICES: tuple[tuple[str, SendAgain | None], ...] = (
    ("nobody who had it", None),
    ("recipients whose message failed", "failed"),
    ("everyone (they get it twice)", "all"),
)

#: ``follow_up(retry_uncertain=..., send_again=...)``: start a run over the send log.
FollowUp = Callable[..., bool]


def _button(text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class SendHistory:
    """The send log's counts, the options of a list send, and the follow-up buttons."""

    def __init__(self, changed: Callable[..., Any], follow_up: FollowUp) -> None:
        # no parent yet: the dialog's layouts take them (in the dialog's focus order)
        self.history = QLabel()
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Earlier sends of this digest")
        self.retry_uncertain = QCheckBox("Also send to the uncertain recipients")
        self.retry_uncertain.setToolTip(
            "A crash or a dropped connection left them without an answer from the server: "
            "they may already have the digest"
        )
        self.retry_uncertain.toggled.connect(changed)
        self.send_again = QComboBox()
        self.send_again.setAccessibleName("Send again to")
        for label, value in SEND_AGAIN_CHOICES:
            self.send_again.addItem(label, value)
        self.send_again.currentIndexChanged.connect(changed)
        self.resume_button = _button(
            "&Resume",
            "Send to the recipients still queued; nobody gets it twice",
            lambda: follow_up(),
        )
        self.uncertain_button = _button(
            "Retry &uncertain",
            "Send to the recipients whose message may or may not have arrived",
            lambda: follow_up(retry_uncertain=True),
        )
        self.failed_button = _button(
            "Send again to &failed",
            "Send again to the recipients whose message was refused",
            lambda: follow_up(send_again="failed"),
        )
        for button in self.follow_ups:
            button.setVisible(False)

    @property
    def follow_ups(self) -> tuple[QPushButton, QPushButton, QPushButton]:
        return self.resume_button, self.uncertain_button, self.failed_button

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow("Send log:", self.history)
        form.addRow("", self.retry_uncertain)
        form.addRow("Send again to:", self.send_again)

    def leave_out(self, parent: QWidget) -> None:
        """A test send has no send log: its rows are kept hidden under ``parent``."""
        for widget in (self.history, self.retry_uncertain, self.send_again):
            widget.setParent(parent)
            widget.hide()

    def options(self) -> tuple[bool, SendAgain | None]:
        """Retry the uncertain ones? Send again to whom?"""
        return self.retry_uncertain.isChecked(), self.send_again.currentData()

    def set_running(self, running: bool) -> None:
        self.retry_uncertain.setEnabled(not running)
        self.send_again.setEnabled(not running)

    def show_log(self, log: SendLogSummary) -> None:
        """The send log in words, and the number of uncertain recipients on the option."""
        if not log.started:
            self.history.setText("not sent yet")
        else:
            self.history.setText(
                log.describe()
                + ". Those who had it are not sent it again unless you choose so below."
            )
        self.retry_uncertain.setText(
            "Also send to the uncertain recipients"
            + (f" ({log.uncertain:,})" if log.uncertain else "")
        )

    def show_follow_ups(self, log: SendLogSummary, runs: int, running: bool) -> None:
        """After a run (and while none runs), each follow-up that has someone to send to."""
        for button, count in zip(
            self.follow_ups, (log.queued, log.uncertain, log.failed), strict=True
        ):
            button.setVisible(runs > 0 and count > 0 and not running)
        if runs:
            self.resume_button.setText(f"&Resume ({log.queued:,} queued)")
            self.uncertain_button.setText(f"Retry &uncertain ({log.uncertain:,})")
            self.failed_button.setText(f"Send again to &failed ({log.failed:,})")
