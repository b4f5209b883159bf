"""Series frames to dense panels, and vectorised sliding windows over one or many series.

A *panel* is the series frame pivoted onto its shared calendar: one row per node, one column per
period. A node may start later than the calendar (its earlier periods are missing); a gap after a
node's first period is an error, because windows across a gap would teach the model a false history.

Windows are cut with ``numpy.lib.stride_tricks.sliding_window_view``: for an origin ``o`` (the last
observed period), the past input is the target and the covariate over ``o - lookback + 1 .. o``, the
known future input is the covariate over ``o + 1 .. o + horizon``, and the target is the target over
the same future periods.

The planned spend of the forecast periods (the known future input) is ``forecasting.plan_ahead``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from forecasting.errors import ForecastError

_MAX_LISTED = 5


@dataclass(frozen=True)
class Panel:
    """Series on a shared calendar: ``target`` and ``covariate`` are (nodes, periods), NaN before a
    node's first period; ``start`` is the index of each node's first period."""

    nodes: tuple[str, ...]
    periods: tuple[str, ...]
    target: np.ndarray
    covariate: np.ndarray
    start: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """Number of observed periods per node."""
        return len(self.periods) - self.start


@dataclass(frozen=True)
class Windows:
    """Training or prediction windows; row ``r`` is node ``node[r]`` at origin ``origin[r]``.

    ``past`` is (m, lookback, 2) with target then covariate, ``future`` (m, horizon, 1) the known
    future covariate, ``target`` (m, horizon) (NaN-free only for training windows).
    """

    past: np.ndarray
    future: np.ndarray
    target: np.ndarray
    node: np.ndarray
    origin: np.ndarray

    def __len__(self) -> int:
        return int(self.past.shape[0])

    def take(self, rows: np.ndarray) -> Windows:
        """The subset of windows at ``rows`` (an index or boolean mask)."""
        return Windows(
            self.past[rows],
            self.future[rows],
            self.target[rows],
            self.node[rows],
            self.origin[rows],
        )


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(f"'{x}'" for x in items[:_MAX_LISTED])
    more = len(items) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def to_panel(series: pd.DataFrame, target: str, covariate: str) -> Panel:
    """Pivot a long series frame (``node``, ``period``, target, covariate) onto its shared calendar.

    Raises:
        ForecastError: a missing column, non-numeric or blank values, duplicate (node, period) rows,
            or a gap in a node's periods; the message names the column and the first nodes/periods.
    """
    missing = [c for c in ("node", "period", target, covariate) if c not in series.columns]
    if missing:
        raise ForecastError(
            f"The series table is missing the column(s) {', '.join(missing)}; "
            f"it has {', '.join(map(str, series.columns))}."
        )
    if series.empty:
        raise ForecastError("The series table has no rows: there is nothing to forecast.")
    frame = series[["node", "period", target, covariate]].copy()
    frame["node"] = frame["node"].astype(str)
    frame["period"] = frame["period"].astype(str)
    for col in (target, covariate):
        values = pd.to_numeric(frame[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            where = [f"{n} @ {p}" for n, p in frame.loc[bad, ["node", "period"]].to_numpy()]
            raise ForecastError(
                f"Column '{col}' has {int(bad.sum())} blank or non-numeric value(s), "
                f"e.g. at {_listed(where)}."
            )
        frame[col] = values.astype("float64")
    dup = frame.duplicated(["node", "period"], keep=False)
    if dup.any():
        where = [
            f"{n} @ {p}" for n, p in frame.loc[dup, ["node", "period"]].drop_duplicates().to_numpy()
        ]
        raise ForecastError(f"The series table repeats (node, period) rows: {_listed(where)}.")
    periods = tuple(sorted(frame["period"].unique()))
    nodes = tuple(sorted(frame["node"].unique()))
    t = frame.pivot(index="node", columns="period", values=target).reindex(
        index=nodes, columns=periods
    )
    c = frame.pivot(index="node", columns="period", values=covariate).reindex(
        index=nodes, columns=periods
    )
    tv = t.to_numpy(dtype="float64", copy=True)
    cv = c.to_numpy(dtype="float64", copy=True)
    present = ~np.isnan(tv)
    start = present.argmax(axis=1)
    after_start = np.arange(len(periods))[None, :] >= start[:, None]
    gaps = after_start & ~present
    if gaps.any():
        rows, cols = np.nonzero(gaps)
        where = [f"{nodes[r]} @ {periods[k]}" for r, k in zip(rows, cols, strict=True)]
        raise ForecastError(
            f"{len(set(rows.tolist()))} node(s) have missing periods after their first period "
            f"(every node needs a value at every period from its first to the last): "
            f"{_listed(where)}."
        )
    return Panel(nodes, periods, tv, cv, start.astype(np.int64))


def short_nodes(panel: Panel, needed: int, *, upto: int | None = None) -> pd.DataFrame:
    """Nodes with fewer than ``needed`` observed periods before index ``upto`` (default: all).

    Returns:
        ``DataFrame[node, periods, needed]``, so that the caller can report them.
    """
    end = len(panel.periods) if upto is None else upto
    have = np.maximum(end - panel.start, 0)
    short = have < needed
    return pd.DataFrame(
        {
            "node": [n for n, s in zip(panel.nodes, short, strict=True) if s],
            "periods": have[short].astype(int),
            "needed": np.full(int(short.sum()), needed, dtype=int),
        }
    )


def training_windows(
    target: np.ndarray,
    covariate: np.ndarray,
    start: np.ndarray,
    lookback: int,
    horizon: int,
    *,
    upto: int,
) -> Windows:
    """Every complete window whose periods lie in ``start[i] .. upto - 1`` for each node ``i``.

    Args:
        target, covariate: (nodes, periods) arrays (already scaled or not).
        start: first valid period index per node.
        lookback, horizon: window lengths.
        upto: exclusive end of the periods the windows may use (the forecast origin + 1).
    """
    total = target.shape[1]
    width = lookback + horizon
    if upto > total or total < width:
        return _empty(lookback, horizon)
    tw = sliding_window_view(target, width, axis=1)
    cw = sliding_window_view(covariate, width, axis=1)
    first = np.arange(tw.shape[1])
    valid = (first[None, :] >= start[:, None]) & (first[None, :] + width <= upto)
    node, j = np.nonzero(valid)
    past = np.stack([tw[node, j, :lookback], cw[node, j, :lookback]], axis=-1)
    return Windows(
        past=past,
        future=cw[node, j, lookback:][..., None].copy(),
        target=tw[node, j, lookback:].copy(),
        node=node.astype(np.int64),
        origin=(j + lookback - 1).astype(np.int64),
    )


def origin_windows(
    target: np.ndarray,
    covariate: np.ndarray,
    lookback: int,
    horizon: int,
    *,
    origin: int,
    future_covariate: np.ndarray | None = None,
    nodes: np.ndarray | None = None,
) -> Windows:
    """One window per node at ``origin`` (its last observed period) for prediction.

    The future covariate is ``future_covariate`` (nodes, horizon) when given, else the covariate
    after the origin (a backtest, where the plan of the test periods is known); the future target
    is taken from the data where it exists and NaN beyond it.
    """
    idx = np.arange(target.shape[0]) if nodes is None else np.asarray(nodes, dtype=np.int64)
    lo = origin - lookback + 1
    if lo < 0:
        raise ForecastError(
            f"A forecast origin at period {origin + 1} leaves fewer than {lookback} periods "
            "of history."
        )
    total = target.shape[1]
    past = np.stack([target[idx, lo : origin + 1], covariate[idx, lo : origin + 1]], axis=-1)
    fut_t = np.full((len(idx), horizon), np.nan)
    avail = max(0, min(horizon, total - origin - 1))
    fut_t[:, :avail] = target[idx, origin + 1 : origin + 1 + avail]
    if future_covariate is None:
        if avail < horizon:
            raise ForecastError("The planned spend after the forecast origin is not known.")
        fut_c = covariate[idx, origin + 1 : origin + 1 + horizon]
    else:
        fut_c = np.asarray(future_covariate, dtype="float64")[idx]
    return Windows(
        past=past.copy(),
        future=np.asarray(fut_c, dtype="float64")[..., None].copy(),
        target=fut_t,
        node=idx,
        origin=np.full(len(idx), origin, dtype=np.int64),
    )


def _empty(lookback: int, horizon: int) -> Windows:
    return Windows(
        past=np.empty((0, lookback, 2)),
        future=np.empty((0, horizon, 1)),
        target=np.empty((0, horizon)),
        node=np.empty(0, dtype=np.int64),
        origin=np.empty(0, dtype=np.int64),
    )
