"""AutoARIMA and AutoETS from statsforecast, the field's standard statistical forecasters.

Both are fitted per node on the target alone, with the season taken from the period labels
(12 monthly, 4 quarterly, 1 otherwise). statsforecast compiles its kernels with numba on first use
(seconds); the compiled code is cached on disk (``NIXTLA_NUMBA_CACHE`` and ``NUMBA_CACHE_DIR``, by
default ``~/.cache/cost-drift/numba``, set before statsforecast is first imported) and
:func:`start_warm_up` compiles it in a background thread, so that the app pays nothing on its
critical path and the CLI pays once per machine.

Backtests fit a model once per node on the history up to the first cut-off and apply that fitted
model (statsforecast's ``forward``: same orders and coefficients, new history) at every later
cut-off, like the LSTM, which is trained once before the first cut-off; refitting at every cut-off
would multiply the time by the number of cut-offs. A node whose fit fails (too short for the
season, numerical trouble) falls back to a non-seasonal fit, then to the naive forecast, and is
logged.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

STAT_NAMES = ("auto_arima", "auto_ets")
CACHE_DIR = Path.home() / ".cache" / "cost-drift" / "numba"


def configure_numba_cache() -> None:
    """Ask statsforecast to cache its numba compilation on disk (only where not set already)."""
    os.environ.setdefault("NIXTLA_NUMBA_CACHE", "1")
    if "NUMBA_CACHE_DIR" not in os.environ:
        try:
            CACHE_DIR.mkdir(parents=True, exist_ok=True)
            os.environ["NUMBA_CACHE_DIR"] = str(CACHE_DIR)
        except OSError as exc:  # a read-only home: numba then compiles in memory each run
            log.warning("No numba cache folder at %s (%s)", CACHE_DIR, exc)


configure_numba_cache()


def _model(name: str, season: int) -> Any:
    from statsforecast.models import AutoARIMA, AutoETS

    if name == "auto_arima":
        return AutoARIMA(season_length=season)
    if name == "auto_ets":
        return AutoETS(season_length=season)
    raise ValueError(f"unknown statistical model {name!r}")


def fit(name: str, y: np.ndarray, season: int) -> Any | None:
    """Fit one model on one history; None when neither the seasonal nor the plain fit works."""
    y = np.asarray(y, dtype=np.float64)
    seasons = [season, 1] if season > 1 else [1]
    for s in seasons:
        if s > 1 and len(y) < 2 * s + 2:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return _model(name, s).fit(y)
        except Exception as exc:  # statsforecast raises many kinds; the next option is tried
            log.info("%s with season %d failed on a history of %d: %s", name, s, len(y), exc)
    return None


def forward(model: Any | None, y: np.ndarray, horizon: int) -> np.ndarray:
    """Point forecast of a fitted model applied to the history ``y`` (naive when ``model`` is
    None or the model cannot be applied)."""
    y = np.asarray(y, dtype=np.float64)
    if model is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mean = np.asarray(model.forward(y=y, h=horizon)["mean"], dtype=np.float64)
            if mean.shape == (horizon,) and np.isfinite(mean).all():
                return mean
        except Exception as exc:  # fall back to naive, below
            log.info("forward of a fitted model failed: %s", exc)
    return np.repeat(y[-1], horizon)


def forecast(name: str, y: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """Fit on the whole history ``y`` and forecast ``horizon`` steps (naive if the fit fails)."""
    y = np.asarray(y, dtype=np.float64)
    model = fit(name, y, season)
    if model is None:
        return np.repeat(y[-1], horizon)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mean = np.asarray(model.predict(h=horizon)["mean"], dtype=np.float64)
        if mean.shape == (horizon,) and np.isfinite(mean).all():
            return mean
    except Exception as exc:  # fall back to naive
        log.info("%s predict failed: %s", name, exc)
    return np.repeat(y[-1], horizon)


def backtest_paths(
    name: str,
    target: np.ndarray,
    start: np.ndarray,
    origins: list[int],
    horizon: int,
    season: int,
) -> np.ndarray:
    """Forecasts ``(nodes, len(origins), horizon)`` of one model at every backtest origin.

    Args:
        name: ``auto_arima`` or ``auto_ets``.
        target: ``(nodes, periods)`` history, NaN before each node's first period.
        start: index of each node's first period.
        origins: 0-based index of the last observed period of each cut-off, ascending; the model
            is fitted once per node up to the first and applied at every one.
        horizon: steps per forecast.
        season: season length.
    """
    out = np.empty((target.shape[0], len(origins), horizon))
    for i in range(target.shape[0]):
        s = int(start[i])
        model = fit(name, target[i, s : origins[0] + 1], season)
        for j, o in enumerate(origins):
            out[i, j] = forward(model, target[i, s : o + 1], horizon)
    return out


def warm_up() -> None:
    """Compile (or load from the cache) statsforecast's kernels on a tiny series."""
    t = np.arange(40, dtype=np.float64)
    y = 10.0 + 0.1 * t + np.sin(2 * np.pi * t / 4)
    for name in STAT_NAMES:
        forecast(name, y, 4, 4)
        forecast(name, y, 2, 1)


_warm_lock = threading.Lock()
_warm_thread: threading.Thread | None = None


def start_warm_up() -> threading.Thread:
    """Run :func:`warm_up` once per process in a daemon thread; returns that thread."""
    global _warm_thread
    with _warm_lock:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=_safe_warm_up, name="statsforecast-warm-up")
            _warm_thread.daemon = True
            _warm_thread.start()
        return _warm_thread


def _safe_warm_up() -> None:
    try:
        warm_up()
    except Exception:  # a failed warm-up only costs the first forecast its compile time
        log.exception("statsforecast warm-up failed")
