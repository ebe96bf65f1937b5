"""Live settings and send logs: a window on a team library follows another officer's saves.

A real PostgreSQL cluster; another :class:`PostgresLibrary` on the same database stands
for another officer's window or command. Their theme change is rendered in the preview
(the status bar says what changed); their new export profile appears in "Export for";
their SMTP change is what an open Send dialog sends with. A Theme settings or Sending
settings dialog open meanwhile keeps what the user typed (and the preview keeps showing
it): a notice at its top says their part changed, and Cancel leaves theirs. Their records
in the send log show in the open Send dialog: its counts, its table and its next plan.
Each wait is for the window's refresh (its ``refreshed`` signal), never a sleep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.gui, pytest.mark.slow]
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import dispose, listening_window  # noqa: E402
from helpers.send_servers import (  # noqa: E402
    MemoryKeyring,
    free_port,
    loopback_smtp,
    make_library,
)
from PySide6.QtWidgets import QLabel  # noqa: E402

from composer.email.export import SETTINGS_KEY as EXPORT_KEY  # noqa: E402
from composer.recipients import Recipient  # noqa: E402
from composer.secrets import PasswordStore  # noqa: E402
from composer.send import SENT  # noqa: E402
from composer.send.journal import make_entry  # noqa: E402
from composer.smtp_settings import merge_smtp  # noqa: E402
from composer.theme.model import merge_theme  # noqa: E402
from store.postgres import PostgresLibrary  # noqa: E402
from ui.live_refresh import NOTICE_NAME  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

WAIT_MS = 20_000
THEIRS = "Harbour Trust of Caldrith"


@pytest.fixture
def url(postgres_url: str) -> str:
    """The team's library: January's items, the sample theme, SMTP settings (no server)."""
    make_library(postgres_url, loopback_smtp(free_port()))  # type: ignore[arg-type]
    return postgres_url


@pytest.fixture
def other(url: str) -> Iterator[PostgresLibrary]:
    """Another officer's library object on the same database."""
    library = PostgresLibrary(url)
    try:
        yield library
    finally:
        library.close()


@pytest.fixture
def open_window(qtbot, tmp_path: Path, url: str) -> Iterator[Callable[[], MainWindow]]:
    made: list[tuple[MainWindow, PostgresLibrary]] = []

    def opener() -> MainWindow:
        library = PostgresLibrary(url)
        window = listening_window(
            qtbot, library, tmp_path, passwords=PasswordStore(backend=MemoryKeyring(), environ={})
        )
        made.append((window, library))
        assert window.digests.draft_from_month("2023-01") is not None
        return window

    yield opener
    for window, library in made:
        dispose(window)
        library.close()


def rendered_html(window: MainWindow) -> str:
    result = window.previewing.last_result
    return result.rendered.html if result is not None and result.rendered is not None else ""


def shot(qtbot, window: MainWindow, name: str) -> None:
    """A picture of the window once the preview shows the render (``NEWSDIGEST_SHOTS``)."""
    folder = os.environ.get("NEWSDIGEST_SHOTS")
    if folder:
        window.resize(1500, 900)
        with qtbot.waitSignal(window.preview.loaded, timeout=WAIT_MS, raising=False):
            window.previewing.request_render(now=True)
        qtbot.wait(1500)  # the web view paints after it loaded
        Path(folder).mkdir(parents=True, exist_ok=True)
        window.grab().save(str(Path(folder) / name))


def change_theme(other: PostgresLibrary, **changes: Any) -> None:
    other.update_settings(merge_theme(other.settings(), changes))


def kinds(changes: list[Any]) -> set[str]:
    return {change.kind for change in changes}


