"""Run every Cost Drift benchmark, print one combined table and write it to bench/RESULTS.md.

Usage: ``python -m bench.run_all [--quick] [--only SECTIONS] [--out bench/RESULTS.md]``

Sections (each in its own module, each runnable alone):

- ``bench.bench_portfolio``: load + rollup + alerts at 10k, 100k and 1M rows beside DuckDB in the
  same run, with the time ratio and the peak memory of each (``--quick``: 10k and 100k only).
- ``bench.bench_forecast``: training time against the number of nodes (written by the
  forecasting side; its ``run()`` returns a table, and gets ``quick=`` when it accepts it), and
  its ``run_accuracy()``: the LSTM ensemble's backtest against the baselines on the sample
  portfolio at project level (and NYC where the real data is present).
- ``bench.bench_excel``: reading a 10k- and a 100k-row ``.xlsx`` workbook, ours beside pandas
  with openpyxl in the same run.
- ``bench.bench_app``: AppTest response of the Overview (first render) and of the Alerts page
  after a threshold slider change on a 100k-row upload.
- ``bench.bench_export``: chart export time, first and warm, PNG, SVG and HTML.
- ``bench.bench_training``: training 1,000 and 5,000 synthetic nodes x 60 periods (5 members) in
  process against a local Ray with 2 workers, wall and CPU time, and whether both forecasts are
  bit-identical (``--quick``: 20 nodes, a tiny model).

A section that fails is reported as failed in the table (with the reason) and the command exits
with status 1; the other sections still run. The Markdown is rewritten after every section
(cheapest first), so a stopped run keeps what it finished. ``--only portfolio,app`` runs some.
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import os
import platform
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
TIME_RATIO_TARGET = 1.5
PEAK_MB_TARGET = 1536.0


@dataclass
class Section:
    """One benchmark's outcome: its detail table, its summary lines, or why it failed."""

    title: str
    table: pd.DataFrame | None = None
    summary: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub Markdown table of ``frame`` (numbers right-aligned)."""
    columns = [str(c) for c in frame.columns]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    lines = [
        "| " + " | ".join(columns) + " |",
        "| " + " | ".join("---:" if n else "---" for n in numeric) + " |",
    ]
    for row in frame.itertuples(index=False):
        cells = [str(v).replace("|", "\\|") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _portfolio(quick: bool) -> Section:
    from bench import bench_portfolio

    sizes = ("10k", "100k") if quick else tuple(bench_portfolio.SIZES)
    table = bench_portfolio.run(sizes)
    section = Section("Load + rollup + alerts, ours beside DuckDB")
    section.table = table[[*bench_portfolio.TABLE_COLUMNS, *bench_portfolio.DETAIL_COLUMNS]]
    for row in table.to_dict("records"):
        ratio, ours_mb = float(row["ratio"]), float(row["ours peak MB"])
        met = ratio <= TIME_RATIO_TARGET and ours_mb < PEAK_MB_TARGET
        section.summary.append(
            {
                "benchmark": "load + rollup + alerts",
                "case": f"{row['rows']:,} rows",
                "result": (
                    f"ours {row['ours s']:.2f} s, DuckDB {row['duckdb s']:.2f} s "
                    f"({ratio:.2f}x); peak {ours_mb:.0f} MB vs {row['duckdb peak MB']:.0f} MB; "
                    f"{'same' if row['agree'] else 'DIFFERENT'} results"
                ),
                "target": (
                    f"<= {TIME_RATIO_TARGET}x DuckDB and < 1.5 GB: {'met' if met else 'NOT met'}"
                ),
            }
        )
    return section


def _forecast_module() -> Any:
    try:
        return importlib.import_module("bench.bench_forecast")
    except ModuleNotFoundError as err:
        if err.name != "bench.bench_forecast":
            raise
        return None


def _forecast(quick: bool) -> Section:
    section = Section("Training time vs nodes (bench.bench_forecast.run)")
    module = _forecast_module()
    if module is None:
        section.error = "bench/bench_forecast.py is not there yet"
        return section
    run: Callable[..., pd.DataFrame] = module.run
    kwargs = {"quick": quick} if "quick" in inspect.signature(run).parameters else {}
    table = run(**kwargs)
    section.table = table
    known = {"nodes", "periods", "members", "epochs run", "train wall s", "train cpu s"}
    for row in table.to_dict("records"):
        if known <= set(row):
            case = f"{row['nodes']} nodes x {row['periods']} periods"
            result = (
                f"{row['train wall s']} s wall ({row['train cpu s']} s CPU), "
                f"{row['members']} members, {row['epochs run']} epochs on average"
            )
        else:
            case = ", ".join(f"{k} {v}" for k, v in list(row.items())[:1])
            result = ", ".join(f"{k} {v}" for k, v in list(row.items())[1:])
        section.summary.append(
            {"benchmark": "training", "case": case, "result": result, "target": ""}
        )
    return section


def _accuracy(quick: bool) -> Section:
    section = Section("Forecast accuracy (bench.bench_forecast.run_accuracy)")
    module = _forecast_module()
    if module is None or not hasattr(module, "run_accuracy"):
        section.error = "bench/bench_forecast.py has no run_accuracy"
        return section
    table = module.run_accuracy(quick)
    section.table = table
    for case, group in table.groupby("case", sort=False):
        by_model = group.set_index("model")
        if {"lstm", "seasonal_naive"} <= set(by_model.index) and "rmse" in by_model.columns:
            lstm, snaive = (
                float(by_model.at["lstm", "rmse"]),
                float(by_model.at["seasonal_naive", "rmse"]),
            )
            best = str(by_model["rmse"].astype(float).idxmin())
            result = (
                f"mean RMSE: LSTM {lstm:,.0f}, seasonal naive {snaive:,.0f} "
                f"({lstm / snaive:.2f}x); best {best}"
            )
            target = f"LSTM beats seasonal naive: {'yes' if lstm < snaive else 'NO'}"
        else:
            result, target = "see the detail table", ""
        line = {"benchmark": "forecast accuracy", "case": str(case)}
        section.summary.append({**line, "result": result, "target": target})
    return section


def _excel(quick: bool) -> Section:
    from bench import bench_excel

    table = bench_excel.run(("10k",) if quick else tuple(bench_excel.SIZES))
    section = Section("Excel .xlsx reading, ours beside pandas + openpyxl", table=table)
    for row in table.to_dict("records"):
        section.summary.append(
            {
                "benchmark": "xlsx read",
                "case": f"{row['rows']:,} rows ({row['MB']} MB)",
                "result": (
                    f"ours {row['ours s']:.2f} s, pandas + openpyxl "
                    f"{row['pandas+openpyxl s']:.2f} s ({row['speed-up']}x faster); "
                    f"{'same' if row['agree'] else 'DIFFERENT'} cells"
                ),
                "target": "",
            }
        )
    return section


def _app(quick: bool) -> Section:
    del quick
    from bench import bench_app

    table = bench_app.run()
    section = Section("App response (Streamlit AppTest)", table=table)
    for row in table.itertuples(index=False):
        section.summary.append(
            {"benchmark": "app", "case": str(row.step), "result": f"{row.s:.2f} s", "target": ""}
        )
    return section


def _export(quick: bool) -> Section:
    del quick
    from bench import bench_export

    table = bench_export.run()
    section = Section("Chart export (portfolio.export.figure_bytes)", table=table)
    for fmt, group in table.groupby("format", sort=False):
        section.summary.append(
            {
                "benchmark": "chart export",
                "case": str(fmt).upper(),
                "result": (
                    f"first {group['first s'].max():.2f} s, warm {group['warm s'].median():.2f} s"
                ),
                "target": "",
            }
        )
    return section


def _training(quick: bool) -> Section:
    from bench import bench_training

    table = bench_training.run(quick=quick)
    section = Section("Training in process against Ray (bench.bench_training)", table=table)
    for nodes, group in table.groupby("nodes", sort=False):
        here, ray = group.iloc[0], group.iloc[1]
        same = bool(ray["same forecast"])
        section.summary.append(
            {
                "benchmark": "training on Ray",
                "case": f"{nodes:,} nodes x {here['periods']} periods (synthetic), "
                f"{here['members']} members",
                "result": (
                    f"in process {here['wall s']} s wall ({here['cpu s']} s CPU); "
                    f"{ray['where']} {ray['wall s']} s wall ({ray['cpu s']} s CPU, driver / "
                    f"workers / Ray {ray['cpu driver / workers / ray s']}), "
                    f"{ray['speed-up']}x; load {ray['load avg (1 min)']}"
                ),
                "target": f"same forecast bit for bit: {'met' if same else 'NOT met'}",
            }
        )
    notes = [str(n) for n in table["note"] if n]
    if notes:
        section.summary[-1]["result"] += f" ({notes[0]})"
    return section


# Cheapest first: a long training run at the end cannot hold back the other results.
SECTIONS: tuple[Callable[[bool], Section], ...] = (
    _portfolio,
    _excel,
    _app,
    _export,
    _accuracy,
    _forecast,
    _training,
)
SECTION_NAMES = tuple(make.__name__.lstrip("_") for make in SECTIONS)


def _combined(sections: list[Section]) -> pd.DataFrame:
    return pd.DataFrame(
        [line for s in sections for line in s.summary],
        columns=["benchmark", "case", "result", "target"],
    )


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
    for make in SECTIONS:
        name = make.__name__.lstrip("_")
        if name not in only:
            continue
        log.info("== %s", name)
        t0 = time.perf_counter()
        try:
            section = make(quick)
        except Exception as err:  # a failed benchmark is reported, and the others still run
            log.error("benchmark %s failed:\n%s", name, traceback.format_exc())
            section = Section(name, error=f"{type(err).__name__}: {str(err)[:300]}")
        section.seconds = time.perf_counter() - t0
        if section.error:
            section.summary = [
                {"benchmark": name, "case": "-", "result": f"FAILED: {section.error}", "target": ""}
            ]
        sections.append(section)
        if out is not None:
            write_markdown(out, _combined(sections), sections, quick)
    return _combined(sections), sections


def write_markdown(
    path: Path, combined: pd.DataFrame, sections: list[Section], quick: bool
) -> None:
    """Write the combined table and every section's detail table as Markdown."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpus = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    parts = [
        "# Benchmark results",
        "",
        f"Produced by `python -m bench.run_all{' --quick' if quick else ''}` on {when} "
        f"({platform.python_implementation()} {platform.python_version()}, {cpus} CPUs, "
        f"{platform.machine()}, load average {load} at the end: the machine was shared, so "
        "absolute times are noisy; the ratios come from the same run). Do not edit by hand: "
        "run the script again.",
        "",
        markdown(combined),
    ]
    for s in sections:
        parts += ["", f"## {s.title}", "", f"Ran in {s.seconds:.0f} s."]
        if s.error:
            parts += ["", f"Failed: {s.error}"]
        if s.table is not None:
            parts += ["", markdown(s.table)]
    parts += [
        "",
        "What each side computes, how memory is measured and what the steps are: see the "
        "docstrings of `bench/bench_portfolio.py`, `bench/bench_app.py`, `bench/bench_export.py`, "
        "`bench/bench_forecast.py` and `bench/bench_training.py`.",
        "",
    ]
    path.write_text("\n".join(parts), encoding="utf-8")


