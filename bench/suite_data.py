"""The forecast suite's data and protocol constants (``../shared/forecast-bench``).

The 18 public series of ``dev_series.csv`` form one panel per frequency group (M, Q, Y), every
series cut to its group's shortest length and relabelled on one calendar ending 2000-12, 2000-Q4 or
2000; ``history_frame`` turns a panel's training part into the product's input (each series one
item's variance, no plan). The benchmark is ``bench/bench_forecast_suite.py``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

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


def period_labels(group: str, n: int) -> list[str]:
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
        out.append(Split(group, values, names, tuple(period_labels(group, n)), h, m))
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
