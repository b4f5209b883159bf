"""Conformal bands: a hand-computed case, the finite-sample rank, and coverage near nominal."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import conformal
from forecasting.errors import ForecastError

# two nodes (scales 1 and 10), two cut-offs, two steps
ERRORS = np.array(
    [
        [[1.0, -2.0], [-3.0, 4.0]],
        [[10.0, 20.0], [-5.0, 0.0]],
    ]
)
SCALES = np.array([1.0, 10.0])


def test_bounds_match_a_hand_computation() -> None:
    cal = conformal.calibrate(ERRORS, SCALES, 0.5)
    # scaled |errors|: step 1 -> 1, 3, 1, 0.5; step 2 -> 2, 4, 2, 0; n = 4, rank ceil(5 * 0.5) = 3
    np.testing.assert_allclose(cal.quantiles, [1.0, 2.0])
    assert cal.count == 4 and cal.enough
    lower, upper = conformal.bounds(np.array([[5.0, 5.0]]), np.array([10.0]), cal)
    np.testing.assert_allclose(lower, [[-5.0, -15.0]])
    np.testing.assert_allclose(upper, [[15.0, 25.0]])


def test_too_few_residuals_for_the_level_take_the_largest_and_say_so() -> None:
    cal = conformal.calibrate(ERRORS, SCALES, 0.9)  # rank ceil(5 * 0.9) = 5 > 4
    np.testing.assert_allclose(cal.quantiles, [3.0, 4.0])
    assert not cal.enough


def test_half_widths_never_shrink_further_ahead() -> None:
    errors = np.array([[[5.0, 1.0], [5.0, 1.0], [5.0, 1.0]]])
    cal = conformal.calibrate(errors, np.array([1.0]), 0.5)
    # the dip at step 2 is pooled with step 1 (mean 3), not lifted to step 1's 5
    np.testing.assert_allclose(cal.quantiles, [3.0, 3.0])


def test_isotonic_pools_adjacent_violators() -> None:
    np.testing.assert_allclose(conformal.isotonic(np.array([1.0, 2.0, 3.0])), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(conformal.isotonic(np.array([1.0, 3.0, 2.0, 4.0])), [1, 2.5, 2.5, 4])
    # a late dip pulls down the whole decreasing run before it
    np.testing.assert_allclose(conformal.isotonic(np.array([4.0, 5.0, 0.0])), [3.0, 3.0, 3.0])
    assert conformal.isotonic(np.array([])).size == 0


def test_level_outside_50_to_95_is_refused() -> None:
    for bad in (0.4, 0.99, float("nan"), True):
        with pytest.raises(ForecastError, match="from 50% to 95%"):
            conformal.check_level(bad)  # type: ignore[arg-type]
    assert conformal.check_level(0.8) == 0.8


def test_node_scale_is_the_naive_mae_with_fallbacks() -> None:
    assert conformal.node_scale(np.array([1.0, 3.0, 2.0])) == pytest.approx(1.5)
    assert conformal.node_scale(np.array([4.0, 4.0])) == pytest.approx(4.0)  # constant: mean |x|
    assert conformal.node_scale(np.array([0.0, 0.0])) == 1.0
    assert conformal.node_scale(np.array([np.nan, 2.0, 4.0])) == pytest.approx(2.0)


def test_predictive_paths_add_each_scaled_residual_path_to_the_point() -> None:
    cal = conformal.calibrate(ERRORS, SCALES, 0.5)
    paths = conformal.predictive_paths(np.array([[100.0, 100.0]]), np.array([2.0]), cal)
    assert paths.shape == (4, 1, 2)
    np.testing.assert_allclose(paths[:, 0, :], 100.0 + 2.0 * cal.paths)
    thinned = conformal.predictive_paths(np.zeros((1, 2)), np.ones(1), cal, max_paths=2)
    assert thinned.shape == (2, 1, 2)


def test_coverage_of_a_seeded_gaussian_series_is_close_to_nominal() -> None:
    """Statistical check: 30 nodes of white noise with node-specific sigma; calibrate on 8
    cut-offs, then cover 20,000 fresh errors. Tolerance: 3 points around the nominal level (the
    calibration's own sampling error is about 2.6 points at 80 % with 240 residuals a step)."""
    rng = np.random.default_rng(11)
    sigma = np.exp(rng.uniform(np.log(1.0), np.log(1000.0), 30))
    history = rng.normal(0.0, 1.0, (30, 60)) * sigma[:, None]
    scales = np.asarray([conformal.node_scale(h) for h in history])
    calib = rng.normal(0.0, 1.0, (30, 8, 3)) * sigma[:, None, None]
    for level in (0.5, 0.8, 0.95):
        cal = conformal.calibrate(calib, scales, level)
        fresh = rng.normal(0.0, 1.0, (30, 700, 3)) * sigma[:, None, None]
        half = scales[:, None, None] * cal.quantiles[None, None, :]
        covered = float(np.mean(np.abs(fresh) <= half))
        assert covered == pytest.approx(level, abs=0.03), level
    cov, width = conformal.cross_coverage(calib, scales, 0.8)
    assert cov.shape == (30,) and float(cov.mean()) == pytest.approx(0.8, abs=0.05)
    assert (width > 0).all()
