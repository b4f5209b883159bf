"""Forecast page glue: the model controls, the training panel (progress, cancel) and model bundles.

The work itself is ``forecasting.pipeline.run_forecast``, run in a worker thread by
``ui.training``; a fragment polls the worker twice a second while it runs. Finished runs are
kept in ``st.session_state`` (this browser session only) and their model bundle is saved in the
session's store, so a reload offers them again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd
import streamlit as st

from forecasting.choice import MODEL_CHOICES, ChoiceSettings
from forecasting.errors import ForecastError
from forecasting.executor import RayExecutor
from forecasting.pipeline import ForecastRun
from forecasting.settings import ModelSettings
from forecasting.training import ProgressEvent
from portfolio.alerts import AlertRule
from portfolio.rollup import ROOT
from ui import executor_ui, tables, training, widget_state
from ui.view import View
from workflows.forecast_request import (
    ForecastChoices,
    ForecastRequest,
    build_request,
    default_level,
    outlook_under,
)

log = logging.getLogger(__name__)

SCOPE_LEVEL = "A whole level (one global model)"
SCOPE_NODE = "One node"

# key: (label, min, max, step, default, format)
_D = ModelSettings()  # slider defaults come from the core's defaults, never typed twice
_C = ChoiceSettings()
SLIDERS: dict[str, tuple[str, float, float, float, float, str | None]] = {
    "fc_layers": ("LSTM layers", 1, 3, 1, _D.layers, None),
    "fc_units": ("Units per layer (0 = automatic)", 0, 128, 4, _D.units, None),
    "fc_dropout": ("Dropout", 0.0, 0.5, 0.05, _D.dropout, "%.2f"),
    "fc_lookback": ("Lookback, periods (0 = automatic)", 0, 36, 1, _D.lookback, None),
    "fc_horizon": ("Horizon, periods (0 = automatic)", 0, 12, 1, _D.horizon, None),
    "fc_epochs": ("Epochs", 1, 200, 1, _D.epochs, None),
    "fc_members": ("Networks in the ensemble", 1, 10, 1, _D.members, None),
    "fc_lr": ("Learning rate (0 = automatic)", 0.0, 0.02, 0.0005, _D.learning_rate, "%.4f"),
    "fc_seed": ("Seed", 0, 9999, 1, _D.seed, None),
    "fc_backtest": ("Backtest cut-offs", 0, 12, 1, ForecastChoices().backtest_k, None),
    "fc_interval": ("Prediction interval (%)", 50, 95, 5, round(_C.interval * 100), None),
}
MODEL_LABELS = {
    "best": "Best per node (backtest winner)",
    "lstm": "LSTM ensemble",
    "combo": "LSTM + statistical combination",
    "auto_arima": "AutoARIMA",
    "auto_ets": "AutoETS",
    "rate_naive": "Rate naive (variance % to date x plan)",
}
_FLOAT_KEYS = {"fc_dropout", "fc_lr"}


@dataclass(frozen=True, eq=False)
class Request:
    """The page's request: the shared forecast request, its cache key and whether it is valid.

    ``valid`` is False when the model settings were refused (the message is shown and Train is
    disabled); ``forecast`` then carries the default settings.
    """

    forecast: ForecastRequest
    key: Hashable
    valid: bool = True
    executor: RayExecutor | None = None

    @property
    def label(self) -> str:
        """What is forecast, in words (a level or a node)."""
        return self.forecast.label

    @property
    def history(self) -> pd.DataFrame:
        """Per-period variance and plan of the modelled nodes and their ancestors."""
        return self.forecast.history

    def train_fn(self, ensemble: Any = None) -> training.TrainFn:
        """The work for the worker thread (with a loaded ensemble: forecast without training)."""
        request, executor = self.forecast, self.executor

        def work(progress: Callable[[ProgressEvent], None], cancel: threading.Event) -> Any:
            return request.run(
                progress=progress, cancel=cancel, ensemble=ensemble, executor=executor
            )

        return work


@dataclass(frozen=True, eq=False)
class Result:
    """A finished run and what the page needs to draw it."""

    run: ForecastRun
    label: str
    history: pd.DataFrame
    key: Hashable
    bundle: bytes | None = field(default=None, repr=False)


def _clamp_restored() -> None:
    """Bring restored or stale slider values back into their ranges (no crash on odd input)."""
    # Only a missing, mistyped or out-of-range value is written back: rewriting a valid value on
    # every run would send an older value to the browser while the analyst is still moving it.
    for key, (_, lo, hi, _, default, _) in SLIDERS.items():
        current = st.session_state.get(key)
        value = current
        if isinstance(value, bool) or not isinstance(value, int | float):
            value = default
        value = min(max(value, lo), hi)
        value = float(value) if key in _FLOAT_KEYS else int(value)
        if current is None or type(current) is not type(value) or current != value:
            st.session_state[key] = value


def controls(view: View) -> Request:
    """Draw the scope and model controls; return the request they describe."""
    assert view.portfolio is not None and view.rolled is not None and view.rule is not None
    assert view.key is not None
    levels = view.portfolio.levels
    names = tables.level_names(levels)
    rolled = view.rolled
    _clamp_restored()

    st.subheader("What to forecast")
    if st.session_state.get("fc_scope") not in (SCOPE_LEVEL, SCOPE_NODE):
        st.session_state["fc_scope"] = SCOPE_LEVEL
    scope = st.radio(
        "Train on",
        [SCOPE_LEVEL, SCOPE_NODE],
        index=widget_state.index_of("fc_scope", [SCOPE_LEVEL, SCOPE_NODE]),
        key="fc_scope",
        horizontal=True,
        persist_state="session",
    )
    level_options = list(range(1, len(levels) + 1))
    if st.session_state.get("fc_level") not in level_options:
        st.session_state["fc_level"] = default_level(rolled)
    counts = rolled.groupby("level")["node"].nunique()
    node = None
    if scope == SCOPE_NODE:
        nodes = sorted(rolled.loc[rolled["level"] >= 1, "node"].unique().tolist())
        if st.session_state.get("fc_node") not in nodes:
            st.session_state["fc_node"] = nodes[0]
        node = str(
            st.selectbox(
                "Node",
                nodes,
                index=widget_state.index_of("fc_node", nodes),
                key="fc_node",
                persist_state="session",
            )
        )
        level = int(rolled.loc[rolled["node"] == node, "level"].iloc[0])
    else:
        level = int(
            st.selectbox(
                "Level",
                level_options,
                index=widget_state.index_of("fc_level", level_options),
                key="fc_level",
                format_func=lambda i: f"{names[i]} ({int(counts.get(i, 0))} nodes)",
                persist_state="session",
            )
        )

    st.subheader("Model")
    cols = st.columns(5)
    for i, (key, (text, lo, hi, step, _, fmt)) in enumerate(SLIDERS.items()):
        with cols[i % 5]:
            cast = float if key in _FLOAT_KEYS else int
            st.slider(
                text,
                cast(lo),
                cast(hi),
                # The current value is also the default (see ui/widget_state.py).
                value=cast(st.session_state[key]),
                step=cast(step),
                format=fmt,
                key=key,
                persist_state="session",
            )
    state = st.session_state
    valid = True
    try:
        settings = ModelSettings(
            layers=int(state["fc_layers"]),
            units=int(state["fc_units"]),
            dropout=float(state["fc_dropout"]),
            lookback=int(state["fc_lookback"]),
            horizon=int(state["fc_horizon"]),
            epochs=int(state["fc_epochs"]),
            members=int(state["fc_members"]),
            learning_rate=float(state["fc_lr"]),
            seed=int(state["fc_seed"]),
        )
    except ForecastError as err:
        st.error(str(err))
        settings, valid = ModelSettings(), False
    if state.get("fc_model") not in MODEL_CHOICES:
        state["fc_model"] = _C.model
    model = str(
        st.selectbox(
            "Model shown",
            list(MODEL_CHOICES),
            index=widget_state.index_of("fc_model", list(MODEL_CHOICES)),
            key="fc_model",
            format_func=lambda m: MODEL_LABELS.get(m, m.replace("_", " ")),
            help="Best: per node the model with the lowest backtest MASE. The LSTM ensemble is "
            "always trained and drawn beside the model shown.",
            persist_state="session",
        )
    )
    pick = ChoiceSettings(model=model, interval=int(state["fc_interval"]) / 100.0)
    choices = ForecastChoices(
        level=None if node is not None else level,
        node=node,
        backtest_k=int(state["fc_backtest"]),
        choice=pick,
    )
    forecast = build_request(view.portfolio, rolled, choices, settings, view.rule)
    request_key = (
        view.key,
        forecast.label,
        json.dumps(settings.to_dict() if valid else None, sort_keys=True, default=str),
        choices.backtest_k,
        pick.model,
        pick.interval,
    )
    request = Request(
        forecast=forecast, key=request_key, valid=valid, executor=executor_ui.where_to_train()
    )
    st.session_state["fc_request"] = request  # the page's current request (read by the tests)
    return request


def current_result() -> Result | None:
    """The latest finished run of this session."""
    result = st.session_state.get("fc_result")
    return result if isinstance(result, Result) else None


def _harvest(view: View) -> bool:
    """Move a finished job's run into the session (and save its bundle); True when it did."""
    job = st.session_state.get("fc_job")
    if not isinstance(job, training.TrainingJob) or job.active:
        return False
    if st.session_state.get("fc_job_seen") == job.id:
        return False
    st.session_state["fc_job_seen"] = job.id
    if job.state != "done":
        return True
    run = job.result
    request = st.session_state.get("fc_job_request")
    assert isinstance(request, Request)
    bundle = _bundle_bytes(run)
    if bundle is not None:
        try:
            name = view.store.save_model(f"{request.label}-{job.id}", bundle)
            log.info("saved model %s", name)
        except OSError as err:
            log.warning("could not save the model: %s", err)
    st.session_state["fc_result"] = Result(
        run=run, label=request.label, history=request.history, key=request.key, bundle=bundle
    )
    return True


