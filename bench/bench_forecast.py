"""Forecasting benchmark: accuracy against the baselines, and training time against model size.

Usage: ``python -m bench.bench_forecast [--quick]``

Table 1 (``run_accuracy``): the backtest of the LSTM ensemble (default ``ModelSettings`` unless a
case says otherwise) against naive, seasonal naive, mean and drift, on

- the sample portfolio (``sample_data/sample_portfolio.csv``) at project level: 25 projects x 48
  months, 6 rolling cut-offs, horizon 6;
- the NYC capital projects (``../shared/realdata``, mapping from ``docs/realdata.md``) at category
  level: quarterly, 25 quarters, so lookback 4, horizon 2 and 4 cut-offs (the defaults need 29).

Per model: mean RMSE, MAE and MASE over the nodes, and the nodes it wins; for the LSTM also the
members' RMSE spread (mean over nodes of std / mean; over all networks, and between networks at
the same lookback, the seed's part) and the training time (backtest + final fit).

Table 2 (``run``, also called by ``bench.run_all``): wall and CPU time to train the global model
(5 members at one lookback, otherwise the default settings, no backtest; the shipped default
trains 6 networks at three lookbacks) on synthetic portfolios of 50, 200 and 1,000 nodes x 60
monthly periods. ``--quick`` shrinks both tables to a smoke run.

Numbers are measured, never asserted: see README for the last results.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from forecasting.ensemble import fit_ensemble
from forecasting.pipeline import run_forecast
from forecasting.settings import ModelSettings
from forecasting.windows import to_panel

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "sample_portfolio.csv"
REALDATA = Path(os.environ.get("COST_DRIFT_REALDATA", REPO.parent / "shared" / "realdata"))
NYC = REALDATA / "nyc_capital_projects.csv"
NODE_COUNTS = (50, 200, 1000)
PERIODS = 60


def _level_series(path: Path, mapping: Any, level: int) -> pd.DataFrame:
    from portfolio.bridge import series_for_level
    from portfolio.load import load_portfolio
    from portfolio.rollup import rollup_portfolio

    portfolio = load_portfolio(path, mapping) if mapping is not None else load_portfolio(path)
    return series_for_level(rollup_portfolio(portfolio), level)


def node_spread_ratios(spread: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per node of a members' spread table (``SPREAD_COLUMNS``), std / mean of the networks' RMSE:
    over all networks, and between networks at the same lookback (the seed's part); NaN where the
    mean is 0."""
    with np.errstate(all="ignore"):
        whole, seed = (
            (spread[c] / spread["rmse_mean"]).replace([np.inf], np.nan)
            for c in ("rmse_std", "rmse_seed_std")
        )
    return whole, seed


def spread_ratios(spread: pd.DataFrame) -> tuple[float, float]:
    """The members' RMSE spread of a run (``ForecastRun.members_spread``) as the mean over nodes of
    :func:`node_spread_ratios`."""
    whole, seed = node_spread_ratios(spread)
    return float(whole.mean()), float(seed.mean())


def _accuracy_case(
    name: str, series: pd.DataFrame, settings: ModelSettings, k: int
) -> pd.DataFrame:
    t0 = time.perf_counter()
    result = run_forecast(series, settings, backtest_k=k)
    wall = time.perf_counter() - t0
    summary = result.backtest_summary.copy()
    whole, seed = spread_ratios(result.members_spread)
    summary.insert(0, "case", name)
    summary.insert(1, "series", int(series["node"].nunique()))
    summary.insert(2, "periods", int(series["period"].nunique()))
    is_lstm = summary["model"] == "lstm"
    summary["members_rmse_std_over_mean"] = np.where(is_lstm, whole, np.nan)
    summary["seed_rmse_std_over_mean"] = np.where(is_lstm, seed, np.nan)
    summary["train_s"] = np.where(is_lstm, round(result.train_seconds, 1), np.nan)
    summary["run_s"] = np.where(is_lstm, round(wall, 1), np.nan)
    summary["verdict"] = np.where(is_lstm, result.verdict, "")
    return summary


