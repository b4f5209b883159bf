"""Benchmark: the whole ``cost-drift rollup`` process writing CSV or JSON, beside DuckDB.

Run ``python -m bench.bench_cli_output [--sizes 100k,1M] [--repeats 3]``.

The portfolios are the synthetic CSV files of ``bench.bench_portfolio`` (4 levels, 100 months,
amounts with two decimals; ``100k`` = 1,000 leaves, ``1M`` = 10,000 leaves), written to a
temporary folder.

Both sides are whole processes started from the repo root, timed from the start of the process
to its end (the interpreter's start and every import included), the file in the page cache:

- ours: ``python -m cli rollup FILE --levels portfolio,program,project,item --format F --out OUT``
  (what the ``cost-drift`` console script runs): load and validate the file, roll it up, write
  the rollup columns (``node, level, period, planned, actual, variance, variance_pct,
  cum_planned, cum_actual, cum_variance, cum_variance_pct``), formula-neutralised in CSV.
- DuckDB: a Python process that imports ``duckdb`` and runs ``COPY (ROLLUP_SQL) TO OUT``
  (``FORMAT csv``, or ``FORMAT json, ARRAY true``): read the CSV with the column types given,
  ``GROUP BY ROLLUP`` of the four levels and the period, the node id path and level, the
  cumulative sums by a window over each node's periods, both percentages (NULL where the plan is
  0), ordered by level, node, period. It runs on all the threads it is given.

Each pair runs ``--repeats`` times, ours and DuckDB alternating; the table shows the fastest wall
time of each side, its CPU time (user + system, all threads) and the largest peak memory
(``ru_maxrss`` of the process from ``wait4``, see ``bench.child.run_process``). ``agree``: both
outputs hold the same rows in the same order (node, level and period equal, cell by cell) and the
same figures (within 1e-9 relative, 1e-6 absolute: the two engines add in different orders;
missing figures at the same places). The phases table splits one more run of ours at the largest
size into the interpreter's start (``python -c pass``), imports, load, rollup and write.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.child import ProcessRun, run_process
from bench.reference_sql import CSV_SOURCE, Reference, reference_sql
from portfolio.rollup import ROLLUP_COLUMNS

log = logging.getLogger(__name__)

SIZES = ("100k", "1M")
FORMATS = ("csv", "json")
REPEATS = 3
TIME_RATIO_TARGET = 1.5
PEAK_MB_TARGET = 1024.0
TIMEOUT_S = 900
LEVELS = "portfolio,program,project,item"
COLUMNS = ROLLUP_COLUMNS  # the columns both outputs are compared on
TABLE_COLUMNS = (
    "size",
    "rows",
    "format",
    "ours s",
    "duckdb s",
    "ratio",
    "ours peak MB",
    "duckdb peak MB",
    "ours cpu s",
    "duckdb cpu s",
    "agree",
    "target",
)

# Node ids as ours makes them: level values joined by " / ", a " / " inside a value written " ∕ ".
ROLLUP_SQL = reference_sql(Reference(CSV_SOURCE, escape=True))

DUCKDB_SCRIPT = """
import sys
import duckdb
path, out, fmt, sql = sys.argv[1:5]
target = out.replace("'", "''")
options = "FORMAT json, ARRAY true" if fmt == "json" else "FORMAT csv, HEADER true"
duckdb.connect().execute(f"COPY ({sql}) TO '{target}' ({options})", {"path": path})
"""

PHASES_SCRIPT = """
import json, sys, time
t0 = time.perf_counter()
from cli import common
from cli.main import ROLLUP_OUTPUT, build_parser
from portfolio.rollup import rollup_portfolio
t1 = time.perf_counter()
args = build_parser().parse_args(sys.argv[1:])
portfolio = common.load_from_args(args)
t2 = time.perf_counter()
rolled = rollup_portfolio(portfolio).loc[:, list(ROLLUP_OUTPUT)]
t3 = time.perf_counter()
common.emit(args, rolled)
t4 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "rollup": t3 - t2, "write": t4 - t3}))
"""


def ours_command(csv_path: Path, fmt: str, out: Path) -> list[str]:
    """The ``cost-drift rollup`` command line (``python -m cli`` is the console script's code)."""
    args = ["rollup", str(csv_path), "--levels", LEVELS, "--format", fmt, "--out", str(out)]
    return [sys.executable, "-m", "cli", *args]


def duckdb_command(csv_path: Path, fmt: str, out: Path) -> list[str]:
    """The DuckDB process doing the same work with ``ROLLUP_SQL``."""
    return [sys.executable, "-c", DUCKDB_SCRIPT, str(csv_path), str(out), fmt, ROLLUP_SQL]


def read_output(path: Path, fmt: str) -> Any:
    """An output file as an Arrow table with the rollup columns typed (read by DuckDB)."""
    import duckdb

    types = {c: "VARCHAR" for c in ("node", "period")} | {"level": "BIGINT"}
    columns = {c: types.get(c, "DOUBLE") for c in COLUMNS}
    spec = "{" + ", ".join(f"'{c}': '{t}'" for c, t in columns.items()) + "}"
    if fmt == "json":
        query = f"SELECT * FROM read_json($p, format = 'array', columns = {spec})"
    else:
        query = f"SELECT * FROM read_csv($p, header = true, auto_detect = false, columns = {spec})"
    return duckdb.connect().sql(query, params={"p": str(path)}).to_arrow_table()


def outputs_agree(ours: Path, theirs: Path, fmt: str) -> bool:
    """Same rows in the same order, same figures (see the module docstring)."""
    import numpy as np

    a, b = read_output(ours, fmt), read_output(theirs, fmt)
    if a.column_names != list(COLUMNS) or b.column_names != list(COLUMNS) or len(a) != len(b):
        return False
    for name in ("node", "level", "period"):
        if not a[name].equals(b[name]):
            return False
    for name in COLUMNS[3:]:
        x = a[name].to_numpy(zero_copy_only=False)
        y = b[name].to_numpy(zero_copy_only=False)
        if not np.allclose(x, y, rtol=1e-9, atol=1e-6, equal_nan=True):
            return False
    return True


def _best(runs: list[ProcessRun]) -> dict[str, float]:
    return {
        "s": min(r.seconds for r in runs),
        "cpu": min(r.cpu_seconds for r in runs),
        "mb": max(r.peak_mb for r in runs),
    }


def measure_size(csv_path: Path, size: str, rows: int, repeats: int) -> list[dict[str, Any]]:
    """Both sides, both formats, ``repeats`` times alternating; one table row per format."""
    folder = csv_path.parent
    table = []
    for fmt in FORMATS:
        ours_out, duck_out = folder / f"ours_{size}.{fmt}", folder / f"duckdb_{size}.{fmt}"
        ours_runs, duck_runs = [], []
        for _ in range(repeats):
            what = f"cost-drift rollup --format {fmt} on {csv_path.name}"
            ours_runs.append(
                run_process(ours_command(csv_path, fmt, ours_out), timeout=TIMEOUT_S, what=what)
            )
            what = f"DuckDB COPY {fmt} on {csv_path.name}"
            duck_runs.append(
                run_process(duckdb_command(csv_path, fmt, duck_out), timeout=TIMEOUT_S, what=what)
            )
        ours, duck = _best(ours_runs), _best(duck_runs)
        ratio = ours["s"] / duck["s"]
        met = ratio <= TIME_RATIO_TARGET and ours["mb"] < PEAK_MB_TARGET
        table.append(
            {
                "size": size,
                "rows": rows,
                "format": fmt,
                "ours s": round(ours["s"], 2),
                "duckdb s": round(duck["s"], 2),
                "ratio": round(ratio, 2),
                "ours peak MB": round(ours["mb"]),
                "duckdb peak MB": round(duck["mb"]),
                "ours cpu s": round(ours["cpu"], 2),
                "duckdb cpu s": round(duck["cpu"], 2),
                "agree": outputs_agree(ours_out, duck_out, fmt),
                "target": "met" if met else "NOT met",
            }
        )
        ours_out.unlink()
        duck_out.unlink()
    return table


def measure_phases(csv_path: Path, fmt: str = "csv") -> dict[str, float]:
    """Where one run of ours spends its time: interpreter start, imports, load, rollup, write."""
    import subprocess

    start = run_process([sys.executable, "-c", "pass"], timeout=60, what="python -c pass")
    out = csv_path.with_suffix(f".phases.{fmt}")
    args = ["rollup", str(csv_path), "--levels", LEVELS, "--format", fmt, "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", PHASES_SCRIPT, *args],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=True,
    )
    out.unlink()
    phases: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return {"interpreter start": start.seconds, **phases}


