"""Coherent forecasts across the hierarchy: bottom-up sums and OLS / WLS / MinT reconciliation.

The hierarchy arrives as an edge list ``DataFrame[node, parent]`` (the root's parent is ``""``,
missing or absent). It may be ragged: leaves can sit at different depths.

Bottom-up (the default shown everywhere): the modelled nodes keep their own forecasts; every
ancestor of them gets, member by member, the sum of its children (member ``m`` of a parent = sum of
member ``m`` of its children). The ancestor's point forecast is the sum of its children's point
forecasts, so the totals add up exactly; its band is taken from the quantiles of the member-wise
sums. An ancestor only sums the nodes handed in: pass a complete cut of the tree (see
``cut_nodes``) when parent totals must cover everything beneath them.

Reconciliation (optional) starts from base forecasts at several levels at once and returns the
closest coherent set in the sense of Wickramasuriya, Athanasopoulos & Hyndman (2019):
``y~ = S G y^`` with ``G = (S' W^-1 S)^-1 S' W^-1``, where ``S`` maps the bottom series to every
series and ``W`` is the identity (``ols``), the number of bottom series under each node (``wls``,
structural scaling) or the shrunk covariance of the base forecast errors (``mint``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from forecasting.errors import ForecastError

log = logging.getLogger(__name__)

_MEMBER_KEYS = ("period", "step", "member")
_FORECAST_COLUMNS = ["node", "period", "step", "median", "lower", "upper"]


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(map(str, frame.columns)) or "none"
        raise ForecastError(
            f"The {what} table is missing the column(s) {', '.join(missing)} (it has: {have})."
        )


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _parent_map(edges: pd.DataFrame) -> dict[str, str | None]:
    """Node -> parent (None for a root), with duplicates and cycles rejected."""
    _require(edges, ["node", "parent"], "hierarchy")
    parents: dict[str, str | None] = {}
    for pos, (node, parent) in enumerate(zip(edges["node"], edges["parent"], strict=True)):
        if _is_blank(node):
            raise ForecastError(f"The hierarchy table has a blank node at row {pos + 1}.")
        key = str(node)
        value = None if _is_blank(parent) else str(parent)
        if value == key:
            raise ForecastError(f"Node '{key}' is listed as its own parent.")
        if key in parents and parents[key] != value:
            raise ForecastError(
                f"Node '{key}' has two parents in the hierarchy: '{parents[key]}' and '{value}'."
            )
        parents[key] = value
    for parent in list(parents.values()):
        if parent is not None and parent not in parents:
            parents[parent] = None
    for start in parents:
        seen = {start}
        current = parents[start]
        while current is not None:
            if current in seen:
                raise ForecastError(f"The hierarchy has a cycle through node '{current}'.")
            seen.add(current)
            current = parents.get(current)
    return parents


def ancestors_map(edges: pd.DataFrame) -> dict[str, list[str]]:
    """Every node's ancestors, nearest first.

    Args:
        edges: ``DataFrame[node, parent]``; the root's parent is blank.

    Returns:
        ``{node: [parent, grandparent, ..., root]}`` for every node named in ``edges`` (a root maps
        to ``[]``).

    Raises:
        ForecastError: missing columns, a node with two parents, or a cycle.
    """
    parents = _parent_map(edges)
    out: dict[str, list[str]] = {}
    for node in parents:
        chain: list[str] = []
        current = parents[node]
        while current is not None:
            chain.append(current)
            current = parents[current]
        out[node] = chain
    return out


def _children(parents: Mapping[str, str | None]) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = {}
    for node, parent in parents.items():
        if parent is not None:
            kids.setdefault(parent, []).append(node)
    return kids


def cut_nodes(edges: pd.DataFrame, depth: int) -> list[str]:
    """The nodes that partition the tree at a depth: nodes at ``depth`` plus shallower leaves.

    In a ragged hierarchy some branches end above ``depth``; their leaves must be modelled too for
    the bottom-up totals to cover the whole portfolio.

    Args:
        edges: ``DataFrame[node, parent]``.
        depth: 0 for the root, 1 for its children, and so on.

    Returns:
        Node ids sorted by name.
    """
    anc = ancestors_map(edges)
    kids = _children(_parent_map(edges))
    return sorted(
        n for n, a in anc.items() if len(a) == depth or (len(a) < depth and n not in kids)
    )


def summing_matrix(
    edges: pd.DataFrame, bottom_nodes: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """The summing matrix ``S`` that maps bottom series to themselves and all their ancestors.

    Args:
        edges: ``DataFrame[node, parent]``.
        bottom_nodes: the series that are summed (no one of them may be an ancestor of another).
            A node absent from ``edges`` is treated as a top-level series with no ancestors.

    Returns:
        ``(S, all_nodes)``: ``S`` is ``[len(all_nodes), len(bottom_nodes)]`` of 0/1 and
        ``all_nodes`` lists the ancestors (by depth, then name) followed by ``bottom_nodes`` in the
        given order.

    Raises:
        ForecastError: empty or repeated bottom nodes, or one bottom node above another.
    """
    bottom = [str(b) for b in bottom_nodes]
    if not bottom:
        raise ForecastError("There are no forecast series to add up.")
    dupes = sorted({b for b in bottom if bottom.count(b) > 1})
    if dupes:
        raise ForecastError(f"These series are listed more than once: {', '.join(dupes[:5])}.")
    anc = ancestors_map(edges) if len(edges) else {}
    bottom_set = set(bottom)
    clash = [b for b in bottom for a in anc.get(b, []) if a in bottom_set]
    if clash:
        raise ForecastError(
            f"Series '{clash[0]}' lies under another forecast series; the series to add up must "
            "not contain one another (model one level, or a cut of the tree)."
        )
    aggregates = sorted(
        {a for b in bottom for a in anc.get(b, [])}, key=lambda n: (len(anc.get(n, [])), n)
    )
    all_nodes = aggregates + bottom
    row = {n: i for i, n in enumerate(all_nodes)}
    s = np.zeros((len(all_nodes), len(bottom)), dtype=np.float64)
    for j, b in enumerate(bottom):
        s[row[b], j] = 1.0
        for a in anc.get(b, []):
            s[row[a], j] = 1.0
    return s, all_nodes


def _pivot(
    frame: pd.DataFrame, keys: list[str], column: str, nodes: Sequence[str], what: str
) -> tuple[np.ndarray, pd.DataFrame]:
    """Wide matrix ``[len(keys combos), len(nodes)]`` of ``column``; every node needs every key."""
    dup = frame.duplicated(["node", *keys])
    if dup.any():
        first = frame.loc[dup, ["node", *keys]].head(3).to_dict("records")
        raise ForecastError(f"The {what} table has repeated rows, e.g. {first}.")
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any() or not np.isfinite(values.to_numpy(dtype=np.float64)).all():
        bad = frame.loc[~np.isfinite(values.to_numpy(dtype=np.float64)), "node"].unique()[:5]
        raise ForecastError(
            f"The {what} table has missing or non-numeric '{column}' values for: "
            f"{', '.join(map(str, bad))}."
        )
    wide = (
        frame.assign(**{column: values.astype(np.float64)})
        .pivot(index=keys, columns="node", values=column)
        .reindex(columns=list(nodes))
    )
    holes = wide.isna()
    if holes.to_numpy().any():
        short = [str(n) for n in wide.columns[holes.any(axis=0).to_numpy()]][:5]
        raise ForecastError(
            f"The {what} table does not cover the same {'/'.join(keys)} combinations for every "
            f"node; incomplete: {', '.join(short)}."
        )
    return wide.to_numpy(dtype=np.float64), wide.index.to_frame(index=False)


def _unpivot(
    matrix: np.ndarray, index: pd.DataFrame, nodes: Sequence[str], column: str
) -> pd.DataFrame:
    """Long frame ``[node, *keys, column]`` from ``matrix[len(index), len(nodes)]``, node-major."""
    k = len(index)
    out = pd.concat([index] * len(nodes), ignore_index=True)
    out.insert(0, "node", np.repeat(np.asarray(nodes, dtype=object), k))
    out[column] = matrix.T.reshape(-1)
    return out


def bottom_up_members(members: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Add every ancestor of the modelled nodes, member by member.

    Args:
        members: ``DataFrame[node, period, step, member, value]`` for the modelled nodes; every
            node must have the same (period, step, member) combinations.
        edges: ``DataFrame[node, parent]``.

    Returns:
        ``DataFrame[node, period, step, member, value]`` for the modelled nodes and all their
        ancestors; member ``m`` of an ancestor is the sum of member ``m`` of the modelled nodes
        beneath it. Ancestors come first (root first), then the modelled nodes in input order.

    Raises:
        ForecastError: missing columns, repeated or incomplete rows, non-numeric values.
    """
    _require(members, ["node", *_MEMBER_KEYS, "value"], "member paths")
    bottom = list(dict.fromkeys(members["node"].astype(str)))
    s, all_nodes = summing_matrix(edges, bottom)
    frame = members.assign(node=members["node"].astype(str))
    wide, index = _pivot(frame, list(_MEMBER_KEYS), "value", bottom, "member paths")
    return _unpivot(wide @ s.T, index, all_nodes, "value")


