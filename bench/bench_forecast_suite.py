"""Forecast suite benchmark: the ``../shared/forecast-bench`` protocol through the product's code.

Usage: ``python -m bench.bench_forecast_suite [--quick] [--jobs 2] [--readme]
[--out bench/FORECAST_RESULTS.md] [--save-tables DIR]``

``--save-tables DIR`` writes, per split, the product's inner backtest table
(``backtest_<group>_<end>.csv``: node x model, mase, rmse, ...) and every model's held-out scores
(``scores_<group>_<end>.csv``: series x model, mase, coverage, width), so that rules for choosing
the shown model can be compared offline without retraining (``bench/choice_rules.py``).

Time: the 9 splits (3 windows x 3 groups) are independent forecasts, so ``--jobs 2`` (the default)
runs them in two worker processes, one per core; the tables give every split's wall and CPU
seconds, and the header the whole run's wall time, its CPU seconds, their half (the run's time on
an idle 2-core machine) and the load average it met (the build machine is shared).

Protocol (as the suite's README describes it): the 18 public series of ``dev_series.csv`` form one
panel per frequency group (M, Q, Y); every series of a group is cut to the group's shortest length
and relabelled on one calendar ending 2000-12, 2000-Q4 or 2000. Horizon 12 / 8 / 4; rolling origin
over the last 3 windows of ``h`` periods, each forecast from everything before it. MASE per series
and window, scaled by the in-sample seasonal-naive MAE (season 12 / 4 / 1); coverage: the share of
held-back values inside the nominal 80 % band; width: the band's mean width divided by the same
scale (so that series of any size can be averaged).

Product side: each series is one item's actual with planned 0 (so the modelled variance is the
series itself), forecast by ``forecasting.pipeline.run_forecast`` with the shipped defaults
(``ModelSettings()`` with the protocol's horizon, the default backtest of ``BACKTEST_K`` cut-offs
inside the training part, 80 % band): every model it offers (``model_forecasts``) and ``best``, the
forecast it shows. Reference side, in the same run on the same splits: statsforecast's AutoARIMA,
AutoETS, SeasonalNaive and Naive fitted per series with their own 80 % intervals. Every summary row
compares the LSTM with the best baseline (the non-LSTM model of lowest mean MASE in that row).

The data is public and real (not synthetic). Numbers are measured, never asserted.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from bench.bench_forecast import spread_ratios
from forecasting import metrics
from forecasting.choice import ChoiceSettings
from forecasting.pipeline import run_forecast
from forecasting.settings import ModelSettings

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
# ../shared from the main checkout; a worktree one folder deeper finds it one level further up.
_SHARED = next(
    (p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").exists()),
    REPO.parent / "shared",
)
SUITE = Path(os.environ.get("COST_DRIFT_SUITE", _SHARED / "forecast-bench"))
DEV = SUITE / "dev_series.csv"
GROUPS = {"M": (12, 12), "Q": (8, 4), "Y": (4, 1)}  # group -> (horizon, season)
WINDOWS = 3
BACKTEST_K = 6
LEVEL = 0.8
REFERENCE = {
    "AutoARIMA": "sf_auto_arima",
    "AutoETS": "sf_auto_ets",
    "SeasonalNaive": "sf_seasonal_naive",
    "Naive": "sf_naive",
}
LSTM_SIDE = ("lstm", "combo", "best")


@dataclass(frozen=True)
class Split:
    """One group's panel (series x periods, relabelled) and its protocol constants."""

    group: str
    values: np.ndarray
    names: tuple[str, ...]
    labels: tuple[str, ...]
    horizon: int
    season: int


def _labels(group: str, n: int) -> list[str]:
    """``n`` consecutive labels ending 2000-12, 2000-Q4 or 2000."""
    per_year = {"M": 12, "Q": 4}.get(group, 1)
    idx = [2000 * per_year + per_year - 1 - (n - 1 - i) for i in range(n)]
    if group == "M":
        return [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in idx]
    if group == "Q":
        return [f"{k // 4:04d}-Q{k % 4 + 1}" for k in idx]
    return [f"{k:04d}" for k in idx]


def load_suite(path: Path = DEV) -> list[Split]:
    """The suite's groups as panels cut to each group's shortest length."""
    data = pd.read_csv(path)
    out = []
    for group, (h, m) in GROUPS.items():
        g = data[data["freq"] == group]
        if g.empty:
            continue
        names = tuple(dict.fromkeys(g["series"]))
        series = [g.loc[g["series"] == s, "value"].to_numpy(dtype=np.float64) for s in names]
        n = min(len(s) for s in series)
        values = np.stack([s[-n:] for s in series])
        out.append(Split(group, values, names, tuple(_labels(group, n)), h, m))
    return out


