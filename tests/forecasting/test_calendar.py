"""Calendar inputs: season positions from M/Q/Y labels, sin/cos features, windows with them."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.calendar import (
    extend_positions,
    features,
    season_positions,
    uses_calendar,
    with_calendar,
)
from forecasting.errors import ForecastError
from forecasting.windows import training_windows


def test_positions_come_from_the_month_and_quarter_of_the_labels() -> None:
    months = ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert season_positions(months, 12).tolist() == [10, 11, 0, 1]
    quarters = ["2023-Q3", "2023-Q4", "2024-Q1"]
    assert season_positions(quarters, 4).tolist() == [2, 3, 0]
    assert season_positions(["2021", "2022", "2023"], 1).tolist() == [0, 0, 0]


def test_forecast_periods_continue_the_calendar() -> None:
    pos = season_positions(["2024-Q3", "2024-Q4"], 4)
    assert extend_positions(pos, 3, 4).tolist() == [2, 3, 0, 1, 2]
    assert extend_positions(season_positions(["2024-11"], 12), 2, 12).tolist() == [10, 11, 0]


def test_features_are_sin_and_cos_of_the_position() -> None:
    f = features(np.array([0, 3, 6, 9]), 12)
    np.testing.assert_allclose(f[:, 0], [0.0, 1.0, 0.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(f[:, 1], [1.0, 0.0, -1.0, 0.0], atol=1e-12)
    q = features(np.array([1, 2]), 4)
    np.testing.assert_allclose(q, [[1.0, 0.0], [0.0, -1.0]], atol=1e-12)
    # December is as close to January as January is to February
    d = features(np.arange(12), 12)
    assert np.linalg.norm(d[11] - d[0]) == pytest.approx(np.linalg.norm(d[0] - d[1]))
    assert not features(np.array([0, 0]), 1).any()


def test_only_seasonal_labels_get_calendar_inputs() -> None:
    assert uses_calendar(True, 12) and uses_calendar(True, 4)
    assert not uses_calendar(True, 1) and not uses_calendar(False, 12)


def test_labels_that_do_not_match_the_season_are_refused() -> None:
    with pytest.raises(ForecastError, match="'2024-Q1' is not a month label"):
        season_positions(["2024-01", "2024-Q1"], 12)
    with pytest.raises(ForecastError, match="seasons of 12 or 4"):
        season_positions(["a"], 7)


def test_windows_gain_the_features_of_their_own_periods() -> None:
    labels = [f"2024-{m:02d}" for m in range(1, 13)]
    target = np.arange(12.0)[None, :]
    w = training_windows(target, target, np.array([0]), 3, 2, upto=12)
    pos = extend_positions(season_positions(labels, 12), 2, 12)
    out = with_calendar(w, pos, 12)
    assert out.past.shape == (len(w), 3, 4) and out.future.shape == (len(w), 2, 3)
    np.testing.assert_array_equal(out.past[..., :2], w.past)
    first = out.past[0, :, 2:]  # origin 2: periods 0, 1, 2
    np.testing.assert_allclose(first, features(np.array([0, 1, 2]), 12))
    np.testing.assert_allclose(out.future[0, :, 1:], features(np.array([3, 4]), 12))
    np.testing.assert_array_equal(out.target, w.target)
