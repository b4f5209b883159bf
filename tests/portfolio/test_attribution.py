"""Drift attribution: children add up to their parent exactly, in every window."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.attribution import (
    ATTRIBUTION_COLUMNS,
    Window,
    attribute,
    drill_down,
    top_contributors,
    window_variance,
)
from portfolio.errors import InputError
from portfolio.node_ids import closest_ids, did_you_mean
from portfolio.rollup import ROOT, rollup

LEVELS = ["a", "b", "c"]
PERIODS = ["2024-01", "2024-02", "2024-03"]
NAMES = st.sampled_from(["x", "y", "z", "Ops / Net"])

SMALL = pd.DataFrame(
    [
        ("Ops", "Net", "", "2024-01", 100.0, 150.0),
        ("Ops", "Net", "", "2024-02", 100.0, 90.0),
        ("Ops", "Srv", "A", "2024-01", 50.0, 80.0),
        ("Ops", "Srv", "B", "2024-02", 50.0, 20.0),
        ("Dev", "App", "", "2024-02", 40.0, 60.0),
    ],
    columns=[*LEVELS, "period", "planned", "actual"],
)


@st.composite
def portfolios(draw: st.DrawFn) -> pd.DataFrame:
    """Ragged leaves (no leaf path a prefix of another) with quarter-unit amounts."""
    paths = draw(st.lists(st.lists(NAMES, min_size=1, max_size=3), min_size=1, max_size=8))
    leaves: list[tuple[str, ...]] = []
    for path in sorted({tuple(p) for p in paths}, key=len, reverse=True):
        if not any(other[: len(path)] == path for other in leaves):
            leaves.append(path)
    amounts = st.integers(min_value=-1000, max_value=1000).map(lambda v: v / 4)
    rows = []
    for leaf in leaves:
        for period in draw(st.lists(st.sampled_from(PERIODS), min_size=1, unique=True)):
            padded = (*leaf, *([""] * (len(LEVELS) - len(leaf))))
            rows.append((*padded, period, draw(amounts), draw(amounts)))
    return pd.DataFrame(rows, columns=[*LEVELS, "period", "planned", "actual"])


WINDOWS = st.sampled_from(
    [
        Window(),
        Window("period", "2024-02"),
        Window("to_date", "2024-01"),
        Window("change", "2024-03", since="2024-01"),
    ]
)


@settings(max_examples=60, deadline=None)
@given(portfolios(), WINDOWS, st.booleans())
def test_shares_sum_to_one_at_every_parent(data: pd.DataFrame, window: Window, leaves: bool):
    rolled = rollup(data, LEVELS, PERIODS)
    variance = window_variance(rolled, window)
    parents = sorted(set(rolled["parent"]) - {""})
    for parent in parents:
        table = attribute(rolled, parent, window, leaves=leaves)
        assert list(table.columns) == list(ATTRIBUTION_COLUMNS)
        assert table["variance"].sum() == pytest.approx(variance[parent], abs=1e-9)
        if variance[parent] != 0:
            assert table["share"].sum() == pytest.approx(1.0, abs=1e-9)
        else:
            assert table["share"].isna().all()


def test_children_and_leaves_of_a_small_file() -> None:
    rolled = rollup(SMALL, LEVELS, ["2024-01", "2024-02"])
    kids = attribute(rolled, "Ops").set_index("child")
    assert kids.loc["Ops / Net", "variance"] == 40.0 and kids.loc["Ops / Srv", "variance"] == 0
    assert kids.loc["Ops / Net", "share"] == 1.0
    leaves = attribute(rolled, ROOT, leaves=True)
    assert leaves["child"].tolist() == ["Ops / Net", "Ops / Srv / A", "Ops / Srv / B", "Dev / App"]
    assert leaves["variance"].sum() == pytest.approx(60.0)
    one = attribute(rolled, "Ops", Window("period", "2024-02")).set_index("child")
    assert one.loc["Ops / Net", "variance"] == -10 and one.loc["Ops / Srv", "variance"] == -30
    assert one["share"].sum() == pytest.approx(1.0)
    change = attribute(rolled, ROOT, Window("change", since="2024-01")).set_index("child")
    assert change.loc["Dev", "variance"] == 20 and change.loc["Ops", "variance"] == -40


def test_zero_variance_parent_has_empty_shares() -> None:
    rolled = rollup(SMALL, LEVELS, ["2024-01", "2024-02"])
    table = attribute(rolled, "Ops / Srv")
    assert table["variance"].sum() == 0 and table["share"].isna().all()


def test_drill_down_follows_the_largest_contributor_to_a_leaf() -> None:
    rolled = rollup(SMALL, LEVELS, ["2024-01", "2024-02"])
    path = drill_down(rolled, ROOT)
    assert path["child"].tolist() == ["Ops", "Ops / Net"]
    assert path["share"].tolist() == pytest.approx([40 / 60, 1.0])
    assert drill_down(rolled, "Ops / Net").empty


def test_top_contributors_per_parent_in_the_given_order() -> None:
    rolled = rollup(SMALL, LEVELS, ["2024-01", "2024-02"])
    top = top_contributors(rolled, ["Ops", ROOT, "Dev / App"], n=1)
    assert top[["node", "child"]].values.tolist() == [["Ops", "Ops / Net"], [ROOT, "Ops"]]
    assert math.isclose(top["share"].iloc[1], 40 / 60)
    assert top_contributors(rolled, []).empty


def test_children_exactly_on_plan_are_no_contributors() -> None:
    on_plan = pd.concat(
        [SMALL, pd.DataFrame([("Ops", "Idle", "", "2024-01", 40.0, 40.0)], columns=SMALL.columns)]
    )
    rolled = rollup(on_plan, LEVELS, ["2024-01", "2024-02"])
    top = top_contributors(rolled, ["Ops"], n=5)
    # Idle is on plan; Srv's two items cancel out (+30, -30): only Net contributes
    assert top["child"].tolist() == ["Ops / Net"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"node": "Nope"}, "no node 'Nope'"),
        ({"node": "Ops / Net"}, "no children"),
        ({"node": ROOT, "window": Window("period", "2023-07")}, "not a period of this file"),
        ({"node": ROOT, "window": Window("change", "2024-01", since="2024-02")}, "before"),
        ({"node": ROOT, "window": Window("change", "2024-01", since="2024-01")}, "before"),
    ],
)
def test_bad_input_is_named(kwargs: dict, message: str) -> None:
    rolled = rollup(SMALL, LEVELS, ["2024-01", "2024-02"])
    with pytest.raises(InputError, match=message):
        attribute(rolled, **kwargs)


def test_window_variance_matches_plain_pandas() -> None:
    rolled = rollup(SMALL, LEVELS, ["2024-01", "2024-02"])
    change = window_variance(rolled, Window("change", since="2024-01"))
    second = rolled[rolled["period"] == "2024-02"].set_index("node")["variance"]
    np.testing.assert_allclose(change.reindex(second.index), second)


def test_a_node_typed_loosely_gets_the_id_it_meant() -> None:
    rolled = rollup(SMALL, LEVELS, ["2024-01", "2024-02"])
    with pytest.raises(InputError, match=r"Did you mean 'Ops / Net'\?"):
        attribute(rolled, "ops/net", Window("to_date", "2024-02"))
    with pytest.raises(InputError) as far:
        attribute(rolled, "Payroll", Window("to_date", "2024-02"))
    assert "Did you mean" not in str(far.value)


def test_closest_ids_read_the_written_separator_as_a_slash() -> None:
    ids = ["All", "Interior / Mainframe \u2215 Server", "Interior / Network"]
    assert closest_ids("Interior / Mainframe / Server", ids) == [ids[1]]
    assert closest_ids("interior / netwrok", ids) == [ids[2]]
    assert did_you_mean("Treasury", ids) == ""
