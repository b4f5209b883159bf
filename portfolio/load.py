"""Loading a portfolio: a `RawTable` and a `ColumnMapping` -> a validated `Portfolio`.

Steps, each vectorised (no Python loop over rows):

1. resolve the mapped columns (exact name, else the same name ignoring case and spacing; else an
   error suggesting the closest name and listing the columns);
2. parse the amounts (`portfolio.amounts`), the hierarchy (`portfolio.levels`) and the periods
   (`portfolio.periods`, where the calendar rule is documented);
3. set rows aside, always counted and noted, never silently: rows blank in every mapped column, and
   rows with no cost figure at all (planned and actual both blank);
4. rows with a planned figure but a blank actual after the leaf's last actual are the plan ahead
   (`Portfolio.future_plan`); any other blank amount is an error naming the rows;
5. duplicate (leaf, period) rows are an error naming them, or summed when the mapping asks;
6. put the rows on the regular calendar: flows summed per (leaf, period); levels take the last
   report in each period, are carried forward to the end of the calendar and differenced into flows.

`rows_read = rows_used + rows_rejected` always holds (plan-ahead rows count as used).
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from portfolio.amounts import ParsedAmounts, parse_amounts
from portfolio.errors import InputError
from portfolio.levels import SEP, build_hierarchy
from portfolio.mapping import AmountSpec, ColumnMapping, resolve_amount, split_amount
from portfolio.periods import (
    FREQUENCY_NAMES,
    calendar,
    check_frequency,
    infer_frequency,
    label_of,
    next_periods,
    parse_periods,
    to_ordinal,
)
from portfolio.reading import DEFAULT_MAX_BYTES, RawTable, read_raw
from portfolio.rownums import describe_rows, first_rows, plural

__all__ = [
    "DEFAULT_MAX_BYTES",
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
            leaf), "period" (str label), "planned", "actual" (float64 flows per period). Sorted by
            leaf (in order of first appearance in the file), then period.
        levels: The level column names, top to bottom.
        periods: The full regular calendar in order (labels).
        frequency: "M", "Q", "Y" or "single".
        measure: "flow" or "level" (data holds flows either way).
        future_plan: Plan-only rows after a leaf's last actual: levels..., "period", "planned"
            (flows, like `data`).
        summary: The load summary.
    """

    data: pd.DataFrame
    levels: tuple[str, ...]
    periods: tuple[str, ...]
    frequency: str
    measure: str
    future_plan: pd.DataFrame
    summary: LoadSummary = field(repr=False)


# ---------------------------------------------------------------------------------------------
# columns


def _norm(name: str) -> str:
    return " ".join(str(name).casefold().split())


def _resolve_column(
    name: str, columns: Sequence[str], role: str, file: str, notes: list[str]
) -> str:
    if name in columns:
        return name
    loose = [c for c in columns if _norm(c) == _norm(name)]
    if len(loose) == 1:
        notes.append(f"The {role} column '{name}' was matched to the file's column '{loose[0]}'.")
        return loose[0]
    lowered = {_norm(c): c for c in columns}
    close = difflib.get_close_matches(_norm(name), list(lowered), n=1, cutoff=0.6)
    hint = f" Did you mean '{lowered[close[0]]}'?" if close else ""
    listing = ", ".join(f"'{c}'" for c in columns)
    raise InputError(
        f"{file}: the {role} column '{name}' is not in the file.{hint} The file's columns are: "
        f"{listing}.",
        column=name,
    )


def _resolve_amount(
    expr: str, columns: Sequence[str], role: str, file: str, notes: list[str]
) -> AmountSpec:
    spec = resolve_amount(expr, columns)
    if spec is not None:
        return spec
    parts = split_amount(expr)
    if len(parts) == 1:
        return AmountSpec(_resolve_column(expr, columns, role, file, notes))
    first = _resolve_column(parts[0], columns, role, file, notes)
    second = _resolve_column(parts[1], columns, role, file, notes)
    sign = -1 if " - " in expr[len(parts[0]) :] else 1
    return AmountSpec(first, sign, second)


