"""Forecasting charts build and carry the expected traces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from forecasting.charts import backtest_chart, fan_chart, members_chart, outlook_chart
from forecasting.errors import ForecastError

PAST = [f"2025-{m:02d}" for m in range(1, 7)]
FUTURE = [f"2025-{m:02d}" for m in range(7, 10)]


def _history() -> pd.DataFrame:
    return pd.DataFrame(
        {"node": "A", "period": PAST, "variance": np.arange(6.0), "planned": np.full(6, 100.0)}
    )


def _forecast(with_plan: bool) -> pd.DataFrame:
    fc = pd.DataFrame(
        {
            "node": "A",
            "period": FUTURE,
            "step": [1, 2, 3],
            "median": [6.0, 7.0, 8.0],
            "lower": [5.0, 5.5, 6.0],
            "upper": [7.0, 8.5, 10.0],
        }
    )
    if with_plan:
        fc["planned"] = [110.0, 120.0, 130.0]
    return fc


def _names(fig: go.Figure) -> list[str]:
    return [t.name for t in fig.data]


def test_fan_chart_traces_axes_and_order() -> None:
    fig = fan_chart(_history(), _forecast(True), "A")
    names = _names(fig)
    for expected in (
        "Variance (actual)",
        "Forecast (median)",
        "Forecast band",
        "Planned",
        "Planned (future)",
    ):
        assert expected in names
    median = fig.data[names.index("Forecast (median)")]
    assert list(median.x) == [PAST[-1], *FUTURE]
    assert list(median.y) == [5.0, 6.0, 7.0, 8.0]
    band = fig.data[names.index("Forecast band")]
    assert band.fill == "tonexty"
    assert list(band.y) == [5.0, 5.5, 6.0]
    assert fig.data[names.index("Planned")].yaxis == "y2"
    assert list(fig.layout.xaxis.categoryarray) == PAST + FUTURE
    assert fig.layout.yaxis.title.text.startswith("Variance")
    assert fig.layout.yaxis2.title.text == "Planned"
    assert fig.layout.yaxis2.tickmode == "auto"  # its own round ticks, not synced to the left
    assert fig.layout.title.text == "Drift forecast: A"


def test_fan_chart_without_future_plan_and_unknown_node() -> None:
    assert "Planned (future)" not in _names(fan_chart(_history(), _forecast(False), "A"))
    with pytest.raises(ForecastError, match="node 'B'"):
        fan_chart(_history(), _forecast(False), "B")


def test_backtest_chart_highlights_lstm_and_draws_naive_line() -> None:
    table = pd.DataFrame(
        {
            "node": ["a"] * 5 + ["b"] * 5,
            "model": ["lstm", "naive", "seasonal_naive", "mean", "drift"] * 2,
            "rmse": [1.0, 2.0, 3.0, 4.0, 5.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            "mae": [1.0] * 10,
            "mase": [0.5] * 10,
        }
    )
    fig = backtest_chart(table)
    assert _names(fig) == ["lstm", "naive", "seasonal_naive", "mean", "drift"]
    assert fig.data[0].y[0] == pytest.approx(2.0)
    assert fig.data[0].marker.color != fig.data[1].marker.color
    assert fig.data[1].marker.color == fig.data[2].marker.color
    hlines = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert len(hlines) == 1 and hlines[0].y0 == pytest.approx(3.0)
    assert "2 nodes" in fig.layout.title.text


def test_members_chart_whiskers() -> None:
    table = pd.DataFrame(
        {
            "node": ["a", "b"],
            "rmse_mean": [2.0, 5.0],
            "rmse_std": [0.1, 0.5],
            "rmse_min": [1.5, 4.0],
            "rmse_max": [3.0, 5.5],
        }
    )
    fig = members_chart(table)
    trace = fig.data[0]
    assert trace.name == "Members' RMSE (mean, min-max)"
    assert list(trace.x) == ["b", "a"]
    np.testing.assert_allclose(trace.error_y.array, [0.5, 1.0])
    np.testing.assert_allclose(trace.error_y.arrayminus, [1.0, 0.5])
    # Without a seed column the hover's seed figure is the whole std; with one, it is that column.
    np.testing.assert_allclose(np.asarray(trace.customdata)[:, 3], [0.5, 0.1])
    seeded = members_chart(table.assign(rmse_seed_std=[0.05, 0.2]))
    np.testing.assert_allclose(np.asarray(seeded.data[0].customdata)[:, 3], [0.2, 0.05])
    assert "between seeds" in seeded.data[0].hovertemplate


def test_outlook_chart_points_and_bands() -> None:
    outlook = pd.DataFrame(
        {
            "node": ["a", "b", "c"],
            "cum_variance_pct_now": [0.02, -0.05, 0.0],
            "projected_cum_variance_pct": [0.21, -0.4, np.nan],
            "status_end": ["amber", "red", "red"],
        }
    )
    fig = outlook_chart(outlook, amber_pct=10.0, red_pct=30.0)
    assert _names(fig) == ["Drift to horizon", "Now", "Projected"]
    projected = fig.data[2]
    assert list(projected.y) == ["a", "b"]  # largest |projected %| last (top of the chart)
    np.testing.assert_allclose(projected.x, [21.0, -40.0])
    xs = sorted(s.x0 for s in fig.layout.shapes)
    assert xs == [-30.0, -10.0, 10.0, 30.0]
    assert "1 node(s) with no plan" in fig.layout.title.text


def test_empty_tables_give_a_message_figure() -> None:
    empty = pd.DataFrame(columns=["node", "model", "rmse", "mae", "mase"])
    fig = backtest_chart(empty)
    assert len(fig.data) == 0
    assert "No backtest" in fig.layout.annotations[0].text


def test_fan_chart_shows_the_lstm_and_its_run_to_run_spread_beside_the_shown_model() -> None:
    from forecasting.charts import LSTM_TRACE

    fc = _forecast(True).assign(
        lstm_median=[6.5, 7.5, 8.5], spread_lower=[6.0, 7.0, 8.0], spread_upper=[7.5, 8.0, 9.5]
    )
    fig = fan_chart(_history(), fc, "A")
    lstm = fig.data[_names(fig).index(LSTM_TRACE)]
    assert list(lstm.y) == [6.5, 7.5, 8.5]
    np.testing.assert_allclose(lstm.error_y.array, [1.0, 0.5, 1.0])
    np.testing.assert_allclose(lstm.error_y.arrayminus, [0.5, 0.5, 0.5])
    assert LSTM_TRACE not in _names(fan_chart(_history(), _forecast(True), "A"))


def test_a_chart_names_the_missing_column_and_those_the_table_has() -> None:
    table = pd.DataFrame({"node": ["A"], "model": ["naive"], "rmse": [1.0], "mae": [1.0]})
    with pytest.raises(ForecastError) as err:
        backtest_chart(table)
    assert str(err.value) == (
        "The backtest table is missing the column(s) mase (it has: node, model, rmse, mae)."
    )
    with pytest.raises(ForecastError, match=r"history table is missing the column\(s\) planned"):
        fan_chart(_history().drop(columns="planned"), _forecast(False), "A")
