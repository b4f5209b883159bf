"""The sums of a rollup: every node's planned and actual per period, and their running totals.

Rows are summed into (node, period) cells with ``np.bincount`` and pushed up the tree level by
level. When the amounts' decimal places are known the sums are exact (whole minor units, see
`portfolio.decimals`); otherwise they are floats with the rounding noise snapped to 0.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from portfolio.decimals import decimals_of, widest
from portfolio.errors import InputError
from portfolio.sum_rule import EXACT_LIMIT, Precision
from portfolio.tree import RowTree, Tree

_SNAP = 1e-9


def _push_up(cells: np.ndarray, tree: Tree) -> None:
    """Add every node's totals into its parent, deepest level first (in place)."""
    n_periods = cells.shape[1]
    offs = tree.offsets
    for depth in range(len(offs) - 2, 0, -1):
        lo, hi = offs[depth], offs[depth + 1]
        plo, phi = offs[depth - 1], offs[depth]
        if hi == lo:
            continue
        target = (tree.parent[lo:hi] - plo)[:, None] * n_periods + np.arange(n_periods)
        cells[plo:phi] += np.bincount(
            target.ravel(), weights=cells[lo:hi].ravel(), minlength=(phi - plo) * n_periods
        ).reshape(phi - plo, n_periods)


def _snap(value: np.ndarray, gross: np.ndarray) -> np.ndarray:
    return np.where(np.abs(value) <= _SNAP * gross, 0.0, value)


@dataclass(frozen=True)
class Figures:
    """Node x period grids of the rolled-up figures (rows in the tree's node order)."""

    planned: np.ndarray
    actual: np.ndarray
    variance: np.ndarray
    cum_planned: np.ndarray
    cum_actual: np.ndarray
    cum_variance: np.ndarray


def _check_finite(gross_p: np.ndarray, gross_a: np.ndarray) -> None:
    for label, values in (("planned", gross_p), ("actual", gross_a)):
        if not np.isfinite(values).all() or not np.isfinite(values.sum(axis=1)).all():
            raise InputError(
                f"The {label} amounts are too large to add up (their total overflows); "
                "check the file for amounts with absurd sizes.",
                column=label,
            )
    with np.errstate(over="ignore"):
        together = gross_p.sum(axis=1) + gross_a.sum(axis=1)
    if not np.isfinite(together).all():
        raise InputError(
            "The planned and actual amounts are too large to compare (their totals together "
            "overflow); check the file for amounts with absurd sizes.",
            column="actual",
        )


@dataclass(frozen=True)
class Cells:
    """Sums rows into (node, period) cells of a tree and pushes them up to the root."""

    rows: RowTree
    period_code: np.ndarray
    n_periods: int

    def __call__(self, values: np.ndarray) -> np.ndarray:
        n_nodes = self.rows.tree.size
        cell = self.rows.row_node * self.n_periods + self.period_code
        out = np.bincount(cell, weights=values, minlength=n_nodes * self.n_periods)
        out = out.reshape(n_nodes, self.n_periods)
        _push_up(out, self.rows.tree)
        return out


