"""At completion: EAC, VAC and spend index checked by hand on a small file with plan ahead."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from portfolio.alerts import AlertRule
from portfolio.completion import (
    BASE_COLUMNS,
    FORECAST_COLUMNS,
    STATUS_COLUMNS,
    completion_of,
    plan_ahead,
    worst_first,
)
from portfolio.completion_backtest import BACKTEST_COLUMNS, backtest_methods
from portfolio.errors import InputError
from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping
from portfolio.rollup import rollup_portfolio

# Ops / Net runs on with plan ahead; Ops / Srv has finished (last plan 2024-02); Dev / New has
# spent 5 against no plan to date and plans 80 ahead.
SMALL = """program,project,period,planned,actual
Ops,Net,2024-01,100,110
Ops,Net,2024-02,100,130
Ops,Net,2024-03,100,120
Ops,Net,2024-04,100,
Ops,Net,2024-05,50,
Ops,Srv,2024-01,50,40
Ops,Srv,2024-02,50,70
Ops,Srv,2024-03,0,0
Dev,New,2024-01,0,0
Dev,New,2024-02,0,0
Dev,New,2024-03,0,5
Dev,New,2024-04,80,
"""
MAPPING = ColumnMapping(levels=("program", "project"))


@pytest.fixture(scope="module")
def small():
    p = load_portfolio(SMALL.encode(), MAPPING, name="small.csv")
    return p, rollup_portfolio(p)


def _rows(table: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(r["node"]): r for _, r in table.iterrows()}


def test_hand_computed_figures(small) -> None:
    p, rolled = small
    done = completion_of(p, rolled)
    assert list(done.output.columns) == [*BASE_COLUMNS, *STATUS_COLUMNS]
    rows = _rows(done.table)
    net = rows["Ops / Net"]
    assert (net["bac"], net["planned_to_date"], net["actual_to_date"]) == (450, 300, 360)
    assert net["remaining_plan"] == 150 and net["completion_period"] == "2024-05"
    assert net["eac_plan"] == 510 and net["spend_index"] == pytest.approx(1.2)
    assert net["eac_rate"] == pytest.approx(540) and net["vac_plan"] == -60
    assert net["vac_rate"] == pytest.approx(-90)  # negative: an overrun
    assert net["status"] == "amber" and net["eac_basis"] == "rate"  # +20 % at completion

    srv = rows["Ops / Srv"]  # finished: nothing remains, every EAC is what it cost
    assert srv["remaining_plan"] == 0 and srv["completion_period"] == "2024-02"
    assert srv["eac_plan"] == 110 and srv["eac_rate"] == pytest.approx(110)
    assert srv["spend_index"] == pytest.approx(1.1) and srv["vac_rate"] == pytest.approx(-10)

    new = rows["Dev / New"]  # spend against no plan to date: no spend index
    assert new["planned_to_date"] == 0 and new["bac"] == 80 and new["eac_plan"] == 85
    assert math.isnan(new["spend_index"]) and math.isnan(new["eac_rate"])
    assert math.isnan(new["vac_rate"]) and new["vac_plan"] == -5
    assert new["eac_basis"] == "plan" and new["status"] == "green"  # +6.25 %

    ops = rows["Ops"]  # the parent's index is its own ratio after summing
    assert ops["spend_index"] == pytest.approx(470 / 400)
    assert ops["eac_rate"] == pytest.approx(470 + 150 * 470 / 400)
    root = rows["All"]
    assert (root["bac"], root["eac_plan"]) == (630, 705)
    assert any("no spend index" in n for n in done.notes)


def test_parent_eac_plan_equals_sum_of_children(sample_csv) -> None:
    p = load_portfolio(sample_csv)
    table = completion_of(p, rollup_portfolio(p)).table
    kids = table[table["parent"] != ""].groupby("parent")[["eac_plan", "bac"]].sum()
    parents = table.set_index("node").loc[kids.index]
    np.testing.assert_allclose(parents["eac_plan"], kids["eac_plan"], rtol=1e-12)
    np.testing.assert_allclose(parents["bac"], kids["bac"], rtol=1e-12)
    root = table[table["node"] == "All"].iloc[0]
    future = float(p.future_plan["planned"].sum())
    assert root["bac"] == pytest.approx(float(p.data["planned"].sum()) + future, rel=1e-12)


def test_forecast_eac_within_and_past_the_horizon(small) -> None:
    p, rolled = small
    forecast = pd.DataFrame(
        {
            "node": ["Ops / Net", "Ops / Srv", "Ops / Net"],
            "period": ["2024-04", "2024-04", "2024-03"],  # a period to date is ignored
            "step": [1, 1, 0],
            "median": [10.0, 7.0, 999.0],
            "lower": [5.0, 1.0, 999.0],
            "upper": [20.0, 9.0, 999.0],
        }
    )
    done = completion_of(p, rolled, forecast=forecast, rule=AlertRule())
    assert list(done.output.columns) == [*BASE_COLUMNS, *FORECAST_COLUMNS, *STATUS_COLUMNS]
    rows = _rows(done.table)
    net = rows["Ops / Net"]
    # 2024-04 inside the horizon adds 10; 2024-05 past it is carried at 10 / 100 of its plan 50.
    assert net["eac_forecast"] == pytest.approx(360 + 150 + 10 + 5)
    assert net["eac_lower"] == pytest.approx(510 + 5 + 2.5)
    assert net["eac_upper"] == pytest.approx(510 + 20 + 10)
    assert net["vac_forecast"] == pytest.approx(450 - 525)
    assert net["eac_basis"] == "forecast"
    assert rows["Ops / Srv"]["eac_forecast"] == pytest.approx(110)  # finished: nothing added
    assert math.isnan(rows["Dev / New"]["eac_forecast"])
    text = " ".join(done.notes)
    assert "carried at the last forecast rate" in text and "not in the forecast" in text


def test_forecast_frame_without_band_is_refused(small) -> None:
    p, rolled = small
    bad = pd.DataFrame({"node": ["All"], "period": ["2024-04"], "median": [1.0]})
    with pytest.raises(InputError, match="lower"):
        completion_of(p, rolled, forecast=bad)


def test_plan_ahead_sums_to_every_level(small) -> None:
    p, _ = small
    ahead = plan_ahead(p).set_index(["node", "period"])["planned"]
    assert ahead[("All", "2024-04")] == 180 and ahead[("Ops", "2024-05")] == 50
    assert ahead[("Dev / New", "2024-04")] == 80


def test_worst_first_puts_red_then_the_largest_gap_first(small) -> None:
    p, rolled = small
    table = completion_of(p, rolled, rule=AlertRule(amber_pct=5, red_pct=15)).table
    ordered = worst_first(table)
    assert ordered["status"].iloc[0] == "red"
    assert ordered["node"].iloc[0] == "Ops / Net"  # +20 %, the largest red
    assert ordered["status"].tolist() == sorted(
        ordered["status"], key=lambda s: {"red": 0, "amber": 1, "green": 2}[s]
    )


def test_method_backtest_by_hand(small) -> None:
    p, rolled = small
    table = completion_of(p, rolled).table
    result = backtest_methods(rolled, table)
    assert list(result.table.columns) == list(BACKTEST_COLUMNS)
    # Only Ops / Srv has finished; at 2024-01 it had spent 40 of 50, its BAC is 100, final 110.
    first = result.table[result.table["cutoff"] == "2024-01"].set_index("method")
    assert first.loc["plan", "items"] == 1
    assert first.loc["plan", "wape"] == pytest.approx(20 / 110)  # 40 + 50 = 90
    assert first.loc["rate", "wape"] == pytest.approx(30 / 110)  # 40 + 50 * 0.8 = 80
    assert first.loc["rate", "bias"] == pytest.approx(-30 / 110)
    assert "plan method came closer" in result.verdict
    assert "trust EAC by plan" in result.verdict and "eac_basis" in result.verdict
    assert "measure level" not in result.verdict and "nil" not in result.verdict


def test_method_backtest_of_a_level_file_says_last_figures_may_not_be_final() -> None:
    # Re-forecasts whose variance never moves: the plan method is exact by construction.
    text = (
        "a,period,planned,actual\n"
        "X,2024-01,100,110\nX,2024-02,120,130\nX,2024-03,150,160\n"
        "Y,2024-01,50,45\nY,2024-02,60,55\nY,2024-03,60,55\n"
    )
    mapping = ColumnMapping(levels=("a",), measure="level")
    p = load_portfolio(text.encode(), mapping, name="levels.csv")
    rolled = rollup_portfolio(p)
    result = backtest_methods(rolled, completion_of(p, rolled).table, measure="level")
    pooled = result.table[result.table["cutoff"] == "all"].set_index("method")
    assert pooled.loc["plan", "wape"] == pytest.approx(0.0)
    assert result.verdict.startswith("This file holds re-forecasts or running totals")
    assert "trust EAC by plan" in result.verdict and "no item's variance moved" in result.verdict


def test_method_backtest_on_the_sample_scores_both_methods(sample_csv) -> None:
    p = load_portfolio(sample_csv)
    rolled = rollup_portfolio(p)
    result = backtest_methods(rolled, completion_of(p, rolled).table, cutoffs=4)
    pooled = result.table[result.table["cutoff"] == "all"]
    assert set(pooled["method"]) == {"plan", "rate"}
    assert (pooled["items"] > 0).all() and (pooled["wape"] > 0).all()
    assert result.table["cutoff"].nunique() == 5  # four cut-offs and "all"


def test_method_backtest_says_why_it_cannot_score() -> None:
    single = "program,project,planned,actual\nOps,Net,100,120\n"
    mapping = ColumnMapping(levels=("program", "project"), period=None)
    p = load_portfolio(single.encode(), mapping, name="single.csv")
    rolled = rollup_portfolio(p)
    result = backtest_methods(rolled, completion_of(p, rolled).table)
    assert result.table.empty and "single period" in result.verdict
    running = "a,period,planned,actual\nX,2024-01,10,12\nX,2024-02,10,9\nX,2024-03,10,\n"
    p = load_portfolio(running.encode(), ColumnMapping(levels=("a",)), name="running.csv")
    rolled = rollup_portfolio(p)
    result = backtest_methods(rolled, completion_of(p, rolled).table)
    assert result.table.empty and "No item has finished" in result.verdict
