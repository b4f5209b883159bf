"""Calendar (period-of-season) inputs: where each period sits in its season, as sin/cos features.

The position of a period is read from its label: the month (0-11) of a ``YYYY-MM`` label, the
quarter (0-3) of a ``YYYY-Qn`` label; yearly and unrecognised labels have no season (season 1) and
so no calendar features. Forecast periods continue the calendar from the last observed period, so
the features of a future step never depend on how its label was written.

The features of a position ``p`` in a season of ``m`` periods are ``sin(2 pi p / m)`` and
``cos(2 pi p / m)``: adjacent periods are close, and December is as close to January as January is
to February, which a plain month number would not say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from forecasting.errors import ForecastError
from forecasting.windows import Windows

CALENDAR_FEATURES = 2
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^\d{4}-Q([1-4])$")


def season_positions(periods: Sequence[str], season: int) -> np.ndarray:
    """Position (0 .. season - 1) of every label in its season; zeros when ``season`` is 1.

    Raises:
        ForecastError: a label does not match the season (e.g. a month label with season 4).
    """
    n = len(periods)
    if season <= 1:
        return np.zeros(n, dtype=np.int64)
    rx, group = (_MONTH, 1) if season == 12 else (_QUARTER, 1) if season == 4 else (None, 0)
    if rx is None:
        raise ForecastError(f"Calendar inputs know seasons of 12 or 4 periods, not {season}.")
    out = np.empty(n, dtype=np.int64)
    for i, label in enumerate(periods):
        m = rx.match(str(label).strip())
        if m is None:
            raise ForecastError(
                f"The period '{label}' is not a {'month' if season == 12 else 'quarter'} label; "
                "calendar inputs need every period to be one."
            )
        out[i] = int(m.group(group)) - 1
    return out


def extend_positions(positions: np.ndarray, steps: int, season: int) -> np.ndarray:
    """The panel's positions followed by those of ``steps`` further periods (the forecast)."""
    pos = np.asarray(positions, dtype=np.int64)
    if steps <= 0:
        return pos.copy()
    last = int(pos[-1]) if len(pos) else -1
    ahead = (last + np.arange(1, steps + 1)) % max(season, 1)
    return np.concatenate([pos, ahead])


def features(positions: np.ndarray, season: int) -> np.ndarray:
    """(..., 2) sin/cos of the positions (``positions`` of any shape); zeros for season 1."""
    pos = np.asarray(positions, dtype="float64")
    if season <= 1:
        return np.zeros((*pos.shape, CALENDAR_FEATURES))
    angle = 2.0 * np.pi * pos / season
    return np.stack([np.sin(angle), np.cos(angle)], axis=-1)


def with_calendar(w: Windows, positions: np.ndarray, season: int) -> Windows:
    """Windows with the calendar features appended to the past and the future inputs.

    Args:
        w: windows cut from a panel whose periods have ``positions`` (extended past the panel's end
            by at least the horizon, see :func:`extend_positions`).
        positions: position of every period index the windows may touch.
        season: the season length (calendar features need 12 or 4).
    """
    lookback, horizon = w.past.shape[1], w.future.shape[1]
    if len(w) == 0:
        return Windows(
            np.empty((0, lookback, w.past.shape[2] + CALENDAR_FEATURES)),
            np.empty((0, horizon, w.future.shape[2] + CALENDAR_FEATURES)),
            w.target,
            w.node,
            w.origin,
        )
    pos = np.asarray(positions, dtype=np.int64)
    past_idx = w.origin[:, None] + np.arange(-lookback + 1, 1)[None, :]
    fut_idx = w.origin[:, None] + np.arange(1, horizon + 1)[None, :]
    if past_idx.min() < 0 or fut_idx.max() >= len(pos):
        raise ForecastError("The calendar does not cover every period of the windows.")
    past = np.concatenate([w.past, features(pos[past_idx], season)], axis=-1)
    future = np.concatenate([w.future, features(pos[fut_idx], season)], axis=-1)
    return Windows(past, future, w.target, w.node, w.origin)


def uses_calendar(calendar: bool, season: int) -> bool:
    """Whether calendar inputs apply: asked for, and the labels have a season (12 or 4)."""
    return bool(calendar) and season in (4, 12)
