"""Fitting the per-node parameters of a :class:`forecasting.scaling.Scaler` (kinds, log and
differencing as that module describes) on the training periods only, and subsetting them."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np

from forecasting import smoothing
from forecasting.errors import ForecastError
from forecasting.scaling import KINDS, LOG_FLOOR, Scaler


def _loc_scale(x: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        if kind == "minmax":
            hi = np.nanmax(x, axis=1)
            lo = np.nanmin(x, axis=1)
            loc, scale = (hi + lo) / 2.0, (hi - lo) / 2.0
        else:
            loc, scale = np.nanmean(x, axis=1), np.nanstd(x, axis=1)
            if kind == "window":
                loc = np.zeros_like(loc)
    # A scale tiny relative to the level would blow up rounding noise; treat as flat.
    level = np.maximum(np.abs(loc), 1.0)
    flat = ~np.isfinite(scale) | (scale <= 1e-12 * level)
    scale = np.where(flat, 1.0, scale)
    loc = np.where(np.isfinite(loc), loc, 0.0)
    return loc, scale


def fit_scaler(
    target: np.ndarray,
    covariate: np.ndarray,
    *,
    fit_end: int,
    kind: str = "standard",
    difference: bool = False,
    positions: np.ndarray | None = None,
    season: int = 1,
    log: bool = False,
) -> Scaler:
    """Fit per-node parameters on the periods before ``fit_end`` (NaN = not observed).

    ``positions`` (one per period) and ``season`` give the ``es`` kind its seasonal profile; the
    other kinds ignore them. ``log``: model the nodes whose training values are all above zero in
    logs (module docstring).

    Raises:
        ForecastError: unknown kind, or ``fit_end`` leaves no period to fit on.
    """
    if kind not in KINDS:
        raise ForecastError(f"Unknown scaler '{kind}'. Choose one of: {', '.join(KINDS)}.")
    if fit_end < 1:
        raise ForecastError("Scaling needs at least one training period.")
    floors = log_floors(np.asarray(target, dtype="float64")[:, :fit_end]) if log else None
    probe = Scaler(kind, difference, *(np.zeros(0),) * 4, log=floors)
    t = probe.prepare_target(np.asarray(target, dtype="float64"))[:, :fit_end]
    c = np.asarray(covariate, dtype="float64")[:, :fit_end]
    if kind == "es":
        return replace(_fit_es(t, c, difference, positions, season), log=floors)
    tl, ts = _loc_scale(t, kind)
    cl, cs = _loc_scale(c, "standard" if kind == "window" else kind)
    if kind == "window":
        cl = np.zeros_like(cl)
    return Scaler(kind, difference, tl, ts, cl, cs, log=floors)


def log_floors(train: np.ndarray) -> np.ndarray | None:
    """Per node of the training part ``train`` (NaN = not observed): ``LOG_FLOOR`` times its
    smallest value when every observed value is above zero (it is then modelled in logs), else
    0; None when no node qualifies."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: not logged
        low = np.nanmin(train, axis=1)
    seen = np.isfinite(train).sum(axis=1) >= 2
    positive = seen & np.isfinite(low) & (low > 0)
    if not positive.any():
        return None
    return np.where(positive, low * LOG_FLOOR, 0.0)


def _fit_es(
    t: np.ndarray, c: np.ndarray, difference: bool, positions: np.ndarray | None, season: int
) -> Scaler:
    """The ``es`` kind's parameters from the training part ``t`` (target) and ``c`` (covariate)."""
    m = max(int(season), 1)
    if m > 1 and positions is None:
        raise ForecastError("The 'es' scaler needs the season position of every period.")
    pos = np.zeros(t.shape[1], dtype=np.int64) if positions is None else np.asarray(positions)
    profile = smoothing.seasonal_profile(t, pos[: t.shape[1]], m)
    deseason = t - profile[:, pos[: t.shape[1]]]
    scale = smoothing.step_scale(deseason)
    _, fallback = _loc_scale(deseason, "standard")
    flat = ~np.isfinite(scale) | (scale <= 1e-9 * np.maximum(fallback, 1e-300))
    scale = np.where(flat, fallback, scale)
    cl, cs = _loc_scale(c, "standard")
    return Scaler(
        "es",
        difference,
        np.zeros(t.shape[0]),
        scale,
        np.zeros_like(cl),
        cs,
        alpha=smoothing.fit_alpha(deseason),
        season=profile,
    )


def subset_scaler(scaler: Scaler, rows: np.ndarray) -> Scaler:
    """The scaler restricted to the nodes at ``rows`` (in that order)."""
    r = np.asarray(rows, dtype=np.int64)
    return Scaler(
        scaler.kind,
        scaler.difference,
        scaler.target_loc[r],
        scaler.target_scale[r],
        scaler.cov_loc[r],
        scaler.cov_scale[r],
        alpha=None if scaler.alpha is None else scaler.alpha[r],
        season=None if scaler.season is None else scaler.season[r],
        log=None if scaler.log is None else scaler.log[r],
    )
