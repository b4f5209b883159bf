"""How old the levels carried to the last period are (measure ``level``).

A file of levels (re-forecasts, running totals) reports each item when it reports it; the loader
carries an item's last report forward to the end of the calendar, so the figures to date count
it as it last stood. When many items have not reported in the last period the analyst should know:
in NYC's capital projects 83 of 367 projects have no figure in the last report (all 94 of DOT's
among them), and the headline totals count their older levels.
"""

from __future__ import annotations

import numpy as np

from portfolio.regular import LeafRows
from portfolio.timeline import Calendar

_GROUPS_NAMED = 3


def stale_note(src: LeafRows, cal: Calendar) -> list[str]:
    """A note naming how many items have no figures in the last period and where they are (the
    top level's values with the most such items), or none when every item has figures in it."""
    sel = src.data_sel
    if cal.frequency == "single" or len(sel) == 0:
        return []
    leaf, ordinal = src.leaf[sel], src.ordinal[sel]
    n = int(leaf.max()) + 1
    last = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last, leaf, ordinal.astype(np.int64))
    row_of = np.full(n, -1, dtype=np.int64)
    row_of[leaf] = sel  # any of the leaf's rows names its levels
    seen = row_of >= 0
    stale = seen & (last < cal.last)
    count = int(stale.sum())
    if count == 0:
        return []
    top = src.values[0].to_numpy(dtype=object)
    groups = top[row_of[stale]]
    names, per_group = np.unique(groups.astype(str), return_counts=True)
    totals = dict(zip(*np.unique(top[row_of[seen]].astype(str), return_counts=True), strict=True))
    order = np.argsort(-per_group, kind="stable")[:_GROUPS_NAMED]
    level = src.levels[0]
    where = ", ".join(f"{names[i]} {per_group[i]} of {totals[names[i]]}" for i in order)
    oldest = cal.labels[int(last[stale].min()) - cal.first]
    return [
        f"{count:,} of {int(seen.sum()):,} items have no figures in the last period "
        f"({cal.labels[-1]}): their last reported levels (the oldest from {oldest}) are carried "
        f"to it and counted in the figures to date. By {level}: {where}."
    ]
