"""The planned and actual figures of each row, and the rows set aside or refused for them.

- Rows with no cost figure at all (planned and actual both blank) are set aside, counted and noted:
  "empty rows" when every mapped column is blank, else "rows with no cost figures".
- A planned figure with a blank actual after the leaf's last actual is the plan ahead; any other
  blank amount is an error naming the rows.
- Totals that would overflow a float are refused; negative planned figures are noted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio import messages
from portfolio.amounts import ParsedAmounts, parse_amounts
from portfolio.columns import MappedColumns, named
from portfolio.decimals import widest
from portfolio.errors import InputError
from portfolio.mapping import AmountSpec, ColumnMapping
from portfolio.rownums import describe_rows, first_rows, plural

# Headroom below the largest float: levels are differenced into flows and planned is compared
# with actual, and neither may overflow once the totals have passed this check.
_TOTAL_LIMIT = float(np.finfo(np.float64).max) / 4


@dataclass(frozen=True)
class Amount:
    """One amount role parsed per row."""

    values: np.ndarray
    blank: np.ndarray
    adjusted_blank: int = 0  # rows where the second column of "A - B" was blank (taken as 0)
    decimals: int | None = 0  # the fewest decimal places every figure of its columns has


@dataclass(frozen=True)
class Figures:
    """The rows kept for their figures.

    Attributes:
        frame: The kept rows of the file (index = file row numbers).
        rows: Their file row numbers.
        planned: Planned figures of the kept rows.
        actual: Actual figures of the kept rows.
        rejected: Rows set aside (including rows cut off at the end of the file).
        baseline: Baseline plan figures of the kept rows, when a baseline is mapped.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    planned: Amount
    actual: Amount
    rejected: int
    baseline: Amount | None = None


def _amount(
    frame: pd.DataFrame, spec: AmountSpec, file: str, cache: dict[str, ParsedAmounts]
) -> Amount:
    def parsed(col: str) -> ParsedAmounts:
        if col not in cache:
            cache[col] = parse_amounts(frame[col], column=col, file=file)
        return cache[col]

    a = parsed(spec.first)
    if spec.second is None:
        return Amount(a.values, a.blank, 0, a.decimals)
    b = parsed(spec.second)
    values = a.values + spec.sign * np.where(b.blank, 0.0, b.values)
    values[a.blank] = np.nan
    adjusted = int((~a.blank & b.blank).sum())
    return Amount(values, a.blank, adjusted, widest(a.decimals, b.decimals))


def _every_amount(
    frame: pd.DataFrame, specs: dict[str, AmountSpec], file: str, cache: dict[str, ParsedAmounts]
) -> dict[str, Amount]:
    """Each role's amount; every column that does not read as numbers is named in one error
    (not only the first: the analyst fixes them all before trying again)."""
    out: dict[str, Amount] = {}
    errors: list[InputError] = []
    for role, spec in specs.items():
        try:
            out[role] = _amount(frame, spec, file, cache)
        except InputError as err:
            if str(err) not in {str(e) for e in errors}:  # "A - B" roles can share a column
                errors.append(err)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        first = errors[0]
        raise InputError(" ".join(str(e) for e in errors), column=first.column, rows=first.rows)
    return out


def _kept(amount: Amount, keep: np.ndarray) -> Amount:
    return Amount(amount.values[keep], amount.blank[keep], amount.adjusted_blank, amount.decimals)


def _set_aside_notes(
    frame: pd.DataFrame, no_cost: np.ndarray, cols: MappedColumns, notes: list[str]
) -> None:
    rows = np.asarray(frame.index)
    blank_struct = np.ones(len(frame), dtype=bool)
    for c in cols.structural:
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
            f"{plural(int(real.sum()), 'row')} with no cost figures ('{cols.planned_name}' and "
            f"'{cols.actual_name}' both blank) left out: {describe_rows(rows[real])}."
        )


def read_figures(
    frame: pd.DataFrame, cols: MappedColumns, mapping: ColumnMapping, file: str, notes: list[str]
) -> Figures:
    """Parse the amounts of every row (their errors name rows of the whole file), set aside rows
    without a cost figure and note what was done.

    Raises:
        InputError: An amount that is not a number, or no row with a cost figure.
    """
    cache: dict[str, ParsedAmounts] = {}
    specs = {"planned": (cols.planned, mapping.planned), "actual": (cols.actual, mapping.actual)}
    if cols.baseline is not None and mapping.baseline is not None:
        specs["baseline"] = (cols.baseline, mapping.baseline)
    parsed = _every_amount(frame, {r: spec for r, (spec, _) in specs.items()}, file, cache)
    planned, actual, baseline = parsed["planned"], parsed["actual"], parsed.get("baseline")
    roles = [(spec, parsed[role], expr, role) for role, (spec, expr) in specs.items()]
    for spec, amt, expr, role in roles:
        if amt.adjusted_blank:
            notes.append(
                f"In the {role} amount '{expr}', "
                f"'{spec.second}' is blank on {plural(amt.adjusted_blank, 'row')}; it was taken "
                "as 0 there."
            )
    for col, parsed_col in cache.items():
        if parsed_col.decimal_comma:
            notes.append(f"Column '{col}' uses decimal commas (as in 1.234,56): read that way.")
    no_cost = planned.blank & actual.blank
    if no_cost.any():
        _set_aside_notes(frame, no_cost, cols, notes)
    keep = ~no_cost
    if not keep.any():
        raise InputError(
            messages.NO_COST.format(file=file, planned=cols.planned_name, actual=cols.actual_name)
        )
    if not keep.all():
        frame = frame[keep]
        planned, actual = _kept(planned, keep), _kept(actual, keep)
        baseline = _kept(baseline, keep) if baseline is not None else None
    rows = np.asarray(frame.index)
    return Figures(frame, rows, planned, actual, int(no_cost.sum()), baseline)


