"""The forecast suite's tables and words: summaries per group and model, the headline against the
issue's targets, and the blocks written into ``bench/FORECAST_RESULTS.md`` and the README.

Every summary row compares the LSTM with the best baseline (the non-LSTM model of lowest mean MASE
in that row), never a chosen one. The benchmark is ``bench/bench_forecast_suite.py``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.suite_data import LSTM_SIDE, REFERENCE


def _vs(row_models: pd.DataFrame) -> str:
    s = row_models.set_index("model")["mean MASE"]
    others = s.drop(index=[m for m in (*LSTM_SIDE, *REFERENCE.values()) if m in s.index])
    if "lstm" not in s.index or others.empty:
        return ""
    base = str(others.idxmin())
    lv, bv = float(s["lstm"]), float(others.min())
    word = "beats" if lv < bv else "loses to"
    return f"LSTM {lv:.3f} {word} best baseline {base} {bv:.3f} ({(lv / bv - 1) * 100:+.0f} %)"


def summarise(scores: pd.DataFrame) -> pd.DataFrame:
    """Per group and overall, per model: mean and median MASE, coverage, width, series."""
    parts = []
    for group, sub in [*scores.groupby("group", sort=False), ("all", scores)]:
        g = sub.groupby("model", sort=False)
        table = pd.DataFrame(
            {
                "group": group,
                "model": list(g.groups),
                "series": g["series"].nunique().to_numpy(),
                "mean MASE": g["mase"].mean().to_numpy(),
                "median MASE": g["mase"].median().to_numpy(),
                "coverage 80 %": g["coverage"].mean().to_numpy(),
                "width": g["width"].mean().to_numpy(),
            }
        )
        table["LSTM vs best baseline"] = _vs(table)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


def headline(summary: pd.DataFrame, timings: pd.DataFrame) -> pd.DataFrame:
    """One row per group and overall: best, LSTM, AutoARIMA (ours and statsforecast's), the best
    baseline, and the coverage of the shown band, against the issue's targets."""
    rows = []
    for group, sub in summary.groupby("group", sort=False):
        s = sub.set_index("model")

        def get(m: str, c: str, s: pd.DataFrame = s) -> float:
            return float(s.loc[m, c]) if m in s.index else np.nan

        rows.append(
            {
                "group": group,
                "series": int(s["series"].max()),
                "best MASE": get("best", "mean MASE"),
                "lstm MASE": get("lstm", "mean MASE"),
                "auto_arima MASE": get("auto_arima", "mean MASE"),
                "sf AutoARIMA MASE": get("sf_auto_arima", "mean MASE"),
                "best coverage": get("best", "coverage 80 %"),
                "lstm coverage": get("lstm", "coverage 80 %"),
                "sf AutoARIMA coverage": get("sf_auto_arima", "coverage 80 %"),
                "LSTM vs best baseline": str(s["LSTM vs best baseline"].iloc[0]),
            }
        )
    out = pd.DataFrame(rows)
    for col in ("product s", "statsforecast s", "product cpu s", "statsforecast cpu s"):
        out.attrs[col] = float(timings[col].sum()) if col in timings else float("nan")
    return out


def result_words(row: dict[str, object]) -> str:
    """A headline row in words: MASE of best, LSTM and AutoARIMA, and the shown band's coverage."""
    return (
        f"mean MASE best {row['best MASE']:.3f}, LSTM {row['lstm MASE']:.3f}, AutoARIMA "
        f"{row['auto_arima MASE']:.3f} (statsforecast {row['sf AutoARIMA MASE']:.3f}); 80 % band "
        f"coverage {row['best coverage']:.1%}; {row['LSTM vs best baseline']}"
    )


def target_words(row: dict[str, object]) -> str:
    """The issue's targets for one headline row: coverage 75-85 % (groups of 4+ series), best
    at or below AutoARIMA's mean MASE, and (over the whole suite) the LSTM ensemble alone within
    5 % of AutoARIMA's mean MASE."""
    cov = float(row["best coverage"])  # type: ignore[arg-type]
    parts = []
    if int(row["series"]) >= 4 or row["group"] == "all":  # type: ignore[call-overload]
        parts.append(f"coverage 75-85 %: {'met' if 0.75 <= cov <= 0.85 else 'NOT met'}")
    best, arima = float(row["best MASE"]), float(row["auto_arima MASE"])  # type: ignore[arg-type]
    parts.append(f"best <= AutoARIMA: {'met' if best <= arima else 'NOT met'}")
    if row["group"] == "all":
        lstm = float(row["lstm MASE"])  # type: ignore[arg-type]
        parts.append(
            f"LSTM within 5 % of AutoARIMA: {'met' if lstm <= 1.05 * arima else 'NOT met'}"
        )
    return "; ".join(parts)


def table_text(frame: pd.DataFrame) -> str:
    """A table as fixed-width text, floats to 3 decimals."""
    return frame.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def time_words(head: pd.DataFrame) -> str:
    """The run's time in words: wall time of the whole run and its worker processes, the CPU
    seconds of every split (product and reference) and the load average the run met."""
    a = head.attrs
    cpu = a["product cpu s"] + a["statsforecast cpu s"]
    whole = (
        f"whole run {a['elapsed s']:.0f} s wall in {a['jobs']} process(es), "
        if "elapsed s" in a
        else ""
    )
    return (
        f"{os.cpu_count()} CPUs, load average {a.get('load start', float('nan')):.1f} at the start "
        f"and {os.getloadavg()[0]:.1f} at the end; {whole}CPU {cpu:.0f} s "
        f"(product {a['product cpu s']:.0f} s, statsforecast {a['statsforecast cpu s']:.0f} s), "
        f"so about {cpu / 2:.0f} s on an idle 2-core machine with 2 processes; summed split wall "
        f"times: product {a['product s']:.0f} s, statsforecast {a['statsforecast s']:.0f} s."
    )


def write_results(
    path: Path, head: pd.DataFrame, summary: pd.DataFrame, timings: pd.DataFrame
) -> None:
    """Write the suite's tables into ``path`` between the suite markers (rest kept)."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = "\n".join(
        [
            "## Forecast suite (../shared/forecast-bench, public real series)",
            "",
            f"`python -m bench.bench_forecast_suite`, {when}"
            + (f" (PARTIAL: {head.attrs['partial']} so far)" if "partial" in head.attrs else "")
            + f"; {time_words(head)}",
            "",
            "```",
            table_text(head),
            "```",
            "",
            "```",
            table_text(summary),
            "```",
            "",
            "```",
            table_text(timings),
            "```",
        ]
    )
    begin, end = "<!-- suite:begin -->", "<!-- suite:end -->"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in text and end in text:
        text = (
            text[: text.index(begin) + len(begin)] + "\n" + block + "\n" + text[text.index(end) :]
        )
    else:
        text = f"{text.rstrip()}\n\n{begin}\n{block}\n{end}\n"
    path.write_text(text, encoding="utf-8")


def update_readme(path: Path, head: pd.DataFrame) -> None:
    """Put the headline table, in words against the targets, between the README's suite markers."""
    from bench.results import markdown

    rows = pd.DataFrame(
        {
            "group": [f"{r['group']} ({r['series']} series)" for r in head.to_dict("records")],
            "result": [result_words(r) for r in head.to_dict("records")],
            "target": [target_words(r) for r in head.to_dict("records")],
        }
    )
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = (
        f"Last run {when}; {time_words(head)} Public real series, not synthetic.\n\n"
        + markdown(rows)
    )
    begin, end = "<!-- suite:begin -->", "<!-- suite:end -->"
    text = path.read_text(encoding="utf-8")
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"README has no {begin} ... {end} block")
    path.write_text(
        text[: start + len(begin)] + "\n" + block + "\n" + text[stop:], encoding="utf-8"
    )
