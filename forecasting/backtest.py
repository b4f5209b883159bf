"""Rolling-origin backtest of the LSTM ensemble against every baseline on the same cut-offs.

Models: ``lstm`` (the ensemble's median) and the others of ``backtest_models.MODEL_NAMES`` (the
baselines, the plan-based ``rate_naive``, the statistical ``auto_arima`` and ``auto_ets`` and
``combo``); the tables, scores and verdict are made in ``backtest_scores``.

Protocol: the last ``k`` origins whose ``horizon`` following periods are all observed. With
``T`` periods the origins are ``T - horizon - k .. T - horizon - 1`` (0-based), so with horizon 1
and k = 12 this is a one-step walk-forward over the last 12 periods.

The ensemble is trained once, on the periods up to the first origin (scaler fitted on the same
part), then applied at every origin with the history up to that origin as input; refitting at every
origin would multiply the training time by ``k``. The baselines are recomputed at every origin from
the history up to it. A loaded (already trained) ensemble is applied as is, without retraining:
its training may have seen the backtest's periods, so the LSTM's and the combination's scores are
in-sample (``BacktestResult.in_sample``): they stay in the tables, the verdict says why they are
not judged (``LOADED_NOTE``, first) and the model shown is chosen among the others.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import conformal
from forecasting.autoconfig import resolve_defaults
from forecasting.backtest_models import COMBO, baseline_predictions, with_combo
from forecasting.backtest_scores import (
    BACKTEST_COLUMNS,
    SPREAD_COLUMNS,
    SUMMARY_COLUMNS,
    Scored,
    members_spread,
    residuals,
    score_table,
    summarise_backtest,
    verdict,
)
from forecasting.choice import ChoiceSettings
from forecasting.ensemble import Ensemble, fit_ensemble, predict_members
from forecasting.errors import ForecastError
from forecasting.executor import Executor
from forecasting.settings import ModelSettings
from forecasting.training import ProgressFn
from forecasting.windows import Panel

LOADED_NOTE = (
    "A saved model was used without retraining for the backtest: its training may have seen "
    "these periods, so the LSTM's and the combination's scores are optimistic; they stay in the "
    "table but are not judged, and the model shown is chosen among the others."
)


@dataclass(frozen=True)
class BacktestResult:
    """Backtest tables, the plain-words verdict and the ensemble that was scored.

    ``errors`` holds, per model, the errors ``actual - forecast`` as ``(nodes, cut-offs, steps)``
    in the order of ``nodes``; ``scales`` the reference node scales of the conformal
    calibration (``conformal.node_scale`` over the history up to the first cut-off; the bands are
    sized by each model's own errors, these stand in where a node has none); ``combo_partner`` the
    statistical model each node's ``combo`` averages with the LSTM.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    members_spread: pd.DataFrame
    residuals: pd.DataFrame
    verdict: str
    origins: tuple[str, ...]
    nodes: tuple[str, ...]
    skipped: pd.DataFrame
    ensemble: Ensemble | None
    errors: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    scales: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    combo_partner: dict[str, str] = field(default_factory=dict)
    # models whose scores are in-sample (a loaded ensemble's): not judged, never chosen as best
    in_sample: tuple[str, ...] = ()


@dataclass(frozen=True)
class BacktestOptions:
    """How one backtest runs: the season, the loaded ensemble (None: train one), where and with
    what progress and cancel it trains, and the nominal level of the bands it scores (every field
    given: the defaults are ``run_backtest``'s)."""

    season: int
    ensemble: Ensemble | None
    progress: ProgressFn | None
    cancel: threading.Event | None
    executor: Executor
    level: float


def origins_for(n_periods: int, horizon: int, k: int) -> list[int]:
    """0-based origins of the last ``k`` cut-offs, each followed by ``horizon`` observed periods."""
    first = n_periods - horizon - k
    return list(range(first, first + k))


def _checked_origins(total: int, settings: ModelSettings, k: int) -> list[int]:
    """The cut-offs' origins, or a ForecastError saying how many periods ``k`` of them need."""
    h, lb = settings.horizon, settings.lookback
    extra = 1 if settings.difference else 0
    if k < 1:
        raise ForecastError("The backtest needs at least one cut-off.")
    origins = origins_for(total, h, k)
    if origins[0] + 1 < lb + h + extra:
        need = lb + 2 * h + k - 1 + extra
        most = total - lb - 2 * h + 1 - extra
        fewer = f"at most {most} cut-off(s)" if most >= 1 else "fewer cut-offs"
        raise ForecastError(
            f"A backtest over {k} cut-off(s) with a lookback of {lb} and a horizon of {h} needs at "
            f"least {need} periods; the data has {total}. Use {fewer}, a shorter "
            "lookback or horizon, or no backtest."
        )
    return origins


def _rows_with_input(
    panel: Panel, settings: ModelSettings, first: int, lb: int
) -> tuple[np.ndarray, pd.DataFrame]:
    """The rows with a full lookback ``lb`` before the first cut-off, and the others as skipped
    rows."""
    extra = 1 if settings.difference else 0
    has_input = panel.start + extra <= first - lb + 1
    skipped = pd.DataFrame(
        {
            "node": [panel.nodes[i] for i in np.flatnonzero(~has_input)],
            "periods": (first + 1 - panel.start[~has_input]).clip(min=0).astype(int),
            "needed": lb + extra,
        }
    )
    rows = np.flatnonzero(has_input)
    if len(rows) == 0:
        raise ForecastError(
            f"No node has {lb + extra} periods of history before the first backtest cut-off "
            f"({panel.periods[first]})."
        )
    return rows, skipped


def _scored_ensemble(
    panel: Panel, settings: ModelSettings, first: int, run: BacktestOptions
) -> tuple[Ensemble, str]:
    """The ensemble trained up to the first cut-off (or the loaded one) and the verdict's note."""
    if run.ensemble is not None:
        return run.ensemble, LOADED_NOTE
    ens = fit_ensemble(
        panel,
        settings,
        upto=first + 1,
        stage="backtest",
        progress=run.progress,
        cancel=run.cancel,
        executor=run.executor,
    )
    return ens, ""


def run_backtest(
    panel: Panel,
    settings: ModelSettings,
    k: int,
    *,
    season: int = 1,
    ensemble: Ensemble | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    executor: Executor = None,
    level: float = ChoiceSettings.interval,
) -> BacktestResult:
    """Score the LSTM ensemble and every baseline over the last ``k`` cut-offs (the members of
    the ensemble train in this process or on ``executor``); ``level`` is the nominal level of the
    bands whose coverage and width are reported.

    Raises:
        ForecastError: the data is too short for ``k`` cut-offs with this lookback and horizon.
        TrainingCancelled: cancel was set during training.
    """
    run = BacktestOptions(season, ensemble, progress, cancel, executor, level)
    settings = resolve_defaults(settings, season, len(panel.periods))
    origins = _checked_origins(len(panel.periods), settings, k)
    first, h = origins[0], settings.horizon
    # A new ensemble's longer lookbacks fit every node its chosen one does; a loaded one's may not.
    longest = max(ensemble.member_lookbacks) if ensemble is not None else settings.lookback
    rows, skipped = _rows_with_input(panel, settings, first, longest)
    ens, note = _scored_ensemble(panel, settings, first, run)
    known = set(ens.nodes)
    rows = np.asarray([r for r in rows if panel.nodes[r] in known], dtype=np.int64)
    if len(rows) == 0:
        raise ForecastError("None of the nodes in the data are known to the loaded model.")
    actual = np.stack([panel.target[rows, o + 1 : o + 1 + h] for o in origins], axis=1)  # n,k,h
    member_preds = np.stack(
        [predict_members(ens, panel, o, rows=rows) for o in origins], axis=2
    )  # members, n, k, h
    preds = {"lstm": np.median(member_preds, axis=0)}
    preds.update(baseline_predictions(panel, rows, origins, h, season))
    partner = with_combo(preds, actual, origins)
    scales = conformal.node_scales(panel.target[rows], panel.start[rows], first + 1)
    errors = {name: actual - p for name, p in preds.items()}
    nodes = [panel.nodes[r] for r in rows]
    table = score_table(Scored(panel, rows, first, actual, preds, errors, scales, run.level))
    labels = [panel.periods[o] for o in origins]
    summary = summarise_backtest(table)
    in_sample = ("lstm", COMBO) if note else ()
    judged = verdict(summary[~summary["model"].isin(in_sample)])
    return BacktestResult(
        table=table,
        summary=summary,
        members_spread=members_spread(nodes, member_preds, actual, ens.member_lookbacks),
        residuals=residuals(nodes, labels, actual - preds["lstm"]),
        verdict=f"{note} {judged}".strip(),
        origins=tuple(labels),
        nodes=tuple(nodes),
        skipped=skipped,
        ensemble=ens,
        errors=errors,
        scales=scales,
        combo_partner=dict(zip(nodes, partner, strict=False)),
        in_sample=in_sample,
    )


@dataclass(frozen=True)
class BacktestStage:
    """A forecast run's backtest: the result (None when none ran), its tables, the LSTM's
    residuals (None without a backtest), the verdict, the nodes too short for it (with the reason)
    and the seconds it trained."""

    result: BacktestResult | None
    table: pd.DataFrame
    summary: pd.DataFrame
    spread: pd.DataFrame
    residuals: pd.DataFrame | None
    verdict: str
    skipped: pd.DataFrame
    seconds: float


def backtest_stage(
    panel: Panel, settings: ModelSettings, k: int, opts: BacktestOptions
) -> BacktestStage:
    """Run the backtest over ``k`` cut-offs, or none when ``k`` is 0 (see :func:`run_backtest`)."""
    if k <= 0:
        return BacktestStage(
            result=None,
            table=pd.DataFrame(columns=BACKTEST_COLUMNS),
            summary=pd.DataFrame(columns=SUMMARY_COLUMNS),
            spread=pd.DataFrame(columns=SPREAD_COLUMNS),
            residuals=None,
            verdict="No backtest was run, so the LSTM was not compared with the baselines.",
            skipped=pd.DataFrame(columns=["node", "periods", "needed", "reason"]),
            seconds=0.0,
        )
    bt = run_backtest(
        panel,
        settings,
        k,
        season=opts.season,
        ensemble=opts.ensemble,
        progress=opts.progress,
        cancel=opts.cancel,
        executor=opts.executor,
        level=opts.level,
    )
    trained = opts.ensemble is None and bt.ensemble is not None
    return BacktestStage(
        result=bt,
        table=bt.table,
        summary=bt.summary,
        spread=bt.members_spread,
        residuals=bt.residuals,
        verdict=bt.verdict,
        skipped=bt.skipped.assign(reason="too short for the backtest (forecast only)"),
        seconds=bt.ensemble.train_seconds if trained and bt.ensemble is not None else 0.0,
    )
