"""The models a backtest compares and their forecasts at every cut-off (the LSTM's aside).

``MODEL_NAMES`` is the order of the backtest tables: ``lstm``, the baselines, the plan-based
``rate_naive``, the statistical models (up to ``MAX_STAT_NODES`` nodes, as they are fitted node by
node) and ``combo`` (per node, the mean of the LSTM and its better statistical model, chosen
inside the backtest on the errors known at each cut-off: :func:`with_combo`).
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
# combo's partner where no backtest error is known yet (the first cut-off; as in choice's default)
FIRST_PARTNER = STAT_NAMES[0]


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


def with_combo(preds: dict[str, np.ndarray], actual: np.ndarray, origins: list[int]) -> list[str]:
    """Add ``combo``: per node, the mean of the LSTM and its statistical partner. Returns each
    node's partner for the forecast (empty, and no combo, without statistical models).

    The forecast's partner is the statistical model with the lower MAE over every cut-off. Inside
    the backtest the partner is chosen as it could have been at each cut-off: on the errors
    already known there (earlier cut-offs' steps whose period is at or before it), and
    ``FIRST_PARTNER`` at the first cut-off, which knows none. Choosing it on the cut-offs it is then
    scored on would flatter ``combo`` (its score would contain a choice made with hindsight).

    Args:
        preds: every model's forecasts ``(nodes, cut-offs, steps)``; ``combo`` is added.
        actual: the actuals, same shape.
        origins: 0-based index of each cut-off's last observed period, ascending.
    """
    stats = [m for m in STAT_NAMES if m in preds]
    if not stats or "lstm" not in preds:
        return []
    err = np.stack([np.abs(actual - preds[m]) for m in stats])  # stats, n, k, h
    n, _, h = actual.shape
    period = np.asarray(origins)[:, None] + np.arange(1, h + 1)[None, :]  # k, h
    stacked = np.stack([preds[m] for m in stats])  # stats, n, k, h
    combo = np.empty_like(preds["lstm"])
    first = stats.index(FIRST_PARTNER) if FIRST_PARTNER in stats else 0
    for j, o in enumerate(origins):
        known = period <= o
        if known.any():
            mae = np.where(known, err, 0.0).sum(axis=(2, 3)) / known.sum()  # stats, n
            pick = mae.argmin(axis=0)
        else:
            pick = np.full(n, first)
        combo[:, j] = 0.5 * (preds["lstm"][:, j] + stacked[pick, np.arange(n), j])
    preds[COMBO] = combo
    final = err.mean(axis=(2, 3)).argmin(axis=0)
    return [stats[p] for p in final]
