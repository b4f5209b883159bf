"""Baselines against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.baselines import (
    BASELINE_NAMES,
    baseline_forecast,
    baseline_forecasts,
    baseline_matrix,
    season_from_periods,
)
from forecasting.errors import ForecastError

HIST = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])


def test_naive_repeats_last_value() -> None:
    np.testing.assert_array_equal(baseline_forecast("naive", HIST, 3), [2.0, 2.0, 2.0])


def test_seasonal_naive_repeats_last_season() -> None:
    # season 3: the last season is [5, 9, 2], repeated from its start
    np.testing.assert_array_equal(
        baseline_forecast("seasonal_naive", HIST, 5, season=3), [5.0, 9.0, 2.0, 5.0, 9.0]
    )


def test_seasonal_naive_falls_back_to_naive_when_history_shorter_than_season() -> None:
    np.testing.assert_array_equal(
        baseline_forecast("seasonal_naive", np.array([3.0, 1.0]), 3, season=4), [1.0, 1.0, 1.0]
    )
    # exactly one season is enough
    np.testing.assert_array_equal(
        baseline_forecast("seasonal_naive", np.array([3.0, 1.0, 7.0]), 4, season=3),
        [3.0, 1.0, 7.0, 3.0],
    )


def test_mean_is_history_mean() -> None:
    np.testing.assert_allclose(baseline_forecast("mean", HIST, 2), [25 / 7, 25 / 7])


def test_drift_extends_first_to_last_line() -> None:
    # slope (2 - 3) / 6 = -1/6
    np.testing.assert_allclose(
        baseline_forecast("drift", HIST, 3), [2 - 1 / 6, 2 - 2 / 6, 2 - 3 / 6], rtol=0, atol=1e-12
    )


def test_drift_single_value_is_naive() -> None:
    np.testing.assert_array_equal(baseline_forecast("drift", np.array([4.5]), 2), [4.5, 4.5])


def test_matrix_matches_row_by_row() -> None:
    rng = np.random.default_rng(0)
    hist = rng.normal(size=(6, 15))
    for name in BASELINE_NAMES:
        mat = baseline_matrix(name, hist, 7, season=4)
        assert mat.shape == (6, 7)
        for i in range(6):
            np.testing.assert_allclose(mat[i], baseline_forecast(name, hist[i], 7, season=4))


def test_forecasts_by_node_with_different_lengths() -> None:
    out = baseline_forecasts({"a": HIST, "b": np.array([1.0, 2.0])}, 2, season=3)
    assert set(out) == set(BASELINE_NAMES)
    np.testing.assert_array_equal(out["seasonal_naive"]["a"], [5.0, 9.0])
    np.testing.assert_array_equal(out["seasonal_naive"]["b"], [2.0, 2.0])
    np.testing.assert_allclose(out["drift"]["b"], [3.0, 4.0])


@pytest.mark.parametrize(
    ("labels", "season"),
    [
        (["2024-01", "2024-02"], 12),
        (["2024-Q1", "2024-Q2"], 4),
        (["2023", "2024"], 1),
        (["all"], 1),
        ([], 1),
        (["2024-13"], 1),
    ],
)
def test_season_from_periods(labels: list[str], season: int) -> None:
    assert season_from_periods(labels) == season


def test_bad_input_raises_forecast_error() -> None:
    with pytest.raises(ForecastError, match="Unknown baseline 'arima'"):
        baseline_forecast("arima", HIST, 2)
    with pytest.raises(ForecastError, match="horizon"):
        baseline_forecast("naive", HIST, 0)
    with pytest.raises(ForecastError, match="empty"):
        baseline_forecast("mean", np.array([]), 2)
    with pytest.raises(ForecastError, match="missing"):
        baseline_forecast("mean", np.array([1.0, np.nan]), 2)
    with pytest.raises(ForecastError, match="Node 'b'"):
        baseline_forecasts({"a": HIST, "b": np.array([])}, 2)


def test_rate_naive_applies_the_cumulative_variance_rate_to_the_future_plan() -> None:
    from forecasting.baselines import rate_naive_matrix

    variance = np.array([[1.0, 2.0, 3.0], [np.nan, 4.0, 2.0], [1.0, 2.0, 3.0]])
    planned = np.array([[10.0, 10.0, 10.0], [np.nan, 5.0, 5.0], [0.0, 0.0, 0.0]])
    future = np.array([[5.0, 20.0], [10.0, 0.0], [7.0, 7.0]])
    out = rate_naive_matrix(variance, planned, future)
    # 6 / 30 = 20 % of the plan; 6 / 10 = 60 %; no plan: the pace to date, 6 / 3 = 2 a period
    np.testing.assert_allclose(out, [[1.0, 4.0], [6.0, 0.0], [2.0, 2.0]])
    with pytest.raises(ForecastError, match="rate_naive"):
        rate_naive_matrix(variance[:, :2], planned, future)
