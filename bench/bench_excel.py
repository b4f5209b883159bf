"""Benchmark: reading an Excel ``.xlsx`` portfolio, ours beside pandas with openpyxl.

Run ``python -m bench.bench_excel [--sizes 10k,100k]``.

The workbooks hold the same synthetic portfolio as ``bench.bench_portfolio`` (4 levels, monthly
periods, amounts with two decimals), written with openpyxl to a temporary folder. Timed from the
bytes in memory to a table of cell texts:

- ours: ``portfolio.reading.read_raw`` (python-calamine for the cells, the first sheet's XML
  scanned for error cells, every cell turned into text with its sheet row number);
- reference: ``pandas.read_excel(engine="openpyxl", dtype=str)``, the usual way to read a sheet
  in pandas.

Both sides are checked to read the same number of rows and the same item and planned columns
(``agree``). One run each, in this process, after a warm-up read of a small workbook.
"""

from __future__ import annotations

import argparse
import io
import logging
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from bench.bench_portfolio import write_portfolio_csv

log = logging.getLogger(__name__)

SIZES: dict[str, tuple[int, int]] = {"10k": (100, 100), "100k": (1_000, 100)}
TABLE_COLUMNS = ("size", "rows", "MB", "ours s", "pandas+openpyxl s", "speed-up", "agree")


def write_workbook(csv_path: Path) -> bytes:
    """The CSV portfolio as an ``.xlsx`` workbook (amounts as numbers, the rest as text)."""
    import openpyxl

    frame = pd.read_csv(csv_path, dtype={"period": str})
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Portfolio")
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _ours(data: bytes) -> pd.DataFrame:
    from portfolio.reading import read_raw

    return read_raw(data, name="portfolio.xlsx", max_bytes=len(data) + 1).frame


def _pandas(data: bytes) -> pd.DataFrame:
    return pd.read_excel(io.BytesIO(data), engine="openpyxl", dtype=str)


def _agree(ours: pd.DataFrame, ref: pd.DataFrame) -> bool:
    if len(ours) != len(ref):
        return False
    same_items = np.array_equal(ours["item"].to_numpy(), ref["item"].astype(str).to_numpy())
    planned_ours = ours["planned"].astype(float).to_numpy()
    planned_ref = ref["planned"].astype(float).to_numpy()
    return bool(same_items and np.allclose(planned_ours, planned_ref, rtol=1e-12))


def run(sizes: Sequence[str] = tuple(SIZES)) -> pd.DataFrame:
    """Time both readers at each size; prints and returns the table (``TABLE_COLUMNS``)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="cost-drift-xlsx-") as tmp:
        warm = Path(tmp) / "warm.csv"
        write_portfolio_csv(warm, leaves=5, months=4)
        small = write_workbook(warm)
        _ours(small), _pandas(small)  # imports and first-call costs out of the timings
        for size in sizes:
            leaves, months = SIZES[size]
            csv_path = Path(tmp) / f"portfolio_{size}.csv"
            n_rows = write_portfolio_csv(csv_path, leaves, months)
            data = write_workbook(csv_path)
            t0 = time.perf_counter()
            ours = _ours(data)
            t1 = time.perf_counter()
            ref = _pandas(data)
            t2 = time.perf_counter()
            rows.append(
                {
                    "size": size,
                    "rows": n_rows,
                    "MB": round(len(data) / 1e6, 1),
                    "ours s": round(t1 - t0, 2),
                    "pandas+openpyxl s": round(t2 - t1, 2),
                    "speed-up": round((t2 - t1) / max(t1 - t0, 1e-9), 1),
                    "agree": _agree(ours, ref),
                }
            )
            log.info("xlsx %s: %s", size, rows[-1])
    table = pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
    log.info("\n%s", table.to_string(index=False))
    return table


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--sizes 10k,100k``."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_excel")
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: 10k,100k")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}; choose from {list(SIZES)}")
    run(sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
