"""The modelled nodes' forecast carried over the hierarchy (a stage of ``pipeline.run_forecast``).

Three ways: reconciled (OLS / WLS / MinT over base forecasts made at several levels; the shift of
each node's point moves its band and its LSTM member paths alike), bottom-up (every ancestor of the
modelled nodes as the sum of its members, with a band calibrated per depth), or the modelled nodes
alone when there is no tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from forecasting import calibrated, hierarchy
from forecasting.backtest import BacktestResult
from forecasting.calibrated import NodeCal
from forecasting.plan_ahead import ASSUMED_CELLS, PLAN_CELLS


@dataclass(frozen=True)
class Covered:
    """Forecast rows (the chosen model's), the LSTM members' paths and band, the calibrations per
    node, the plan and history frames, over the nodes covered; ``left_out``: node -> why it was
    left out of the reconciliation."""

    forecast: pd.DataFrame
    paths: pd.DataFrame
    node_cal: NodeCal
    planned: pd.DataFrame
    history: pd.DataFrame
    band: pd.DataFrame = field(default_factory=pd.DataFrame)
    left_out: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cover:
    """How to cover the tree: the tree (None: modelled nodes only), the reconciliation method
    (None: bottom-up), the backtest (its residuals feed MinT, its scores the ancestors' bands),
    each node's shown model, the modelled nodes, the LSTM band's quantiles and the nominal level."""

    tree: hierarchy.Hierarchy | None
    reconcile: Literal["ols", "wls", "mint"] | None
    backtest: BacktestResult | None
    picks: Mapping[str, str]
    nodes: Sequence[str]
    quantiles: tuple[float, float]
    interval: float


def with_ancestors(
    frame: pd.DataFrame, tree: hierarchy.Hierarchy, value_cols: Sequence[str]
) -> pd.DataFrame:
    """Add every ancestor's rows as sums of the given nodes' rows (keys: all non-value columns)."""
    parts = [frame]
    src = frame.assign(_anc=frame["node"].map(lambda n: list(tree.ancestors_of(str(n)))))
    up = src[src["_anc"].map(len) > 0].explode("_anc")
    if not up.empty:
        keys = [c for c in frame.columns if c not in value_cols and c != "node"]
        summed = (
            up.drop(columns="node")
            .rename(columns={"_anc": "node"})
            .groupby(["node", *keys], sort=False, as_index=False)[list(value_cols)]
            .sum()
        )
        parts.insert(0, summed[frame.columns.tolist()])
    return pd.concat(parts, ignore_index=True)


def _reconciled(base: Covered, how: Cover, tree: hierarchy.Hierarchy) -> Covered:
    assert how.reconcile is not None
    forecast = base.forecast
    keep, left_out = hierarchy.reconcilable(how.nodes, tree)
    residuals = None if how.backtest is None else how.backtest.residuals
    rec = hierarchy.reconcile(
        forecast[forecast["node"].isin(keep)], tree, how.reconcile, residuals, column="median"
    )
    delta = forecast.merge(rec, on=["node", "period", "step"], how="left", suffixes=("", "_rec"))
    # Nodes left out of the reconciliation keep their own forecast (a shift of 0).
    delta["median_rec"] = delta["median_rec"].fillna(delta["median"])
    delta["shift"] = delta["median_rec"] - delta["median"]
    shifted_forecast = delta.assign(
        # the same sum for all three keeps lower <= median <= upper exact after rounding
        median=delta["median"] + delta["shift"],
        lower=delta["lower"] + delta["shift"],
        upper=delta["upper"] + delta["shift"],
    )[forecast.columns.tolist()]
    shifted = base.paths.merge(
        delta[["node", "period", "step", "shift"]], on=["node", "period", "step"]
    )
    paths = shifted.assign(value=shifted["value"] + shifted["shift"]).drop(columns="shift")
    return replace(
        base,
        forecast=shifted_forecast,
        paths=paths,
        band=hierarchy.summarise(paths, how.quantiles),
        left_out=dict(left_out),
    )


def _bottom_up(base: Covered, how: Cover, tree: hierarchy.Hierarchy) -> Covered:
    planned = with_ancestors(base.planned, tree, ["planned", ASSUMED_CELLS, PLAN_CELLS])
    history = with_ancestors(base.history, tree, ["variance", "planned"])
    anc, anc_cal = calibrated.ancestors(
        calibrated.AncestorInputs(
            base.forecast, how.picks, how.backtest, tree, history, how.interval
        )
    )
    cols = base.forecast.columns.tolist()
    return replace(
        base,
        forecast=pd.concat([anc[cols], base.forecast], ignore_index=True),
        paths=hierarchy.bottom_up_members(base.paths, tree),
        node_cal={**base.node_cal, **anc_cal},
        planned=planned,
        history=history,
        band=hierarchy.bottom_up(base.paths, tree, how.quantiles),
    )


def cover(base: Covered, how: Cover) -> Covered:
    """``base`` (the modelled nodes' forecast and LSTM paths) over the tree as ``how`` says, with
    the LSTM members' band of every node covered."""
    if how.tree is None:
        return replace(base, band=hierarchy.summarise(base.paths, how.quantiles))
    if how.reconcile is not None:
        return _reconciled(base, how, how.tree)
    return _bottom_up(base, how, how.tree)
