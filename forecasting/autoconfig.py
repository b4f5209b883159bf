"""Settings that follow the data: the automatic (0) settings resolved from frequency and length.

``ModelSettings`` types every default once; a 0 there means "automatic", and this module says what
it becomes for a calendar of ``n`` periods with a season of ``m`` (12 monthly, 4 quarterly, 1
yearly or unrecognised labels):

- horizon: ``HORIZON[m]`` (6 months, 4 quarters, 2 years), at most a quarter of the history
  (at least 1), so a short file still keeps most of its periods for training;
- lookback: ``LOOKBACK[m]`` (12 periods whatever the season: long cycles such as the yearly lynx
  series of the development suite need them), at most half of what the horizon
  leaves (at least 1), so that every node of full length yields several training windows: with
  8 periods a lookback of 3 and a horizon of 2 give 4 windows per node;
- units and learning rate: ``UNITS`` and ``LEARNING_RATE``, the first point of the grid that
  ``forecasting.tuning`` searches.

An ensemble spreads its members over ``ModelSettings.lookbacks`` lookbacks
(:func:`member_lookbacks`): on the forecast development suite, members that see different lengths
of history erred less alike than members that differ only by their seed, and their median was
better than either lookback alone.

A backtest asks for ``k`` cut-offs; :func:`feasible_cutoffs` says how many the history allows
(each cut-off's training part needs one complete window), so short files are backtested over
fewer cut-offs, or not at all, instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from forecasting.baselines import season_from_periods
from forecasting.settings import ModelSettings

HORIZON = {12: 6, 4: 4, 1: 2}
LOOKBACK = {12: 12, 4: 12, 1: 12}
UNITS = 32
LEARNING_RATE = 3e-3
UNITS_GRID = (UNITS, 64, 16)
LEARNING_RATE_GRID = (LEARNING_RATE, 1e-3)
LONG_LOOKBACK = 2  # the grid's other lookback is this many times the default one


def _known(season: int) -> int:
    return season if season in HORIZON else 1


def default_horizon(season: int, n_periods: int) -> int:
    """The automatic horizon for ``n_periods`` periods with this season (module docstring)."""
    return max(1, min(HORIZON[_known(season)], n_periods // 4))


def max_lookback(n_periods: int, horizon: int) -> int:
    """The longest automatic lookback: half of the periods the horizon leaves (at least 1)."""
    return max(1, (n_periods - horizon) // 2)


def default_lookback(season: int, n_periods: int, horizon: int) -> int:
    """The automatic lookback for ``n_periods`` periods with this season and horizon."""
    return max(1, min(LOOKBACK[_known(season)], max_lookback(n_periods, horizon)))


def resolve_defaults(settings: ModelSettings, season: int, n_periods: int) -> ModelSettings:
    """``settings`` with every automatic (0) lookback, horizon, units and learning rate filled in
    for a calendar of ``n_periods`` periods with this season; set values are kept as they are."""
    auto = settings.automatic
    horizon = default_horizon(season, n_periods) if "horizon" in auto else settings.horizon
    lookback = settings.lookback
    if "lookback" in auto:
        lookback = default_lookback(season, n_periods, horizon)
    return replace(
        settings,
        horizon=horizon,
        lookback=lookback,
        units=UNITS if "units" in auto else settings.units,
        learning_rate=LEARNING_RATE if "learning_rate" in auto else settings.learning_rate,
    )


def resolve_horizon(settings: ModelSettings, periods: Sequence[str]) -> ModelSettings:
    """``settings`` with an automatic horizon fixed for the calendar ``periods`` (labels), the
    rest left as is: a shell that must name the forecast periods before the run calls this."""
    if settings.horizon:
        return settings
    return replace(settings, horizon=default_horizon(season_from_periods(periods), len(periods)))


def feasible_cutoffs(n_periods: int, lookback: int, horizon: int, *, difference: bool) -> int:
    """How many rolling-origin cut-offs a calendar of ``n_periods`` allows (0: none): the first
    cut-off must leave ``lookback + horizon`` periods (one more when differencing) to train on."""
    extra = 1 if difference else 0
    return max(0, n_periods - 2 * horizon - lookback - extra + 1)


def member_lookbacks(
    lookback: int, count: int, history: np.ndarray, horizon: int, *, difference: bool
) -> tuple[int, ...]:
    """The lookbacks an ensemble's members take turns at: ``lookback`` first, then twice it, then
    half of it, at most ``count`` of them, each kept only where it fits.

    A lookback ``c`` fits when every node with enough history for ``lookback`` also has enough for
    ``c`` (so every node forecast at ``lookback`` can be forecast by every member), when some node
    still has a training window of ``c + horizon`` periods, and when ``c`` is at most
    :func:`max_lookback` of the longest history (so a full-length node yields several windows).

    Args:
        lookback: the chosen lookback.
        count: ``ModelSettings.lookbacks``.
        history: periods each node has before the end of the training part.
        horizon: the forecast horizon.
        difference: whether one more period is needed for differencing.
    """
    extra = 1 if difference else 0
    have = np.asarray(history, dtype=np.int64) - extra
    usable = have[have >= lookback]
    if count <= 1 or usable.size == 0:
        return (lookback,)
    out = [lookback]
    for c in (2 * lookback, lookback // 2):
        if len(out) >= count or c < 1 or c in out:
            continue
        windows = bool((usable >= c + horizon).any())
        if windows and c <= int(usable.min()) and c <= max_lookback(int(have.max()), horizon):
            out.append(c)
    return tuple(out)
