"""Loading a portfolio: a `RawTable` and a `ColumnMapping` -> a validated `Portfolio`.

`build_portfolio` runs these steps, each in its own module and vectorised (no loop over rows):

1. resolve the mapped columns (`portfolio.columns`: exact name, else the same name ignoring case
   and spacing; else an error suggesting the closest name and listing the columns);
2. parse the amounts and set rows aside, always counted and noted, never silently: rows blank in
   every mapped column, and rows with no cost figure at all (`portfolio.figures`);
3. the hierarchy (`portfolio.levels`) and the periods (`portfolio.timeline`, on the calendar rule of
   `portfolio.periods`);
4. rows with a planned figure but a blank actual after the leaf's last actual are the plan ahead
   (`Portfolio.future_plan`); any other blank amount is an error naming the rows
   (`portfolio.figures`);
5. duplicate (leaf, period) rows are an error naming them, or summed when the mapping asks
   (`portfolio.duplicates`);
6. put the rows on the regular calendar (`portfolio.regular`): flows summed per (leaf, period);
   levels take the last report in each period, are carried forward to the end of the calendar and
   differenced into flows.

`rows_read = rows_used + rows_rejected` always holds (plan-ahead rows count as used).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from portfolio import messages
from portfolio.columns import Header, map_columns
from portfolio.decimals import widest
from portfolio.duplicates import sorted_rows
from portfolio.errors import InputError
from portfolio.figures import (
    Figures,
    LeafPeriods,
    check_baseline,
    check_totals,
    negative_planned,
    plan_ahead,
    read_figures,
)
from portfolio.level_age import stale_note
from portfolio.levels import build_hierarchy
from portfolio.mapping import ColumnMapping
from portfolio.measure_hint import level_hint
from portfolio.periods import next_periods
from portfolio.reading import DEFAULT_MAX_BYTES, RawTable, read_raw
from portfolio.reading_notes import reading_notes
from portfolio.regular import LeafRows, flows, levels
from portfolio.timeline import MAX_GRID_CELLS, GridRows, make_calendar, read_timeline

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_GRID_CELLS",
    "LoadSummary",
    "Portfolio",
    "RawTable",
    "build_portfolio",
    "load_portfolio",
    "next_periods",
    "read_raw",
]

log = logging.getLogger(__name__)

DEFAULT_MAPPING = ColumnMapping()


@dataclass(frozen=True)
class LoadSummary:
    """What the loader did with the file, for the analyst.

    `rows_read` (data rows in the file, header excluded) = `rows_used` + `rows_rejected`.
    `notes` are plain sentences: rejected rows and why, negatives flagged, plan-only rows,
    encoding/delimiter detected, calendar rule applied.
    """

    source: str
    rows_read: int
    rows_used: int
    rows_rejected: int
    leaves: int
    periods: int
    frequency: str
    negative_planned_rows: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Portfolio:
    """A validated portfolio.

    Attributes:
        data: One row per (leaf, period) with data: the level columns (str; "" below a ragged
            leaf), "period" (str label), "planned", "actual" (float64 flows per period), and
            "baseline" (flows, like planned) only when a baseline plan is mapped. Sorted by
            leaf (in order of first appearance in the file), then period.
        levels: The level column names, top to bottom.
        periods: The full regular calendar in order (labels).
        frequency: "M", "Q", "Y" or "single".
        measure: "flow" or "level" (data holds flows either way).
        future_plan: Plan-only rows after a leaf's last actual: levels..., "period", "planned"
            (flows, like `data`).
        summary: The load summary.
        decimals: The decimal places of the file's amounts (the most of the planned, actual and
            baseline columns); the rollup sums exactly at that precision. None: unknown
            (inferred from `data` by the rollup) or more than `portfolio.decimals.MAX_DECIMALS`.
    """

    data: pd.DataFrame
    levels: tuple[str, ...]
    periods: tuple[str, ...]
    frequency: str
    measure: str
    future_plan: pd.DataFrame
    summary: LoadSummary = field(repr=False)
    decimals: int | None = None


# ---------------------------------------------------------------------------------------------
# main entry points


def _has_row_numbers(index: pd.Index) -> bool:
    """True when the index holds file row numbers (as read_raw sets them: unique, from 2 up)."""
    if len(index) == 0:
        return True
    if not pd.api.types.is_integer_dtype(index):
        return False
    return bool(index.is_unique and index.is_monotonic_increasing and index[0] >= 2)


def _header(raw: RawTable, frame: pd.DataFrame) -> Header:
    """The header as read and as written (a frame built elsewhere has only its own names)."""
    names = tuple(str(c) for c in frame.columns)
    return Header(names, raw.headers if len(raw.headers) == len(names) else names)


def _require_actuals(src: LeafRows, actual_name: str, file: str) -> None:
    if len(src.data_sel) == 0:
        raise InputError(messages.NO_ACTUAL_YET.format(file=file, actual=actual_name))


_LEVEL_NOTE = (
    "Measure 'level': the figures are running totals or re-forecasts; each is carried "
    "forward to the end of the calendar and the flows per period are their differences "
    "(the first period's flow is the level itself)."
)


def build_portfolio(
    raw: RawTable, mapping: ColumnMapping = DEFAULT_MAPPING, *, accept_cut: bool = False
) -> Portfolio:
    """Validate a raw table against a column mapping and build the portfolio.

    Args:
        raw: The file as read by `read_raw`.
        mapping: Which columns play which role.
        accept_cut: Load a file whose last row was cut mid-line without that row.

    Raises:
        InputError: Any bad input; the message names the file, the column and the first rows.
    """
    file, frame = raw.name, raw.frame
    if not _has_row_numbers(frame.index):
        # a frame built elsewhere (not by read_raw): number the rows as a plain CSV would be
        frame = frame.set_axis(pd.RangeIndex(2, 2 + len(frame)))
    notes = reading_notes(raw, len(frame), accept_cut)
    rows_read = len(frame) + raw.cut_rows
    if len(frame) == 0:
        raise InputError(messages.NO_DATA_ROWS.format(file=file))
    cols = map_columns(mapping, _header(raw, frame), file, notes)
    figs = read_figures(frame, cols, mapping, file, notes)
    hier = build_hierarchy(figs.frame, cols.levels, file=file)
    timeline = read_timeline(figs.frame, cols.period, mapping, hier.leaf, file)
    at = LeafPeriods(hier.leaf, timeline.ordinal, hier.n_leaves, timeline.frequency)
    future = plan_ahead(figs, cols, at, file, notes)
    check_baseline(figs, cols, future, file)
    check_totals(figs, cols, file)
    n_negative = negative_planned(figs, notes)
    order = sorted_rows(
        figs, cols, hier, timeline, sum_duplicates=mapping.sum_duplicates, file=file, notes=notes
    )
    src = LeafRows(
        values=hier.values,
        levels=cols.levels,
        leaf=hier.leaf,
        ordinal=timeline.ordinal,
        stamp=timeline.stamp,
        planned=figs.planned.values,
        actual=figs.actual.values,
        baseline=figs.baseline.values if figs.baseline is not None else None,
        data_sel=order[~future[order]],
        fut_sel=order[future[order]],
        decimals=_decimals(figs),
    )
    _require_actuals(src, cols.actual_name, file)
    grid = GridRows(hier.n_leaves, figs.rows, timeline.ordinal, src.data_sel)
    cal = make_calendar(timeline, grid, mapping, file, notes)
    notes.extend(hier.notes)
    data, fut = (flows if mapping.measure == "flow" else levels)(src, cal)
    if mapping.measure != "flow":
        notes.append(_LEVEL_NOTE)
        notes.extend(stale_note(src, cal))
    else:
        notes.extend(level_hint(src, cols.actual_name))
    rejected = raw.cut_rows + figs.rejected
    summary = LoadSummary(
        source=file,
        rows_read=rows_read,
        rows_used=rows_read - rejected,
        rows_rejected=rejected,
        leaves=int(np.count_nonzero(np.bincount(hier.leaf[src.data_sel]))),
        periods=len(cal.labels),
        frequency=cal.frequency,
        negative_planned_rows=n_negative,
        notes=tuple(notes),
    )
    _log_loaded(summary)
    return Portfolio(
        data=data,
        levels=cols.levels,
        periods=cal.labels,
        frequency=cal.frequency,
        measure=mapping.measure,
        future_plan=fut,
        summary=summary,
        decimals=_decimals(figs),
    )


def _log_loaded(s: LoadSummary) -> None:
    log.info(
        "loaded %s: %d rows read, %d used, %d rejected",
        s.source,
        s.rows_read,
        s.rows_used,
        s.rows_rejected,
    )


def _decimals(figs: Figures) -> int | None:
    """The decimal places of the amounts: the most of planned, actual (and the baseline)."""
    baseline = (figs.baseline.decimals,) if figs.baseline is not None else ()
    return widest(figs.planned.decimals, figs.actual.decimals, *baseline)


def load_portfolio(
    source: str | Path | bytes,
    mapping: ColumnMapping = DEFAULT_MAPPING,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    accept_cut: bool = False,
) -> Portfolio:
    """Read a CSV/Excel file (path or bytes) and build its portfolio (read_raw + build_portfolio).

    Raises:
        InputError: Any bad input, with the analyst-facing message.
    """
    raw = read_raw(source, name=name, max_bytes=max_bytes)
    return build_portfolio(raw, mapping, accept_cut=accept_cut)
