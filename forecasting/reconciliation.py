"""Reconciliation of base forecasts made at several levels: OLS, WLS and MinT.

Starting from base forecasts at several levels at once, ``reconcile`` returns the closest
coherent set in the sense of Wickramasuriya, Athanasopoulos & Hyndman (2019):
``y~ = S G y^`` with ``G = (S' W^-1 S)^-1 S' W^-1``, where ``S`` maps the bottom series to every
series and ``W`` is the identity (``ols``), the number of bottom series under each node (``wls``,
structural scaling) or the shrunk covariance of the base forecast errors (``mint``).
``reconcilable`` splits off the nodes under a node with a child that has no forecast.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from forecasting.errors import ForecastError
from forecasting.tables import pivot_wide, require_columns, unpivot_long
from forecasting.tree import Hierarchy, as_hierarchy, summing_matrix

log = logging.getLogger(__name__)

Method = Literal["ols", "wls", "mint"]


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
    require_columns(residuals, ["node", "origin", "step", "error"], "forecast errors")
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


def _coverage_gaps(nodes: Sequence[str], tree: Hierarchy) -> dict[str, str]:
    """Aggregates among ``nodes`` with a child that no node of ``nodes`` covers, and that child.

    A node is covered when it is in ``nodes`` or all of its children are covered; an aggregate
    is a node of ``nodes`` with another node of ``nodes`` beneath it.
    """
    node_set = set(nodes)
    above = {a for m in nodes for a in tree.ancestors_of(m)}
    memo: dict[str, bool] = {}

    def covered(node: str) -> bool:
        if node not in memo:
            below = tree.children_of(node)
            memo[node] = node in node_set or (bool(below) and all(covered(c) for c in below))
        return memo[node]

    gaps: dict[str, str] = {}
    for agg in (n for n in nodes if n in above):
        missing = [c for c in tree.children_of(agg) if not covered(c)]
        if missing:
            gaps[agg] = missing[0]
    return gaps


def reconcilable(
    nodes: Sequence[str], edges: pd.DataFrame | Hierarchy
) -> tuple[list[str], dict[str, str]]:
    """Split forecast nodes into those that can be reconciled together and those left out.

    When a child has no forecast (a node too short to model), its parent cannot be split over
    its children. That parent is then treated as a bottom series and the forecast nodes beneath
    it are left out of the reconciliation (they keep their own forecasts), so that every level
    above the gap is still reconciled.

    Args:
        nodes: the nodes that have a base forecast.
        edges: ``DataFrame[node, parent]`` or a built :class:`~forecasting.tree.Hierarchy`.

    Returns:
        The nodes to reconcile (in the given order) and, for each node left out, the reason.
    """
    tree = as_hierarchy(edges)
    keep = [str(n) for n in nodes]
    left_out: dict[str, str] = {}
    while gaps := _coverage_gaps(keep, tree):
        for agg, child in gaps.items():
            for node in keep:
                if agg in tree.ancestors_of(node) and node not in left_out:
                    left_out[node] = (
                        f"not reconciled: '{agg}' above it has a child with no forecast "
                        f"('{child}'), so its own forecast is shown as modelled"
                    )
        keep = [n for n in keep if n not in left_out]
    return keep, left_out


def _weighted_s(s: np.ndarray, method: Method, w: np.ndarray | None) -> np.ndarray:
    """``W^-1 S`` for the method (``w``: the MinT covariance, only for ``mint``)."""
    if method == "ols":
        return s
    if method == "wls":
        return s / s.sum(axis=1, keepdims=True)
    assert w is not None
    try:
        return np.linalg.solve(w, s)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(w) @ s


def reconcile(
    base: pd.DataFrame,
    edges: pd.DataFrame | Hierarchy,
    method: Method = "ols",
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
        edges: ``DataFrame[node, parent]`` or a built :class:`~forecasting.tree.Hierarchy`.
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
    require_columns(base, ["node", "period", "step", column], "base forecast")
    tree = as_hierarchy(edges)
    frame = base.assign(node=base["node"].astype(str))
    nodes = list(dict.fromkeys(frame["node"]))
    gaps = _coverage_gaps(nodes, tree)
    if gaps:
        agg, child = next(iter(gaps.items()))
        raise ForecastError(
            f"Cannot reconcile '{agg}': no base forecast covers its child '{child}'."
        )
    above = {a for m in nodes for a in tree.ancestors_of(m)}
    bottom = [n for n in nodes if n not in above]
    s_full, all_nodes = summing_matrix(tree, bottom)
    position = {n: i for i, n in enumerate(all_nodes)}
    s = s_full[[position[n] for n in nodes]]
    y, index = pivot_wide(frame, ["period", "step"], column, nodes, "base forecast")

    w: np.ndarray | None = None
    if method == "mint":
        w, reason = _mint_weights(residuals, nodes)
        if w is None:
            log.warning("MinT reconciliation fell back to WLS: %s.", reason)
            method = "wls"
    w_inv_s = _weighted_s(s, method, w)
    # G = (S' W^-1 S)^-1 S' W^-1, applied to y (columns = nodes) as y @ G'
    gram = s.T @ w_inv_s
    g = np.linalg.solve(gram, w_inv_s.T)
    return unpivot_long((y @ g.T) @ s.T, index, nodes, column)
