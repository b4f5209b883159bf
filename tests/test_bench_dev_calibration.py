"""The calibration study's scores: the interval score and the swapped node scale."""

from __future__ import annotations

import numpy as np
import pytest

from bench import dev_calibration as dc
from forecasting import conformal


def test_interval_score_is_width_plus_ten_times_the_miss_at_80_percent() -> None:
    actual = np.array([1.0, 5.0, 0.0])
    lower, upper = np.array([0.0, 0.0, 1.0]), np.array([2.0, 2.0, 3.0])
    # width 2 everywhere; misses 0, 3 above, 1 below; 2 / 0.2 = 10
    assert dc.interval_score(actual, lower, upper, 0.8) == pytest.approx([2.0, 32.0, 12.0])
    assert dc.interval_score(actual, lower, upper, 0.5)[1] == pytest.approx(2.0 + 4.0 * 3.0)


def test_a_swapped_node_scale_changes_the_band_only_while_its_rule_runs() -> None:
    rng = np.random.default_rng(3)
    e = rng.normal(size=(3, 4, 2))
    e[0, 0, 0] = 40.0  # one outlying error: the mean absolute error is pulled up, the median not
    ref = np.ones(3)
    same = dc.with_node_scale(conformal._mean_abs)(e, ref, ref, 0.8)
    assert np.allclose(same, dc.current(e, ref, ref, 0.8))
    median = dc.RULES["median scale"](e, ref, ref, 0.8)
    assert median.shape == same.shape and not np.allclose(median, same)
    assert conformal._mean_abs is not dc._median_abs
    assert np.allclose(dc.current(e, ref, ref, 0.8), same)