def _point_frame(point: pd.DataFrame) -> pd.DataFrame:
    col = "median" if "median" in point.columns else "value"
    _require(point, ["node", "period", "step", col], "point forecast")
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
    _require(members, ["node", "period", "step", "member", "value"], "member paths")
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
    return out[_FORECAST_COLUMNS].reset_index(drop=True)


def bottom_up(
    members: pd.DataFrame, edges: pd.DataFrame, quantiles: tuple[float, float] = (0.1, 0.9)
) -> pd.DataFrame:
    """Coherent forecast frame for the modelled nodes and all their ancestors.

    Modelled nodes: point = member median, band = member quantiles. Ancestors: point = sum of the
    modelled nodes' points beneath them (coherent to rounding), band = quantiles of the
    member-wise sums (widened to include the point if needed, see ``summarise``).

    Args:
        members: ``DataFrame[node, period, step, member, value]`` for the modelled nodes.
        edges: ``DataFrame[node, parent]``.
        quantiles: (lower, upper) band quantiles.

    Returns:
        ``DataFrame[node, period, step, median, lower, upper]``, ancestors first.
    """
    _require(members, ["node", *_MEMBER_KEYS, "value"], "member paths")
    all_members = bottom_up_members(members, edges)
    bottom = list(dict.fromkeys(members["node"].astype(str)))
    s, all_nodes = summing_matrix(edges, bottom)
    medians = (
        all_members[all_members["node"].isin(set(bottom))]
        .groupby(["node", "period", "step"], sort=False)["value"]
        .median()
        .rename("median")
        .reset_index()
    )
    wide, index = _pivot(medians, ["period", "step"], "median", bottom, "point forecast")
    points = _unpivot(wide @ s.T, index, all_nodes, "median")
    out = summarise(all_members, quantiles, point=points)
    order = {n: i for i, n in enumerate(all_nodes)}
    out = out.sort_values(["node", "step"], key=lambda c: c.map(order) if c.name == "node" else c)
    return out.reset_index(drop=True)


