"""Plan versions: the rollup's baseline columns and the plan changes, computed by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from portfolio.alerts import AlertRule, evaluate, latest_status
from portfolio.errors import InputError
from portfolio.plancharts import plan_versions_chart
from portfolio.planversions import (
    PLAN_CHANGE_COLUMNS,
    REBASELINED_COLUMNS,
    against_baseline,
    has_baseline,
    plan_changes,
    rebaselined,
)
from portfolio.rollup import BASELINE_COLUMNS, OUTPUT_COLUMNS, ROLLUP_COLUMNS, ROOT, rollup

LEVELS = ["program", "project"]
PERIODS = ["2024-01", "2024-02", "2024-03"]
# Network was re-baselined in February: plan 100 -> 140 while its baseline stays 100; it spends
# 130 and 150, so against the current plan it looks nearly on track, against the baseline not.
ROWS = [
    ("Ops", "Network", "2024-01", 100.0, 100.0, 105.0),
    ("Ops", "Network", "2024-02", 140.0, 100.0, 130.0),
    ("Ops", "Network", "2024-03", 140.0, 100.0, 150.0),
    ("Ops", "Servers", "2024-01", 50.0, 50.0, 50.0),
    ("Ops", "Servers", "2024-02", 50.0, 50.0, 45.0),
    ("Ops", "Servers", "2024-03", 30.0, 50.0, 30.0),  # plan cut in March
]


def data(with_baseline: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame(
        ROWS, columns=["program", "project", "period", "planned", "baseline", "actual"]
    )
    return frame if with_baseline else frame.drop(columns="baseline")


def at(frame: pd.DataFrame, node: str, period: str) -> pd.Series:
    hit = frame[(frame["node"] == node) & (frame["period"] == period)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_rollup_columns_unchanged_without_a_baseline():
    rolled = rollup(data(with_baseline=False), LEVELS, PERIODS)
    assert tuple(rolled.columns) == OUTPUT_COLUMNS
    assert not has_baseline(rolled)
    with pytest.raises(InputError, match="No baseline plan is mapped"):
        plan_changes(rolled)


def test_rollup_gains_baseline_and_baseline_variance():
    rolled = rollup(data(), LEVELS, PERIODS)
    assert tuple(rolled.columns) == (*ROLLUP_COLUMNS, *BASELINE_COLUMNS, "parent", "name")
    feb = at(rolled, "Ops / Network", "2024-02")
    assert (feb["planned"], feb["baseline"], feb["actual"]) == (140.0, 100.0, 130.0)
    assert feb["variance"] == -10.0 and feb["baseline_variance"] == 30.0
    root = at(rolled, ROOT, "2024-03")
    assert root["baseline"] == 150.0 and root["baseline_variance"] == 30.0
    # the plan columns are exactly what they are without a baseline
    plain = rollup(data(with_baseline=False), LEVELS, PERIODS)
    pd.testing.assert_frame_equal(rolled.loc[:, list(OUTPUT_COLUMNS)], plain)


def test_plan_changes_say_where_and_when_the_plan_moved():
    changes = plan_changes(rollup(data(), LEVELS, PERIODS))
    assert tuple(changes.columns) == PLAN_CHANGE_COLUMNS
    net = changes[changes["node"] == "Ops / Network"]
    assert net["plan_change"].tolist() == [0.0, 40.0, 40.0]
    assert net["cum_plan_change"].tolist() == [0.0, 40.0, 80.0]
    assert net["cum_variance"].tolist() == [5.0, -5.0, 5.0]  # on plan, it seems
    assert net["cum_baseline_variance"].tolist() == [5.0, 35.0, 85.0]  # the drift it hides
    srv = changes[changes["node"] == "Ops / Servers"]
    assert srv["plan_change"].tolist() == [0.0, 0.0, -20.0]
    root = changes[changes["node"] == ROOT]
    assert root["cum_plan_change"].tolist() == [0.0, 40.0, 60.0]


def test_rebaselined_lists_the_largest_moves_first_with_first_and_last_change():
    table = rebaselined(rollup(data(), LEVELS, PERIODS))
    assert tuple(table.columns) == REBASELINED_COLUMNS
    assert table["node"].tolist()[:3] == ["Ops / Network", ROOT, "Ops"]  # 80, 60, 60
    net = table.set_index("node").loc["Ops / Network"]
    assert (net["changes"], net["first_change"], net["last_change"]) == (2, "2024-02", "2024-03")
    assert net["cum_planned"] == 380.0 and net["cum_baseline"] == 300.0
    assert math.isclose(net["cum_variance_pct"], 5 / 380)
    assert math.isclose(net["cum_baseline_variance_pct"], 85 / 300)
    srv = table.set_index("node").loc["Ops / Servers"]
    assert (srv["changes"], srv["first_change"], srv["last_change"]) == (1, "2024-03", "2024-03")


def test_a_node_whose_plan_never_moved_has_no_change_periods():
    rows = [(*r[:3], r[4], r[4], r[5]) for r in ROWS]  # current plan = baseline everywhere
    frame = pd.DataFrame(
        rows, columns=["program", "project", "period", "planned", "baseline", "actual"]
    )
    table = rebaselined(rollup(frame, LEVELS, PERIODS))
    assert (table["changes"] == 0).all() and (table["first_change"] == "").all()
    assert (table["cum_plan_change"] == 0).all()


def test_alerts_against_the_baseline_show_what_re_baselining_hid():
    rolled = rollup(data(), LEVELS, PERIODS)
    rule = AlertRule(amber_pct=10, red_pct=25)
    vs_plan = latest_status(evaluate(rolled, rule)).set_index("node")["status"]
    vs_base = latest_status(evaluate(against_baseline(rolled), rule)).set_index("node")["status"]
    assert vs_plan["Ops / Network"] == "green"  # +1.3 % against the current plan
    assert vs_base["Ops / Network"] == "red"  # +28.3 % against the baseline
    base = against_baseline(rolled)
    net = at(base, "Ops / Network", "2024-03")
    assert net["cum_planned"] == 300.0 and net["cum_variance"] == 85.0


def test_the_plan_versions_chart_puts_plan_changes_on_their_own_round_axis():
    fig = plan_versions_chart(plan_changes(rollup(data(), LEVELS, PERIODS)), "Ops / Network")
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 1 and bars[0].yaxis == "y2"
    assert list(bars[0].y) == [0.0, 40.0, 40.0]
    assert fig.layout.yaxis2.tickmode == "auto"  # not synced to the left axis's grid