def _bundle_bytes(run: ForecastRun) -> bytes | None:
    from forecasting.bundle import bundle_to_zip

    try:
        return bundle_to_zip(run.ensemble)
    except (ForecastError, OSError) as err:
        log.warning("could not bundle the model: %s", err)
        return None


def start_job(request: Request, ensemble: Any = None, key: Hashable | None = None) -> None:
    """Start training (or forecasting with a loaded ensemble) for this session."""
    job = training.start(key or request.key, request.label, request.train_fn(ensemble))
    st.session_state["fc_job"] = job
    st.session_state["fc_job_request"] = request


def job_panel(view: View, request: Request) -> training.TrainingJob | None:
    """The Train button and, while a job runs, a live progress bar with Cancel."""
    _harvest(view)
    job = st.session_state.get("fc_job")
    busy = isinstance(job, training.TrainingJob) and job.active
    if st.button(
        "Train",
        key="fc_train",
        type="primary",
        disabled=busy or not request.valid,
        help="Backtest and train the ensemble with these settings (the same data and settings "
        "come back from the cache at once).",
    ):
        start_job(request)
        busy = True

    def panel() -> None:
        job = st.session_state.get("fc_job")
        if not isinstance(job, training.TrainingJob):
            return
        if job.active:
            st.progress(job.fraction(), text=job.message())
            if st.button("Cancel", key="fc_cancel", disabled=job.cancel.is_set()):
                job.cancel.set()
            return
        if _harvest(view):
            st.rerun()  # the whole page, to draw the new results
        if job.state == "done":
            st.success(f"Forecast ready ({job.message()})")
        elif job.state == "cancelled":
            st.warning(job.message())
        else:
            st.error(job.message())

    st.fragment(panel, run_every=0.5 if busy else None)()
    return st.session_state.get("fc_job")


