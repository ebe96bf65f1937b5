"""The sending command of ``newsdigest``: ``send``, test sends and list sends.

:func:`register` adds them to the CLI's subparsers (``composer/cli/main.py`` calls
it); each sets ``handler``, called as ``handler(args, library)`` with the library
open, and returns the exit status. User errors raise
:class:`~composer.errors.NewsdigestError`, which the CLI prints.

* ``send (--digest ID | --month YYYY-MM) --test ADDRESS...`` sends test
  messages ("[TEST]" before the subject) to a few addresses; nothing is logged.
* ``send (--digest ID | --month YYYY-MM) --to-file recipients.csv [--resume]
  [--retry-uncertain] [--send-again failed|all] [--yes] [--dry-run]`` sends the
  digest to a list, one message per recipient, recording each recipient's state
  in the library's send log. Without ``--yes`` it asks for confirmation naming
  the count (and refuses when standard input is not a terminal). A digest
  already sent in part is only continued with ``--resume`` (``--resume``
  without ``--to-file`` continues with the recipients of the log). The server
  can be named on the command line (``--smtp-host``, ``--smtp-port``,
  ``--security``, ``--smtp-user``, ``--from``...), overriding the saved
  settings for this run. Ctrl-C stops after the message in flight, a second
  Ctrl-C at once.
  ``--theme NAME`` renders it in another layout for this run, as ``build`` does.
``settings smtp`` (:mod:`composer.cli.smtp`), ``settings theme``
(:mod:`composer.cli.theme`) and ``unsubscribe verify|link|key``
(:mod:`composer.cli.unsubscribe`) are registered from here too.

Exit status of ``send`` (the README's table): 0 when everyone on the list is
sent, 1 for a user error or nothing valid to send, 3 when the run finished with
failed, uncertain or still queued recipients (their counts on stderr), 130 when
interrupted. A run that shares the list with other senders (a library on
PostgreSQL) exits 0 when nobody is left to it and none of its own failed or is
uncertain; its report says how many the other senders took.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import logging
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from composer.cli.options import add_theme_option
from composer.cli.smtp import smtp_changes
from composer.digest.drafting import check_month, draft_digest
from composer.digest.model import Digest
from composer.errors import NewsdigestError
from composer.recipients import (
    RecipientList,
    Rejected,
    read_recipients_file,
    recipients_from_addresses,
)
from composer.repository import Library
from composer.secrets import ENV_VAR, PasswordStore
from composer.send import (
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    UNCERTAIN,
    LibraryJournal,
    SendJob,
    SendPlan,
    SendProgress,
    SendReport,
    describe_counts,
    format_duration,
    job_for,
    month_digest_id,
)
from composer.send.pace import remember_pace
from composer.smtp_settings import (
    FIELDS,
    smtp_from_settings,
    with_changes,
)
from composer.theme.model import Theme, theme_from_settings

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``send``, ``settings`` (smtp, theme) and ``unsubscribe`` to ``newsdigest``."""
    p = subparsers.add_parser(
        "send",
        help="send a digest by email: test messages, or to a list of recipients",
        description="Send a digest by SMTP, one message per recipient. A list send records "
        "every recipient's state in the library, so that it can be resumed without "
        "sending anyone the digest twice.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--month", metavar="YYYY-MM", help="draft from this month's items")
    source.add_argument("--digest", metavar="ID", help="a saved digest (see `newsdigest digests`)")
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--test", nargs="+", metavar="ADDRESS", help="send a test message to these addresses"
    )
    who.add_argument(
        "--to-file",
        metavar="FILE",
        type=Path,
        help="recipients: a CSV file (with an email column) or a text file of addresses",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue a send begun earlier: send to those still queued, nobody twice",
    )
    p.add_argument(
        "--retry-uncertain",
        action="store_true",
        help="also send to recipients whose earlier message may or may not have arrived",
    )
    p.add_argument(
        "--send-again",
        choices=("failed", "all"),
        help="send again to recipients whose message failed, or to everyone",
    )
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be sent, and send nothing"
    )
    p.add_argument(
        "--ignore-preflight-errors",
        action="store_true",
        help="send a list even when the preflight checks found errors",
    )
    add_theme_option(p)
    for spec in FIELDS:
        if spec.send_flag:
            p.add_argument(
                spec.send_flag,
                dest=f"smtp_{spec.name}",
                metavar=spec.name.upper().replace("_", "-"),
                help=f"{spec.help} (this run only)",
            )
    p.set_defaults(handler=cmd_send)

    from composer.cli import smtp as smtp_commands
    from composer.cli import theme as theme_commands
    from composer.cli import unsubscribe as unsubscribe_commands

    sections = smtp_commands.register(subparsers)

    theme_commands.register(sections)
    unsubscribe_commands.register(subparsers)


