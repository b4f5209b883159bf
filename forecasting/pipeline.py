"""The one entry point the app and the CLI call: train (or load), backtest, forecast, outlook.

``run_forecast`` takes a long series frame (``node``, ``period``, target, covariate) at one level
(or, for reconciliation, at every level down to one) and returns a frozen :class:`ForecastRun`.
Nodes too short for ``lookback + horizon`` (+1 when differencing) are listed in ``skipped`` with the
reason, never dropped silently. With ``edges`` the forecast also covers every ancestor of the
modelled nodes, bottom-up (member by member), so totals add up exactly.

Its stages, in order: the nodes to model (``forecast_nodes.prepare``), the automatic settings
(``tuning.choose_settings``), the backtest (``backtest.backtest_stage``), the final ensemble, the
members' paths over the horizon (``forecast_predict.predict_stage``), the chosen model and its
calibrated band, the tree and the shown forecast with its predictive paths (``forecasting.show``),
and the outlook (``outlook.drift_outlook``). A finished run can be shown again with another model
or nominal level without training (:func:`reshow`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from forecasting import hierarchy
from forecasting.backtest import BacktestOptions, BacktestStage, backtest_stage
from forecasting.choice import ChoiceSettings
from forecasting.ensemble import Ensemble, fit_ensemble
from forecasting.errors import ForecastError
from forecasting.executor import Executor
from forecasting.forecast_cover import Covered
from forecasting.forecast_nodes import SKIPPED_COLUMNS, Prepared, prepare, with_skipped
from forecasting.forecast_predict import next_period_labels, predict_stage
from forecasting.outlook import OutlookBands, drift_outlook
from forecasting.settings import ModelSettings
from forecasting.show import FORECAST_COLUMNS, RunParts, assemble, at_level, modelled_cover
from forecasting.training import ProgressFn
from forecasting.tuning import TUNING_COLUMNS, Choice, choose_settings

__all__ = ["FORECAST_COLUMNS", "ForecastRun", "next_period_labels", "reshow", "run_forecast"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForecastRun:
    """Everything one forecast run produces (frames as documented in docs/ARCHITECTURE.md).

    ``forecast``: node, period, step, median, lower, upper, planned, planned_source, model,
    lstm_median, spread_lower, spread_upper (``median`` is the chosen model's point,
    ``lower``/``upper`` its calibrated band at ``interval``; ``planned_source``: ``plan`` where
    the file gave the plan ahead, ``assumed`` where the forecast assumed it, ``mixed`` for a sum
    of both; ``spread_*`` the LSTM members' run-to-run spread);
    ``members``: node, period, step, member, value of the LSTM members (ancestors included when
    edges were given); ``model_forecasts``: node, period, step, model, median, lower, upper of
    every model at the modelled nodes; ``predictive``: node, period, step, member, value sample
    paths of the calibrated predictive distribution behind the outlook's probabilities (the LSTM
    members where there was no backtest to calibrate on); ``backtest``: node, model, rmse, mae,
    mase, coverage, width; ``backtest_summary``: model, rmse, mae, mase, coverage, width, nodes,
    wins;
    ``members_spread``: node, rmse_mean, rmse_std, rmse_seed_std, rmse_min, rmse_max;
    ``outlook``: one row per node; ``verdict``: plain words; ``skipped``: node, periods, needed,
    reason;
    ``train_seconds``: wall time spent training; ``tuning``: the automatic settings' search
    (``tuning.TUNING_COLUMNS``, one row per candidate; empty when every setting was given).
    """

    forecast: pd.DataFrame
    members: pd.DataFrame
    model_forecasts: pd.DataFrame
    predictive: pd.DataFrame
    interval: float
    backtest: pd.DataFrame
    backtest_summary: pd.DataFrame
    members_spread: pd.DataFrame
    outlook: pd.DataFrame
    verdict: str
    skipped: pd.DataFrame
    ensemble: Ensemble
    train_seconds: float
    tuning: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TUNING_COLUMNS))
    parts: RunParts | None = field(default=None, repr=False, compare=False)


def _check_request(backtest_k: int, reconciled: bool, has_tree: bool) -> None:
    if backtest_k < 0:
        raise ForecastError(
            f"The number of backtest cut-offs must be 0 or more (got {backtest_k})."
        )
    if reconciled and not has_tree:
        raise ForecastError("Reconciliation needs the hierarchy (edges) of the nodes.")


def _fit_final(prep: Prepared, opts: BacktestOptions) -> Ensemble:
    """The ensemble trained on the whole history: the one that forecasts."""
    return fit_ensemble(
        prep.work,
        prep.settings,
        stage="final",
        progress=opts.progress,
        cancel=opts.cancel,
        executor=opts.executor,
    )


def _tuned(prep: Prepared, backtest_k: int, opts: BacktestOptions) -> Choice:
    """The automatic settings' search (none with a loaded ensemble: its settings stand)."""
    if opts.ensemble is not None:
        return Choice(prep.settings, backtest_k, pd.DataFrame(columns=TUNING_COLUMNS), "")
    return choose_settings(
        prep.work,
        prep.requested,
        prep.settings,
        backtest_k=backtest_k,
        progress=opts.progress,
        cancel=opts.cancel,
    )


