"""Roll planned and actual cost up the hierarchy to every node and period.

The rollup is vectorised: each level's path is turned into integer node codes once (the tree,
`portfolio.tree.build_tree`), the rows are
summed into their deepest node with ``np.bincount`` on ``(node, period)`` cells, and every node's
total is pushed up to its parent level by level. Node id strings are built once per node and
repeated by index, never once per row.

Decisions where the design is silent:

- Exact sums: the amounts have a known number of decimal places (`Portfolio.decimals`, found by
  the loader from the file's text; inferred from the data otherwise, see `portfolio.decimals`).
  They are summed as whole minor units (cents for two places), which a float holds exactly while
  every total stays below 2**53 minor units, and divided once at the end: every planned, actual,
  variance and cumulative figure is the float nearest to the exact decimal result (written
  ``4517914.78``, not ``4517914.779999999``), and "planned is 0" and "no variance" are exact.
- Beyond that size, or with more than `portfolio.decimals.MAX_DECIMALS` places, the sums are plain
  floats: a figure whose size is below ``1e-9`` times the gross amount behind it (the sum of the
  absolute values summed into it) is snapped to exactly 0, and the figures are rounded to the
  input's places when those are known.
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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from portfolio.errors import InputError
from portfolio.rollup_columns import BASELINE_COLUMNS, OUTPUT_COLUMNS, ROLLUP_COLUMNS
from portfolio.rollup_sums import Cells, Figures, baseline_figures, node_figures
from portfolio.tree import ESCAPED_SEP, ROOT, SEP, Tree, build_tree, path_id

if TYPE_CHECKING:
    from portfolio.load import Portfolio

__all__ = [
    "ESCAPED_SEP",
    "OUTPUT_COLUMNS",
    "ROLLUP_COLUMNS",
    "ROOT",
    "SEP",
    "path_id",
    "rollup",
    "rollup_portfolio",
]


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


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(num.shape, np.nan)
    # A huge variance over a tiny plan is +/-inf %, which is what it is (no warning).
    with np.errstate(over="ignore"):
        np.divide(num, den, out=out, where=den != 0)
    return out


def _node_order(tree: Tree) -> np.ndarray:
    """The output order of the nodes: level, then node id."""
    return np.concatenate(
        [
            lo + np.argsort(tree.ids[lo:hi].astype(str), kind="stable")
            for lo, hi in zip(tree.offsets[:-1], tree.offsets[1:], strict=False)
        ]
    )


def _frame(tree: Tree, periods: Sequence[str], fig: Figures) -> pd.DataFrame:
    """The long output frame: level, then node id; each node's periods in calendar order."""
    n_nodes, n_periods = tree.size, len(periods)
    order = _node_order(tree)
    parent_ids = tree.parent_ids()
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


def rollup(
    data: pd.DataFrame,
    levels: Sequence[str],
    periods: Sequence[str],
    *,
    decimals: int | None = None,
) -> pd.DataFrame:
    """Sum planned and actual to every node of the hierarchy at every period of the calendar.

    Args:
        data: One row per (leaf, period): the level columns (str, ``""`` below a ragged leaf),
            ``period`` (a label of ``periods``), ``planned`` and ``actual`` (flows).
        levels: The level columns, top to bottom.
        periods: The full calendar, in order.
        decimals: The amounts' decimal places (`Portfolio.decimals`); inferred from `data`
            when None.

    Returns:
        One row per node and period (dense), columns ``ROLLUP_COLUMNS`` then ``parent`` and
        ``name``, sorted by level, node, period. Percentages are fractions, NaN where the
        planned figure is 0. When ``data`` has a ``baseline`` column (a second, original plan),
        ``baseline`` and ``baseline_variance`` (actual - baseline) follow ``ROLLUP_COLUMNS``.

    Raises:
        InputError: When a row's period is not in the calendar.
    """
    levels = tuple(levels)
    missing = [c for c in (*levels, "period", "planned", "actual") if c not in data.columns]
    if missing:
        raise InputError(f"The rollup needs the column(s) {', '.join(missing)}.", column=missing[0])
    if not periods:
        raise InputError("The period calendar is empty.", column="period")
    rows = build_tree(data, levels)
    period_code = _period_codes(data, periods)
    cells = Cells(rows, period_code, len(periods))
    frame = _frame(rows.tree, periods, node_figures(data, cells, decimals))
    if "baseline" in data.columns:
        base = baseline_figures(data, cells, decimals)
        order = _node_order(rows.tree)
        for i, column in enumerate(BASELINE_COLUMNS):
            grid = getattr(base, column)
            frame.insert(len(ROLLUP_COLUMNS) + i, column, grid[order].ravel())
    return frame


def rollup_portfolio(p: Portfolio) -> pd.DataFrame:
    """Roll up a loaded portfolio (see :func:`rollup`)."""
    return rollup(p.data, p.levels, p.periods, decimals=p.decimals)
