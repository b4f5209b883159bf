"""The forecast shown: each node's chosen model, its calibrated band, and the predictive paths.

Modelled nodes take their chosen model's point forecast and conformal band (``forecasting.choice``,
``forecasting.conformal``). Ancestors (bottom-up) take the sum of their children's chosen points;
their band is calibrated on their own backtest errors, the sums of the children's errors of the
chosen models (so the children's correlation is kept), scaled by the ancestor's own error scale
(``conformal``; its naive scale before the first cut-off as the reference) and pooled per depth of
the tree (one calibration per level). A depth with too few residual paths for the nominal level
(the root alone has one per cut-off: with 6 cut-offs its 80 % and 95 % bands were both its widest
error) is calibrated on its scaled errors pooled with the modelled nodes' (same normalised scores,
more of them); its own scales still size its band. The LSTM ensemble's median and its members'
run-to-run spread stay beside, as ``lstm_median``, ``spread_lower`` and ``spread_upper``.

Without a backtest there is nothing to calibrate on: the LSTM is shown with its members' spread as
the band, and the verdict says that the band is not calibrated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import choice, conformal, hierarchy
from forecasting.backtest import BacktestResult
from forecasting.windows import Panel

NodeCal = dict[str, tuple[float, conformal.Calibration]]


@dataclass(frozen=True)
class Modelled:
    """The modelled nodes' forecasts: every model's, the chosen rows, picks and calibrations."""

    models: pd.DataFrame
    chosen: pd.DataFrame
    picks: dict[str, str]
    node_cal: NodeCal
    verdict: str
    points: Mapping[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelledInputs:
    """What :func:`modelled` needs (one frozen bundle instead of a long parameter list)."""

    work: Panel
    backtest: BacktestResult | None
    lstm_point: np.ndarray
    future_covariate: np.ndarray
    season: int
    periods: Sequence[str]
    settings: choice.ChoiceSettings
    # every model's point forecast (n, h) when already made: a run shown again refits nothing
    points: Mapping[str, np.ndarray] | None = None


def modelled(inp: ModelledInputs) -> Modelled:
    """Every model's forecast and calibrated band at the modelled nodes, and the chosen one."""
    work, bt = inp.work, inp.backtest
    nodes = list(work.nodes)
    total = len(work.periods)
    partners = dict(bt.combo_partner) if bt is not None else {}
    points = inp.points
    if points is None:
        points = choice.point_forecasts(
            work, inp.lstm_point, inp.future_covariate, inp.season, partners
        )
    reference = conformal.node_scales(work.target, work.start, total)
    level = inp.settings.interval
    if bt is None:
        cal = choice.Calibrated({}, level)
        table = pd.DataFrame(columns=["node", "model", "mase", "rmse"])
    else:
        cal = choice.calibrations(bt.errors, bt.scales, level)
        # in-sample scores (a loaded model's LSTM) neither choose the model nor count as wins
        table = bt.table[~bt.table["model"].isin(bt.in_sample)]
    scales = choice.band_scales(cal, nodes, bt.nodes if bt is not None else (), reference)
    models = choice.model_frames(nodes, inp.periods, points, cal, scales)
    picks = choice.pick_models(nodes, table, inp.settings.model, list(points))
    chosen = choice.chosen_frame(models, picks)
    chosen = chosen.assign(model=chosen["node"].map(picks))
    node_cal: NodeCal = {}
    for i, node in enumerate(nodes):
        c = cal.calibrations.get(picks[node])
        if c is not None and c.count:
            node_cal[node] = (float(scales[picks[node]][i]), c)
    text = choice.choice_verdict(table, picks, inp.settings.model)
    if bt is None:
        text += " Without a backtest the band is the LSTM members' spread, not calibrated."
    else:
        few = sorted({picks[n] for n, (_, c) in node_cal.items() if not c.enough})
        if few:
            text += (
                f" Too few backtest residuals for a {level:.0%} band of {', '.join(few)}: its "
                "band is the widest error seen and may cover less; use more cut-offs."
            )
    return Modelled(models, chosen, picks, node_cal, text, dict(points))


def _depths(edges: pd.DataFrame | hierarchy.Hierarchy) -> dict[str, int]:
    return {n: len(a) for n, a in hierarchy.ancestors_map(edges).items()}


def _sum_up(
    frame: pd.DataFrame, edges: pd.DataFrame | hierarchy.Hierarchy, value: str, keys: list[str]
) -> pd.DataFrame:
    """Each ancestor's ``value`` as the sum over the given nodes beneath it (ancestors only)."""
    anc = hierarchy.ancestors_map(edges)
    src = frame.assign(_anc=frame["node"].map(lambda n: anc.get(str(n), [])))
    up = src[src["_anc"].map(len) > 0].explode("_anc")
    if up.empty:
        return pd.DataFrame(columns=["node", *keys, value])
    return (
        up.drop(columns="node")
        .rename(columns={"_anc": "node"})
        .groupby(["node", *keys], sort=False, as_index=False)[value]
        .sum()
    )


