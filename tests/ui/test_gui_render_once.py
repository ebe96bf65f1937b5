"""The window renders a digest once per change: the export and the send reuse the preview.

A real window on a real library file, the preview rendered by the theme's shared
renderer, an HTML export to ``tmp_path`` and a test send to aiosmtpd on loopback;
the renderer's :attr:`~composer.email.render.Renderer.render_count` says how many real
renders there were (issue 12, "What to build" 6).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, window_factory  # noqa: E402
from helpers.send_servers import Handler, MemoryKeyring, make_library, smtp_server  # noqa: E402

from composer.digest.editing import plan_field  # noqa: E402
from composer.email.render import Rendered, renderer_for  # noqa: E402
from composer.secrets import PasswordStore  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def windows(qtbot, tmp_path) -> Iterator[Windows]:
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    with smtp_server() as running:
        yield running


def open_window(windows: Windows, port: int, templates: Path) -> MainWindow:
    """A window whose theme has its own (empty) templates folder: a renderer of its own."""
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 0, "timeout": 5}
    path = make_library(windows.folder / "library.json", smtp, templates_dir=str(templates))
    passwords = PasswordStore(backend=MemoryKeyring(), environ={})
    return windows.open(path, passwords=passwords)


def preview_after(qtbot, window: MainWindow, serial: int) -> Rendered:
    """The preview's render that follows render number ``serial`` of the window."""

    def shown() -> bool:
        result = window.previewing.last_result
        return (
            result is not None and result.serial > serial and not window.previewing.scheduler.busy
        )

    qtbot.waitUntil(shown, timeout=20_000)
    assert (
        window.previewing.last_result is not None
        and window.previewing.last_result.rendered is not None
    )
    return window.previewing.last_result.rendered


def test_send(qtbot, window: MainWindow, handler: Handler) -> str:
    """Send a test to me@example.org; the HTML part of the message the server got."""
    before = len(handler.messages())
    dialog = window.sending.send_test()
    assert dialog is not None
    dialog.addresses.setText("me@example.org")
    dialog.refresh()
    assert "From:" in dialog.summary.toPlainText() or "from:" in dialog.summary.toPlainText()
    assert dialog.send()
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.running, timeout=20_000)
    assert dialog.report is not None and dialog.report.ok
    dialog.close()
    message = handler.messages()[before].message()
    html = message.get_body(("html",))
    assert html is not None
    return str(html.get_content())


test_send.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def lines(text: str) -> str:
    return text.replace("\r\n", "\n").rstrip("\n")


def test_export_and_send_reuse_the_preview_until_the_digest_changes(
    qtbot, windows: Windows, server: tuple[Handler, int], tmp_path: Path
) -> None:
    handler, port = server
    templates = tmp_path / "templates"
    templates.mkdir()
    window = open_window(windows, port, templates)
    renderer = renderer_for(window.theme)
    assert renderer.render_count == 0  # a folder of its own: nothing rendered yet

    assert window.digests.draft_from_month("2023-01") is not None
    preview = preview_after(qtbot, window, 0)
    assert renderer.render_count == 1

    exported = window.exports.export("html", str(tmp_path / "digest.html"))
    assert exported is not None
    assert exported.read_text(encoding="utf-8") == preview.html
    sent = test_send(qtbot, window, handler)  # the send dialog's preflight, then the send
    assert lines(sent) == lines(preview.html)
    assert renderer.render_count == 1  # one digest, one render

    digest = window.document.digest
    assert digest is not None
    operation = plan_field(digest, "intro", "A **busy** month at the harbour.")
    assert operation is not None
    serial = window.previewing.last_result.serial if window.previewing.last_result else 0
    window.document.submit([operation])
    edited = preview_after(qtbot, window, serial)
    assert "busy" in edited.html and edited.html != preview.html
    assert renderer.render_count == 2

    again = window.exports.export("html", str(tmp_path / "edited.html"))
    assert again is not None and again.read_text(encoding="utf-8") == edited.html
    assert lines(test_send(qtbot, window, handler)) == lines(edited.html)
    assert renderer.render_count == 2
