"""Rows that repeat an item and period: an error naming them, or summed when the mapping asks.

A repeat is the same leaf with the same exact period value (the same label, or the same report
moment for dates); several dates of a leaf inside one calendar period are not repeats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from portfolio import messages
from portfolio.columns import MappedColumns
from portfolio.errors import InputError
from portfolio.figures import Figures
from portfolio.levels import SEP, Hierarchy
from portfolio.regular import group_starts
from portfolio.rownums import describe_rows, first_rows, plural
from portfolio.timeline import Timeline


@dataclass(frozen=True)
class _Keys:
    """What identifies a row: its figures (and file row numbers), columns, leaf and period."""

    figs: Figures
    cols: MappedColumns
    hier: Hierarchy
    timeline: Timeline


def _refuse(keys: _Keys, repeats: tuple[int, np.ndarray, int], file: str) -> None:
    """Name the repeats: ``(first position, positions of every row in a repeated group, how many
    of those rows repeat an earlier one)``."""
    figs, cols, hier = keys.figs, keys.cols, keys.hier
    first_pos, bad_pos, extra = repeats
    leaf, stamp, rows = hier.leaf, keys.timeline.stamp, figs.rows
    group_mask = (leaf == leaf[first_pos]) & (stamp == stamp[first_pos])
    path = SEP.join(v.iloc[first_pos] for v in hier.values if v.iloc[first_pos] != "")
    period = cols.period
    when = f" in {figs.frame[period].iloc[first_pos].strip()!r}" if period is not None else ""
    bad = rows[bad_pos]
    raise InputError(
        messages.REPEATED_ITEM_PERIOD.format(
            file=file,
            count=plural(extra, "row"),
            verb="repeats" if extra == 1 else "repeat",
            rows=describe_rows(bad),
            path=path,
            when=when,
            group_rows=describe_rows(rows[group_mask]),
            what="an item and period" if period is not None else "an item",
            leaf=cols.levels[-1],
        ),
        column=cols.levels[-1] if period is None else period,
        rows=first_rows(bad),
    )


def sorted_rows(
    figs: Figures,
    cols: MappedColumns,
    hier: Hierarchy,
    timeline: Timeline,
    *,
    sum_duplicates: bool,
    file: str,
    notes: list[str],
) -> np.ndarray:
    """Row positions sorted by leaf, period and report moment, after checking for repeats.

    Raises:
        InputError: Rows repeat a (leaf, period) and `sum_duplicates` is off.
    """
    leaf, stamp = hier.leaf, timeline.stamp
    order = np.lexsort((stamp, timeline.ordinal, leaf))
    dup_start = group_starts(leaf[order], stamp[order])
    if len(dup_start) == len(order):
        return order
    sizes = np.diff(np.append(dup_start, len(order)))
    dup_rows_pos = order[np.repeat(sizes > 1, sizes)]
    if not sum_duplicates:
        first_pos = int(order[dup_start[sizes > 1][0]])
        extra = len(order) - len(dup_start)
        _refuse(_Keys(figs, cols, hier, timeline), (first_pos, dup_rows_pos, extra), file)
    merged = len(order) - len(dup_start)
    groups = int((sizes > 1).sum())
    notes.append(
        f"{plural(merged + groups, 'duplicate row')} summed into {groups} as asked "
        f"({plural(merged, 'row')} merged): {describe_rows(figs.rows[dup_rows_pos])}."
    )
    return order
