"""AutoARIMA / AutoETS wrappers against statsforecast's own output; fallbacks; warm-up."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from forecasting import stat_models


def _series(n: int = 60) -> np.ndarray:
    t = np.arange(n, dtype=np.float64)
    rng = np.random.default_rng(3)
    return 50.0 + 0.5 * t + 8.0 * np.sin(2 * np.pi * t / 4) + rng.normal(0, 1.0, n)


def test_forecasts_equal_statsforecast_run_directly() -> None:
    from statsforecast.models import AutoARIMA, AutoETS

    y = _series()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_arima = AutoARIMA(season_length=4).forecast(y=y, h=5)["mean"]
        ref_ets = AutoETS(season_length=4).forecast(y=y, h=5)["mean"]
    np.testing.assert_allclose(stat_models.forecast("auto_arima", y, 5, 4), ref_arima)
    np.testing.assert_allclose(stat_models.forecast("auto_ets", y, 5, 4), ref_ets)


def test_backtest_fits_once_at_the_first_cut_off_and_applies_the_fit_later() -> None:
    from statsforecast.models import AutoETS

    y = _series()
    target = np.vstack([np.r_[np.nan, np.nan, y[2:]], y])
    start = np.array([2, 0])
    origins = [49, 50, 51]
    out = stat_models.backtest_paths("auto_ets", target, start, origins, 3, 4)
    assert out.shape == (2, 3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoETS(season_length=4).fit(y[:50])
        first = model.predict(h=3)["mean"]
        later = model.forward(y=y[:52], h=3)["mean"]
    np.testing.assert_allclose(out[1, 0], first, rtol=1e-9)
    np.testing.assert_allclose(out[1, 2], later, rtol=1e-9)
    assert np.isfinite(out[0]).all()


@pytest.mark.parametrize("name", stat_models.STAT_NAMES)
def test_a_history_too_short_for_the_season_still_forecasts(name: str) -> None:
    y = np.array([3.0, 4.0, 5.0, 4.0, 6.0])
    out = stat_models.forecast(name, y, 3, 12)
    assert out.shape == (3,) and np.isfinite(out).all()
    assert stat_models.forward(None, y, 2).tolist() == [6.0, 6.0]  # naive without a model


def test_warm_up_runs_once_in_the_background() -> None:
    thread = stat_models.start_warm_up()
    assert thread.daemon and thread is stat_models.start_warm_up()
    thread.join(timeout=300)
    assert not thread.is_alive()
