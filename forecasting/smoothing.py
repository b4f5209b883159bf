"""Exponential-smoothing pieces of the ``es`` normaliser: seasonal profile, level, scale.

After the winner of the M4 competition (Smyl's ES-RNN): the network sees each window with its
season taken out and measured from an exponentially smoothed level, so one global network learns
shapes that are comparable across series. Cost variances change sign and can sit near zero, so
everything is additive: the season is subtracted, not divided out, and the level is subtracted
before dividing by a scale, never divided by (a level near zero would blow up).

- Seasonal profile (per node, fitted on the training periods only): classical additive
  decomposition. A centred moving average over one season (``2 x m`` for an even season) is the
  trend; the mean of ``x - trend`` at each position of the season, centred to sum to zero, is the
  profile. The mean weighs recent seasons more (a weight that halves every ``SEASON_HALF_LIFE``
  seasons back, as a Holt-Winters seasonal update would), so a season that changed shape or faded
  is taken out as it is now: on the forecast development suite this lowered the LSTM's monthly
  MASE from 0.725 to 0.675 (a series whose season faded to zeros no longer gets it added back).
  It is used only with at least two full seasons and when the season is strong enough (Hyndman's
  seasonal strength ``1 - var(remainder) / var(season + remainder)``, weighted alike, of at least
  ``MIN_STRENGTH``); otherwise the profile is zero, so noise is never subtracted as a season.
- Level: simple exponential smoothing of the deseasonalised window, started at its first value;
  the smoothing weight ``alpha`` per node is the one of ``ALPHAS`` with the lowest one-step squared
  error on the training periods (``alpha = 1`` is the last value, as the ``window`` scaler uses).
- Scale: the mean absolute period-to-period change of the deseasonalised training periods, so a
  network error of 1 is about one typical step of the series, in the spirit of MASE.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ALPHAS = np.round(np.arange(0.1, 1.01, 0.1), 2)
MIN_STRENGTH = 0.3
SEASON_HALF_LIFE = 3.0


def _moving_average(x: np.ndarray, season: int) -> np.ndarray:
    """Centred moving average over one season (2 x m for even m); NaN where undefined."""
    n = x.shape[1]
    if season % 2 == 0:
        weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    else:
        weights = np.ones(season) / season
    width = len(weights)
    out = np.full_like(x, np.nan, dtype="float64")
    if n < width:
        return out
    half = width // 2
    out[:, half : n - half] = sliding_window_view(x, width, axis=1) @ weights
    return out


def _weighted_nanmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per row, the mean of the finite values of ``x`` weighted by ``w`` (NaN where none)."""
    ok = np.isfinite(x)
    total = np.sum(np.where(ok, w, 0.0), axis=1)
    with np.errstate(all="ignore"):
        return np.sum(np.where(ok, x * w, 0.0), axis=1) / np.where(total > 0, total, np.nan)


def _weighted_nanvar(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Per row, the variance of the finite values of ``x`` weighted by ``w``."""
    return _weighted_nanmean(x**2, w) - _weighted_nanmean(x, w) ** 2


def seasonal_profile(x: np.ndarray, positions: np.ndarray, season: int) -> np.ndarray:
    """Additive seasonal profile (nodes, season) of the (nodes, periods) array ``x``.

    ``x`` holds the training periods only (NaN = not observed); ``positions`` is the position of
    each period in its season. Recent seasons weigh more (half the weight every
    ``SEASON_HALF_LIFE`` seasons back), so a season that changed shape or faded is the season as
    it is now. Rows with fewer than two seasons or a weak season get zeros.
    """
    nodes, n = x.shape
    profile = np.zeros((nodes, max(season, 1)))
    if season <= 1:
        return profile
    detrended = x - _moving_average(x, season)
    pos = np.asarray(positions, dtype=np.int64)
    age = (n - 1 - np.arange(n)) / (season * SEASON_HALF_LIFE)
    weight = np.broadcast_to(0.5**age, x.shape)
    for p in range(season):
        at = pos == p
        if at.any():
            profile[:, p] = _weighted_nanmean(detrended[:, at], weight[:, at])
    with np.errstate(all="ignore"):
        # an all-NaN row (no detrended value) has a NaN mean and is dropped below
        profile = profile - _weighted_nanmean(profile, np.ones_like(profile))[:, None]
        remainder = detrended - profile[:, pos]
        strength = 1.0 - _weighted_nanvar(remainder, weight) / _weighted_nanvar(detrended, weight)
    enough = np.sum(np.isfinite(x), axis=1) >= 2 * season
    keep = enough & np.isfinite(strength) & (strength >= MIN_STRENGTH)
    keep &= np.isfinite(profile).all(axis=1)
    return np.where(keep[:, None], profile, 0.0)


def fit_alpha(x: np.ndarray) -> np.ndarray:
    """Per row of ``x`` (training periods, NaN before a node's start), the smoothing weight of
    ``ALPHAS`` with the lowest one-step-ahead squared error (1.0 when a row has < 3 values)."""
    nodes, n = x.shape
    level = np.full((nodes, len(ALPHAS)), np.nan)
    sse = np.zeros((nodes, len(ALPHAS)))
    count = np.zeros(nodes)
    for t in range(n):
        v = x[:, t]
        seen = np.isfinite(v)
        started = seen & np.isfinite(level[:, 0])
        err = np.where(started[:, None], v[:, None] - level, 0.0)
        sse += err**2
        count += started
        new = np.where(np.isfinite(level), level + ALPHAS[None, :] * err, v[:, None])
        level = np.where(seen[:, None], new, level)
    best = ALPHAS[np.argmin(sse, axis=1)]
    return np.where(count >= 2, best, 1.0)


def window_level(values: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Exponentially smoothed level at the end of each row of ``values`` (windows, lookback),
    started at the row's first value, with the row's weight ``alpha``."""
    a = np.asarray(alpha, dtype="float64")
    level = np.asarray(values[:, 0], dtype="float64").copy()
    for t in range(1, values.shape[1]):
        level = level + a * (values[:, t] - level)
    return level


def step_scale(x: np.ndarray) -> np.ndarray:
    """Per row, the mean absolute period-to-period change (NaN where a row has < 2 values)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.abs(np.diff(x, axis=1)), axis=1)