def test_a_theme_saved_elsewhere_is_rendered_in_the_preview_and_the_status_bar_says_so(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    qtbot.waitUntil(lambda: "Ostmere Centre" in rendered_html(window), timeout=WAIT_MS)
    with qtbot.waitSignal(window.live.refreshed, timeout=WAIT_MS) as heard:
        change_theme(other, organisation=THEIRS, brand_color="#8b1e3f")
    assert "settings" in kinds(heard.args[0])
    assert window.theme.organisation == THEIRS
    qtbot.waitUntil(lambda: THEIRS in rendered_html(window), timeout=WAIT_MS)
    assert "#8b1e3f" in rendered_html(window).lower()
    shot(qtbot, window, "window-live-theme.png")
    assert window.statusBar().currentMessage() == (
        "The theme settings were changed elsewhere: the window shows them now."
    )


def test_an_open_theme_dialog_keeps_what_was_typed_and_says_theirs_changed(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    dialog = window.theme_setup.show_settings()
    dialog.organisation.setText("Typed here, not saved")
    qtbot.waitUntil(lambda: "Typed here, not saved" in rendered_html(window), timeout=WAIT_MS)
    with qtbot.waitSignal(window.live.refreshed, timeout=WAIT_MS):
        change_theme(other, organisation=THEIRS)
    notice = dialog.findChild(QLabel, NOTICE_NAME)
    assert notice is not None and notice.isVisible()
    assert notice.text().startswith(
        "⚠ Another officer changed the theme settings while this dialog was open. OK saves"
    )
    assert dialog.organisation.text() == "Typed here, not saved"  # nothing replaced
    if os.environ.get("NEWSDIGEST_SHOTS"):
        dialog.grab().save(str(Path(os.environ["NEWSDIGEST_SHOTS"]) / "theme-dialog-notice.png"))
    assert window.theme.organisation == THEIRS  # the window has theirs, the dialog's is shown
    window.previewing.request_render(now=True)
    assert "Typed here, not saved" in rendered_html(window)
    dialog.reject()  # Cancel: theirs stays, and the preview shows it
    qtbot.waitUntil(lambda: THEIRS in rendered_html(window), timeout=WAIT_MS)
    assert other.settings()["theme"]["organisation"] == THEIRS


def test_export_profiles_and_smtp_settings_saved_elsewhere_are_used(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    send = window.sending.send()
    assert send is not None
    smtp_dialog = window.sending.show_settings()
    new_port = free_port()
    with qtbot.waitSignal(window.live.refreshed, timeout=WAIT_MS):
        other.update_settings(
            {
                EXPORT_KEY: {"harbour-list": {"label": "Harbour list", "unsubscribe": "{{u}}"}},
                **merge_smtp(other.settings(), {"host": "localhost", "port": new_port}),
            }
        )
    box = window.exports.profile
    assert "Harbour list" in [box.itemText(n) for n in range(box.count())]
    assert window.statusBar().currentMessage() == (
        "The export profiles and the sending settings were changed elsewhere: the window "
        "shows them now."
    )
    notice = smtp_dialog.findChild(QLabel, NOTICE_NAME)
    assert notice is not None and "changed the sending settings" in notice.text()
    send.refresh()  # (its own timer does it too) the job is made again, with theirs
    assert (send.job.settings.host, send.job.settings.port) == ("localhost", new_port)
    smtp_dialog.reject()


def test_a_send_log_written_elsewhere_shows_in_the_open_send_dialog(
    qtbot, open_window, other: PostgresLibrary
) -> None:
    window = open_window()
    dialog = window.sending.send()
    assert dialog is not None
    assert dialog.history.text() == "not sent yet" and dialog.log_model.rowCount() == 0
    digest_id = dialog.job.digest_id
    readers = [Recipient(f"reader{n}@example.org", f"reader{n}@example.org") for n in range(3)]
    with qtbot.waitSignal(window.live.refreshed, timeout=WAIT_MS) as heard:
        other.record_send([make_entry(digest_id, reader, SENT, code=250) for reader in readers])
    assert "send_log" in kinds(heard.args[0])
    assert dialog.history.text().startswith("3 sent.")
    assert dialog.log_model.rowCount() == 3
    assert dialog.log_model.recipients_in("sent") == [r.key for r in readers]
    dialog.pasted.setPlainText("\n".join(r.address for r in [*readers, readers[0]]))
    dialog.refresh()
    assert dialog.send_button.text().replace("&", "") == "Send to 0 recipients…"
