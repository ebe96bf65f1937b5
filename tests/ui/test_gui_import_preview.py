"""The import preview: paste (HTML and text) and files are shown before anything is written.

Pastes go through the real clipboard (Qt's offscreen platform), files are real
files in ``tmp_path``; the preview's controls read the source again with the
real core. Every input is invented for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui
pytest.importorskip("PySide6.QtWidgets")

from helpers.gui_helpers import Windows, window_factory  # noqa: E402
from PySide6.QtCore import QByteArray, QMimeData, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from composer.library.item import make_item  # noqa: E402
from ui.import_preview import ImportPreview  # noqa: E402
from ui.import_preview_model import EXISTING, NEW, REJECTED, STATE_ROLE  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

SITE = "https://www.harbourtrust.example"
CARD = """<li class="card">
  <a href="{site}/news/{slug}"><img src="{site}/media/{slug}.jpg" alt="{alt}"></a>
  <h3><a href="{site}/news/{slug}">{title}</a></h3>
  <time datetime="{date}">{date}</time>
  <p>{teaser}</p>
</li>"""
STORIES = [
    ("ferry-timetable", "New ferry timetable for the winter", "2024-11-04", "A ferry at dawn",
     "The winter timetable adds two early crossings."),
    ("lighthouse", "Lighthouse reopens to visitors", "2024-10-28", "The lighthouse",
     "After two years of repairs the lighthouse is open again."),
    ("beach-clean", "Volunteers clean the north beach", "2024-10-12", "Volunteers on the beach",
     "Forty volunteers collected rubbish on Saturday morning."),
]  # fmt: skip
LISTING_HTML = (
    "<html><body><ul class='news'>"
    + "".join(
        CARD.format(site=SITE, slug=slug, title=title, date=date, alt=alt, teaser=teaser)
        for slug, title, date, alt, teaser in STORIES
    )
    + "</ul></body></html>"
)
LISTING_TEXT = """Harbour News
New ferry timetable for the winter
4 November 2024
The winter timetable adds two early crossings.

