"""Plain-text listings and dates: start-up cost of the date tables, and a 1 MB mixed paste.

- ``import composer.library.dates`` in a fresh interpreter (it is imported when the app and the
  CLI start), against a bare ``python -c pass``;
- loading the shipped month/weekday table of every CLDR language, against building the
  same table from Babel (what reading every locale at start-up would cost);
- a 1 MB paste whose date lines are CMS stamps in several languages before the title
  (the layout is chosen, labels read), against splitting the same text into lines.

Target: a 1 MB paste in under 2 s; the table load in a few milliseconds.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

Row = tuple[str, float, float, str, str]

_STAMPS = (
    "{day} January 2024 | Office of the Mayor",
    "Publicado: {day} de enero de 2024",
    "{day}.01.2024 · Pressemitteilung",
    "{day} يناير 2024·2 من الدقائق",
)


def mixed_listing(size: int) -> str:
    """Stories with a stamp above the title, in four languages, about ``size`` bytes."""
    blocks = []
    total = n = 0
    while total < size:
        stamp = _STAMPS[n % len(_STAMPS)].format(day=1 + n % 28)
        block = (
            f"{stamp}\nStory number {n} about the harbour works\n"
            f"The works on pier {n} go on through the spring, the office said.\nRead more\n\n"
        )
        blocks.append(block)
        total += len(block.encode("utf-8"))
        n += 1
    return "".join(blocks)


def _best(action: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def _python(code: str) -> float:
    return _best(lambda: subprocess.run([sys.executable, "-c", code], check=True), repeat=5)


def run() -> list[Row]:
    from composer.library import date_names
    from composer.library.importers import import_text

    rows: list[Row] = []
    bare = _python("pass")
    ours = _python("import composer.library.dates")
    label = "import composer.library.dates (fresh process)"
    rows.append((label, ours * 1000, bare * 1000, "ms", ""))

    def load() -> None:
        date_names._table.cache_clear()
        date_names.month_names.cache_clear()
        date_names.weekday_names.cache_clear()
        date_names.month_names()
        date_names.weekday_names()

    table = _best(load)
    babel = _best(date_names.build_table, repeat=1)
    rows.append(("load CLDR month/weekday table", table * 1000, babel * 1000, "ms", "< 50 ms"))

    text = mixed_listing(1_000_000)
    stories = len(import_text(text, format="listing").items)
    ours = _best(lambda: import_text(text, format="listing"))
    split = _best(lambda: text.splitlines())
    rows.append((f"paste 1 MB mixed-language stamps ({stories} items)", ours, split, "s", "< 2 s"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