def history_frame(split: Split, end: int) -> pd.DataFrame:
    """The product's input for ``split`` up to ``end``: one row per series and period, the series
    as the variance and no plan."""
    n = len(split.names)
    return pd.DataFrame(
        {
            "node": np.repeat(np.asarray(split.names, dtype=object), end),
            "period": np.tile(np.asarray(split.labels[:end], dtype=object), n),
            "variance": split.values[:, :end].reshape(-1),
            "planned": 0.0,
        }
    )


def _product(
    split: Split, end: int, settings: ModelSettings
) -> tuple[pd.DataFrame, float, pd.DataFrame, tuple[float, float]]:
    """Every product model's forecast of the window after ``end`` (rows: series, model, step),
    the run's wall seconds, its inner backtest table and the LSTM members' backtest RMSE spread
    (mean over the series of std / mean, the issue's "under 10 %"): over all members, and between
    members at the same lookback (the seed's part)."""
    frame = history_frame(split, end)
    future = list(split.labels[end : end + split.horizon])
    t0, c0 = time.perf_counter(), time.process_time()
    run = run_forecast(
        frame,
        settings,
        backtest_k=BACKTEST_K,
        future_periods=future,
        choice_settings=ChoiceSettings(interval=LEVEL),
    )
    seconds = time.perf_counter() - t0
    log.info("product run: %.0f s wall, %.0f s CPU", seconds, time.process_time() - c0)
    models = run.model_forecasts[["node", "model", "step", "median", "lower", "upper"]]
    best = run.forecast[["node", "step", "median", "lower", "upper"]].assign(model="best")
    frame = pd.concat([models, best], ignore_index=True)
    return frame, seconds, run.backtest, spread_ratios(run.members_spread)


def _reference(split: Split, end: int) -> tuple[pd.DataFrame, float]:
    """statsforecast fitted per series on the same training part, with its 80 % intervals."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, Naive, SeasonalNaive

    n = len(split.names)
    df = pd.DataFrame(
        {
            "unique_id": np.repeat(np.asarray(split.names, dtype=object), end),
            "ds": np.tile(np.arange(1, end + 1), n),
            "y": split.values[:, :end].reshape(-1),
        }
    )
    m = split.season
    sf = StatsForecast(
        models=[AutoARIMA(season_length=m), AutoETS(season_length=m), SeasonalNaive(m), Naive()],
        freq=1,
        n_jobs=1,
    )
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = sf.forecast(df=df, h=split.horizon, level=[int(LEVEL * 100)])
    seconds = time.perf_counter() - t0
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    fc["step"] = fc["ds"] - end
    parts = []
    for col, name in REFERENCE.items():
        parts.append(
            pd.DataFrame(
                {
                    "node": fc["unique_id"].astype(str),
                    "model": name,
                    "step": fc["step"].astype(int),
                    "median": fc[col],
                    "lower": fc[f"{col}-lo-80"],
                    "upper": fc[f"{col}-hi-80"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True), seconds


def _score(split: Split, end: int, fc: pd.DataFrame) -> pd.DataFrame:
    """Per series and model: MASE, coverage and scaled width of one window."""
    rows = []
    for (node, model), grp in fc.groupby(["node", "model"], sort=False):
        i = split.names.index(str(node))
        grp = grp.sort_values("step")
        y = split.values[i, end : end + split.horizon]
        scale = metrics.mase_scale(split.values[i, :end], split.season)
        point = grp["median"].to_numpy(dtype=float)
        lo, hi = grp["lower"].to_numpy(dtype=float), grp["upper"].to_numpy(dtype=float)
        rows.append(
            {
                "group": split.group,
                "series": node,
                "window": end,
                "model": model,
                "mase": float(np.mean(np.abs(y - point)) / scale),
                "coverage": float(np.mean((y >= lo) & (y <= hi)))
                if np.isfinite(lo).all()
                else np.nan,
                "width": float(np.mean(hi - lo) / scale) if np.isfinite(lo).all() else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _run_split(
    group: str, w: int, quick: bool, tables: Path | None = None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """One group's forecast of window ``w`` (1 = the last), product and reference, scored; the
    timing row has wall and CPU seconds of both sides (CPU of this process, all its threads).
    With ``tables`` the split's inner backtest table and held-out scores are written there."""
    split = next(s for s in load_suite() if s.group == group)
    settings = ModelSettings(horizon=split.horizon)
    if quick:
        settings = ModelSettings(horizon=split.horizon, units=8, epochs=2, members=2)
    end = split.values.shape[1] - w * split.horizon
    c0 = time.process_time()
    product, p_s, backtest, spread = _product(split, end, settings)
    c1 = time.process_time()
    reference, r_s = _reference(split, end)
    c2 = time.process_time()
    scores = _score(split, end, pd.concat([product, reference], ignore_index=True))
    if tables is not None:
        tables.mkdir(parents=True, exist_ok=True)
        backtest.assign(group=split.group, window=end).to_csv(
            tables / f"backtest_{split.group}_{end}.csv", index=False
        )
        scores.to_csv(tables / f"scores_{split.group}_{end}.csv", index=False)
    log.info("group %s window ending %d: product %.0f s (%.0f s CPU), statsforecast %.0f s",
             split.group, end, p_s, c1 - c0, r_s)  # fmt: skip
    return scores, {
        "group": split.group,
        "window": end,
        "product s": p_s,
        "product cpu s": c1 - c0,
        "statsforecast s": r_s,
        "statsforecast cpu s": c2 - c1,
        "members rmse std/mean": spread[0],
        "same-lookback std/mean": spread[1],
    }


