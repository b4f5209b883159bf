"""A hint that a file read as spend per period (measure ``flow``) may hold levels instead.

Re-forecasts and running totals change little from one report to the next, while spend per period
moves by about its own size: on the NYC capital projects file (re-forecast budgets) half of a
project's report-to-report changes are under 1.6 % of the figure; on the sample portfolio (monthly
spend) under 11 %. Summed as flows, levels count the same money again in every period, so the
totals come out many times too large without any error to say so. The hint is a note, not a
refusal: a file of fixed monthly fees changes as little and is rightly read as flows.
"""

from __future__ import annotations

import numpy as np

from portfolio.regular import LeafRows

# The median relative change under which the figures read more like levels than like flows.
LEVEL_LIKE_CHANGE = 0.05
# Fewer period-to-period pairs than this say nothing either way.
MIN_PAIRS = 20


def median_change(src: LeafRows) -> tuple[float, int]:
    """The median of ``|a(t) - a(t-1)| / |a(t-1)|`` over each item's consecutive periods (the
    actual figures; pairs with a zero or missing earlier figure left out), and the pair count."""
    sel = src.data_sel
    leaf, ordinal, actual = src.leaf[sel], src.ordinal[sel], src.actual[sel]
    same_leaf = (leaf[1:] == leaf[:-1]) & (ordinal[1:] != ordinal[:-1])
    before, after = actual[:-1][same_leaf], actual[1:][same_leaf]
    ok = np.isfinite(before) & np.isfinite(after) & (before != 0)
    if not ok.any():
        return float("nan"), 0
    with np.errstate(over="ignore"):  # a tiny figure after a huge one: a change beyond a float
        change = np.abs(after[ok] - before[ok]) / np.abs(before[ok])
    return float(np.median(change)), int(ok.sum())


def level_hint(src: LeafRows, actual_name: str) -> list[str]:
    """A note when the actual figures of a flow file change as little as levels do, else none."""
    median, pairs = median_change(src)
    if pairs < MIN_PAIRS or not median < LEVEL_LIKE_CHANGE:
        return []
    return [
        f"The figures in '{actual_name}' change little from one period to the next (half of an "
        f"item's period-to-period changes are under {median:.1%} of the figure). If they are "
        "running totals or re-forecasts rather than the spend of each period, choose Measure "
        "'level' (--measure level): read as spend, they count the same money again in every "
        "period."
    ]
