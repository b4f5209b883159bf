"""The forecast-backed estimate at completion: train (or apply) a drift forecast, then project.

The portfolio core computes the EAC from any forecast frame (``portfolio.completion``); this
module joins it to the forecasting core for both shells. The forecast is built by
``workflows.forecast_request`` exactly as the Forecast page and ``cost-drift forecast`` build it
(same default level, horizon labels, bands and backtest), so that the shown model and its calibrated
band are the ones the Forecast page shows; with ``backtest_k=0`` there is no backtest, the LSTM is
shown and its band is the networks' run-to-run spread, not calibrated (``UNCALIBRATED_NOTE``).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pandas as pd

from portfolio.alerts import AlertRule
from portfolio.completion import Completion, completion_of
from workflows.forecast_request import ForecastChoices, build_request

if TYPE_CHECKING:
    from forecasting.settings import ModelSettings
    from forecasting.training import ProgressFn
    from portfolio.load import Portfolio

DEFAULT_CHOICES = ForecastChoices()  # the default level and backtest, as the Forecast page
UNCALIBRATED_NOTE = (
    "The forecast ran without a backtest (0 cut-offs): eac_forecast is the LSTM's, and "
    "eac_lower/eac_upper the spread of its networks, not a calibrated band."
)


def forecast_frame(
    portfolio: Portfolio,
    rolled: pd.DataFrame,
    settings: ModelSettings,
    rule: AlertRule,
    *,
    choices: ForecastChoices = DEFAULT_CHOICES,
    ensemble: Any = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> pd.DataFrame:
    """Train (or apply ``ensemble``) and forecast the drift of a level and the nodes above it.

    Args:
        portfolio: The loaded portfolio.
        rolled: Its rollup.
        settings: The model settings (a loaded ensemble's own settings win).
        rule: The alert rule (the forecast's outlook bands).
        choices: The level or node to model and the backtest's cut-offs (which calibrate the
            band and choose the model shown).
        ensemble: A loaded ensemble to apply instead of training.
        progress: Called after every epoch.
        cancel: Set it to stop training.

    Returns:
        The forecast ``DataFrame[node, period, step, median, lower, upper, ...]``.

    Raises:
        InputError: A single-period file, or a level or node that does not exist.
        ForecastError: The forecasting core's refusals (too short a history, bad settings).
    """
    request = build_request(portfolio, rolled, choices, settings, rule)
    if ensemble is not None:
        request = request.with_settings(ensemble.settings)
    run = request.run(progress=progress, cancel=cancel, ensemble=ensemble)
    return run.forecast


def completion_with_forecast(
    portfolio: Portfolio,
    rolled: pd.DataFrame,
    settings: ModelSettings,
    rule: AlertRule,
    *,
    choices: ForecastChoices = DEFAULT_CHOICES,
    ensemble: Any = None,
) -> Completion:
    """The at-completion table with ``eac_forecast`` from a forecast made here."""
    forecast = forecast_frame(portfolio, rolled, settings, rule, choices=choices, ensemble=ensemble)
    return completion_of(portfolio, rolled, forecast=forecast, rule=rule)
