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

A section that fails is reported as failed in the table (with the reason) and the command exits
with status 1; the other sections still run. The Markdown is rewritten after every section
(cheapest first), so a stopped run keeps what it finished. ``--only portfolio,app`` runs some:
then only their rows and detail tables are replaced in ``bench/RESULTS.md`` (and with
``--readme`` in the README), the others are kept from the earlier run (``bench.results``).
Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from bench import results
from bench.results import BEGIN, END, Kind, Section, replace_block, update_readme, write_markdown

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "RESULTS.md"
README = REPO / "README.md"
__all__ = ["BEGIN", "END", "readme_block", "replace_block", "run_all"]  # tested from here
TIME_RATIO_TARGET = 1.5
PEAK_MB_TARGET = 1536.0
ENGINE_RATIO_TARGET = 1.3


KINDS = {
    k.name: k
    for k in (
        Kind("portfolio", "Load + rollup + alerts, ours beside DuckDB", "load + rollup + alerts"),
        Kind("cli_output", "cost-drift rollup output, whole process, beside DuckDB", "CLI output"),
        Kind("excel", "Excel .xlsx reading, ours beside pandas + openpyxl", "xlsx read"),
        Kind("app", "App response (Streamlit AppTest)", "app"),
        Kind("export", "Chart export (portfolio.export.figure_bytes)", "chart export"),
        Kind(
            "accuracy", "Forecast accuracy (bench.bench_forecast.run_accuracy)", "forecast accuracy"
        ),
        Kind("forecast", "Training time vs nodes (bench.bench_forecast.run)", "training"),
        Kind(
            "training", "Training in process against Ray (bench.bench_training)", "training on Ray"
        ),
        Kind("engines", "Rollup engines on Parquet (bench.bench_engines)", "rollup engines"),
        Kind("suite", "Forecast suite (bench.bench_forecast_suite)", "forecast suite"),
    )
}


