"""The reference forecasts every model is compared with: naive, seasonal naive, mean, drift, and
the cost analyst's rate naive.

All baselines work on the target series alone (no covariates) and return ``horizon`` values that
follow the end of the history. ``baseline_forecast`` handles one series; ``baseline_matrix`` handles
many series of the same length at once (vectorised, used by the backtest); ``baseline_forecasts``
handles a mapping of node -> history of any lengths.

Definitions, with history ``y_1..y_n`` and step ``h = 1..horizon``:

- ``naive``: ``y_n`` for every step.
- ``seasonal_naive``: the value one season earlier, repeated season by season:
  ``y_{n - m + ((h - 1) mod m) + 1}`` for season length ``m``. When the history is shorter than one
  season (``n < m``) there is no value one season back, so it falls back to ``naive``; with
  ``m == 1`` it is the same as ``naive``.
- ``mean``: the mean of the whole history.
- ``drift``: ``y_n + h * (y_n - y_1) / (n - 1)`` (the line through the first and last values);
  ``naive`` when ``n == 1``.
- ``rate_naive`` (``rate_naive_matrix``; it needs the plan, so it is not in ``BASELINE_NAMES``):
  the node's cumulative variance % to date applied to its future plan,
  ``(sum(v_1..v_n) / sum(p_1..p_n)) * p_{n+h}``, what an analyst does by hand. Where the cumulative
  plan is 0 the rate does not exist and the forecast is the variance's pace to date, the mean
  ``sum(v_1..v_n) / n`` (the same as ``mean``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from forecasting.errors import ForecastError

BASELINE_NAMES = ("naive", "seasonal_naive", "mean", "drift")
PLAN_BASELINES = ("rate_naive",)

_MONTHLY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUARTERLY = re.compile(r"^\d{4}-Q[1-4]$")
_YEARLY = re.compile(r"^\d{4}$")


def season_from_periods(periods: Sequence[str]) -> int:
    """Infer the season length from period labels.

    Args:
        periods: period labels of one calendar.

    Returns:
        12 when every label is ``YYYY-MM``, 4 when every label is ``YYYY-Qn``, otherwise 1 (yearly
        ``YYYY`` labels, single-period files and anything unrecognised have no season).
    """
    labels = [str(p).strip() for p in periods]
    if not labels:
        return 1
    if all(_MONTHLY.match(p) for p in labels):
        return 12
    if all(_QUARTERLY.match(p) for p in labels):
        return 4
    return 1


def _check_common(name: str, horizon: int, season: int) -> None:
    if name not in BASELINE_NAMES:
        known = ", ".join(BASELINE_NAMES)
        raise ForecastError(f"Unknown baseline '{name}'. Choose one of: {known}.")
    if int(horizon) != horizon or horizon < 1:
        raise ForecastError(
            f"The forecast horizon must be a whole number of at least 1 (got {horizon})."
        )
    if int(season) != season or season < 1:
        raise ForecastError(
            f"The season length must be a whole number of at least 1 (got {season})."
        )


def baseline_matrix(name: str, history: np.ndarray, horizon: int, season: int = 1) -> np.ndarray:
    """Forecast many series of equal length at once with one baseline.

    Args:
        name: one of ``BASELINE_NAMES``.
        history: array ``[n_series, T]`` of past target values (no NaN), oldest first.
        horizon: number of future steps (>= 1).
        season: season length (1 = no season); see the module docstring for the fallback.

    Returns:
        Array ``[n_series, horizon]`` of float64 forecasts.

    Raises:
        ForecastError: unknown name, horizon < 1, empty history, missing values, or not 2-D.
    """
    _check_common(name, horizon, season)
    y = np.asarray(history, dtype=np.float64)
    if y.ndim != 2:
        raise ForecastError(
            f"Baseline '{name}' needs a table of series (2-D array); got {y.ndim} dimension(s)."
        )
    n_series, n = y.shape
    if n == 0:
        raise ForecastError(
            f"Baseline '{name}' needs at least one past value; the history is empty."
        )
    if n_series and not np.isfinite(y).all():
        bad = np.flatnonzero(~np.isfinite(y).all(axis=1))[:5].tolist()
        raise ForecastError(
            f"Baseline '{name}': the history has missing or infinite values "
            f"(series at positions {bad})."
        )
    steps = np.arange(1, horizon + 1, dtype=np.float64)
    last = y[:, -1:]
    if name == "naive" or (name == "seasonal_naive" and (season == 1 or n < season)):
        return np.repeat(last, horizon, axis=1)
    if name == "seasonal_naive":
        idx = n - season + (np.arange(horizon) % season)
        return y[:, idx].copy()
    if name == "mean":
        return np.repeat(y.mean(axis=1, keepdims=True), horizon, axis=1)
    # drift
    if n == 1:
        return np.repeat(last, horizon, axis=1)
    slope = (y[:, -1:] - y[:, :1]) / (n - 1)
    return last + slope * steps[None, :]


def baseline_forecast(name: str, history: np.ndarray, horizon: int, season: int = 1) -> np.ndarray:
    """Forecast one series with one baseline.

    Args:
        name: one of ``BASELINE_NAMES``.
        history: 1-D array of past target values, oldest first.
        horizon: number of future steps (>= 1).
        season: season length (1 = no season).

    Returns:
        1-D float64 array of ``horizon`` forecasts.

    Raises:
        ForecastError: unknown name, horizon < 1, empty history or missing values.
    """
    y = np.asarray(history, dtype=np.float64)
    if y.ndim != 1:
        raise ForecastError(
            f"Baseline '{name}' needs one series (1-D array); got {y.ndim} dimension(s)."
        )
    return baseline_matrix(name, y[None, :], horizon, season)[0]


def baseline_forecasts(
    history_by_node: Mapping[str, np.ndarray], horizon: int, season: int = 1
) -> dict[str, dict[str, np.ndarray]]:
    """Run every baseline on every node's history.

    Args:
        history_by_node: node id -> 1-D history (lengths may differ between nodes).
        horizon: number of future steps (>= 1).
        season: season length (1 = no season).

    Returns:
        ``{baseline name: {node: forecast array of length horizon}}`` for every name in
        ``BASELINE_NAMES``.

    Raises:
        ForecastError: as ``baseline_forecast``; the message names the node.
    """
    out: dict[str, dict[str, np.ndarray]] = {name: {} for name in BASELINE_NAMES}
    for node, hist in history_by_node.items():
        for name in BASELINE_NAMES:
            try:
                out[name][node] = baseline_forecast(name, hist, horizon, season)
            except ForecastError as err:
                raise ForecastError(f"Node '{node}': {err.message}") from None
    return out


def rate_naive_matrix(
    variance: np.ndarray, planned: np.ndarray, future_planned: np.ndarray
) -> np.ndarray:
    """The ``rate_naive`` forecast of many series (module docstring).

    Args:
        variance: ``[n_series, T]`` past variance per period; NaN before a series starts.
        planned: ``[n_series, T]`` past planned spend, NaN where ``variance`` is.
        future_planned: ``[n_series, horizon]`` planned spend of the forecast periods.

    Returns:
        Array ``[n_series, horizon]`` of float64 forecasts.

    Raises:
        ForecastError: shapes that do not match or a series without any past value.
    """
    v = np.asarray(variance, dtype=np.float64)
    p = np.asarray(planned, dtype=np.float64)
    fut = np.asarray(future_planned, dtype=np.float64)
    if v.shape != p.shape or v.ndim != 2 or fut.ndim != 2 or fut.shape[0] != v.shape[0]:
        raise ForecastError(
            "Baseline 'rate_naive' needs past variance and plan of the same shape and a future "
            "plan with one row per series."
        )
    seen = np.isfinite(v)
    count = seen.sum(axis=1)
    if (count == 0).any():
        bad = np.flatnonzero(count == 0)[:5].tolist()
        raise ForecastError(
            f"Baseline 'rate_naive' needs at least one past value (series at positions {bad})."
        )
    cum_v = np.where(seen, v, 0.0).sum(axis=1)
    cum_p = np.where(seen, np.nan_to_num(p), 0.0).sum(axis=1)
    has_plan = cum_p != 0.0
    rate = np.where(has_plan, cum_v / np.where(has_plan, cum_p, 1.0), 0.0)
    pace = cum_v / count
    return np.where(has_plan[:, None], rate[:, None] * fut, pace[:, None] * np.ones_like(fut))