def check_baseline(figs: Figures, cols: MappedColumns, future: np.ndarray, file: str) -> None:
    """Refuse a blank baseline on a row with data (plan-ahead rows may leave it blank).

    Raises:
        InputError: Naming the baseline column and the first rows.
    """
    if figs.baseline is None or cols.baseline is None:
        return
    blank = figs.baseline.blank & ~future
    if blank.any():
        bad = figs.rows[blank]
        col = cols.baseline.first
        raise InputError(
            f"{file}: {named(col, 'baseline')} is blank on {describe_rows(bad)} although the "
            "row has cost figures. Enter 0 where the baseline planned nothing.",
            column=col,
            rows=first_rows(bad),
        )


@dataclass(frozen=True)
class LeafPeriods:
    """Each kept row's leaf and period ordinal, and the calendar frequency."""

    leaf: np.ndarray
    ordinal: np.ndarray
    n_leaves: int
    frequency: str


def plan_ahead(
    figs: Figures, cols: MappedColumns, at: LeafPeriods, file: str, notes: list[str]
) -> np.ndarray:
    """Rows that are plan ahead (a planned figure after the leaf's last actual), per kept row.

    Raises:
        InputError: A blank planned figure beside an actual one, or a blank actual in periods up
            to the leaf's last actual (or in a single-period file).
    """
    rows, p_blank, a_blank = figs.rows, figs.planned.blank, figs.actual.blank
    if (p_blank & ~a_blank).any():
        bad = rows[p_blank & ~a_blank]
        col = cols.planned.first
        raise InputError(
            messages.PLANNED_BLANK.format(
                file=file,
                named=named(col, "planned"),
                rows=describe_rows(bad),
                actual=cols.actual_name,
            ),
            column=col,
            rows=first_rows(bad),
        )
    plan_only = a_blank & ~p_blank
    future = np.zeros(len(rows), dtype=bool)
    if not plan_only.any():
        return future
    actual_col = cols.actual.first
    if at.frequency == "single":
        bad = rows[plan_only]
        raise InputError(
            messages.ACTUAL_BLANK.format(
                file=file,
                named=named(actual_col, "actual"),
                rows=describe_rows(bad),
                planned=cols.planned_name,
            ),
            column=actual_col,
            rows=first_rows(bad),
        )
    last_actual = np.full(at.n_leaves, np.iinfo(np.int64).min, dtype=np.int64)
    has = ~a_blank
    np.maximum.at(last_actual, at.leaf[has], at.ordinal[has])
    future = plan_only & (at.ordinal > last_actual[at.leaf])
    inside = plan_only & ~future
    if inside.any():
        bad = rows[inside]
        raise InputError(
            messages.ACTUAL_BLANK_BEFORE_LAST.format(
                file=file, named=named(actual_col, "actual"), rows=describe_rows(bad)
            ),
            column=actual_col,
            rows=first_rows(bad),
        )
    notes.append(
        f"{plural(int(future.sum()), 'row')} with a planned figure but no actual yet "
        f"(after the item's last actual) kept as the plan ahead: {describe_rows(rows[future])}."
    )
    return future


def check_totals(figs: Figures, cols: MappedColumns, file: str) -> None:
    """Refuse amounts whose totals overflow a float: every sum (rollup, cumulative) would be inf.

    The check is on planned and actual (and the baseline) together: each may fit alone while
    their sum, or the difference of a large overrun and a large underrun, does not.
    """
    pairs = [(figs.planned.values, cols.planned), (figs.actual.values, cols.actual)]
    if figs.baseline is not None and cols.baseline is not None:
        pairs.append((figs.baseline.values, cols.baseline))
    with np.errstate(over="ignore", invalid="ignore"):
        totals = [float(np.nansum(np.abs(values))) for values, _ in pairs]
        if float(np.sum(totals)) < _TOTAL_LIMIT:
            return
    values, spec = pairs[int(np.argmax(totals))]
    rows = figs.rows
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


def negative_planned(figs: Figures, notes: list[str]) -> int:
    """The number of rows with a negative planned figure (allowed, noted for a check)."""
    negative = ~figs.planned.blank & (figs.planned.values < 0)
    n_negative = int(negative.sum())
    if n_negative:
        notes.append(
            f"{plural(n_negative, 'row')} with a negative planned figure (allowed, please check): "
            f"{describe_rows(figs.rows[negative])}."
        )
    return n_negative
