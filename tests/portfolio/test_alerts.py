"""Alert rules and statuses on small hand-made rollups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from portfolio.alerts import AlertRule, alert_table, evaluate, latest_status
from portfolio.errors import InputError
from portfolio.rollup import rollup


def series(planned: list[float], actual: list[float], node: str = "X") -> pd.DataFrame:
    """A one-leaf portfolio, one period per value."""
    periods = [f"2024-{m:02d}" for m in range(1, len(planned) + 1)]
    data = pd.DataFrame({"p": node, "period": periods, "planned": planned, "actual": actual})
    return rollup(data, ["p"], periods)


def leaf_status(rolled: pd.DataFrame, rule: AlertRule, node: str = "X") -> list[str]:
    out = evaluate(rolled, rule)
    return out.loc[out["node"] == node, "status"].tolist()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"amber_pct": 30, "red_pct": 30}, "below the red"),
        ({"amber_pct": 40, "red_pct": 30}, "below the red"),
        ({"amber_pct": -1}, "0 % or more"),
        ({"floor": -5}, "floor"),
        ({"persistence": 0}, "Persistence"),
        ({"persistence": 1.5}, "Persistence"),
        ({"basis": "monthly"}, "basis"),
        ({"direction": "underrun"}, "direction"),
        ({"amber_pct": float("nan")}, "finite"),
        ({"red_pct": "high"}, "number"),
    ],
)
def test_rule_validation(kwargs: dict, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        AlertRule(**kwargs)


def test_rule_is_frozen_and_normalised() -> None:
    rule = AlertRule(amber_pct=5, red_pct=20, floor=1)
    assert isinstance(rule.amber_pct, float) and rule.amber_pct == 5.0
    with pytest.raises(AttributeError):
        rule.amber_pct = 3.0  # type: ignore[misc]


def test_cumulative_bands() -> None:
    # cumulative variance %: 5 %, 15 %, 40 %, 20 %
    rolled = series([100, 100, 100, 100], [105, 125, 190, 60])
    assert rolled.loc[rolled["node"] == "X", "cum_variance_pct"].round(4).tolist() == [
        0.05,
        0.15,
        0.4,
        0.2,
    ]
    assert leaf_status(rolled, AlertRule()) == ["green", "amber", "red", "amber"]


def test_period_basis_uses_each_period_alone() -> None:
    rolled = series([100, 100, 100], [105, 125, 60])  # period %: 5, 25, -40
    assert leaf_status(rolled, AlertRule(basis="period")) == ["green", "amber", "red"]


def test_band_edges_are_inclusive() -> None:
    rolled = series([100, 100], [110, 150])  # cumulative: 10 %, 30 %
    assert leaf_status(rolled, AlertRule()) == ["amber", "red"]


def test_direction_overrun_ignores_underruns() -> None:
    rolled = series([100, 100, 100], [50, 100, 400])  # cumulative: -50 %, -25 %, +50 %
    assert leaf_status(rolled, AlertRule(direction="both")) == ["red", "amber", "red"]
    assert leaf_status(rolled, AlertRule(direction="overrun")) == ["green", "green", "red"]


def test_direction_overrun_alerts_above_a_negative_plan_too() -> None:
    # a credit of 100 planned, 50 received: 50 more spent than planned, variance % -50 %
    rolled = series([-100, -100], [-50, -300])  # cumulative variance +50 (-50 %), -150 (+75 %)
    assert leaf_status(rolled, AlertRule(direction="overrun")) == ["red", "green"]
    assert leaf_status(rolled, AlertRule(direction="both")) == ["red", "red"]


def test_floor_silences_small_amounts() -> None:
    rolled = series([10, 10], [20, 40])  # cumulative variance 10 (100 %), 40 (200 %)
    assert leaf_status(rolled, AlertRule(floor=25)) == ["green", "red"]
    assert leaf_status(rolled, AlertRule(floor=40)) == ["green", "red"]
    assert leaf_status(rolled, AlertRule(floor=41)) == ["green", "green"]


def test_persistence_needs_consecutive_periods() -> None:
    # period %: 50, 0, 50, 50, 15, 50
    rolled = series([100] * 6, [150, 100, 150, 150, 115, 150])
    rule = AlertRule(basis="period", persistence=2)
    assert leaf_status(rolled, rule) == ["green", "green", "green", "red", "amber", "amber"]
    assert leaf_status(rolled, AlertRule(basis="period", persistence=1)) == [
        "red",
        "green",
        "red",
        "red",
        "amber",
        "red",
    ]


def test_persistence_does_not_carry_across_nodes() -> None:
    a = pd.DataFrame(
        {"p": "A", "period": ["2024-01", "2024-02"], "planned": 100.0, "actual": [100.0, 100.0]}
    )
    b = pd.DataFrame(
        {"p": "B", "period": ["2024-01", "2024-02"], "planned": 100.0, "actual": [200.0, 200.0]}
    )
    rolled = rollup(pd.concat([a, b]), ["p"], ["2024-01", "2024-02"])
    rule = AlertRule(basis="period", persistence=2)
    out = evaluate(rolled, rule)
    assert out.loc[out["node"] == "B", "status"].tolist() == ["green", "red"]


def test_unplanned_spend_is_red_unless_below_floor() -> None:
    rolled = series([0, 0, 0], [0, 5, 0], node="X")  # period basis: nothing, 5 unplanned, nothing
    assert leaf_status(rolled, AlertRule(basis="period")) == ["green", "red", "green"]
    assert leaf_status(rolled, AlertRule(basis="period", floor=6)) == ["green"] * 3
    refund = series([0, 0], [0, -5])
    assert leaf_status(refund, AlertRule(basis="period", direction="overrun")) == ["green"] * 2
    assert leaf_status(refund, AlertRule(basis="period")) == ["green", "red"]


def test_evaluate_keeps_row_order_and_columns_for_shuffled_input() -> None:
    rolled = series([100] * 4, [150, 100, 150, 150])
    rule = AlertRule(basis="period", persistence=2)
    expected = evaluate(rolled, rule)
    shuffled = rolled.sample(frac=1.0, random_state=3)
    got = evaluate(shuffled, rule)
    assert list(got.index) == list(shuffled.index)
    pd.testing.assert_series_equal(got["status"].sort_index(), expected["status"].sort_index())
    assert list(got.columns) == [*rolled.columns, "status"]


def test_latest_status_counts_periods_in_status() -> None:
    rolled = series([100] * 5, [100, 150, 100, 150, 150])
    statuses = evaluate(rolled, AlertRule(basis="period"))
    latest = latest_status(statuses)
    assert latest["node"].tolist() == ["All", "X"]
    x = latest.set_index("node").loc["X"]
    assert x["period"] == "2024-05" and x["status"] == "red"
    assert x["periods_in_status"] == 2
    assert x["cum_planned"] == 500 and x["cum_actual"] == 650


def test_alert_table_worst_first() -> None:
    data = pd.DataFrame(
        {
            "p": ["Calm", "Mild", "Hot", "Hotter", "Unplanned"],
            "period": "2024-01",
            "planned": [100.0, 100.0, 100.0, 100.0, 0.0],
            "actual": [101.0, 115.0, 140.0, 180.0, 3.0],
        }
    )
    rolled = rollup(data, ["p"], ["2024-01"])
    table = alert_table(evaluate(rolled, AlertRule()))
    assert table["node"].tolist() == ["Unplanned", "Hotter", "Hot", "All", "Mild"]
    assert table["status"].tolist() == ["red", "red", "red", "red", "amber"]
    assert "Calm" not in set(table["node"])
    # All: planned 400, actual 539 -> 34.75 %, red but milder than Hot
    assert np.isclose(table.set_index("node").loc["All", "cum_variance_pct"], 139 / 400)


def test_alert_table_empty_when_all_green() -> None:
    rolled = series([100, 100], [100, 101])
    assert alert_table(evaluate(rolled, AlertRule())).empty
