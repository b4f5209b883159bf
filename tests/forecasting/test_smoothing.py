"""The es normaliser's pieces: seasonal profile, smoothing weight, window level, step scale."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from forecasting import smoothing

RNG = np.random.default_rng(11)


def test_an_additive_season_is_recovered_and_centred() -> None:
    t = np.arange(48)
    season = np.array([3.0, 1.0, -1.0, -3.0])
    x = (season[t % 4] + 0.5 * t + RNG.normal(0, 0.1, 48))[None, :]
    profile = smoothing.seasonal_profile(x, t % 4, 4)
    np.testing.assert_allclose(profile[0], season, atol=0.15)
    assert profile[0].sum() == pytest.approx(0.0, abs=1e-9)


def test_recent_seasons_weigh_more_so_a_changed_or_faded_season_is_the_current_one() -> None:
    t = np.arange(96)
    old, new = np.array([3.0, 1.0, -1.0, -3.0]), np.array([-3.0, -1.0, 1.0, 3.0])
    # 16 seasons of one shape, then 8 of its mirror image: the profile follows the recent one.
    changed = np.where(t < 64, old[t % 4], new[t % 4])[None, :] + RNG.normal(0, 0.05, (1, 96))
    profile = smoothing.seasonal_profile(changed, t % 4, 4)[0]
    # Weighted equally, the 16 old seasons would win (a third of the old shape); here the recent
    # shape dominates: same signs and most of its size.
    assert np.sign(profile).tolist() == np.sign(new).tolist()
    assert np.all(np.abs(profile) >= 0.5 * np.abs(new))
    # A season that faded to nothing (a series gone quiet) is no longer subtracted.
    faded = np.where(t < 48, old[t % 4] * 10, 0.0)[None, :] + RNG.normal(0, 0.05, (1, 96))
    assert np.abs(smoothing.seasonal_profile(faded, t % 4, 4)).max() < 0.5


def test_noise_and_short_histories_get_no_season() -> None:
    t = np.arange(48)
    noise = RNG.normal(0, 1, (1, 48))
    assert not smoothing.seasonal_profile(noise, t % 4, 4).any()
    short = np.array([[3.0, 1.0, -1.0, -3.0, 3.0, 1.0, -1.0]])  # fewer than two seasons
    assert not smoothing.seasonal_profile(short, t[:7] % 4, 4).any()
    assert smoothing.seasonal_profile(noise, t % 4, 1).shape == (1, 1)


def test_a_node_without_a_detrended_value_gets_no_season_and_no_warning() -> None:
    t = np.arange(24)
    x = np.vstack([np.sin(t * np.pi / 2) * 3, np.full(24, np.nan)])
    x[1, -3:] = [1.0, 2.0, 3.0]  # too few values for a moving average: the row is all NaN
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prof = smoothing.seasonal_profile(x, t % 4, 4)
    assert not prof[1].any() and prof[0].any()


def test_missing_periods_before_a_late_start_are_ignored() -> None:
    t = np.arange(40)
    x = np.array([4.0, -4.0])[t % 2].astype(float)[None, :].repeat(2, axis=0)
    x[1, :8] = np.nan
    prof = smoothing.seasonal_profile(x, t % 4, 4)
    np.testing.assert_allclose(prof[0], [4.0, -4.0, 4.0, -4.0], atol=1e-9)
    np.testing.assert_allclose(prof[1], prof[0], atol=1e-9)


def test_the_smoothing_weight_follows_the_kind_of_series() -> None:
    walk = RNG.normal(0, 1, 200).cumsum()  # a random walk: the last value is the best level
    noisy = 5.0 + RNG.normal(0, 1, 200)  # noise around a constant: a long average is best
    alpha = smoothing.fit_alpha(np.stack([walk, noisy]))
    assert alpha[0] >= 0.8 and alpha[1] <= 0.2
    assert smoothing.fit_alpha(np.array([[np.nan, 1.0, 2.0]]))[0] == 1.0


def test_window_level_matches_a_hand_computation() -> None:
    values = np.array([[10.0, 20.0, 0.0], [1.0, 2.0, 3.0]])
    level = smoothing.window_level(values, np.array([0.5, 1.0]))
    # 10 -> 10 + 0.5 * 10 = 15 -> 15 + 0.5 * (0 - 15) = 7.5; alpha 1 is the last value
    np.testing.assert_allclose(level, [7.5, 3.0])


def test_step_scale_is_the_mean_absolute_change() -> None:
    x = np.array([[np.nan, 1.0, 3.0, 0.0], [np.nan, np.nan, np.nan, 2.0]])
    scale = smoothing.step_scale(x)
    assert scale[0] == pytest.approx(2.5) and np.isnan(scale[1])
