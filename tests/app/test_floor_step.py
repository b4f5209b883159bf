"""The floor's step follows the size of the portfolio, so one click is a sensible amount."""

from __future__ import annotations

import math

import pytest

from ui.thresholds import floor_step


@pytest.mark.parametrize(
    ("total", "step"),
    [
        (50_301.8, 1.0),  # the IT Dashboard, in $ M
        (318_670_000.0, 10_000.0),  # the sample portfolio
        (40_473_391_455.0, 1_000_000.0),  # NYC capital projects, in dollars
        (12.5, 0.01),  # tiny figures: never below a cent
    ],
)
def test_the_step_is_a_power_of_ten_near_a_ten_thousandth_of_the_plan(total, step):
    assert floor_step(total) == pytest.approx(step)


@pytest.mark.parametrize("total", [math.nan, 0.0, -5.0, math.inf])
def test_without_a_plan_to_go_by_the_step_is_a_thousand(total):
    assert floor_step(total) == 1000.0
