"""Periods: inferring the frequency, the regular calendar and its labels.

The formats the period column may hold, and their parsing, are in `portfolio.period_parse`.

Calendar rule. Month, quarter and year labels are their own periods. Dates are put on a regular
calendar: the frequency is the coarsest of yearly, quarterly and monthly on which no leaf has two
different report days in the same period (monthly when even that fails, and when the file has a
single date). A date belongs to the period that contains it. The calendar runs without gaps from
the first to the last period of the data. When several dates of one leaf fall in one period, their
flows are summed, and for a level the last report in the period wins. A level is carried forward
to every later period of the calendar (the last value stands until a new one is reported), and its
flows are its differences (the first period's flow is the level itself).

Labels: monthly ``YYYY-MM``, quarterly ``YYYY-Qn``, yearly ``YYYY``; labels of one frequency sort
correctly as strings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from portfolio.errors import InputError
from portfolio.period_formats import ADVICE

if TYPE_CHECKING:
    from portfolio.period_parse import ParsedPeriods, parse_periods

__all__ = [
    "ADVICE",
    "FREQUENCY_NAMES",
    "ParsedPeriods",
    "calendar",
    "check_frequency",
    "infer_frequency",
    "label_of",
    "next_periods",
    "ordinal_of",
    "parse_periods",
    "to_ordinal",
]


def __getattr__(name: str) -> object:
    """``parse_periods`` and ``ParsedPeriods`` (the parser imports pandas), loaded on first use:
    the calendar helpers here serve the SQL engines, which need no pandas for month labels."""
    if name in ("parse_periods", "ParsedPeriods"):
        from portfolio import period_parse

        return getattr(period_parse, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


FREQUENCY_NAMES = {"M": "monthly", "Q": "quarterly", "Y": "yearly", "single": "single period"}
_RANK = {"M": 0, "Q": 1, "Y": 2}


def infer_frequency(parsed: ParsedPeriods, leaf: np.ndarray) -> str:
    """The calendar frequency for parsed periods (see the module docstring for the rule).

    Args:
        parsed: The parsed period column.
        leaf: Integer leaf code per row (the same length).
    """
    if parsed.native != "D":
        return parsed.native
    day = parsed.stamp // (86_400 * 1_000_000_000)
    if len(np.unique(day)) <= 1:
        return "M"
    pairs_day = np.unique(
        leaf.astype(np.int64) * (int(day.max() - day.min()) + 1) + (day - day.min())
    )
    for freq in ("Y", "Q"):
        ordinal = to_ordinal(parsed.month, freq)
        span = int(ordinal.max() - ordinal.min()) + 1
        pairs = np.unique(leaf.astype(np.int64) * span + (ordinal - ordinal.min()))
        if len(pairs) == len(pairs_day):
            return freq
    return "M"


def check_frequency(native: str, wanted: str, *, column: str, file: str) -> str:
    """Resolve a requested frequency against the data's own ("auto" keeps it)."""
    if wanted == "auto":
        return native
    if native != "D" and _RANK[wanted] < _RANK[native]:
        raise InputError(
            f"{file}: column '{column}' holds {FREQUENCY_NAMES[native]} periods; they cannot be "
            f"split into {FREQUENCY_NAMES[wanted]} ones. Choose {FREQUENCY_NAMES[native]} or "
            "coarser.",
            column=column,
        )
    return wanted


def to_ordinal(month: np.ndarray | int, frequency: str) -> np.ndarray:
    """Period ordinal at `frequency` from a month index (year * 12 + month - 1)."""
    m = np.asarray(month, dtype=np.int64)
    if frequency == "M":
        return m
    if frequency == "Q":
        return m // 3
    if frequency == "Y":
        return m // 12
    raise ValueError(f"unknown frequency {frequency!r}")


def label_of(ordinal: int, frequency: str) -> str:
    """The label of a period ordinal: ``2024-01``, ``2024-Q1`` or ``2024``."""
    if frequency == "M":
        y, m = divmod(int(ordinal), 12)
        return f"{y:04d}-{m + 1:02d}"
    if frequency == "Q":
        y, q = divmod(int(ordinal), 4)
        return f"{y:04d}-Q{q + 1}"
    if frequency == "Y":
        return f"{int(ordinal):04d}"
    raise ValueError(f"unknown frequency {frequency!r}")


def calendar(first: int, last: int, frequency: str) -> list[str]:
    """Every period label from ordinal `first` to `last` inclusive, without gaps."""
    return [label_of(o, frequency) for o in range(int(first), int(last) + 1)]


_LABEL_RX = {
    "M": re.compile(r"^(\d{4})-(\d{2})$"),
    "Q": re.compile(r"^(\d{4})-Q([1-4])$"),
    "Y": re.compile(r"^(\d{4})$"),
}


def ordinal_of(label: str, frequency: str) -> int:
    """The ordinal of a period label of the given frequency (inverse of `label_of`)."""
    rx = _LABEL_RX.get(frequency)
    match = rx.match(label.strip()) if rx else None
    if match is None:
        raise InputError(
            f"{label!r} is not a {FREQUENCY_NAMES.get(frequency, frequency)} period label "
            "(expected 2024-01, 2024-Q1 or 2024)."
        )
    y = int(match.group(1))
    if frequency == "M":
        m = int(match.group(2))
        if not 1 <= m <= 12:
            raise InputError(f"{label!r} is not a month (expected 2024-01 to 2024-12).")
        return y * 12 + m - 1
    if frequency == "Q":
        return y * 4 + int(match.group(2)) - 1
    return y


def next_periods(last: str, n: int, frequency: str) -> list[str]:
    """The `n` period labels that follow `last` on the calendar of `frequency` ("M", "Q", "Y").

    Raises:
        InputError: `last` is not a label of that frequency, or the portfolio has a single period.
    """
    if frequency == "single":
        raise InputError("A single-period portfolio has no next periods to forecast.")
    start = ordinal_of(last, frequency)
    return [label_of(start + k, frequency) for k in range(1, int(n) + 1)]
