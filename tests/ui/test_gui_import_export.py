"""Import in the background (progress, cancel), paste, export actions, settings, item editor."""

from __future__ import annotations

import email
import email.policy
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LISTING

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, sample_items, window_factory  # noqa: E402
from helpers.http_server import serving  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402
from PySide6.QtWidgets import QProgressDialog, QPushButton  # noqa: E402

from ui.item_dialog import ItemDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Slow</title><link>http://127.0.0.1/</link>
<item><title>A slow story</title><link>http://127.0.0.1/news/slow</link>
<pubDate>Tue, 31 Jan 2023 10:00:00 GMT</pubDate><category>In Focus</category>
<description>From a slow server.</description></item></channel></rss>
"""


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def window(windows: Windows) -> MainWindow:
    windows.library(items=sample_items())
    win = windows.open()
    win.digests.draft_from_month("2023-01")
    return win


@pytest.fixture
def slow_feed() -> Iterator[tuple[str, threading.Event]]:
    """A real http server whose feed answers only once the test releases it."""
    release = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(10)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, *args) -> None:
            pass

    with serving(Handler) as url:
        yield f"{url}/feed.xml", release
        release.set()


# -- import ----------------------------------------------------------------------------------------
def test_import_runs_in_the_background_and_summarises(windows: Windows, qtbot) -> None:
    windows.library()
    win = windows.open(threaded=True)
    win.import_sources([str(LISTING)])
    qtbot.waitUntil(lambda: "14 new" in win.imports.last_import_summary, timeout=20_000)
    assert "14 new, 0 already in the library, 0 rejected" in win.imports.last_import_summary
    assert win.library_pane.model.rowCount() == 14
    assert win.library_pane.currentIndex() == 1


def test_a_cancelled_import_adds_nothing(windows: Windows, qtbot, slow_feed) -> None:
    url, release = slow_feed
    windows.library()
    win = windows.open(threaded=True)
    task = win.import_sources([url, str(LISTING)])
    qtbot.waitUntil(lambda: task.sources and win.imports.progress is not None, timeout=5000)
    progress = win.findChild(QProgressDialog)
    assert progress is not None
    progress.findChild(QPushButton).click()  # the Cancel button
    assert task.cancelled
    release.set()
    qtbot.waitUntil(lambda: "cancelled" in win.imports.last_import_summary, timeout=20_000)
    assert win.library.items() == []
    assert win.findChild(QProgressDialog) is None or not win.findChild(QProgressDialog).isVisible()


def test_failures_in_background_imports_reach_the_window(windows: Windows, qtbot, tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\x01\x02" * 100)
    windows.library()
    win = windows.open(threaded=True)
    win.import_sources([str(junk), str(tmp_path / "missing.txt")])
    qtbot.waitUntil(lambda: "missing.txt" in win.imports.last_import_summary, timeout=20_000)
    assert "junk.csv" in win.imports.last_import_summary


def test_paste_news_listing_imports_the_clipboard_through_the_preview(windows: Windows) -> None:
    windows.library()
    win = windows.open()
    clipboard = QGuiApplication.clipboard()
    try:
        clipboard.setText(LISTING.read_text(encoding="utf-8"))
        win.actions_by_name["paste"].trigger()
        preview = win.import_preview
        assert preview is not None and preview.isVisible()
        assert win.library.items() == []
        preview.import_button.click()
        assert "14 new" in win.imports.last_import_summary
        clipboard.setText("   ")
        win.actions_by_name["paste"].trigger()
        assert "no text" in win.statusBar().currentMessage()
    finally:
        clipboard.clear()  # the offscreen platform's clipboard must be empty at exit


def test_the_import_action_previews_before_writing(
    windows: Windows, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QFileDialog

    windows.library()
    win = windows.open(threaded=True)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *args, **kwargs: ([str(LISTING)], "")
    )
    win.actions_by_name["import"].trigger()
    qtbot.waitUntil(lambda: win.import_preview is not None, timeout=20_000)
    preview = win.import_preview
    assert preview is not None and win.library.items() == []
    assert preview.import_button.text().replace("&", "") == "Import 14 items"
    preview.import_button.click()  # the write is a library operation, on its own thread
    qtbot.waitUntil(lambda: "14 new" in win.imports.last_import_summary, timeout=20_000)
    assert "14 new, 0 already in the library, 0 rejected" in win.imports.last_import_summary


# -- export ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["html", "text", "eml", "zip"])
def test_each_export_action_writes_its_file(window: MainWindow, tmp_path: Path, kind) -> None:
    target = tmp_path / "out" / f"digest.{kind}"
    target.parent.mkdir()
    asked: list[str] = []

    def ask(caption: str, suggested: str, file_filter: str) -> str:
        asked.append(suggested)
        return str(target)

    window.ask_save_path = ask  # type: ignore[method-assign]
    window.actions_by_name[f"export_{kind}"].trigger()
    assert target.is_file(), window.statusBar().currentMessage()
    assert asked and asked[0].startswith(str(Path.home())) and "digest-2023-01" in asked[0]
    title = window.document.digest.title
    data = target.read_bytes()
    if kind == "html":
        assert data.startswith(b"<!DOCTYPE html>") and title.encode() in data
    elif kind == "text":
        assert title in data.decode("utf-8")
    elif kind == "eml":
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert message["Subject"] == title
        assert [p.get_content_type() for p in message.iter_parts()] == [
            "text/plain",
            "text/html",
        ]
    else:
        names = zipfile.ZipFile(target).namelist()
        assert sorted(n.rsplit(".", 1)[1] for n in names) == ["eml", "html", "json", "txt"]
    assert f"Wrote {target}" in window.statusBar().currentMessage()


def test_exporting_with_preflight_errors_asks_and_says_why(
    window: MainWindow, tmp_path: Path
) -> None:
    questions: list[str] = []

    def refuse(title: str, text: str) -> bool:
        questions.append(text)
        return False

    window.confirm = refuse  # type: ignore[method-assign]
    # the default theme has no unsubscribe url: the plain profile's email has no such link
    assert window.exports.export("html", str(tmp_path / "x.html")) is None
    assert not (tmp_path / "x.html").exists()
    assert "unsubscribe" in questions[0].lower() and "error" in questions[0]
    # the Mailchimp profile writes its merge tag: no error, no question
    window.exports.profile.setCurrentIndex(window.exports.profile.findData("mailchimp"))
    written = window.exports.export("html", str(tmp_path / "x.html"))
    assert written is not None and "*|UNSUB|*" in written.read_text(encoding="utf-8")
    assert len(questions) == 1


def test_copy_html_puts_html_and_text_on_the_clipboard(window: MainWindow) -> None:
    window.exports.profile.setCurrentIndex(window.exports.profile.findData("mailchimp"))
    window.actions_by_name["copy_html"].trigger()
    clipboard = QGuiApplication.clipboard()
    try:
        mime = clipboard.mimeData()
        assert mime.hasHtml() and mime.hasText()
        assert window.document.digest.title in mime.text()
        assert "*|UNSUB|*" in mime.html()
    finally:
        # Qt's offscreen platform (tests only) crashes at exit if its clipboard still owns
        # QMimeData; the real platforms (xcb, Windows, macOS) do not. Checked with xvfb-run.
        clipboard.clear()


# -- settings and items ----------------------------------------------------------------------------
def test_theme_settings_preview_live_and_store_on_ok(window: MainWindow, qtbot) -> None:
    dialog = window.theme_setup.show_settings()
    dialog.organisation.setText("Centre for Tidy Newsletters")
    qtbot.waitUntil(lambda: "Centre for Tidy Newsletters" in window.preview.html, timeout=5000)
    assert window.library.settings().get("theme", {}).get("organisation") != (
        "Centre for Tidy Newsletters"
    )
    dialog.colors["brand"].edit.setText("#12")
    assert dialog.check() is None and "colour" in dialog.error.text()
    dialog.colors["brand"].edit.setText("#123456")
    dialog.accept()
    assert window.library.settings()["theme"]["organisation"] == "Centre for Tidy Newsletters"
    assert window.theme.color("brand") == "#123456"
    qtbot.waitUntil(lambda: "#123456" in window.preview.html, timeout=5000)


def test_cancelling_the_settings_restores_the_preview(window: MainWindow, qtbot) -> None:
    dialog = window.theme_setup.show_settings()
    dialog.organisation.setText("Not kept")
    qtbot.waitUntil(lambda: "Not kept" in window.preview.html, timeout=5000)
    dialog.reject()
    qtbot.waitUntil(lambda: "Not kept" not in window.preview.html, timeout=5000)
    assert window.theme.organisation == ""  # not set up: never a made-up "Newsdigest"


def test_an_item_typed_by_hand_is_validated_like_an_import(window: MainWindow) -> None:
    dialog = ItemDialog(["In Focus"], parent=window, executor=window.workers.work)
    dialog.title.setText("Open day at the training centre")
    dialog.url.setText("javascript:alert(1)")
    dialog.accept()
    assert dialog.result_item is None and "url" in dialog.error.text()
    dialog.url.setText("https://example.org/news/open-day")
    dialog.accept()
    item = dialog.result_item
    assert item is not None and item.category == "In Focus"
    window.library_pane.item_entered(item, new=True)
    assert window.library.get_item(item.id) is not None
    assert window.library_pane.selected_ids() == [item.id]
    dialog.deleteLater()
