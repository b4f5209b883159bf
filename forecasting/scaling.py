"""Per-node scaling of the target and the covariate, with optional differencing and exact inverse.

Kinds (fitted per node on the periods before ``fit_end`` only; a backtest never sees its test data):

- ``standard``: ``z = (x - mean) / std``.
- ``minmax``: ``z`` in [-1, 1] over the fitted range: ``z = (x - mid) / half_range``.
- ``window``: window-relative: each window is shifted by its own last observed value (the origin)
  and divided by the node's fitted std, so the network sees shapes, not levels.
- ``es`` (after the M4 winner, see ``forecasting.smoothing``): the node's additive seasonal
  profile is subtracted, each window is shifted by its exponentially smoothed level and divided
  by the node's mean absolute period-to-period change; the inverse adds the season of the
  forecast periods back. Needs the season position of every period (``positions``).

With ``log`` (``ModelSettings.log_positive``), a node whose training periods are all above zero is
modelled in logs: its season becomes multiplicative and its trend a growth rate, as in the M4
winner; the inverse takes the exponential. A later value at or below zero (after the training
part) is floored at ``LOG_FLOOR`` times the node's smallest training value, never a NaN.

A flat training part (std or range 0) gets a scale of 1 so that nothing divides by zero.
With ``difference`` the target is first turned into period-to-period changes; the inverse adds the
predicted changes back onto the last observed value, so forecasts are again in currency.
Per-node scaling is what lets one global network learn from nodes of very different sizes.
Fitting the parameters is ``forecasting.scaling_fit``; this module applies and stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from forecasting import smoothing
from forecasting.errors import ForecastError
from forecasting.windows import Windows

KINDS = ("standard", "minmax", "window", "es")
LOG_FLOOR = 1e-3
# exp() of more than this overflows float64; a forecast that far out is clipped, not infinite.
_MAX_EXP = 700.0


@dataclass(frozen=True)
class Scaler:
    """Fitted per-node parameters; arrays are (nodes,) in the panel's node order.

    ``alpha`` (nodes,) and ``season`` (nodes, season length) are the ``es`` kind's smoothing
    weights and seasonal profiles (None for the other kinds). ``log`` (nodes,) is the floor of
    each node modelled in logs (its smallest training value times ``LOG_FLOOR``) and 0 for the
    others; None when no node is.
    """

    kind: str
    difference: bool
    target_loc: np.ndarray
    target_scale: np.ndarray
    cov_loc: np.ndarray
    cov_scale: np.ndarray
    alpha: np.ndarray | None = None
    season: np.ndarray | None = None
    log: np.ndarray | None = None

    def _logged(self, rows: np.ndarray | None = None) -> np.ndarray | None:
        """Boolean (rows,) of the nodes modelled in logs, None when none is."""
        if self.log is None:
            return None
        floor = self.log if rows is None else self.log[np.asarray(rows, dtype=np.int64)]
        return floor > 0

    def to_log(self, target: np.ndarray) -> np.ndarray:
        """The raw (nodes, periods) target with the logged nodes' values in logs (floored)."""
        x = np.asarray(target, dtype="float64")
        logged = self._logged()
        if logged is None or not logged.any():
            return x
        assert self.log is not None
        with np.errstate(all="ignore"):
            logs = np.log(np.maximum(x, self.log[:, None]))
        return np.where(logged[:, None] & ~np.isnan(x), logs, x)

    def _season_at(self, node: np.ndarray, positions: np.ndarray | None) -> np.ndarray | float:
        """The seasonal profile of each ``node`` row at ``positions`` (0.0 without a profile)."""
        if self.season is None or self.season.shape[1] <= 1:
            return 0.0
        if positions is None:
            raise ForecastError("The 'es' scaler needs the season position of every period.")
        pos = np.asarray(positions, dtype=np.int64)
        return self.season[np.asarray(node, dtype=np.int64)[:, None], pos]

    # -- transforms on whole panels ---------------------------------------------------------
    def prepare_target(self, target: np.ndarray) -> np.ndarray:
        """The raw target panel in logs where a node is logged, then differenced when asked (the
        first observed period becomes NaN)."""
        target = self.to_log(target)
        if not self.difference:
            return target
        out = np.full_like(target, np.nan, dtype="float64")
        out[:, 1:] = target[:, 1:] - target[:, :-1]
        return out

    def transform(
        self, target: np.ndarray, covariate: np.ndarray, positions: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scaled (nodes, periods) target and covariate panels (target differenced when asked,
        the seasonal profile at ``positions``, one per period, taken out for ``es``)."""
        t = self.prepare_target(target)
        if self.season is not None:
            rows = np.arange(t.shape[0])
            pos = None if positions is None else np.broadcast_to(positions, t.shape)
            t = t - self._season_at(rows, pos)
        zt = (t - self.target_loc[:, None]) / self.target_scale[:, None]
        zc = (np.asarray(covariate, dtype="float64") - self.cov_loc[:, None]) / self.cov_scale[
            :, None
        ]
        return zt, zc

    def transform_future(self, future_covariate: np.ndarray) -> np.ndarray:
        """Scale a (nodes, horizon) future covariate like the covariate panel."""
        return (
            np.asarray(future_covariate, dtype="float64") - self.cov_loc[:, None]
        ) / self.cov_scale[:, None]

    def start(self, start: np.ndarray) -> np.ndarray:
        """First valid index per node after differencing."""
        return start + 1 if self.difference else start

    # -- window-relative shift --------------------------------------------------------------
    def relative(self, w: Windows) -> tuple[Windows, np.ndarray]:
        """Shift windows by their last observed target (``window``) or its smoothed level
        (``es``) and by their last covariate; other kinds are returned as they are.

        Returns:
            The shifted windows and the per-window target offsets needed by :meth:`inverse`.
        """
        if self.kind not in ("window", "es") or len(w) == 0:
            return w, np.zeros(len(w))
        if self.kind == "es" and self.alpha is not None:
            t_off = smoothing.window_level(w.past[:, :, 0], self.alpha[w.node])
        else:
            t_off = w.past[:, -1, 0].copy()
        c_off = w.past[:, -1, 1].copy()
        past = w.past.copy()
        past[:, :, 0] -= t_off[:, None]
        past[:, :, 1] -= c_off[:, None]
        return (
            Windows(
                past,
                w.future - c_off[:, None, None],
                w.target - t_off[:, None],
                w.node,
                w.origin,
            ),
            t_off,
        )

    # -- inverse ------------------------------------------------------------------------------
    def inverse(
        self,
        z: np.ndarray,
        node: np.ndarray,
        offset: np.ndarray,
        last_level: np.ndarray,
        positions: np.ndarray | None = None,
    ) -> np.ndarray:
        """Scaled predictions (m, horizon) back to currency.

        Args:
            z: scaled (and possibly window-shifted, differenced) predictions.
            node: panel row of each prediction.
            offset: per-row window offsets from :meth:`relative` (zeros for other kinds).
            last_level: the raw target at each row's origin (used to undo differencing).
            positions: (m, horizon) season positions of the predicted periods (``es`` only).
        """
        z = np.asarray(z, dtype="float64")
        x = (z + offset[:, None]) * self.target_scale[node][:, None] + self.target_loc[node][
            :, None
        ]
        if self.season is not None:
            x = x + self._season_at(node, positions)
        logged = self._logged(node)
        if self.difference:
            last = np.asarray(last_level, dtype="float64")
            if logged is not None and self.log is not None:
                floor = self.log[np.asarray(node, dtype=np.int64)]
                with np.errstate(all="ignore"):
                    last = np.where(logged, np.log(np.maximum(last, floor)), last)
            x = last[:, None] + np.cumsum(x, axis=1)
        if logged is not None and logged.any():
            x = np.where(logged[:, None], np.exp(np.minimum(x, _MAX_EXP)), x)
        return x

    # -- persistence --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state (lists of floats)."""
        out: dict[str, Any] = {
            "kind": self.kind,
            "difference": self.difference,
            "target_loc": self.target_loc.tolist(),
            "target_scale": self.target_scale.tolist(),
            "cov_loc": self.cov_loc.tolist(),
            "cov_scale": self.cov_scale.tolist(),
        }
        if self.alpha is not None and self.season is not None:
            out["alpha"] = self.alpha.tolist()
            out["season"] = self.season.tolist()
        if self.log is not None:
            out["log"] = self.log.tolist()
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scaler:
        """Rebuild from :meth:`to_dict`.

        Raises:
            ForecastError: missing keys, unknown kind, or arrays of different lengths.
        """
        try:
            kind = str(d["kind"])
            arrays = [
                np.asarray(d[k], dtype="float64")
                for k in ("target_loc", "target_scale", "cov_loc", "cov_scale")
            ]
            difference = bool(d["difference"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ForecastError(
                f"The saved scaler state is incomplete or malformed ({exc})."
            ) from exc
        if kind not in KINDS or len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1:
            raise ForecastError("The saved scaler state is malformed (kind or array lengths).")
        if any((a <= 0).any() for a in (arrays[1], arrays[3])) or not all(
            np.isfinite(a).all() for a in arrays
        ):
            raise ForecastError("The saved scaler state has invalid scales.")
        log = _saved_log(d, arrays[0].shape[0])
        tl, ts, cl, cs = arrays
        if kind != "es":
            return cls(kind, difference, tl, ts, cl, cs, log=log)
        try:
            alpha = np.asarray(d["alpha"], dtype="float64")
            season = np.asarray(d["season"], dtype="float64")
        except (KeyError, TypeError, ValueError) as exc:
            raise ForecastError(f"The saved 'es' scaler state is incomplete ({exc}).") from exc
        n = arrays[0].shape[0]
        if alpha.shape != (n,) or season.ndim != 2 or season.shape[0] != n:
            raise ForecastError("The saved 'es' scaler state is malformed (array lengths).")
        if not (np.isfinite(alpha).all() and np.isfinite(season).all()):
            raise ForecastError("The saved 'es' scaler state has invalid values.")
        return cls(kind, difference, tl, ts, cl, cs, alpha=alpha, season=season, log=log)


def _saved_log(d: dict[str, Any], n: int) -> np.ndarray | None:
    """The saved log floors (None in a state saved before logs existed)."""
    if "log" not in d:
        return None
    try:
        log = np.asarray(d["log"], dtype="float64")
    except (TypeError, ValueError) as exc:
        raise ForecastError(f"The saved scaler's log state is malformed ({exc}).") from exc
    if log.shape != (n,) or not np.isfinite(log).all() or (log < 0).any():
        raise ForecastError("The saved scaler's log state is malformed (length or values).")
    return log
