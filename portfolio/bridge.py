"""Glue from a rollup to the frames the forecasting core takes (no forecasting import here).

- ``series_for_level``: the per-period variance (target) and planned spend (covariate) of every
  node of one level, long format.
- ``future_plan_for_level``: the plan ahead of the loaded portfolio summed to that level's nodes.
- ``hierarchy_edges``: the ``DataFrame[node, parent]`` edge list (the root's parent is ``""``).

"The nodes of level L" means a complete cut of the tree: every node at depth L plus every ragged
leaf that ends above L. Without the short branches, bottom-up forecasts at the parents would miss
their spend, and a parent would no longer equal the sum of the forecast nodes below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from portfolio.errors import InputError
from portfolio.rollup import ROOT, path_id

if TYPE_CHECKING:
    from portfolio.load import Portfolio


def _check_level(rolled: pd.DataFrame, level: int) -> None:
    levels = sorted(set(rolled["level"].tolist()))
    if level not in levels:
        raise InputError(
            f"There is no level {level} in this portfolio; the levels are "
            f"{', '.join(str(v) for v in levels)} (0 is the whole portfolio)."
        )


def cut_nodes(rolled: pd.DataFrame, level: int) -> list[str]:
    """The nodes at ``level`` plus the ragged leaves that end above it (a complete cut of the tree).

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        level: 0 for the whole portfolio, 1 for the top level, and so on.

    Returns:
        Node ids in rollup order.
    """
    _check_level(rolled, level)
    nodes = rolled.drop_duplicates("node")[["node", "level", "parent"]]
    is_parent = nodes["node"].isin(set(nodes["parent"]))
    keep = (nodes["level"] == level) | ((nodes["level"] < level) & ~is_parent)
    return nodes.loc[keep, "node"].tolist()


def series_for_level(rolled: pd.DataFrame, level: int) -> pd.DataFrame:
    """Per-period variance and planned spend of every node of the cut at ``level``.

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        level: 0 for the whole portfolio, 1 for the top level, and so on.

    Returns:
        ``DataFrame[node, period, variance, planned]`` sorted by node then period.

    Raises:
        InputError: When the portfolio has no such level.
    """
    cut = set(cut_nodes(rolled, level))
    rows = rolled.loc[rolled["node"].isin(cut), ["node", "period", "variance", "planned"]]
    return rows.sort_values(["node", "period"], kind="stable").reset_index(drop=True)


def future_plan_for_level(p: Portfolio, rolled: pd.DataFrame, level: int) -> pd.DataFrame:
    """The plan ahead (``Portfolio.future_plan``) summed to the nodes of the cut at ``level``.

    Args:
        p: The loaded portfolio.
        rolled: Its rollup (names the nodes of the level).
        level: 0 for the whole portfolio, 1 for the top level, and so on.

    Returns:
        ``DataFrame[node, period, planned]`` sorted by node then period; empty when there is
        no plan ahead.
    """
    cut = set(cut_nodes(rolled, level))
    columns = ["node", "period", "planned"]
    plan = p.future_plan
    if plan is None or plan.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c == "planned" else "str") for c in columns}
        )
    # One id per distinct path (not per row): the ids are built exactly as the rollup builds them.
    paths = plan[list(p.levels[:level])].astype("str").fillna("") if level else None
    if paths is None:
        node = pd.Series(ROOT, index=plan.index, dtype="str")
    else:
        codes, uniques = pd.MultiIndex.from_frame(paths).factorize()
        ids = np.array([path_id(tuple(u)) for u in uniques], dtype=object)
        node = pd.Series(ids[codes], index=plan.index, dtype="str")
    frame = pd.DataFrame(
        {
            "node": node,
            "period": plan["period"].astype("str"),
            "planned": plan["planned"].astype(float),
        }
    )
    frame = frame[frame["node"].isin(cut)]
    summed = frame.groupby(["node", "period"], sort=True, as_index=False)["planned"].sum()
    return summed.reset_index(drop=True)[columns]


def hierarchy_edges(rolled: pd.DataFrame) -> pd.DataFrame:
    """Every node and its parent (the root's parent is ``""``), in rollup order."""
    edges = rolled[["node", "parent"]].drop_duplicates("node")
    return edges.reset_index(drop=True)
