"""The automatic choice of lookback, units and learning rate, on an inner validation split.

Only the settings left automatic (0) are searched; set values are never changed. The grid is small
and one factor at a time: the resolved defaults first (``forecasting.autoconfig``), then each
automatic setting moved alone to its other grid values (a lookback twice as long, 64 and 16 units,
a learning rate of 0.001). Each candidate trains one network (the first seed) on the tuning part
of the history, and is scored on the last periods of that part, which it never saw:

- the tuning part ends where the backtest's first cut-off does (or at the last period without a
  backtest), so neither the choice nor the scaler ever sees a backtest's test periods;
- the validation origins are the last ``min(horizon, 4)`` origins whose horizon lies inside the
  tuning part; the candidate trains on the windows (and fits its scaler on the periods) before
  the first of them;
- the score is the mean absolute error over the validation windows, each node's error divided by
  the mean absolute period-to-period change of its training part (MASE-like, so that big nodes
  do not decide alone).

The candidate with the lowest score wins (the defaults on a tie). Budget: ``tune_seconds`` of
*estimated* training time (``forecasting.train_cost``, computed from the windows, epochs, lookback
and units before anything trains, never from the clock): the candidates are taken in grid order
while their estimates add up to at most the budget (the first always runs), and the table gives
each candidate's estimate, its measured seconds and whether the budget left it out. So the same
data, settings and seed give the same choice and the same forecast on an idle or a busy machine.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecasting import autoconfig, train_cost
from forecasting.baselines import season_from_periods
from forecasting.ensemble import fit_ensemble, predict_members
from forecasting.settings import ModelSettings
from forecasting.training import ProgressEvent, ProgressFn
from forecasting.windows import Panel

TUNING_COLUMNS = [
    "lookback",
    "units",
    "learning_rate",
    "score",
    "estimate",
    "seconds",
    "status",
]
MAX_VALIDATION_ORIGINS = 4


@dataclass(frozen=True)
class Choice:
    """The settings to train with, the backtest cut-offs the history allows, the search table
    (``TUNING_COLUMNS``, one row per candidate) and a plain-words note for the verdict."""

    settings: ModelSettings
    backtest_k: int
    table: pd.DataFrame
    note: str


def candidates(requested: ModelSettings, base: ModelSettings, longest: int) -> list[ModelSettings]:
    """The grid: ``base`` first, then each automatic setting of ``requested`` moved alone.

    Args:
        requested: the settings as asked (0 = automatic).
        base: the same with the automatic values resolved.
        longest: the longest lookback allowed (no node may become too short to forecast).
    """
    auto = requested.automatic
    out = [base]
    if "lookback" in auto and base.lookback * autoconfig.LONG_LOOKBACK <= longest:
        out.append(replace(base, lookback=base.lookback * autoconfig.LONG_LOOKBACK))
    if "units" in auto:
        out += [replace(base, units=u) for u in autoconfig.UNITS_GRID if u != base.units]
    if "learning_rate" in auto:
        rates = autoconfig.LEARNING_RATE_GRID
        out += [replace(base, learning_rate=r) for r in rates if r != base.learning_rate]
    return out


def _as_candidate(progress: ProgressFn | None, i: int, n: int) -> ProgressFn | None:
    """Progress events of candidate ``i`` (from 0) of ``n``, reported as network i + 1 of n."""
    if progress is None:
        return None
    report = progress

    def relay(e: ProgressEvent) -> None:
        report(replace(e, member=i + 1, members=n))

    return relay


def _score(
    cand: ModelSettings,
    panel: Panel,
    fit_upto: int,
    origins: list[int],
    rows: np.ndarray,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
) -> float:
    """The candidate's MASE-like validation error (see the module docstring)."""
    one = replace(cand, members=1, lookbacks=1)  # the candidate's own lookback alone
    ens = fit_ensemble(panel, one, upto=fit_upto, stage="tuning", progress=progress, cancel=cancel)
    h = cand.horizon
    train = panel.target[rows, :fit_upto]
    with np.errstate(all="ignore"):
        scale = np.nanmean(np.abs(np.diff(train, axis=1)), axis=1)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    errors = []
    for o in origins:
        pred = predict_members(ens, panel, o, rows=rows)[0]
        actual = panel.target[rows, o + 1 : o + 1 + h]
        errors.append(np.abs(pred - actual) / scale[:, None])
    return float(np.mean(errors))


@dataclass(frozen=True)
class _Split:
    """Where the search trains and validates: backtest cut-offs kept, the end of the candidates'
    training part, the validation origins and the longest lookback allowed."""

    backtest_k: int
    fit_upto: int
    origins: tuple[int, ...]
    longest: int


