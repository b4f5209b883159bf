"""Alert rules: a RAG status for every node and period of a rollup.

Rule, per row of the rollup (all vectorised):

- The basis picks the figures: ``cumulative`` (default) uses ``cum_variance`` and
  ``cum_variance_pct``, ``period`` uses ``variance`` and ``variance_pct``.
- A row is *in the amber band* when ``|variance %| >= amber`` and *in the red band* when
  ``|variance %| >= red``; with direction ``overrun`` only a positive variance (actual above plan)
  counts, and then the signed percentage is compared.
- The floor applies to the variance on the same basis: below ``floor`` in size nothing alerts.
- Unplanned spend: where the planned figure is 0 (so the percentage is undefined), a non-zero
  variance at or above the floor (and in the allowed direction) is in the red band. Planned 0 and
  actual 0 is green: nothing happened.
- Persistence ``k``: a row is red when the red band held for ``k`` consecutive periods of the node
  ending at that row, otherwise amber when the amber band (which includes red) did, otherwise
  green.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio.alert_rule import BASES, DIRECTIONS, AlertRule  # noqa: F401 (re-exported)

STATUSES = ("green", "amber", "red")
_SEVERITY = {"green": 0, "amber": 1, "red": 2}


def _run_lengths(flag: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at each position; runs restart where ``starts``."""
    count = np.cumsum(flag, dtype=np.int64)
    base = np.where(~flag, count, np.where(starts, count - 1, 0))
    return count - np.maximum.accumulate(base)


def _same_value_runs(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Length of the run of equal values ending at each position; runs restart where ``starts``."""
    idx = np.arange(len(values))
    change = starts.copy()
    change[1:] |= values[1:] != values[:-1]
    last = np.maximum.accumulate(np.where(change, idx, 0))
    return idx - last + 1


def _chronological(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Group starts in node-then-period order, and the order used (None when already in it)."""
    node_code, _ = pd.factorize(frame["node"])
    period_code, _ = pd.factorize(frame["period"], sort=True)
    node_code = np.asarray(node_code)
    period_code = np.asarray(period_code)
    n = len(frame)
    in_order = n < 2 or bool(
        np.all(
            (node_code[1:] > node_code[:-1])
            | ((node_code[1:] == node_code[:-1]) & (period_code[1:] > period_code[:-1]))
        )
    )
    order: np.ndarray | None = None
    if not in_order:
        order = np.lexsort((period_code, node_code))
        node_code = node_code[order]
    starts = np.ones(n, dtype=bool)
    if n > 1:
        starts[1:] = node_code[1:] != node_code[:-1]
    return starts, order


def evaluate(rolled: pd.DataFrame, rule: AlertRule | None = None) -> pd.DataFrame:
    """Give every node a RAG status at every period.

    Args:
        rolled: A rollup (see ``portfolio.rollup.rollup``); at least ``node``, ``period`` and the
            variance columns of the chosen basis.
        rule: The thresholds; the default rule when None.

    Returns:
        A copy of ``rolled`` (same row order) with a ``status`` column: ``green``, ``amber`` or
        ``red``.
    """
    rule = rule or AlertRule()
    prefix = "cum_" if rule.basis == "cumulative" else ""
    variance = rolled[f"{prefix}variance"].to_numpy(dtype=np.float64)
    pct = rolled[f"{prefix}variance_pct"].to_numpy(dtype=np.float64)
    if rule.direction == "overrun":
        # |pct|: under a negative plan an overrun's variance % is negative (variance / plan)
        size_pct = np.where(variance > 0, np.abs(pct), -np.inf)
        size_var = np.where(variance > 0, variance, 0.0)
    else:
        size_pct = np.abs(pct)
        size_var = np.abs(variance)
    above_floor = (size_var >= rule.floor) & (size_var > 0)
    unplanned = np.isnan(pct) & above_floor
    with np.errstate(invalid="ignore"):
        amber_band = unplanned | (above_floor & (size_pct * 100.0 >= rule.amber_pct))
        red_band = unplanned | (above_floor & (size_pct * 100.0 >= rule.red_pct))

    starts, order = _chronological(rolled)
    if order is not None:
        amber_band, red_band = amber_band[order], red_band[order]
    k = rule.persistence
    if k > 1:
        amber_band = _run_lengths(amber_band, starts) >= k
        red_band = _run_lengths(red_band, starts) >= k
    code = np.where(red_band, 2, np.where(amber_band, 1, 0))
    if order is not None:
        unsorted = np.empty_like(code)
        unsorted[order] = code
        code = unsorted
    out = rolled.copy()
    out["status"] = pd.array(list(STATUSES), dtype="str").take(code)
    return out


def latest_status(statuses: pd.DataFrame) -> pd.DataFrame:
    """One row per node at the last period, with how long it has held its status.

    Args:
        statuses: The output of :func:`evaluate`.

    Returns:
        The last-period row of every node (all columns of ``statuses``) plus
        ``periods_in_status``: the number of consecutive periods, ending at the last one, in
        which the node had that status. Sorted by level then node when those columns exist.
    """
    if statuses.empty:
        return statuses.assign(periods_in_status=pd.Series(dtype=np.int64))
    starts, order = _chronological(statuses)
    frame = statuses if order is None else statuses.iloc[order]
    status_code, _ = pd.factorize(frame["status"])
    runs = _same_value_runs(np.asarray(status_code), starts)
    ends = np.append(starts[1:], True)
    latest = frame.iloc[np.flatnonzero(ends)].copy()
    latest["periods_in_status"] = runs[ends]
    keys = [c for c in ("level", "node") if c in latest.columns]
    latest = latest.sort_values(keys, kind="stable") if keys else latest
    return latest.reset_index(drop=True)


def alert_table(statuses: pd.DataFrame) -> pd.DataFrame:
    """The amber and red nodes at the last period, worst first.

    Worst first means: red before amber, then the larger |cumulative variance %| (unplanned
    spend, whose percentage is undefined, counts as the largest), then the larger
    |cumulative variance|.

    Args:
        statuses: The output of :func:`evaluate`.

    Returns:
        The rows of :func:`latest_status` whose status is amber or red, in that order.
    """
    latest = latest_status(statuses)
    alerts = latest[latest["status"].isin(["amber", "red"])].copy()
    severity = alerts["status"].map(_SEVERITY).astype(np.int64)
    pct = alerts["cum_variance_pct"].abs().fillna(np.inf)
    size = alerts["cum_variance"].abs()
    keys = pd.DataFrame({"s": -severity, "p": -pct, "v": -size}, index=alerts.index)
    ordered = keys.sort_values(["s", "p", "v"], kind="stable").index
    return alerts.loc[ordered].reset_index(drop=True)
