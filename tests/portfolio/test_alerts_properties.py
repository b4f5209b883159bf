"""Alert properties (hypothesis): stricter thresholds never add alerts."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.alerts import AlertRule, evaluate, latest_status
from portfolio.rollup import rollup

PERIODS = [f"2024-{m:02d}" for m in range(1, 7)]
SEVERITY = {"green": 0, "amber": 1, "red": 2}


@st.composite
def rolled_portfolios(draw: st.DrawFn) -> pd.DataFrame:
    n_leaves = draw(st.integers(min_value=1, max_value=5))
    amounts = st.integers(min_value=0, max_value=200).map(float)
    rows = []
    for i in range(n_leaves):
        for period in PERIODS:
            rows.append((f"G{i % 2}", f"L{i}", period, draw(amounts), draw(amounts)))
    data = pd.DataFrame(rows, columns=["g", "leaf", "period", "planned", "actual"])
    return rollup(data, ["g", "leaf"], PERIODS)


@st.composite
def rule_pairs(draw: st.DrawFn) -> tuple[AlertRule, AlertRule]:
    """A rule and a stricter one (thresholds, floor and persistence raised or kept)."""
    amber = draw(st.floats(min_value=0, max_value=80))
    red = draw(st.floats(min_value=amber + 0.5, max_value=150))
    basis = draw(st.sampled_from(["cumulative", "period"]))
    direction = draw(st.sampled_from(["both", "overrun"]))
    floor = draw(st.floats(min_value=0, max_value=50))
    k = draw(st.integers(min_value=1, max_value=3))
    loose = AlertRule(amber, red, basis, floor, direction, k)
    amber2 = amber + draw(st.floats(min_value=0, max_value=40))
    red2 = max(red + draw(st.floats(min_value=0, max_value=40)), amber2 + 0.5)
    floor2 = floor + draw(st.floats(min_value=0, max_value=30))
    k2 = k + draw(st.integers(min_value=0, max_value=2))
    strict = AlertRule(amber2, red2, basis, floor2, direction, k2)
    return loose, strict


@settings(max_examples=80, deadline=None)
@given(rolled_portfolios(), rule_pairs())
def test_raising_thresholds_never_adds_alerts(rolled: pd.DataFrame, rules) -> None:
    loose, strict = rules
    before = evaluate(rolled, loose)["status"].map(SEVERITY).to_numpy()
    after = evaluate(rolled, strict)["status"].map(SEVERITY).to_numpy()
    assert (after <= before).all()


@settings(max_examples=40, deadline=None)
@given(rolled_portfolios(), rule_pairs())
def test_overrun_only_never_adds_alerts(rolled: pd.DataFrame, rules) -> None:
    loose, _ = rules
    both = AlertRule(loose.amber_pct, loose.red_pct, loose.basis, loose.floor, "both", 1)
    over = AlertRule(loose.amber_pct, loose.red_pct, loose.basis, loose.floor, "overrun", 1)
    a = evaluate(rolled, both)["status"].map(SEVERITY).to_numpy()
    b = evaluate(rolled, over)["status"].map(SEVERITY).to_numpy()
    assert (b <= a).all()


@settings(max_examples=40, deadline=None)
@given(rolled_portfolios(), rule_pairs())
def test_every_row_gets_a_status_and_latest_is_last_period(rolled: pd.DataFrame, rules) -> None:
    statuses = evaluate(rolled, rules[0])
    assert statuses["status"].isin(["green", "amber", "red"]).all()
    assert len(statuses) == len(rolled)
    latest = latest_status(statuses)
    assert latest["node"].is_unique and set(latest["node"]) == set(rolled["node"])
    assert (latest["period"] == PERIODS[-1]).all()
    assert np.all((latest["periods_in_status"] >= 1) & (latest["periods_in_status"] <= 6))


@settings(max_examples=40, deadline=None)
@given(rolled_portfolios(), rule_pairs(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_statuses(rolled: pd.DataFrame, rules, rnd) -> None:
    order = list(range(len(rolled)))
    rnd.shuffle(order)
    shuffled = rolled.iloc[order]
    expected = evaluate(rolled, rules[1])["status"]
    got = evaluate(shuffled, rules[1])["status"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index())


@settings(max_examples=40, deadline=None)
@given(rolled_portfolios(), rule_pairs())
def test_periods_in_status_matches_a_plain_count(rolled: pd.DataFrame, rules) -> None:
    statuses = evaluate(rolled, rules[0])
    latest = latest_status(statuses).set_index("node")
    for node, rows in statuses.groupby("node"):
        history = rows.sort_values("period")["status"].tolist()
        run = 0
        for status in reversed(history):
            if status != history[-1]:
                break
            run += 1
        assert latest.loc[node, "status"] == history[-1]
        assert latest.loc[node, "periods_in_status"] == run