def _shrunk_covariance(errors: np.ndarray) -> np.ndarray:
    """Covariance of mean-zero errors shrunk toward its diagonal (Schafer & Strimmer 2005).

    The shrinkage intensity is estimated from the data: the summed variance of the off-diagonal
    sample correlations divided by their summed squares, clipped to [0, 1].
    """
    n = errors.shape[0]
    cov = errors.T @ errors / n
    sd = np.sqrt(np.diag(cov))
    z = errors / sd
    corr = z.T @ z / n
    # variance of each sample correlation, estimated from the products z_i * z_j
    prod_sq = (z**2).T @ (z**2)
    var_corr = (prod_sq - n * corr**2) / (n * (n - 1))
    off = ~np.eye(cov.shape[0], dtype=bool)
    denom = float(np.sum(corr[off] ** 2))
    lam = 1.0 if denom == 0.0 else float(np.clip(np.sum(var_corr[off]) / denom, 0.0, 1.0))
    shrunk = cov * (1.0 - lam)
    shrunk[np.diag_indices_from(shrunk)] = np.diag(cov)
    return shrunk


def _mint_weights(
    residuals: pd.DataFrame | None, nodes: Sequence[str]
) -> tuple[np.ndarray | None, str]:
    """The MinT error covariance, or (None, reason) when the residuals cannot support one."""
    if residuals is None:
        return None, "no backtest errors were given"
    _require(residuals, ["node", "origin", "step", "error"], "forecast errors")
    res = residuals.assign(node=residuals["node"].astype(str))
    res = res[res["node"].isin(set(nodes))]
    missing = sorted(set(nodes) - set(res["node"]))
    if missing:
        return None, f"no errors for {len(missing)} series (e.g. '{missing[0]}')"
    wide = res.pivot_table(index=["origin", "step"], columns="node", values="error", aggfunc="mean")
    wide = wide.reindex(columns=list(nodes)).dropna()
    if len(wide) < 2:
        return None, f"only {len(wide)} complete error observation(s) across all series"
    e = wide.to_numpy(dtype=np.float64)
    if not np.isfinite(e).all():
        return None, "the errors contain infinite values"
    if (np.sum(e**2, axis=0) == 0.0).any():
        return None, "some series have no error at all (zero variance)"
    return _shrunk_covariance(e), ""


def _coverage_gaps(nodes: Sequence[str], edges: pd.DataFrame) -> dict[str, str]:
    """Aggregates among ``nodes`` with a child that no node of ``nodes`` covers, and that child.

    A node is covered when it is in ``nodes`` or all of its children are covered; an aggregate
    is a node of ``nodes`` with another node of ``nodes`` beneath it.
    """
    node_set = set(nodes)
    parents = _parent_map(edges) if len(edges) else {}
    anc = ancestors_map(edges) if len(edges) else {}
    kids = _children(parents)
    above = {a for m in nodes for a in anc.get(m, [])}
    memo: dict[str, bool] = {}

    def covered(node: str) -> bool:
        if node not in memo:
            below = kids.get(node, [])
            memo[node] = node in node_set or (bool(below) and all(covered(c) for c in below))
        return memo[node]

    gaps: dict[str, str] = {}
    for agg in (n for n in nodes if n in above):
        missing = [c for c in kids.get(agg, []) if not covered(c)]
        if missing:
            gaps[agg] = missing[0]
    return gaps


