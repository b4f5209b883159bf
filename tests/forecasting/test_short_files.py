"""Short files forecast with the default settings; automatic settings are reproducible."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.pipeline import run_forecast
from forecasting.settings import ModelSettings


def _frame(labels: list[str], nodes: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(8)
    rows = []
    for i in range(nodes):
        scale = 10.0 ** (i + 1)
        for t, label in enumerate(labels):
            planned = scale * (10 + (t % 4))
            rows.append((f"n{i}", label, scale * (np.sin(t + i) + rng.normal(0, 0.2)), planned))
    return pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])


QUARTERS = [f"{2022 + t // 4}-Q{t % 4 + 1}" for t in range(12)]


def test_twelve_quarters_forecast_with_the_defaults() -> None:
    result = run_forecast(_frame(QUARTERS), ModelSettings(), backtest_k=6)
    s = result.ensemble.settings
    assert (s.lookback, s.horizon, s.units, s.learning_rate) == (4, 3, 32, 0.003)
    assert s.scaler == "es" and s.calendar and result.ensemble.season == 4
    assert result.skipped.empty
    f = result.forecast
    assert sorted(set(f["period"])) == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert set(f["node"]) == {"n0", "n1", "n2"} and np.isfinite(f["median"]).all()
    assert "The backtest used 3 cut-off(s), not 6" in result.verdict
    assert set(result.backtest["node"]) == {"n0", "n1", "n2"}
    assert result.tuning["status"].tolist() == ["chosen (the history is too short to search)"]


@pytest.mark.parametrize(
    "labels",
    [
        [f"2024-{m:02d}" for m in range(1, 9)],
        [f"{2016 + y}" for y in range(8)],
    ],
    ids=["8 months", "8 years"],
)
def test_eight_periods_are_enough(labels: list[str]) -> None:
    result = run_forecast(_frame(labels, 2), ModelSettings(epochs=3, members=2), backtest_k=6)
    s = result.ensemble.settings
    assert (s.lookback, s.horizon) == (3, 2)
    assert result.skipped.empty and len(result.forecast) == 2 * 2
    assert "cut-off(s), not 6" in result.verdict


def test_automatic_settings_are_reproducible_with_the_same_seed() -> None:
    months = [f"{2020 + t // 12}-{t % 12 + 1:02d}" for t in range(40)]
    settings = ModelSettings(horizon=3, epochs=3, members=2, patience=1, tune_seconds=600.0)
    one = run_forecast(_frame(months), settings, backtest_k=0)
    two = run_forecast(_frame(months), settings, backtest_k=0)
    assert len(one.tuning) > 1 and (one.tuning["status"] == "chosen").sum() == 1
    pd.testing.assert_frame_equal(one.forecast, two.forecast)
    pd.testing.assert_frame_equal(
        one.tuning.drop(columns="seconds"), two.tuning.drop(columns="seconds")
    )
    chosen = one.tuning.loc[one.tuning["status"] == "chosen"].iloc[0]
    assert one.ensemble.settings.units == chosen["units"]
    assert one.ensemble.settings.lookback == chosen["lookback"]
    assert "Automatic settings:" in one.verdict
