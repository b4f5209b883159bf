"""Glue from a rollup to the frames the forecasting core takes (no forecasting import here).

- ``series_for_level``: the per-period variance (target) and planned spend (covariate) of every
  node of one level, long format.
- ``future_plan_for_level``: the plan ahead of the loaded portfolio summed to that level's nodes.
- ``hierarchy_edges``: the ``DataFrame[node, parent]`` edge list (the root's parent is ``""``).

The tree is modelled once (`portfolio.tree.Tree`): a caller asking for several levels builds it
with `tree_of(rolled)` and passes it to each function. "The nodes of level L" means a complete cut
of the tree: every node at depth L plus every ragged leaf that ends above L. Without the short
branches, bottom-up forecasts at the parents would miss their spend, and a parent would no longer
equal the sum of the forecast nodes below it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from portfolio.tree import ROOT, Tree, path_id, tree_of

if TYPE_CHECKING:
    from portfolio.load import Portfolio


def cut_nodes(rolled: pd.DataFrame, level: int, tree: Tree | None = None) -> list[str]:
    """The nodes at ``level`` plus the ragged leaves that end above it (a complete cut of the tree).

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        level: 0 for the whole portfolio, 1 for the top level, and so on.
        tree: The rollup's tree (``portfolio.tree.tree_of(rolled)``), when the caller has it.

    Returns:
        Node ids in rollup order.

    Raises:
        InputError: When the portfolio has no such level.
    """
    tree = tree_of(rolled) if tree is None else tree
    return tree.ids[tree.cut(level)].tolist()


def series_for_level(rolled: pd.DataFrame, level: int, tree: Tree | None = None) -> pd.DataFrame:
    """Per-period variance and planned spend of every node of the cut at ``level``.

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        level: 0 for the whole portfolio, 1 for the top level, and so on.
        tree: The rollup's tree (``portfolio.tree.tree_of(rolled)``), built once by a caller that
            asks for several levels.

    Returns:
        ``DataFrame[node, period, variance, planned]`` sorted by node then period.

    Raises:
        InputError: When the portfolio has no such level.
    """
    cut = cut_nodes(rolled, level, tree)
    rows = rolled.loc[rolled["node"].isin(cut), ["node", "period", "variance", "planned"]]
    return rows.sort_values(["node", "period"], kind="stable").reset_index(drop=True)


def future_plan_for_level(
    p: Portfolio, rolled: pd.DataFrame, level: int, tree: Tree | None = None
) -> pd.DataFrame:
    """The plan ahead (``Portfolio.future_plan``) summed to the nodes of the cut at ``level``.

    Args:
        p: The loaded portfolio.
        rolled: Its rollup (names the nodes of the level).
        level: 0 for the whole portfolio, 1 for the top level, and so on.
        tree: The rollup's tree, when the caller has it.

    Returns:
        ``DataFrame[node, period, planned]`` sorted by node then period; empty when there is
        no plan ahead.
    """
    cut = cut_nodes(rolled, level, tree)
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


def hierarchy_edges(rolled: pd.DataFrame, tree: Tree | None = None) -> pd.DataFrame:
    """Every node and its parent (the root's parent is ``""``), in rollup order."""
    return (tree_of(rolled) if tree is None else tree).edges()