def _minor_units(
    planned: np.ndarray, actual: np.ndarray, decimals: int | None
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Both amounts in whole minor units (cents for 2 places) and the scale, when every sum of
    them is exact in a float (all partial sums below 2**53); else None."""
    if decimals is None:
        return None
    scale = 10.0**decimals
    with np.errstate(over="ignore", invalid="ignore"):
        p_minor, a_minor = np.rint(planned * scale), np.rint(actual * scale)
        gross = float(np.abs(p_minor).sum()) + float(np.abs(a_minor).sum())
    if not gross < EXACT_LIMIT:
        return None
    return p_minor, a_minor, scale


def _exact_figures(cells: Cells, minor: tuple[np.ndarray, np.ndarray, float]) -> Figures:
    """Sums of whole minor units (exact), divided once by the scale: no rounding noise."""
    p_minor, a_minor, scale = minor
    planned, actual = cells(p_minor), cells(a_minor)
    cum_planned, cum_actual = np.cumsum(planned, axis=1), np.cumsum(actual, axis=1)
    return Figures(
        planned=planned / scale,
        actual=actual / scale,
        variance=(actual - planned) / scale,
        cum_planned=cum_planned / scale,
        cum_actual=cum_actual / scale,
        cum_variance=(cum_actual - cum_planned) / scale,
    )


def _float_figures(
    cells: Cells, planned_in: np.ndarray, actual_in: np.ndarray, decimals: int | None
) -> Figures:
    """Float sums, with noise snapped to 0 and, when known, rounded to the input's places."""
    planned = cells(planned_in)
    actual = cells(actual_in)
    gross_p = cells(np.abs(planned_in))
    gross_a = cells(np.abs(actual_in))
    _check_finite(gross_p, gross_a)
    cum_gross_p = np.cumsum(gross_p, axis=1)
    cum_gross_a = np.cumsum(gross_a, axis=1)
    cum_planned = _snap(np.cumsum(planned, axis=1), cum_gross_p)
    cum_actual = _snap(np.cumsum(actual, axis=1), cum_gross_a)
    fig = Figures(
        planned=_snap(planned, gross_p),
        actual=_snap(actual, gross_a),
        variance=_snap(actual - planned, gross_p + gross_a),
        cum_planned=cum_planned,
        cum_actual=cum_actual,
        cum_variance=_snap(cum_actual - cum_planned, cum_gross_p + cum_gross_a),
    )
    if decimals is None:
        return fig
    return Figures(*(np.round(getattr(fig, f.name), decimals) for f in fields(Figures)))


def precision(data: pd.DataFrame, decimals: int | None) -> Precision:
    """The way `node_figures` sums the ``planned`` and ``actual`` of ``data``."""
    planned_in = data["planned"].to_numpy(dtype=np.float64)
    actual_in = data["actual"].to_numpy(dtype=np.float64)
    if decimals is None:
        decimals = widest(decimals_of(planned_in), decimals_of(actual_in))
    return Precision(decimals, _minor_units(planned_in, actual_in, decimals) is not None)


def node_figures(data: pd.DataFrame, cells: Cells, decimals: int | None) -> Figures:
    """Sum the rows into their nodes and push the totals up (exactly when the places allow)."""
    planned_in = data["planned"].to_numpy(dtype=np.float64)
    actual_in = data["actual"].to_numpy(dtype=np.float64)
    if decimals is None:
        decimals = widest(decimals_of(planned_in), decimals_of(actual_in))
    minor = _minor_units(planned_in, actual_in, decimals)
    if minor is not None:
        return _exact_figures(cells, minor)
    return _float_figures(cells, planned_in, actual_in, decimals)


@dataclass(frozen=True)
class BaselineFigures:
    """Node x period grids of the baseline plan and of actual minus it."""

    baseline: np.ndarray
    baseline_variance: np.ndarray


def baseline_figures(data: pd.DataFrame, cells: Cells, decimals: int | None) -> BaselineFigures:
    """Sum the baseline like the plan (exactly when the places allow) and actual minus it."""
    baseline_in = data["baseline"].to_numpy(dtype=np.float64)
    actual_in = data["actual"].to_numpy(dtype=np.float64)
    if decimals is None:
        decimals = widest(decimals_of(baseline_in), decimals_of(actual_in))
    minor = _minor_units(baseline_in, actual_in, decimals)
    if minor is not None:
        b_minor, a_minor, scale = minor
        baseline, actual = cells(b_minor), cells(a_minor)
        return BaselineFigures(baseline / scale, (actual - baseline) / scale)
    baseline, actual = cells(baseline_in), cells(actual_in)
    gross_b, gross_a = cells(np.abs(baseline_in)), cells(np.abs(actual_in))
    if not np.isfinite(gross_b).all() or not np.isfinite(gross_b.sum(axis=1)).all():
        raise InputError(
            "The baseline amounts are too large to add up (their total overflows); "
            "check the file for amounts with absurd sizes.",
            column="baseline",
        )
    fig = BaselineFigures(
        _snap(baseline, gross_b), _snap(_snap(actual, gross_a) - baseline, gross_b + gross_a)
    )
    if decimals is None:
        return fig
    return BaselineFigures(*(np.round(getattr(fig, f.name), decimals) for f in fields(fig)))