# -- shared ---------------------------------------------------------------------------------------
def _terminal_password(username: str) -> str | None:
    if not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(f"SMTP password for {username}: ")
    except (EOFError, KeyboardInterrupt):
        return None


def resolve_digest(
    library: Library, theme: Theme, *, digest_id: str | None, month: str | None
) -> Digest:
    """The saved digest ``digest_id``, or one drafted from ``month`` with a stable id.

    A drafted digest's id is ``month-YYYY-MM``, so that a send of a month can be
    resumed: the send log is kept per digest id.
    """
    from composer.cli.build import _load_digest  # the build command's own look-up

    if month:
        year, number = check_month(month)
        return draft_digest(
            library.items(), month, theme, digest_id=month_digest_id(f"{year:04d}-{number:02d}")
        )
    assert digest_id is not None
    return _load_digest(library, digest_id)


def with_layout(digest: Digest, name: str | None) -> Digest:
    """``digest`` rendered with the layout ``name`` (``None``: its own, else the theme's)."""
    if not name:
        return digest
    return dataclasses.replace(digest, template=name)


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise NewsdigestError(
            f"{question} Nothing was sent: confirmation is needed and standard input is not "
            "a terminal; add --yes to send without asking"
        )
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


class _ProgressPrinter:
    """Progress on the terminal: one rewritten status line, or a line per hundred messages."""

    def __init__(self, stream: TextIO, *, every: int = 100) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.every = every
        self._status = False

    def __call__(self, progress: SendProgress) -> None:
        event = progress.event
        if event is not None and event.state not in (SENT,):
            self._clear()
            print(f"  {event}", file=self.stream, flush=True)
        if event is None or event.state not in (SENT, FAILED, UNCERTAIN):
            return
        left = (
            f", about {format_duration(progress.seconds_left)} left"
            if progress.seconds_left and progress.done < progress.total
            else ""
        )
        line = (
            f"sent {progress.sent:,} of {progress.total:,}"
            + (f", {progress.failed:,} failed" if progress.failed else "")
            + (f", {progress.uncertain:,} uncertain" if progress.uncertain else "")
            + left
        )
        if self.tty:
            print(f"\r{line:<78}", end="", file=self.stream, flush=True)
            self._status = True
        elif progress.done % self.every == 0 or progress.done == progress.total:
            print(line, file=self.stream, flush=True)

    def _clear(self) -> None:
        if self._status:
            print("\r" + " " * 78 + "\r", end="", file=self.stream)
            self._status = False

    def finish(self) -> None:
        if self._status:
            print(file=self.stream, flush=True)
            self._status = False


def _run(job: SendJob, plan: SendPlan) -> SendReport:
    """Run the job; the first Ctrl-C stops after the message in flight, a second at once."""
    printer = _ProgressPrinter(sys.stdout)
    previous: Any = None
    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        presses = [0]

        def interrupt(signum: int, frame: FrameType | None) -> None:
            # counted first, cancelled before saying so: a second Ctrl-C that lands while
            # this one is handled (its handler can run inside this one) stops at once
            presses[0] += 1
            if presses[0] > 1 or job.cancelled:
                raise KeyboardInterrupt
            job.cancel()
            print(
                "\nstopping after the message in flight (Ctrl-C again to stop at once)",
                file=sys.stderr,
                flush=True,
            )

        previous = signal.signal(signal.SIGINT, interrupt)
    try:
        return job.run(plan, printer)
    finally:
        printer.finish()
        if in_main and previous is not None:
            signal.signal(signal.SIGINT, previous)


def _print(lines: Sequence[str]) -> None:
    for line in lines:
        print(line)


