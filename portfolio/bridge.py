"""Glue from a rollup to the frames the forecasting core takes (no forecasting import here).

- ``series_for_level``: the per-period variance (target) and planned spend (covariate) of every
  node of one level, long format.
- ``future_plan_for_level``: the plan ahead of the loaded portfolio summed to that level's nodes.
- ``hierarchy_edges``: the ``DataFrame[node, parent]`` edge list (the root's parent is ``""``).

A ragged leaf above the chosen level has no node at that level, so it is in neither frame (its
spend is still in every ancestor's series).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from portfolio.errors import InputError
from portfolio.rollup import ROOT, SEP

if TYPE_CHECKING:
    from portfolio.load import Portfolio


def _check_level(rolled: pd.DataFrame, level: int) -> None:
    levels = sorted(set(rolled["level"].tolist()))
    if level not in levels:
        raise InputError(
            f"There is no level {level} in this portfolio; the levels are "
            f"{', '.join(str(v) for v in levels)} (0 is the whole portfolio)."
        )


def series_for_level(rolled: pd.DataFrame, level: int) -> pd.DataFrame:
    """Per-period variance and planned spend of every node at ``level``.

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        level: 0 for the whole portfolio, 1 for the top level, and so on.

    Returns:
        ``DataFrame[node, period, variance, planned]`` sorted by node then period.

    Raises:
        InputError: When the portfolio has no such level.
    """
    _check_level(rolled, level)
    rows = rolled.loc[rolled["level"] == level, ["node", "period", "variance", "planned"]]
    return rows.sort_values(["node", "period"], kind="stable").reset_index(drop=True)


def future_plan_for_level(p: Portfolio, rolled: pd.DataFrame, level: int) -> pd.DataFrame:
    """The plan ahead (``Portfolio.future_plan``) summed to the nodes of ``level``.

    Args:
        p: The loaded portfolio.
        rolled: Its rollup (names the nodes of the level).
        level: 0 for the whole portfolio, 1 for the top level, and so on.

    Returns:
        ``DataFrame[node, period, planned]`` sorted by node then period; empty when there is
        no plan ahead.
    """
    _check_level(rolled, level)
    columns = ["node", "period", "planned"]
    plan = p.future_plan
    if plan is None or plan.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c == "planned" else "str") for c in columns}
        )
    if level == 0:
        node = pd.Series(ROOT, index=plan.index, dtype="str")
        keep = np.ones(len(plan), dtype=bool)
    else:
        parts = [plan[c].astype("str").fillna("") for c in p.levels[:level]]
        keep = (parts[-1] != "").to_numpy()
        node = parts[0]
        for part in parts[1:]:
            node = node + SEP + part
    frame = pd.DataFrame(
        {
            "node": node[keep],
            "period": plan["period"][keep].astype("str"),
            "planned": plan["planned"][keep].astype(float),
        }
    )
    known = set(rolled.loc[rolled["level"] == level, "node"])
    frame = frame[frame["node"].isin(known)]
    summed = frame.groupby(["node", "period"], sort=True, as_index=False)["planned"].sum()
    return summed.reset_index(drop=True)[columns]


def hierarchy_edges(rolled: pd.DataFrame) -> pd.DataFrame:
    """Every node and its parent (the root's parent is ``""``), in rollup order."""
    edges = rolled[["node", "parent"]].drop_duplicates("node")
    return edges.reset_index(drop=True)
