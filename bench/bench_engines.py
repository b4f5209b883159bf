"""Benchmark: ``cost-drift rollup FILE.parquet --engine X --format parquet`` at 1 M, 10 M and 100 M
rows, each engine's whole process beside raw DuckDB running the reference SQL.

Run ``python -m bench.bench_engines [--sizes 1M,10M,100M] [--engines pandas,duckdb,spark]
[--no-compare]``.

The data is synthetic: Parquet parts generated once by DuckDB SQL into a cache folder outside the
repository and reused (``bench.lake``: 4 levels, 100 months, ``1M`` = 10,000 leaves, ``10M`` =
100,000, ``100M`` = 1,000,000).

Each case is one fresh process, timed from its start to its exit (imports included), its output
a Parquet file, measured from outside (``bench.process_tree``: peak memory of the process tree
sampled from ``/proc`` every 0.2 s, CPU time the tree's user + system time).
The reference is raw DuckDB (a Python process that imports only ``duckdb``) running
``REFERENCE_SQL`` (``bench.reference_sql`` on the parts: one ``GROUP BY ROLLUP`` and window sums,
no validation, no trimming, no densifying, no snapping) with the engine's DuckDB settings (memory
limit, spill folder, ``preserve_insertion_order`` off), writing the same Parquet output; every
engine's output is compared with it row by row (``rows_differing``). A case that would not fit
is skipped with the reason in the table (the pandas engine holds every cell in memory: its 1 M
peak times the size). The machine is shared: the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from bench import compare_outputs, lake
from bench.process_tree import measure
from bench.reference_sql import PARQUET_SOURCE, Reference, reference_sql
from portfolio.rollup import ROLLUP_COLUMNS

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
ENGINES = ("pandas", "duckdb", "spark")
MEMORY_BUDGET_MB = 8192.0
TABLE_COLUMNS = (
    "size",
    "rows",
    "case",
    "s",
    "cpu s",
    "peak MB",
    "vs raw DuckDB",
    "cpu vs raw",
    "out rows",
    "rows differing",
    "load",
    "note",
)
# the figures of a rollup row: every column after its keys (node, level, period)
ROLLUP_FIGURES = ROLLUP_COLUMNS[ROLLUP_COLUMNS.index("planned") :]
ROLLUP_KEYS = ROLLUP_COLUMNS[: ROLLUP_COLUMNS.index("planned")]

REFERENCE_SQL = reference_sql(Reference(PARQUET_SOURCE))

RAW_DUCKDB = """
import json, os, sys
import duckdb
files, out, sql, memory = json.loads(sys.argv[1])
config = {"memory_limit": memory, "temp_directory": out + ".spill"}
con = duckdb.connect(config={**config, "preserve_insertion_order": False})
con.execute("COPY (" + sql + ") TO '" + out + "' (FORMAT parquet)", {"files": files})
"""


def _env() -> dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(REPO)}


def _out_rows(path: Path) -> int:
    files = [path] if path.is_file() else sorted(path.glob("*.parquet"))
    return int(sum(pq.read_metadata(f).num_rows for f in files))


def rows_differing(ours: Path, reference: Path) -> int:
    """Rows of ``ours`` and of the reference output that do not match one for one: another key
    (node, level, period) at the same position, a row on one side only, or a figure off by more
    than 1e-9 relative (1e-6 absolute; NULL only against NULL). Both are streamed batch by batch
    (``bench.compare_outputs``): memory and disk bounded at any size."""
    return compare_outputs.rows_differing(ours, reference, ROLLUP_KEYS, ROLLUP_FIGURES)


def run_case(size: str, case: str, folder: Path, work: Path) -> dict[str, Any]:
    """One engine (or ``raw duckdb``) at one size; its output stays in ``work``."""
    from portfolio.engines.duck import DEFAULT_MEMORY_LIMIT

    out = work / f"{case.replace(' ', '_')}_{size}.parquet"
    memory = os.environ.get("COST_DRIFT_DUCKDB_MEMORY", DEFAULT_MEMORY_LIMIT)
    if case == "raw duckdb":
        files = [str(f) for f in sorted(folder.glob("*.parquet"))]
        arg = json.dumps([files, str(out), REFERENCE_SQL, memory])
        command = [sys.executable, "-c", RAW_DUCKDB, arg]
    else:
        command = [sys.executable, "-m", "cli", "rollup", str(folder), "--engine", case]
        command += ["--format", "parquet", "--out", str(out), "--max-mb", "100000"]
    got = measure(command, _env())
    shutil.rmtree(str(out) + ".spill", ignore_errors=True)  # raw DuckDB's, about 20 GB at 100 M
    row = {
        "size": size,
        "case": case,
        "s": round(got["s"], 1),
        "cpu s": round(got["cpu"], 1),
        "peak MB": round(got["peak"]),
        "load": round(os.getloadavg()[0], 1),
        "out": out,
    }
    log.info("%s %s: %.1f s, %.1f s CPU, %d MB peak", size, case, got["s"], got["cpu"], got["peak"])
    if got["rc"] != 0:
        row["note"] = f"FAILED (exit {got['rc']}): {got['stderr'].strip().splitlines()[-1:]}"
        row["out rows"] = 0
    else:
        row["out rows"] = _out_rows(out)
        row["note"] = ""
    return row


def run(
    sizes: Sequence[str] = tuple(lake.SIZES),
    engines: Sequence[str] = ENGINES,
    spark_sizes: Sequence[str] | None = None,
    pandas_mb_per_row: float | None = None,
    raw: bool = True,
    compare: bool = True,
) -> pd.DataFrame:
    """Every engine and raw DuckDB at each size; prints and returns the table.

    Args:
        sizes: Keys of ``lake.SIZES``.
        engines: Engines to run beside raw DuckDB.
        spark_sizes: The sizes at which Spark runs (all by default); at the others its row
            says it was not run and why.
        pandas_mb_per_row: The pandas engine's peak per input row from an earlier run, for the
            skip rule before this run has measured it.
        raw: Run the raw DuckDB reference.
        compare: Compare each engine's output with the reference's, row by row.
    """
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cost-drift-engines-") as tmp:
        for size in sizes:
            folder = lake.dataset(size)
            n_rows = lake.SIZES[size] * lake.MONTHS
            if raw:
                reference = run_case(size, "raw duckdb", folder, Path(tmp))
            else:
                reference = {"size": size, "case": "raw duckdb", "note": "not run (--no-raw)"}
            cases = [reference]
            for engine in engines:
                skip = _skip_note(engine, size, rows, spark_sizes, pandas_mb_per_row)
                if skip:
                    cases.append({"size": size, "case": engine, "note": skip})
                    continue
                row = run_case(size, engine, folder, Path(tmp))
                if engine == "pandas" and not row["note"]:
                    pandas_mb_per_row = row["peak MB"] / n_rows
                if compare and not row["note"] and reference.get("out") and not reference["note"]:
                    try:
                        row["rows differing"] = rows_differing(row["out"], reference["out"])
                    except Exception as err:  # a comparison that cannot finish keeps the timings
                        row["note"] = f"not compared: {type(err).__name__}: {str(err)[:160]}"
                _remove(row.pop("out"))
                cases.append(row)
            if "out" in reference:
                _remove(reference.pop("out"))
            for row in cases:
                row["rows"] = n_rows
                _ratios(row, reference)
                rows.append(row)
            log.info("%s done: %s", size, [(r["case"], r.get("s")) for r in cases])
    table = pd.DataFrame(rows).reindex(columns=list(TABLE_COLUMNS))
    table["rows differing"] = table["rows differing"].astype("Int64")  # a count, blank if none
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    with pd.option_context("display.width", 200, "display.max_colwidth", 80):
        print(table.to_string(index=False))
    print(f"load average {load} ({os.cpu_count()} CPUs, shared)")
    return table


def _skip_note(
    engine: str,
    size: str,
    done: list[dict[str, Any]],
    spark_sizes: Sequence[str] | None,
    pandas_mb_per_row: float | None,
) -> str:
    """Why ``engine`` does not run at ``size`` (empty when it runs): Spark outside its sizes, or
    pandas when its earlier peak per row, scaled, is over the memory budget."""
    if engine == "spark" and spark_sizes is not None and size not in spark_sizes:
        spark_s = [r.get("s") for r in done if r["case"] == "spark" and r.get("s")]
        took = f"{spark_s[-1]:.0f} s at the size before" if spark_s else "too long"
        return (
            f"not run: a local Spark on the 2 shared cores took {took}; it is the same job a "
            "cluster runs (--spark-master)"
        )
    if engine == "pandas" and pandas_mb_per_row is not None:
        need = pandas_mb_per_row * lake.SIZES[size] * lake.MONTHS
        if need > MEMORY_BUDGET_MB:
            return (
                f"skipped: would need about {need / 1024:,.0f} GB (its 1M peak scaled), over the "
                f"{MEMORY_BUDGET_MB / 1024:.0f} GB budget"
            )
    return ""


def _ratios(row: dict[str, Any], reference: dict[str, Any]) -> None:
    if row.get("note", "").startswith("FAILED"):
        return
    for column, ratio in (("s", "vs raw DuckDB"), ("cpu s", "cpu vs raw")):
        if column in row and reference.get(column):
            row[ratio] = round(row[column] / reference[column], 2)


def _remove(path: Path) -> None:
    """Delete a case's output once it has been compared (GB at 100 M)."""
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _blanks(table: pd.DataFrame) -> pd.DataFrame:
    """Missing cells blank; columns without any keep their type (numbers right-aligned)."""
    out = table.copy()
    for column in out.columns:
        if out[column].isna().any():
            out[column] = out[column].astype(object).where(out[column].notna(), "")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: generate the data when missing and run the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(lake.SIZES), help="comma list of 1M,10M,100M")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma list of engines")
    parser.add_argument("--spark-sizes", default=None, help="sizes at which Spark runs (all)")
    parser.add_argument(
        "--pandas-mb-per-row", type=float, default=None, help="pandas peak per row, measured before"
    )
    parser.add_argument("--markdown", type=Path, default=None, help="append the table here")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw DuckDB reference")
    parser.add_argument(
        "--no-compare", action="store_true", help="skip the row-by-row comparison of the outputs"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    spark = args.spark_sizes.split(",") if args.spark_sizes else None
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    table = run(
        sizes,
        engines,
        spark,
        args.pandas_mb_per_row,
        raw=not args.no_raw,
        compare=not args.no_compare,
    )
    if args.markdown:
        from bench.results import markdown

        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with args.markdown.open("a", encoding="utf-8") as handle:
            handle.write(
                f"\n`python -m bench.bench_engines {' '.join(argv or sys.argv[1:])}` on {when}, "
                f"{os.cpu_count()} CPUs, load average {load} at the end (synthetic data):\n\n"
                + markdown(_blanks(table))
                + "\n"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
