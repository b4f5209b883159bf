"""The one entry point the app and the CLI call: train (or load), backtest, forecast, outlook.

``run_forecast`` takes a long series frame (``node``, ``period``, target, covariate) at one level
(or, for reconciliation, at every level down to one) and returns a frozen :class:`ForecastRun`.
Nodes too short for ``lookback + horizon`` (+1 when differencing) are listed in ``skipped`` with the
reason, never dropped silently. With ``edges`` the forecast also covers every ancestor of the
modelled nodes, bottom-up (member by member), so totals add up exactly.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from forecasting import calibrated, hierarchy
from forecasting.autoconfig import resolve_defaults
from forecasting.backtest import (
    BACKTEST_COLUMNS,
    SPREAD_COLUMNS,
    SUMMARY_COLUMNS,
    BacktestResult,
    run_backtest,
)
from forecasting.baselines import season_from_periods
from forecasting.choice import ChoiceSettings
from forecasting.ensemble import Ensemble, fit_ensemble, member_paths, predict_members
from forecasting.errors import ForecastError
from forecasting.executor import Executor
from forecasting.outlook import OutlookBands, drift_outlook
from forecasting.settings import ModelSettings
from forecasting.training import ProgressFn
from forecasting.tuning import TUNING_COLUMNS, choose_settings
from forecasting.windows import Panel, future_covariate_matrix, short_nodes, to_panel

log = logging.getLogger(__name__)

SKIPPED_COLUMNS = ["node", "periods", "needed", "reason"]
FORECAST_COLUMNS = [
    "node",
    "period",
    "step",
    "median",
    "lower",
    "upper",
    "planned",
    "model",
    "lstm_median",
    "spread_lower",
    "spread_upper",
]


@dataclass(frozen=True)
class ForecastRun:
    """Everything one forecast run produces (frames as documented in docs/ARCHITECTURE.md).

    ``forecast``: node, period, step, median, lower, upper, planned, model, lstm_median,
    spread_lower, spread_upper (``median`` is the chosen model's point, ``lower``/``upper`` its
    calibrated band at ``interval``; ``spread_*`` the LSTM members' run-to-run spread);
    ``members``: node, period, step, member, value of the LSTM members (ancestors included when
    edges were given); ``model_forecasts``: node, period, step, model, median, lower, upper of
    every model at the modelled nodes; ``predictive``: node, period, step, member, value sample
    paths of the calibrated predictive distribution behind the outlook's probabilities (the LSTM
    members where there was no backtest to calibrate on); ``backtest``: node, model, rmse, mae,
    mase, coverage, width; ``backtest_summary``: model, rmse, mae, mase, coverage, width, nodes,
    wins;
    ``members_spread``: node, rmse_mean, rmse_std, rmse_min, rmse_max; ``outlook``: one row per
    node; ``verdict``: plain words; ``skipped``: node, periods, needed, reason;
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


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def next_period_labels(last: str, n: int) -> list[str]:
    """The ``n`` labels after ``last`` for ``YYYY-MM``, ``YYYY-Qn`` and ``YYYY`` labels; other
    labels get ``"<last>+1"``, ``"<last>+2"``, ... (pass ``future_periods`` for those)."""
    if m := _MONTH.match(last):
        y, mo = int(m.group(1)), int(m.group(2)) - 1
        return [f"{y + (mo + i) // 12:04d}-{(mo + i) % 12 + 1:02d}" for i in range(1, n + 1)]
    if m := _QUARTER.match(last):
        y, q = int(m.group(1)), int(m.group(2)) - 1
        return [f"{y + (q + i) // 4:04d}-Q{(q + i) % 4 + 1}" for i in range(1, n + 1)]
    if m := _YEAR.match(last):
        return [f"{int(m.group(1)) + i:04d}" for i in range(1, n + 1)]
    return [f"{last}+{i}" for i in range(1, n + 1)]


def _sub_panel(panel: Panel, rows: np.ndarray) -> Panel:
    return Panel(
        tuple(panel.nodes[i] for i in rows),
        panel.periods,
        panel.target[rows],
        panel.covariate[rows],
        panel.start[rows],
    )


def _with_ancestors(
    frame: pd.DataFrame, tree: hierarchy.Hierarchy, value_cols: Sequence[str]
) -> pd.DataFrame:
    """Add every ancestor's rows as sums of the given nodes' rows (keys: all non-value columns)."""
    parts = [frame]
    src = frame.assign(_anc=frame["node"].map(lambda n: list(tree.ancestors_of(str(n)))))
    up = src[src["_anc"].map(len) > 0].explode("_anc")
    if not up.empty:
        keys = [c for c in frame.columns if c not in value_cols and c != "node"]
        summed = (
            up.drop(columns="node")
            .rename(columns={"_anc": "node"})
            .groupby(["node", *keys], sort=False, as_index=False)[list(value_cols)]
            .sum()
        )
        parts.insert(0, summed[frame.columns.tolist()])
    return pd.concat(parts, ignore_index=True)


