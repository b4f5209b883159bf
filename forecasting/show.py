"""What a trained run shows: the chosen model per node, its calibrated band, the tree, the paths.

Everything here comes after training: the backtest's errors, the final ensemble's paths and every
model's point forecast on the whole history are all it needs. So a finished run can be shown
again with another model or another nominal level (``pipeline.reshow``) in under a second, without
training or refitting anything; :class:`RunParts` keeps what that takes.

Steps: the backtest's band columns at the nominal level (:func:`at_level`: each model's
leave-one-cut-off-out coverage and width; the errors and scores do not depend on it), the chosen
model's calibrated forecast of the modelled nodes (``calibrated.modelled``), the tree
(``forecast_cover.cover``), then the shown forecast with its predictive paths (:func:`assemble`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from forecasting import calibrated
from forecasting.backtest import BacktestStage
from forecasting.backtest_scores import band_scores, summarise_backtest
from forecasting.choice import ChoiceSettings
from forecasting.forecast_cover import Cover, Covered, cover
from forecasting.forecast_nodes import Prepared
from forecasting.forecast_predict import Predicted
from forecasting.outlook import OutlookBands
from forecasting.plan_ahead import ASSUMED_CELLS, PLAN_CELLS, source_words

FORECAST_COLUMNS = [
    "node",
    "period",
    "step",
    "median",
    "lower",
    "upper",
    "planned",
    "planned_source",
    "model",
    "lstm_median",
    "spread_lower",
    "spread_upper",
]


@dataclass(frozen=True)
class RunParts:
    """What a run keeps to be shown again: its prepared input, backtest, final paths, the
    reconciliation and outlook bands it was asked for, the automatic settings' note and, once
    made, every model's point forecast (so that showing it again refits no statistical model)."""

    prep: Prepared
    bt: BacktestStage
    pred: Predicted
    reconcile: Literal["ols", "wls", "mint"] | None
    bands: OutlookBands | None
    note: str
    points: Mapping[str, np.ndarray] | None = None  # every model's final point forecast


def at_level(bt: BacktestStage, level: float) -> BacktestStage:
    """The backtest with every model's ``coverage`` and ``width`` at the nominal ``level``."""
    result = bt.result
    if result is None or bt.table.empty:
        return bt
    table = bt.table.copy()
    for name, (coverage, width) in band_scores(result.errors, result.scales, level).items():
        rows = (table["model"] == name).to_numpy()
        if rows.any():  # the table lists a model's nodes in the order of its errors
            table.loc[rows, "coverage"] = coverage
            table.loc[rows, "width"] = width
    summary = summarise_backtest(table)
    return replace(
        bt, table=table, summary=summary, result=replace(result, table=table, summary=summary)
    )


def _with_spread(forecast: pd.DataFrame, spread: pd.DataFrame) -> pd.DataFrame:
    """Add the LSTM's median and members' spread beside the shown forecast; where the shown model
    has no calibrated band (no backtest), the LSTM's own spread is its band."""
    lstm = spread.rename(
        columns={"median": "lstm_median", "lower": "spread_lower", "upper": "spread_upper"}
    )[["node", "period", "step", "lstm_median", "spread_lower", "spread_upper"]]
    out = forecast.merge(lstm, on=["node", "period", "step"], how="left")
    no_band = out["lower"].isna() & out["model"].isin(["lstm", "bottom-up"])
    out.loc[no_band, "lower"] = out.loc[no_band, "spread_lower"]
    out.loc[no_band, "upper"] = out.loc[no_band, "spread_upper"]
    return out


def assemble(covered: Covered) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shown forecast (``FORECAST_COLUMNS``) and the predictive paths behind the outlook."""
    planned = covered.planned.assign(
        planned_source=source_words(covered.planned[ASSUMED_CELLS], covered.planned[PLAN_CELLS])
    )
    forecast = _with_spread(covered.forecast, covered.band).merge(
        planned, on=["node", "period"], how="left"
    )[FORECAST_COLUMNS]
    predictive = calibrated.predictive_members(forecast, covered.node_cal)
    uncalibrated = covered.paths[~covered.paths["node"].isin(set(predictive["node"]))]
    return forecast, pd.concat([predictive, uncalibrated], ignore_index=True)


def modelled_cover(parts: RunParts, pick: ChoiceSettings) -> tuple[calibrated.Modelled, Covered]:
    """The chosen model's calibrated forecast of the modelled nodes, carried over the tree."""
    prep, pred, bt = parts.prep, parts.pred, parts.bt
    mod = calibrated.modelled(
        calibrated.ModelledInputs(
            prep.work,
            bt.result,
            np.median(pred.values, axis=0),
            pred.plan,
            prep.season,
            pred.periods,
            pick,
            parts.points,
        )
    )
    base = Covered(
        forecast=mod.chosen.drop(columns="model").assign(model=mod.chosen["model"]),
        paths=pred.paths,
        node_cal=dict(mod.node_cal),
        planned=pred.planned,
        history=pred.history,
    )
    how = Cover(
        prep.tree,
        parts.reconcile,
        bt.result,
        mod.picks,
        prep.work.nodes,
        prep.settings.quantiles,
        pick.interval,
    )
    return mod, cover(base, how)
