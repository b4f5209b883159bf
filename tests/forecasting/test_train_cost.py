"""The training-time estimate behind the tuning budget: window counts and how the estimate grows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from forecasting.settings import ModelSettings
from forecasting.train_cost import estimate_seconds, input_features, window_count
from forecasting.windows import to_panel, training_windows


def _panel():
    rows = []
    for node, first in (("a", 0), ("b", 7)):  # b starts 7 periods late
        for t in range(first, 30):
            rows.append((node, f"{2020 + t // 12}-{t % 12 + 1:02d}", float(t), 1.0))
    frame = pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])
    return to_panel(frame, "variance", "planned")


def test_window_count_is_the_number_of_training_windows() -> None:
    p = _panel()
    for lookback, horizon, upto in ((6, 2, 30), (4, 3, 20), (12, 6, 25)):
        w = training_windows(p.target, p.covariate, p.start, lookback, horizon, upto=upto)
        assert window_count(p, lookback, horizon, upto, difference=False) == len(w)
    # differencing loses each node's first period: one window fewer per node
    assert window_count(p, 6, 2, 30, difference=True) == window_count(p, 6, 2, 30, False) - 2
    assert window_count(p, 20, 10, 25, difference=False) == 0


def test_the_estimate_grows_with_the_work_and_ignores_the_clock() -> None:
    base = ModelSettings(lookback=12, horizon=6, units=32, learning_rate=1e-3, epochs=60)
    e = estimate_seconds(base, 500, 12)
    assert e == estimate_seconds(base, 500, 12)  # a pure function of the settings and the data
    assert estimate_seconds(base, 5000, 12) > e
    assert estimate_seconds(replace(base, units=64), 500, 12) > e
    assert estimate_seconds(replace(base, lookback=24), 500, 12) > e
    assert estimate_seconds(replace(base, layers=2), 500, 12) > e
    assert estimate_seconds(replace(base, epochs=2), 500, 12) < e
    assert input_features(base, 12) == 4 and input_features(base, 1) == 2
    assert np.isfinite(estimate_seconds(base, 0, 1))