def _with_spread(forecast: pd.DataFrame, spread: pd.DataFrame) -> pd.DataFrame:
    """Add the LSTM's median and members' spread beside the shown forecast; where the shown model
    has no calibrated band (no backtest), the LSTM's own spread is its band."""
    lstm = spread.rename(
        columns={"median": "lstm_median", "lower": "spread_lower", "upper": "spread_upper"}
    )[["node", "period", "step", "lstm_median", "spread_lower", "spread_upper"]]
    out = forecast.merge(lstm, on=["node", "period", "step"], how="left")
    no_band = out["lower"].isna() & out["model"].isin(["lstm", "bottom-up"])
    out.loc[no_band, "lower"] = out.loc[no_band, "spread_lower"]
    out.loc[no_band, "upper"] = out.loc[no_band, "spread_upper"]
    return out


def _with_skipped(
    short: pd.DataFrame, panel: Panel, reasons: dict[str, str], needed: int
) -> pd.DataFrame:
    """``short`` with a row per node of ``reasons`` (node -> why), each with its length."""
    lengths = dict(zip(panel.nodes, panel.lengths, strict=True))
    extra = pd.DataFrame(
        {
            "node": list(reasons),
            "periods": [int(lengths[n]) for n in reasons],
            "needed": needed,
            "reason": list(reasons.values()),
        }
    )
    return pd.concat([short, extra], ignore_index=True)


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
            cells repeat the node's last season.
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
    if backtest_k < 0:
        raise ForecastError(
            f"The number of backtest cut-offs must be 0 or more (got {backtest_k})."
        )
    if reconcile is not None and edges is None:
        raise ForecastError("Reconciliation needs the hierarchy (edges) of the nodes.")
    tree = None if edges is None else hierarchy.as_hierarchy(edges)
    panel = to_panel(series, settings.target, settings.covariate)
    season = season_from_periods(panel.periods)
    requested = settings
    if ensemble is None:
        settings = resolve_defaults(settings, season, len(panel.periods))
    extra = 1 if settings.difference else 0
    h = settings.horizon
    total = len(panel.periods)

    if ensemble is None:
        needed = settings.lookback + h + extra
        short = short_nodes(panel, needed)
        short["reason"] = [
            f"has {p} period(s); a lookback of {settings.lookback} plus a horizon of {h}"
            f"{' plus one for differencing' if extra else ''} needs {needed}"
            for p in short["periods"]
        ]
    else:
        needed = settings.lookback + extra
        short = short_nodes(panel, needed)
        short["reason"] = [
            f"has {p} period(s); the loaded model needs {needed}" for p in short["periods"]
        ]
        known = set(ensemble.nodes)
        unknown = [n for n in panel.nodes if n not in known and n not in set(short["node"])]
        if unknown:
            why = "not in the loaded model (it was trained on other nodes)"
            short = _with_skipped(short, panel, dict.fromkeys(unknown, why), needed)
    skipped_set = set(short["node"])
    rows = np.asarray(
        [i for i, n in enumerate(panel.nodes) if n not in skipped_set], dtype=np.int64
    )
    if len(rows) == 0:
        raise ForecastError(
            f"No node can be forecast: every one of the {len(panel.nodes)} node(s) is too short "
            f"or unknown to the model (first: '{short['node'].iloc[0]}', "
            f"{short['reason'].iloc[0]})."
        )
    work = _sub_panel(panel, rows)
    train_seconds = 0.0
    tuning = pd.DataFrame(columns=TUNING_COLUMNS)
    note = ""
    if ensemble is None:
        choice = choose_settings(
            work, requested, settings, backtest_k=backtest_k, progress=progress, cancel=cancel
        )
        settings, backtest_k, tuning, note = (
            choice.settings,
            choice.backtest_k,
            choice.table,
            choice.note,
        )
        train_seconds += float(tuning["seconds"].sum())

    bt: BacktestResult | None = None
    if backtest_k > 0:
        bt = run_backtest(
            work,
            settings,
            backtest_k,
            season=season,
            ensemble=ensemble,
            progress=progress,
            cancel=cancel,
            executor=executor,
            level=pick.interval,
        )
        if ensemble is None and bt.ensemble is not None:
            train_seconds += bt.ensemble.train_seconds
        if not bt.skipped.empty:
            short = pd.concat(
                [
                    short,
                    bt.skipped.assign(reason="too short for the backtest (forecast only)"),
                ],
                ignore_index=True,
            )
        backtest, summary, spread, residuals, verdict = (
            bt.table,
            bt.summary,
            bt.members_spread,
            bt.residuals,
            bt.verdict,
        )
    else:
        backtest = pd.DataFrame(columns=BACKTEST_COLUMNS)
        summary = pd.DataFrame(columns=SUMMARY_COLUMNS)
        spread = pd.DataFrame(columns=SPREAD_COLUMNS)
        residuals = None
        verdict = "No backtest was run, so the LSTM was not compared with the baselines."
    verdict = f"{verdict} {note}".strip()

    if ensemble is None:
        ens = fit_ensemble(
            work, settings, stage="final", progress=progress, cancel=cancel, executor=executor
        )
        train_seconds += ens.train_seconds
    else:
        ens = ensemble

    periods = (
        list(future_periods)
        if future_periods is not None
        else next_period_labels(panel.periods[-1], h)
    )
    if len(periods) != h:
        raise ForecastError(
            f"{len(periods)} forecast period label(s) were given for a horizon of {h}."
        )
    fut_cov = future_covariate_matrix(work, future, periods, settings.covariate, season)
    values = predict_members(ens, work, total - 1, future_covariate=fut_cov)
    paths = member_paths(values, work.nodes, periods)
    planned = pd.DataFrame(
        {
            "node": np.repeat(np.asarray(work.nodes, dtype=object), h),
            "period": np.tile(np.asarray(periods, dtype=object), len(work.nodes)),
            "planned": fut_cov.reshape(-1),
        }
    )
    history = series.loc[series["node"].astype(str).isin(set(work.nodes))].rename(
        columns={settings.target: "variance", settings.covariate: "planned"}
    )[["node", "period", "variance", "planned"]]
    history = history.assign(node=history["node"].astype(str), period=history["period"].astype(str))

    mod = calibrated.modelled(
        calibrated.ModelledInputs(
            work, bt, np.median(values, axis=0), fut_cov, season, periods, pick
        )
    )
    node_cal = dict(mod.node_cal)
    q = settings.quantiles
    forecast = mod.chosen.drop(columns="model").assign(model=mod.chosen["model"])
    if reconcile is not None:
        assert tree is not None
        keep, left_out = hierarchy.reconcilable(work.nodes, tree)
        rec = hierarchy.reconcile(
            forecast[forecast["node"].isin(keep)], tree, reconcile, residuals, column="median"
        )
        delta = forecast.merge(
            rec, on=["node", "period", "step"], how="left", suffixes=("", "_rec")
        )
        # Nodes left out of the reconciliation keep their own forecast (a shift of 0).
        delta["median_rec"] = delta["median_rec"].fillna(delta["median"])
        delta["shift"] = delta["median_rec"] - delta["median"]
        if left_out:
            short = _with_skipped(short, panel, left_out, needed)
        forecast = delta.assign(
            # the same sum for all three keeps lower <= median <= upper exact after rounding
            median=delta["median"] + delta["shift"],
            lower=delta["lower"] + delta["shift"],
            upper=delta["upper"] + delta["shift"],
        )[forecast.columns.tolist()]
        shifted = paths.merge(
            delta[["node", "period", "step", "shift"]], on=["node", "period", "step"]
        )
        all_paths = shifted.assign(value=shifted["value"] + shifted["shift"]).drop(columns="shift")
        lstm_band = hierarchy.summarise(all_paths, q)
    elif tree is not None:
        planned = _with_ancestors(planned, tree, ["planned"])
        history = _with_ancestors(history, tree, ["variance", "planned"])
        anc, anc_cal = calibrated.ancestors(
            calibrated.AncestorInputs(forecast, mod.picks, bt, tree, history, pick.interval)
        )
        node_cal.update(anc_cal)
        forecast = pd.concat([anc[forecast.columns.tolist()], forecast], ignore_index=True)
        lstm_band = hierarchy.bottom_up(paths, tree, q)
        all_paths = hierarchy.bottom_up_members(paths, tree)
    else:
        lstm_band = hierarchy.summarise(paths, q)
        all_paths = paths
    forecast = _with_spread(forecast, lstm_band).merge(planned, on=["node", "period"], how="left")
    forecast = forecast[FORECAST_COLUMNS]
    predictive = calibrated.predictive_members(forecast, node_cal)
    uncalibrated = all_paths[~all_paths["node"].isin(set(predictive["node"]))]
    predictive = pd.concat([predictive, uncalibrated], ignore_index=True)
    outlook = drift_outlook(
        history,
        predictive,
        planned,
        bands=bands,
        point=forecast[["node", "period", "step", "median"]],
    )
    verdict = f"{verdict} {mod.verdict}"
    return ForecastRun(
        forecast=forecast.reset_index(drop=True),
        members=all_paths.reset_index(drop=True),
        model_forecasts=mod.models,
        predictive=predictive,
        interval=pick.interval,
        backtest=backtest,
        backtest_summary=summary,
        members_spread=spread,
        outlook=outlook,
        verdict=verdict,
        skipped=short[SKIPPED_COLUMNS].reset_index(drop=True),
        ensemble=ens,
        train_seconds=train_seconds,
        tuning=tuning,
    )