def _portfolio(quick: bool) -> Section:
    from bench import bench_portfolio

    sizes = ("10k", "100k") if quick else tuple(bench_portfolio.SIZES)
    table = bench_portfolio.run(sizes)
    section = Section(KINDS["portfolio"].title)
    section.table = table[[*bench_portfolio.TABLE_COLUMNS, *bench_portfolio.DETAIL_COLUMNS]]
    for row in table.to_dict("records"):
        ratio, ours_mb = float(row["ratio"]), float(row["ours peak MB"])
        met = ratio <= TIME_RATIO_TARGET and ours_mb < PEAK_MB_TARGET
        section.summary.append(
            {
                "benchmark": KINDS["portfolio"].label,
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


def _cli_output(quick: bool) -> Section:
    from bench import bench_cli_output as bench

    sizes = ("100k",) if quick else bench.SIZES
    table, phases = bench.run(sizes)
    section = Section(KINDS["cli_output"].title, table=table)
    for row in table.to_dict("records"):
        section.summary.append(
            {
                "benchmark": KINDS["cli_output"].label,
                "case": f"rollup --format {row['format']}, {row['rows']:,} rows",
                "result": (
                    f"ours {row['ours s']:.2f} s, DuckDB {row['duckdb s']:.2f} s "
                    f"({row['ratio']:.2f}x); peak {row['ours peak MB']:.0f} MB vs "
                    f"{row['duckdb peak MB']:.0f} MB; CPU {row['ours cpu s']:.2f} s vs "
                    f"{row['duckdb cpu s']:.2f} s; {'same' if row['agree'] else 'DIFFERENT'} output"
                ),
                "target": (f"<= {bench.TIME_RATIO_TARGET}x DuckDB and < 1 GB: {row['target']}"),
            }
        )
    if not phases.empty:
        steps = ", ".join(
            f"{p} {s:.2f} s" for p, s in zip(phases["phase"], phases["s"], strict=True)
        )
        section.summary.append(
            {
                "benchmark": KINDS["cli_output"].label,
                "case": f"where ours spends it ({phases['size'].iloc[0]}, CSV)",
                "result": steps,
                "target": "",
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
    section = Section(KINDS["forecast"].title)
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
            {"benchmark": KINDS["forecast"].label, "case": case, "result": result, "target": ""}
        )
    return section


def _accuracy(quick: bool) -> Section:
    section = Section(KINDS["accuracy"].title)
    module = _forecast_module()
    if module is None or not hasattr(module, "run_accuracy"):
        section.error = "bench/bench_forecast.py has no run_accuracy"
        return section
    table = module.run_accuracy(quick)
    section.table = table
    for case, group in table.groupby("case", sort=False):
        line = {"benchmark": KINDS["accuracy"].label, "case": str(case)}
        section.summary.append({**line, **accuracy_line(group)})
    return section


def accuracy_line(group: pd.DataFrame) -> dict[str, str]:
    """Result and target words for one accuracy case: the LSTM against the best baseline (the
    non-LSTM model of lowest mean MASE, RMSE where MASE is undefined), never a chosen one."""
    by_model = group.set_index("model")
    metric = "mase" if by_model["mase"].astype(float).notna().all() else "rmse"
    others = by_model.drop(index=[m for m in ("lstm", "combo") if m in by_model.index])
    if "lstm" not in by_model.index or others.empty:
        return {"result": "see the detail table", "target": ""}
    base = str(others[metric].astype(float).idxmin())
    lv, bv = float(by_model.at["lstm", metric]), float(others.at[base, metric])
    best = str(by_model[metric].astype(float).idxmin())
    result = f"mean {metric.upper()}: LSTM {lv:,.3g}, best baseline {base} {bv:,.3g}; best {best}"
    return {
        "result": result,
        "target": f"LSTM beats the best baseline: {'yes' if lv < bv else 'NO'}",
    }


def _suite(quick: bool) -> Section:
    from bench import bench_forecast_suite as suite

    scores, timings = suite.run(quick)
    summary = suite.summarise(scores)
    head = suite.headline(summary, timings)
    section = Section(KINDS["suite"].title, table=summary)
    for row in head.to_dict("records"):
        section.summary.append(
            {
                "benchmark": KINDS["suite"].label,
                "case": f"group {row['group']} ({row['series']} series)",
                "result": suite.result_words(row),
                "target": suite.target_words(row),
            }
        )
    return section


def _excel(quick: bool) -> Section:
    from bench import bench_excel

    table = bench_excel.run(("10k",) if quick else tuple(bench_excel.SIZES))
    section = Section(KINDS["excel"].title, table=table)
    for row in table.to_dict("records"):
        section.summary.append(
            {
                "benchmark": KINDS["excel"].label,
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
    section = Section(KINDS["app"].title, table=table)
    for row in table.itertuples(index=False):
        section.summary.append(
            {
                "benchmark": KINDS["app"].label,
                "case": str(row.step),
                "result": f"{row.s:.2f} s",
                "target": "",
            }
        )
    return section


def _export(quick: bool) -> Section:
    del quick
    from bench import bench_export

    table = bench_export.run()
    section = Section(KINDS["export"].title, table=table)
    for fmt, group in table.groupby("format", sort=False):
        section.summary.append(
            {
                "benchmark": KINDS["export"].label,
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
    section = Section(KINDS["training"].title, table=table)
    for nodes, group in table.groupby("nodes", sort=False):
        here, ray = group.iloc[0], group.iloc[1]
        same = bool(ray["same forecast"])
        section.summary.append(
            {
                "benchmark": KINDS["training"].label,
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


def _engines(quick: bool) -> Section:
    from bench import bench_engines

    sizes = ("1M",) if quick else tuple(bench_engines.SIZES)
    table = bench_engines.run(sizes)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    section = Section(f"{KINDS['engines'].title}, load average {load} at the end", table=table)
    for row in table.to_dict("records"):
        if row["case"] == "raw duckdb":
            continue
        ratio, note = row.get("vs raw DuckDB"), str(row.get("note") or "")
        if pd.isna(row.get("s")):
            result, met = note, None
        else:
            result = f"{row['s']:.1f} s, {row['peak MB']:,.0f} MB peak, {ratio:.2f}x raw DuckDB"
            if not pd.isna(row.get("cpu vs raw")):
                result += f" (CPU {row['cpu vs raw']:.2f}x)"
            if not pd.isna(row.get("rows differing")):
                differing = int(row["rows differing"])
                result += "; same rows" if differing == 0 else f"; {differing:,} rows differ"
            result += f"; {note}" if note else ""
            met = row["case"] != "duckdb" or (
                float(ratio) <= ENGINE_RATIO_TARGET and float(row["peak MB"]) < 8192
            )
        target = ""
        if row["case"] == "duckdb":
            target = f"<= {ENGINE_RATIO_TARGET}x raw DuckDB, < 8 GB: {'met' if met else 'NOT met'}"
        section.summary.append(
            {
                "benchmark": KINDS["engines"].label,
                "case": f"--engine {row['case']}, {int(row['rows']):,} rows (Parquet)",
                "result": result,
                "target": target,
            }
        )
    return section


# Cheapest first: a long training run at the end cannot hold back the other results.
SECTIONS: tuple[Callable[[bool], Section], ...] = (
    _portfolio,
    _cli_output,
    _excel,
    _app,
    _export,
    _accuracy,
    _forecast,
    _engines,
    _training,
    _suite,
)
SECTION_NAMES = tuple(make.__name__.lstrip("_") for make in SECTIONS)


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
