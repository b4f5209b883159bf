"""Which EAC method to trust on this portfolio: a backtest on the items that have finished.

An item (a leaf) has finished when it has no plan ahead and its completion period is at or
before the file's last period; its final cost is then its actual to date. At a past cut-off
``c`` where such an item was still running (completion after ``c``) with a plan to date, each
method estimates its cost at completion from the figures known at ``c``:

- ``plan``: ``A(c) + BAC - P(c)``;
- ``rate``: ``A(c) + (BAC - P(c)) * A(c) / P(c)``,

where ``A(c)``/``P(c)`` are its actual and planned to date and ``BAC`` all of its plan. The file
holds today's plan only, so the backtest assumes the plan did not change after ``c``. The
forecast method is not backtested here (that would train a network per cut-off); the forecast's
own backtest against the baselines is on the Forecast page and in ``cost-drift forecast``.

Scores per cut-off and method (and ``all``: every item and cut-off pooled), errors
``e = EAC - final``: ``items``, ``mae`` (mean |e|), ``wape`` (sum |e| / sum |final|) and
``bias`` (sum e / sum |final|; positive: the method overestimated), fractions (0.05 = 5 %).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

METHODS = ("plan", "rate")
BACKTEST_COLUMNS = ("cutoff", "method", "items", "mae", "wape", "bias")
DEFAULT_CUTOFFS = 6


@dataclass(frozen=True)
class MethodBacktest:
    """The method backtest table (``BACKTEST_COLUMNS``) and its verdict in plain words."""

    table: pd.DataFrame
    verdict: str


def _empty(verdict: str) -> MethodBacktest:
    frame = pd.DataFrame(
        {
            "cutoff": pd.Series(dtype="str"),
            "method": pd.Series(dtype="str"),
            "items": pd.Series(dtype=np.int64),
            "mae": pd.Series(dtype=np.float64),
            "wape": pd.Series(dtype=np.float64),
            "bias": pd.Series(dtype=np.float64),
        }
    )
    return MethodBacktest(frame, verdict)


def _scores(cutoff: str, method: str, eac: np.ndarray, final: np.ndarray) -> dict[str, object]:
    err = eac - final
    scale = float(np.abs(final).sum())
    return {
        "cutoff": cutoff,
        "method": method,
        "items": len(err),
        "mae": float(np.abs(err).mean()),
        "wape": float(np.abs(err).sum()) / scale if scale else np.nan,
        "bias": float(err.sum()) / scale if scale else np.nan,
    }


def _leaf_grid(rolled: pd.DataFrame, leaves: list[str], column: str, n: int) -> np.ndarray:
    rows = rolled.loc[rolled["node"].isin(set(leaves)), ["node", "period", column]]
    grid = rows.pivot(index="node", columns="period", values=column)
    return grid.reindex(index=leaves).to_numpy(dtype=np.float64).reshape(len(leaves), n)


def backtest_methods(
    rolled: pd.DataFrame,
    table: pd.DataFrame,
    *,
    cutoffs: int = DEFAULT_CUTOFFS,
    measure: str = "flow",
) -> MethodBacktest:
    """Score the plan and rate EAC methods on the finished items at up to ``cutoffs`` cut-offs.

    Args:
        rolled: The rollup.
        table: The completion table (``portfolio.completion.Completion.table``).
        cutoffs: How many past cut-offs, evenly spread over those where a finished item was
            still running.
        measure: The file's measure; with ``level`` (re-forecasts or running totals) an item's
            last figure is its final cost only if it has really finished, and the verdict says so.

    Returns:
        The :class:`MethodBacktest`; an empty table and a verdict saying why when no item fits.
    """
    periods = sorted(rolled["period"].astype(str).unique().tolist())
    last = periods[-1]
    parents = set(table["parent"])
    done = (
        ~table["node"].isin(parents)
        & (table["remaining_plan"] == 0)
        & table["completion_period"].notna()
    )
    done &= table["completion_period"].fillna("") <= last
    finished = table[done]
    if len(periods) < 2:
        return _empty(
            "The file has a single period: there is no past cut-off to score the EAC methods at."
        )
    if finished.empty:
        return _empty("No item has finished within the file, so the EAC methods cannot be scored.")
    leaves = finished["node"].tolist()
    n = len(periods)
    planned = _leaf_grid(rolled, leaves, "cum_planned", n)
    actual = _leaf_grid(rolled, leaves, "cum_actual", n)
    end_pos = pd.Index(periods).get_indexer(finished["completion_period"].astype(str))
    bac = finished["bac"].to_numpy(dtype=np.float64)
    final = finished["actual_to_date"].to_numpy(dtype=np.float64)
    steps = np.arange(n - 1)
    running = (end_pos[:, None] > steps[None, :]) & (planned[:, :-1] != 0)
    usable = steps[running.any(axis=0)]
    if usable.size == 0:
        return _empty(
            "No finished item was running at an earlier cut-off with a plan to date, so the "
            "EAC methods cannot be scored."
        )
    picks = np.unique(np.round(np.linspace(0, usable.size - 1, max(int(cutoffs), 1))).astype(int))
    rows: list[dict[str, object]] = []
    pooled: dict[str, list[np.ndarray]] = {m: [] for m in METHODS}
    pooled_final: list[np.ndarray] = []
    for t in usable[picks]:
        sel = running[:, t]
        a, p = actual[sel, t], planned[sel, t]
        left = bac[sel] - p
        estimates = {"plan": a + left, "rate": a + left * a / p}
        for method in METHODS:
            rows.append(_scores(periods[t], method, estimates[method], final[sel]))
            pooled[method].append(estimates[method])
        pooled_final.append(final[sel])
    every = np.concatenate(pooled_final)
    for method in METHODS:
        rows.append(_scores("all", method, np.concatenate(pooled[method]), every))
    frame = pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))
    return MethodBacktest(frame, _verdict(frame, len(leaves), len(picks), measure == "level"))


def _verdict(frame: pd.DataFrame, items: int, cuts: int, level: bool) -> str:
    pooled = frame[frame["cutoff"] == "all"].set_index("method")["wape"]
    plan, rate = float(pooled["plan"]), float(pooled["rate"])
    head = f"On {items:,} finished item(s) at {cuts} past cut-off(s)"
    if level:
        head = (
            "This file holds re-forecasts or running totals (measure level), so an item with no "
            "plan ahead is taken as finished at its last figure, which is its final cost only if "
            f"it really has finished. {head}"
        )
    if np.isnan(plan) or np.isnan(rate):
        return f"{head}, the final costs add up to 0: no percentage error to compare."
    if np.isclose(plan, rate, rtol=0.02, atol=1e-12):
        return f"{head}, the plan and rate methods came equally close (WAPE {plan:.1%})."
    best, other = ("rate", "plan") if rate < plan else ("plan", "rate")
    scores = {"plan": plan, "rate": rate}
    text = (
        f"{head}, the {best} method came closer to the final cost (WAPE {scores[best]:.1%} "
        f"against {scores[other]:.1%} for {other}): trust EAC by {best} on this portfolio."
    )
    if best == "plan":
        text += (
            " The status at completion is judged on the EAC named in eac_basis (forecast, else "
            "rate), so read eac_plan beside it."
        )
    if best == "plan" and plan < 5e-4:
        text += (
            " Its error is nil because no item's variance moved after the cut-offs: the plan "
            "method assumes exactly that, so this says the past variances held, not that they "
            "always will."
        )
    return text