# ---------------------------------------------------------------------------------------------
# amounts


@dataclass(frozen=True)
class _Amount:
    values: np.ndarray
    blank: np.ndarray
    adjusted_blank: int  # rows where the second column of "A - B" was blank (taken as 0)


def _amount(
    frame: pd.DataFrame, spec: AmountSpec, file: str, cache: dict[str, ParsedAmounts]
) -> _Amount:
    def parsed(col: str) -> ParsedAmounts:
        if col not in cache:
            cache[col] = parse_amounts(frame[col], column=col, file=file)
        return cache[col]

    a = parsed(spec.first)
    if spec.second is None:
        return _Amount(a.values, a.blank, 0)
    b = parsed(spec.second)
    values = a.values + spec.sign * np.where(b.blank, 0.0, b.values)
    values[a.blank] = np.nan
    return _Amount(values, a.blank, int((~a.blank & b.blank).sum()))


# ---------------------------------------------------------------------------------------------
# grouping helpers


# Headroom below the largest float: levels are differenced into flows and planned is compared
# with actual, and neither may overflow once the totals have passed this check.
# Items x periods of the dense grid: 10x the 1M-row benchmark, whose peak was about 0.8 GB.
MAX_GRID_CELLS = 10_000_000
_TOTAL_LIMIT = float(np.finfo(np.float64).max) / 4


