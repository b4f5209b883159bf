"""Drift outlook: where each node's cumulative drift is heading and when it would cross a band.

From the history (per-period variance and planned flows) and the forecast member paths, each node
gets its cumulative position now and at the end of the horizon, the first future period in which
its projected cumulative variance % reaches the amber or red band, and the share of the sample
paths whose cumulative drift reaches each band within the horizon. ``run_forecast`` passes the paths
of the calibrated predictive distribution (the shown forecast plus every scaled backtest residual
path, see ``forecasting.conformal``), so ``p_amber`` / ``p_red`` are calibrated probabilities; the
raw LSTM members are used only where no backtest exists to calibrate on.

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
  history (12 months, 4 quarters, 1 year), a neutral "the plan keeps its recent pace" assumption.
  The ``planned_source`` column says which rule applied (``plan``, ``held`` or ``mixed``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from forecasting.baselines import season_from_periods
from forecasting.errors import ForecastError

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


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns)) or "none"
        raise ForecastError(
            f"The {what} table is missing the column(s) {', '.join(missing)} (it has: {have})."
        )


def _numeric(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        nodes = frame.loc[bad, "node"].astype(str).unique()[:5]
        raise ForecastError(
            f"The {what} table has missing or non-numeric '{column}' values for: "
            f"{', '.join(nodes)}."
        )
    return values


def _in_band(
    cum_var: np.ndarray, cum_plan: np.ndarray, threshold: float, direction: str, floor: float
) -> np.ndarray:
    """Boolean array: cumulative position at or beyond ``threshold`` percent (rules above)."""
    planned = cum_plan != 0.0
    pct = cum_var / np.where(planned, cum_plan, 1.0) * 100.0
    drift = pct if direction == "overrun" else np.abs(pct)
    unplanned = cum_var > 0.0 if direction == "overrun" else cum_var != 0.0
    hit = np.where(planned, drift >= threshold, unplanned)
    return hit & (np.abs(cum_var) >= floor)


def _statuses(
    cum_var: np.ndarray,
    cum_plan: np.ndarray,
    amber: float,
    red: float,
    direction: str,
    floor: float,
) -> np.ndarray:
    status = np.full(cum_var.shape, "green", dtype=object)
    status[_in_band(cum_var, cum_plan, amber, direction, floor)] = "amber"
    status[_in_band(cum_var, cum_plan, red, direction, floor)] = "red"
    return status


def _pct(cum_var: np.ndarray, cum_plan: np.ndarray) -> np.ndarray:
    safe = np.where(cum_plan != 0.0, cum_plan, 1.0)
    return np.where(cum_plan != 0.0, cum_var / safe, np.nan)


def _first_period(hit: np.ndarray, periods: np.ndarray) -> list[str | None]:
    """Per row of ``hit[n, steps]``: the period of the first True, or None."""
    first = np.argmax(hit, axis=1)
    rows = np.arange(hit.shape[0])
    return [str(periods[i, first[i]]) if hit[i].any() else None for i in rows]


def _position_now(
    hist: pd.DataFrame, nodes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative plan and variance to date per node, and the plan held at its last season."""
    known = set(hist["node"])
    orphans = [n for n in nodes if n not in known]
    if orphans:
        raise ForecastError(
            f"No history for {len(orphans)} forecast node(s), e.g. '{orphans[0]}'; the outlook "
            "needs each node's past variance and plan."
        )
    season = season_from_periods(sorted(hist["period"].unique()))
    by_node = hist.groupby("node", sort=False)
    cum_plan_now = by_node["planned"].sum().reindex(nodes).to_numpy(dtype=np.float64)
    cum_var_now = by_node["variance"].sum().reindex(nodes).to_numpy(dtype=np.float64)
    held = (
        hist.groupby("node", sort=False)
        .tail(season)
        .groupby("node", sort=False)["planned"]
        .mean()
        .reindex(nodes)
        .to_numpy(dtype=np.float64)
    )
    return cum_plan_now, cum_var_now, held


