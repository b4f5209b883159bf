"""One forecast request for both shells: (portfolio, rollup, choices) -> what to forecast and how.

The app's Forecast page and ``cost-drift forecast`` both build their request here, so they agree
on the default level, the node, the horizon's period labels, the levels reconciled and the alert
bands of the drift outlook (floor and direction included).

Default level: the deepest level with at most ``DEFAULT_LEVEL_MAX_NODES`` nodes (level 1 at
least). A global network learns best from many series, but a level of thousands of purchase
orders is slow to train and rarely what an analyst reads first.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from forecasting.autoconfig import resolve_horizon
from forecasting.choice import ChoiceSettings
from forecasting.outlook import OutlookBands, drift_outlook
from forecasting.plan_ahead import ASSUMED
from forecasting.settings import ModelSettings
from portfolio.alerts import AlertRule
from portfolio.bridge import future_plan_for_level, hierarchy_edges, series_for_level
from portfolio.errors import InputError
from portfolio.node_ids import did_you_mean
from portfolio.periods import next_periods
from portfolio.rollup import ROOT
from portfolio.tree import tree_of

if TYPE_CHECKING:
    from forecasting.ensemble import Ensemble
    from forecasting.executor import Executor
    from forecasting.pipeline import ForecastRun
    from forecasting.training import ProgressFn
    from portfolio.load import Portfolio

DEFAULT_LEVEL_MAX_NODES = 60
Reconcile = Literal["ols", "wls", "mint"]


@dataclass(frozen=True)
class ForecastChoices:
    """What the analyst chose: a level (None: the default level) or one node, and the backtest.

    Attributes:
        level: hierarchy level to model (0 = whole portfolio); None picks ``default_level``.
        node: model this one node alone (its path id); overrides ``level``.
        backtest_k: rolling-origin cut-offs for the backtest (0: none).
        reconcile: model every level down to ``level`` and reconcile them (None: bottom-up).
        choice: the model shown (``best``: see ``forecasting.choice``) and the nominal level
            of its calibrated band.
    """

    level: int | None = None
    node: str | None = None
    backtest_k: int = 6
    reconcile: Reconcile | None = None
    choice: ChoiceSettings = field(default_factory=ChoiceSettings)


@dataclass(frozen=True, eq=False)
class ForecastRequest:
    """Everything one forecast run needs; ``run`` starts it (train, or apply a loaded model)."""

    label: str
    level: int
    node: str | None
    series: pd.DataFrame
    future: pd.DataFrame
    edges: pd.DataFrame | None
    history: pd.DataFrame = field(repr=False)
    last_period: str
    frequency: str
    settings: ModelSettings
    backtest_k: int
    reconcile: Reconcile | None
    bands: OutlookBands
    choice: ChoiceSettings = field(default_factory=ChoiceSettings)
    # A file of levels (re-forecasts, running totals): its plan level is carried where the file
    # has no plan ahead, as the loader carries a level between reports; so the plan flow is 0.
    carry_plan: bool = False
    # The file's decimal places (``Portfolio.decimals``), for writing the run's tables.
    decimals: int | None = None

    def future_periods(self, settings: ModelSettings | None = None) -> list[str]:
        """The labels of the forecast periods for ``settings`` (default: the request's)."""
        horizon = (settings or self.settings).horizon
        return next_periods(self.last_period, horizon, self.frequency)

    def future_for(self, settings: ModelSettings | None = None) -> pd.DataFrame:
        """The plan ahead over the forecast periods of ``settings``: the file's, and with
        ``carry_plan`` a planned flow of 0 for every node and period it does not give (else the
        forecast repeats the last season's plan flows, which in a file of levels are re-forecast
        changes: NYC's plan grew by 10 bn in three quarters that way)."""
        if not self.carry_plan:
            return self.future
        nodes = self.series["node"].astype(str).unique()
        periods = self.future_periods(settings)
        flat = pd.DataFrame(
            {
                "node": np.repeat(nodes, len(periods)),
                "period": np.tile(np.asarray(periods, dtype=object), len(nodes)),
                "planned": 0.0,
                ASSUMED: True,  # the forecast says this plan is its assumption, not the file's
            }
        )
        both = pd.concat([self.future.assign(**{ASSUMED: False}), flat], ignore_index=True)
        return both.drop_duplicates(["node", "period"], keep="first").reset_index(drop=True)

    def with_settings(self, settings: ModelSettings) -> ForecastRequest:
        """The same request with other model settings (e.g. those of a loaded model)."""
        return replace(self, settings=settings)

    def run(
        self,
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        ensemble: Ensemble | None = None,
        executor: Executor = None,
    ) -> ForecastRun:
        """Backtest, train (or apply ``ensemble``) and forecast; see ``run_forecast``.

        ``executor`` says where the networks train: None in this process, a
        ``forecasting.executor.RayExecutor`` as Ray tasks (same seeds, same forecast).
        """
        from forecasting.pipeline import run_forecast

        settings = ensemble.settings if ensemble is not None else self.settings
        return run_forecast(
            self.series,
            settings,
            edges=self.edges,
            future=self.future_for(settings),
            future_periods=self.future_periods(settings),
            backtest_k=self.backtest_k,
            bands=self.bands,
            reconcile=self.reconcile,
            progress=progress,
            cancel=cancel,
            ensemble=ensemble,
            executor=executor,
            choice_settings=self.choice,
        )


def outlook_bands(rule: AlertRule) -> OutlookBands:
    """The alert rule's bands as the forecasting core takes them (percent, floor, direction)."""
    return OutlookBands(
        amber_pct=rule.amber_pct, red_pct=rule.red_pct, floor=rule.floor, direction=rule.direction
    )


def default_level(rolled: pd.DataFrame) -> int:
    """The deepest level with at most ``DEFAULT_LEVEL_MAX_NODES`` nodes (level 1 at least)."""
    counts = rolled.groupby("level")["node"].nunique()
    fitting = [int(lv) for lv, n in counts.items() if int(lv) >= 1 and n <= DEFAULT_LEVEL_MAX_NODES]
    return max(fitting) if fitting else 1


def _node_level(rolled: pd.DataFrame, node: str) -> int:
    match = rolled.loc[rolled["node"] == node, "level"]
    if match.empty:
        ids = rolled["node"].drop_duplicates().astype(str)
        some = ", ".join(f"'{n}'" for n in ids.head(3))
        hint = did_you_mean(node, ids.tolist())
        raise InputError(f"'{node}' is not a node of this portfolio.{hint} Ids are like {some}.")
    return int(match.iloc[0])


def history_problem(portfolio: Portfolio) -> str | None:
    """Why nothing of this portfolio can be forecast (a single period), or None when it can."""
    if portfolio.frequency == "single" or len(portfolio.periods) < 2:
        return "Forecasting needs a history of several periods; this file has a single period."
    return None


def _check_choices(portfolio: Portfolio, choices: ForecastChoices) -> None:
    problem = history_problem(portfolio)
    if problem is not None:
        raise InputError(problem)
    if choices.backtest_k < 0:
        raise InputError(f"The backtest needs 0 or more cut-offs (got {choices.backtest_k}).")
    n_levels = len(portfolio.levels)
    if choices.node is None and choices.level is not None and not 0 <= choices.level <= n_levels:
        raise InputError(
            f"The level must be from 0 (whole portfolio) to {n_levels} (got {choices.level})."
        )
    if choices.node is not None and choices.reconcile is not None:
        raise InputError("Reconciliation needs a whole level; it cannot be used with one node.")


def build_request(
    portfolio: Portfolio,
    rolled: pd.DataFrame,
    choices: ForecastChoices,
    settings: ModelSettings,
    rule: AlertRule,
) -> ForecastRequest:
    """Turn the analyst's choices into a forecast request (the same for the app and the CLI).

    Raises:
        InputError: a single-period file, a level or node that does not exist, a negative number
            of backtest cut-offs, or reconciliation asked for one node.
    """
    _check_choices(portfolio, choices)
    node = choices.node
    if node is not None:
        level = _node_level(rolled, node)
    else:
        level = default_level(rolled) if choices.level is None else int(choices.level)
    levels = range(0, level + 1) if choices.reconcile else [level]
    tree = tree_of(rolled)  # built once, cut at every level
    # A ragged leaf belongs to the cut of every level below it: keep it once.
    series = pd.concat(
        [series_for_level(rolled, lv, tree) for lv in levels], ignore_index=True
    ).drop_duplicates(["node", "period"])
    future = pd.concat(
        [future_plan_for_level(portfolio, rolled, lv, tree) for lv in levels], ignore_index=True
    ).drop_duplicates(["node", "period"])
    edges: pd.DataFrame | None = None
    if node is not None:
        series = series[series["node"] == node]
        future = future[future["node"] == node]
        label = f"node {node}"
    else:
        all_edges = hierarchy_edges(rolled, tree)
        keep = set(rolled.loc[rolled["level"] <= level, "node"])
        edges = all_edges[all_edges["node"].isin(keep)].reset_index(drop=True)
        label = f"level {_level_name(portfolio, level)}"
    modelled = set(series["node"])
    if edges is not None:
        modelled |= set(edges["node"]) | {ROOT}
    history = rolled.loc[rolled["node"].isin(modelled), ["node", "period", "variance", "planned"]]
    return ForecastRequest(
        label=label,
        level=level,
        node=node,
        series=series.reset_index(drop=True),
        future=future.reset_index(drop=True),
        edges=edges,
        history=history.reset_index(drop=True),
        last_period=portfolio.periods[-1],
        frequency=portfolio.frequency,
        # An automatic horizon is fixed on the file's calendar, so the forecast periods have names.
        settings=resolve_horizon(settings, portfolio.periods),
        backtest_k=choices.backtest_k,
        reconcile=choices.reconcile,
        bands=outlook_bands(rule),
        choice=choices.choice,
        carry_plan=portfolio.measure == "level",
        decimals=portfolio.decimals,
    )


def _level_name(portfolio: Portfolio, level: int) -> str:
    return "Whole portfolio" if level == 0 else portfolio.levels[level - 1]


def outlook_under(run: Any, history: pd.DataFrame, rule: AlertRule) -> pd.DataFrame:
    """A finished run's drift outlook under ``rule`` (the app redraws it as the sliders move).

    Gives the same table as the run's own ``outlook`` when ``rule`` is the rule it ran with.
    """
    forecast = run.forecast
    cols = [c for c in ("node", "period", "planned", "planned_source") if c in forecast]
    planned = forecast[cols] if "planned" in forecast else None
    return drift_outlook(
        history,
        run.predictive,
        planned,
        bands=outlook_bands(rule),
        point=forecast[["node", "period", "step", "median"]],
    )
