"""Rolling-origin backtest of the LSTM ensemble against every baseline on the same cut-offs.

Protocol: the last ``k`` origins whose ``horizon`` following periods are all observed. With
``T`` periods the origins are ``T - horizon - k .. T - horizon - 1`` (0-based), so with horizon 1
and k = 12 this is a one-step walk-forward over the last 12 periods.

The ensemble is trained once, on the periods up to the first origin (scaler fitted on the same
part), then applied at every origin with the history up to that origin as input; refitting at every
origin would multiply the training time by ``k``. The baselines are recomputed at every origin from
the history up to it. A loaded (already trained) ensemble is applied as is, without retraining:
the verdict then says that the LSTM scores may be optimistic.

Scores per node and model pool every origin and step: RMSE, MAE, and MASE = MAE divided by the
in-sample MAE of the one-step naive forecast on the node's history up to the first origin.
The members' spread is each member's own RMSE per node: mean, std (population), min and max.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting import metrics
from forecasting.autoconfig import resolve_defaults
from forecasting.baselines import BASELINE_NAMES, baseline_matrix
from forecasting.ensemble import Ensemble, fit_ensemble, predict_members
from forecasting.errors import ForecastError
from forecasting.executor import Executor
from forecasting.settings import ModelSettings
from forecasting.training import ProgressFn
from forecasting.windows import Panel

MODEL_NAMES = ("lstm", *BASELINE_NAMES)
BACKTEST_COLUMNS = ["node", "model", "rmse", "mae", "mase"]
SPREAD_COLUMNS = ["node", "rmse_mean", "rmse_std", "rmse_min", "rmse_max"]
SUMMARY_COLUMNS = ["model", "rmse", "mae", "mase", "nodes", "wins"]


@dataclass(frozen=True)
class BacktestResult:
    """Backtest tables, the plain-words verdict and the ensemble that was scored."""

    table: pd.DataFrame
    summary: pd.DataFrame
    members_spread: pd.DataFrame
    residuals: pd.DataFrame
    verdict: str
    origins: tuple[str, ...]
    nodes: tuple[str, ...]
    skipped: pd.DataFrame
    ensemble: Ensemble | None


def origins_for(n_periods: int, horizon: int, k: int) -> list[int]:
    """0-based origins of the last ``k`` cut-offs, each followed by ``horizon`` observed periods."""
    first = n_periods - horizon - k
    return list(range(first, first + k))


def _scores(y: np.ndarray, yhat: np.ndarray, insample: np.ndarray) -> tuple[float, float, float]:
    return (
        metrics.rmse(y, yhat),
        metrics.mae(y, yhat),
        metrics.mase(y, yhat, insample, 1),
    )


def run_backtest(
    panel: Panel,
    settings: ModelSettings,
    k: int,
    *,
    season: int = 1,
    ensemble: Ensemble | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    executor: Executor = None,
) -> BacktestResult:
    """Score the LSTM ensemble and every baseline over the last ``k`` cut-offs (the members of
    the ensemble train in this process or on ``executor``).

    Raises:
        ForecastError: the data is too short for ``k`` cut-offs with this lookback and horizon.
        TrainingCancelled: cancel was set during training.
    """
    total = len(panel.periods)
    settings = resolve_defaults(settings, season, total)
    h, lb = settings.horizon, settings.lookback
    extra = 1 if settings.difference else 0
    if k < 1:
        raise ForecastError("The backtest needs at least one cut-off.")
    origins = origins_for(total, h, k)
    need = lb + 2 * h + k - 1 + extra
    if origins[0] + 1 < lb + h + extra:
        raise ForecastError(
            f"A backtest over {k} cut-off(s) with a lookback of {lb} and a horizon of {h} needs at "
            f"least {need} periods; the data has {total}. Use fewer cut-offs, a shorter "
            "lookback or horizon, or no backtest."
        )
    first = origins[0]
    has_input = panel.start + extra <= first - lb + 1
    rows = np.flatnonzero(has_input)
    skipped = pd.DataFrame(
        {
            "node": [panel.nodes[i] for i in np.flatnonzero(~has_input)],
            "periods": (first + 1 - panel.start[~has_input]).clip(min=0).astype(int),
            "needed": lb + extra,
        }
    )
    if len(rows) == 0:
        raise ForecastError(
            f"No node has {lb + extra} periods of history before the first backtest cut-off "
            f"({panel.periods[first]})."
        )
    if ensemble is None:
        ens = fit_ensemble(
            panel,
            settings,
            upto=first + 1,
            stage="backtest",
            progress=progress,
            cancel=cancel,
            executor=executor,
        )
        note = ""
    else:
        ens = ensemble
        note = (
            " (loaded models, not retrained for the backtest: their training may have seen these "
            "periods, so the LSTM scores may be optimistic)"
        )
    known = set(ens.nodes)
    rows = np.asarray([r for r in rows if panel.nodes[r] in known], dtype=np.int64)
    if len(rows) == 0:
        raise ForecastError("None of the nodes in the data are known to the loaded model.")
    n = len(rows)
    actual = np.stack([panel.target[rows, o + 1 : o + 1 + h] for o in origins], axis=1)  # n,k,h
    member_preds = np.stack(
        [predict_members(ens, panel, o, rows=rows) for o in origins], axis=2
    )  # members, n, k, h
    preds: dict[str, np.ndarray] = {"lstm": np.median(member_preds, axis=0)}
    for name in BASELINE_NAMES:
        out = np.empty((n, k, h))
        for start in np.unique(panel.start[rows]):
            grp = np.flatnonzero(panel.start[rows] == start)
            for j, o in enumerate(origins):
                hist = panel.target[rows[grp], start : o + 1]
                out[grp, j] = baseline_matrix(name, hist, h, season)
        preds[name] = out

    nodes = [panel.nodes[r] for r in rows]
    records = []
    for i, r in enumerate(rows):
        insample = panel.target[r, panel.start[r] : first + 1]
        y = actual[i].ravel()
        for name in MODEL_NAMES:
            rm, ma, ms = _scores(y, preds[name][i].ravel(), insample)
            records.append((nodes[i], name, rm, ma, ms))
    table = pd.DataFrame.from_records(records, columns=BACKTEST_COLUMNS)

    member_rmse = np.sqrt(np.mean((member_preds - actual[None]) ** 2, axis=(2, 3)))  # members, n
    spread = pd.DataFrame(
        {
            "node": nodes,
            "rmse_mean": member_rmse.mean(axis=0),
            "rmse_std": member_rmse.std(axis=0),
            "rmse_min": member_rmse.min(axis=0),
            "rmse_max": member_rmse.max(axis=0),
        }
    )
    err = actual - preds["lstm"]
    residuals = pd.DataFrame(
        {
            "node": np.repeat(np.asarray(nodes, dtype=object), k * h),
            "origin": np.tile(np.repeat(np.asarray([panel.periods[o] for o in origins]), h), n),
            "step": np.tile(np.arange(1, h + 1), n * k),
            "error": err.reshape(-1),
        }
    )
    summary = summarise_backtest(table)
    return BacktestResult(
        table=table,
        summary=summary,
        members_spread=spread,
        residuals=residuals,
        verdict=verdict(summary) + note,
        origins=tuple(panel.periods[o] for o in origins),
        nodes=tuple(nodes),
        skipped=skipped,
        ensemble=ens,
    )


def summarise_backtest(table: pd.DataFrame) -> pd.DataFrame:
    """One row per model: mean RMSE, MAE and MASE over nodes, nodes scored, and wins (nodes where
    the model has the lowest MASE, or RMSE where MASE is undefined)."""
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    winners = []
    for _, grp in table.groupby("node", sort=False):
        col = "mase" if np.isfinite(grp["mase"].to_numpy(dtype=float)).all() else "rmse"
        winners.append(grp.loc[grp[col].idxmin(), "model"])
    best = pd.Series(winners, dtype=object)
    wins = best.value_counts()
    models = list(dict.fromkeys(table["model"]))
    g = table.groupby("model", sort=False)
    out = pd.DataFrame(
        {
            "model": models,
            "rmse": g["rmse"].mean().reindex(models).to_numpy(),
            "mae": g["mae"].mean().reindex(models).to_numpy(),
            "mase": [
                float(np.nanmean(v)) if np.isfinite(v).any() else np.nan
                for v in (g.get_group(m)["mase"].to_numpy() for m in models)
            ],
            "nodes": g["node"].nunique().reindex(models).to_numpy(),
            "wins": [int(wins.get(m, 0)) for m in models],
        }
    )
    return out


def verdict(summary: pd.DataFrame) -> str:
    """Plain words: which model wins (mean MASE, or RMSE where MASE is undefined), and whether the
    LSTM ensemble beats naive. It beats naive only when both its mean MASE and its mean RMSE are
    lower; when the two measures disagree the verdict says so and does not claim a win."""
    if summary.empty:
        return "No backtest was run."
    s = summary.set_index("model")
    use_mase = bool(np.isfinite(s["mase"]).all())
    metric = "mase" if use_mase else "rmse"
    label = "MASE" if use_mase else "RMSE"
    best = str(s[metric].idxmin())
    best_name = "LSTM ensemble" if best == "lstm" else best
    text = f"Best model over the backtest: {best_name} (mean {label} {s.loc[best, metric]:.2f})."
    if "lstm" not in s.index or "naive" not in s.index:
        return text
    lv, nv = float(s.loc["lstm", metric]), float(s.loc["naive", metric])
    lr, nr = float(s.loc["lstm", "rmse"]), float(s.loc["naive", "rmse"])
    if lv < nv and lr <= nr:
        return text + f" LSTM ensemble beats naive ({label} {lv:.2f} vs {nv:.2f})."
    if use_mase and (lv < nv) != (lr < nr):
        better, worse = ("lower", "higher") if lv < nv else ("higher", "lower")
        return text + (
            f" LSTM ensemble does NOT beat naive on every measure: {better} mean MASE "
            f"({lv:.2f} vs {nv:.2f}) but {worse} mean RMSE ({lr:,.0f} vs {nr:,.0f})."
        )
    return text + f" LSTM ensemble does NOT beat naive ({label} {lv:.2f} vs {nv:.2f})."
