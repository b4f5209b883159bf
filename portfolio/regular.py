"""Putting the kept rows on the regular calendar, as flows per (leaf, period).

Flows are summed per (leaf, period). Levels (running totals, re-forecasts) take the last report
in each period, are carried forward to the end of the calendar and differenced into flows (the
first period's flow is the level itself). The plan ahead gets the same treatment, a future level's
flow being its change from the previous known planned level. Everything runs on sorted integer
codes (no Python loop over rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from portfolio.periods import label_of
from portfolio.timeline import Calendar


@dataclass(frozen=True)
class LeafRows:
    """The kept rows, with `data_sel` and `fut_sel` (positions sorted by leaf, period, stamp).

    Attributes:
        values: The level values per row ("" below a ragged leaf).
        levels: The level column names.
        leaf: Leaf code per row.
        ordinal: Period ordinal per row.
        stamp: Exact report moment per row.
        planned: Planned figure per row.
        actual: Actual figure per row (NaN on plan-ahead rows).
        data_sel: Positions of the rows with data, sorted.
        fut_sel: Positions of the plan-ahead rows, sorted.
        baseline: Baseline plan figure per row, or None when no baseline is mapped (it goes
            into `data` as a "baseline" flow, not into the plan ahead).
        decimals: The decimal places of the amounts, or None when unknown: the differences of
            levels are rounded to them, so a flow carries no binary noise past the cents.
    """

    values: tuple[pd.Series, ...]
    levels: tuple[str, ...]
    leaf: np.ndarray
    ordinal: np.ndarray
    stamp: np.ndarray
    planned: np.ndarray
    actual: np.ndarray
    data_sel: np.ndarray
    fut_sel: np.ndarray
    baseline: np.ndarray | None = None
    decimals: int | None = None

    @property
    def amounts(self) -> list[np.ndarray]:
        """The per-row figures that become flows of `data`: planned, actual (and baseline)."""
        base = [self.baseline] if self.baseline is not None else []
        return [self.planned, self.actual, *base]


def _data_columns(period: pd.Series, flows: list[np.ndarray]) -> dict[str, object]:
    """The period and flow columns of `data` (planned, actual, then the baseline if mapped)."""
    names = ("planned", "actual", "baseline")[: len(flows)]
    return {
        "period": period,
        **{n: f.astype(np.float64) for n, f in zip(names, flows, strict=True)},
    }


def group_starts(*keys: np.ndarray) -> np.ndarray:
    """Start positions of runs of equal keys (arrays already sorted together)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(change)


def _labels_series(ordinals: np.ndarray, cal: Calendar) -> pd.Series:
    if cal.frequency == "single":
        return pd.Series([cal.labels[0]] * len(ordinals), dtype="str")
    codes = pa.array((ordinals - cal.first).astype(np.int64))
    taken = pa.array(list(cal.labels), type=pa.large_string()).take(codes)
    return pd.Series(pd.arrays.ArrowStringArray(taken), copy=False)


def _frame(src: LeafRows, rep: np.ndarray, extra: dict[str, object]) -> pd.DataFrame:
    """The level values of the rows at `rep`, then the `extra` columns."""
    values = src.values
    in_order = len(rep) == len(values[0]) and bool(np.all(rep == np.arange(len(rep))))
    cols: dict[str, object] = {
        lvl: (v if in_order else v.iloc[rep]).reset_index(drop=True)
        for lvl, v in zip(src.levels, values, strict=True)
    }
    cols.update(extra)
    return pd.DataFrame(cols, copy=False)


def _future_frame(
    src: LeafRows, rep: np.ndarray, ords: np.ndarray, planned: np.ndarray, frequency: str
) -> pd.DataFrame:
    period = pd.Series(
        [label_of(int(o), frequency) for o in ords] if frequency != "single" else [], dtype="str"
    )
    return _frame(src, rep, {"period": period, "planned": planned.astype(np.float64)})


