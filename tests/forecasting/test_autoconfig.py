"""Automatic settings: lookback and horizon follow the frequency and the length of the data."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting import autoconfig
from forecasting.autoconfig import (
    LEARNING_RATE,
    UNITS,
    default_horizon,
    feasible_cutoffs,
    resolve_defaults,
    resolve_horizon,
)
from forecasting.settings import ModelSettings

# (season, periods) -> (lookback, horizon)
EXPECTED = {
    (12, 8): (3, 2),
    (12, 12): (4, 3),
    (12, 24): (9, 6),
    (12, 100): (12, 6),
    (4, 8): (3, 2),
    (4, 12): (4, 3),
    (4, 24): (10, 4),
    (4, 100): (12, 4),
    (1, 8): (3, 2),
    (1, 12): (5, 2),
    (1, 24): (11, 2),
    (1, 100): (12, 2),
}


@pytest.mark.parametrize(("season", "n"), list(EXPECTED))
def test_defaults_adapt_to_frequency_and_length(season: int, n: int) -> None:
    s = resolve_defaults(ModelSettings(), season, n)
    assert (s.lookback, s.horizon) == EXPECTED[(season, n)]
    assert (s.units, s.learning_rate) == (UNITS, LEARNING_RATE)
    assert s.automatic == ()
    # every full-length node trains on at least two windows and can be backtested
    assert n - s.lookback - s.horizon + 1 >= 2
    assert feasible_cutoffs(n, s.lookback, s.horizon, difference=False) >= 1


def test_values_that_were_set_are_kept() -> None:
    given = ModelSettings(lookback=5, horizon=7, units=8, learning_rate=0.01)
    assert resolve_defaults(given, 12, 8) == given
    half = resolve_defaults(ModelSettings(horizon=1), 4, 100)
    assert (half.lookback, half.horizon) == (12, 1)


def test_an_unknown_season_is_treated_as_yearly() -> None:
    assert default_horizon(7, 100) == default_horizon(1, 100) == 2


def test_the_shells_fix_only_the_horizon_from_the_labels() -> None:
    quarters = [f"{2022 + i // 4}-Q{i % 4 + 1}" for i in range(12)]
    s = resolve_horizon(ModelSettings(), quarters)
    assert s.horizon == 3 and s.automatic == ("lookback", "units", "learning_rate")
    assert resolve_horizon(ModelSettings(horizon=5), quarters).horizon == 5


def test_feasible_cutoffs_leave_one_training_window() -> None:
    # 30 periods, lookback 6, horizon 2: the first of k cut-offs is at 30 - 2 - k and must leave 8
    assert feasible_cutoffs(30, 6, 2, difference=False) == 21
    assert feasible_cutoffs(30, 6, 2, difference=True) == 20
    assert feasible_cutoffs(8, 6, 2, difference=False) == 0


def test_member_lookbacks_keep_only_what_every_node_allows() -> None:
    full = np.array([60, 60, 60])
    # twice, then half, in that order, as many as asked
    assert autoconfig.member_lookbacks(12, 1, full, 6, difference=False) == (12,)
    assert autoconfig.member_lookbacks(12, 2, full, 6, difference=False) == (12, 24)
    assert autoconfig.member_lookbacks(12, 3, full, 6, difference=False) == (12, 24, 6)
    # 24 exceeds max_lookback(40, 6) = 17: a full-length node would yield too few windows
    assert autoconfig.member_lookbacks(12, 2, np.array([40, 40]), 6, difference=False) == (12, 6)
    # a node with 20 periods can be forecast at 12 but not at 24; one with 8 is not forecast at all
    assert autoconfig.member_lookbacks(12, 2, np.array([60, 20, 8]), 6, difference=False) == (
        12,
        6,
    )
    # differencing needs one period more: 24 + 1 > 24 periods
    assert autoconfig.member_lookbacks(12, 2, np.array([60, 24]), 6, difference=True) == (12, 6)
    # a lookback of 1 has no half; nothing else fits, so one lookback
    assert autoconfig.member_lookbacks(1, 3, np.array([3]), 1, difference=False) == (1,)
