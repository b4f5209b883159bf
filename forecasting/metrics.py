"""Forecast error scores in currency: RMSE, MAE and MASE.

Every function takes the actual values ``y`` and the forecasts ``yhat`` (same shape, any
dimensions, flattened) and rejects empty, mismatched or non-finite input with ``ForecastError``:
a NaN must never leak silently into a score table.

MASE follows Hyndman & Koehler (2006): the forecast MAE divided by the in-sample MAE of the
seasonal naive method, ``mean(|x_t - x_{t-m}|)`` over the in-sample history ``x`` with season
``m``. It is NaN (not an error) when that scale is undefined (history of ``m`` values or fewer, so
no ``m``-step difference exists) or zero (a history that repeats itself exactly every season,
e.g. a constant series): dividing by it would give infinity or an arbitrary number, and the scaled
error simply does not exist for such a series. Score tables show NaN as "n/a".
"""

from __future__ import annotations

import numpy as np

from forecasting.errors import ForecastError


def _pair(y: object, yhat: object, what: str) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y, dtype=np.float64).ravel()
    b = np.asarray(yhat, dtype=np.float64).ravel()
    if a.size == 0:
        raise ForecastError(f"{what}: there are no values to score.")
    if a.shape != b.shape:
        raise ForecastError(
            f"{what}: {a.size} actual values but {b.size} forecasts; they must match one to one."
        )
    for label, arr in (("actual values", a), ("forecasts", b)):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise ForecastError(
                f"{what}: the {label} contain missing or infinite numbers "
                f"(positions {bad[:5].tolist()})."
            )
    return a, b


def rmse(y: object, yhat: object) -> float:
    """Root mean squared error.

    Args:
        y: actual values.
        yhat: forecasts, same shape.

    Returns:
        ``sqrt(mean((y - yhat)^2))``.

    Raises:
        ForecastError: empty, mismatched or non-finite input.
    """
    a, b = _pair(y, yhat, "RMSE")
    return float(np.sqrt(np.mean((a - b) ** 2)))


def mae(y: object, yhat: object) -> float:
    """Mean absolute error.

    Args:
        y: actual values.
        yhat: forecasts, same shape.

    Returns:
        ``mean(|y - yhat|)``.

    Raises:
        ForecastError: empty, mismatched or non-finite input.
    """
    a, b = _pair(y, yhat, "MAE")
    return float(np.mean(np.abs(a - b)))


def mase_scale(insample: object, season: int = 1) -> float:
    """In-sample MAE of the seasonal naive method (the MASE denominator).

    Args:
        insample: 1-D training history, oldest first.
        season: season length ``m`` (1 = plain naive).

    Returns:
        ``mean(|x_t - x_{t-m}|)``, or NaN when the history has ``m`` values or fewer.

    Raises:
        ForecastError: non-finite history or a season below 1.
    """
    if int(season) != season or season < 1:
        raise ForecastError(
            f"MASE: the season length must be a whole number of at least 1 (got {season})."
        )
    x = np.asarray(insample, dtype=np.float64).ravel()
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise ForecastError(
            f"MASE: the in-sample history contains missing or infinite numbers "
            f"(positions {bad[:5].tolist()})."
        )
    if x.size <= season:
        return float("nan")
    return float(np.mean(np.abs(x[season:] - x[:-season])))


def mase(y: object, yhat: object, insample: object, season: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006).

    Args:
        y: actual values over the forecast horizon.
        yhat: forecasts, same shape.
        insample: 1-D history the forecast was made from (before the cut-off).
        season: season length of the scaling naive method.

    Returns:
        ``mae(y, yhat) / mase_scale(insample, season)``; NaN when the scale is zero or undefined
        (see the module docstring). Below 1 means better than the in-sample seasonal naive.

    Raises:
        ForecastError: empty, mismatched or non-finite input.
    """
    err = mae(y, yhat)
    scale = mase_scale(insample, season)
    if not np.isfinite(scale) or scale == 0.0:
        return float("nan")
    return float(err / scale)
