"""``make bench``: run every benchmark module and print one table with ratios to the baseline.

A row whose value is NaN was not measured (a module that could not run here, a
feature not available yet): it shows "not measured" and its target says why.
"""

from __future__ import annotations

import importlib
import math
import sys

MODULES = (
    "benchmarks.bench_store",
    "benchmarks.bench_render",
    "benchmarks.bench_gui",
    "benchmarks.bench_send",
    "benchmarks.bench_listing",
    "benchmarks.bench_import",
    "benchmarks.bench_postgres",
)


def main() -> int:
    rows: list[tuple[str, float, float, str, str]] = []
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"(skipping {name}: {exc})", file=sys.stderr)
            continue
        print(f"running {name} …", file=sys.stderr, flush=True)
        for row in module.run():
            label, value, baseline, unit = row[:4]
            target = row[4] if len(row) > 4 else ""
            rows.append((label, value, baseline, unit, target))
    width = max(len(r[0]) for r in rows) if rows else 10
    print(f"{'benchmark':<{width}}  {'measured':>12}  {'baseline':>12}  {'ratio':>7}  target")
    print("-" * (width + 50))
    for label, value, baseline, unit, target in rows:
        measured = not math.isnan(value)
        ratio = f"{value / baseline:7.2f}" if baseline and measured else "      -"
        base = f"{baseline:10.2f} {unit}" if baseline else " " * 12
        shown = f"{value:10.2f} {unit:<2}" if measured else f"{'not measured':>13}"
        print(f"{label:<{width}}  {shown}  {base}  {ratio}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
