"""Benchmark: load + rollup + alerts of a large portfolio, ours beside DuckDB.

Run ``python -m bench.bench_portfolio [--sizes 10k,100k,1M] [--profile SIZE]``.

The portfolios are synthetic CSV files written to a temporary folder (never committed): 4 levels
(``portfolio, program, project, item``; 4 portfolios > 20 programs > up to 200 projects > the
leaves), monthly periods ``YYYY-MM`` from 2017-01, every leaf present at every period, amounts with
two decimals. Sizes: ``10k`` = 100 leaves x 100 months, ``100k`` = 1,000 x 100, ``1M`` = 10,000 x
100.

What each side computes, timed from the file on disk to the finished table in memory:

- ours: ``portfolio.load.load_portfolio(path)`` (read, detect the format, validate every cell,
  parse periods and amounts, build the calendar), ``portfolio.rollup.rollup_portfolio`` (sum to
  every node and period, variance and variance %, the cumulative figures, parent and name) and
  ``portfolio.alerts.evaluate(rolled, AlertRule())`` (the status of every node at every period
  under the default rule: cumulative basis, amber 10 %, red 30 %, no floor, both directions).
- DuckDB: ``read_csv`` with the column types given (no sniffing of types), ``GROUP BY
  ROLLUP(portfolio, program, project, item), period`` summing planned and actual, the node id path,
  level, parent and name, variance and variance %, the cumulative sums by a window over the
  periods of each node, the same status rule as a ``CASE``, ordered by level, node, period, and
  fetched into a pandas DataFrame. DuckDB does not validate the hierarchy, the amounts'
  formats or the calendar the way our loader does, and runs on all the threads it is given
  (``threads`` in the printed notes).

Each (engine, size) runs in a fresh child process (``--child``) so that its peak memory is its own:
the child reports ``VmHWM`` from ``/proc/self/status`` (the peak resident set, imports included;
``ru_maxrss`` where ``/proc`` is missing). Time is wall time of one run after the imports; the file
is in the page cache because it was just written. Both children also report the root's cumulative
planned and actual at the last period and the status counts at the last period, so the table shows
that the two sides computed the same thing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import pstats
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench.child import run_child
from bench.process_tree import own_peak_mb
from bench.reference_sql import CSV_SOURCE, Reference, reference_sql

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SIZES: dict[str, tuple[int, int]] = {
    "10k": (100, 100),
    "100k": (1_000, 100),
    "1M": (10_000, 100),
}
LEVELS = ("portfolio", "program", "project", "item")
FIRST_MONTH = "2017-01"
CHILD_TIMEOUT_S = 1800
TABLE_COLUMNS = (
    "size",
    "rows",
    "ours s",
    "duckdb s",
    "ratio",
    "ours peak MB",
    "duckdb peak MB",
)
DETAIL_COLUMNS = (
    "load s",
    "rollup s",
    "alerts s",
    "duckdb compute s",
    "duckdb fetch s",
    "agree",
    "duckdb threads",
)


def write_portfolio_csv(path: Path, leaves: int, months: int = 100, seed: int = 0) -> int:
    """Write a synthetic 4-level monthly portfolio CSV; returns the number of data rows.

    Args:
        path: Where to write.
        leaves: Number of leaf items (each has a row at every month).
        months: Number of months, from 2017-01.
        seed: Seed of the amounts.
    """
    rng = np.random.default_rng(seed)
    n_projects = min(200, leaves)
    leaf = np.arange(leaves)
    project = leaf % n_projects
    program = project % 20
    portfolio = program % 4
    labels = np.array([str(p) for p in pd.period_range(FIRST_MONTH, periods=months, freq="M")])
    base = rng.lognormal(mean=9.0, sigma=1.0, size=leaves)
    drift = rng.normal(0.0, 0.004, size=leaves)
    t = np.arange(months)
    planned = base[:, None] * (1.0 + 0.3 * np.sin(2 * np.pi * t / 12.0))[None, :]
    actual = planned * (1.0 + drift[:, None] * t[None, :]) * rng.normal(1.0, 0.08, (leaves, months))
    frame = pd.DataFrame(
        {
            "portfolio": np.char.add("Portfolio ", portfolio.astype(str)).repeat(months),
            "program": np.char.add("Program ", program.astype(str)).repeat(months),
            "project": np.char.add("Project ", project.astype(str)).repeat(months),
            "item": np.char.add("PO-", (100_000 + leaf).astype(str)).repeat(months),
            "period": np.tile(labels, leaves),
            "planned": np.round(planned.ravel(), 2),
            "actual": np.round(np.maximum(actual, 0.0).ravel(), 2),
        }
    )
    frame.to_csv(path, index=False, float_format="%.2f", lineterminator="\n")
    return len(frame)


def _summary(frame: pd.DataFrame, status_column: str = "status") -> dict[str, Any]:
    """Root totals and latest status counts, for checking that two engines agree."""
    last = frame["period"].max()
    root = frame[(frame["level"] == 0) & (frame["period"] == last)]
    latest = frame[frame["period"] == last]
    counts = latest[status_column].value_counts()
    return {
        "out_rows": len(frame),
        "nodes": int(frame["node"].nunique()),
        "root_cum_planned": float(root["cum_planned"].iloc[0]),
        "root_cum_actual": float(root["cum_actual"].iloc[0]),
        "status_counts": {s: int(counts.get(s, 0)) for s in ("green", "amber", "red")},
    }


def run_ours(csv_path: Path) -> dict[str, Any]:
    """Load, roll up and evaluate alerts with our engine; timings and the result summary."""
    from portfolio.alerts import AlertRule, evaluate
    from portfolio.load import load_portfolio
    from portfolio.rollup import rollup_portfolio

    t0 = time.perf_counter()
    portfolio = load_portfolio(csv_path)
    t1 = time.perf_counter()
    rolled = rollup_portfolio(portfolio)
    t2 = time.perf_counter()
    statuses = evaluate(rolled, AlertRule())
    t3 = time.perf_counter()
    return {
        "seconds": t3 - t0,
        "phases": {"load": t1 - t0, "rollup": t2 - t1, "alerts": t3 - t2},
        **_summary(statuses),
    }


DUCKDB_SQL = reference_sql(Reference(CSV_SOURCE, alerts=True))


def run_duckdb(csv_path: Path) -> dict[str, Any]:
    """The same load, rollup and status rule in DuckDB, fetched into pandas.

    Timed in two phases: ``compute`` materialises the result in a DuckDB temporary table, and
    ``fetch`` turns it into a pandas DataFrame (what our engine hands to its callers).
    """
    import duckdb

    t0 = time.perf_counter()
    con = duckdb.connect()
    params = {"path": str(csv_path), "floor": 0.0, "amber": 0.10, "red": 0.30}
    con.execute("CREATE TEMP TABLE result AS " + DUCKDB_SQL, params)
    t1 = time.perf_counter()
    frame = con.execute("SELECT * FROM result").df()  # insertion order is kept
    t2 = time.perf_counter()
    threads = con.execute("SELECT current_setting('threads')").fetchone()
    con.close()
    return {
        "seconds": t2 - t0,
        "phases": {"compute": t1 - t0, "fetch": t2 - t1},
        "threads": int(threads[0]) if threads else 0,
        **_summary(frame),
    }


def _child(engine: str, csv_path: Path) -> None:
    import duckdb  # noqa: F401  # both children pay the same imports before the clock starts

    import portfolio.alerts
    import portfolio.load
    import portfolio.rollup  # noqa: F401

    result = run_ours(csv_path) if engine == "ours" else run_duckdb(csv_path)
    result["peak_mb"] = own_peak_mb()
    print(json.dumps(result))


def measure(engine: str, csv_path: Path) -> dict[str, Any]:
    """Run one engine on one file in a fresh child process; its timings, peak MB and summary."""
    result: dict[str, Any] = run_child(
        ["bench.bench_portfolio", "--child", engine, str(csv_path)],
        timeout=CHILD_TIMEOUT_S,
        what=f"{engine} on {csv_path.name}",
    )
    return result


def run(sizes: Sequence[str] = tuple(SIZES), workdir: Path | None = None) -> pd.DataFrame:
    """Benchmark both engines at each size; prints and returns the table.

    Args:
        sizes: Keys of ``SIZES``.
        workdir: Where to write the CSV files (a temporary folder, removed after, by default).

    Returns:
        One row per size: ``TABLE_COLUMNS``, then ``DETAIL_COLUMNS`` (our phases, DuckDB's
        compute and fetch, ``agree``: output rows, root totals and status counts equal on both
        sides, and DuckDB's thread count), then the root totals and status counts of both sides.
    """
    with tempfile.TemporaryDirectory(prefix="cost-drift-bench-") as tmp:
        folder = workdir or Path(tmp)
        rows = []
        for size in sizes:
            leaves, months = SIZES[size]
            csv_path = folder / f"portfolio_{size}.csv"
            n_rows = write_portfolio_csv(csv_path, leaves, months)
            log.info("wrote %s (%d rows, %.0f MB)", csv_path, n_rows, csv_path.stat().st_size / 1e6)
            ours = measure("ours", csv_path)
            duck = measure("duckdb", csv_path)
            agree = (
                ours["out_rows"] == duck["out_rows"]
                and bool(np.isclose(ours["root_cum_planned"], duck["root_cum_planned"]))
                and bool(np.isclose(ours["root_cum_actual"], duck["root_cum_actual"]))
                and ours["status_counts"] == duck["status_counts"]
            )
            rows.append(
                {
                    "size": size,
                    "rows": n_rows,
                    "ours s": round(ours["seconds"], 3),
                    "duckdb s": round(duck["seconds"], 3),
                    "ratio": round(ours["seconds"] / duck["seconds"], 2),
                    "ours peak MB": round(ours["peak_mb"], 1),
                    "duckdb peak MB": round(duck["peak_mb"], 1),
                    "load s": round(ours["phases"]["load"], 3),
                    "rollup s": round(ours["phases"]["rollup"], 3),
                    "alerts s": round(ours["phases"]["alerts"], 3),
                    "duckdb compute s": round(duck["phases"]["compute"], 3),
                    "duckdb fetch s": round(duck["phases"]["fetch"], 3),
                    "agree": agree,
                    "duckdb threads": duck["threads"],
                    "ours root cum planned": ours["root_cum_planned"],
                    "duckdb root cum planned": duck["root_cum_planned"],
                    "ours root cum actual": ours["root_cum_actual"],
                    "duckdb root cum actual": duck["root_cum_actual"],
                    "ours status counts": ours["status_counts"],
                    "duckdb status counts": duck["status_counts"],
                }
            )
    table = pd.DataFrame(rows)
    print(table[[*TABLE_COLUMNS, *DETAIL_COLUMNS]].to_string(index=False))
    return table


def profile_ours(size: str = "1M", top: int = 30) -> str:
    """cProfile our load + rollup + alerts at one size; the top functions by cumulative time."""
    leaves, months = SIZES[size]
    with tempfile.TemporaryDirectory(prefix="cost-drift-prof-") as tmp:
        csv_path = Path(tmp) / f"portfolio_{size}.csv"
        write_portfolio_csv(csv_path, leaves, months)
        profiler = cProfile.Profile()
        profiler.enable()
        run_ours(csv_path)
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark, profile our engine, or act as a measuring child."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma list of 10k,100k,1M")
    parser.add_argument("--profile", metavar="SIZE", help="cProfile our engine at SIZE instead")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.profile:
        print(profile_ours(args.profile))
        return 0
    run([s.strip() for s in args.sizes.split(",") if s.strip()])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
