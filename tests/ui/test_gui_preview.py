"""The preview (a real Qt WebEngine view, offscreen), its privacy rules, and preflight."""

from __future__ import annotations

import http.server
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWebEngineWidgets")

from helpers.gui_helpers import Windows, sample_items, wait_for_preview, window_factory  # noqa: E402
from helpers.http_server import serving  # noqa: E402
from PySide6.QtCore import QUrl  # noqa: E402
from PySide6.QtWebEngineCore import QWebEngineScript  # noqa: E402

from composer.digest.editing import plan_field  # noqa: E402
from composer.library.item import make_item  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.preview import MOBILE_WIDTH  # noqa: E402

# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def windows(qtbot, tmp_path):
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def window(windows: Windows, qtbot) -> MainWindow:
    windows.library(items=sample_items())
    win = windows.open()
    wait_for_preview(qtbot, win, lambda: win.digests.draft_from_month("2023-01"))
    return win


@pytest.fixture
def image_server() -> Iterator[tuple[str, list[str]]]:
    """A real http server on 127.0.0.1 that serves a PNG and remembers what was asked."""
    requested: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args) -> None:
            pass

    with serving(Handler) as url:
        yield url, requested


def page_html(qtbot, window: MainWindow) -> str:
    found: list[str] = []
    window.preview.page.toHtml(found.append)
    qtbot.waitUntil(lambda: bool(found), timeout=10_000)
    return found[0]


def test_the_preview_shows_the_rendered_digest(window: MainWindow, qtbot) -> None:
    digest = window.document.digest
    html = page_html(qtbot, window)
    assert digest.title in html
    first = window.document.lookup[digest.sections[0].item_ids[0]]
    assert first.title in html
    assert window.preview.html == window.previewing.last_result.rendered.html
    assert window.preview.text_view.toPlainText() == window.previewing.last_result.rendered.text
    # an edit re-renders: the new title reaches the page
    op = plan_field(digest, "title", "Our January digest")
    wait_for_preview(qtbot, window, lambda: window.document.submit([op]))
    assert "Our January digest" in page_html(qtbot, window)


def test_rendering_runs_on_a_worker_thread_and_the_newest_edit_wins(
    windows: Windows, qtbot
) -> None:
    windows.library(items=sample_items())
    win = windows.open(threaded=True)
    win.digests.draft_from_month("2023-01")
    for n in range(5):  # typing: five edits in a row, one render
        op = plan_field(win.document.digest, "title", f"Title {n}")
        win.document.submit([op])
    qtbot.waitUntil(
        lambda: (
            win.previewing.last_result is not None
            and win.previewing.last_result.job.digest.title == "Title 4"
            and "Title 4" in win.preview.shown_html
        ),
        timeout=20_000,
    )
    assert win.previewing.scheduler.last.seconds > 0


def test_toggles_width_dark_text_and_source(window: MainWindow, qtbot) -> None:
    preview = window.preview
    window.resize(1440, 900)  # wider than the offscreen platform's screen
    window.splitter.setSizes([300, 400, 740])
    preview.mobile_action.trigger()
    qtbot.waitUntil(lambda: preview.view.width() == MOBILE_WIDTH)
    preview.desktop_action.trigger()
    qtbot.waitUntil(lambda: preview.view.width() > MOBILE_WIDTH)
    with qtbot.waitSignal(preview.loaded, timeout=20_000):
        preview.dark_action.trigger()
    assert "prefers-color-scheme" not in preview.shown_html.split("<body")[0].lower()
    assert "(min-width: 0px)" in preview.shown_html
    assert "prefers-color-scheme" in preview.html  # what is exported is untouched
    preview.text_action.trigger()
    assert preview.stack.currentWidget() is preview.text_view
    assert window.document.digest.title in preview.text_view.toPlainText()
    preview.source_action.trigger()
    assert preview.stack.currentWidget() is preview.source_view
    assert preview.source_view.toPlainText().startswith("<!DOCTYPE html>")
    preview.email_action.trigger()
    assert preview.stack.currentIndex() == 0