Harbour News
Lighthouse reopens to visitors
28 October 2024
After two years of repairs the lighthouse is open again.
"""


@pytest.fixture
def windows(qtbot, tmp_path) -> Iterator[Windows]:
    yield from window_factory(qtbot, tmp_path)


@pytest.fixture
def clipboard() -> Iterator[object]:
    board = QGuiApplication.clipboard()
    yield board
    # Qt's offscreen platform crashes at exit while its clipboard owns QMimeData.
    board.clear()


def put_on_clipboard(formats: dict[str, bytes]) -> None:
    mime = QMimeData()
    for name, data in formats.items():
        mime.setData(name, QByteArray(data))
    QGuiApplication.clipboard().setMimeData(mime)


def preview_of(window: MainWindow, qtbot) -> ImportPreview:
    qtbot.waitUntil(lambda: window.import_preview is not None, timeout=20_000)
    dialog = window.import_preview
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and not dialog.rereads.running, timeout=20_000)
    return dialog


def column(dialog: ImportPreview, name: str) -> list[str]:
    from ui.import_preview_model import COLUMNS

    n = COLUMNS.index(name)
    return [dialog.model.index(row, n).data() for row in range(dialog.model.rowCount())]


def states(dialog: ImportPreview) -> list[str]:
    return [dialog.model.index(r, 0).data(STATE_ROLE) for r in range(dialog.model.rowCount())]


# -- paste -----------------------------------------------------------------------------------------
def test_pasted_html_is_previewed_with_links_and_images_then_imported(
    windows: Windows, qtbot, clipboard
) -> None:
    windows.library()
    win = windows.open()
    put_on_clipboard(
        {
            "text/html": LISTING_HTML.encode("utf-8"),
            "text/plain": b"New ferry timetable for the winter\n4 November 2024\n",
            "chromium/x-source-url": f"{SITE}/news/".encode(),
        }
    )
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    assert column(dialog, "Title") == [title for _, title, *_ in STORIES]
    assert column(dialog, "Link") == [f"{SITE}/news/{slug}" for slug, *_ in STORIES]
    assert column(dialog, "Image") == [f"{SITE}/media/{slug}.jpg" for slug, *_ in STORIES]
    assert states(dialog) == [NEW, NEW, NEW]
    assert win.library.items() == []  # nothing is written before "Import"
    assert dialog.import_button.text().replace("&", "") == "Import 3 items"
    assert dialog.import_button.isDefault()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    items = {item.title: item for item in win.library.items()}
    assert sorted(items) == sorted(title for _, title, *_ in STORIES)
    ferry = items["New ferry timetable for the winter"]
    assert ferry.url == f"{SITE}/news/ferry-timetable"
    assert ferry.image_url == f"{SITE}/media/ferry-timetable.jpg"
    assert ferry.image_alt == "A ferry at dawn"
    assert "3 new, 0 already in the library, 0 rejected" in win.imports.last_import_summary
    assert win.library_pane.model.rowCount() == 3


@pytest.mark.parametrize(
    "flavour",
    [
        ("chromium/x-source-url", f"{SITE}/news/".encode()),
        ("text/x-moz-url-priv", f"{SITE}/news/".encode("utf-16-le")),
    ],
    ids=["chromium", "firefox"],
)
def test_relative_links_of_a_paste_resolve_against_the_page_it_came_from(
    windows: Windows, qtbot, clipboard, flavour: tuple[str, bytes]
) -> None:
    relative = LISTING_HTML.replace(f'"{SITE}/', '"/')
    assert SITE not in relative
    windows.library()
    win = windows.open()
    put_on_clipboard({"text/html": relative.encode("utf-8"), flavour[0]: flavour[1]})
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    assert column(dialog, "Link") == [f"{SITE}/news/{slug}" for slug, *_ in STORIES]
    assert column(dialog, "Image") == [f"{SITE}/media/{slug}.jpg" for slug, *_ in STORIES]
    assert f"{SITE}/news/" in dialog.heading.text()


def test_a_base_url_typed_in_the_preview_mends_relative_links(
    windows: Windows, qtbot, clipboard
) -> None:
    relative = LISTING_HTML.replace(f'"{SITE}/', '"/')
    windows.library()
    win = windows.open()
    put_on_clipboard({"text/html": relative.encode("utf-8")})  # no page address
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    assert column(dialog, "Link") == ["no link"] * 3
    messages = [dialog.messages.item(n).text() for n in range(dialog.messages.count())]
    assert any("relative" in message for message in messages)
    base = dialog.options.base_url
    assert base.isVisibleTo(dialog)
    base.setText(f"{SITE}/news/")
    base.editingFinished.emit()
    qtbot.waitUntil(lambda: not dialog.rereads.running)
    assert column(dialog, "Link") == [f"{SITE}/news/{slug}" for slug, *_ in STORIES]
    base.setText("ftp://wrong.example/")
    base.editingFinished.emit()
    qtbot.waitUntil(lambda: not dialog.rereads.running)
    assert "base url" in dialog.error.text() and dialog.model.rowCount() == 0
    assert not dialog.import_button.isEnabled()


def test_a_plain_text_paste_is_previewed_and_shows_items_have_no_link(
    windows: Windows, qtbot, clipboard
) -> None:
    windows.library()
    win = windows.open()
    clipboard.setText(LISTING_TEXT)  # type: ignore[attr-defined]
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    assert column(dialog, "Title") == [
        "New ferry timetable for the winter",
        "Lighthouse reopens to visitors",
    ]
    assert column(dialog, "Link") == ["no link", "no link"]
    assert "readers cannot read more" in dialog.model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert column(dialog, "Category") == ["Harbour News", "Harbour News"]
    qtbot.waitUntil(lambda: dialog.table.hasFocus())  # keyboard users start on the items
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter: the default button, Import
    assert len(win.library.items()) == 2


def test_cancel_writes_nothing(windows: Windows, qtbot, clipboard) -> None:
    windows.library()
    win = windows.open()
    clipboard.setText(LISTING_TEXT)  # type: ignore[attr-defined]
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    writes = win.library.write_count
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert not dialog.isVisible()
    assert win.library.items() == [] and win.library.write_count == writes
    assert "cancelled" in win.imports.last_import_summary


def test_an_empty_clipboard_is_explained(windows: Windows, clipboard) -> None:
    windows.library()
    win = windows.open()
    clipboard.setText("   ")  # type: ignore[attr-defined]
    win.actions_by_name["paste"].trigger()
    assert "no text" in win.statusBar().currentMessage()
    assert win.import_preview is None


def test_duplicates_are_shown_and_not_counted(windows: Windows, qtbot, clipboard) -> None:
    known = make_item(
        {
            "category": "Harbour News",
            "title": "Lighthouse reopens to visitors",
            "date": "2024-10-28",
            "url": f"{SITE}/news/lighthouse",
        }
    )
    windows.library(items=[known])
    win = windows.open()
    put_on_clipboard({"text/html": LISTING_HTML.encode("utf-8")})
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    assert states(dialog) == [NEW, EXISTING, NEW]
    assert column(dialog, "Status")[1] == "In library"
    assert "Already in the library" in dialog.model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "2 new, 1 already in the library" in dialog.counts.text()
    assert dialog.import_button.text().replace("&", "") == "Import 2 items"
    dialog.import_button.click()
    assert len(win.library.items()) == 3
    assert "2 new, 1 already in the library" in win.imports.last_import_summary


# -- files -----------------------------------------------------------------------------------------
def test_files_are_previewed_one_source_each_and_imported_in_one_write(
    windows: Windows, qtbot, tmp_path: Path
) -> None:
    page = tmp_path / "harbour-news.html"
    page.write_text(LISTING_HTML, encoding="utf-8")
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING_TEXT, encoding="utf-8")
    missing = tmp_path / "missing.csv"
    windows.library()
    win = windows.open()
    win.import_sources([str(page), str(listing), str(missing)], preview=True)
    dialog = preview_of(win, qtbot)
    assert dialog.sources.isVisibleTo(dialog) and dialog.sources.count() == 3
    assert "3 new" in dialog.sources.item(0).text()
    dialog.sources.setCurrentRow(2)
    assert "missing.csv" in dialog.error.text() and dialog.model.rowCount() == 0
    dialog.sources.setCurrentRow(1)
    assert column(dialog, "Title")[0] == "New ferry timetable for the winter"
    # the listing's stories are the page's (same title and date): counted once
    assert dialog.import_button.text().replace("&", "") == "Import 3 items"
    writes = win.library.write_count
    dialog.import_button.click()
    assert win.library.write_count == writes + 1
    assert len(win.library.items()) == 3
    assert "missing.csv" in win.imports.last_import_summary


def test_rejected_entries_are_listed_with_where_and_why(
    windows: Windows, qtbot, tmp_path: Path
) -> None:
    sheet = tmp_path / "news.csv"
    sheet.write_text(
        "title,date,category\n"
        "Harbour crane restored,2024-09-02,Heritage\n"
        "A story without a date,,Heritage\n",
        encoding="utf-8",
    )
    windows.library()
    win = windows.open()
    win.import_sources([str(sheet)], preview=True)
    dialog = preview_of(win, qtbot)
    assert states(dialog) == [NEW, REJECTED]
    assert column(dialog, "Title")[1].startswith("row 3: date")
    assert "1 rejected" in dialog.counts.text()


@pytest.mark.parametrize("threaded", [False, True], ids=["inline", "on-the-worker"])
def test_csv_slash_dates_are_read_in_the_order_chosen(
    windows: Windows, qtbot, tmp_path: Path, threaded: bool
) -> None:
    sheet = tmp_path / "export.csv"
    sheet.write_text(
        "Title,Date,Category\n"
        "Ferry timetable,03/04/2024,Harbour\n"
        "Lighthouse open,05/06/2024,Heritage\n",
        encoding="utf-8",
    )
    windows.library()
    win = windows.open(threaded=threaded)
    win.import_sources([str(sheet)], preview=True)
    dialog = preview_of(win, qtbot)
    panel = dialog.options
    assert panel.date_order.isVisibleTo(dialog) and panel.date_order.currentIndex() == -1
    assert not dialog.import_button.isEnabled()  # every row waits for the order
    panel.date_order.setCurrentIndex(panel.date_order.findData("dmy"))
    qtbot.waitUntil(lambda: not dialog.rereads.running)
    assert column(dialog, "Date") == ["2024-04-03", "2024-06-05"]
    panel.date_order.setCurrentIndex(panel.date_order.findData("mdy"))
    qtbot.waitUntil(lambda: not dialog.rereads.running)
    assert column(dialog, "Date") == ["2024-03-04", "2024-05-06"]
    dialog.import_button.click()
    assert sorted(i.date.isoformat() for i in win.library.items()) == ["2024-03-04", "2024-05-06"]


def test_a_csv_column_can_be_mapped_to_a_field(windows: Windows, qtbot, tmp_path: Path) -> None:
    sheet = tmp_path / "export.csv"
    sheet.write_text(
        "Title,Date,Desk\n"
        "Ferry timetable,2024-04-03,Harbour\n"
        "Lighthouse open,2024-06-05,Heritage\n",
        encoding="utf-8",
    )
    windows.library()
    win = windows.open()
    win.import_sources([str(sheet)], preview=True)
    dialog = preview_of(win, qtbot)
    panel = dialog.options
    assert panel.columns_box.isVisibleTo(dialog)
    desk = next(combo for combo in panel.column_combos.values() if "Desk" in combo.accessibleName())
    assert desk.currentData() == "ignore"
    desk.setCurrentIndex(desk.findData("category"))
    qtbot.waitUntil(lambda: not dialog.rereads.running)
    assert column(dialog, "Category") == ["Harbour", "Heritage"]
    dialog.import_button.click()
    assert sorted(i.category for i in win.library.items()) == ["Harbour", "Heritage"]


def test_the_listing_layout_can_be_switched(windows: Windows, qtbot, clipboard) -> None:
    # the date line between two titles: after the first story's title, or before the next one's
    clipboard.setText(  # type: ignore[attr-defined]
        "Ferry timetable for the winter\n4 November 2024\n\n"
        "Lighthouse reopens to visitors\n28 October 2024\n\n"
    )
    windows.library()
    win = windows.open()
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    panel = dialog.options
    assert panel.layout_combo.isVisibleTo(dialog) and panel.layout_combo.count() > 1
    first = dialog.reads[0].report
    assert first is not None
    before = (first.layout, column(dialog, "Title"), column(dialog, "Date"))
    other = next(
        n
        for n in range(panel.layout_combo.count())
        if panel.layout_combo.itemData(n) != first.layout
    )
    chosen = panel.layout_combo.itemData(other)
    panel.layout_combo.setCurrentIndex(other)
    qtbot.waitUntil(lambda: not dialog.rereads.running)
    report = dialog.reads[0].report
    assert dialog.reads[0].options is not None and dialog.reads[0].options.layout == chosen
    assert report is None or report.layout == chosen
    after = (chosen, column(dialog, "Title"), column(dialog, "Date"))
    assert after != before


def test_the_feed_a_page_advertises_is_offered_from_the_report_not_its_notes(
    windows: Windows, qtbot, clipboard
) -> None:
    windows.library()
    win = windows.open()
    feed = f"{SITE}/news/feed.xml"
    link = f'<link rel="alternate" type="application/rss+xml" href="{feed}">'
    advertised = LISTING_HTML.replace("<html>", f"<html><head>{link}</head>")
    put_on_clipboard({"text/html": advertised.encode("utf-8")})
    win.actions_by_name["paste"].trigger()
    dialog = preview_of(win, qtbot)
    read = dialog.current_read()
    assert read is not None and read.report is not None
    assert read.report.feeds == [feed]
    assert any(feed in note for note in read.report.notes)  # the note stays, for people
    assert dialog.feed_url() == feed and dialog.feed_button.isVisibleTo(dialog)
    # the offer follows the field: a note that names a feed is only words
    read.report.feeds.clear()
    read.report.notes.append(f"the page advertises a feed, {SITE}/other.xml: import that")
    assert dialog.feed_url() is None
    dialog.reject()


def test_a_paste_with_no_story_is_explained_without_a_preview(
    windows: Windows, qtbot, clipboard
) -> None:
    windows.library()
    win = windows.open()
    clipboard.setText("Thank you for reading, see you next week.")  # type: ignore[attr-defined]
    win.actions_by_name["paste"].trigger()
    assert win.import_preview is None
    assert win.imports.last_import_summary.startswith("✗ clipboard:")
    assert "Traceback" not in win.imports.last_import_summary
    assert win.library.items() == []