def run(
    quick: bool = False,
    on_split: Callable[[pd.DataFrame, pd.DataFrame], None] | None = None,
    jobs: int = 1,
    tables: Path | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score every model over the suite; returns (per series and window scores, timings).

    Windows are the outer loop (the last window of every group first), so that a run stopped early
    still covers every group; ``on_split`` gets the scores and timings so far after each split.
    With ``jobs`` > 1 the splits run in that many worker processes (each split is an independent
    forecast, seeded, so the figures are the same as with one process). ``tables``: see
    ``--save-tables`` (module docstring).
    """
    splits = sorted(load_suite(), key=lambda s: ("YQM".index(s.group), s.group))
    tasks = [(s.group, w) for w in range(1, (1 if quick else WINDOWS) + 1) for s in splits]
    scores: list[pd.DataFrame] = []
    timings: list[dict[str, object]] = []

    def collect(result: tuple[pd.DataFrame, dict[str, object]]) -> None:
        scores.append(result[0])
        timings.append(result[1])
        if on_split is not None:
            on_split(pd.concat(scores, ignore_index=True), pd.DataFrame(timings))

    if jobs <= 1:
        for group, w in tasks:
            collect(_run_split(group, w, quick, tables))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")  # TensorFlow is not fork-safe
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = [pool.submit(_run_split, group, w, quick, tables) for group, w in tasks]
            for f in futures:
                collect(f.result())
    return pd.concat(scores, ignore_index=True), pd.DataFrame(timings)


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


def _fmt(frame: pd.DataFrame) -> str:
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
            _fmt(head),
            "```",
            "",
            "```",
            _fmt(summary),
            "```",
            "",
            "```",
            _fmt(timings),
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


def main(argv: list[str] | None = None) -> int:
    """Run the suite, print the tables, write them to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one window, a tiny LSTM")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "FORECAST_RESULTS.md")
    parser.add_argument(
        "--readme", action="store_true", help="also write the headline table into README.md"
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="worker processes, one split each (default 2: 2 cores)"
    )
    parser.add_argument(
        "--save-tables",
        type=Path,
        default=None,
        metavar="DIR",
        help="write each split's inner backtest table and held-out scores as CSV into DIR",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    def partial(scores: pd.DataFrame, timings: pd.DataFrame) -> None:
        if not args.quick:
            done = len(timings)
            summary = summarise(scores)
            head = headline(summary, timings)
            head.attrs["partial"] = f"{done} of {WINDOWS * len(GROUPS)} splits"
            head.attrs.update(load)
            write_results(args.out, head, summary, timings)

    load = {"load start": os.getloadavg()[0], "jobs": args.jobs}
    started = time.perf_counter()
    scores, timings = run(args.quick, partial, jobs=args.jobs, tables=args.save_tables)
    summary = summarise(scores)
    head = headline(summary, timings)
    head.attrs.update(load, **{"elapsed s": time.perf_counter() - started})
    print(_fmt(head))
    print()
    print(_fmt(summary))
    print()
    print(_fmt(timings))
    print(time_words(head))
    if not args.quick:
        write_results(args.out, head, summary, timings)
        print(f"written to {args.out}")
        if args.readme:
            update_readme(REPO / "README.md", head)
            print("written to README.md")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
