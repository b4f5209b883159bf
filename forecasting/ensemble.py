"""Ensembles of LSTM networks: N members with seeds ``seed .. seed + N - 1``.

Global mode trains one network per member on the windows of every node handed in (per-node
scaling puts nodes of very different sizes on one footing); single-node mode is the same with a
series frame of one node. Members take turns at the lookbacks of ``autoconfig.member_lookbacks``
(member ``m`` at the ``m``-th in turn), each trained on the windows of its own lookback.
Predictions are member paths in currency; the forecast is their median and the band their
quantiles (see ``hierarchy.summarise``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecasting import calendar, hierarchy
from forecasting.autoconfig import member_lookbacks, resolve_defaults
from forecasting.baselines import season_from_periods
from forecasting.errors import ForecastError
from forecasting.executor import Executor, MemberFit, train_members
from forecasting.scaling import Scaler
from forecasting.scaling_fit import fit_scaler, subset_scaler
from forecasting.settings import ModelSettings
from forecasting.training import ProgressFn, predict, split_by_time
from forecasting.windows import Panel, Windows, origin_windows, training_windows


@dataclass(frozen=True)
class Ensemble:
    """Trained members plus everything needed to use them again.

    ``nodes`` is the scaler's node order; ``periods`` the calendar the ensemble was trained on and
    ``trained_upto`` how many of its periods the training saw; ``season`` the season length of
    those labels (12, 4 or 1), which places the calendar inputs and the ``es`` seasonal profile;
    ``lookbacks`` the lookback of each member (empty: every member at ``settings.lookback``, as in
    a bundle saved before members took turns at lookbacks).
    """

    settings: ModelSettings
    scaler: Scaler
    nodes: tuple[str, ...]
    periods: tuple[str, ...]
    trained_upto: int
    models: tuple[Any, ...] = field(repr=False)
    histories: tuple[dict[str, list[float]], ...] = field(default=(), repr=False)
    train_seconds: float = 0.0
    season: int = 1
    lookbacks: tuple[int, ...] = ()

    @property
    def members(self) -> int:
        """Number of member networks."""
        return len(self.models)

    @property
    def member_lookbacks(self) -> tuple[int, ...]:
        """The lookback of every member, in member order."""
        return self.lookbacks or (self.settings.lookback,) * len(self.models)


def fit_ensemble(
    panel: Panel,
    settings: ModelSettings,
    *,
    upto: int | None = None,
    stage: str = "final",
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
    executor: Executor = None,
) -> Ensemble:
    """Fit the scaler on periods ``< upto`` and train ``settings.members`` networks on the windows
    that end before ``upto`` (default: all periods), in this process or on ``executor``.
    Automatic (0) settings take the defaults of ``autoconfig.resolve_defaults`` for the panel's
    calendar (no search; see ``tuning``).

    Raises:
        ForecastError: no complete window; TrainingCancelled: cancel was set.
    """
    end = len(panel.periods) if upto is None else int(upto)
    season = season_from_periods(panel.periods)
    settings = resolve_defaults(settings, season, len(panel.periods))
    positions = _positions(panel, season, settings.horizon)
    scaler = fit_scaler(
        panel.target,
        panel.covariate,
        fit_end=end,
        kind=settings.scaler,
        difference=settings.difference,
        positions=positions[: len(panel.periods)],
        season=season,
        log=settings.log_positive,
    )
    zt, zc = scaler.transform(panel.target, panel.covariate, positions[: len(panel.periods)])
    starts = scaler.start(panel.start)
    lookbacks = member_lookbacks(
        settings.lookback,
        settings.lookbacks,
        end - panel.start,
        settings.horizon,
        difference=settings.difference,
    )
    each = tuple(lookbacks[m % len(lookbacks)] for m in range(settings.members))
    t0 = time.perf_counter()
    trained: dict[int, tuple[Any, dict[str, list[float]]]] = {}
    for lookback in dict.fromkeys(each):
        mine = [m for m in range(settings.members) if each[m] == lookback]
        w = training_windows(zt, zc, starts, lookback, settings.horizon, upto=end)
        train, val = _ready(w, lookback, settings, scaler, positions, season)
        # Seeds follow the member; progress counts the networks in the order they train.
        fits = [
            MemberFit(settings.seed + m, stage, len(trained) + i + 1, settings.members)
            for i, m in enumerate(mine)
        ]
        done = train_members(
            train, val, settings, fits, executor=executor, progress=progress, cancel=cancel
        )
        trained.update(zip(mine, done, strict=True))
    models = [trained[m][0] for m in range(settings.members)]
    histories = [trained[m][1] for m in range(settings.members)]
    return Ensemble(
        settings=settings,
        scaler=scaler,
        nodes=panel.nodes,
        periods=panel.periods,
        trained_upto=end,
        models=tuple(models),
        histories=tuple(histories),
        train_seconds=time.perf_counter() - t0,
        season=season,
        lookbacks=each,
    )


def _ready(
    w: Windows,
    lookback: int,
    settings: ModelSettings,
    scaler: Scaler,
    positions: np.ndarray,
    season: int,
) -> tuple[Windows, Windows]:
    """Training windows at ``lookback`` shifted by the scaler, with the calendar inputs when they
    apply, split in time into training and validation parts.

    Raises:
        ForecastError: no node has a complete window.
    """
    if len(w) == 0:
        raise ForecastError(
            f"No node has the {lookback + settings.horizon} periods needed for a lookback "
            f"of {lookback} and a horizon of {settings.horizon}"
            f"{' (plus one for differencing)' if settings.difference else ''}."
        )
    w, _ = _network_inputs(w, scaler, settings, positions, season)
    return split_by_time(w, settings.val_fraction)


def _network_inputs(
    w: Windows, scaler: Scaler, settings: ModelSettings, positions: np.ndarray, season: int
) -> tuple[Windows, np.ndarray]:
    """Windows as the networks see them: shifted by the scaler (offsets returned for the
    inverse), with the calendar inputs when they apply."""
    w, offset = scaler.relative(w)
    if calendar.uses_calendar(settings.calendar, season):
        w = calendar.with_calendar(w, positions, season)
    return w, offset


def _positions(panel: Panel, season: int, horizon: int) -> np.ndarray:
    """Season positions of the panel's periods and of ``horizon`` periods after them."""
    return calendar.extend_positions(
        calendar.season_positions(panel.periods, season), horizon, season
    )


