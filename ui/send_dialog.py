"""The Send dialog: who gets the digest, the preflight summary, a confirmation, then progress.

Before sending, the dialog shows the number of recipients (from a CSV or text
file, or a pasted list: invalid entries listed with the reason, duplicates
removed), what the send log says of earlier runs of this digest, and the
preflight summary of the core (:meth:`composer.send.SendJob.preflight`).
Sending asks for a confirmation that names the count ("Send to 1,234
recipients?"), then runs on a worker thread (:class:`ui.send_task.SendTask`): a
progress bar with the sent, failed and uncertain counts and the time left (and how
many another officer sending the same digest at the same time took: :mod:`ui.send_counts`),
and Cancel, which lets the message in flight finish and keeps the rest queued for a
later Resume. A table lists what happened to each recipient; after a run,
buttons offer the explicit choices the core knows: resume those still queued,
retry the uncertain ones, send again to the failed ones. A send log written elsewhere
meanwhile (a shared library) is read again (:meth:`SendDialog.send_log_changed`).

A test send (``job.test``) takes a few addresses, prefixes the subject with
"[TEST]" and keeps no send log. The decisions are all the core's: this module
only collects the choices and shows the results.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from composer.email.preflight import has_errors
from composer.errors import NewsdigestError
from composer.recipients import RecipientList
from composer.send import (
    Preflight,
    SendAgain,
    SendJob,
    SendPlan,
    SendProgress,
    SendReport,
    confirmation_question,
)
from composer.send.journal import SendLogSummary
from ui.recipients_input import RecipientsInput
from ui.send_counts import finished_text, progress_text
from ui.send_history import SendHistory
from ui.send_log_model import SendLogModel, log_table
from ui.send_task import SendTask


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'s' if count != 1 else ''}"


def _button(text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.clicked.connect(slot)
    return button


class SendDialog(QDialog):
    """Choose recipients, check, confirm, send, follow; one run at a time."""

    run_finished = Signal(object)  # SendReport

    def __init__(
        self,
        job: SendJob,
        executor: concurrent.futures.Executor,
        *,
        reader_executor: concurrent.futures.Executor | None = None,
        job_factory: Callable[[], SendJob] | None = None,
        test_addresses: str = "",
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.job = job
        self.executor = executor
        #: Makes the job again from the digest as it is now (after an edit in the window).
        self.job_factory = job_factory
        self._stale = False
        reader_executor = reader_executor or executor
        self.test = job.test
        self._set_title()
        self.setAccessibleName("Send test" if self.test else "Send digest")
        #: Asks the user; tests replace it. ``(title, text) -> bool``.
        self.confirm: Callable[[str, str], bool] = self._ask
        self.task: SendTask | None = None
        self.report: SendReport | None = None
        self.plan: SendPlan | None = None
        self.preflight: Preflight | None = None
        self.recipients: RecipientList | None = None
        self._runs = 0
        self._refreshing = False
        self._close_when_done = False

        self.send_history = SendHistory(self._changed, self.send_follow_up)
        who = self._make_who(reader_executor, test_addresses)
        self._make_summary()
        self._make_progress()
        self.log_model = SendLogModel(self)
        self.log_view = log_table(self.log_model)
        self._lay_out(who, self._make_buttons())
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.refresh)
        self.resize(760, 720)
        self._load_log()
        self.refresh()

    # -- the parts ------------------------------------------------------------------------------
    def _make_who(
        self, reader_executor: concurrent.futures.Executor, test_addresses: str
    ) -> QFormLayout:
        """The recipients (or test addresses), the send log and the choices for a next run."""
        self.who = RecipientsInput(
            reader_executor, test=self.test, test_addresses=test_addresses, parent=self
        )
        self.who.edited.connect(self._changed)
        self.who.chosen.connect(self.refresh)
        self.who.read.connect(self._recipients_read)
        who = QFormLayout()
        if self.test:
            self.addresses = self.who.addresses
            who.addRow("&To:", self.who)
            self.send_history.leave_out(self)
            return who
        self.pasted, self.file_label = self.who.pasted, self.who.file_label
        self.load_file, self.clear_recipients = self.who.load_file, self.who.clear
        who.addRow("Recipients:", self.who)
        self.send_history.add_rows(who)
        history = self.send_history
        self.history, self.retry_uncertain = history.history, history.retry_uncertain
        self.send_again = history.send_again
        return who

    def _make_summary(self) -> None:
        """What the core says before a send, and why it cannot be sent."""
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setAccessibleName("Preflight summary")
        self.summary.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.ignore_errors = QCheckBox("Send even though the preflight found errors")
        self.ignore_errors.setVisible(False)
        self.ignore_errors.toggled.connect(self._update_buttons)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Why it cannot be sent")
        self.problem.setStyleSheet("color: #c62828;")

    def _make_progress(self) -> None:
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Send progress")
        self.bar.setFormat("%v of %m")
        self.counts = QLabel()
        self.counts.setAccessibleName("Sent and failed counts")
        self.progress_box = QWidget()
        progress_layout = QVBoxLayout(self.progress_box)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.addWidget(self.bar)
        progress_layout.addWidget(self.counts)
        self.progress_box.setVisible(False)

    def _make_buttons(self) -> QHBoxLayout:
        """Send, Cancel, Close, and the follow-ups a finished run offers."""
        self.send_button = QPushButton("Send…")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send)
        self.cancel_button = _button(
            "&Cancel sending",
            "Stop after the message in flight; the others stay queued for a later resume",
            self.cancel,
        )
        self.cancel_button.setVisible(False)
        self.resume_button, self.uncertain_button, self.failed_button = self.send_history.follow_ups
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for button in self.send_history.follow_ups:
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.close_button)
        return buttons

    def _lay_out(self, who: QFormLayout, buttons: QHBoxLayout) -> None:
        """Who and the summary above the per-recipient log; problems, progress, buttons below."""
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(who)
        self.summary_title = QLabel("<b>Before sending</b>")
        top_layout.addWidget(self.summary_title)
        top_layout.addWidget(self.summary, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.log_view)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([420, 200])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.ignore_errors)
        layout.addWidget(self.problem)
        layout.addWidget(self.progress_box)
        layout.addLayout(buttons)

    def _set_title(self) -> None:
        title = self.job.prepared.digest.title
        self.setWindowTitle(("Send a test of " if self.test else "Send ") + f"“{title}”")

    def digest_changed(self) -> None:
        """The digest (or its theme) was edited: the next check renders it again."""
        self._stale = True
        self._changed()

    def _renew_job(self) -> None:
        """Send what the window shows now, not what it showed when the dialog opened."""
        if not self._stale or self.job_factory is None:
            return
        self._stale = False
        self.job = self.job_factory()  # NewsdigestError: refresh() shows it
        self._set_title()

    # -- recipients -------------------------------------------------------------------------------
    def _recipients_read(self) -> None:
        if not self._refreshing:  # (a synchronous reader answers inside refresh itself)
            self.refresh()

    def _options(self) -> tuple[bool, SendAgain | None]:
        return (False, None) if self.test else self.send_history.options()

    # -- checking ---------------------------------------------------------------------------------
    def _changed(self, *args: Any) -> None:
        self._timer.start()

    def _load_log(self) -> None:
        if self.test:
            return
        entries = self.job.journal.entries()
        self.log_model.reset(entries.values())
        self.send_history.show_log(SendLogSummary.of(entries.values()))

    def send_log_changed(self) -> None:
        """Another window or command wrote this digest's send log (:mod:`ui.live_refresh`):
        the log, its counts and the plan are read again; a run of this dialog's own reads
        it when it ends (its own progress shows what the other sender took meanwhile)."""
        if self.test or self.running:
            return
        self._load_log()
        self.refresh()

    def refresh(self) -> None:
        """Read the recipients and options, plan with the core, and show its preflight."""
        self._timer.stop()
        if self.running:
            return
        self.problem.clear()
        self.summary_title.setText("<b>Before sending</b>")
        self._refreshing = True
        try:
            state, listing, error = self.who.state()
        finally:
            self._refreshing = False
        if state == "reading":
            self.plan = self.preflight = None
            self.summary.setPlainText("Checking the addresses…")
            self._update_buttons()
            return
        if error:
            self.problem.setText(f"⚠ {error}")  # this input's, or a file's that failed
        try:
            self._renew_job()
            self.recipients = listing
            retry_uncertain, send_again = self._options()
            log = {} if self.test else self.job.journal.entries()
            if self.recipients is None and not (log and not self.test):
                self.plan = None
                self.preflight = None
                self.summary.setPlainText(
                    "Type the addresses to send the test to."
                    if self.test
                    else "Open a recipient list or paste addresses."
                )
            else:
                self.plan = self.job.plan(
                    self.recipients.recipients if self.recipients is not None else None,
                    retry_uncertain=retry_uncertain,
                    send_again=send_again,
                    log=log,
                )
                self.preflight = self.job.preflight(self.plan, self.recipients)
                lines = self.preflight.lines()
                if self.recipients is None:
                    lines.insert(0, "recipients: those of the send log (no new list given)")
                self.summary.setPlainText("\n".join(lines))
        except NewsdigestError as exc:
            self.plan = self.preflight = None
            self.problem.setText(f"⚠ {exc}")
        if state == "ready" and self.recipients is None and not self.problem.text():
            self.summary.setPlainText("The recipients could not be read.")
        errors = self.preflight is not None and has_errors(self.preflight.findings)
        errors = errors and not self.test
        self.ignore_errors.setVisible(errors)
        if not errors:
            self.ignore_errors.setChecked(False)
        self._update_buttons()

    def _update_buttons(self, *args: Any) -> None:
        running = self.running
        count = len(self.plan.to_send) if self.plan is not None else 0
        if self.test:
            self.send_button.setText("Send &test" if count <= 1 else f"Send {count} &tests")
        elif self.plan is not None and self.recipients is None and self.plan.started_before:
            self.send_button.setText(f"&Resume: send to {_plural(count, 'recipient')}…")
        else:
            self.send_button.setText(f"&Send to {_plural(count, 'recipient')}…")
        blocked = (
            self.preflight is not None
            and has_errors(self.preflight.findings)
            and not self.test
            and not self.ignore_errors.isChecked()
        )
        self.send_button.setEnabled(not running and count > 0 and not blocked)
        self.send_button.setVisible(not running)
        self.cancel_button.setVisible(running)
        self.close_button.setEnabled(True)
        self.who.set_running(running)
        self.ignore_errors.setEnabled(not running)
        self.send_history.set_running(running)
        log = SendLogSummary()
        if self.plan is not None:
            log = self.plan.summary
        elif not self.test:
            log = SendLogSummary.of(self.job.journal.entries().values())
        self.send_history.show_follow_ups(log, self._runs, running)

    # -- sending ----------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def send(self) -> bool:
        """Send with the plan shown (asks first for a list send); True when a run started."""
        self.refresh()
        if self.plan is None or self.preflight is None or not self.plan.to_send:
            return False
        if (
            has_errors(self.preflight.findings)
            and not self.test
            and not self.ignore_errors.isChecked()
        ):
            return False
        return self._start(self.plan, self.preflight)

    def send_follow_up(
        self, *, retry_uncertain: bool = False, send_again: SendAgain | None = None
    ) -> bool:
        """Resume, retry the uncertain, or send again to the failed: the recipients of the log."""
        if self.running:
            return False
        try:
            self._renew_job()
            plan = self.job.plan(None, retry_uncertain=retry_uncertain, send_again=send_again)
            preflight = self.job.preflight(plan)
        except NewsdigestError as exc:
            self.problem.setText(f"⚠ {exc}")
            return False
        if not plan.to_send:
            self.problem.setText("Nobody is left to send to.")
            return False
        self.summary.setPlainText("\n".join(preflight.lines()))
        return self._start(plan, preflight)

    def _start(self, plan: SendPlan, preflight: Preflight) -> bool:
        count = len(plan.to_send)
        if not self.test:
            details = [f"Subject: {preflight.subject}", f"From: {preflight.sender}"]
            if plan.retry_uncertain or plan.send_again:
                details.append("Some of them may already have received it.")
            if not self.confirm(
                "Send the digest",
                confirmation_question(count) + "\n\n" + "\n".join(details),
            ):
                return False
        settings = self.job.settings
        if settings.user and self.job.passwords.get(settings) is None:
            self.problem.setText(
                f"⚠ No password for {settings.keyring_username}: nothing was sent. Type it in "
                "File → Sending settings…"
            )
            return False
        job = self.job.again() if self.job.cancelled else self.job
        self.job = job
        self._runs += 1
        self.report = None
        self.problem.clear()
        self.bar.setRange(0, count)
        self.bar.setValue(0)
        self.counts.setText(f"Connecting to {settings.server_label}…")
        self.progress_box.setVisible(True)
        self.task = SendTask(job, plan)
        self.task.start(self.executor, self, progress=self._progress, finished=self._finished)
        self._update_buttons()
        return True

    def cancel(self) -> None:
        """Stop after the message in flight; the rest stays queued (Resume sends it later)."""
        if self.task is not None and self.running:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.counts.setText(self.counts.text() + " — stopping after the message in flight…")

    def _progress(self, progress: SendProgress) -> None:
        if progress.event is not None:
            bar = self.log_view.verticalScrollBar()
            following = bar.value() >= bar.maximum() - 2  # at the end: keep showing the latest
            self.log_model.apply(progress.event)
            if following:
                row = self.log_model.row_of(progress.event.recipient)
                self.log_view.scrollTo(self.log_model.index(row, 0))
        self.bar.setValue(progress.done)
        stopping = self.task is not None and self.task.job.cancelled
        self.counts.setText(progress_text(progress, stopping=stopping))

    def _finished(self, report: SendReport) -> None:
        self.report = report
        self.cancel_button.setEnabled(True)
        self.task = None
        self._load_log()
        lines = report.lines()
        self.counts.setText(finished_text(report))
        self.refresh()  # the plan for a next run: the send button's count is the log's
        self.summary_title.setText("<b>The last run, and what a next one would do</b>")
        self.summary.setPlainText(
            "\n".join([*lines, "", "If you send now:", *self.summary.toPlainText().splitlines()])
        )
        if report.stopped:
            self.problem.setText(f"⚠ Stopped: {report.stopped}")
        self._update_buttons()
        self.run_finished.emit(report)
        if self._close_when_done:
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            if self.confirm(
                "Sending",
                "Stop sending after the message in flight? The others stay queued; open "
                "Send… again to resume.",
            ):
                self._close_when_done = True
                self.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def stop_and_wait(self, timeout: float) -> bool:
        """Cancel a run and wait for its worker (the window is closing); True when it ended."""
        if self.task is None:
            return True
        self.task.cancel()
        return self.task.wait(timeout)
