"""The models a backtest compares and their forecasts at every cut-off (the LSTM's aside).

``MODEL_NAMES`` is the order of the backtest tables: ``lstm``, the baselines, the plan-based
``rate_naive``, the statistical models (up to ``MAX_STAT_NODES`` nodes, as they are fitted node by
node) and ``combo`` (per node, the mean of the LSTM and its better statistical model).
"""

from __future__ import annotations

import numpy as np

from forecasting import stat_models
from forecasting.baselines import (
    BASELINE_NAMES,
    PLAN_BASELINES,
    baseline_matrix,
    rate_naive_matrix,
)
from forecasting.windows import Panel

STAT_NAMES = stat_models.STAT_NAMES
COMBO = "combo"
MODEL_NAMES = ("lstm", *BASELINE_NAMES, *PLAN_BASELINES, *STAT_NAMES, COMBO)
MAX_STAT_NODES = 300


def use_statistical(n_nodes: int) -> bool:
    """Whether AutoARIMA and AutoETS run (fitted per node: skipped above ``MAX_STAT_NODES``)."""
    return n_nodes <= MAX_STAT_NODES


def baseline_predictions(
    panel: Panel, rows: np.ndarray, origins: list[int], horizon: int, season: int
) -> dict[str, np.ndarray]:
    """Every baseline's and statistical model's forecasts ``(len(rows), cut-offs, horizon)``."""
    n, k, h = len(rows), len(origins), horizon
    preds: dict[str, np.ndarray] = {}
    for name in BASELINE_NAMES:
        out = np.empty((n, k, h))
        for start in np.unique(panel.start[rows]):
            grp = np.flatnonzero(panel.start[rows] == start)
            for j, o in enumerate(origins):
                hist = panel.target[rows[grp], start : o + 1]
                out[grp, j] = baseline_matrix(name, hist, h, season)
        preds[name] = out
    preds["rate_naive"] = np.stack(
        [
            rate_naive_matrix(
                panel.target[rows, : o + 1],
                panel.covariate[rows, : o + 1],
                panel.covariate[rows, o + 1 : o + 1 + h],
            )
            for o in origins
        ],
        axis=1,
    )
    if use_statistical(n):
        for name in STAT_NAMES:
            preds[name] = stat_models.backtest_paths(
                name, panel.target[rows], panel.start[rows], origins, h, season
            )
    return preds


def with_combo(preds: dict[str, np.ndarray], actual: np.ndarray) -> list[str]:
    """Add ``combo``: per node, the mean of the LSTM and whichever statistical model had the lower
    backtest MAE there. Returns each node's partner (empty, and no combo, without them)."""
    stats = [m for m in STAT_NAMES if m in preds]
    if not stats or "lstm" not in preds:
        return []
    mae = np.stack([np.abs(actual - preds[m]).mean(axis=(1, 2)) for m in stats])  # stats, n
    pick = mae.argmin(axis=0)
    partner = np.stack([preds[stats[p]][i] for i, p in enumerate(pick)])
    preds[COMBO] = 0.5 * (preds["lstm"] + partner)
    return [stats[p] for p in pick]