README = REPO / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def replace_block(text: str, block: str) -> str:
    """Put ``block`` between the bench markers of a README text.

    Raises:
        ValueError: When the markers are missing or out of order.
    """
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        raise ValueError(f"README has no {BEGIN} ... {END} block")
    return text[: start + len(BEGIN)] + "\n" + block.strip() + "\n" + text[stop:]


def _block_rows(text: str) -> tuple[str, list[dict[str, str]]]:
    """The first line and the table rows of the README's current bench block."""
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        return "", []
    lines = [ln.strip() for ln in text[start + len(BEGIN) : stop].strip().splitlines()]
    table = [ln for ln in lines if ln.startswith("|")]
    rows = []
    for line in table[2:]:
        cells = [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
        if len(cells) == 4:
            rows.append(dict(zip(("benchmark", "case", "result", "target"), cells, strict=True)))
    return (lines[0] if lines and not lines[0].startswith("|") else ""), rows


def readme_block(old: str, combined: pd.DataFrame, ran: tuple[str, ...], when: str) -> str:
    """The new bench block: this run's rows, and the rows of benchmarks it did not run kept.

    A run of some sections (``--only``) replaces the rows of the benchmarks it ran, in place,
    and keeps the others with a line saying they come from an earlier run.
    """
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    head = f"Last run {when}, {os.cpu_count()} CPUs, load average {load} at the end."
    first, rows = _block_rows(old)
    new = combined.to_dict("records")
    names = {r["benchmark"] for r in new}
    if set(ran) == set(SECTION_NAMES) or not rows:
        return head + "\n\n" + markdown(combined)
    merged: list[dict[str, Any]] = []
    for row in rows:
        if row["benchmark"] not in names:
            merged.append(row)
        elif not any(r["benchmark"] == row["benchmark"] for r in merged):
            merged += [r for r in new if r["benchmark"] == row["benchmark"]]
    merged += [r for r in new if r["benchmark"] not in {m["benchmark"] for m in merged}]
    earlier = first.split("the other rows from earlier runs, the oldest: ")[-1]
    earlier = earlier.removeprefix("Last run ").rstrip(".") or "unknown"
    head = (
        f"Rows of {', '.join(ran)}: run {when}, {os.cpu_count()} CPUs, load average {load} at "
        f"the end; the other rows from earlier runs, the oldest: {earlier}."
    )
    return head + "\n\n" + markdown(pd.DataFrame(merged, columns=combined.columns))


def update_readme(path: Path, combined: pd.DataFrame, ran: tuple[str, ...] = SECTION_NAMES) -> None:
    """Write the combined table into the README's bench block (numbers only from this script)."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = path.read_text(encoding="utf-8")
    block = readme_block(text, combined, ran, when)
    path.write_text(replace_block(text, block), encoding="utf-8")


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
        update_readme(README, combined, only)
        print(f"written to {README}")
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    raise SystemExit(main())
