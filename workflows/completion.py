"""The forecast-backed estimate at completion: train (or apply) a drift forecast, then project.

The portfolio core computes the EAC from any forecast frame (``portfolio.completion``); this
module joins it to the forecasting core for both shells: it forecasts the drift of one level
(and, bottom-up, of every node above it) over the model's horizon and hands the forecast to
``completion_of``. The forecast's own backtest is not run here (``backtest_k=0``): the EAC page
and ``cost-drift eac`` score the EAC methods on finished items instead.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from portfolio.alerts import AlertRule
from portfolio.bridge import future_plan_for_level, hierarchy_edges, series_for_level
from portfolio.completion import Completion, completion_of
from portfolio.errors import InputError
from portfolio.periods import next_periods

if TYPE_CHECKING:
    from forecasting.settings import ModelSettings
    from portfolio.load import Portfolio


@dataclass(frozen=True)
class EacForecast:
    """What to forecast for the EAC: the level modelled (None: the level above the leaves)."""

    level: int | None = None


def default_level(portfolio: Portfolio) -> int:
    """The level above the leaves (level 1 at least): many series, each with real spend."""
    return max(1, len(portfolio.levels) - 1)


def forecast_frame(
    portfolio: Portfolio,
    rolled: pd.DataFrame,
    settings: ModelSettings,
    rule: AlertRule,
    *,
    choice: EacForecast = EacForecast(),
    ensemble: Any = None,
    progress: Any = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """Train (or apply ``ensemble``) and forecast the drift of a level and the nodes above it.

    Returns:
        The forecast ``DataFrame[node, period, step, median, lower, upper, ...]``.

    Raises:
        InputError: A single-period file or a level that does not exist.
        ForecastError: The forecasting core's refusals (too short a history, bad settings).
    """
    if portfolio.frequency == "single" or len(portfolio.periods) < 2:
        raise InputError("A forecast needs a history of several periods; this file has one.")
    n_levels = len(portfolio.levels)
    level = default_level(portfolio) if choice.level is None else int(choice.level)
    if not 0 <= level <= n_levels:
        raise InputError(f"The level must be from 0 (whole portfolio) to {n_levels} (got {level}).")
    from forecasting.pipeline import run_forecast

    if ensemble is not None:
        settings = ensemble.settings
    edges = hierarchy_edges(rolled)
    keep = set(rolled.loc[rolled["level"] <= level, "node"])
    run = run_forecast(
        series_for_level(rolled, level),
        settings,
        edges=edges[edges["node"].isin(keep)],
        future=future_plan_for_level(portfolio, rolled, level),
        future_periods=next_periods(portfolio.periods[-1], settings.horizon, portfolio.frequency),
        backtest_k=0,
        amber_pct=rule.amber_pct,
        red_pct=rule.red_pct,
        direction=rule.direction,
        progress=progress,
        cancel=cancel,
        ensemble=ensemble,
    )
    return run.forecast


def completion_with_forecast(
    portfolio: Portfolio,
    rolled: pd.DataFrame,
    settings: ModelSettings,
    rule: AlertRule,
    *,
    choice: EacForecast = EacForecast(),
    ensemble: Any = None,
) -> Completion:
    """The at-completion table with ``eac_forecast`` from a forecast made here."""
    forecast = forecast_frame(portfolio, rolled, settings, rule, choice=choice, ensemble=ensemble)
    return completion_of(portfolio, rolled, forecast=forecast, rule=rule)
