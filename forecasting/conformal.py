"""Calibrated prediction intervals: split conformal over rolling-origin backtest residuals.

The backtest leaves, per model, node, cut-off and horizon step, an error ``e = actual - forecast``.
Each node's errors are divided by the node's own error scale, so the scaled errors of every node of
a level are comparable and one calibration serves the whole level (normalised conformal):

- a node's scale is the model's mean absolute backtest error at that node, over its cut-offs and
  steps: the band is sized by how well *this model* forecasts *this node*. The earlier scale, the
  in-sample MAE of the one-step naive forecast, ignored that: on the forecast suite AutoARIMA's
  errors were 0.09 of that scale on one monthly series and 1.08 on another, so one pooled quantile
  made the first band ten times too wide and the second too narrow; the 80 % band covered 85 %
  (86.8 % monthly) with bands 54 % wider than statsforecast's own.
- a residual used for the calibration is divided by its node's scale measured on the *other*
  cut-offs (leave one cut-off out), so that it is as much out of sample as a future error divided
  by the scale from every cut-off; dividing a node's errors by their own mean would make them look
  tamer than a new error and the bands too narrow.
- a node without a usable own scale (a single cut-off, no finite errors, or all errors 0) takes
  its *reference* scale (``node_scale``: the naive MAE, which the caller passes) times the level's
  median ratio of own to reference scale (``Calibration.ratio``; 1 with a single cut-off, where
  nothing else can be known); nodes that have no backtest (too short for it) are scaled the same
  way (:func:`band_scales`).

For step ``h`` and nominal level ``1 - a``, with ``n`` scaled absolute errors, the half-width is
their ``ceil((n + 1)(1 - a))``-th smallest value (the finite-sample conformal quantile, whose
expected coverage on exchangeable residuals is that rank over ``n + 1``: the nominal level up to
``1 / (n + 1)``; when the rank exceeds ``n`` there are too few residuals for the level, and the
largest one is used, which under-covers: ``Calibration.enough`` says so). Half-widths are made
non-decreasing over the steps by an isotonic (least-squares monotone) fit: uncertainty does not
shrink further ahead, and a step whose quantile dips below an earlier one is pooled with it
(averaged), not lifted to the earlier maximum. A node's band is ``forecast +- q_h * s``.

The predictive distribution used for probabilities (the drift outlook) is the forecast plus each
scaled residual *path* (one per node and cut-off, all steps together, so the paths keep how errors
carry over from step to step) times the node's scale; so its quantiles are the band's.

:func:`cross_coverage` scores a model's own bands inside the backtest honestly enough to compare
models: each cut-off is covered by a calibration (scales included) on the other cut-offs only
(leave one cut-off out). Neighbouring cut-offs share some target periods, so this is slightly
optimistic; the forecast benchmark measures coverage on data the calibration never saw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from forecasting.errors import ForecastError

INTERVAL_MIN, INTERVAL_MAX = 0.5, 0.95
MAX_PATHS = 200


def check_level(level: float) -> float:
    """The nominal level as a float, or ForecastError when it is not from 50 % to 95 %."""
    ok = isinstance(level, int | float) and not isinstance(level, bool) and math.isfinite(level)
    if not ok or not INTERVAL_MIN <= float(level) <= INTERVAL_MAX:
        raise ForecastError(
            f"The prediction interval must be from {INTERVAL_MIN:.0%} to {INTERVAL_MAX:.0%} "
            f"(got {level!r})."
        )
    return float(level)


def node_scale(insample: np.ndarray) -> float:
    """A node's reference scale: the in-sample MAE of the one-step naive forecast; the mean
    absolute value when that is 0 (a constant history) and 1 when both are 0 or undefined."""
    x = np.asarray(insample, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size >= 2:
        s = float(np.mean(np.abs(np.diff(x))))
        if s > 0:
            return s
    if x.size and float(np.mean(np.abs(x))) > 0:
        return float(np.mean(np.abs(x)))
    return 1.0


def node_scales(target: np.ndarray, start: np.ndarray, upto: int) -> np.ndarray:
    """:func:`node_scale` of each row of a ``(nodes, periods)`` panel over ``start .. upto - 1``."""
    return np.asarray([node_scale(target[i, int(start[i]) : upto]) for i in range(target.shape[0])])


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ``ceil((n + 1) * level)``-th smallest of ``n`` scores (the largest when too few)."""
    s = np.sort(np.asarray(scores, dtype=np.float64)[np.isfinite(scores)])
    if s.size == 0:
        return float("nan")
    rank = math.ceil((s.size + 1) * level)
    return float(s[min(rank, s.size) - 1])


