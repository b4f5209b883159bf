"""Roll planned and actual cost up the hierarchy to every node and period.

The rollup is vectorised: each level's path is turned into integer node codes once, the rows are
summed into their deepest node with ``np.bincount`` on ``(node, period)`` cells, and every node's
total is pushed up to its parent level by level. Node id strings are built once per node and
repeated by index, never once per row.

Decisions where the design is silent:

- Rounding noise: sums of flows that cancel (for example the differences of a level measure) can
  leave ``1e-10`` where the true figure is 0. Any planned, actual or variance figure whose size is
  below ``1e-9`` times the gross amount behind it (the sum of the absolute values summed into it)
  is snapped to exactly 0, so "planned is 0" and "no variance" stay exact.
- A level value that itself contains ``" / "`` (e.g. an investment called ``Ops / Network``)
  would make two different paths share one node id, so inside node ids (and ``parent``) that
  separator is written ``" ∕ "`` (U+2215, division slash); the ``name`` column keeps the value as
  it is in the file. :func:`path_id` builds an id from level values the same way.
- Totals too large for a float (an overflow to infinity) are refused with an ``InputError``.
- ``variance_pct`` is ``variance / planned`` with the signed planned figure; with a negative plan
  (a credit) the sign of the ratio therefore follows the arithmetic, not the intuition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from portfolio.errors import InputError

if TYPE_CHECKING:
    from portfolio.load import Portfolio

ROOT = "All"
SEP = " / "
ROLLUP_COLUMNS = (
    "node",
    "level",
    "period",
    "planned",
    "actual",
    "variance",
    "variance_pct",
    "cum_planned",
    "cum_actual",
    "cum_variance",
    "cum_variance_pct",
)
OUTPUT_COLUMNS = (*ROLLUP_COLUMNS, "parent", "name")

_SNAP = 1e-9
ESCAPED_SEP = " \u2215 "


def path_id(values: Sequence[str]) -> str:
    """The node id of a path of level values (a blank ends the path), as :func:`rollup` makes it."""
    parts = []
    for value in values:
        if value == "":
            break
        parts.append(str(value).replace(SEP, ESCAPED_SEP))
    return SEP.join(parts) if parts else ROOT


class _Tree:
    """Every node of the hierarchy, in factorize order per depth, plus each row's deepest node.

    Attributes:
        ids: Node id per global node index (object array of str).
        names: Last path element per global node index.
        depth: Depth (level) per global node index; the root is 0.
        parent: Global index of the parent (-1 for the root).
        offsets: ``offsets[d]`` is the first global index of depth ``d``; ``offsets[-1]`` the total.
        row_node: Global index of each row's deepest node.
    """

    def __init__(self, data: pd.DataFrame, levels: Sequence[str]) -> None:
        n_rows = len(data)
        ids: list[np.ndarray] = [np.array([ROOT], dtype=object)]
        names: list[np.ndarray] = [np.array([ROOT], dtype=object)]
        parents: list[np.ndarray] = [np.array([-1], dtype=np.int64)]
        offsets = [0, 1]
        row_node = np.zeros(n_rows, dtype=np.int64)
        prev_code = np.zeros(n_rows, dtype=np.int64)
        prev_ids = ids[0]
        for depth, column in enumerate(levels, start=1):
            val_code, uniques = pd.factorize(data[column], sort=False)
            val_code = np.asarray(val_code, dtype=np.int64)
            uniques = np.asarray(uniques, dtype=object)
            blank = np.flatnonzero(uniques == "")
            present = (val_code >= 0) & (prev_code >= 0)
            if blank.size:
                present &= val_code != blank[0]
            width = max(len(uniques), 1)
            code = np.full(n_rows, -1, dtype=np.int64)
            sub_code, key_uniques = pd.factorize(prev_code[present] * width + val_code[present])
            code[present] = sub_code
            key_uniques = np.asarray(key_uniques, dtype=np.int64)
            parent_local = key_uniques // width
            node_names = uniques[key_uniques % width]
            id_parts = pd.Series(node_names, dtype=object).str.replace(SEP, ESCAPED_SEP)
            id_parts = id_parts.to_numpy(dtype=object)
            node_ids = id_parts if depth == 1 else prev_ids[parent_local] + SEP + id_parts
            ids.append(np.asarray(node_ids, dtype=object))
            names.append(np.asarray(node_names, dtype=object))
            parents.append(parent_local + offsets[-2])
            row_node = np.where(code >= 0, code + offsets[-1], row_node)
            offsets.append(offsets[-1] + len(key_uniques))
            prev_code = code
            prev_ids = ids[-1]
        self.ids = np.concatenate(ids)
        if len(self.ids) and pd.Index(self.ids).has_duplicates:
            dup = pd.Index(self.ids)[pd.Index(self.ids).duplicated()].unique()[:3]
            raise InputError(
                "Two different hierarchy paths give the same node id: "
                + ", ".join(repr(str(d)) for d in dup)
                + ". Rename one of the level values."
            )
        self.names = np.concatenate(names)
        self.parent = np.concatenate(parents)
        self.offsets = offsets
        self.depth = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        self.row_node = row_node


def _period_codes(data: pd.DataFrame, periods: Sequence[str]) -> np.ndarray:
    labels = pd.Index(list(periods), dtype=object)
    if labels.has_duplicates:
        raise InputError("The period calendar lists a period twice.", column="period")
    # Factorize first: the lookup then runs once per distinct label, not once per row.
    row_code, uniques = pd.factorize(data["period"])
    unique_pos = labels.get_indexer(pd.Index(np.asarray(uniques, dtype=object), dtype=object))
    if (unique_pos < 0).any() or (row_code < 0).any():
        bad = [str(u) for u, pos in zip(uniques, unique_pos, strict=True) if pos < 0][:5]
        if (row_code < 0).any():
            bad.append("(blank)")
        raise InputError(
            "Some rows have a period outside the calendar: " + ", ".join(repr(b) for b in bad),
            column="period",
        )
    codes = unique_pos[row_code]
    return np.asarray(codes, dtype=np.int64)


def _push_up(cells: np.ndarray, tree: _Tree) -> None:
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


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    # A huge variance over a tiny plan is +/-inf %, which is what it is (no warning).
    with np.errstate(over="ignore"):
        np.divide(num, den, out=out, where=den != 0)
    return out


@dataclass(frozen=True)
class _Figures:
    """Node x period grids of the rolled-up figures (rows in global node order)."""

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


def _figures(data: pd.DataFrame, tree: _Tree, period_code: np.ndarray, n_periods: int) -> _Figures:
    """Sum the rows into their nodes and push the totals up; snap rounding noise to 0."""
    n_nodes = tree.offsets[-1]
    cell = tree.row_node * n_periods + period_code
    size = n_nodes * n_periods

    def cells(values: np.ndarray) -> np.ndarray:
        out = np.bincount(cell, weights=values, minlength=size).reshape(n_nodes, n_periods)
        _push_up(out, tree)
        return out

    planned_in = data["planned"].to_numpy(dtype=np.float64)
    actual_in = data["actual"].to_numpy(dtype=np.float64)
    planned = cells(planned_in)
    actual = cells(actual_in)
    gross_p = cells(np.abs(planned_in))
    gross_a = cells(np.abs(actual_in))
    _check_finite(gross_p, gross_a)
    cum_gross_p = np.cumsum(gross_p, axis=1)
    cum_gross_a = np.cumsum(gross_a, axis=1)
    cum_planned = _snap(np.cumsum(planned, axis=1), cum_gross_p)
    cum_actual = _snap(np.cumsum(actual, axis=1), cum_gross_a)
    return _Figures(
        planned=_snap(planned, gross_p),
        actual=_snap(actual, gross_a),
        variance=_snap(actual - planned, gross_p + gross_a),
        cum_planned=cum_planned,
        cum_actual=cum_actual,
        cum_variance=_snap(cum_actual - cum_planned, cum_gross_p + cum_gross_a),
    )


def _frame(tree: _Tree, periods: Sequence[str], fig: _Figures) -> pd.DataFrame:
    """The long output frame: level, then node id; each node's periods in calendar order."""
    n_nodes, n_periods = tree.offsets[-1], len(periods)
    order = np.concatenate(
        [
            lo + np.argsort(tree.ids[lo:hi].astype(str), kind="stable")
            for lo, hi in zip(tree.offsets[:-1], tree.offsets[1:], strict=False)
        ]
    )
    parent_ids = np.where(tree.parent >= 0, tree.ids[np.maximum(tree.parent, 0)], "")
    node_arr = pd.array(tree.ids[order], dtype="str")
    parent_arr = pd.array(parent_ids[order].astype(object), dtype="str")
    name_arr = pd.array(tree.names[order], dtype="str")
    period_arr = pd.array(list(periods), dtype="str")
    node_take = np.repeat(np.arange(n_nodes), n_periods)
    period_take = np.tile(np.arange(n_periods), n_nodes)

    def flat(a: np.ndarray) -> np.ndarray:
        return a[order].ravel()

    return pd.DataFrame(
        {
            "node": node_arr.take(node_take),
            "level": np.repeat(tree.depth[order].astype(np.int64), n_periods),
            "period": period_arr.take(period_take),
            "planned": flat(fig.planned),
            "actual": flat(fig.actual),
            "variance": flat(fig.variance),
            "variance_pct": flat(_ratio(fig.variance, fig.planned)),
            "cum_planned": flat(fig.cum_planned),
            "cum_actual": flat(fig.cum_actual),
            "cum_variance": flat(fig.cum_variance),
            "cum_variance_pct": flat(_ratio(fig.cum_variance, fig.cum_planned)),
            "parent": parent_arr.take(node_take),
            "name": name_arr.take(node_take),
        }
    )


