"""Sending a digest by SMTP: test sends, and list sends that never send twice by themselves.

One concern per module, in the order a send uses them:

* :mod:`composer.send.message`: the digest rendered once (:func:`prepare_digest`)
  and one message per recipient built from it (:class:`MessageFactory`);
* :mod:`composer.send.plan`: who gets it in this run, from the send log
  (:func:`plan_send`), and other digests of the same news (:func:`other_sends`);
* :mod:`composer.send.journal`: the recipients' states and where a run records
  them (:class:`LibraryJournal`, the library's append-only send journal);
* :mod:`composer.send.smtp`: one connection, reused, secured, one message at a
  time (:class:`SmtpConnection`);
* :mod:`composer.send.job`: a send (:class:`SendJob`): planned, run under the send
  lock's session (alone, or sharing the list with other senders), throttled,
  cancellable from any thread, resumable after a crash;
* :mod:`composer.send.run_loop`: one run's queue, claims, retries and records
  (:class:`~composer.send.run_loop.RunLoop`);
* :mod:`composer.send.report`: what people are told, before (:class:`Preflight`),
  during (:class:`SendProgress`) and after (:class:`SendReport`) a run, its lists of
  recipients read from the plan without copies (:mod:`composer.send.keys`).

The SMTP settings (:mod:`composer.smtp_settings`), the recipient lists
(:mod:`composer.recipients`), the keychain (:mod:`composer.secrets`) and the
command line (:mod:`composer.cli.send`) sit beside this package.

May import: ``composer`` top-level modules, ``composer.library``, ``composer.theme``,
``composer.digest``, ``composer.email``.
Not: Qt, TinyDB, ``store``, ``ui``, ``composer.cli``.
"""

from composer.errors import SendError
from composer.send.job import SendJob, job_for
from composer.send.journal import (
    FAILED,
    QUEUED,
    SENDING,
    SENT,
    STATES,
    UNCERTAIN,
    Journal,
    LibraryJournal,
    MemoryJournal,
    describe_counts,
    log_counts,
    now_iso,
)
from composer.send.keys import Marks, RecipientKeys
from composer.send.message import (
    PREVIEW_ADDRESS,
    TEST_PREFIX,
    MessageFactory,
    PreparedDigest,
    check_ready,
    message_id_for,
    prepare_digest,
    sender_of,
)
from composer.send.plan import SendAgain, SendPlan, month_digest_id, other_sends, plan_send
from composer.send.report import (
    Preflight,
    ProgressCallback,
    SendEvent,
    SendProgress,
    SendReport,
    confirmation_question,
    estimate_seconds,
    format_duration,
    make_preflight,
)
from composer.send.smtp import Outcome, SmtpConnection, check_connection, default_helo_name

__all__ = [
    "FAILED",
    "PREVIEW_ADDRESS",
    "QUEUED",
    "SENDING",
    "SENT",
    "STATES",
    "TEST_PREFIX",
    "UNCERTAIN",
    "Journal",
    "LibraryJournal",
    "Marks",
    "MemoryJournal",
    "MessageFactory",
    "Outcome",
    "Preflight",
    "PreparedDigest",
    "ProgressCallback",
    "RecipientKeys",
    "SendAgain",
    "SendError",
    "SendEvent",
    "SendJob",
    "SendPlan",
    "SendProgress",
    "SendReport",
    "SmtpConnection",
    "check_connection",
    "check_ready",
    "confirmation_question",
    "default_helo_name",
    "describe_counts",
    "estimate_seconds",
    "format_duration",
    "job_for",
    "log_counts",
    "make_preflight",
    "message_id_for",
    "month_digest_id",
    "now_iso",
    "other_sends",
    "plan_send",
    "prepare_digest",
    "sender_of",
]
