"""Rollup: small portfolios with hand-computed figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from portfolio.errors import InputError
from portfolio.rollup import OUTPUT_COLUMNS, ROLLUP_COLUMNS, ROOT, SEP, path_id, rollup

PERIODS = ["2024-01", "2024-02", "2024-03"]


def frame(rows: list[tuple[str, str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["program", "project", "period", "planned", "actual"])


@pytest.fixture
def small() -> pd.DataFrame:
    return frame(
        [
            ("Ops", "Network", "2024-01", 100.0, 110.0),
            ("Ops", "Network", "2024-02", 100.0, 130.0),
            ("Ops", "Servers", "2024-01", 50.0, 40.0),
            ("Ops", "Servers", "2024-03", 50.0, 50.0),
            ("Dev", "", "2024-02", 0.0, 20.0),  # ragged: Dev is a leaf at level 1
        ]
    )


def row(rolled: pd.DataFrame, node: str, period: str) -> pd.Series:
    hit = rolled[(rolled["node"] == node) & (rolled["period"] == period)]
    assert len(hit) == 1, (node, period)
    return hit.iloc[0]


def test_columns_and_dense_shape(small: pd.DataFrame) -> None:
    rolled = rollup(small, ["program", "project"], PERIODS)
    assert tuple(rolled.columns) == OUTPUT_COLUMNS
    assert tuple(rolled.columns[: len(ROLLUP_COLUMNS)]) == ROLLUP_COLUMNS
    # All, Dev, Ops, Ops / Network, Ops / Servers: 5 nodes x 3 periods
    assert len(rolled) == 15
    nodes = rolled["node"].drop_duplicates().tolist()
    assert nodes == [ROOT, "Dev", "Ops", f"Ops{SEP}Network", f"Ops{SEP}Servers"]
    assert rolled.groupby("node")["period"].apply(list).map(lambda p: p == PERIODS).all()


def test_root_parent_name_level(small: pd.DataFrame) -> None:
    rolled = rollup(small, ["program", "project"], PERIODS)
    meta = rolled.drop_duplicates("node").set_index("node")
    assert meta.loc[ROOT, "level"] == 0
    assert meta.loc[ROOT, "parent"] == ""
    assert meta.loc[ROOT, "name"] == ROOT
    assert meta.loc["Dev", "level"] == 1 and meta.loc["Dev", "parent"] == ROOT
    assert meta.loc["Ops / Network", "level"] == 2
    assert meta.loc["Ops / Network", "parent"] == "Ops"
    assert meta.loc["Ops / Network", "name"] == "Network"


def test_hand_computed_figures(small: pd.DataFrame) -> None:
    rolled = rollup(small, ["program", "project"], PERIODS)
    ops1 = row(rolled, "Ops", "2024-01")
    assert ops1["planned"] == 150.0 and ops1["actual"] == 150.0
    assert ops1["variance"] == 0.0 and ops1["variance_pct"] == 0.0
    ops2 = row(rolled, "Ops", "2024-02")
    assert ops2["variance"] == 30.0
    assert ops2["variance_pct"] == pytest.approx(0.30)
    assert ops2["cum_planned"] == 250.0 and ops2["cum_actual"] == 280.0
    assert ops2["cum_variance_pct"] == pytest.approx(30 / 250)
    # a node with no row in a period is present with zeros
    net3 = row(rolled, "Ops / Network", "2024-03")
    assert net3["planned"] == 0.0 and net3["actual"] == 0.0
    assert math.isnan(net3["variance_pct"])
    assert net3["cum_planned"] == 200.0 and net3["cum_variance"] == 40.0
    root3 = row(rolled, ROOT, "2024-03")
    assert root3["cum_planned"] == 300.0
    assert root3["cum_actual"] == 110 + 130 + 40 + 50 + 20
    assert root3["cum_variance_pct"] == pytest.approx(50 / 300)


def test_ratio_after_summing_not_average() -> None:
    data = frame(
        [
            ("P", "a", "2024-01", 10.0, 20.0),  # +100 %
            ("P", "b", "2024-01", 990.0, 990.0),  # 0 %
        ]
    )
    rolled = rollup(data, ["program", "project"], ["2024-01"])
    assert row(rolled, "P", "2024-01")["variance_pct"] == pytest.approx(10 / 1000)


def test_unplanned_spend_has_undefined_percentage(small: pd.DataFrame) -> None:
    rolled = rollup(small, ["program", "project"], PERIODS)
    dev2 = row(rolled, "Dev", "2024-02")
    assert dev2["variance"] == 20.0
    assert math.isnan(dev2["variance_pct"]) and math.isnan(dev2["cum_variance_pct"])
    assert not np.isinf(rolled[["variance_pct", "cum_variance_pct"]].to_numpy()).any()


def test_cancelling_flows_snap_to_exact_zero() -> None:
    data = frame(
        [
            ("P", "a", "2024-01", 0.1, 0.1),
            ("P", "b", "2024-01", 0.2, 0.2),
            ("P", "c", "2024-01", -0.3, -0.3),
        ]
    )
    rolled = rollup(data, ["program", "project"], ["2024-01"])
    p1 = row(rolled, "P", "2024-01")
    assert p1["planned"] == 0.0 and p1["variance"] == 0.0
    assert math.isnan(p1["variance_pct"])


def test_same_name_under_different_parents_are_different_nodes() -> None:
    data = frame(
        [
            ("Ops", "Refresh", "2024-01", 1.0, 2.0),
            ("Dev", "Refresh", "2024-01", 5.0, 5.0),
        ]
    )
    rolled = rollup(data, ["program", "project"], ["2024-01"])
    assert row(rolled, "Ops / Refresh", "2024-01")["actual"] == 2.0
    assert row(rolled, "Dev / Refresh", "2024-01")["actual"] == 5.0


def test_node_that_is_both_leaf_and_parent_keeps_its_own_rows() -> None:
    data = frame(
        [
            ("Ops", "", "2024-01", 10.0, 10.0),
            ("Ops", "Net", "2024-01", 5.0, 7.0),
        ]
    )
    rolled = rollup(data, ["program", "project"], ["2024-01"])
    assert row(rolled, "Ops", "2024-01")["actual"] == 17.0
    assert row(rolled, "Ops / Net", "2024-01")["actual"] == 7.0


def test_single_period_and_one_level() -> None:
    data = pd.DataFrame(
        {
            "agency": ["A", "B"],
            "period": ["all", "all"],
            "planned": [1.0, 3.0],
            "actual": [2.0, 3.0],
        }
    )
    rolled = rollup(data, ["agency"], ["all"])
    assert rolled["node"].tolist() == [ROOT, "A", "B"]
    assert rolled["cum_variance"].tolist() == [1.0, 1.0, 0.0]


def test_empty_data_gives_root_with_zeros() -> None:
    data = frame([])
    rolled = rollup(data, ["program", "project"], PERIODS)
    assert rolled["node"].tolist() == [ROOT] * 3
    assert (rolled["cum_planned"] == 0).all()


def test_period_outside_calendar_is_an_input_error(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match=r"2024-03"):
        rollup(small, ["program", "project"], ["2024-01", "2024-02"])


def test_missing_column_is_an_input_error(small: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="item"):
        rollup(small, ["program", "item"], PERIODS)


def test_separator_inside_a_level_value_keeps_paths_apart() -> None:
    data = frame(
        [
            ("a / b", "c", "2024-01", 1.0, 2.0),
            ("a", "b / c", "2024-01", 10.0, 20.0),
        ]
    )
    rolled = rollup(data, ["program", "project"], ["2024-01"])
    assert rolled["node"].is_unique
    first = row(rolled, path_id(["a / b", "c"]), "2024-01")
    assert first["actual"] == 2.0 and first["name"] == "c" and first["parent"] == "a ∕ b"
    second = row(rolled, path_id(["a", "b / c"]), "2024-01")
    assert second["actual"] == 20.0 and second["name"] == "b / c"
    assert path_id(["a", "b / c", ""]) == "a / b ∕ c"
    assert path_id(["", ""]) == ROOT


def test_overflowing_totals_are_refused() -> None:
    data = frame([("a", "b", "2024-01", 1e308, 1.0), ("a", "c", "2024-01", 1e308, 1.0)])
    with pytest.raises(InputError, match="too large"):
        rollup(data, ["program", "project"], ["2024-01"])


def test_planned_and_actual_overflowing_only_together_are_refused() -> None:
    # Each column adds up, but an underrun of 1e308 beside an overrun of 1e308 does not compare.
    data = frame([("a", "b", "2024-01", 1e308, 1.0), ("a", "c", "2024-01", 1.0, -1e308)])
    with pytest.raises(InputError, match="too large to compare"):
        rollup(data, ["program", "project"], ["2024-01"])