def rollup(data: pd.DataFrame, levels: Sequence[str], periods: Sequence[str]) -> pd.DataFrame:
    """Sum planned and actual to every node of the hierarchy at every period of the calendar.

    Args:
        data: One row per (leaf, period): the level columns (str, ``""`` below a ragged leaf),
            ``period`` (a label of ``periods``), ``planned`` and ``actual`` (flows).
        levels: The level columns, top to bottom.
        periods: The full calendar, in order.

    Returns:
        One row per node and period (dense), columns ``ROLLUP_COLUMNS`` then ``parent`` and
        ``name``, sorted by level, node, period. Percentages are fractions, NaN where the
        planned figure is 0.

    Raises:
        InputError: When a row's period is not in the calendar.
    """
    levels = tuple(levels)
    missing = [c for c in (*levels, "period", "planned", "actual") if c not in data.columns]
    if missing:
        raise InputError(f"The rollup needs the column(s) {', '.join(missing)}.", column=missing[0])
    if not periods:
        raise InputError("The period calendar is empty.", column="period")
    tree = _Tree(data, levels)
    period_code = _period_codes(data, periods)
    return _frame(tree, periods, _figures(data, tree, period_code, len(periods)))


def rollup_portfolio(p: Portfolio) -> pd.DataFrame:
    """Roll up a loaded portfolio (see :func:`rollup`)."""
    return rollup(p.data, p.levels, p.periods)