def align(ensemble: Ensemble, panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """Panel rows and scaler rows of the nodes both know (in panel order)."""
    pos = {n: i for i, n in enumerate(ensemble.nodes)}
    panel_rows = [i for i, n in enumerate(panel.nodes) if n in pos]
    scaler_rows = [pos[panel.nodes[i]] for i in panel_rows]
    return np.asarray(panel_rows, dtype=np.int64), np.asarray(scaler_rows, dtype=np.int64)


def predict_members(
    ensemble: Ensemble,
    panel: Panel,
    origin: int,
    *,
    rows: np.ndarray | None = None,
    future_covariate: np.ndarray | None = None,
) -> np.ndarray:
    """Member predictions in currency, shape (members, len(rows), horizon), from ``origin``.

    Args:
        ensemble: trained members.
        panel: the data (raw, in currency).
        origin: index of the last observed period.
        rows: panel rows to predict (default: every node the ensemble knows, in panel order); each
            must have ``lookback`` periods (plus one when differencing) up to the origin.
        future_covariate: (len(rows), horizon) planned spend after the origin; default: the data's.
    """
    panel_rows, scaler_rows = align(ensemble, panel)
    if rows is not None:
        keep = np.isin(panel_rows, rows)
        panel_rows, scaler_rows = panel_rows[keep], scaler_rows[keep]
    s = ensemble.settings
    if len(panel_rows) == 0:
        return np.empty((ensemble.members, 0, s.horizon))
    scaler: Scaler = subset_scaler(ensemble.scaler, scaler_rows)
    raw_t = panel.target[panel_rows]
    positions = _positions(panel, ensemble.season, s.horizon)
    total = len(panel.periods)
    zt, zc = scaler.transform(raw_t, panel.covariate[panel_rows], positions[:total])
    fut = None if future_covariate is None else scaler.transform_future(future_covariate)
    last = raw_t[:, origin]
    node = np.arange(len(panel_rows))
    ahead = np.broadcast_to(positions[origin + 1 : origin + 1 + s.horizon], (len(node), s.horizon))
    out = np.empty((ensemble.members, len(node), s.horizon))
    each = np.asarray(ensemble.member_lookbacks)
    for lookback in dict.fromkeys(ensemble.member_lookbacks):
        w = origin_windows(zt, zc, lookback, s.horizon, origin=origin, future_covariate=fut)
        if not np.isfinite(w.past).all():
            raise ForecastError("Some nodes lack the lookback history at the forecast origin.")
        w, offset = _network_inputs(w, scaler, s, positions, ensemble.season)
        for m in np.flatnonzero(each == lookback):
            z = predict(ensemble.models[m], w)
            out[m] = scaler.inverse(z, node, offset, last, positions=ahead)
    return out


def member_paths(values: np.ndarray, nodes: Sequence[str], periods: Sequence[str]) -> pd.DataFrame:
    """(members, nodes, horizon) array to ``DataFrame[node, period, step, member, value]``."""
    n_mem, n_nodes, horizon = values.shape
    if len(periods) != horizon or len(nodes) != n_nodes:
        raise ForecastError("Member predictions do not match the nodes or forecast periods.")
    node_col = np.tile(np.repeat(np.asarray(nodes, dtype=object), horizon), n_mem)
    return pd.DataFrame(
        {
            "node": node_col,
            "period": np.tile(np.asarray(periods, dtype=object), n_mem * n_nodes),
            "step": np.tile(np.arange(1, horizon + 1), n_mem * n_nodes),
            "member": np.repeat(np.arange(1, n_mem + 1), n_nodes * horizon),
            "value": values.reshape(-1),
        }
    )


def summary(paths: pd.DataFrame, quantiles: tuple[float, float]) -> pd.DataFrame:
    """Forecast frame (median, lower, upper) of member paths."""
    return hierarchy.summarise(paths, quantiles)
