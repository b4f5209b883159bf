"""Column mapping: which columns of a file hold the hierarchy levels, the period and the amounts.

An amount role (`planned`, `actual`) names one column, or combines two columns as ``"A - B"`` or
``"A + B"`` (the spaces around the sign are required). A column whose own name contains `` - `` is
always taken as that column. In a combined amount the first column is the figure and the second
an adjustment: the result is blank when the first is blank, and a blank adjustment counts as 0 (the
load summary says how many times that happened). NYC's original budget is
``"Budget Forecast - Total Budget Changes"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from portfolio import column_words as vocab
from portfolio.errors import InputError
from portfolio.guess_reforecast import reforecast_pair

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_LEVELS: tuple[str, ...] = ("portfolio", "program", "project", "item")
MAX_LEVELS = 8
MEASURES = ("flow", "level")
FREQUENCIES = ("auto", "M", "Q", "Y")

_EXPR = re.compile(r"\s+([-+])\s+")


@dataclass(frozen=True)
class AmountSpec:
    """An amount role resolved to file columns: `first` alone, or `first` +/- `second`."""

    first: str
    sign: int = 0  # 0: single column; +1: first + second; -1: first - second
    second: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.first,) if self.second is None else (self.first, self.second)


def split_amount(expr: str) -> tuple[str, ...]:
    """The column names an amount role refers to, before checking them against a file.

    ``"a - b"`` gives ``("a", "b")``; a plain name gives ``(name,)``. Used for validating a mapping
    without a file; `resolve_amount` decides against the real columns.
    """
    parts = _EXPR.split(expr)
    if len(parts) == 3 and parts[0].strip() and parts[2].strip():
        return (parts[0].strip(), parts[2].strip())
    return (expr,)


def resolve_amount(expr: str, columns: Sequence[str]) -> AmountSpec | None:
    """Resolve an amount role against a file's columns (exact names); None when it does not fit."""
    if expr in columns:
        return AmountSpec(expr)
    # try every " - " / " + " split point, so that column names containing a sign still work
    for match in _EXPR.finditer(expr):
        left, right = expr[: match.start()].strip(), expr[match.end() :].strip()
        if left in columns and right in columns:
            return AmountSpec(left, -1 if match.group(1) == "-" else 1, right)
    return None


