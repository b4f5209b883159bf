"""Bottom-up forecasts: member paths summed up the tree, and the median and band per node.

The modelled nodes keep their own forecasts; every ancestor of them gets, member by member, the
sum of its children (member ``m`` of a parent = sum of member ``m`` of its children). The
ancestor's point forecast is the sum of its children's point forecasts, so the totals add up
exactly; its band is taken from the quantiles of the member-wise sums. An ancestor only sums the
nodes handed in: pass a complete cut of the tree (see ``forecasting.tree.cut_nodes``) when parent
totals must cover everything beneath them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.errors import ForecastError
from forecasting.tables import pivot_wide, require_columns, unpivot_long
from forecasting.tree import Hierarchy, as_hierarchy, summing_matrix

MEMBER_KEYS = ("period", "step", "member")
FORECAST_COLUMNS = ["node", "period", "step", "median", "lower", "upper"]


def bottom_up_members(members: pd.DataFrame, edges: pd.DataFrame | Hierarchy) -> pd.DataFrame:
    """Add every ancestor of the modelled nodes, member by member.

    Args:
        members: ``DataFrame[node, period, step, member, value]`` for the modelled nodes; every
            node must have the same (period, step, member) combinations.
        edges: ``DataFrame[node, parent]`` or a built :class:`~forecasting.tree.Hierarchy`.

    Returns:
        ``DataFrame[node, period, step, member, value]`` for the modelled nodes and all their
        ancestors; member ``m`` of an ancestor is the sum of member ``m`` of the modelled nodes
        beneath it. Ancestors come first (root first), then the modelled nodes in input order.

    Raises:
        ForecastError: missing columns, repeated or incomplete rows, non-numeric values.
    """
    require_columns(members, ["node", *MEMBER_KEYS, "value"], "member paths")
    bottom = list(dict.fromkeys(members["node"].astype(str)))
    s, all_nodes = summing_matrix(edges, bottom)
    frame = members.assign(node=members["node"].astype(str))
    wide, index = pivot_wide(frame, list(MEMBER_KEYS), "value", bottom, "member paths")
    return unpivot_long(wide @ s.T, index, all_nodes, "value")


def _point_frame(point: pd.DataFrame) -> pd.DataFrame:
    col = "median" if "median" in point.columns else "value"
    require_columns(point, ["node", "period", "step", col], "point forecast")
    dup = point.duplicated(["node", "period", "step"])
    if dup.any():
        first = point.loc[dup, ["node", "period", "step"]].head(3).to_dict("records")
        raise ForecastError(f"The point forecast table has repeated rows, e.g. {first}.")
    return point[["node", "period", "step", col]].rename(columns={col: "point"})


def summarise(
    members: pd.DataFrame,
    quantiles: tuple[float, float] = (0.1, 0.9),
    point: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Turn member paths into a forecast frame: median and band per node and step.

    Args:
        members: ``DataFrame[node, period, step, member, value]``.
        quantiles: (lower, upper) quantiles of the members for the band, 0 <= lower < upper <= 1.
        point: optional ``DataFrame[node, period, step, median | value]`` that replaces the
            member median where given (used for ancestors, whose point is the sum of their
            children's points).

    Returns:
        ``DataFrame[node, period, step, median, lower, upper]``. Where an external point falls
        outside the members' band, the band is widened to include it, so that a chart never shows
        a point forecast outside its own band.

    Raises:
        ForecastError: missing columns or bad quantiles.
    """
    require_columns(members, ["node", "period", "step", "member", "value"], "member paths")
    lo, hi = (float(q) for q in quantiles)
    if not 0.0 <= lo < hi <= 1.0:
        raise ForecastError(
            f"The band quantiles must satisfy 0 <= lower < upper <= 1 (got {lo}, {hi})."
        )
    grouped = members.groupby(["node", "period", "step"], sort=False)["value"]
    out = pd.DataFrame(
        {
            "median": grouped.median(),
            "lower": grouped.quantile(lo),
            "upper": grouped.quantile(hi),
        }
    ).reset_index()
    if point is not None:
        pts = _point_frame(point)
        out = out.merge(pts, on=["node", "period", "step"], how="left", validate="one_to_one")
        given = out["point"].notna()
        out.loc[given, "median"] = out.loc[given, "point"]
        out["lower"] = np.minimum(out["lower"], out["median"])
        out["upper"] = np.maximum(out["upper"], out["median"])
        out = out.drop(columns="point")
    return out[FORECAST_COLUMNS].reset_index(drop=True)


def bottom_up(
    members: pd.DataFrame,
    edges: pd.DataFrame | Hierarchy,
    quantiles: tuple[float, float] = (0.1, 0.9),
) -> pd.DataFrame:
    """Coherent forecast frame for the modelled nodes and all their ancestors.

    Modelled nodes: point = member median, band = member quantiles. Ancestors: point = sum of the
    modelled nodes' points beneath them (coherent to rounding), band = quantiles of the
    member-wise sums (widened to include the point if needed, see ``summarise``).

    Args:
        members: ``DataFrame[node, period, step, member, value]`` for the modelled nodes.
        edges: ``DataFrame[node, parent]`` or a built :class:`~forecasting.tree.Hierarchy`.
        quantiles: (lower, upper) band quantiles.

    Returns:
        ``DataFrame[node, period, step, median, lower, upper]``, ancestors first.
    """
    require_columns(members, ["node", *MEMBER_KEYS, "value"], "member paths")
    tree = as_hierarchy(edges)
    all_members = bottom_up_members(members, tree)
    bottom = list(dict.fromkeys(members["node"].astype(str)))
    s, all_nodes = summing_matrix(tree, bottom)
    medians = (
        all_members[all_members["node"].isin(set(bottom))]
        .groupby(["node", "period", "step"], sort=False)["value"]
        .median()
        .rename("median")
        .reset_index()
    )
    wide, index = pivot_wide(medians, ["period", "step"], "median", bottom, "point forecast")
    points = unpivot_long(wide @ s.T, index, all_nodes, "median")
    out = summarise(all_members, quantiles, point=points)
    order = {n: i for i, n in enumerate(all_nodes)}
    out = out.sort_values(["node", "step"], key=lambda c: c.map(order) if c.name == "node" else c)
    return out.reset_index(drop=True)