def flows(src: LeafRows, cal: Calendar) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Flows summed per (leaf, period): (data, future plan) frames as `Portfolio` holds them."""

    def grouped(sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        starts = group_starts(src.leaf[sel], src.ordinal[sel])
        if len(starts) == len(sel):
            return sel, src.ordinal[sel], [v[sel] for v in src.amounts]
        sums = [np.add.reduceat(np.nan_to_num(v[sel]), starts) for v in src.amounts]
        sums[0] = np.add.reduceat(src.planned[sel], starts)
        return sel[starts], src.ordinal[sel][starts], sums

    rep, ords, sums = grouped(src.data_sel)
    data = _frame(src, rep, _data_columns(_labels_series(ords, cal), sums))
    frep, fords, fsums = grouped(src.fut_sel)
    return data, _future_frame(src, frep, fords, fsums[0], cal.frequency)


def _summed_then_last(src: LeafRows, sel: np.ndarray, vals: Sequence[np.ndarray]) -> list:
    """(positions, ordinals, *values) of the last report per (leaf, period).

    Duplicates (same leaf and stamp) were summed on request; then the last report wins.
    """
    s1 = group_starts(src.leaf[sel], src.stamp[sel])
    rep = sel[s1]
    sums = [np.add.reduceat(np.nan_to_num(v[sel]), s1) for v in vals]
    s2 = group_starts(src.leaf[rep], src.ordinal[rep])
    last = np.append(s2[1:], len(rep)) - 1
    return [rep[last], src.ordinal[rep][last], *(s[last] for s in sums)]


@dataclass(frozen=True)
class _Dense:
    """Each leaf from its first report to the end of the calendar."""

    ordinal: np.ndarray  # period ordinal per dense cell
    known: np.ndarray  # index of the report in force per cell (carried forward)
    new_leaf: np.ndarray  # True on each leaf's first cell
    leaf_pos: np.ndarray  # the leaf (0..) of each cell
    starts: np.ndarray  # first report position of each leaf


def _dense(lf: np.ndarray, ords: np.ndarray, last_ord: int) -> _Dense:
    starts = group_starts(lf)
    first = ords[starts]
    counts = last_ord - first + 1
    per_leaf = np.diff(np.append(starts, len(lf)))
    leaf_pos = np.repeat(np.arange(len(starts)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    dense_ord = np.repeat(first, counts) + offset
    known_at = np.repeat(np.cumsum(counts) - counts, per_leaf)
    known_at = known_at + (ords - np.repeat(first, per_leaf))
    idx = np.full(len(dense_ord), -1, dtype=np.int64)
    idx[known_at] = np.arange(len(lf))
    idx = np.maximum.accumulate(idx)  # carry the last report forward (each leaf starts known)
    new_leaf = np.zeros(len(dense_ord), dtype=bool)
    new_leaf[np.cumsum(counts) - counts] = True
    return _Dense(dense_ord, idx, new_leaf, leaf_pos, starts)


def levels(src: LeafRows, cal: Calendar) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Levels carried forward and differenced into flows: (data, future plan) frames."""
    rep, ords, p_lvl, *other_lvls = _summed_then_last(src, src.data_sel, src.amounts)
    lf = src.leaf[rep]
    dense = _dense(lf, ords, cal.last)
    flows_ = []
    for lvl in (p_lvl, *other_lvls):
        at = lvl[dense.known]
        flows_.append(_snapped(np.where(dense.new_leaf, at, at - np.roll(at, 1)), src.decimals))
    period = _labels_series(dense.ordinal, cal)
    data = _frame(src, rep[dense.starts][dense.leaf_pos], _data_columns(period, flows_))
    if len(src.fut_sel) == 0:
        empty = np.zeros(0, np.int64)
        return data, _future_frame(src, src.fut_sel, empty, np.zeros(0), cal.frequency)
    frep, fords, fp = _summed_then_last(src, src.fut_sel, [src.planned])
    # the flow of a future level is its change from the previous known planned level
    ends = np.append(dense.starts[1:], len(rep)) - 1
    last_level = np.zeros(int(src.leaf.max()) + 1)
    last_level[lf[ends]] = p_lvl[ends]
    fl = src.leaf[frep]
    prev = np.roll(fp, 1)
    fstarts = group_starts(fl)
    prev[fstarts] = last_level[fl[fstarts]]
    return data, _future_frame(src, frep, fords, _snapped(fp - prev, src.decimals), cal.frequency)


def _snapped(diff: np.ndarray, decimals: int | None) -> np.ndarray:
    """A difference of two amounts of `decimals` places, rounded to them.

    Both levels are exact to those places, so the true difference is too; rounding takes off the
    float subtraction's noise (``1234.57 - 1000.12`` is ``234.44999999999993``).
    """
    return diff if decimals is None else np.round(diff, decimals)