@dataclass(frozen=True)
class ColumnMapping:
    """Which file columns play which role. Validated on creation (raises `InputError`).

    Attributes:
        levels: Hierarchy columns, top to bottom (1 to 8).
        period: The period column, or None for a file without one (a single-period portfolio).
        planned: Planned cost: a column, or ``"A - B"`` / ``"A + B"`` of two columns.
        actual: Actual cost, same forms.
        measure: ``"flow"`` (spend in the period) or ``"level"`` (a running total or re-forecast).
        sum_duplicates: Sum rows that repeat a (leaf, period) instead of rejecting the file.
        period_label: The period name given to a file without a period column (default ``"all"``).
        frequency: ``"auto"`` (inferred) or ``"M"``, ``"Q"``, ``"Y"`` to force a coarser calendar.
        baseline: An optional second plan (the original baseline beside the current plan), same
            forms as ``planned``; None when there is none.
    """

    levels: tuple[str, ...] = DEFAULT_LEVELS
    period: str | None = "period"
    planned: str = "planned"
    actual: str = "actual"
    measure: Literal["flow", "level"] = "flow"
    sum_duplicates: bool = False
    period_label: str | None = None
    frequency: Literal["auto", "M", "Q", "Y"] = "auto"
    baseline: str | None = None

    def __post_init__(self) -> None:
        levels = (self.levels,) if isinstance(self.levels, str) else tuple(self.levels)
        object.__setattr__(self, "levels", levels)
        if not levels:
            raise InputError("No hierarchy level was chosen: pick at least one level column.")
        if len(levels) > MAX_LEVELS:
            raise InputError(
                f"{len(levels)} hierarchy levels were chosen ({', '.join(levels)}); "
                f"at most {MAX_LEVELS} are supported. Combine or drop some levels."
            )
        if self.period is not None and not self.period.strip():
            object.__setattr__(self, "period", None)
        if self.measure not in MEASURES:
            raise InputError(f"Measure must be 'flow' or 'level', not {self.measure!r}.")
        if self.frequency not in FREQUENCIES:
            raise InputError(f"Frequency must be 'auto', 'M', 'Q' or 'Y', not {self.frequency!r}.")
        for role in ("planned", "actual"):
            if not str(getattr(self, role)).strip():
                raise InputError(f"No {role} column was chosen.")
        if self.planned == self.actual:
            raise InputError(
                f"Planned and actual are both {self.planned!r}: choose two different columns."
            )
        if self.baseline is not None and not str(self.baseline).strip():
            object.__setattr__(self, "baseline", None)
        for role in ("planned", "actual"):
            if self.baseline is not None and self.baseline == getattr(self, role):
                raise InputError(
                    f"The baseline plan is {self.baseline!r}, the same as the {role} amount: "
                    "choose another column for the baseline, or none."
                )
        used: dict[str, str] = {}
        structural = [(c, "a hierarchy level") for c in levels]
        if self.period is not None:
            structural.append((self.period, "the period"))
        for col, role in structural:
            if col in used and role == used[col]:
                raise InputError(f"Column {col!r} is listed twice among the hierarchy levels.")
            if col in used:
                raise InputError(
                    f"Column {col!r} is used twice (as {used[col]} and as {role}); "
                    "each column can play one role only."
                )
            used[col] = role
        for role in ("planned", "actual", "baseline"):
            if getattr(self, role) is None:
                continue
            for col in split_amount(getattr(self, role)):
                if col in used:
                    raise InputError(
                        f"Column {col!r} is used twice (as {used[col]} and in the {role} amount); "
                        "each column can play one role only."
                    )

    @property
    def label(self) -> str:
        """The label of the single period of a file without a period column."""
        return self.period_label or "all"


_norm = vocab.normalise


def _pick(columns: Sequence[str], exact: Sequence[str], contains: Sequence[str]) -> str | None:
    normed = [_norm(c) for c in columns]
    for want in exact:
        for col, n in zip(columns, normed, strict=True):
            if n == want:
                return col
    for word in contains:
        for col, n in zip(columns, normed, strict=True):
            if word in n.split() or n.startswith(word + " "):
                return col
    return None


def _name_levels(rest: Sequence[str]) -> list[str]:
    """Level columns recognised by their names, one per rank, top to bottom."""
    ranked: list[tuple[int, int, str]] = []
    for pos, col in enumerate(rest):
        n = _norm(col)
        words = n.split()
        for word, rank in vocab.LEVEL_WORDS:
            if n == word or word in words or (" " in word and word in n):
                # prefer names/titles over ids/codes at the same rank
                penalty = 1 if any(w in vocab.ID_WORDS for w in words) else 0
                ranked.append((rank, penalty * 1000 + pos, col))
                break
    levels: list[str] = []
    seen_ranks: set[int] = set()
    for rank, _, col in sorted(ranked):
        if rank not in seen_ranks:
            seen_ranks.add(rank)
            levels.append(col)
    return levels[:MAX_LEVELS]


def _amount_pools(leftovers: list[str], sample: pd.DataFrame | None) -> list[list[str]]:
    """Columns to try for an unrecognised amount, best first: a money-like name first, never an
    id, a date or a description; with a sample, columns whose figures read as amounts first."""
    money = [
        c
        for c in leftovers
        if set(_norm(c).split()) & vocab.MONEY_WORDS
        and not set(_norm(c).split()) & vocab.NOT_MONEY_WORDS
    ]
    plain = [c for c in leftovers if not set(_norm(c).split()) & vocab.NOT_MONEY_WORDS]
    pools = [money, plain, list(leftovers)]
    if sample is not None:
        from portfolio.nesting import reads_as_amounts  # pandas: only with a sample

        numeric = [c for c in leftovers if reads_as_amounts(sample, c)]
        pools = [[c for c in pool if c in numeric] for pool in pools] + pools
    return pools


