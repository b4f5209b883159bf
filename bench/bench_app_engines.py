"""Benchmark: the app's load + rollup + alerts of an upload on the pandas and the duckdb engine.

Run ``python -m bench.bench_app_engines [--sizes 100k,1M,3M]``.

What the app does with an upload (``ui.data``): read the bytes and check them with the pandas
loader (``read_raw`` + ``build_portfolio``, the same on both engines: the pages need the
``Portfolio``), roll it up (``rollup_portfolio`` on pandas, ``portfolio.engines.rollup_frame`` on
duckdb: the SQL of ``portfolio.engines.sqltext`` over the loaded table) and evaluate the default
alert rule (``portfolio.alerts.evaluate``). Each (engine, size) runs in a fresh child process
(its peak memory is its own: ``VmHWM``, imports included); the time is the wall and CPU time
(user + system, every thread) from the bytes in memory to the statuses. The data is the synthetic
CSV of ``bench.bench_portfolio`` (4 levels, 100 months; ``1M`` = 10,000 leaves; ``3M`` is about
197 MB, just under the app's 200 MB upload limit). ``same``: both rollups hold the same rows (node,
level, period) and figures within 1e-9 relative. The size above which the duckdb engine wins is
``portfolio.engines.APP_DUCKDB_ROWS``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bench.child import run_child
from bench.process_tree import own_peak_mb

log = logging.getLogger(__name__)

SIZES: dict[str, int] = {"100k": 1_000, "1M": 10_000, "3M": 30_000}
MONTHS = 100
CHILD_TIMEOUT_S = 1800
TABLE_COLUMNS = (
    "size",
    "rows",
    "pandas s",
    "duckdb s",
    "duckdb / pandas",
    "pandas cpu s",
    "duckdb cpu s",
    "pandas peak MB",
    "duckdb peak MB",
    "rollup pandas s",
    "rollup duckdb s",
    "same",
)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def child(engine: str, csv_path: Path, out: Path) -> dict[str, Any]:
    """One engine on one file, in this process: timings, peak and the rollup written to ``out``."""
    import duckdb  # noqa: F401  # both children pay the same imports before the clock starts

    from portfolio.alerts import AlertRule, evaluate
    from portfolio.engines import EngineChoice, rollup_frame
    from portfolio.load import build_portfolio, read_raw

    data = csv_path.read_bytes()
    t0, c0 = time.perf_counter(), _cpu()
    p = build_portfolio(read_raw(data, name=csv_path.name))
    t1 = time.perf_counter()
    rolled = rollup_frame(p, EngineChoice(engine))
    t2 = time.perf_counter()
    statuses = evaluate(rolled, AlertRule())
    t3, c3 = time.perf_counter(), _cpu()
    statuses.to_parquet(out)
    return {
        "s": t3 - t0,
        "cpu": c3 - c0,
        "load": t1 - t0,
        "rollup": t2 - t1,
        "alerts": t3 - t2,
        "peak": own_peak_mb(),
    }


def same_rows(a: Path, b: Path) -> bool:
    """The two status tables hold the same rows in the same order and the same figures."""
    import numpy as np

    x, y = pd.read_parquet(a), pd.read_parquet(b)
    if list(x.columns) != list(y.columns) or len(x) != len(y):
        return False
    for col in x.columns:
        if pd.api.types.is_float_dtype(x[col]):
            ok = np.allclose(x[col], y[col], rtol=1e-9, atol=1e-6, equal_nan=True)
        else:
            ok = x[col].astype(str).tolist() == y[col].astype(str).tolist()
        if not ok:
            return False
    return True


def run(sizes: Sequence[str] = tuple(SIZES)) -> pd.DataFrame:
    """Both engines at each size; prints and returns the table."""
    from bench.bench_portfolio import write_portfolio_csv

    rows = []
    with tempfile.TemporaryDirectory(prefix="cost-drift-app-engines-") as tmp:
        for size in sizes:
            csv_path = Path(tmp) / f"portfolio_{size}.csv"
            n = write_portfolio_csv(csv_path, SIZES[size], MONTHS)
            got = {}
            for engine in ("pandas", "duckdb"):
                out = Path(tmp) / f"{engine}_{size}.parquet"
                args = ["bench.bench_app_engines", "--child", engine, str(csv_path), str(out)]
                got[engine] = run_child(args, timeout=CHILD_TIMEOUT_S, what=f"{engine} {size}")
            pd_, dk = got["pandas"], got["duckdb"]
            rows.append(
                {
                    "size": size,
                    "rows": n,
                    "pandas s": round(pd_["s"], 2),
                    "duckdb s": round(dk["s"], 2),
                    "duckdb / pandas": round(dk["s"] / pd_["s"], 2),
                    "pandas cpu s": round(pd_["cpu"], 2),
                    "duckdb cpu s": round(dk["cpu"], 2),
                    "pandas peak MB": round(pd_["peak"]),
                    "duckdb peak MB": round(dk["peak"]),
                    "rollup pandas s": round(pd_["rollup"], 2),
                    "rollup duckdb s": round(dk["rollup"], 2),
                    "same": same_rows(
                        Path(tmp) / f"pandas_{size}.parquet", Path(tmp) / f"duckdb_{size}.parquet"
                    ),
                }
            )
            log.info("%s: %s", size, rows[-1])
            for f in Path(tmp).glob("*"):
                f.unlink()
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    print(table.to_string(index=False))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load} ({os.cpu_count()} CPUs, shared)")
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: run the table, or act as a measuring child."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma list of 100k,1M,3M")
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "CSV", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        engine, csv_path, out = args.child
        print(json.dumps(child(engine, Path(csv_path), Path(out))))
        return 0
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    run([s.strip() for s in args.sizes.split(",") if s.strip()])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
