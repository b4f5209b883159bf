"""The backtest's tables and words: scores per node and model, the members' spread, the residuals,
the summary over nodes and the plain-words verdict.

Scores per node and model pool every origin and step: RMSE, MAE, and MASE = MAE divided by the
in-sample MAE of the one-step naive forecast on the node's history up to the first origin;
``coverage`` and ``width`` of the model's conformal band at the nominal level, each cut-off covered
by a calibration on the others (``conformal.cross_coverage``).
The members' spread is each member's own RMSE per node: mean, std (population), min and max, and
``rmse_seed_std``: the std between members at the same lookback (pooled over the lookbacks, each
lookback's mean estimated from its members, so divided by members - lookbacks: with 2 members
per lookback a population std would halve the variance), that is the part of the spread that
only the random seed causes; NaN when no lookback has two members.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting import conformal, metrics
from forecasting.backtest_models import COMBO, MODEL_NAMES
from forecasting.windows import Panel

BACKTEST_COLUMNS = ["node", "model", "rmse", "mae", "mase", "coverage", "width"]
SPREAD_COLUMNS = ["node", "rmse_mean", "rmse_std", "rmse_seed_std", "rmse_min", "rmse_max"]
SUMMARY_COLUMNS = ["model", "rmse", "mae", "mase", "coverage", "width", "nodes", "wins"]


@dataclass(frozen=True)
class Scored:
    """What the backtest scored: the panel rows, first cut-off, actuals ``(n, k, h)``, every model's
    forecasts and errors (same shape), the conformal node scales and the band's nominal level."""

    panel: Panel
    rows: np.ndarray
    first: int
    actual: np.ndarray
    preds: dict[str, np.ndarray]
    errors: dict[str, np.ndarray]
    scales: np.ndarray
    level: float


def _scores(y: np.ndarray, yhat: np.ndarray, insample: np.ndarray) -> tuple[float, float, float]:
    return (
        metrics.rmse(y, yhat),
        metrics.mae(y, yhat),
        metrics.mase(y, yhat, insample, 1),
    )


