"""At completion (hypothesis): parents add up the BAC, remaining plan and EAC of their children."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.completion import AHEAD_COLUMNS, at_completion
from portfolio.rollup import rollup

LEVELS = ["a", "b"]
PERIODS = ["2024-01", "2024-02", "2024-03"]
AHEAD = ["2024-04", "2024-05"]
AMOUNTS = st.integers(min_value=-400, max_value=400).map(lambda v: v / 4)


@st.composite
def files(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """History rows and plan-ahead rows for 1 to 6 two-level leaves."""
    names = st.sampled_from(["x", "y", "z"])
    leaves = draw(st.lists(st.tuples(names, names), min_size=1, max_size=6, unique=True))
    rows, ahead = [], []
    for leaf in leaves:
        for period in draw(st.lists(st.sampled_from(PERIODS), min_size=1, unique=True)):
            rows.append((*leaf, period, draw(AMOUNTS), draw(AMOUNTS)))
        for period in draw(st.lists(st.sampled_from(AHEAD), unique=True)):
            ahead.append((*leaf, period, draw(AMOUNTS)))
    data = pd.DataFrame(rows, columns=[*LEVELS, "period", "planned", "actual"])
    future = pd.DataFrame(ahead, columns=[*LEVELS, "period", "planned"])
    return data, future


def _ahead(future: pd.DataFrame) -> pd.DataFrame:
    if future.empty:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c == "planned" else str) for c in AHEAD_COLUMNS}
        )
    rolled = rollup(future.assign(actual=0.0), LEVELS, AHEAD)
    return rolled.loc[rolled["planned"] != 0, list(AHEAD_COLUMNS)]


@settings(max_examples=60, deadline=None)
@given(files())
def test_parents_add_up_their_children(file: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    data, future = file
    table = at_completion(rollup(data, LEVELS, PERIODS), _ahead(future)).table
    columns = ["bac", "remaining_plan", "eac_plan", "vac_plan", "actual_to_date"]
    kids = table[table["parent"] != ""].groupby("parent")[columns].sum()
    parents = table.set_index("node").loc[kids.index, columns]
    np.testing.assert_allclose(parents.to_numpy(), kids.to_numpy(), atol=1e-9)
    root = table[table["node"] == "All"].iloc[0]
    assert root["bac"] == float(data["planned"].sum()) + float(future["planned"].sum())
    assert (table["eac_plan"] == table["actual_to_date"] + table["remaining_plan"]).all()
    done = table["remaining_plan"] == 0
    assert (table.loc[done, "eac_rate"] == table.loc[done, "actual_to_date"]).all()
