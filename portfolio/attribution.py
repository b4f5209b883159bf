"""Drift attribution: how much each child (or leaf) contributes to a node's variance.

The rollup adds a parent's planned and actual from its children, so a parent's variance is
exactly the sum of its children's, in every period and to date; the contributions need no model.
A :class:`Window` says which variance:

- ``to_date``: the cumulative variance at ``period`` (the last period when None);
- ``period``: the variance in ``period`` alone;
- ``change``: the change of the cumulative variance from the end of ``since`` to the end of
  ``period`` (the last period when None), which is the sum of the variances after ``since``.

Every table has the columns ``node, child, variance, share`` (``share = variance / the node's
variance``, empty where the node's variance is 0), largest contribution first: the shares of a
node's children add up to 1. With ``leaves=True`` the rows are the leaves under the node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from portfolio.errors import InputError
from portfolio.node_ids import did_you_mean
from portfolio.tree import ROOT, Tree, tree_of

ATTRIBUTION_COLUMNS = ("node", "child", "variance", "share")
KINDS = ("to_date", "period", "change")


@dataclass(frozen=True)
class Window:
    """Which variance to attribute (see the module docstring)."""

    kind: Literal["to_date", "period", "change"] = "to_date"
    period: str | None = None
    since: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InputError(f"The window must be one of {', '.join(KINDS)}, got {self.kind!r}.")
        if self.kind == "change" and self.since is None:
            raise InputError("A change between two periods needs its start period (since).")

    def describe(self, last: str) -> str:
        """The window in words, e.g. 'to date at 2025-12'."""
        end = self.period or last
        if self.kind == "period":
            return f"in {end}"
        if self.kind == "change":
            return f"change from {self.since} to {end}"
        return f"to date at {end}"


def _periods(rolled: pd.DataFrame) -> list[str]:
    return sorted(rolled["period"].astype(str).unique().tolist())


def _known(period: str, periods: Sequence[str], what: str) -> None:
    if period not in periods:
        raise InputError(
            f"The {what} {period!r} is not a period of this file; its periods run from "
            f"{periods[0]} to {periods[-1]}.",
            column="period",
        )


def window_variance(rolled: pd.DataFrame, window: Window) -> pd.Series:
    """The variance of every node over ``window``, indexed by node id.

    Raises:
        InputError: A period that is not in the file, or a start not before the end.
    """
    periods = _periods(rolled)
    end = window.period or periods[-1]
    _known(end, periods, "period")
    at_end = rolled.loc[rolled["period"] == end].set_index("node")
    if window.kind == "period":
        return at_end["variance"].astype(np.float64)
    if window.kind == "to_date":
        return at_end["cum_variance"].astype(np.float64)
    since = str(window.since)
    _known(since, periods, "start period")
    if not since < end:
        raise InputError(
            f"The start period {since} must come before the end period {end} "
            "(the change is measured from the end of the start period to the end of the end "
            "period)."
        )
    at_start = rolled.loc[rolled["period"] == since].set_index("node")["cum_variance"]
    return (at_end["cum_variance"] - at_start.reindex(at_end.index)).astype(np.float64)


def _node(tree: Tree, node: str) -> int:
    """The index of `node` in the tree, or an error with an example of a node id."""
    index = tree.index_of(node)
    if index is None:
        example = tree.ids[tree.offsets[tree.max_depth]]
        hint = did_you_mean(node, tree.ids.tolist())
        raise InputError(
            f"There is no node {node!r} in this portfolio.{hint} Node ids are paths from the top "
            f"level, such as {example!r}; the whole portfolio is {ROOT!r}.",
            column="node",
        )
    return index


def _table(node: str, children: pd.Series, total: float) -> pd.DataFrame:
    values = children.to_numpy(dtype=np.float64)
    share = values / total if total != 0 else np.full(len(values), np.nan)
    frame = pd.DataFrame(
        {
            "node": pd.array([node] * len(values), dtype="str"),
            "child": pd.array(children.index.astype(str), dtype="str"),
            "variance": values,
            "share": share,
        }
    )
    order = np.lexsort((frame["child"].to_numpy(), -np.abs(values)))
    return frame.iloc[order].reset_index(drop=True)


def attribute(
    rolled: pd.DataFrame, node: str, window: Window | None = None, *, leaves: bool = False
) -> pd.DataFrame:
    """Each child's (or leaf's) contribution to ``node``'s variance over ``window``.

    Args:
        rolled: A rollup.
        node: The node id (``All`` for the whole portfolio).
        window: Which variance; to date at the last period by default.
        leaves: Attribute to the leaves under the node instead of its children.

    Returns:
        ``DataFrame[node, child, variance, share]``, largest |variance| first.

    Raises:
        InputError: An unknown node, a leaf without ``leaves``, or a bad window.
    """
    window = window or Window()
    tree = tree_of(rolled)
    index = _node(tree, node)
    variance = window_variance(rolled, window)
    if leaves:
        members = tree.ids[tree.leaves_under(index)].tolist()
    else:
        members = tree.ids[tree.children(index)].tolist()
        if not members:
            raise InputError(
                f"{node!r} is an item at the bottom of the hierarchy: it has no children to "
                "attribute its variance to.",
                column="node",
            )
    return _table(node, variance.reindex(members), float(variance[node]))


def drill_down(rolled: pd.DataFrame, node: str, window: Window | None = None) -> pd.DataFrame:
    """Follow the largest contributor from ``node`` down to a leaf, one row per step.

    At each step the child that adds most in the direction of its parent's variance (the largest
    share; the largest |variance| when the parent's variance is 0) is followed.

    Returns:
        ``DataFrame[node, child, variance, share]``: each step's parent, the child followed,
        the child's variance and its share of its parent's; empty when ``node`` is a leaf.
    """
    window = window or Window()
    tree = tree_of(rolled)
    index = _node(tree, node)
    variance = window_variance(rolled, window)
    steps = []
    current = node
    while len(children := tree.children(index)):
        table = _table(current, variance.reindex(tree.ids[children]), float(variance[current]))
        key = table["share"] if table["share"].notna().any() else table["variance"].abs()
        best = table.loc[key.idxmax()]
        steps.append(best)
        current = str(best["child"])
        index = int(children[np.flatnonzero(tree.ids[children] == current)[0]])
    if not steps:
        return _table(node, variance.iloc[:0], 0.0)
    return pd.DataFrame(steps).reset_index(drop=True).astype({"variance": float, "share": float})


def top_contributors(
    rolled: pd.DataFrame, parents: Sequence[str], window: Window | None = None, *, n: int = 3
) -> pd.DataFrame:
    """The ``n`` children of each parent that add most to its variance (largest share first;
    children exactly on plan are not listed).

    Args:
        rolled: A rollup.
        parents: Node ids; leaves among them are left out (they have no children).
        window: Which variance; to date at the last period by default.
        n: How many children per parent.

    Returns:
        ``DataFrame[node, child, variance, share]`` in the order of ``parents``.
    """
    window = window or Window()
    variance = window_variance(rolled, window)
    tree = tree_of(rolled)
    keep = np.isin(tree.parent_ids(), list(set(parents)))
    child_ids, parent_ids = tree.ids[keep], tree.parent_ids()[keep]
    total = variance.reindex(parent_ids).to_numpy(dtype=np.float64)
    values = variance.reindex(child_ids).to_numpy(dtype=np.float64)
    share = np.full(len(values), np.nan)
    np.divide(values, total, out=share, where=total != 0)
    frame = pd.DataFrame(
        {
            "node": pd.array(parent_ids.astype(object), dtype="str"),
            "child": pd.array(child_ids.astype(object), dtype="str"),
            "variance": values,
            "share": share,
        }
    )
    rank = pd.Series({p: i for i, p in enumerate(dict.fromkeys(parents))})
    # Where the parent's variance is 0 (no share), the children are ranked by their size instead.
    scale = max(float(np.abs(values).max()), 1.0) if len(values) else 1.0
    key = np.where(np.isnan(share), np.abs(values) / scale, share)
    frame = frame.assign(_p=frame["node"].map(rank).to_numpy(), _k=-key)
    frame = frame.sort_values(["_p", "_k", "child"], kind="stable")
    frame = frame[frame["variance"] != 0]  # a child on plan contributes nothing to list
    top = frame.groupby("_p", sort=False).head(max(int(n), 1))
    return top.drop(columns=["_p", "_k"]).reset_index(drop=True)