def _check_totals(
    planned: tuple[np.ndarray, AmountSpec],
    actual: tuple[np.ndarray, AmountSpec],
    rows: np.ndarray,
    file: str,
) -> None:
    """Refuse amounts whose totals overflow a float: every sum (rollup, cumulative) would be inf.

    The check is on planned and actual together: each may fit alone while their sum, or the
    difference of a large overrun and a large underrun, does not.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        totals = [float(np.nansum(np.abs(values))) for values, _ in (planned, actual)]
        if float(np.sum(totals)) < _TOTAL_LIMIT:
            return
    values, spec = planned if totals[0] >= totals[1] else actual
    order = np.argsort(-np.nan_to_num(np.abs(values)), kind="stable")[:3]
    shown = ", ".join(f"row {int(rows[i])} ({values[i]:.3g})" for i in order)
    col = spec.first
    raise InputError(
        f"{file}: column '{col}' has amounts too large to add up: with the other amounts their "
        f"total is beyond the largest number a computer can hold (the largest: {shown}). Check "
        "the units of those rows.",
        column=col,
        rows=tuple(int(rows[i]) for i in order),
    )


def _check_grid(
    n_leaves: int,
    labels: list[str],
    rows: np.ndarray,
    ordinal: np.ndarray,
    used: np.ndarray,
    span: tuple[int, int],
    file: str,
) -> None:
    """Refuse a calendar that makes the dense item x period grid too big to hold.

    Every item gets a figure in every period of the calendar, so one wrong year (``9999-12``
    beside ``2024-01``) would ask for millions of periods per item and exhaust the memory.
    """
    cells = n_leaves * len(labels)
    if cells <= MAX_GRID_CELLS:
        return
    first = int(rows[used][ordinal[used] == span[0]][0])
    last = int(rows[used][ordinal[used] == span[1]][0])
    raise InputError(
        f"{file}: {n_leaves:,} items over {len(labels):,} periods ({labels[0]} on row {first} to "
        f"{labels[-1]} on row {last}) make {cells:,} item-periods, more than the "
        f"{MAX_GRID_CELLS:,} that can be held. Check those rows for a wrong year, choose a "
        "quarterly or yearly calendar, or split the file.",
        rows=(first, last),
    )


def _named(column: str, role: str) -> str:
    """ "column 'x'", with the role added when the name does not say it."""
    return f"column '{column}'" if _norm(column) == role else f"column '{column}' ({role})"


def _has_row_numbers(index: pd.Index) -> bool:
    """True when the index holds file row numbers (as read_raw sets them: unique, from 2 up)."""
    if len(index) == 0:
        return True
    if not pd.api.types.is_integer_dtype(index):
        return False
    return bool(index.is_unique and index.is_monotonic_increasing and index[0] >= 2)


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Start positions of runs of equal keys (arrays already sorted together)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    return np.flatnonzero(change)


def _labels_series(
    ordinals: np.ndarray, first: int, labels: Sequence[str], frequency: str
) -> pd.Series:
    if frequency == "single":
        return pd.Series([labels[0]] * len(ordinals), dtype="str")
    codes = pa.array((ordinals - first).astype(np.int64))
    taken = pa.array(list(labels), type=pa.large_string()).take(codes)
    return pd.Series(pd.arrays.ArrowStringArray(taken), copy=False)


def _frame(
    values: Sequence[pd.Series], levels: Sequence[str], rows: np.ndarray, extra: dict[str, object]
) -> pd.DataFrame:
    in_order = len(rows) == len(values[0]) and bool(np.all(rows == np.arange(len(rows))))
    cols: dict[str, object] = {
        lvl: (v if in_order else v.iloc[rows]).reset_index(drop=True)
        for lvl, v in zip(levels, values, strict=True)
    }
    cols.update(extra)
    return pd.DataFrame(cols, copy=False)


# ---------------------------------------------------------------------------------------------
# main entry points


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
    file = raw.name
    frame = raw.frame
    if not _has_row_numbers(frame.index):
        # a frame built elsewhere (not by read_raw): number the rows as a plain CSV would be
        frame = frame.set_axis(pd.RangeIndex(2, 2 + len(frame)))
    notes: list[str] = []
    if raw.delimiter:
        notes.append(
            f"Read {file} as {raw.delimiter_name}-separated text in {raw.encoding.upper()}."
        )
    else:
        notes.append(f"Read the first sheet of the Excel workbook {file}.")

    if raw.header_row > 1:
        notes.append(
            f"The header is on row {raw.header_row}; the "
            f"{plural(raw.header_row - 1, 'line')} above it (blank, a title or a 'sep=' hint) "
            f"{'was' if raw.header_row == 2 else 'were'} skipped."
        )
    if raw.cut_rows:
        if not accept_cut:
            raise InputError(
                f"{file} looks cut off: {plural(raw.cut_rows, 'row')} at the end "
                f"{'is' if raw.cut_rows == 1 else 'are'} incomplete (the file ends in the middle "
                f"of a row). The {plural(len(frame), 'complete row')} can be loaded without "
                f"{'it' if raw.cut_rows == 1 else 'them'} if you agree (tick 'Load without the "
                "incomplete rows', or --accept-cut on the command line); otherwise export the "
                "file again."
            )
        notes.append(
            f"The file was cut off mid-row: {plural(raw.cut_rows, 'incomplete row')} at the end "
            "left out, as agreed."
        )
    rows_read = len(frame) + raw.cut_rows
    if len(frame) == 0:
        raise InputError(f"{file} has a header but no data rows.")

    columns = [str(c) for c in frame.columns]
    level_cols = tuple(
        _resolve_column(c, columns, "hierarchy level", file, notes) for c in mapping.levels
    )
    period_col = (
        _resolve_column(mapping.period, columns, "period", file, notes)
        if mapping.period is not None
        else None
    )
    planned_spec = _resolve_amount(mapping.planned, columns, "planned", file, notes)
    actual_spec = _resolve_amount(mapping.actual, columns, "actual", file, notes)
    structural = [*level_cols, *([period_col] if period_col else [])]
    if len(set(structural)) < len(structural) or set(structural) & set(
        planned_spec.columns + actual_spec.columns
    ):
        raise InputError(
            f"{file}: a column is mapped to two roles ({', '.join(structural)}; planned "
            f"{mapping.planned}; actual {mapping.actual}). Each column can play one role only."
        )
    planned_name = (
        " - ".join(planned_spec.columns)
        if planned_spec.sign < 0
        else " + ".join(planned_spec.columns)
    )
    actual_name = (
        " - ".join(actual_spec.columns) if actual_spec.sign < 0 else " + ".join(actual_spec.columns)
    )

    # amounts first: their parse errors name rows of the whole file
    cache: dict[str, ParsedAmounts] = {}
    planned = _amount(frame, planned_spec, file, cache)
    actual = _amount(frame, actual_spec, file, cache)
    for spec, amt, role in ((planned_spec, planned, "planned"), (actual_spec, actual, "actual")):
        if amt.adjusted_blank:
            expr = mapping.planned if role == "planned" else mapping.actual
            notes.append(
                f"In the {role} amount '{expr}', "
                f"'{spec.second}' is blank on {plural(amt.adjusted_blank, 'row')}; it was taken "
                "as 0 there."
            )

    for col, parsed_col in cache.items():
        if parsed_col.decimal_comma:
            notes.append(f"Column '{col}' uses decimal commas (as in 1.234,56): read that way.")
    rows = np.asarray(frame.index)
    no_cost = planned.blank & actual.blank
    rejected = int(raw.cut_rows)
    keep = ~no_cost
    if no_cost.any():
        blank_struct = np.ones(len(frame), dtype=bool)
        for c in structural:
            blank_struct &= (frame[c].astype("str").str.strip() == "").to_numpy(
                dtype=bool, na_value=True
            )
        empty = no_cost & blank_struct
        real = no_cost & ~empty
        if empty.any():
            notes.append(
                f"{plural(int(empty.sum()), 'empty row')} (nothing in the mapped columns) "
                f"left out: {describe_rows(rows[empty])}."
            )
        if real.any():
            notes.append(
                f"{plural(int(real.sum()), 'row')} with no cost figures ('{planned_name}' and "
                f"'{actual_name}' both blank) left out: {describe_rows(rows[real])}."
            )
        rejected += int(no_cost.sum())
    if not keep.any():
        raise InputError(
            f"{file}: no row has a cost figure: '{planned_name}' and '{actual_name}' are blank "
            "on every row."
        )
    if not keep.all():
        frame = frame[keep]
        rows = rows[keep]
        p_val, p_blank = planned.values[keep], planned.blank[keep]
        a_val, a_blank = actual.values[keep], actual.blank[keep]
    else:
        p_val, p_blank = planned.values, planned.blank
        a_val, a_blank = actual.values, actual.blank

    hier = build_hierarchy(frame, level_cols, file=file)
    leaf = hier.leaf

    # periods
    if period_col is None:
        frequency = "single"
        ordinal = np.zeros(len(frame), dtype=np.int64)
        stamp = ordinal
        period_desc = f"No period column: one period, '{mapping.label}'."
    else:
        parsed = parse_periods(frame[period_col], column=period_col, file=file)
        native = infer_frequency(parsed, leaf) if mapping.frequency == "auto" else parsed.native
        frequency = (
            check_frequency(parsed.native, mapping.frequency, column=period_col, file=file)
            if mapping.frequency != "auto"
            else native
        )
        ordinal = to_ordinal(parsed.month, frequency)
        stamp = parsed.stamp
        period_desc = ""
        if parsed.native == "D":
            period_desc = (
                f"Column '{period_col}' holds dates ({parsed.family}); they were put on a "
                f"{FREQUENCY_NAMES[frequency]} calendar: each date goes to the period that "
                "contains it"
                + (
                    "; several dates of an item in one period are summed."
                    if mapping.measure == "flow"
                    else "; the last report in a period wins and is carried forward to later "
                    "periods."
                )
            )
        elif frequency != parsed.native:
            period_desc = (
                f"Column '{period_col}' holds {FREQUENCY_NAMES[parsed.native]} periods, grouped "
                f"into {FREQUENCY_NAMES[frequency]} ones as asked."
            )
        if parsed.family.startswith("fiscal"):
            period_desc = (
                f"Column '{period_col}' holds {parsed.family}s, labelled by their number "
                "(FY2024 is shown as 2024, FY2024 Q1 as 2024-Q1). " + period_desc
            ).strip()

    # blank amounts: plan ahead, or errors
    plan_only = a_blank & ~p_blank
    if (p_blank & ~a_blank).any():
        bad = rows[p_blank & ~a_blank]
        col = planned_spec.first
        raise InputError(
            f"{file}: {_named(col, 'planned')} is blank on {describe_rows(bad)} although "
            f"'{actual_name}' has a figure. Enter 0 where nothing was planned.",
            column=col,
            rows=first_rows(bad),
        )
    future = np.zeros(len(frame), dtype=bool)
    if plan_only.any():
        if frequency == "single":
            bad = rows[plan_only]
            raise InputError(
                f"{file}: {_named(actual_spec.first, 'actual')} is blank on {describe_rows(bad)} "
                f"although '{planned_name}' has a figure. Enter 0 where nothing was spent.",
                column=actual_spec.first,
                rows=first_rows(bad),
            )
        last_actual = np.full(hier.n_leaves, np.iinfo(np.int64).min, dtype=np.int64)
        has = ~a_blank
        np.maximum.at(last_actual, leaf[has], ordinal[has])
        future = plan_only & (ordinal > last_actual[leaf])
        inside = plan_only & ~future
        if inside.any():
            bad = rows[inside]
            raise InputError(
                f"{file}: {_named(actual_spec.first, 'actual')} is blank on {describe_rows(bad)}, "
                "in periods up to the item's last actual figure. Enter 0 where nothing was spent "
                "(a blank actual is only read as plan ahead after an item's last actual).",
                column=actual_spec.first,
                rows=first_rows(bad),
            )
        notes.append(
            f"{plural(int(future.sum()), 'row')} with a planned figure but no actual yet "
            f"(after the item's last actual) kept as the plan ahead: {describe_rows(rows[future])}."
        )

    _check_totals((p_val, planned_spec), (a_val, actual_spec), rows, file)

    negative = ~p_blank & (p_val < 0)
    n_negative = int(negative.sum())
    if n_negative:
        notes.append(
            f"{plural(n_negative, 'row')} with a negative planned figure (allowed, please check): "
            f"{describe_rows(rows[negative])}."
        )

    # duplicates: same leaf and same exact period value
    order = np.lexsort((stamp, ordinal, leaf))
    s_leaf, s_stamp = leaf[order], stamp[order]
    dup_start = _group_starts(s_leaf, s_stamp)
    if len(dup_start) < len(order):
        sizes = np.diff(np.append(dup_start, len(order)))
        dup_sorted = np.repeat(sizes > 1, sizes)
        dup_rows_pos = order[dup_sorted]
        if not mapping.sum_duplicates:
            first_pos = int(order[dup_start[sizes > 1][0]])
            group_mask = (leaf == leaf[first_pos]) & (stamp == stamp[first_pos])
            path = SEP.join(v.iloc[first_pos] for v in hier.values if v.iloc[first_pos] != "")
            when = (
                f" in {frame[period_col].iloc[first_pos].strip()!r}"
                if period_col is not None
                else ""
            )
            bad = rows[dup_rows_pos]
            raise InputError(
                f"{file}: {plural(len(bad), 'row')} repeat an item and period already in the file "
                f"({describe_rows(bad)}); for example '{path}'{when} is on "
                f"{describe_rows(rows[group_mask])}. Remove the repeats, or tick 'Sum duplicate "
                "rows' (--sum-duplicates) to add them up.",
                column=level_cols[-1] if period_col is None else period_col,
                rows=first_rows(bad),
            )
        merged = len(order) - len(dup_start)
        notes.append(
            f"{plural(merged + int((sizes > 1).sum()), 'duplicate row')} summed into "
            f"{int((sizes > 1).sum())} as asked ({plural(merged, 'row')} merged): "
            f"{describe_rows(rows[dup_rows_pos])}."
        )

    data_sel = order[~future[order]]
    fut_sel = order[future[order]]
    if len(data_sel) == 0:
        raise InputError(
            f"{file}: no row has an actual figure ('{actual_name}' is blank everywhere), so there "
            "is nothing to compare the plan with yet."
        )
    first_ord = int(ordinal[data_sel].min())
    last_ord = int(ordinal[data_sel].max())
    labels = calendar(first_ord, last_ord, frequency) if frequency != "single" else [mapping.label]
    _check_grid(hier.n_leaves, labels, rows, ordinal, data_sel, (first_ord, last_ord), file)
    if period_desc:
        notes.append(period_desc)
    if frequency != "single":
        present = np.zeros(len(labels), dtype=bool)
        present[np.unique(ordinal[data_sel]) - first_ord] = True
        gaps = [lab for lab, ok in zip(labels, present, strict=True) if not ok]
        note = (
            f"{FREQUENCY_NAMES[frequency].capitalize()} calendar from {labels[0]} to "
            f"{labels[-1]} ({plural(len(labels), 'period')})."
        )
        if gaps:
            shown = ", ".join(gaps[:5]) + (f" and {len(gaps) - 5} more" if len(gaps) > 5 else "")
            note += (
                f" {plural(len(gaps), 'period')} of it {'has' if len(gaps) == 1 else 'have'} no "
                f"row in the file ({shown})"
                + (
                    ": nothing was spent or planned there."
                    if mapping.measure == "flow"
                    else ": the levels are carried forward."
                )
            )
        notes.append(note)
    notes.extend(hier.notes)

    if mapping.measure == "flow":
        data, fut = _flows(
            hier.values,
            level_cols,
            leaf,
            ordinal,
            p_val,
            a_val,
            data_sel,
            fut_sel,
            first_ord,
            labels,
            frequency,
        )
    else:
        data, fut = _levels(
            hier.values,
            level_cols,
            leaf,
            ordinal,
            stamp,
            p_val,
            a_val,
            data_sel,
            fut_sel,
            first_ord,
            last_ord,
            labels,
            frequency,
        )
        notes.append(
            "Measure 'level': the figures are running totals or re-forecasts; each is carried "
            "forward to the end of the calendar and the flows per period are their differences "
            "(the first period's flow is the level itself)."
        )

    in_data = np.zeros(hier.n_leaves, dtype=bool)
    in_data[leaf[data_sel]] = True
    n_leaves = int(in_data.sum())
    summary = LoadSummary(
        source=file,
        rows_read=rows_read,
        rows_used=rows_read - rejected,
        rows_rejected=rejected,
        leaves=n_leaves,
        periods=len(labels),
        frequency=frequency,
        negative_planned_rows=n_negative,
        notes=tuple(notes),
    )
    log.info(
        "loaded %s: %d rows read, %d used, %d rejected",
        file,
        rows_read,
        summary.rows_used,
        rejected,
    )
    return Portfolio(
        data=data,
        levels=level_cols,
        periods=tuple(labels),
        frequency=frequency,
        measure=mapping.measure,
        future_plan=fut,
        summary=summary,
    )


def _flows(
    values: Sequence[pd.Series],
    levels: Sequence[str],
    leaf: np.ndarray,
    ordinal: np.ndarray,
    p_val: np.ndarray,
    a_val: np.ndarray,
    data_sel: np.ndarray,
    fut_sel: np.ndarray,
    first_ord: int,
    labels: Sequence[str],
    frequency: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    def grouped(sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        starts = _group_starts(leaf[sel], ordinal[sel])
        if len(starts) == len(sel):
            return sel, ordinal[sel], p_val[sel], a_val[sel]
        return (
            sel[starts],
            ordinal[sel][starts],
            np.add.reduceat(p_val[sel], starts),
            np.add.reduceat(np.nan_to_num(a_val[sel]), starts),
        )

    rep, ords, p, a = grouped(data_sel)
    data = _frame(
        values,
        levels,
        rep,
        {
            "period": _labels_series(ords, first_ord, labels, frequency),
            "planned": p.astype(np.float64),
            "actual": a.astype(np.float64),
        },
    )
    frep, fords, fp, _ = grouped(fut_sel)
    fut = _future_frame(values, levels, frep, fords, fp, frequency)
    return data, fut


def _future_frame(
    values: Sequence[pd.Series],
    levels: Sequence[str],
    rep: np.ndarray,
    ords: np.ndarray,
    planned: np.ndarray,
    frequency: str,
) -> pd.DataFrame:
    period = pd.Series(
        [label_of(int(o), frequency) for o in ords] if frequency != "single" else [], dtype="str"
    )
    return _frame(values, levels, rep, {"period": period, "planned": planned.astype(np.float64)})


def _levels(
    values: Sequence[pd.Series],
    levels: Sequence[str],
    leaf: np.ndarray,
    ordinal: np.ndarray,
    stamp: np.ndarray,
    p_val: np.ndarray,
    a_val: np.ndarray,
    data_sel: np.ndarray,
    fut_sel: np.ndarray,
    first_ord: int,
    last_ord: int,
    labels: Sequence[str],
    frequency: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    def summed_then_last(sel: np.ndarray, vals: list[np.ndarray]) -> tuple[np.ndarray, ...]:
        # duplicates (same leaf and stamp) were summed on request; then the last report wins
        s1 = _group_starts(leaf[sel], stamp[sel])
        rep = sel[s1]
        sums = [np.add.reduceat(np.nan_to_num(v[sel]), s1) for v in vals]
        s2 = _group_starts(leaf[rep], ordinal[rep])
        last = np.append(s2[1:], len(rep)) - 1
        return (rep[last], ordinal[rep][last], *(s[last] for s in sums))

    rep, ords, p_lvl, a_lvl = summed_then_last(data_sel, [p_val, a_val])
    lf = leaf[rep]
    # dense from each leaf's first period to the end of the calendar, last value carried forward
    starts = _group_starts(lf)
    first = ords[starts]
    counts = last_ord - first + 1
    leaf_pos = np.repeat(np.arange(len(starts)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    dense_ord = np.repeat(first, counts) + offset
    known_at = np.repeat(np.cumsum(counts) - counts, np.diff(np.append(starts, len(rep))))
    known_at = known_at + (ords - np.repeat(first, np.diff(np.append(starts, len(rep)))))
    idx = np.full(len(dense_ord), -1, dtype=np.int64)
    idx[known_at] = np.arange(len(rep))
    idx = np.maximum.accumulate(idx)  # carry the last report forward (each leaf starts known)
    p_dense, a_dense = p_lvl[idx], a_lvl[idx]
    new_leaf = np.zeros(len(dense_ord), dtype=bool)
    new_leaf[np.cumsum(counts) - counts] = True
    p_flow = np.where(new_leaf, p_dense, p_dense - np.roll(p_dense, 1))
    a_flow = np.where(new_leaf, a_dense, a_dense - np.roll(a_dense, 1))
    rep_dense = rep[starts][leaf_pos]
    data = _frame(
        values,
        levels,
        rep_dense,
        {
            "period": _labels_series(dense_ord, first_ord, labels, frequency),
            "planned": p_flow.astype(np.float64),
            "actual": a_flow.astype(np.float64),
        },
    )
    if len(fut_sel) == 0:
        return data, _future_frame(
            values, levels, fut_sel, np.zeros(0, np.int64), np.zeros(0), frequency
        )
    frep, fords, fp = summed_then_last(fut_sel, [p_val])
    # the flow of a future level is its change from the previous known planned level
    ends = np.append(starts[1:], len(rep)) - 1
    last_level = np.zeros(int(leaf.max()) + 1)
    last_level[lf[ends]] = p_lvl[ends]
    fl = leaf[frep]
    prev = np.roll(fp, 1)
    fstarts = _group_starts(fl)
    prev[fstarts] = last_level[fl[fstarts]]
    return data, _future_frame(values, levels, frep, fords, fp - prev, frequency)


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