def isotonic(values: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence closest to ``values`` in least squares (pool adjacent
    violators: each run that decreases is replaced by its mean)."""
    blocks: list[list[float]] = []  # [mean, count]
    for v in np.asarray(values, dtype=np.float64):
        blocks.append([float(v), 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, n2 = blocks.pop()
            m1, n1 = blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    return np.concatenate([np.full(int(n), m) for m, n in blocks]) if blocks else np.empty(0)


@dataclass(frozen=True)
class Calibration:
    """One model's calibration at one level: half-widths per step (in node scales), the scaled
    residual paths behind them, each calibration node's own scale (in the order of the errors) and
    the median ratio of own to reference scale (for nodes without one; module docstring)."""

    level: float
    quantiles: np.ndarray
    paths: np.ndarray
    scales: np.ndarray = field(default_factory=lambda: np.empty(0))
    ratio: float = 1.0

    @property
    def count(self) -> int:
        """Residual paths (node x cut-off) behind the calibration."""
        return int(self.paths.shape[0])

    @property
    def enough(self) -> bool:
        """Whether there are enough residuals for the nominal level (rank ``<= n``)."""
        return self.count > 0 and math.ceil((self.count + 1) * self.level) <= self.count


def _mean_abs(e: np.ndarray) -> np.ndarray:
    """Mean absolute finite value of each row of ``(nodes, ...)`` errors; NaN where none."""
    a = np.abs(e.reshape(e.shape[0], -1))
    ok = np.isfinite(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, a, 0.0).sum(axis=1) / ok.sum(axis=1)


def _usable(s: np.ndarray) -> np.ndarray:
    return np.isfinite(s) & (s > 0)


def own_scales(errors: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, float]:
    """Each node's own error scale and the level's ratio of own to reference scale.

    Args:
        errors: ``(nodes, cut-offs, steps)`` backtest errors.
        reference: ``(nodes,)`` reference scales (``node_scale``), used where a node has no usable
            own scale, times the ratio.

    Returns:
        ``(nodes,)`` scales (module docstring) and the median own / reference ratio (1 when no node
        has both, or with a single cut-off, where the reference scales are returned).
    """
    ref = np.asarray(reference, dtype=np.float64)
    if errors.shape[1] < 2:
        return ref.copy(), 1.0
    own = _mean_abs(errors)
    both = _usable(own) & _usable(ref)
    ratio = float(np.median(own[both] / ref[both])) if both.any() else 1.0
    return np.where(_usable(own), own, ref * ratio), ratio


def _held_out_scales(errors: np.ndarray, reference: np.ndarray, ratio: float) -> np.ndarray:
    """``(nodes, cut-offs)``: each node's scale from its other cut-offs (the reference times the
    ratio where those give none; the reference alone with a single cut-off)."""
    k = errors.shape[1]
    ref = np.asarray(reference, dtype=np.float64)
    if k < 2:
        return np.repeat(ref[:, None], k, axis=1)
    out = np.stack([_mean_abs(np.delete(errors, j, axis=1)) for j in range(k)], axis=1)
    return np.where(_usable(out), out, (ref * ratio)[:, None])


def calibrate(errors: np.ndarray, reference: np.ndarray, level: float) -> Calibration:
    """Calibrate from backtest errors ``(nodes, cut-offs, steps)`` and reference scales
    ``(nodes,)`` (``node_scale`` of each node; see the module docstring for their use).

    Raises:
        ForecastError: a level outside 50-95 % or shapes that do not match.
    """
    level = check_level(level)
    e = np.asarray(errors, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    if e.ndim != 3 or ref.shape != (e.shape[0],):
        raise ForecastError("Calibration needs errors (nodes, cut-offs, steps) and one scale each.")
    scales, ratio = own_scales(e, ref)
    held = _held_out_scales(e, ref, ratio)
    paths = (e / held[:, :, None]).reshape(-1, e.shape[2])
    paths = paths[np.isfinite(paths).all(axis=1)]
    q = np.asarray([conformal_quantile(np.abs(paths[:, h]), level) for h in range(e.shape[2])])
    if np.isfinite(q).all():
        q = isotonic(q)
    return Calibration(level=level, quantiles=q, paths=paths, scales=scales, ratio=ratio)


def band_scales(cal: Calibration, rows: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The scale of each forecast node: its own (``cal.scales[rows[i]]``) where it was in the
    calibration (``rows[i] >= 0``), else its reference scale times ``cal.ratio``."""
    ref = np.asarray(reference, dtype=np.float64)
    idx = np.asarray(rows, dtype=np.int64)
    own = cal.scales[np.clip(idx, 0, None)] if cal.scales.size else np.full(idx.shape, np.nan)
    return np.where((idx >= 0) & _usable(own), own, ref * cal.ratio)


def bounds(
    point: np.ndarray, scales: np.ndarray, cal: Calibration
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds ``(nodes, steps)`` around a point forecast."""
    half = np.asarray(scales, dtype=np.float64)[:, None] * cal.quantiles[None, :]
    return point - half, point + half


def predictive_paths(
    point: np.ndarray, scales: np.ndarray, cal: Calibration, max_paths: int = MAX_PATHS
) -> np.ndarray:
    """Sample paths ``(paths, nodes, steps)`` of the calibrated predictive distribution: every
    residual path (evenly thinned to ``max_paths``) scaled to each node and added to its point."""
    paths = cal.paths
    if paths.shape[0] > max_paths:
        keep = np.linspace(0, paths.shape[0] - 1, max_paths).round().astype(int)
        paths = paths[keep]
    if paths.shape[0] == 0:
        return point[None].copy()
    return point[None] + paths[:, None, :] * np.asarray(scales, dtype=np.float64)[None, :, None]


def cross_coverage(
    errors: np.ndarray, reference: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-cut-off-out coverage and mean band width per node (module docstring).

    Args:
        errors: ``(nodes, cut-offs, steps)`` backtest errors.
        reference: ``(nodes,)`` reference node scales.
        level: nominal level.

    Returns:
        ``coverage`` (share of a node's held-back values inside its band) and ``width`` (mean band
        width in currency), both ``(nodes,)``; NaN with a single cut-off.
    """
    e = np.asarray(errors, dtype=np.float64)
    n, k, _ = e.shape
    if k < 2:
        return np.full(n, np.nan), np.full(n, np.nan)
    inside = np.zeros((n, k, e.shape[2]), dtype=bool)
    width = np.zeros((n, k))
    for j in range(k):
        cal = calibrate(np.delete(e, j, axis=1), reference, level)
        half = band_scales(cal, np.arange(n), reference)[:, None] * cal.quantiles[None, :]
        inside[:, j] = np.abs(e[:, j]) <= half
        width[:, j] = 2.0 * half.mean(axis=1)
    return inside.mean(axis=(1, 2)), width.mean(axis=1)
