"""A trained run shown again with another model or level, without training."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from forecasting.choice import ChoiceSettings
from forecasting.errors import ForecastError
from forecasting.pipeline import ForecastRun, reshow, run_forecast
from forecasting.settings import ModelSettings

TINY = ModelSettings(
    layers=1, units=8, lookback=6, horizon=3, epochs=3, members=2, patience=2, learning_rate=0.01
)
EDGES = pd.DataFrame({"node": ["All", "a", "b", "c"], "parent": ["", "All", "All", "All"]})


def _series() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for node, scale in (("a", 10.0), ("b", 40.0), ("c", 3.0)):
        for t in range(30):
            v = scale * (np.sin(2 * np.pi * t / 12) + 0.05 * t + rng.normal(0, 0.2))
            rows.append((node, f"{2020 + t // 12}-{t % 12 + 1:02d}", v, 5 * scale))
    return pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])


@pytest.fixture(scope="module")
def run() -> ForecastRun:
    return run_forecast(
        _series(), TINY, edges=EDGES, backtest_k=3, choice_settings=ChoiceSettings("lstm", 0.8)
    )


def _leaves(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["node"] != "All"].set_index(["node", "step"]).sort_index()


def test_the_same_pick_gives_the_same_run(run: ForecastRun) -> None:
    again = reshow(run, ChoiceSettings("lstm", 0.8))
    pd.testing.assert_frame_equal(again.forecast, run.forecast)
    pd.testing.assert_frame_equal(again.backtest, run.backtest)
    assert again.verdict == run.verdict and again.ensemble is run.ensemble


def test_another_model_is_shown_and_the_lstm_stays_beside_it(run: ForecastRun) -> None:
    naive = reshow(run, ChoiceSettings("naive", 0.8))
    shown, before = _leaves(naive.forecast), _leaves(run.forecast)
    assert set(shown["model"]) == {"naive"} and set(before["model"]) == {"lstm"}
    models = naive.model_forecasts
    expected = models[models["model"] == "naive"].set_index(["node", "step"]).sort_index()
    np.testing.assert_allclose(shown["median"], expected["median"])
    # the networks, their spread and the training time are the trained run's
    pd.testing.assert_series_equal(shown["lstm_median"], before["lstm_median"])
    pd.testing.assert_frame_equal(naive.members, run.members)
    assert naive.train_seconds == run.train_seconds
    # the total is the sum of the shown leaves (bottom-up)
    total = naive.forecast[naive.forecast["node"] == "All"].set_index("step")["median"]
    np.testing.assert_allclose(total, shown.groupby(level="step")["median"].sum())


def test_a_lower_level_narrows_the_bands_and_their_backtest_coverage(run: ForecastRun) -> None:
    half = reshow(run, ChoiceSettings("lstm", 0.5))
    assert half.interval == 0.5
    wide, narrow = _leaves(run.forecast), _leaves(half.forecast)
    np.testing.assert_allclose(narrow["median"], wide["median"])
    assert ((narrow["upper"] - narrow["lower"]) <= (wide["upper"] - wide["lower"]) + 1e-9).all()
    assert ((narrow["upper"] - narrow["lower"]) < (wide["upper"] - wide["lower"])).any()
    cols = ["node", "model", "rmse", "mase"]
    pd.testing.assert_frame_equal(half.backtest[cols], run.backtest[cols])  # scores unchanged
    assert (half.backtest["width"] <= run.backtest["width"] + 1e-9).all()
    assert half.backtest_summary["coverage"].mean() <= run.backtest_summary["coverage"].mean()


def test_a_run_that_kept_nothing_cannot_be_shown_again(run: ForecastRun) -> None:
    with pytest.raises(ForecastError, match="train it again"):
        reshow(replace(run, parts=None), ChoiceSettings("naive", 0.8))


def test_showing_again_refits_no_model(run: ForecastRun, monkeypatch: pytest.MonkeyPatch) -> None:
    from forecasting import choice

    def refit(*args: object, **kwargs: object) -> None:
        raise AssertionError("the models' point forecasts were made again")

    monkeypatch.setattr(choice, "point_forecasts", refit)
    ets = reshow(run, ChoiceSettings("auto_ets", 0.9))
    assert set(_leaves(ets.forecast)["model"]) == {"auto_ets"}
