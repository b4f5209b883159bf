"""Benchmark: chart export time, first call and warm, per format.

Run ``python -m bench.bench_export``.

The figures are the real chart builders of ``portfolio.charts`` on the sample portfolio
(``totals_over_time`` of the root and ``hierarchy_treemap`` of the latest statuses); each is
exported with ``portfolio.export.figure_bytes`` as PNG, then SVG, then HTML. The measurement runs
in a fresh child process. "first" is the first export of that figure in that format; the very
first PNG of the process also pays for starting Kaleido's headless Chromium (later figures and SVG
reuse it). "warm" is the median of ``WARM_REPEATS`` more exports of the same figure and format.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from bench.child import run_child

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_portfolio.csv"
FORMATS: tuple[Literal["png", "svg", "html"], ...] = ("png", "svg", "html")
WARM_REPEATS = 3
CHILD_TIMEOUT_S = 900


def _figures() -> dict[str, Any]:
    from portfolio.alerts import AlertRule, evaluate, latest_status
    from portfolio.charts import hierarchy_treemap, totals_over_time
    from portfolio.load import load_portfolio
    from portfolio.rollup import rollup_portfolio

    rolled = rollup_portfolio(load_portfolio(SAMPLE))
    latest = latest_status(evaluate(rolled, AlertRule()))
    return {
        "totals_over_time": totals_over_time(rolled),
        "hierarchy_treemap": hierarchy_treemap(latest),
    }


def measure() -> list[dict[str, Any]]:
    """Time every (figure, format) export in this process: the first call, then warm calls."""
    from portfolio.export import figure_bytes

    rows = []
    for chart, fig in _figures().items():
        for fmt in FORMATS:
            t0 = time.perf_counter()
            size = len(figure_bytes(fig, fmt))
            first = time.perf_counter() - t0
            warm = []
            for _ in range(WARM_REPEATS):
                t0 = time.perf_counter()
                figure_bytes(fig, fmt)
                warm.append(time.perf_counter() - t0)
            rows.append(
                {
                    "chart": chart,
                    "format": fmt,
                    "first s": round(first, 3),
                    "warm s": round(statistics.median(warm), 3),
                    "bytes": size,
                }
            )
    return rows


def run() -> pd.DataFrame:
    """Measure in a fresh child process; prints and returns the table."""
    rows = run_child(
        ["bench.bench_export", "--child"], timeout=CHILD_TIMEOUT_S, what="the export benchmark"
    )
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: run the export benchmark (``--child`` measures in this process)."""
    parser = argparse.ArgumentParser(description="Chart export time, first and warm.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure()))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
