"""The forecast suite benchmark's protocol pieces (the run itself is a benchmark, not a test)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench import bench_forecast_suite as suite
from bench import suite_data as data
from bench import suite_report as report
from bench.sections_forecast import accuracy_line


def test_labels_end_on_the_suites_common_calendar() -> None:
    assert data.period_labels("M", 3) == ["2000-10", "2000-11", "2000-12"]
    quarters = data.period_labels("Q", 5)
    assert quarters[0] == "1999-Q4" and quarters[-1] == "2000-Q4"
    assert data.period_labels("Y", 2) == ["1999", "2000"]


def test_groups_are_cut_to_their_shortest_series() -> None:
    if not data.DEV.exists():
        pytest.skip(f"the forecast suite is not at {data.DEV}")
    splits = {s.group: s for s in data.load_suite()}
    assert splits["M"].values.shape == (4, 176)
    assert splits["Q"].values.shape == (13, 89)
    assert splits["Y"].values.shape == (1, 114)
    assert (splits["Q"].horizon, splits["Q"].season) == (8, 4)


def test_scores_are_seasonal_mase_coverage_and_scaled_width() -> None:
    values = np.array([[1.0, 2.0, 3.0, 4.0, 6.0, 8.0]])
    split = data.Split("Y", values, ("s",), tuple(data.period_labels("Y", 6)), 2, 1)
    fc = pd.DataFrame(
        {
            "node": "s",
            "model": "m",
            "step": [1, 2],
            "median": [5.0, 5.0],
            "lower": [4.0, 4.0],
            "upper": [7.0, 7.0],
        }
    )
    row = suite.score_window(split, 4, fc).iloc[0]
    # in-sample naive MAE of 1, 2, 3, 4 is 1; errors 1 and 3
    assert row["mase"] == pytest.approx(2.0)
    assert row["coverage"] == pytest.approx(0.5)
    assert row["width"] == pytest.approx(3.0)


def test_every_summary_row_compares_the_lstm_with_the_best_baseline() -> None:
    scores = pd.DataFrame(
        {
            "group": "Q",
            "series": ["a", "a", "a", "a"],
            "window": 1,
            "model": ["lstm", "naive", "auto_arima", "sf_auto_arima"],
            "mase": [1.2, 1.5, 1.0, 0.5],
            "coverage": 0.8,
            "width": 1.0,
        }
    )
    summary = report.summarise(scores)
    # the statsforecast reference is not a product baseline, so auto_arima is the best one
    assert set(summary["LSTM vs best baseline"]) == {
        "LSTM 1.200 loses to best baseline auto_arima 1.000 (+20 %)"
    }


def test_target_words_and_the_honest_accuracy_line() -> None:
    row = {"group": "Q", "series": 13, "best coverage": 0.7, "best MASE": 0.8}
    assert report.target_words({**row, "auto_arima MASE": 0.9}) == (
        "coverage 75-85 %: NOT met; best <= AutoARIMA: met"
    )
    whole = {**row, "group": "all", "series": 18, "auto_arima MASE": 0.8}
    assert report.target_words({**whole, "lstm MASE": 0.84}).endswith(
        "LSTM within 5 % of AutoARIMA: met"
    )
    assert report.target_words({**whole, "lstm MASE": 0.85}).endswith(
        "LSTM within 5 % of AutoARIMA: NOT met"
    )
    nyc = pd.DataFrame(
        {
            "model": ["lstm", "naive", "mean"],
            "rmse": [2.2e7, 1.36e7, 1.33e7],
            "mase": [23.08, 26.89, 14.43],
        }
    )
    line = accuracy_line(nyc)
    assert line["target"] == "LSTM beats the best baseline: NO"
    assert "best baseline mean 14.4" in line["result"]


def test_time_words_give_the_cpu_seconds_and_the_idle_two_core_estimate() -> None:
    head = pd.DataFrame({"group": ["all"]})
    head.attrs.update(
        {
            "product s": 900.0,
            "statsforecast s": 60.0,
            "product cpu s": 700.0,
            "statsforecast cpu s": 40.0,
            "elapsed s": 500.0,
            "jobs": 2,
            "load start": 3.0,
        }
    )
    words = report.time_words(head)
    assert "whole run 500 s wall in 2 process(es)" in words
    assert "CPU 740 s (product 700 s, statsforecast 40 s)" in words
    assert "about 370 s on an idle 2-core machine" in words
    assert "load average 3.0 at the start" in words


def test_spread_ratios_are_the_mean_over_nodes_of_std_over_mean() -> None:
    from bench.bench_forecast import spread_ratios

    spread = pd.DataFrame(
        {
            "rmse_mean": [2.0, 4.0, 0.0],
            "rmse_std": [0.2, 0.8, 0.5],  # the last node's ratio is infinite: left out
            "rmse_seed_std": [0.1, 0.2, np.nan],
        }
    )
    whole, seed = spread_ratios(spread)
    assert whole == pytest.approx((0.1 + 0.2) / 2)
    assert seed == pytest.approx((0.05 + 0.05) / 2)


def test_the_dev_loops_held_out_spread_splits_lookback_from_seed() -> None:
    from bench.dev_lstm_suite import held_out_spread

    actual = np.zeros((1, 2))
    # four networks on one node, two lookbacks: RMSE 1 and 3 at the first, 2 and 2 at the second
    values = np.array([[[1.0, 1.0]], [[3.0, 3.0]], [[2.0, 2.0]], [[2.0, 2.0]]])
    whole, seed = held_out_spread(values, actual, (12, 12, 24, 24))
    # all four: mean 2, population std sqrt(2 / 4); same lookback: deviations -1, 1, 0, 0 over
    # 4 - 2 degrees of freedom -> std 1
    np.testing.assert_allclose(whole, [np.sqrt(0.5) / 2.0])
    np.testing.assert_allclose(seed, [0.5])