@dataclass(frozen=True)
class AncestorInputs:
    """What :func:`ancestors` needs."""

    chosen: pd.DataFrame
    picks: Mapping[str, str]
    backtest: BacktestResult | None
    edges: pd.DataFrame | hierarchy.Hierarchy
    history: pd.DataFrame
    level: float


def ancestors(inp: AncestorInputs) -> tuple[pd.DataFrame, NodeCal]:
    """Bottom-up forecast rows of every ancestor with a band calibrated per depth (docstring)."""
    point = _sum_up(inp.chosen, inp.edges, "median", ["period", "step"])
    if point.empty:
        return pd.DataFrame(columns=[*inp.chosen.columns]), {}
    bt = inp.backtest
    hist = inp.history.sort_values(["node", "period"])
    point = point.assign(model="bottom-up", lower=np.nan, upper=np.nan)
    node_cal: NodeCal = {}
    if bt is not None and bt.nodes:
        k, h = bt.errors["lstm"].shape[1:]
        rows = []
        for i, node in enumerate(bt.nodes):
            e = bt.errors[inp.picks.get(node, "lstm")][i]
            for j in range(k):
                rows.append(
                    pd.DataFrame({"node": node, "origin": j, "step": np.arange(h), "e": e[j]})
                )
        errs = _sum_up(pd.concat(rows, ignore_index=True), inp.edges, "e", ["origin", "step"])
        cut = hist[hist["period"] <= bt.origins[0]]
        early = cut.groupby("node")["variance"].apply(lambda v: conformal.node_scale(v.to_numpy()))
        depth = _depths(inp.edges)
        anc_nodes = list(dict.fromkeys(errs["node"]))
        leaf_e = np.stack([bt.errors[inp.picks.get(n, "lstm")][i] for i, n in enumerate(bt.nodes)])
        leaf_ref = early.reindex(list(bt.nodes)).fillna(1.0).to_numpy()
        for d in sorted({depth[n] for n in anc_nodes}):
            group = [n for n in anc_nodes if depth[n] == d]
            sub = errs[errs["node"].isin(group)]
            e3 = (
                sub.pivot_table(index="node", columns=["origin", "step"], values="e")
                .reindex(index=group)
                .to_numpy(dtype=np.float64)
                .reshape(len(group), k, h)
            )
            s_early = early.reindex(group).fillna(1.0).to_numpy()
            cal = conformal.calibrate(e3, s_early, inp.level)
            if not cal.enough:  # the group's paths first, so its rows keep their indices
                both = np.concatenate([e3, leaf_e]), np.concatenate([s_early, leaf_ref])
                cal = conformal.calibrate(*both, inp.level)
            own = conformal.band_scales(cal, np.arange(len(group)), s_early)
            for i, n in enumerate(group):
                node_cal[n] = (float(own[i]), cal)
    for n, (s, cal) in node_cal.items():
        sel = point["node"] == n
        steps = point.loc[sel, "step"].to_numpy(dtype=int) - 1
        half = s * cal.quantiles[steps]
        point.loc[sel, "lower"] = point.loc[sel, "median"].to_numpy() - half
        point.loc[sel, "upper"] = point.loc[sel, "median"].to_numpy() + half
    return point, node_cal


def predictive_members(forecast: pd.DataFrame, node_cal: NodeCal) -> pd.DataFrame:
    """``DataFrame[node, period, step, member, value]``: sample paths of the calibrated predictive
    distribution around each node's shown point (nodes without a calibration are left out)."""
    parts = []
    for node, grp in forecast.groupby("node", sort=False):
        if node not in node_cal:
            continue
        scale, cal = node_cal[str(node)]
        grp = grp.sort_values("step")
        point = grp["median"].to_numpy(dtype=np.float64)[None, :]
        paths = conformal.predictive_paths(point, np.asarray([scale]), cal)[:, 0, :]
        m, h = paths.shape
        parts.append(
            pd.DataFrame(
                {
                    "node": node,
                    "period": np.tile(grp["period"].to_numpy(dtype=object), m),
                    "step": np.tile(grp["step"].to_numpy(), m),
                    "member": np.repeat(np.arange(1, m + 1), h),
                    "value": paths.reshape(-1),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["node", "period", "step", "member", "value"])
    return pd.concat(parts, ignore_index=True)
