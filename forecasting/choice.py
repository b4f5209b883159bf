"""The right model per node: the backtest winner (or the analyst's choice) and its calibrated band.

``best`` (the default) takes, per node, the model with the lowest backtest MASE (RMSE where MASE is
undefined), among the LSTM ensemble, the LSTM + statistical combination, the statistical models and
the baselines that are contenders at the level: their mean backtest MASE over the level's nodes is
within ``LEVEL_TOLERANCE`` (10 %) of the best model's. A few overlapping cut-offs per node are a
noisy test, and on the forecast suite plain per-node winners lost to AutoARIMA alone (mean MASE
0.93 against 0.81 without the LSTM); the screen keeps a lucky node from picking a model that is
poor across the level. A node without a backtest (too short for it) gets the model that won most
often among the others. A forced model (``model="auto_arima"``, ...) is used at every node that has
it; ``lstm`` always exists. The LSTM ensemble is trained and shown beside whatever is chosen.

Every model's final forecast is computed from the whole history (baselines and statistical models
refitted on it, ``combo`` the mean of the LSTM and the node's backtest partner), so that any model
can be shown, and its band is the model's conformal calibration over the backtest (see
``forecasting.conformal``), one per model over the modelled nodes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting import conformal, stat_models
from forecasting.backtest_models import COMBO, MAX_STAT_NODES, MODEL_NAMES, STAT_NAMES
from forecasting.baselines import BASELINE_NAMES, baseline_matrix, rate_naive_matrix
from forecasting.errors import ForecastError
from forecasting.windows import Panel

MODEL_CHOICES = ("best", *MODEL_NAMES)
# ``best`` picks per node among the models whose mean backtest score over the level is within this
# share of the level's best: one lucky node must not pick a model that is poor across the level.
LEVEL_TOLERANCE = 0.10
MODEL_FORECAST_COLUMNS = ["node", "period", "step", "model", "median", "lower", "upper"]


@dataclass(frozen=True)
class ChoiceSettings:
    """Which model to show and the nominal level of its band.

    Raises:
        ForecastError: an unknown model or a level outside 50-95 %.
    """

    model: str = "best"
    interval: float = 0.8

    def __post_init__(self) -> None:
        if self.model not in MODEL_CHOICES:
            raise ForecastError(
                f"Unknown model '{self.model}'. Choose one of: {', '.join(MODEL_CHOICES)}."
            )
        object.__setattr__(self, "interval", conformal.check_level(self.interval))


def contenders(table: pd.DataFrame, tolerance: float = LEVEL_TOLERANCE) -> set[str]:
    """The models whose mean MASE over the level's nodes is within ``tolerance`` of the best one
    (every model when MASE is undefined somewhere)."""
    mase = table.groupby("model", sort=False)["mase"].mean()
    if not np.isfinite(mase.to_numpy(dtype=float)).all():
        return set(table["model"])
    return set(mase[mase <= mase.min() * (1.0 + tolerance)].index.astype(str))


def winners(table: pd.DataFrame, models: set[str] | None = None) -> dict[str, str]:
    """Per node of a backtest table, the model (of ``models``, default all) with the lowest MASE
    (RMSE where MASE is undefined)."""
    out: dict[str, str] = {}
    if models is not None:
        table = table[table["model"].isin(models)]
    for node, grp in table.groupby("node", sort=False):
        col = "mase" if np.isfinite(grp["mase"].to_numpy(dtype=float)).all() else "rmse"
        out[str(node)] = str(grp.loc[grp[col].idxmin(), "model"])
    return out


def pick_models(
    nodes: Sequence[str], table: pd.DataFrame, forced: str, available: Sequence[str]
) -> dict[str, str]:
    """The model shown at each node (module docstring); ``available``: models with forecasts."""
    if forced != "best":
        use = forced if forced in available else "lstm"
        return dict.fromkeys(nodes, use)
    won = winners(table, contenders(table)) if not table.empty else {}
    counts = pd.Series(list(won.values()), dtype=object).value_counts()
    fallback = str(counts.index[0]) if len(counts) else "lstm"
    return {n: won.get(n, fallback) for n in nodes}


def choice_verdict(table: pd.DataFrame, picks: Mapping[str, str], forced: str) -> str:
    """Plain words: how often each model was chosen, and the LSTM against the best baseline per
    node (the non-LSTM model with the lowest MASE there)."""
    counts = pd.Series(list(picks.values()), dtype=object).value_counts()
    shown = ", ".join(f"{m} at {c}" for m, c in counts.items())
    total = len(picks)
    if forced != "best" and set(picks.values()) <= {forced}:
        head = f"Shown: {forced} at every node, as chosen (the backtest winner is not used)."
    elif forced != "best":
        head = (
            f"{forced} is not available for this run (the statistical models and their "
            f"combination run up to {MAX_STAT_NODES} nodes with a backtest); shown: {shown}."
        )
    else:
        head = (
            f"Shown per node, the backtest winner by MASE among the level's contenders: {shown} of "
            f"{total} node(s)."
        )
    if table.empty or "lstm" not in set(table["model"]):
        return head
    beat = 0
    nodes = 0
    for _, grp in table.groupby("node", sort=False):
        col = "mase" if np.isfinite(grp["mase"].to_numpy(dtype=float)).all() else "rmse"
        by = grp.set_index("model")[col]
        rest = by.drop(index=[m for m in ("lstm", COMBO) if m in by.index])
        if rest.empty:
            continue
        nodes += 1
        beat += int(by["lstm"] < rest.min())
    return head + (
        f" The LSTM ensemble beat the best baseline of the node at {beat} of {nodes} node(s)."
    )


def point_forecasts(
    panel: Panel,
    lstm: np.ndarray,
    future_covariate: np.ndarray,
    season: int,
    partners: Mapping[str, str],
) -> dict[str, np.ndarray]:
    """Every model's forecast ``(nodes, horizon)`` from each node's whole history.

    Args:
        panel: the modelled nodes.
        lstm: the LSTM ensemble's median ``(nodes, horizon)``.
        future_covariate: the planned spend of the forecast periods ``(nodes, horizon)``.
        season: season length.
        partners: node -> statistical model of its ``combo`` (from the backtest); with none the
            statistical models and ``combo`` are left out.
    """
    n, h = lstm.shape
    out: dict[str, np.ndarray] = {"lstm": lstm}
    for name in BASELINE_NAMES:
        values = np.empty((n, h))
        for start in np.unique(panel.start):
            grp = np.flatnonzero(panel.start == start)
            values[grp] = baseline_matrix(name, panel.target[grp, start:], h, season)
        out[name] = values
    out["rate_naive"] = rate_naive_matrix(panel.target, panel.covariate, future_covariate)
    if partners:
        for name in STAT_NAMES:
            out[name] = np.stack(
                [
                    stat_models.forecast(name, panel.target[i, panel.start[i] :], h, season)
                    for i in range(n)
                ]
            )
        partner = np.stack(
            [out[partners.get(node, STAT_NAMES[0])][i] for i, node in enumerate(panel.nodes)]
        )
        out[COMBO] = 0.5 * (lstm + partner)
    return out


@dataclass(frozen=True)
class Calibrated:
    """Per model: its conformal calibration (None for a model the backtest did not score)."""

    calibrations: dict[str, conformal.Calibration | None]
    level: float


def calibrations(errors: Mapping[str, np.ndarray], scales: np.ndarray, level: float) -> Calibrated:
    """One calibration per model from the backtest errors (nodes, cut-offs, steps)."""
    return Calibrated(
        {name: conformal.calibrate(e, scales, level) for name, e in errors.items()}, level
    )


def model_frames(
    nodes: Sequence[str],
    periods: Sequence[str],
    points: Mapping[str, np.ndarray],
    cal: Calibrated,
    scales: np.ndarray,
) -> pd.DataFrame:
    """``DataFrame[node, period, step, model, median, lower, upper]`` of every model; the bounds
    are NaN for a model without a calibration."""
    h = len(periods)
    parts = []
    for name, point in points.items():
        c = cal.calibrations.get(name)
        if c is not None and np.isfinite(c.quantiles).all():
            lo, hi = conformal.bounds(point, scales, c)
        else:
            lo = hi = np.full_like(point, np.nan)
        parts.append(
            pd.DataFrame(
                {
                    "node": np.repeat(np.asarray(nodes, dtype=object), h),
                    "period": np.tile(np.asarray(periods, dtype=object), len(nodes)),
                    "step": np.tile(np.arange(1, h + 1), len(nodes)),
                    "model": name,
                    "median": point.reshape(-1),
                    "lower": lo.reshape(-1),
                    "upper": hi.reshape(-1),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[MODEL_FORECAST_COLUMNS]


def chosen_frame(models: pd.DataFrame, picks: Mapping[str, str]) -> pd.DataFrame:
    """The rows of ``model_frames`` output of each node's chosen model, in node then step order."""
    pick = models["node"].map(picks)
    order = {n: i for i, n in enumerate(dict.fromkeys(models["node"]))}
    rows = models[models["model"] == pick]
    rows = rows.assign(_order=rows["node"].map(order)).sort_values(
        ["_order", "step"], kind="stable"
    )
    return rows.drop(columns="_order").reset_index(drop=True)
