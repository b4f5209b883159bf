"""Chart builders of the EAC and the attribution: the traces they promise, totals that add up."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio.attribution import attribute
from portfolio.attribution_charts import attribution_waterfall
from portfolio.completion import completion_of
from portfolio.completion_backtest import backtest_methods
from portfolio.completion_charts import eac_chart, method_backtest_chart
from portfolio.errors import InputError
from portfolio.load import load_portfolio
from portfolio.rollup import ROOT, rollup_portfolio


@pytest.fixture(scope="module")
def sample(sample_csv):
    p = load_portfolio(sample_csv)
    return p, rollup_portfolio(p)


def test_eac_chart_has_a_bac_mark_and_a_marker_per_method(sample) -> None:
    p, rolled = sample
    table = completion_of(p, rolled).table
    fig = eac_chart(table, n=7)
    assert [t.name for t in fig.data] == ["BAC", "EAC (plan)", "EAC (rate)"]
    assert all(t.mode == "markers" for t in fig.data) and len(fig.data[0].y) == 7
    worst = fig.data[0].y[-1]  # drawn bottom-up: the worst node is on top
    assert table.set_index("node").loc[worst, "status"] == "red"


def test_eac_chart_draws_the_forecast_band(sample) -> None:
    p, rolled = sample
    forecast = pd.DataFrame(
        {
            "node": [ROOT, ROOT],
            "period": ["2026-01", "2026-02"],
            "step": [1, 2],
            "median": [10.0, 20.0],
            "lower": [0.0, 5.0],
            "upper": [30.0, 40.0],
        }
    )
    table = completion_of(p, rolled, forecast=forecast).table
    fig = eac_chart(table[table["node"] == ROOT])
    band = fig.data[-1]
    assert band.name == "EAC (forecast)"
    root = table[table["node"] == ROOT].iloc[0]
    assert band.error_x.array[0] == pytest.approx(root["eac_upper"] - root["eac_forecast"])
    assert band.error_x.arrayminus[0] == pytest.approx(root["eac_forecast"] - root["eac_lower"])


def test_method_backtest_chart_has_a_bar_trace_per_method(sample) -> None:
    p, rolled = sample
    scored = backtest_methods(rolled, completion_of(p, rolled).table)
    fig = method_backtest_chart(scored.table)
    assert [t.name for t in fig.data] == ["eac_plan", "eac_rate"]
    assert list(fig.data[0].x)[-1] == "all"
    with pytest.raises(InputError):
        method_backtest_chart(scored.table.iloc[:0])


def test_waterfall_steps_add_up_to_the_total(sample) -> None:
    _, rolled = sample
    table = attribute(rolled, "Enterprise IT", leaves=True)
    fig = attribution_waterfall(table, max_bars=5)
    (trace,) = fig.data
    assert trace.type == "waterfall"
    assert list(trace.measure) == ["relative"] * 6 + ["total"]
    assert trace.x[5].endswith("others") and trace.x[-1] == "Total"
    assert sum(trace.y[:-1]) == pytest.approx(trace.y[-1])
    assert trace.y[-1] == pytest.approx(table["variance"].sum())
    # the labels say they are shares of the node's variance, not variance percentages
    assert all(label.endswith(" % of total") for label in trace.text[:-1] if label)
    assert trace.text[-1] == "100 %"
    with pytest.raises(InputError):
        attribution_waterfall(table.iloc[:0])
