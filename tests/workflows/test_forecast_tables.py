"""The forecast run's tables as written: money at the file's places, everything else untouched."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.backtest_scores import BACKTEST_COLUMNS, SPREAD_COLUMNS, SUMMARY_COLUMNS
from forecasting.outlook import OUTLOOK_COLUMNS
from forecasting.pipeline import FORECAST_COLUMNS
from workflows.forecast_tables import MONEY_COLUMNS, rounded

NOISY = pd.DataFrame(
    {
        "node": ["A", "B"],
        "period": ["2026-01", "2026-01"],
        "step": [1, 1],
        "median": [185595.59597991756, -0.004999],
        "lower": [182045.53246624078, -1.0],
        "upper": [189145.65949359434, 2.0],
        "planned": [1278318.5499999998, 0.0],
        "model": ["lstm", "auto_arima"],
        "lstm_median": [1.0 / 3.0, 2.0],
        "spread_lower": [0.1 + 0.2, 0.0],
        "spread_upper": [1.0, 1.0],
    }
)


def test_money_is_rounded_to_cents_for_a_file_of_cents() -> None:
    out = rounded(NOISY, "forecast", 2)
    assert out["median"].tolist() == [185595.6, 0.0]
    assert str(out["median"].iloc[1]) == "0.0"  # not "-0.0"
    assert out["planned"].tolist() == [1278318.55, 0.0]
    assert out["lstm_median"].tolist() == [0.33, 2.0]
    assert out["spread_lower"].tolist() == [0.3, 0.0]
    # labels and counts as they were
    assert out[["node", "period", "step", "model"]].equals(
        NOISY[["node", "period", "step", "model"]]
    )


def test_a_file_with_more_places_keeps_them_and_whole_amounts_keep_cents() -> None:
    assert rounded(NOISY, "forecast", 4)["median"].tolist() == [185595.596, -0.005]
    assert rounded(NOISY, "forecast", 0)["lower"].tolist() == [182045.53, -1.0]


def test_unknown_places_keep_every_digit() -> None:
    assert rounded(NOISY, "forecast", None) is NOISY


def test_ratios_and_probabilities_are_not_rounded() -> None:
    frame = pd.DataFrame(
        {
            "node": ["A"],
            "model": ["lstm"],
            "rmse": [1.23456],
            "mae": [0.98765],
            "mase": [0.123456],
            "coverage": [0.833333],
            "width": [10.55555],
        }
    )
    out = rounded(frame, "backtest", 2)
    assert out.iloc[0].to_dict() == {
        "node": "A",
        "model": "lstm",
        "rmse": 1.23,
        "mae": 0.99,
        "mase": 0.123456,
        "coverage": 0.833333,
        "width": 10.56,
    }


def test_money_columns_are_columns_of_their_tables() -> None:
    known = {
        "forecast": FORECAST_COLUMNS,
        "backtest": BACKTEST_COLUMNS,
        "backtest_summary": SUMMARY_COLUMNS,
        "outlook": OUTLOOK_COLUMNS,
        "members": SPREAD_COLUMNS,
    }
    for table, money in MONEY_COLUMNS.items():
        assert set(money) <= set(known[table]), table
    assert not {"p_amber", "p_red", "cum_variance_pct_now"} & set(MONEY_COLUMNS["outlook"])


def test_an_unknown_table_is_an_error() -> None:
    with pytest.raises(KeyError):
        rounded(NOISY, "alerts", 2)