def band_scores(
    errors: Mapping[str, np.ndarray], scales: np.ndarray, level: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each model's ``(coverage, width)`` per node of its own band at ``level``, leave one
    cut-off out (``conformal.cross_coverage``): the table's two band columns."""
    return {name: conformal.cross_coverage(e, scales, level) for name, e in errors.items()}


def score_table(s: Scored) -> pd.DataFrame:
    """One row per node and model (``BACKTEST_COLUMNS``), models in ``MODEL_NAMES`` order."""
    bands = band_scores(s.errors, s.scales, s.level)
    records = []
    for i, r in enumerate(s.rows):
        insample = s.panel.target[r, s.panel.start[r] : s.first + 1]
        y = s.actual[i].ravel()
        for name in (m for m in MODEL_NAMES if m in s.preds):
            rm, ma, ms = _scores(y, s.preds[name][i].ravel(), insample)
            cov, width = bands[name][0][i], bands[name][1][i]
            records.append((s.panel.nodes[r], name, rm, ma, ms, cov, width))
    return pd.DataFrame.from_records(records, columns=BACKTEST_COLUMNS)


def members_spread(
    nodes: list[str],
    member_preds: np.ndarray,
    actual: np.ndarray,
    lookbacks: tuple[int, ...] = (),
) -> pd.DataFrame:
    """Each member's RMSE per node (``member_preds``: members, n, k, h) as ``SPREAD_COLUMNS``;
    ``lookbacks`` holds each member's lookback (empty: all at one)."""
    member_rmse = np.sqrt(np.mean((member_preds - actual[None]) ** 2, axis=(2, 3)))  # members, n
    each = np.asarray(lookbacks or (0,) * len(member_rmse))
    # Pooled within-lookback variance: each member's squared distance from its lookback's mean.
    within = np.zeros_like(member_rmse)
    groups = np.unique(each)
    for lb in groups:
        at = each == lb
        within[at] = member_rmse[at] - member_rmse[at].mean(axis=0)
    dof = len(member_rmse) - len(groups)
    return pd.DataFrame(
        {
            "node": nodes,
            "rmse_mean": member_rmse.mean(axis=0),
            "rmse_std": member_rmse.std(axis=0),
            "rmse_seed_std": np.sqrt(np.sum(within**2, axis=0) / dof) if dof > 0 else np.nan,
            "rmse_min": member_rmse.min(axis=0),
            "rmse_max": member_rmse.max(axis=0),
        }
    )


def residuals(nodes: list[str], origins: list[str], err: np.ndarray) -> pd.DataFrame:
    """The errors ``err`` ``(n, k, h)`` as rows node, origin (its label), step, error."""
    n, k, h = err.shape
    return pd.DataFrame(
        {
            "node": np.repeat(np.asarray(nodes, dtype=object), k * h),
            "origin": np.tile(np.repeat(np.asarray(origins), h), n),
            "step": np.tile(np.arange(1, h + 1), n * k),
            "error": err.reshape(-1),
        }
    )


def summarise_backtest(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model: mean RMSE, MAE, MASE, coverage and width over nodes, nodes scored, and
    wins (nodes where the model has the lowest MASE, or RMSE where MASE is undefined)."""
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    winners = []
    for _, grp in table.groupby("node", sort=False):
        col = "mase" if np.isfinite(grp["mase"].to_numpy(dtype=float)).all() else "rmse"
        winners.append(grp.loc[grp[col].idxmin(), "model"])
    wins = pd.Series(winners, dtype=object).value_counts()
    models = list(dict.fromkeys(table["model"]))
    g = table.groupby("model", sort=False)

    def _mean(col: str) -> list[float]:
        if col not in table.columns:
            return [np.nan] * len(models)
        out = []
        for m in models:
            v = g.get_group(m)[col].to_numpy(dtype=float)
            out.append(float(np.nanmean(v)) if np.isfinite(v).any() else np.nan)
        return out

    return pd.DataFrame(
        {
            "model": models,
            "rmse": g["rmse"].mean().reindex(models).to_numpy(),
            "mae": g["mae"].mean().reindex(models).to_numpy(),
            "mase": _mean("mase"),
            "coverage": _mean("coverage"),
            "width": _mean("width"),
            "nodes": g["node"].nunique().reindex(models).to_numpy(),
            "wins": [int(wins.get(m, 0)) for m in models],
        }
    )


def _label(model: str) -> str:
    return {"lstm": "LSTM ensemble", COMBO: "LSTM + statistical combination"}.get(model, model)


def verdict(summary: pd.DataFrame) -> str:
    """Plain words: which model wins (mean MASE, or RMSE where MASE is undefined), and whether the
    LSTM ensemble beats the best baseline (the non-LSTM model with the lowest mean score). It beats
    it only when both its mean MASE and its mean RMSE are lower; when the two measures disagree the
    verdict says so and does not claim a win."""
    if summary.empty:
        return "No backtest was run."
    s = summary.set_index("model")
    use_mase = bool(np.isfinite(s["mase"].to_numpy(dtype=float)).all())
    metric = "mase" if use_mase else "rmse"
    label = "MASE" if use_mase else "RMSE"
    best = str(s[metric].idxmin())
    text = f"Best model over the backtest: {_label(best)} (mean {label} {s.loc[best, metric]:.2f})."
    others = s.drop(index=[m for m in ("lstm", COMBO) if m in s.index])
    if "lstm" not in s.index or others.empty:
        return text
    base = str(others[metric].idxmin())
    lv, bv = float(s.loc["lstm", metric]), float(s.loc[base, metric])
    lr, br = float(s.loc["lstm", "rmse"]), float(s.loc[base, "rmse"])
    name = f"the best baseline, {base}"
    if lv < bv and lr <= br:
        return text + f" LSTM ensemble beats {name} ({label} {lv:.2f} vs {bv:.2f})."
    if use_mase and (lv < bv) != (lr < br):
        mase = f"mean MASE ({lv:.2f} vs {bv:.2f})"
        rmse = f"mean RMSE ({lr:,.0f} vs {br:,.0f})"
        won, lost = (
            (f"lower {mase}", f"higher {rmse}") if lv < bv else (f"lower {rmse}", f"higher {mase}")
        )
        return text + (
            f" LSTM ensemble does NOT beat {name}, overall: it wins on one measure only, "
            f"{won} but {lost}."
        )
    return text + f" LSTM ensemble does NOT beat {name} ({label} {lv:.2f} vs {bv:.2f})."
