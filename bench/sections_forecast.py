"""The forecasting sections of ``bench.run_all``: training time, backtest accuracy on the sample
portfolio and NYC, training on Ray, and the public forecast suite, as summary lines. Every accuracy
line compares the LSTM with the best baseline, never a chosen one.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import pandas as pd

from bench.results import Section
from bench.sections import KINDS, summary_line


def _forecast_module() -> Any:
    try:
        return importlib.import_module("bench.bench_forecast")
    except ModuleNotFoundError as err:
        if err.name != "bench.bench_forecast":
            raise
        return None


def forecast(quick: bool) -> Section:
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
        section.summary.append(summary_line("forecast", case, result))
    return section


def accuracy(quick: bool) -> Section:
    section = Section(KINDS["accuracy"].title)
    module = _forecast_module()
    if module is None or not hasattr(module, "run_accuracy"):
        section.error = "bench/bench_forecast.py has no run_accuracy"
        return section
    table = module.run_accuracy(quick)
    section.table = table
    for case, group in table.groupby("case", sort=False):
        words = accuracy_line(group)
        section.summary.append(summary_line("accuracy", str(case), **words))
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


def suite(quick: bool) -> Section:
    from bench import bench_forecast_suite as suite
    from bench import suite_report as report

    scores, timings = suite.run(quick)
    summary = report.summarise(scores)
    head = report.headline(summary, timings)
    section = Section(KINDS["suite"].title, table=summary)
    for row in head.to_dict("records"):
        case = f"group {row['group']} ({row['series']} series)"
        words = report.result_words(row), report.target_words(row)
        section.summary.append(summary_line("suite", case, *words))
    return section


def training(quick: bool) -> Section:
    from bench import bench_training

    table = bench_training.run(quick=quick)
    section = Section(KINDS["training"].title, table=table)
    for nodes, group in table.groupby("nodes", sort=False):
        here, ray = group.iloc[0], group.iloc[1]
        same = bool(ray["same forecast"])
        case = f"{nodes:,} nodes x {here['periods']} periods (synthetic), {here['members']} members"
        result = (
            f"in process {here['wall s']} s wall ({here['cpu s']} s CPU); "
            f"{ray['where']} {ray['wall s']} s wall ({ray['cpu s']} s CPU, driver / "
            f"workers / Ray {ray['cpu driver / workers / ray s']}), "
            f"{ray['speed-up']}x; load {ray['load avg (1 min)']}"
        )
        target = f"same forecast bit for bit: {'met' if same else 'NOT met'}"
        section.summary.append(summary_line("training", case, result, target))
    notes = [str(n) for n in table["note"] if n]
    if notes:
        section.summary[-1]["result"] += f" ({notes[0]})"
    return section