def run_accuracy(quick: bool = False) -> pd.DataFrame:
    """Table 1: backtest scores of the LSTM ensemble and every baseline on the real cases."""
    base = ModelSettings()
    if quick:
        base = ModelSettings(units=8, epochs=3, members=2)
    frames = [
        _accuracy_case(
            "sample portfolio (synthetic), project level", _level_series(SAMPLE, None, 3), base, 6
        )
    ]
    if NYC.exists():
        from portfolio.mapping import NYC_CAPITAL_MAPPING

        nyc = ModelSettings(**{**base.to_dict(), "lookback": 4, "horizon": 2})
        frames.append(
            _accuracy_case(
                "NYC capital projects, category level",
                _level_series(NYC, NYC_CAPITAL_MAPPING, 2),
                nyc,
                4,
            )
        )
    else:
        log.warning("NYC capital projects not found at %s: that row is left out", NYC)
    return pd.concat(frames, ignore_index=True)


def synthetic_series(nodes: int, periods: int = PERIODS, seed: int = 0) -> pd.DataFrame:
    """Monthly drift of ``nodes`` nodes of very different sizes (seasonal + creep + noise)."""
    rng = np.random.default_rng(seed)
    t = np.arange(periods)
    scale = np.exp(rng.uniform(np.log(1e3), np.log(1e6), nodes))[:, None]
    phase = rng.uniform(0, 2 * np.pi, nodes)[:, None]
    planned = scale * (1 + 0.3 * np.sin(2 * np.pi * t / 12 + phase))
    creep = rng.uniform(-0.002, 0.01, nodes)[:, None] * t
    variance = planned * (creep + rng.normal(0, 0.05, (nodes, periods)))
    labels = [f"{2020 + m // 12}-{m % 12 + 1:02d}" for m in t]
    return pd.DataFrame(
        {
            "node": np.repeat([f"node {i:04d}" for i in range(nodes)], periods),
            "period": np.tile(labels, nodes),
            "variance": variance.ravel(),
            "planned": planned.ravel(),
        }
    )


def run(quick: bool = False) -> pd.DataFrame:
    """Table 2: training time of the global model against the number of nodes."""
    counts = (20, 50) if quick else NODE_COUNTS
    # 5 networks at one lookback: the configuration of the issue-3 target (module docstring).
    full = ModelSettings(members=5, lookbacks=1)
    settings = ModelSettings(epochs=3, members=2) if quick else full
    rows = []
    for n in counts:
        panel = to_panel(synthetic_series(n), "variance", "planned")
        wall0, cpu0 = time.perf_counter(), time.process_time()
        ens = fit_ensemble(panel, settings)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        from forecasting.training import auto_batch_size

        used = ens.settings  # automatic (0) lookback and horizon resolved for the calendar
        windows = n * (PERIODS - used.lookback - used.horizon + 1)
        rows.append(
            {
                "nodes": n,
                "periods": PERIODS,
                "windows": windows,
                "members": settings.members,
                "batch": settings.batch_size or auto_batch_size(int(windows * 0.8)),
                "epochs run": round(float(np.mean([len(h["loss"]) for h in ens.histories])), 1),
                "train wall s": round(wall, 1),
                "train cpu s": round(cpu, 1),
                "load avg (1 min)": round(os.getloadavg()[0], 1),
            }
        )
        log.info("trained %d nodes in %.1f s", n, wall)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument(
        "--only", choices=("accuracy", "scaling"), default=None, help="run one table only"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    pd.set_option("display.width", 200)
    if args.only in (None, "accuracy"):
        acc = run_accuracy(args.quick)
        print("## Table 1: backtest accuracy (mean over nodes)\n")
        cols = [c for c in acc.columns if c != "verdict"]
        print(acc[cols].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        for case, text in acc.loc[acc["verdict"] != "", ["case", "verdict"]].to_numpy():
            print(f"\n- {case}: {text}")
        print()
    if args.only in (None, "scaling"):
        print("## Table 2: training time of the global model (5 networks at one lookback)\n")
        print(run(args.quick).to_string(index=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
