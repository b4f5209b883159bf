"""The drift outlook's inputs checked and shaped: each node's position now and its plan held at
its last season, the member paths as an array, the point path and the future plan (the rules are
in ``forecasting.outlook``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.baselines import season_from_periods
from forecasting.errors import ForecastError
from forecasting.tables import require_columns


def numeric(frame: pd.DataFrame, column: str, what: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        nodes = frame.loc[bad, "node"].astype(str).unique()[:5]
        raise ForecastError(
            f"The {what} table has missing or non-numeric '{column}' values for: "
            f"{', '.join(nodes)}."
        )
    return values


def position_now(hist: pd.DataFrame, nodes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative plan and variance to date per node, and the plan held at its last season's mean
    flow, not below 0: a plan cut in the last season (a re-forecast's budget lowered) stays where
    it is instead of being cut again every period, which drove projected plans to 0 and their
    variance % to thousands (NYC's capital budgets)."""
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
    return cum_plan_now, cum_var_now, np.maximum(held, 0.0)


def member_paths(
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


def point_path(
    point: pd.DataFrame | None, nodes: list[str], steps: np.ndarray, paths: np.ndarray
) -> np.ndarray:
    """The given point forecast per node and step, else the member median."""
    median = np.nanmedian(paths, axis=2)
    if point is None:
        return median
    col = "median" if "median" in point.columns else "value"
    require_columns(point, ["node", "step", col], "point forecast")
    pt = pd.DataFrame(
        {
            "node": point["node"].astype(str),
            "step": pd.to_numeric(point["step"], errors="coerce"),
            "point": numeric(point, col, "point forecast"),
        }
    ).drop_duplicates(["node", "step"], keep="last")
    given = (
        pt.pivot(index="node", columns="step", values="point")
        .reindex(index=nodes, columns=steps)
        .to_numpy(dtype=np.float64)
    )
    return np.where(np.isfinite(given), given, median)


def future_plan(
    future_planned: pd.DataFrame | None,
    nodes: list[str],
    periods: np.ndarray,
    held: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Planned flow per node and step (the plan where given, else held) and its source per node:
    a cell found in ``future_planned`` takes its ``planned_source`` (``plan`` when the column is
    absent), a cell not found is ``held``; a node whose cells differ is ``mixed``."""
    n_nodes, n_steps = periods.shape
    plan_future = np.full((n_nodes, n_steps), np.nan)
    cell = np.full((n_nodes, n_steps), "held", dtype=object)
    if future_planned is not None:
        require_columns(future_planned, ["node", "period", "planned"], "future plan")
        fp = pd.DataFrame(
            {
                "node": future_planned["node"].astype(str),
                "period": future_planned["period"].astype(str),
                "planned": numeric(future_planned, "planned", "future plan"),
                "source": future_planned["planned_source"].astype(object)
                if "planned_source" in future_planned
                else "plan",
            }
        ).drop_duplicates(["node", "period"], keep="last")
        keys = pd.DataFrame(
            {
                "node": np.repeat(np.asarray(nodes, dtype=object), n_steps),
                "period": periods.reshape(-1).astype(str),
            }
        )
        looked_up = keys.merge(fp, on=["node", "period"], how="left")
        plan_future = looked_up["planned"].to_numpy(dtype=np.float64).reshape(n_nodes, n_steps)
        found = np.isfinite(plan_future)
        sources = looked_up["source"].to_numpy(dtype=object).reshape(n_nodes, n_steps)
        cell = np.where(found, sources, cell)
    same = (cell == cell[:, :1]).all(axis=1) if n_steps else np.ones(n_nodes, dtype=bool)
    source = np.where(same, cell[:, 0] if n_steps else "held", "mixed")
    return np.where(np.isfinite(plan_future), plan_future, held[:, None]), source