def test_no_remote_content_unless_allowed(window: MainWindow, qtbot, image_server) -> None:
    base, requested = image_server
    preview = window.preview
    html = f'<html><body><h1>Images</h1><img src="{base}/logo.png" alt="Logo"></body></html>'
    with qtbot.waitSignal(preview.loaded, timeout=20_000):
        preview.show_email(html, "Images")
    assert requested == []
    assert f"{base}/logo.png" in preview.blocker.blocked
    with qtbot.waitSignal(preview.loaded, timeout=20_000):
        preview.remote_action.trigger()
    qtbot.waitUntil(lambda: requested == ["/logo.png"], timeout=10_000)
    # images off wins over remote images
    requested.clear()
    preview.blocker.reset()
    with qtbot.waitSignal(preview.loaded, timeout=20_000):
        preview.images_off_action.trigger()
    qtbot.wait(200)
    assert requested == []


def test_javascript_is_off_and_links_open_outside(window: MainWindow, qtbot) -> None:
    preview = window.preview
    opened: list[QUrl] = []
    preview.opener = opened.append
    html = (
        "<html><body><p id='p'>before</p>"
        "<script>document.getElementById('p').textContent = 'script ran';</script>"
        "<a id='a' href='https://example.org/story'>story</a></body></html>"
    )
    with qtbot.waitSignal(preview.loaded, timeout=20_000):
        preview.show_email(html, "")
    assert '<p id="p">before</p>' in page_html(qtbot, window)  # the script did not run
    preview.page.runJavaScript(
        "document.getElementById('a').click();", QWebEngineScript.ScriptWorldId.ApplicationWorld
    )
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    assert opened[0].toString() == "https://example.org/story"
    assert '<p id="p">before</p>' in page_html(qtbot, window)  # no navigation


def test_preflight_panel_and_size_in_the_status_bar(window: MainWindow, qtbot) -> None:
    panel = window.preflight
    findings = panel.model.findings
    # the window's library is not set up to send: that comes first, then the email's own
    assert [f.code for f in findings[:1]] == ["not-ready"]
    assert findings[1:] == list(window.previewing.last_result.rendered.findings)
    assert "KB of 102 KB" in window.previewing.size_status.text()
    assert panel.summary.text().startswith("<b>Preflight</b>")
    # an item removed from the library: the finding names it, clicking selects it
    digest = window.document.digest
    gone = digest.sections[0].item_ids[1]
    window.library.remove_items([gone])
    window.refresh()
    window.previewing.request_render(now=True)
    row = next(r for r, f in enumerate(panel.model.findings) if f.item_id == gone)
    index = panel.model.index(row, 0)
    assert index.data(0x0001)  # a severity icon (DecorationRole)
    panel.list.clicked.emit(index)
    assert window.editor.selected()[0] == [digest.locate(gone)]


def test_the_preheader_finding_focuses_the_field(window: MainWindow, qtbot) -> None:
    op = plan_field(window.document.digest, "preheader", "")
    window.document.submit([op])
    window.previewing.request_render(now=True)
    finding = next(f for f in window.preflight.model.findings if f.code == "preheader-missing")
    window.previewing.show_finding(finding)
    qtbot.waitUntil(lambda: window.editor.preheader.hasFocus())


def test_a_template_error_is_shown_in_the_window(windows: Windows, qtbot, tmp_path) -> None:
    folder = tmp_path / "templates" / "default"
    folder.mkdir(parents=True)
    (folder / "digest.html").write_text("{{ no_such_variable }}", encoding="utf-8")
    windows.library(items=[make_item({"title": "One", "date": "2023-01-05", "category": "X"})])
    win = windows.open()
    win.library.update_settings({"theme": {"templates_dir": str(tmp_path / "templates")}})
    win.theme_setup.theme = win.theme_setup.read_theme()
    win.digests.draft_from_month("2023-01")
    win.previewing.request_render(now=True)
    assert win.preview.stack.currentWidget() is win.preview.message
    assert "digest.html" in win.preview.message.text()
    assert "digest.html" in win.statusBar().currentMessage()


def test_the_findings_model_passes_qt_model_checks(window: MainWindow, qtmodeltester) -> None:
    model = window.preflight.model
    qtmodeltester.check(model)
    digest = window.document.digest
    window.library.remove_items([digest.sections[0].item_ids[0]])
    window.refresh()
    window.previewing.request_render(now=True)  # the tester checks the reset with new findings
    # the email's findings, and that the library is not set up to send
    assert model.rowCount() == len(window.previewing.last_result.rendered.findings) + 1 >= 3
    assert model.counts()["warning"] >= 1