def run(
    sizes: Sequence[str] = SIZES, repeats: int = REPEATS, phases: bool = True
) -> tuple[Any, Any]:
    """Benchmark at each size; prints and returns the table and the phases table.

    Args:
        sizes: Keys of ``bench.bench_portfolio.SIZES`` (``100k``, ``1M``; ``10k`` also works).
        repeats: Runs of each side per format (the fastest is kept).
        phases: Also split one run of ours at the largest size into phases.
    """
    import pandas as pd

    from bench.bench_portfolio import SIZES as PORTFOLIO_SIZES
    from bench.bench_portfolio import write_portfolio_csv

    rows: list[dict[str, Any]] = []
    phase_rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cost-drift-bench-out-") as tmp:
        for size in sizes:
            leaves, months = PORTFOLIO_SIZES[size]
            csv_path = Path(tmp) / f"portfolio_{size}.csv"
            n_rows = write_portfolio_csv(csv_path, leaves, months)
            log.info("wrote %s (%d rows)", csv_path, n_rows)
            rows.extend(measure_size(csv_path, size, n_rows, repeats))
            if phases and size == sizes[-1]:
                split = measure_phases(csv_path)
                phase_rows = [
                    {"size": size, "phase": k, "s": round(v, 3)} for k, v in split.items()
                ]
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    phase_table = pd.DataFrame(phase_rows, columns=["size", "phase", "s"])
    print(table.to_string(index=False))
    if not phase_table.empty:
        print(phase_table.to_string(index=False))
    return table, phase_table


def main(argv: list[str] | None = None) -> int:
    """Command line: run the benchmark and print its tables."""
    parser = argparse.ArgumentParser(description="cost-drift rollup output beside DuckDB.")
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma list of 100k,1M")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="runs per side and format")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run([s.strip() for s in args.sizes.split(",") if s.strip()], max(1, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
