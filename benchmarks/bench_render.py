"""Rendering against a bare premailer transform: speed, linear growth, and the email's size.

Targets (issue 3): rendering plus inlining a 40-item digest costs at most 1.5x a
bare, reused premailer transform of the same HTML; 10, 40 and 200 items grow
linearly; a 40-item digest with the default theme and no images stays under
60 KB; and the benchmark says how many such items fit before 100 KB (Gmail
clips at about 102 KB). Issue 11: every theme of the gallery (classic, magazine,
briefing) gets its rows: render+inline time for 40 items, the 40-item size (under
60 KB) and its largest ``<style>`` block (under 16 KB).

Items are made up with the shape of real ones: a title of about 70 characters,
a summary of about 400 (the fixture's average), a url, no image.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from premailer import Premailer

from composer.digest.drafting import arrange
from composer.digest.model import Digest, make_digest, resolve
from composer.email.render import Links, Renderer
from composer.library.item import NewsItem, make_item
from composer.theme.model import LAYOUTS, Theme, theme_from_mapping

Row = tuple[str, float, float, str, str]
WORDS = [
    *("migration", "border", "skills", "partnership", "climate", "research", "dialogue"),
    *("training", "report", "regional", "cooperation", "ministry", "experts", "workshop"),
    *("return", "reintegration", "policy", "data"),
]
CATEGORIES = ("In Focus", "Project News", "Press Release", "Expert Voice", "Events")


def make_items(n: int) -> list[NewsItem]:
    start = dt.date(2023, 1, 1)
    items: list[NewsItem] = []
    for i in range(n):
        words = [WORDS[(i * 5 + k) % len(WORDS)] for k in range(56)]
        title_words = [WORDS[(i * 3 + k) % len(WORDS)] for k in range(8)]
        items.append(
            make_item(
                {
                    "title": f"Story {i}: " + " ".join(title_words).capitalize(),
                    "date": start + dt.timedelta(days=i % 28),
                    "category": CATEGORIES[i % len(CATEGORIES)],
                    "summary": " ".join(words).capitalize() + ".",
                    "url": f"https://www.example.org/news/2023/01/story-{i}-{title_words[0]}",
                    "created": "2023-02-01T09:00:00+00:00",
                }
            )
        )
    return items


def theme() -> Theme:
    return theme_from_mapping(
        {
            "organisation": "Ostmere Centre for Rural Cooperation",
            "postal_address": "4 Mill Lane, 2041 Caldrith, Vostrana",
            "unsubscribe_url": "https://news.example.org/unsubscribe",
            "web_version_url": "https://news.example.org/digest/2023-01",
        }
    )


def digest_of(items: list[NewsItem], th: Theme) -> Digest:
    return make_digest(
        digest_id="d-bench",
        title="News digest: January 2023",
        period="2023-01",
        preheader="In this issue: our January stories",
        sections=arrange(items, th.category_order),
    )


def median_ms(action: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        action()
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run() -> list[Row]:
    rows: list[Row] = []
    th = theme()
    links = Links(th.unsubscribe_url, th.web_version_url)
    renderer = Renderer(cache_size=0)  # each repeat renders: the cache would time hits
    bare = Premailer(allow_network=False)

    def setup(n: int) -> tuple[Digest, dict[str, NewsItem]]:
        items = make_items(n)
        return digest_of(items, th), {i.id: i for i in items}

    timings: dict[int, float] = {}
    for n in (10, 40, 200):
        digest, lookup = setup(n)
        resolved = resolve(digest, lookup)
        repeat = 40 if n <= 40 else 12
        timings[n] = median_ms(lambda r=resolved: renderer.render_html(r, th, links), repeat)
        if n == 40:
            raw = renderer.render_raw_html(resolved, th, links)
            baseline = median_ms(lambda raw=raw: bare.transform(raw), repeat)
            rows.append(("render+inline, 40 items", timings[40], baseline, "ms", "<= 1.5x"))
            full = median_ms(lambda d=digest, lk=lookup: renderer.render(d, lk, th), repeat)
            rows.append(("render+inline+text+preflight, 40", full, baseline, "ms", "info"))
    # Linear growth: the time for 200 items against the line through 10 and 40 items
    # (a fixed cost per email plus a cost per item).
    per_item = (timings[40] - timings[10]) / 30
    predicted = timings[10] + per_item * 190
    rows.append(("render+inline, 10 items", timings[10], 0.0, "ms", "info"))
    rows.append(("render+inline, 200 items vs linear", timings[200], predicted, "ms", "~1x"))
    rows.append(("render+inline, cost per item", per_item, 0.0, "ms", "info"))

    digest, lookup = setup(40)
    size_40 = len(renderer.render_html(resolve(digest, lookup), th, links).encode("utf-8"))
    rows.append(("size of a 40-item digest", size_40 / 1024, 60.0, "KB", "< 60 KB"))

    def size(n: int) -> int:
        d, lk = setup(n)
        return len(renderer.render_html(resolve(d, lk), th, links).encode("utf-8"))

    low, high = 40, 400
    while low < high:  # the largest n whose email stays under 100 KB
        mid = (low + high + 1) // 2
        if size(mid) < 100 * 1024:
            low = mid
        else:
            high = mid - 1
    rows.append(("items that fit under 100 KB", float(low), 0.0, "", "print"))
    rows.extend(theme_rows(renderer, th, links))
    return rows


def theme_rows(renderer: Renderer, th: Theme, links: Links) -> list[Row]:
    """Per theme of the gallery: time and size of a 40-item digest, and its <style> size."""
    import re

    rows: list[Row] = []
    items = make_items(40)
    resolved = resolve(digest_of(items, th), {i.id: i for i in items})
    for layout in LAYOUTS:
        timing = median_ms(
            lambda r=resolved, name=layout: renderer.render_html(r, th, links, template=name), 20
        )
        html = renderer.render_html(resolved, th, links, template=layout)
        style = max(
            (
                len(block.encode("utf-8"))
                for block in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
            ),
            default=0,
        )
        rows.append((f"{layout}: render+inline, 40 items", timing, 0.0, "ms", "info"))
        rows.append(
            (f"{layout}: size of 40 items", len(html.encode("utf-8")) / 1024, 60.0, "KB", "< 60 KB")
        )
        rows.append((f"{layout}: largest <style>", style / 1024, 16.0, "KB", "< 16 KB"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