# -- send ------------------------------------------------------------------------------------------
def cmd_send(args: argparse.Namespace, library: Library) -> int:
    stored = library.settings()
    theme = theme_from_settings(stored)
    smtp = with_changes(smtp_from_settings(stored), smtp_changes(args, send=True))
    if args.test is None and args.to_file is None and not args.resume:
        raise NewsdigestError(
            "say who receives it: --test ADDRESS... for a test, --to-file FILE for a list, "
            "or --resume to continue a send begun earlier"
        )
    if args.test is not None and (args.resume or args.retry_uncertain or args.send_again):
        raise NewsdigestError(
            "--resume, --retry-uncertain and --send-again are for list sends, not --test"
        )
    digest = with_layout(
        resolve_digest(library, theme, digest_id=args.digest, month=args.month), args.theme
    )
    passwords = PasswordStore(prompt=_terminal_password)
    test = args.test is not None
    job = job_for(library, digest, test=test, settings=smtp, passwords=passwords)
    return _send_test(args, job) if test else _send_list(args, job)


def _ask_password(job: SendJob) -> None:
    """Ask for the password before the progress starts (it is then kept for the run)."""
    if job.settings.user and job.passwords.get(job.settings) is None:
        raise NewsdigestError(
            f"no password for {job.settings.keyring_username}: store it with `newsdigest "
            f"settings smtp --password`, set {ENV_VAR}, or run in a terminal to be asked"
        )


def _send_test(args: argparse.Namespace, job: SendJob) -> int:
    recipients = recipients_from_addresses(args.test, "--test")
    if recipients.rejected:
        raise NewsdigestError(
            "not a valid address: "
            + "; ".join(f"{r.text!r} ({r.reason})" for r in recipients.rejected)
        )
    plan = job.plan(recipients.recipients)
    preflight = job.preflight(plan)
    print(f"Test of {job.prepared.digest.title!r} to {', '.join(r.address for r in plan.to_send)}")
    _print([f"  {line}" for line in preflight.lines()])
    if args.dry_run:
        print("dry run: nothing was sent")
        return 0
    _ask_password(job)
    report = _run(job, plan)
    _print(report.lines())
    return outcome_status(report)


#: ``send``'s exit status (the README's table): everyone sent; a user error or nothing
#: valid to send; finished with recipients failed, uncertain or still queued; interrupted.
EXIT_SENT, EXIT_USER_ERROR, EXIT_LEFT, EXIT_INTERRUPTED = 0, 1, 3, 130


def outcome_status(report: SendReport) -> int:
    """The exit status of a finished run; what is left is counted on stderr."""
    if report.ok and not report.uncertain_before and not report.cancelled:
        return EXIT_SENT
    if report.test:  # a test send has no queue to leave anyone on: who did not get it
        not_sent = len(report.failed) + len(report.left_queued)
        parts = [f"not sent: {not_sent:,}"] if not_sent else []
        if report.all_uncertain:
            parts.append(f"{len(report.all_uncertain):,} uncertain")
        if parts:
            print(f"newsdigest: {', '.join(parts)}", file=sys.stderr)
    else:
        _left_on_stderr(len(report.failed), len(report.all_uncertain), len(report.left_queued))
    return EXIT_INTERRUPTED if report.cancelled else EXIT_LEFT


def _left_on_stderr(failed: int, uncertain: int, queued: int) -> None:
    parts = [
        f"{count:,} {what}"
        for count, what in ((failed, "failed"), (uncertain, "uncertain"), (queued, "still queued"))
        if count
    ]
    if parts:
        print(f"newsdigest: left: {', '.join(parts)}", file=sys.stderr)


