"""RMSE, MAE and MASE against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from forecasting.errors import ForecastError
from forecasting.metrics import mae, mase, mase_scale, rmse


def test_rmse_and_mae_small_example() -> None:
    y = [1.0, 2.0, 3.0, 4.0]
    yhat = [2.0, 2.0, 1.0, 4.0]  # errors 1, 0, -2, 0
    assert rmse(y, yhat) == pytest.approx(math.sqrt(5 / 4))
    assert mae(y, yhat) == pytest.approx(3 / 4)


def test_mase_non_seasonal_hand_computed() -> None:
    # in-sample one-step differences: 2, 1, 3, 1 -> scale 7/4; MAE (1 + 2) / 2 = 1.5
    assert mase([6.0, 7.0], [5.0, 5.0], [1.0, 3.0, 2.0, 5.0, 4.0]) == pytest.approx(1.5 / 1.75)


def test_mase_seasonal_hand_computed() -> None:
    # two-step differences of [1, 3, 2, 5, 4, 8]: 1, 2, 2, 3 -> scale 2; MAE 1.5
    insample = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 8.0])
    assert mase_scale(insample, 2) == pytest.approx(2.0)
    assert mase([10.0, 9.0], [8.0, 8.0], insample, season=2) == pytest.approx(0.75)


def test_mase_nan_when_scale_zero_or_undefined() -> None:
    assert math.isnan(mase([1.0], [2.0], [5.0, 5.0, 5.0]))  # constant history: scale 0
    assert math.isnan(mase([1.0], [2.0], [1.0, 2.0], season=2))  # no 2-step difference exists


def test_bad_input_raises() -> None:
    with pytest.raises(ForecastError, match="missing or infinite"):
        rmse([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ForecastError, match="must match"):
        mae([1.0, 2.0], [1.0])
    with pytest.raises(ForecastError, match="no values"):
        rmse([], [])
    with pytest.raises(ForecastError, match="in-sample"):
        mase([1.0], [1.0], [1.0, np.inf, 2.0])