def _split(panel: Panel, base: ModelSettings, backtest_k: int) -> _Split:
    total = len(panel.periods)
    h, extra = base.horizon, 1 if base.difference else 0
    allowed = autoconfig.feasible_cutoffs(total, base.lookback, h, difference=base.difference)
    k = min(backtest_k, allowed)
    upto = total - h - k + 1 if k else total
    n_val = min(h, MAX_VALIDATION_ORIGINS)
    fit_upto = upto - h - n_val + 1
    shortest = int(panel.lengths.min()) if len(panel.nodes) else 0
    longest = min(
        shortest - h - extra,
        total - 2 * h - k - extra + 1 if k else total,
        autoconfig.max_lookback(total, h),
        fit_upto - h - extra,
    )
    return _Split(k, fit_upto, tuple(range(fit_upto - 1, fit_upto - 1 + n_val)), longest)


def _backtest_note(k: int, asked: int, total: int, base: ModelSettings) -> list[str]:
    if k >= asked:
        return []
    if k:
        return [
            f"The backtest used {k} cut-off(s), not {asked}: the history is too short for more."
        ]
    return [
        f"No backtest was possible: {total} periods are too few for a lookback of "
        f"{base.lookback} and a horizon of {base.horizon} with a test part."
    ]


def choose_settings(
    panel: Panel,
    requested: ModelSettings,
    base: ModelSettings,
    *,
    backtest_k: int,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> Choice:
    """Clamp the backtest to the history and pick the automatic settings (module docstring).

    Args:
        panel: the nodes that will be forecast (none too short for ``base``).
        requested: the settings as asked (0 = automatic).
        base: ``requested`` resolved by ``autoconfig.resolve_defaults``.
        backtest_k: the backtest cut-offs asked for (0: none).
    """
    sp = _split(panel, base, backtest_k)
    k, extra = sp.backtest_k, 1 if base.difference else 0
    notes = _backtest_note(k, backtest_k, len(panel.periods), base)
    grid = candidates(requested, base, sp.longest) if base.tune_seconds > 0 else [base]
    rows = np.flatnonzero(panel.start + extra <= sp.origins[0] - max(c.lookback for c in grid) + 1)
    table = pd.DataFrame(
        {
            "lookback": [c.lookback for c in grid],
            "units": [c.units for c in grid],
            "learning_rate": [c.learning_rate for c in grid],
            "score": np.nan,
            "estimate": _estimates(grid, panel, sp.fit_upto),
            "seconds": 0.0,
            "status": "not run",
        }
    )
    if not requested.automatic:
        return Choice(base, k, table.iloc[0:0], " ".join(notes))
    if len(grid) == 1 or len(rows) == 0 or sp.fit_upto - base.lookback - base.horizon - extra < 0:
        why = (
            "no search: a tuning budget of 0 s"
            if base.tune_seconds <= 0
            else "nothing to search"
            if len(grid) == 1
            else "the history is too short to search"
        )
        table.loc[0, "status"] = f"chosen ({why})"
        notes.append(f"Automatic settings ({why}): {_describe(base)}.")
        return Choice(base, k, table.iloc[:1], " ".join(notes))
    _search(grid, table, panel, sp, rows, progress, cancel)
    best = int(table["score"].idxmin())
    table.loc[best, "status"] = "chosen"
    ran = int(table["score"].notna().sum())
    skipped = len(grid) - ran
    notes.append(
        f"Automatic settings: {_describe(grid[best])}, the best of {ran} candidate(s) on an inner "
        f"validation split"
        + (
            f" ({skipped} left out by the budget of {base.tune_seconds:g} estimated seconds)."
            if skipped
            else "."
        )
    )
    return Choice(grid[best], k, table, " ".join(notes))


def _estimates(grid: list[ModelSettings], panel: Panel, fit_upto: int) -> list[float]:
    """Each candidate's estimated training seconds (``train_cost``) on the search's windows."""
    season = season_from_periods(panel.periods)
    return [
        train_cost.estimate_seconds(
            c,
            train_cost.window_count(panel, c.lookback, c.horizon, fit_upto, c.difference),
            season,
        )
        for c in grid
    ]


def admitted(estimates: list[float], budget: float) -> int:
    """How many candidates, in grid order, the budget admits: while the estimates add up to at
    most ``budget`` (the first always)."""
    total = np.cumsum(np.asarray(estimates, dtype=np.float64))
    return max(1, int(np.searchsorted(total, budget, side="right")))


def _search(
    grid: list[ModelSettings],
    table: pd.DataFrame,
    panel: Panel,
    sp: _Split,
    rows: np.ndarray,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
) -> None:
    """Score the candidates the budget admits (decided before any training) into ``table``."""
    n = admitted(table["estimate"].tolist(), grid[0].tune_seconds)
    table.loc[n:, "status"] = "skipped (budget)"
    for i, cand in enumerate(grid[:n]):
        t0 = time.perf_counter()
        relay = _as_candidate(progress, i, n)
        table.loc[i, "score"] = _score(
            cand, panel, sp.fit_upto, list(sp.origins), rows, relay, cancel
        )
        table.loc[i, "seconds"] = time.perf_counter() - t0
        table.loc[i, "status"] = "scored"


def _describe(s: ModelSettings) -> str:
    return (
        f"lookback {s.lookback}, horizon {s.horizon}, {s.units} units, "
        f"learning rate {s.learning_rate:g}"
    )