def _send_list(args: argparse.Namespace, job: SendJob) -> int:
    recipients: RecipientList | None = None
    if args.to_file is not None:
        recipients = read_recipients_file(args.to_file)
        if not recipients.recipients:
            raise NewsdigestError(
                f"{args.to_file}: has no valid address to send to"
                + _rejected_lines(recipients.rejected)
            )
    plan = job.plan(
        recipients.recipients if recipients is not None else None,
        retry_uncertain=args.retry_uncertain,
        send_again=args.send_again,
    )
    digest_id = job.digest_id
    joining = plan.joins  # another is sending it now: this run shares the list with them
    if (
        plan.started_before
        and not joining
        and not (args.resume or args.retry_uncertain or args.send_again)
    ):
        raise NewsdigestError(
            begun_before_message(digest_id, plan.log_counts, new=len(plan.to_send) - plan.resumed)
        )
    if recipients is None and not plan.started_before:
        raise NewsdigestError(
            f"nothing to resume: the digest {digest_id} has no send log in {job_location(job)}; "
            "name the recipients with --to-file"
        )
    preflight = job.preflight(plan, recipients)
    print(f"Digest {digest_id}: {job.prepared.digest.title}")
    _print([f"  {line}" for line in preflight.lines()])
    if preflight.errors and not args.ignore_preflight_errors:
        raise NewsdigestError(
            f"the preflight checks found {len(preflight.errors)} error"
            f"{'s' if len(preflight.errors) != 1 else ''} (listed above); nothing was sent. "
            "Fix them, or add --ignore-preflight-errors to send anyway"
        )
    if not plan.to_send:
        uncertain = plan.uncertain
        if plan.interrupted and not args.dry_run:
            # a crash's leftovers ("sending") are recorded uncertain, once; a run that joins
            # others sending leaves their messages in flight alone, and not its uncertain
            uncertain = job.run(plan).uncertain_before
        if joining:
            print(
                f"Nothing left for this run: {plan.sending_now[0].describe()} is sending to the "
                "rest."
            )
        else:
            print("Nothing to send: every recipient has been dealt with.")
        failed = len(plan.failed_before)
        if uncertain or failed:
            _left_on_stderr(failed, len(uncertain), 0)
            return EXIT_LEFT
        return EXIT_SENT
    if args.dry_run:
        print("dry run: nothing was sent")
        return 0
    if not _confirm(preflight.confirmation(), args.yes):
        print("Nothing was sent.")
        return 1
    _ask_password(job)
    report = _run(job, plan)
    _print(report.lines())
    if isinstance(job.journal, LibraryJournal):
        try:  # the next estimate uses this server's measured pace
            remember_pace(job.journal.library, job.settings, report)
        except NewsdigestError as exc:
            log.warning("the send pace was not kept: %s", exc)
    if report.log_unwritable:
        return _unwritable_log_status(report.stopped or "", database="://" in job_location(job))
    return outcome_status(report)


def _rejected_lines(rejected: Sequence[Rejected], shown: int = 10) -> str:
    """The first rejected entries, each with its line and reason, for an error message."""
    if not rejected:
        return ""
    lines = [f"; {len(rejected):,} rejected:"]
    lines += [f"  {entry}" for entry in rejected[:shown]]
    if len(rejected) > shown:
        lines.append(f"  … and {len(rejected) - shown:,} more")
    return "\n".join(lines)


def _unwritable_log_status(error: str, *, database: bool = False) -> int:
    """The send log could not be written: say so on stderr, and how to go on; exit 1."""
    fix = (
        "once the library's database can be reached again,"
        if database
        else "make room (or fix the send log's folder), then"
    )
    print(
        f"newsdigest: {error}. Nothing more was sent: {fix} run the same command with "
        "--resume; nobody gets the digest twice",
        file=sys.stderr,
    )
    return EXIT_USER_ERROR


def begun_before_message(digest_id: str, counts: Mapping[str, int], *, new: int = 0) -> str:
    """Why a list send of a digest with a send log needs ``--resume`` (or a choice to resend).

    ``new``: recipients of the list given whom the log does not have (``--resume`` sends to
    them, and to nobody the log has dealt with).
    """
    if new > 0 and not counts.get(QUEUED) and not counts.get(SENDING):
        return (
            f"the digest {digest_id} was sent before ({describe_counts(counts)}), and "
            f"{new:,} of this list {'is' if new == 1 else 'are'} new to it; add --resume to "
            "send to them only (nobody gets it twice), or --send-again failed|all to send "
            "again to those already dealt with"
        )
    if counts.get(QUEUED) and not any(n for state, n in counts.items() if state != QUEUED):
        return (
            f"an earlier run of {digest_id} stopped before sending anything "
            f"({describe_counts(counts)}); add --resume to send to them now"
        )
    if not counts.get(QUEUED) and not counts.get(SENDING):
        return (
            f"the digest {digest_id} was already sent to everyone on its send log "
            f"({describe_counts(counts)}); nobody gets it again. To send it anyway, add "
            "--send-again failed|all, or --retry-uncertain for recipients who may have "
            "received it"
        )
    return (
        f"the digest {digest_id} was already sent in part ({describe_counts(counts)}); "
        "add --resume to send to those still queued (nobody gets it twice), "
        "--retry-uncertain to include recipients who may have received it, or "
        "--send-again failed|all"
    )


def job_location(job: SendJob) -> str:
    journal = job.journal
    return journal.library.location if isinstance(journal, LibraryJournal) else "memory"