def warm_up_statistics() -> None:
    """Compile statsforecast's kernels in the background (once per process, off the page)."""
    from forecasting.stat_models import start_warm_up

    start_warm_up()


def verdict(text: str) -> None:
    """State the backtest verdict plainly: green if the LSTM wins, amber if it loses to the best
    baseline, blue otherwise."""
    lowered = text.lower()
    if "not beat" in lowered or "no backtest" in lowered:
        st.warning(text)
    elif lowered.startswith("best model over the backtest: lstm"):
        st.success(text)
    else:
        st.info(text)


def chart_nodes(run: ForecastRun) -> list[str]:
    """The nodes of a run, the whole portfolio first, then in hierarchy order."""
    nodes = sorted(run.forecast["node"].astype(str).unique().tolist())
    if ROOT in nodes:
        nodes.remove(ROOT)
        nodes.insert(0, ROOT)
    return nodes


def outlook(result: Result, rule: AlertRule) -> pd.DataFrame:
    """The drift outlook of a run under the current thresholds (recomputed as sliders move)."""
    return outlook_under(result.run, result.history, rule)


def bundle_panel(view: View, request: Request, result: Result | None) -> None:
    """Download this run's model, reuse a saved one, or upload one made elsewhere."""
    st.subheader("Saved models")
    if result is not None and result.bundle is not None:
        safe = "".join(ch if ch.isalnum() else "-" for ch in result.label).strip("-")
        st.download_button(
            "Download the model (.zip)",
            result.bundle,
            file_name=f"cost-drift-model-{safe}.zip",
            mime="application/zip",
            key="fc_download",
            on_click="ignore",
        )
        st.caption(
            "The zip holds one .keras file per network, the settings and the scaler (no pickle); "
            "the command line reads it with `cost-drift forecast FILE --load MODEL.zip`."
        )
    saved = view.store.list_models()
    ensemble_source: tuple[str, bytes] | None = None
    if saved:
        c1, c2 = st.columns([3, 1])
        choice = c1.selectbox("Your saved models", saved, key="fc_saved_model")
        if c2.button("Use this model", key="fc_use_saved") and choice:
            data = view.store.load_model(str(choice))
            if data is not None:
                ensemble_source = (str(choice), data)
    upload = st.file_uploader(
        "Upload a saved model (.zip)",
        type=["zip"],
        key="fc_bundle_upload",
        help="A model downloaded from this app or saved by the command line.",
    )
    if upload is not None and st.button("Forecast with the uploaded model", key="fc_use_upload"):
        ensemble_source = (upload.name, upload.getvalue())
    if ensemble_source is None:
        return
    from forecasting.bundle import bundle_from_zip

    name, data = ensemble_source
    try:
        ensemble = bundle_from_zip(data)
    except ForecastError as err:
        st.error(f"{name}: {err}")
        return
    digest = hashlib.sha256(data).hexdigest()
    reuse = Request(
        forecast=replace(
            request.forecast.with_settings(ensemble.settings),
            label=f"{request.label} with model {name}",
        ),
        key=(request.key, "bundle", digest),
    )
    start_job(reuse, ensemble=ensemble)
    st.rerun()