def guess_mapping(columns: Sequence[str], sample: pd.DataFrame | None = None) -> ColumnMapping:
    """Guess the roles of a file's columns from their names (case-insensitive) and, when a sample
    of its rows is given, from the data.

    The defaults (``portfolio, program, project, item, period, planned, actual``) win when present;
    otherwise common names are recognised (plan/planned/budget/baseline, actual/actuals/spend,
    period/date/month/quarter/year, agency/program/investment/category/project/item/PO...). With
    `sample`, the other text columns that nest between the levels found by name (each value of a
    finer column belongs to one value of the coarser one) are added in place, coarse to fine
    (`portfolio.nesting`); without a level name, the levels are the columns that nest. A file
    with no planned or actual name but a current estimate and its total change since the original
    (`portfolio.guess_reforecast`: NYC's ``Budget Forecast`` and ``Total Budget Changes``) gets
    planned = estimate - changes, actual = estimate, measured as levels when it has periods. Always
    returns a valid mapping: when nothing is recognised, the roles fall back to the first columns.
    Used to pre-fill the mapping form; the analyst confirms it.

    Args:
        columns: The file's column names.
        sample: The file's rows as read (`RawTable.frame`), optional.
    """
    cols = [c for c in columns if str(c).strip()]
    planned = _pick(cols, vocab.PLANNED, ("planned", "plan", "budget", "baseline"))
    actual = _pick(
        [c for c in cols if c != planned], vocab.ACTUAL, ("actual", "actuals", "spend", "spent")
    )
    pair = None if _pick(cols, (*vocab.PLANNED, *vocab.ACTUAL), ()) else reforecast_pair(cols)
    if pair is not None:  # a re-forecast export: the original plan is the estimate less its changes
        planned, actual = f"{pair[0]} - {pair[1]}", pair[0]
    rest = [c for c in cols if c not in (planned, actual, *(pair or ()))]
    # dates of events (start, completion, last update) are attributes of a row, not its period
    dated = [c for c in rest if not set(_norm(c).split()) & vocab.NOT_PERIOD]
    period = _pick(dated, vocab.PERIOD, ("date", "period", "month", "quarter"))
    rest = [c for c in rest if c != period]
    levels = _name_levels(rest)
    leftovers = [c for c in rest if c not in levels]
    for pool in _amount_pools(leftovers, sample):
        for col in pool:
            if planned is not None and actual is not None:
                break
            if col not in leftovers:
                continue
            if planned is None:
                planned = col
            else:
                actual = col
            leftovers.remove(col)
    if sample is not None:
        from portfolio.nesting import add_nested_levels, unique_leaf  # pandas: with a sample

        levels = add_nested_levels(levels, leftovers, sample, MAX_LEVELS)
        levels = unique_leaf(levels, [c for c in leftovers if c not in levels], sample, period)
        leftovers = [c for c in leftovers if c not in levels]
    if not levels and leftovers:
        levels = [leftovers.pop(0)]
    return ColumnMapping(
        levels=tuple(levels) if levels else DEFAULT_LEVELS,
        period=period,
        planned=planned or "planned",
        actual=actual or "actual",
        # an estimate as it stood at each report is a level
        measure="level" if pair is not None and period is not None else "flow",
    )


# The two real portfolios of ../shared/realdata (documented in docs/realdata.md).
IT_DASHBOARD_MAPPING = ColumnMapping(
    levels=("Agency Name", "Investment Title", "Project ID"),
    period=None,
    planned="Planned Cost ($ M)",
    actual="Projected/Actual Cost ($ M)",
    measure="flow",
)
NYC_CAPITAL_MAPPING = ColumnMapping(
    levels=("Managing Agency", "Category", "PID"),
    period="Date Reported As Of",
    planned="Budget Forecast - Total Budget Changes",
    actual="Budget Forecast",
    measure="level",
)
