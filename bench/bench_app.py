"""Benchmark: app response times, measured with Streamlit's AppTest (no browser).

Run ``python -m bench.bench_app``.

In a fresh child process (cold Streamlit caches, its own empty ``COST_DRIFT_HOME``), one AppTest
session of ``app.py``:

1. first render of the Overview on the sample portfolio (the app's opening page);
2. the Overview after uploading a 100k-row portfolio (1,000 leaves x 100 months, the generator of
   ``bench.bench_portfolio``): read, check, roll up and evaluate the alerts, then draw;
3. the first render of the Alerts page on that upload;
4. the Alerts page after a change of the ``amber_pct`` slider (a new rule: the statuses are
   evaluated again, the rollup comes from the cache), for each of ``SLIDER_VALUES``; the table
   shows the median.

Times are the wall time of ``AppTest.run()`` (the whole script run, sidebar included). The run
checks that it measured the real thing: the Overview shows the upload's 100,000 rows read, and the
Amber count on the Alerts page changes with the slider.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from bench.child import run_child

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app.py"
LEAVES, MONTHS = 1_000, 100
SLIDER_VALUES = (15, 20, 12)
CHILD_TIMEOUT_S = 1200


def _timed_run(at: Any, what: str) -> float:
    t0 = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{what}: the app raised: {[e.value for e in at.exception]}")
    if at.error:
        raise RuntimeError(f"{what}: the app showed an error: {[e.value for e in at.error]}")
    return seconds


def _metric(at: Any, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    if not found:
        raise RuntimeError(f"no metric {label!r} on the page")
    return str(found[0])


def measure(csv_path: Path) -> list[dict[str, Any]]:
    """Drive one AppTest session through the steps of the module docstring; seconds per step."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=CHILD_TIMEOUT_S)
    rows: list[dict[str, Any]] = [
        {"step": "Overview, first render (sample portfolio)", "s": _timed_run(at, "first")}
    ]

    at.radio(key="source").set_value("Upload a file")
    _timed_run(at, "choose upload")
    at.file_uploader(key="upload").set_value((csv_path.name, csv_path.read_bytes(), "text/csv"))
    rows.append({"step": "Overview after a 100k-row upload", "s": _timed_run(at, "upload")})
    read = _metric(at, "Rows read").replace(",", "")
    if read != str(LEAVES * MONTHS):
        raise RuntimeError(f"the Overview shows {read} rows read, not the upload's")

    at.switch_page("app_pages/alerts.py")
    rows.append({"step": "Alerts, first render (100k rows)", "s": _timed_run(at, "alerts")})
    amber = {10: _metric(at, "Amber")}

    changes = []
    for value in SLIDER_VALUES:
        at.slider(key="amber_pct").set_value(value)
        changes.append(_timed_run(at, f"amber_pct={value}"))
        amber[value] = _metric(at, "Amber")
    if len(set(amber.values())) < 2:
        raise RuntimeError(f"the amber count did not follow the slider: {amber}")
    rows.append(
        {
            "step": "Alerts after an amber slider change (100k rows, median)",
            "s": statistics.median(changes),
        }
    )
    return [{**r, "s": round(r["s"], 3)} for r in rows]


def _child() -> None:
    from bench.bench_portfolio import write_portfolio_csv

    with tempfile.TemporaryDirectory(prefix="cost-drift-app-bench-") as tmp:
        os.environ["COST_DRIFT_HOME"] = str(Path(tmp) / "home")
        csv_path = Path(tmp) / "portfolio_100k.csv"
        write_portfolio_csv(csv_path, LEAVES, MONTHS)
        print(json.dumps(measure(csv_path)))


def run() -> pd.DataFrame:
    """Measure in a fresh child process; prints and returns the table (step, s)."""
    rows = run_child(
        ["bench.bench_app", "--child"], timeout=CHILD_TIMEOUT_S, what="the app benchmark"
    )
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: run the app benchmark (``--child`` measures in this process)."""
    parser = argparse.ArgumentParser(description="App response times with AppTest.")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        logging.basicConfig(level=logging.WARNING)
        _child()
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
