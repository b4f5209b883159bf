"""The period of each row and the regular calendar they are put on (rule: `portfolio.periods`).

`read_timeline` turns the period column into period ordinals at the calendar's frequency (one
period for a file without a period column) and says in words what was done with dates or fiscal
labels; `make_calendar` lays out the calendar from the first to the last period with an actual,
refuses one too big to hold and notes its gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from portfolio.errors import InputError
from portfolio.mapping import ColumnMapping
from portfolio.periods import (
    FREQUENCY_NAMES,
    ParsedPeriods,
    calendar,
    check_frequency,
    infer_frequency,
    parse_periods,
    to_ordinal,
)
from portfolio.rownums import plural

# Items x periods of the dense grid: 10x the 1M-row benchmark, whose peak was about 0.8 GB.
MAX_GRID_CELLS = 10_000_000


@dataclass(frozen=True)
class Timeline:
    """The period of each kept row.

    Attributes:
        frequency: ``"M"``, ``"Q"``, ``"Y"`` or ``"single"``.
        ordinal: Period ordinal at `frequency` per row.
        stamp: Exact moment per row (orders reports in a period, tells duplicates apart).
        description: A note on how the periods were read ("" when they are plain labels).
    """

    frequency: str
    ordinal: np.ndarray
    stamp: np.ndarray
    description: str = ""


@dataclass(frozen=True)
class Calendar:
    """The regular calendar: ordinals `first` to `last` with their `labels`."""

    first: int
    last: int
    labels: tuple[str, ...]
    frequency: str


def _describe(parsed: ParsedPeriods, frequency: str, column: str, measure: str) -> str:
    text = ""
    if parsed.native == "D":
        text = (
            f"Column '{column}' holds dates ({parsed.family}); they were put on a "
            f"{FREQUENCY_NAMES[frequency]} calendar: each date goes to the period that "
            "contains it"
            + (
                "; several dates of an item in one period are summed."
                if measure == "flow"
                else "; the last report in a period wins and is carried forward to later periods."
            )
        )
    elif frequency != parsed.native:
        text = (
            f"Column '{column}' holds {FREQUENCY_NAMES[parsed.native]} periods, grouped "
            f"into {FREQUENCY_NAMES[frequency]} ones as asked."
        )
    if parsed.family.startswith("fiscal"):
        text = (
            f"Column '{column}' holds {parsed.family}s, labelled by their number "
            "(FY2024 is shown as 2024, FY2024 Q1 as 2024-Q1). " + text
        ).strip()
    return text


def read_timeline(
    frame: pd.DataFrame, period: str | None, mapping: ColumnMapping, leaf: np.ndarray, file: str
) -> Timeline:
    """The period of each row of `frame` (index = file row numbers).

    Raises:
        InputError: Periods that cannot be read, or a calendar finer than the data's own.
    """
    if period is None:
        ordinal = np.zeros(len(frame), dtype=np.int64)
        return Timeline(
            "single", ordinal, ordinal, f"No period column: one period, '{mapping.label}'."
        )
    parsed = parse_periods(frame[period], column=period, file=file)
    if mapping.frequency == "auto":
        frequency = infer_frequency(parsed, leaf)
    else:
        frequency = check_frequency(parsed.native, mapping.frequency, column=period, file=file)
    return Timeline(
        frequency,
        to_ordinal(parsed.month, frequency),
        parsed.stamp,
        _describe(parsed, frequency, period, mapping.measure),
    )


@dataclass(frozen=True)
class GridRows:
    """What the grid check needs to name rows: the file row numbers and the rows with data."""

    n_leaves: int
    rows: np.ndarray
    ordinal: np.ndarray
    data_sel: np.ndarray


def _check_grid(cal: Calendar, grid: GridRows, file: str) -> None:
    """Refuse a calendar that makes the dense item x period grid too big to hold.

    Every item gets a figure in every period of the calendar, so one wrong year (``9999-12``
    beside ``2024-01``) would ask for millions of periods per item and exhaust the memory.
    """
    labels = cal.labels
    cells = grid.n_leaves * len(labels)
    if cells <= MAX_GRID_CELLS:
        return
    used_rows, used_ord = grid.rows[grid.data_sel], grid.ordinal[grid.data_sel]
    first = int(used_rows[used_ord == cal.first][0])
    last = int(used_rows[used_ord == cal.last][0])
    raise InputError(
        f"{file}: {grid.n_leaves:,} items over {len(labels):,} periods ({labels[0]} on row "
        f"{first} to {labels[-1]} on row {last}) make {cells:,} item-periods, more than the "
        f"{MAX_GRID_CELLS:,} that can be held. Check those rows for a wrong year, choose a "
        "quarterly or yearly calendar, or split the file.",
        rows=(first, last),
    )


def _calendar_note(cal: Calendar, ordinals: np.ndarray, measure: str) -> str:
    labels = cal.labels
    present = np.zeros(len(labels), dtype=bool)
    present[np.unique(ordinals) - cal.first] = True
    gaps = [lab for lab, ok in zip(labels, present, strict=True) if not ok]
    note = (
        f"{FREQUENCY_NAMES[cal.frequency].capitalize()} calendar from {labels[0]} to "
        f"{labels[-1]} ({plural(len(labels), 'period')})."
    )
    if gaps:
        shown = ", ".join(gaps[:5]) + (f" and {len(gaps) - 5} more" if len(gaps) > 5 else "")
        note += (
            f" {plural(len(gaps), 'period')} of it {'has' if len(gaps) == 1 else 'have'} no "
            f"row in the file ({shown})"
            + (
                ": nothing was spent or planned there."
                if measure == "flow"
                else ": the levels are carried forward."
            )
        )
    return note


def make_calendar(
    timeline: Timeline, grid: GridRows, mapping: ColumnMapping, file: str, notes: list[str]
) -> Calendar:
    """The calendar from the first to the last period of the rows with data, noted with its gaps.

    Raises:
        InputError: The item x period grid would be too big to hold.
    """
    used = timeline.ordinal[grid.data_sel]
    first, last = int(used.min()), int(used.max())
    frequency = timeline.frequency
    labels = calendar(first, last, frequency) if frequency != "single" else [mapping.label]
    cal = Calendar(first, last, tuple(labels), frequency)
    _check_grid(cal, grid, file)
    if timeline.description:
        notes.append(timeline.description)
    if frequency != "single":
        notes.append(_calendar_note(cal, used, mapping.measure))
    return cal