def reconcilable(nodes: Sequence[str], edges: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Split forecast nodes into those that can be reconciled together and those left out.

    When a child has no forecast (a node too short to model), its parent cannot be split over
    its children. That parent is then treated as a bottom series and the forecast nodes beneath
    it are left out of the reconciliation (they keep their own forecasts), so that every level
    above the gap is still reconciled.

    Args:
        nodes: the nodes that have a base forecast.
        edges: ``DataFrame[node, parent]``.

    Returns:
        The nodes to reconcile (in the given order) and, for each node left out, the reason.
    """
    anc = ancestors_map(edges) if len(edges) else {}
    keep = [str(n) for n in nodes]
    left_out: dict[str, str] = {}
    while gaps := _coverage_gaps(keep, edges):
        for agg, child in gaps.items():
            for node in keep:
                if agg in anc.get(node, []) and node not in left_out:
                    left_out[node] = (
                        f"not reconciled: '{agg}' above it has a child with no forecast "
                        f"('{child}'), so its own forecast is shown as modelled"
                    )
        keep = [n for n in keep if n not in left_out]
    return keep, left_out


def reconcile(
    base: pd.DataFrame,
    edges: pd.DataFrame,
    method: Literal["ols", "wls", "mint"] = "ols",
    residuals: pd.DataFrame | None = None,
    *,
    column: str = "value",
) -> pd.DataFrame:
    """Reconcile base forecasts made at several levels into one coherent set.

    The bottom series are the base nodes with no other base node beneath them; every other base
    node must be completely covered by base nodes below it (checked, so that a missing branch is
    reported instead of silently shrinking a total).

    Args:
        base: ``DataFrame[node, period, step, <column>]``, one forecast per node and step; every
            node must have the same (period, step) combinations.
        edges: ``DataFrame[node, parent]``.
        method: ``ols`` (W = I), ``wls`` (W = diag of the number of bottom series under each
            node) or ``mint`` (W = shrunk covariance of the base forecast errors).
        residuals: ``DataFrame[node, origin, step, error]`` (e.g. backtest errors), needed for
            ``mint``. Errors are pooled over origins and steps; only (origin, step) pairs present
            for every node are used. When they cannot support a covariance (none, fewer than two
            complete pairs, a series with zero error), ``mint`` falls back to ``wls`` and logs a
            warning.
        column: name of the value column (``value`` by default; ``median`` for a forecast frame).

    Returns:
        ``DataFrame[node, period, step, <column>]`` for the same nodes, coherent: every aggregate
        equals the sum of the bottom series beneath it.

    Raises:
        ForecastError: unknown method, missing columns, incomplete coverage or rows.
    """
    if method not in ("ols", "wls", "mint"):
        raise ForecastError(f"Unknown reconciliation method '{method}'. Choose ols, wls or mint.")
    _require(base, ["node", "period", "step", column], "base forecast")
    frame = base.assign(node=base["node"].astype(str))
    nodes = list(dict.fromkeys(frame["node"]))
    gaps = _coverage_gaps(nodes, edges)
    if gaps:
        agg, child = next(iter(gaps.items()))
        raise ForecastError(
            f"Cannot reconcile '{agg}': no base forecast covers its child '{child}'."
        )
    anc = ancestors_map(edges) if len(edges) else {}
    above = {a for m in nodes for a in anc.get(m, [])}
    bottom = [n for n in nodes if n not in above]
    s_full, all_nodes = summing_matrix(edges, bottom)
    position = {n: i for i, n in enumerate(all_nodes)}
    s = s_full[[position[n] for n in nodes]]
    y, index = _pivot(frame, ["period", "step"], column, nodes, "base forecast")

    w: np.ndarray | None = None
    if method == "mint":
        w, reason = _mint_weights(residuals, nodes)
        if w is None:
            log.warning("MinT reconciliation fell back to WLS: %s.", reason)
            method = "wls"
    if method == "ols":
        w_inv_s = s
    elif method == "wls":
        w_inv_s = s / s.sum(axis=1, keepdims=True)
    else:
        assert w is not None
        try:
            w_inv_s = np.linalg.solve(w, s)
        except np.linalg.LinAlgError:
            w_inv_s = np.linalg.pinv(w) @ s
    # G = (S' W^-1 S)^-1 S' W^-1, applied to y (columns = nodes) as y @ G'
    gram = s.T @ w_inv_s
    g = np.linalg.solve(gram, w_inv_s.T)
    reconciled = (y @ g.T) @ s.T
    out = _unpivot(reconciled, index, nodes, column)
    return out
