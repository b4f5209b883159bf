"""The speed sections of ``bench.run_all``: each runs its benchmark module and turns the table
into summary lines (benchmark, case, result, target) in the analyst's words.

``KINDS`` names every section (title and label in the tables); the forecasting sections are in
``bench.sections_forecast``.
"""

from __future__ import annotations

import os

import pandas as pd

from bench.results import Kind, Section

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


def summary_line(kind: str, case: str, result: str, target: str = "") -> dict[str, str]:
    """One row of the combined table: the section's label, the case, the result and the target."""
    return {"benchmark": KINDS[kind].label, "case": case, "result": result, "target": target}


def portfolio(quick: bool) -> Section:
    from bench import bench_portfolio

    sizes = ("10k", "100k") if quick else tuple(bench_portfolio.SIZES)
    table = bench_portfolio.run(sizes)
    section = Section(KINDS["portfolio"].title)
    section.table = table[[*bench_portfolio.TABLE_COLUMNS, *bench_portfolio.DETAIL_COLUMNS]]
    for row in table.to_dict("records"):
        ratio, ours_mb = float(row["ratio"]), float(row["ours peak MB"])
        met = ratio <= TIME_RATIO_TARGET and ours_mb < PEAK_MB_TARGET
        result = (
            f"ours {row['ours s']:.2f} s, DuckDB {row['duckdb s']:.2f} s "
            f"({ratio:.2f}x); peak {ours_mb:.0f} MB vs {row['duckdb peak MB']:.0f} MB; "
            f"{'same' if row['agree'] else 'DIFFERENT'} results"
        )
        target = f"<= {TIME_RATIO_TARGET}x DuckDB and < 1.5 GB: {'met' if met else 'NOT met'}"
        section.summary.append(summary_line("portfolio", f"{row['rows']:,} rows", result, target))
    return section


def cli_output(quick: bool) -> Section:
    from bench import bench_cli_output as bench

    sizes = ("100k",) if quick else bench.SIZES
    table, phases = bench.run(sizes)
    section = Section(KINDS["cli_output"].title, table=table)
    for row in table.to_dict("records"):
        result = (
            f"ours {row['ours s']:.2f} s, DuckDB {row['duckdb s']:.2f} s "
            f"({row['ratio']:.2f}x); peak {row['ours peak MB']:.0f} MB vs "
            f"{row['duckdb peak MB']:.0f} MB; CPU {row['ours cpu s']:.2f} s vs "
            f"{row['duckdb cpu s']:.2f} s; {'same' if row['agree'] else 'DIFFERENT'} output"
        )
        target = f"<= {bench.TIME_RATIO_TARGET}x DuckDB and < 1 GB: {row['target']}"
        case = f"rollup --format {row['format']}, {row['rows']:,} rows"
        section.summary.append(summary_line("cli_output", case, result, target))
    if not phases.empty:
        steps = ", ".join(
            f"{p} {s:.2f} s" for p, s in zip(phases["phase"], phases["s"], strict=True)
        )
        case = f"where ours spends it ({phases['size'].iloc[0]}, CSV)"
        section.summary.append(summary_line("cli_output", case, steps))
    return section


def excel(quick: bool) -> Section:
    from bench import bench_excel

    table = bench_excel.run(("10k",) if quick else tuple(bench_excel.SIZES))
    section = Section(KINDS["excel"].title, table=table)
    for row in table.to_dict("records"):
        result = (
            f"ours {row['ours s']:.2f} s, pandas + openpyxl "
            f"{row['pandas+openpyxl s']:.2f} s ({row['speed-up']}x faster); "
            f"{'same' if row['agree'] else 'DIFFERENT'} cells"
        )
        case = f"{row['rows']:,} rows ({row['MB']} MB)"
        section.summary.append(summary_line("excel", case, result))
    return section


def app(quick: bool) -> Section:
    del quick
    from bench import bench_app

    table = bench_app.run()
    section = Section(KINDS["app"].title, table=table)
    for row in table.itertuples(index=False):
        section.summary.append(summary_line("app", str(row.step), f"{row.s:.2f} s"))
    return section


def export(quick: bool) -> Section:
    del quick
    from bench import bench_export

    table = bench_export.run()
    section = Section(KINDS["export"].title, table=table)
    for fmt, group in table.groupby("format", sort=False):
        first, warm = group["first s"].max(), group["warm s"].median()
        result = f"first {first:.2f} s, warm {warm:.2f} s"
        section.summary.append(summary_line("export", str(fmt).upper(), result))
    return section


def engines(quick: bool) -> Section:
    from bench import bench_engines, lake

    sizes = ("1M",) if quick else tuple(lake.SIZES)
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
        case = f"--engine {row['case']}, {int(row['rows']):,} rows (Parquet)"
        section.summary.append(summary_line("engines", case, result, target))
    return section
