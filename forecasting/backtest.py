"""Rolling-origin backtest of the LSTM ensemble against every baseline on the same cut-offs.

Models: ``lstm`` (the ensemble's median), the baselines ``naive``, ``seasonal_naive``, ``mean``,
``drift`` and ``rate_naive`` (the plan-based one), the statistical ``auto_arima`` and ``auto_ets``
(statsforecast; up to ``MAX_STAT_NODES`` nodes, as they are fitted node by node) and ``combo``
(per node, the mean of the LSTM and the better of the two statistical models there).

Protocol: the last ``k`` origins whose ``horizon`` following periods are all observed. With
``T`` periods the origins are ``T - horizon - k .. T - horizon - 1`` (0-based), so with horizon 1
and k = 12 this is a one-step walk-forward over the last 12 periods.

The ensemble is trained once, on the periods up to the first origin (scaler fitted on the same
part), then applied at every origin with the history up to that origin as input; refitting at every
origin would multiply the training time by ``k``. The baselines are recomputed at every origin from
the history up to it. A loaded (already trained) ensemble is applied as is, without retraining:
the verdict then says that the LSTM scores may be optimistic.

Scores per node and model pool every origin and step: RMSE, MAE, and MASE = MAE divided by the
in-sample MAE of the one-step naive forecast on the node's history up to the first origin;
``coverage`` and ``width`` of the model's conformal band at the nominal level, each cut-off covered
by a calibration on the others (``conformal.cross_coverage``).
The members' spread is each member's own RMSE per node: mean, std (population), min and max.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import conformal, metrics, stat_models
from forecasting.autoconfig import resolve_defaults
from forecasting.baselines import (
    BASELINE_NAMES,
    PLAN_BASELINES,
    baseline_matrix,
    rate_naive_matrix,
)
from forecasting.ensemble import Ensemble, fit_ensemble, predict_members
from forecasting.errors import ForecastError
from forecasting.executor import Executor
from forecasting.settings import ModelSettings
from forecasting.training import ProgressFn
from forecasting.windows import Panel

STAT_NAMES = stat_models.STAT_NAMES
COMBO = "combo"
MODEL_NAMES = ("lstm", *BASELINE_NAMES, *PLAN_BASELINES, *STAT_NAMES, COMBO)
MAX_STAT_NODES = 300
BACKTEST_COLUMNS = ["node", "model", "rmse", "mae", "mase", "coverage", "width"]
SPREAD_COLUMNS = ["node", "rmse_mean", "rmse_std", "rmse_min", "rmse_max"]
SUMMARY_COLUMNS = ["model", "rmse", "mae", "mase", "coverage", "width", "nodes", "wins"]


@dataclass(frozen=True)
class BacktestResult:
    """Backtest tables, the plain-words verdict and the ensemble that was scored.

    ``errors`` holds, per model, the errors ``actual - forecast`` as ``(nodes, cut-offs, steps)``
    in the order of ``nodes``; ``scales`` the node scales of the conformal calibration
    (``conformal.node_scale`` over the history up to the first cut-off); ``combo_partner`` the
    statistical model each node's ``combo`` averages with the LSTM.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    members_spread: pd.DataFrame
    residuals: pd.DataFrame
    verdict: str
    origins: tuple[str, ...]
    nodes: tuple[str, ...]
    skipped: pd.DataFrame
    ensemble: Ensemble | None
    errors: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    scales: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    combo_partner: dict[str, str] = field(default_factory=dict)


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


def _score_table(
    panel: Panel,
    rows: np.ndarray,
    first: int,
    actual: np.ndarray,
    preds: dict[str, np.ndarray],
    errors: dict[str, np.ndarray],
    scales: np.ndarray,
    level: float,
) -> pd.DataFrame:
    bands = {name: conformal.cross_coverage(e, scales, level) for name, e in errors.items()}
    records = []
    for i, r in enumerate(rows):
        insample = panel.target[r, panel.start[r] : first + 1]
        y = actual[i].ravel()
        for name in (m for m in MODEL_NAMES if m in preds):
            rm, ma, ms = _scores(y, preds[name][i].ravel(), insample)
            cov, width = bands[name][0][i], bands[name][1][i]
            records.append((panel.nodes[r], name, rm, ma, ms, cov, width))
    return pd.DataFrame.from_records(records, columns=BACKTEST_COLUMNS)


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
    level: float = 0.8,
) -> BacktestResult:
    """Score the LSTM ensemble and every baseline over the last ``k`` cut-offs (the members of
    the ensemble train in this process or on ``executor``); ``level`` is the nominal level of the
    bands whose coverage and width are reported.

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
    preds = {"lstm": np.median(member_preds, axis=0)}
    preds.update(baseline_predictions(panel, rows, origins, h, season))
    partner = with_combo(preds, actual)
    scales = conformal.node_scales(panel.target[rows], panel.start[rows], first + 1)
    errors = {name: actual - p for name, p in preds.items()}
    nodes = [panel.nodes[r] for r in rows]
    table = _score_table(panel, rows, first, actual, preds, errors, scales, level)

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
        errors=errors,
        scales=scales,
        combo_partner=dict(zip(nodes, partner, strict=False)),
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
        better, worse = ("lower", "higher") if lv < bv else ("higher", "lower")
        return text + (
            f" LSTM ensemble does NOT beat {name} on every measure: {better} mean MASE "
            f"({lv:.2f} vs {bv:.2f}) but {worse} mean RMSE ({lr:,.0f} vs {br:,.0f})."
        )
    return text + f" LSTM ensemble does NOT beat {name} ({label} {lv:.2f} vs {bv:.2f})."