def _member_paths(
    mem: pd.DataFrame, nodes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Paths (nodes, steps, members), the steps, which members exist per node, period labels."""
    mem = mem.assign(step=pd.to_numeric(mem["step"], errors="coerce"))
    if mem["step"].isna().any():
        raise ForecastError("The member paths table has a step that is not a whole number.")
    mem = mem.assign(step=mem["step"].astype(int))
    dup = mem.duplicated(["node", "step", "member"])
    if dup.any():
        node = mem.loc[dup, "node"].iloc[0]
        raise ForecastError(f"Node '{node}': a member has two values for the same step.")
    steps = np.sort(mem["step"].unique())
    member_ids = list(dict.fromkeys(mem["member"]))
    columns = pd.MultiIndex.from_product([steps, member_ids], names=["step", "member"])
    wide = mem.pivot(index="node", columns=["step", "member"], values="value").reindex(
        index=nodes, columns=columns
    )
    paths = wide.to_numpy(dtype=np.float64).reshape(len(nodes), len(steps), len(member_ids))
    # nodes may have different numbers of members, but each member must cover every step
    present = np.isfinite(paths)
    broken = (present.any(axis=1) & ~present.all(axis=1)).any(axis=1)
    if broken.any():
        bad = [n for n, b in zip(nodes, broken, strict=True) if b][:5]
        raise ForecastError(
            "Every member path must cover every forecast step; incomplete paths for: "
            f"{', '.join(bad)}."
        )
    labels = mem.groupby(["node", "step"], sort=False)["period"]
    if (labels.nunique() > 1).any():
        raise ForecastError("The member paths give two different periods for one node and step.")
    periods = (
        labels.first().unstack("step").reindex(index=nodes, columns=steps).to_numpy(dtype=object)
    )
    return paths, steps, present.all(axis=1), periods


def _point_path(
    point: pd.DataFrame | None, nodes: list[str], steps: np.ndarray, paths: np.ndarray
) -> np.ndarray:
    """The given point forecast per node and step, else the member median."""
    point_path = np.nanmedian(paths, axis=2)
    if point is None:
        return point_path
    col = "median" if "median" in point.columns else "value"
    _require(point, ["node", "step", col], "point forecast")
    pt = pd.DataFrame(
        {
            "node": point["node"].astype(str),
            "step": pd.to_numeric(point["step"], errors="coerce"),
            "point": _numeric(point, col, "point forecast"),
        }
    ).drop_duplicates(["node", "step"], keep="last")
    given = (
        pt.pivot(index="node", columns="step", values="point")
        .reindex(index=nodes, columns=steps)
        .to_numpy(dtype=np.float64)
    )
    return np.where(np.isfinite(given), given, point_path)


def _future_plan(
    future_planned: pd.DataFrame | None,
    nodes: list[str],
    periods: np.ndarray,
    held: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Planned flow per node and step (the plan where given, else held) and its source."""
    n_nodes, n_steps = periods.shape
    plan_future = np.full((n_nodes, n_steps), np.nan)
    if future_planned is not None:
        _require(future_planned, ["node", "period", "planned"], "future plan")
        fp = pd.DataFrame(
            {
                "node": future_planned["node"].astype(str),
                "period": future_planned["period"].astype(str),
                "planned": _numeric(future_planned, "planned", "future plan"),
            }
        ).drop_duplicates(["node", "period"], keep="last")
        keys = pd.DataFrame(
            {
                "node": np.repeat(np.asarray(nodes, dtype=object), n_steps),
                "period": periods.reshape(-1).astype(str),
            }
        )
        looked_up = keys.merge(fp, on=["node", "period"], how="left")["planned"]
        plan_future = looked_up.to_numpy(dtype=np.float64).reshape(n_nodes, n_steps)
    from_plan = np.isfinite(plan_future)
    source = np.where(
        from_plan.all(axis=1), "plan", np.where(from_plan.any(axis=1), "mixed", "held")
    )
    return np.where(from_plan, plan_future, held[:, None]), source


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
    amber_pct, red_pct = bands.amber_pct, bands.red_pct
    direction, floor = bands.direction, bands.floor
    _require(history, ["node", "period", "variance", "planned"], "history")
    _require(members, ["node", "period", "step", "member", "value"], "member paths")

    hist = history.assign(node=history["node"].astype(str), period=history["period"].astype(str))
    hist = hist.assign(
        variance=_numeric(hist, "variance", "history"), planned=_numeric(hist, "planned", "history")
    ).sort_values(["node", "period"])
    mem = members.assign(node=members["node"].astype(str), period=members["period"].astype(str))
    mem = mem.assign(value=_numeric(mem, "value", "member paths"))

    nodes = list(dict.fromkeys(mem["node"]))
    cum_plan_now, cum_var_now, held = _position_now(hist, nodes)
    paths, steps, has_member, periods = _member_paths(mem, nodes)
    point_path = _point_path(point, nodes, steps, paths)
    plan_future, source = _future_plan(future_planned, nodes, periods, held)

    cum_plan = cum_plan_now[:, None] + np.cumsum(plan_future, axis=1)
    cum_var_point = cum_var_now[:, None] + np.cumsum(point_path, axis=1)
    cum_var_members = cum_var_now[:, None, None] + np.cumsum(paths, axis=1)

    firsts: dict[str, list[str | None]] = {}
    shares: dict[str, np.ndarray] = {}
    for band, thr in (("amber", amber_pct), ("red", red_pct)):
        firsts[band] = _first_period(
            _in_band(cum_var_point, cum_plan, thr, direction, floor), periods
        )
        hit_m = _in_band(cum_var_members, cum_plan[:, :, None], thr, direction, floor)
        shares[band] = (hit_m.any(axis=1) & has_member).sum(axis=1) / has_member.sum(axis=1)

    end_plan = cum_plan[:, -1]
    end_var = cum_var_point[:, -1]
    out = pd.DataFrame(
        {
            "node": nodes,
            "cum_planned_now": cum_plan_now,
            "cum_variance_now": cum_var_now,
            "cum_variance_pct_now": _pct(cum_var_now, cum_plan_now),
            "status_now": _statuses(
                cum_var_now, cum_plan_now, amber_pct, red_pct, direction, floor
            ),
            "projected_cum_planned": end_plan,
            "projected_cum_variance": end_var,
            "projected_cum_variance_pct": _pct(end_var, end_plan),
            "projected_cum_actual": end_plan + end_var,
            "status_end": _statuses(end_var, end_plan, amber_pct, red_pct, direction, floor),
            "first_amber_period": pd.Series(firsts["amber"], dtype=object),
            "first_red_period": pd.Series(firsts["red"], dtype=object),
            "p_amber": shares["amber"],
            "p_red": shares["red"],
            "planned_source": source,
        },
        columns=list(OUTLOOK_COLUMNS),
    )
    return out


def crossing_table(outlook: pd.DataFrame) -> pd.DataFrame:
    """The nodes projected to be at or beyond amber (or red) within the horizon, soonest first.

    Args:
        outlook: the frame returned by ``drift_outlook``.

    Returns:
        The matching rows, sorted by the first amber period, then red before amber-only, then by
        the share of members reaching red and amber (highest first).
    """
    _require(
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