def _skipped(prep: Prepared, bt: BacktestStage, covered: Covered) -> pd.DataFrame:
    """Every node set apart, with the reason: too short, unknown, or left out on the way."""
    short = prep.skipped
    if not bt.skipped.empty:
        short = pd.concat([short, bt.skipped], ignore_index=True)
    if covered.left_out:
        short = with_skipped(short, prep.panel, dict(covered.left_out), prep.needed)
    return short[SKIPPED_COLUMNS].reset_index(drop=True)


def run_forecast(
    series: pd.DataFrame,
    settings: ModelSettings,
    *,
    edges: pd.DataFrame | hierarchy.Hierarchy | None = None,
    future: pd.DataFrame | None = None,
    future_periods: Sequence[str] | None = None,
    backtest_k: int = 6,
    bands: OutlookBands | None = None,
    reconcile: Literal["ols", "wls", "mint"] | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    ensemble: Ensemble | None = None,
    executor: Executor = None,
    choice_settings: ChoiceSettings | None = None,
) -> ForecastRun:
    """Backtest, train and forecast the drift of every node in ``series``.

    Args:
        series: ``DataFrame[node, period, <target>, <covariate>]`` on one shared calendar.
        settings: model settings (ignored in favour of the loaded ones when ``ensemble`` is given).
        edges: ``DataFrame[node, parent]`` (or its built ``Hierarchy``); forecasts then cover the
            ancestors too (bottom-up). The tree is built once, before any training.
        future: ``DataFrame[node, period, <covariate>]`` planned spend over the horizon; missing
            cells repeat the node's last season (a negative flow, a cut, as 0).
        future_periods: labels of the ``horizon`` forecast periods (inferred for monthly,
            quarterly and yearly labels).
        backtest_k: rolling-origin cut-offs (0: no backtest).
        bands: the alert bands of the outlook, floor and direction included (default
            ``OutlookBands()``).
        reconcile: ``ols``/``wls``/``mint`` to reconcile base forecasts made at several levels
            (``series`` then holds every level's nodes); None for plain bottom-up.
        progress: called with a ``ProgressEvent`` after every epoch.
        cancel: set it to stop training at the next batch end (raises ``TrainingCancelled``).
        ensemble: an already trained (loaded) ensemble to use instead of training.
        executor: where the members train: None in this process, a ``RayExecutor`` on Ray.
        choice_settings: the model shown (``best`` by default) and the band's nominal level.

    Raises:
        ForecastError: bad data or settings, nothing long enough to forecast, or a cancel.
    """
    if ensemble is not None:
        settings = ensemble.settings
    pick = choice_settings if choice_settings is not None else ChoiceSettings()
    _check_request(backtest_k, reconcile is not None, edges is not None)
    prep = prepare(series, settings, edges, ensemble)
    opts = BacktestOptions(prep.season, ensemble, progress, cancel, executor, pick.interval)
    choice = _tuned(prep, backtest_k, opts)
    prep = replace(prep, settings=choice.settings)
    bt = backtest_stage(prep.work, prep.settings, choice.backtest_k, opts)
    ens = ensemble if ensemble is not None else _fit_final(prep, opts)
    pred = predict_stage(prep, ens, future, future_periods)
    seconds = float(choice.table["seconds"].sum()) if ensemble is None else 0.0
    seconds += bt.seconds + (ens.train_seconds if ensemble is None else 0.0)
    parts = RunParts(prep, bt, pred, reconcile, bands, choice.note)
    return _finish(parts, pick, ens, seconds, choice.table)


def _finish(
    parts: RunParts, pick: ChoiceSettings, ens: Ensemble, seconds: float, tuning: pd.DataFrame
) -> ForecastRun:
    """The run as shown with ``pick``: the chosen models, their bands, the tree and the outlook."""
    bt = parts.bt
    mod, covered = modelled_cover(parts, pick)
    parts = replace(parts, points=mod.points)
    forecast, predictive = assemble(covered)
    return ForecastRun(
        forecast=forecast.reset_index(drop=True),
        members=covered.paths.reset_index(drop=True),
        model_forecasts=mod.models,
        predictive=predictive,
        interval=pick.interval,
        backtest=bt.table,
        backtest_summary=bt.summary,
        members_spread=bt.spread,
        outlook=drift_outlook(
            covered.history,
            predictive,
            forecast[["node", "period", "planned", "planned_source"]],
            bands=parts.bands,
            point=forecast[["node", "period", "step", "median"]],
        ),
        verdict=f"{f'{bt.verdict} {parts.note}'.strip()} {mod.verdict}",
        skipped=_skipped(parts.prep, bt, covered),
        ensemble=ens,
        train_seconds=seconds,
        tuning=tuning,
        parts=parts,
    )


def reshow(run: ForecastRun, pick: ChoiceSettings) -> ForecastRun:
    """The same trained run shown with another model or nominal level, without training again:
    the backtest's bands at the new level, the chosen models from the point forecasts the run
    kept (nothing is refitted), the tree and the outlook.

    Raises:
        ForecastError: a run that did not keep what this takes (made before it was kept).
    """
    if run.parts is None:
        raise ForecastError("This forecast cannot be shown with another model; train it again.")
    parts = replace(run.parts, bt=at_level(run.parts.bt, pick.interval))
    return _finish(parts, pick, run.ensemble, run.train_seconds, run.tuning)
