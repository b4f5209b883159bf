"""Drift outlook: where each node's cumulative drift is heading and when it would cross a band.

From the history (per-period variance and planned flows) and the forecast member paths, each node
gets its cumulative position now and at the end of the horizon, the first future period in which
its projected cumulative variance % reaches the amber or red band, and the share of the sample
paths whose cumulative drift reaches each band within the horizon. ``run_forecast`` passes the paths
of the calibrated predictive distribution (the shown forecast plus every scaled backtest residual
path, see ``forecasting.conformal``), so ``p_amber`` / ``p_red`` are calibrated probabilities; the
raw LSTM members are used only where no backtest exists to calibrate on. The inputs are checked
and shaped in ``forecasting.outlook_inputs``.

Rules (matching the alert rule of the portfolio core):

- Percentages are fractions in the table (0.12 = 12 %), compared with ``amber_pct`` / ``red_pct``
  given in percent.
- A period is "in the band" when ``|cum variance %| * 100 >= threshold`` (``direction="both"``) or
  ``cum variance % * 100 >= threshold`` (``direction="overrun"``), and ``|cum variance| >= floor``.
  Where the cumulative plan is 0 the percentage is undefined (NaN in the table), and any variance
  beyond the floor (an overrun for ``"overrun"``) counts as red: unplanned spend.
- ``first_amber_period`` is the first future period at or beyond amber (so it is also set when the
  node is already amber or red and stays there); ``status_now`` tells the two cases apart.
- The point path is the given point forecast (the coherent bottom-up median) when passed, else the
  member median per step.
- Future planned flow: taken from ``future_planned`` where given; for any node and period it does
  not cover (or when it is None), the planned flow is held at its average over the last season of
  history (12 months, 4 quarters, 1 year), a neutral "the plan keeps its recent pace" assumption;
  a negative average (the plan was cut: a re-forecast lowered) is held at 0, so the plan stays
  where it is rather than being cut again each period.
  The ``planned_source`` column says where the plan ahead came from: ``plan`` (the file's),
  ``assumed`` (the forecast's own assumption where the file gives none, as its ``planned_source``
  column says: the last season repeated, or a plan of levels held where it stands), ``held``
  (the rule just above) or ``mixed`` (more than one of these over the horizon).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from forecasting.errors import ForecastError
from forecasting.outlook_inputs import (
    future_plan,
    member_paths,
    numeric,
    point_path,
    position_now,
)
from forecasting.tables import require_columns

OUTLOOK_COLUMNS = (
    "node",
    "cum_planned_now",
    "cum_variance_now",
    "cum_variance_pct_now",
    "status_now",
    "projected_cum_planned",
    "projected_cum_variance",
    "projected_cum_variance_pct",
    "projected_cum_actual",
    "status_end",
    "first_amber_period",
    "first_red_period",
    "p_amber",
    "p_red",
    "planned_source",
)


@dataclass(frozen=True)
class OutlookBands:
    """The alert bands a drift outlook is read against (the portfolio's alert rule, as numbers).

    Attributes:
        amber_pct: amber threshold in percent of the cumulative plan.
        red_pct: red threshold in percent (>= ``amber_pct``).
        floor: minimum |cumulative variance| (currency) before a node counts as in a band.
        direction: ``both`` (|drift|) or ``overrun`` (overspend only).
    """

    amber_pct: float = 10.0
    red_pct: float = 30.0
    floor: float = 0.0
    direction: Literal["both", "overrun"] = "both"

    def __post_init__(self) -> None:
        if self.direction not in ("both", "overrun"):
            raise ForecastError(f"Direction must be 'both' or 'overrun' (got '{self.direction}').")
        if not 0.0 <= self.amber_pct <= self.red_pct:
            raise ForecastError(
                f"The amber threshold ({self.amber_pct} %) must be between 0 and the red "
                f"threshold ({self.red_pct} %)."
            )
        if not self.floor >= 0.0:
            raise ForecastError(f"The floor must be 0 or more (got {self.floor}).")


def _in_band(
    cum_var: np.ndarray, cum_plan: np.ndarray, threshold: float, bands: OutlookBands
) -> np.ndarray:
    """Boolean array: cumulative position at or beyond ``threshold`` percent (rules above)."""
    overrun = bands.direction == "overrun"
    planned = cum_plan != 0.0
    pct = cum_var / np.where(planned, cum_plan, 1.0) * 100.0
    drift = pct if overrun else np.abs(pct)
    unplanned = cum_var > 0.0 if overrun else cum_var != 0.0
    hit = np.where(planned, drift >= threshold, unplanned)
    return hit & (np.abs(cum_var) >= bands.floor)


def _statuses(cum_var: np.ndarray, cum_plan: np.ndarray, bands: OutlookBands) -> np.ndarray:
    status = np.full(cum_var.shape, "green", dtype=object)
    status[_in_band(cum_var, cum_plan, bands.amber_pct, bands)] = "amber"
    status[_in_band(cum_var, cum_plan, bands.red_pct, bands)] = "red"
    return status


def _pct(cum_var: np.ndarray, cum_plan: np.ndarray) -> np.ndarray:
    safe = np.where(cum_plan != 0.0, cum_plan, 1.0)
    return np.where(cum_plan != 0.0, cum_var / safe, np.nan)


def _first_period(hit: np.ndarray, periods: np.ndarray) -> list[str | None]:
    """Per row of ``hit[n, steps]``: the period of the first True, or None."""
    first = np.argmax(hit, axis=1)
    rows = np.arange(hit.shape[0])
    return [str(periods[i, first[i]]) if hit[i].any() else None for i in rows]


def drift_outlook(
    history: pd.DataFrame,
    members: pd.DataFrame,
    future_planned: pd.DataFrame | None = None,
    *,
    bands: OutlookBands | None = None,
    point: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Project each node's cumulative drift over the forecast horizon.

    Args:
        history: ``DataFrame[node, period, variance, planned]`` per-period flows up to the cut-off.
        members: ``DataFrame[node, period, step, member, value]`` forecast variance paths (one
            per ensemble member) for every node to assess.
        future_planned: ``DataFrame[node, period, planned]`` over the horizon, or None (see the
            module docstring for the hold rule).
        bands: the alert bands (default ``OutlookBands()``: 10 % / 30 %, no floor, both ways).
        point: optional ``DataFrame[node, period, step, median | value]`` point forecast.

    Returns:
        One row per node with the columns ``OUTLOOK_COLUMNS``; ``first_*_period`` is None when the
        band is not reached within the horizon; ``p_amber`` / ``p_red`` are shares in [0, 1].

    Raises:
        ForecastError: missing columns, bad thresholds, nodes without history, gaps in the paths.
    """
    bands = bands or OutlookBands()
    require_columns(history, ["node", "period", "variance", "planned"], "history")
    require_columns(members, ["node", "period", "step", "member", "value"], "member paths")

    hist = history.assign(node=history["node"].astype(str), period=history["period"].astype(str))
    hist = hist.assign(
        variance=numeric(hist, "variance", "history"), planned=numeric(hist, "planned", "history")
    ).sort_values(["node", "period"])
    mem = members.assign(node=members["node"].astype(str), period=members["period"].astype(str))
    mem = mem.assign(value=numeric(mem, "value", "member paths"))

    nodes = list(dict.fromkeys(mem["node"]))
    cum_plan_now, cum_var_now, held = position_now(hist, nodes)
    paths, steps, has_member, periods = member_paths(mem, nodes)
    point_steps = point_path(point, nodes, steps, paths)
    plan_future, source = future_plan(future_planned, nodes, periods, held)
    p = _Projection(
        nodes=nodes,
        cum_plan_now=cum_plan_now,
        cum_var_now=cum_var_now,
        cum_plan=cum_plan_now[:, None] + np.cumsum(plan_future, axis=1),
        cum_var_point=cum_var_now[:, None] + np.cumsum(point_steps, axis=1),
        cum_var_members=cum_var_now[:, None, None] + np.cumsum(paths, axis=1),
        has_member=has_member,
        periods=periods,
        source=source,
    )
    return _outlook_table(p, bands)


@dataclass(frozen=True)
class _Projection:
    """Per node: cumulative plan and variance now, cumulative plan, point and member variance per
    step, which members exist, the period labels and the plan's source."""

    nodes: list[str]
    cum_plan_now: np.ndarray
    cum_var_now: np.ndarray
    cum_plan: np.ndarray
    cum_var_point: np.ndarray
    cum_var_members: np.ndarray
    has_member: np.ndarray
    periods: np.ndarray
    source: np.ndarray


def _outlook_table(p: _Projection, bands: OutlookBands) -> pd.DataFrame:
    """The outlook's rows (``OUTLOOK_COLUMNS``) from the projected positions."""
    firsts: dict[str, list[str | None]] = {}
    shares: dict[str, np.ndarray] = {}
    for band, thr in (("amber", bands.amber_pct), ("red", bands.red_pct)):
        firsts[band] = _first_period(_in_band(p.cum_var_point, p.cum_plan, thr, bands), p.periods)
        hit_m = _in_band(p.cum_var_members, p.cum_plan[:, :, None], thr, bands)
        shares[band] = (hit_m.any(axis=1) & p.has_member).sum(axis=1) / p.has_member.sum(axis=1)
    end_plan = p.cum_plan[:, -1]
    end_var = p.cum_var_point[:, -1]
    return pd.DataFrame(
        {
            "node": p.nodes,
            "cum_planned_now": p.cum_plan_now,
            "cum_variance_now": p.cum_var_now,
            "cum_variance_pct_now": _pct(p.cum_var_now, p.cum_plan_now),
            "status_now": _statuses(p.cum_var_now, p.cum_plan_now, bands),
            "projected_cum_planned": end_plan,
            "projected_cum_variance": end_var,
            "projected_cum_variance_pct": _pct(end_var, end_plan),
            "projected_cum_actual": end_plan + end_var,
            "status_end": _statuses(end_var, end_plan, bands),
            "first_amber_period": pd.Series(firsts["amber"], dtype=object),
            "first_red_period": pd.Series(firsts["red"], dtype=object),
            "p_amber": shares["amber"],
            "p_red": shares["red"],
            "planned_source": p.source,
        },
        columns=list(OUTLOOK_COLUMNS),
    )


def crossing_table(outlook: pd.DataFrame) -> pd.DataFrame:
    """The nodes projected to be at or beyond amber (or red) within the horizon, soonest first.

    Args:
        outlook: the frame returned by ``drift_outlook``.

    Returns:
        The matching rows, sorted by the first amber period, then red before amber-only, then by
        the probability of reaching red and amber (highest first).
    """
    require_columns(
        outlook, ["node", "first_amber_period", "first_red_period", "p_red", "p_amber"], "outlook"
    )
    amber = outlook["first_amber_period"].notna()
    red = outlook["first_red_period"].notna()
    sel = outlook[amber | red].copy()
    first = sel["first_amber_period"].where(
        sel["first_amber_period"].notna(), sel["first_red_period"]
    )
    sel["_first"] = first.astype(str)
    sel["_no_red"] = sel["first_red_period"].isna()
    sel = sel.sort_values(
        ["_first", "_no_red", "p_red", "p_amber", "node"],
        ascending=[True, True, False, False, True],
        kind="stable",
    )
    return sel.drop(columns=["_first", "_no_red"]).reset_index(drop=True)
