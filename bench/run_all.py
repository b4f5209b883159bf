"""Run every Cost Drift benchmark, print one combined table and write it to bench/RESULTS.md.

Usage: ``python -m bench.run_all [--quick] [--only SECTIONS] [--out bench/RESULTS.md]``

Sections (each in its own module, each runnable alone):

- ``bench.bench_portfolio``: load + rollup + alerts at 10k, 100k and 1M rows beside DuckDB in the
  same run, with the time ratio and the peak memory of each (``--quick``: 10k and 100k only).
- ``bench.bench_forecast``: training time against the number of nodes (written by the
  forecasting side; its ``run()`` returns a table, and gets ``quick=`` when it accepts it), and
  its ``run_accuracy()``: the LSTM ensemble's backtest against the baselines on the sample
  portfolio at project level (and NYC where the real data is present).
- ``bench.bench_cli_output``: the whole ``cost-drift rollup`` process writing CSV and JSON beside a
  DuckDB process running the same SQL and writing the same file, at 100k and 1M rows (``--quick``:
  100k), with the ratio, the peak memory and whether both outputs agree.
- ``bench.bench_engines``: ``cost-drift rollup`` on Parquet at 1M, 10M and 100M rows with
  ``--engine pandas|duckdb|spark`` beside raw DuckDB running the reference SQL, whole processes,
  peak memory of the process tree (``--quick``: 1M only).
- ``bench.bench_excel``: reading a 10k- and a 100k-row ``.xlsx`` workbook, ours beside pandas
  with openpyxl in the same run.
- ``bench.bench_app``: AppTest response of the Overview (first render) and of the Alerts page
  after a threshold slider change on a 100k-row upload.
- ``bench.bench_export``: chart export time, first and warm, PNG, SVG and HTML.
- ``bench.bench_training``: training 1,000 and 5,000 synthetic nodes x 60 periods (5 members,
  one lookback) in process against a local Ray with 2 workers, wall and CPU time, and whether
  both forecasts are bit-identical (``--quick``: 20 nodes, a tiny model).
- ``bench.bench_forecast_suite``: the public forecast suite's protocol through the product beside
  statsforecast (``suite``; about 15 minutes).

The sections' summary lines are made in ``bench.sections`` (speed) and ``bench.sections_forecast``
(forecasting). A section that fails is reported as failed in the table (with the reason) and the
command exits with status 1; the other sections still run. The Markdown is rewritten after every
section (cheapest first), so a stopped run keeps what it finished. ``--only portfolio,app`` runs
some: then only their rows and detail tables are replaced in ``bench/RESULTS.md`` (and with
``--readme`` in the README), the others are kept from the earlier run (``bench.results``).
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bench import results
from bench import sections as speed
from bench import sections_forecast as forecast
from bench.results import BEGIN, END, Kind, Section, replace_block, update_readme, write_markdown
from bench.sections import KINDS

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
README = REPO / "README.md"
__all__ = ["BEGIN", "END", "readme_block", "replace_block", "run_all"]  # tested from here
# Cheapest first: a long training run at the end cannot hold back the other results.
SECTIONS: dict[str, Callable[[bool], Section]] = {
    "portfolio": speed.portfolio,
    "cli_output": speed.cli_output,
    "excel": speed.excel,
    "app": speed.app,
    "export": speed.export,
    "accuracy": forecast.accuracy,
    "forecast": forecast.forecast,
    "engines": speed.engines,
    "training": forecast.training,
    "suite": forecast.suite,
}
SECTION_NAMES = tuple(SECTIONS)


def _combined(sections: list[Section]) -> pd.DataFrame:
    return pd.DataFrame(
        [line for s in sections for line in s.summary],
        columns=["benchmark", "case", "result", "target"],
    )


def _order(only: tuple[str, ...]) -> list[Kind] | None:
    """The sections' order when only some run (their results then merge with the earlier ones)."""
    return None if set(only) >= set(SECTION_NAMES) else [KINDS[n] for n in SECTION_NAMES]


def readme_block(old: str, combined: pd.DataFrame, ran: tuple[str, ...], when: str) -> str:
    """The README's new bench block after a run of the sections ``ran`` (see ``bench.results``)."""
    return results.readme_block(old, combined, ran, when, _order(ran))


def run_all(
    quick: bool = False,
    only: tuple[str, ...] = SECTION_NAMES,
    out: Path | None = None,
) -> tuple[pd.DataFrame, list[Section]]:
    """Run the sections; returns the combined summary table and the sections.

    Args:
        quick: Smaller sizes (no 1M rows; a smoke run of the training).
        only: Names of the sections to run (``SECTION_NAMES``).
        out: Markdown file rewritten after every section, so that the finished sections are
            kept even when a later one is stopped.
    """
    sections: list[Section] = []
    for name, make in SECTIONS.items():
        if name not in only:
            continue
        log.info("== %s", name)
        t0 = time.perf_counter()
        try:
            section = make(quick)
        except Exception as err:  # a failed benchmark is reported, and the others still run
            log.error("benchmark %s failed:\n%s", name, traceback.format_exc())
            error = f"{type(err).__name__}: {str(err)[:300]}"
            section = Section(KINDS[name].title, error=error)
        section.seconds = time.perf_counter() - t0
        if section.error:
            failed = f"FAILED: {section.error}"
            section.summary = [
                {"benchmark": KINDS[name].label, "case": "-", "result": failed, "target": ""}
            ]
        sections.append(section)
        if out is not None:
            write_markdown(out, _combined(sections), sections, quick, _order(only))
    return _combined(sections), sections


def main(argv: list[str] | None = None) -> int:
    """Command line: run everything, print the combined table, write the Markdown."""
    parser = argparse.ArgumentParser(description="Run every Cost Drift benchmark.")
    parser.add_argument("--quick", action="store_true", help="skip the 1M-row size")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Markdown output file")
    parser.add_argument(
        "--readme", action="store_true", help="also write the combined table into README.md"
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTION_NAMES),
        help=f"comma list of sections to run (default: all of {','.join(SECTION_NAMES)})",
    )
    args = parser.parse_args(argv)
    only = tuple(s.strip() for s in args.only.split(",") if s.strip())
    unknown = sorted(set(only) - set(SECTION_NAMES))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {SECTION_NAMES}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    combined, sections = run_all(args.quick, only, args.out)
    with pd.option_context("display.max_colwidth", 120, "display.width", 250):
        print(combined.to_string(index=False))
    print(f"written to {args.out}")
    if args.readme:
        update_readme(README, combined, only, _order(only))
        print(f"written to {README}")
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    raise SystemExit(main())
