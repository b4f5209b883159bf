"""Column mapping: validation on creation, amount expressions, and guessing roles from names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.errors import InputError
from portfolio.guess_reforecast import reforecast_pair
from portfolio.mapping import (
    DEFAULT_LEVELS,
    NYC_CAPITAL_MAPPING,
    ColumnMapping,
    guess_mapping,
    resolve_amount,
    split_amount,
)


def test_defaults():
    m = ColumnMapping()
    assert m.levels == DEFAULT_LEVELS
    assert (m.period, m.planned, m.actual, m.measure) == ("period", "planned", "actual", "flow")
    assert m.label == "all"
    assert ColumnMapping(period=None, period_label="FY2012").label == "FY2012"


def test_levels_given_as_a_list_become_a_tuple():
    m = ColumnMapping(levels=["a", "b"])  # type: ignore[arg-type]
    assert m.levels == ("a", "b")
    hash(m)  # frozen and hashable: the app caches on it


def test_more_than_eight_levels_are_refused():
    levels = tuple(f"l{i}" for i in range(9))
    with pytest.raises(InputError, match=r"9 hierarchy levels were chosen .*at most 8"):
        ColumnMapping(levels=levels)
    assert len(ColumnMapping(levels=levels[:8]).levels) == 8


def test_no_levels_refused():
    with pytest.raises(InputError, match="at least one level"):
        ColumnMapping(levels=())


def test_column_used_twice_is_refused():
    with pytest.raises(InputError, match="'project' is listed twice among the hierarchy levels"):
        ColumnMapping(levels=("program", "project", "project"))
    with pytest.raises(InputError, match="'period' is used twice"):
        ColumnMapping(levels=("program", "period"))
    with pytest.raises(InputError, match=r"used twice .*planned amount"):
        ColumnMapping(levels=("program", "planned"))
    with pytest.raises(InputError, match="choose two different columns"):
        ColumnMapping(planned="x", actual="x")


def test_amounts_may_share_a_column():
    m = ColumnMapping(levels=("a",), planned="forecast - changes", actual="forecast")
    assert split_amount(m.planned) == ("forecast", "changes")


def test_bad_measure_and_frequency():
    with pytest.raises(InputError, match="Measure"):
        ColumnMapping(measure="stock")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="Frequency"):
        ColumnMapping(frequency="W")  # type: ignore[arg-type]


def test_resolve_amount_expressions():
    cols = ["A", "B", "Budget Forecast", "Total Budget Changes", "X - Y"]
    single = resolve_amount("A", cols)
    assert single is not None and single.columns == ("A",) and single.sign == 0
    spec = resolve_amount("Budget Forecast - Total Budget Changes", cols)
    assert spec is not None and spec.sign == -1
    assert spec.columns == ("Budget Forecast", "Total Budget Changes")
    plus = resolve_amount("A + B", cols)
    assert plus is not None and plus.sign == 1
    # a column whose own name has " - " in it is taken as that column
    whole = resolve_amount("X - Y", cols)
    assert whole is not None and whole.columns == ("X - Y",)
    assert resolve_amount("A - nope", cols) is None


def test_guess_default_names():
    cols = ["portfolio", "program", "project", "item", "period", "planned", "actual"]
    assert guess_mapping(cols) == ColumnMapping()


def test_guess_is_case_insensitive_and_knows_common_names():
    m = guess_mapping(["Month", "Programme", "Project", "PO", "Budget", "Spend"])
    assert m.levels == ("Programme", "Project", "PO")
    assert (m.period, m.planned, m.actual) == ("Month", "Budget", "Spend")


def test_guess_it_dashboard_columns():
    cols = [
        "Unique Investment Identifier",
        "Agency Code",
        "Agency Name",
        "Investment Title",
        "Project ID",
        "Project Name",
        "Start Date",
        "Completion Date (B1)",
        "Planned Cost ($ M)",
        "Projected/Actual Cost ($ M)",
        "Updated Date and Time",
    ]
    m = guess_mapping(cols)
    assert m.period is None  # event dates are not the period: a single-period file
    assert m.planned == "Planned Cost ($ M)"
    assert m.actual == "Projected/Actual Cost ($ M)"
    assert m.levels[0] == "Agency Name"  # names preferred over codes
    assert "Investment Title" in m.levels


def test_guess_nyc_columns():
    cols = [
        "Date Reported As Of",
        "PID",
        "Project Name",
        "Category",
        "Managing Agency",
        "Client Agency",
        "Budget Forecast",
        "Total Budget Changes",
    ]
    m = guess_mapping([*cols, "Latest Budget Changes", "Total Schedule Changes"])
    assert m.period == "Date Reported As Of"
    assert m.levels[:2] == ("Managing Agency", "Category")
    # a re-forecast export: the original plan is the current forecast less its total changes
    assert m.planned == "Budget Forecast - Total Budget Changes"
    assert m.actual == "Budget Forecast"
    assert m.measure == "level"
    assert "Total Budget Changes" not in m.levels and "PID" not in (m.planned, m.actual)


def test_a_reforecast_pair_needs_a_total_change_of_the_same_amount() -> None:
    assert reforecast_pair(["Cost Estimate", "Total Cost Changes"]) == (
        "Cost Estimate",
        "Total Cost Changes",
    )
    assert reforecast_pair(["Budget Forecast", "Latest Budget Changes"]) is None  # not a total
    assert reforecast_pair(["Budget Forecast", "Total Cost Changes"]) is None  # other money
    assert reforecast_pair(["Schedule Forecast", "Total Schedule Changes"]) is None
    m = guess_mapping(["project", "period", "Cost Estimate", "Total Cost Changes"])
    assert (m.planned, m.actual) == ("Cost Estimate - Total Cost Changes", "Cost Estimate")
    # without periods there is nothing to measure as a level
    single = guess_mapping(["project", "Cost Estimate", "Total Cost Changes"])
    assert single.measure == "flow" and single.period is None
    # a planned or an actual column by name wins over the pair
    named = guess_mapping(
        ["project", "period", "Actual", "Budget Forecast", "Total Budget Changes"]
    )
    assert named.actual == "Actual" and " - " not in named.planned


def test_the_nyc_file_is_guessed_as_its_documented_mapping(nyc_capital_csv: Path) -> None:
    frame = pd.read_csv(nyc_capital_csv, dtype=str)
    assert guess_mapping(list(frame.columns), frame) == NYC_CAPITAL_MAPPING


def test_guess_always_returns_a_valid_mapping():
    m = guess_mapping(["foo", "bar", "baz"])
    assert isinstance(m, ColumnMapping)
    assert len({*m.levels, m.planned, m.actual}) == len(m.levels) + 2


_WORDS = [
    "plan",
    "Actual",
    "date",
    "PO",
    "project",
    "Agency",
    "cost",
    "ID",
    "x",
    "",
    "period",
    "Budget",
    "spend",
    "item",
    "Portfolio",
    "program",
    "category",
    "total",
    "name",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3).map(" ".join),
        max_size=12,
        unique=True,
    )
)
def test_guess_never_raises_and_uses_each_column_once(columns):
    m = guess_mapping(columns)
    used = [*m.levels, *([m.period] if m.period else []), m.planned, m.actual]
    real = [c for c in used if c in columns]
    assert len(real) == len(set(real))
