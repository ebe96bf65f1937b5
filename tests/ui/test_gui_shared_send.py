"""The Send dialog and a `newsdigest send` share one digest's list in a PostgreSQL library.

Real things only: the session's throwaway cluster, an aiosmtpd on loopback that counts
each recipient's copies (:class:`helpers.send_servers.CountingHandler`), the window's
Send dialog sending on its real worker thread, and a real ``python -m composer send``
process on the same database. The server holds the reply to the dialog's first message
until the command has sent thirty, so that the two really overlap and the dialog then
finds recipients the command took: while it sends, its count line says how many
("… sent by another sender at the same time"), and so does its summary at the end. Each
recipient gets exactly one message; what the dialog sent and what the command took add
up to the list. ``NEWSDIGEST_SHOTS=folder`` keeps pictures of the dialog.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import dispose  # noqa: E402
from helpers.send_servers import (  # noqa: E402
    ROOT,
    CountingHandler,
    MemoryKeyring,
    loopback_smtp,
    make_library,
    send_log,
    sender_env,
    smtp_server,
    write_recipients,
)
from PySide6.QtCore import QSettings, QTimer  # noqa: E402

from composer.secrets import PasswordStore  # noqa: E402
from composer.send import SENT, message_id_for  # noqa: E402
from store.postgres import PostgresLibrary  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.operations import SynchronousExecutor  # noqa: E402
from ui.send_counts import TAKEN  # noqa: E402

COUNT = 300
WAIT_MS = 120_000
SENT_LINE = re.compile(r"^sent ([\d,]+) messages? of ([\d,]+)", re.MULTILINE)
LIVE = re.compile(rf"^([\d,]+) sent · ([\d,]+) {TAKEN} · 0 failed")


@pytest.fixture
def server() -> Iterator[tuple[CountingHandler, int]]:
    with smtp_server(CountingHandler()) as running:
        yield running  # type: ignore[misc]


@pytest.fixture
def url(postgres_url: str, server: tuple[CountingHandler, int]) -> str:
    """The team's library: January's items, the sample theme, the loopback server."""
    make_library(postgres_url, loopback_smtp(server[1], timeout=20))  # type: ignore[arg-type]
    return postgres_url


@pytest.fixture
def window(qtbot, tmp_path: Path, url: str) -> Iterator[MainWindow]:
    library = PostgresLibrary(url)
    made = MainWindow(
        library,
        settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
        library_executor=SynchronousExecutor(),
        work_executor=SynchronousExecutor(),
        passwords=PasswordStore(backend=MemoryKeyring(), environ={}),
    )
    made.confirm = lambda title, text: True  # type: ignore[method-assign]
    made.preview.opener = lambda url: None
    made.show()
    qtbot.waitExposed(made)
    qtbot.waitUntil(lambda: made.started)
    try:
        yield made
    finally:
        dispose(made)
        library.close()


def command_send(url: str, digest_id: str, recipients: Path) -> subprocess.Popen[str]:
    """The other officer's `newsdigest send` of the same digest, to the same list."""
    return subprocess.Popen(
        [sys.executable, "-m", "composer", "--library", url, "send", "--digest", digest_id,
         "--throttle", "0", "--yes", "--to-file", str(recipients)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        cwd=ROOT, env=sender_env(),
    )  # fmt: skip


def shot(widget, name: str) -> None:
    folder = os.environ.get("NEWSDIGEST_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / name))


def test_the_send_dialog_shows_live_how_many_another_sender_took(
    qtbot, tmp_path: Path, url: str, server: tuple[CountingHandler, int], window: MainWindow
) -> None:
    handler = server[0]
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, COUNT)
    assert window.digests.draft_from_month("2023-01") is not None
    dialog = window.sending.send()
    assert dialog is not None
    digest_id = dialog.job.digest_id
    dialog.confirm = lambda title, text: True
    dialog.pasted.setPlainText("\n".join(addresses))
    dialog.refresh()
    seen: list[str] = []  # the count line as it was shown, while sending
    watch = QTimer(dialog, interval=20)
    watch.timeout.connect(lambda: seen.append(dialog.counts.text()) if dialog.running else None)
    watch.start()
    hold = handler.hold_reply(1)  # the dialog's first message waits for its reply...
    assert dialog.send()
    qtbot.waitUntil(hold.reached.is_set, timeout=WAIT_MS)
    other = command_send(url, digest_id, recipients)
    try:  # ... until the command has sent thirty
        qtbot.waitUntil(lambda: handler.count() >= 31 or other.poll() is not None, timeout=WAIT_MS)
    finally:
        hold.release.set()
    qtbot.waitUntil(lambda: any(TAKEN in text for text in seen), timeout=WAIT_MS)
    shot(dialog, "send-dialog-shared-live.png")
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.running, timeout=WAIT_MS)
    out, err = other.communicate(timeout=WAIT_MS / 1000)
    watch.stop()
    shot(dialog, "send-dialog-shared-done.png")
    copies = handler.snapshot()

    assert other.returncode == 0, out[-2000:] + err[-2000:]
    live = [LIVE.match(text) for text in seen]
    taken_live = [int(m.group(2).replace(",", "")) for m in live if m]
    assert taken_live and max(taken_live) > 0, seen[-5:]
    report = dialog.report
    assert report is not None and report.complete and report.taken_by_others > 0
    assert report.taken_by_others >= max(taken_live)
    assert report.sent_count + report.taken_by_others == report.total == COUNT
    found = SENT_LINE.search(out)
    assert found is not None and int(found.group(1).replace(",", "")) > 0
    assert report.sent_count + int(found.group(1).replace(",", "")) == COUNT
    taken_line = f"{report.taken_by_others:,} {TAKEN}"
    assert dialog.counts.text().endswith(f" · {taken_line}")
    assert f"{report.taken_by_others:,} were {TAKEN}" in dialog.summary.toPlainText()
    # everyone exactly once, with this digest's message; the log says all were sent
    assert sorted(copies) == addresses
    for address in addresses:
        assert copies[address] == [message_id_for(digest_id, address, "example.org")]
    log = send_log(url, digest_id)  # type: ignore[arg-type]
    assert sorted(log) == addresses and {e["state"] for e in log.values()} == {SENT}
