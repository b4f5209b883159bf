"""Forecast page glue: the request from the controls, the training panel, the verdict area.

The controls are drawn by ``ui.forecast_scope`` (what to forecast) and ``ui.forecast_settings``
(the model sliders and the model shown); saved models by ``ui.forecast_bundles``.

The work itself is ``forecasting.pipeline.run_forecast``, run in a worker thread by
``ui.training``; a fragment polls the worker twice a second while it runs. Finished runs are
kept in ``st.session_state`` (this browser session only) and their model bundle is saved in the
session's store, so a reload offers them again.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from forecasting.errors import ForecastError
from forecasting.executor import RayExecutor
from forecasting.pipeline import ForecastRun
from forecasting.training import ProgressEvent
from portfolio.alerts import AlertRule
from portfolio.rollup import ROOT
from ui import executor_ui, forecast_fresh, forecast_scope, forecast_settings, training
from ui.view import View
from workflows import forecast_report
from workflows.forecast_request import (
    ForecastChoices,
    ForecastRequest,
    build_request,
    outlook_under,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Request:
    """The page's request: the shared forecast request, its cache key and whether it is valid.

    ``valid`` is False when the model settings were refused (the message is shown and Train is
    disabled); ``forecast`` then carries the default settings. ``data_key`` is the view's key (the
    file, mapping and options the request was made from).
    """

    forecast: ForecastRequest
    key: Hashable
    valid: bool = True
    executor: RayExecutor | None = None
    data_key: Hashable = None

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
    data_key: Hashable = None


def controls(view: View) -> Request:
    """Draw the scope and model controls; return the request they describe."""
    assert view.portfolio is not None and view.rolled is not None and view.rule is not None
    assert view.key is not None
    forecast_settings.clamp_restored()
    level, node = forecast_scope.scope(view)
    reconcile = forecast_scope.reconciliation(node)
    settings, valid = forecast_settings.model_settings()
    pick = forecast_settings.model_choice()
    choices = ForecastChoices(
        level=None if node is not None else level,
        node=node,
        backtest_k=int(st.session_state["fc_backtest"]),
        reconcile=reconcile,
        choice=pick,
    )
    forecast = build_request(view.portfolio, view.rolled, choices, settings, view.rule)
    request_key = (  # in the order of forecast_fresh.KEY_PARTS
        view.key,
        forecast.label,
        json.dumps(settings.to_dict() if valid else None, sort_keys=True, default=str),
        choices.backtest_k,
        choices.reconcile,
        pick.model,
        pick.interval,
    )
    request = Request(
        forecast=forecast,
        key=request_key,
        valid=valid,
        executor=executor_ui.where_to_train(),
        data_key=view.key,
    )
    st.session_state["fc_request"] = request  # the page's current request (read by the tests)
    return request


def current_result(view: View) -> Result | None:
    """The latest finished run of this session, when it was made from this view's data."""
    result = forecast_fresh.result_for(view)
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
    # a run of a saved or uploaded model trained nothing new: saving it again would list the same
    # model once more under "Your saved models" at every use
    if bundle is not None and run.train_seconds > 0:
        try:
            name = view.store.save_model(f"{request.label}-{job.id}", bundle)
            log.info("saved model %s", name)
        except OSError as err:
            log.warning("could not save the model: %s", err)
    st.session_state["fc_result"] = Result(
        run=run,
        label=request.label,
        history=request.history,
        key=request.key,
        bundle=bundle,
        data_key=request.data_key,
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
    """State the backtest verdict plainly, a sentence a line: green if the LSTM wins, amber if it
    loses to the best baseline, blue otherwise."""
    lowered = text.lower()
    lines = forecast_report.shown_verdict(text)
    # One sentence left (the automatic settings dropped) reads as a line, not a one-item list.
    body = "\n".join(f"- {line}" for line in lines) if len(lines) > 1 else (" ".join(lines) or text)
    if "not beat" in lowered or "no backtest" in lowered:
        st.warning(body)
    elif lowered.startswith("best model over the backtest: lstm"):
        st.success(body)
    else:
        st.info(body)


def automatic_choice(run: ForecastRun) -> None:
    """What the networks were trained with and how the automatic settings were chosen: a line
    each, and the search's candidates (one row per candidate, the chosen one marked)."""
    if run.ensemble is not None:
        ens = run.ensemble
        text = forecast_report.settings_text(ens.settings, ens.member_lookbacks)
        st.caption(f"Trained with {text}.")
    st.caption(forecast_report.tuning_text(run))
    table = forecast_report.tuning_table(run)
    if table.empty:
        return
    with st.expander(f"The automatic settings' search: {len(table)} candidate(s)"):
        st.dataframe(
            table,
            hide_index=True,
            key="fc_tuning",
            column_config={
                "lookback": st.column_config.NumberColumn("Lookback"),
                "units": st.column_config.NumberColumn("Units"),
                "learning_rate": st.column_config.NumberColumn("Learning rate", format="%.4f"),
                "score": st.column_config.NumberColumn(
                    "Validation error (MASE-like)", format="%.3f"
                ),
                "seconds": st.column_config.NumberColumn("Seconds", format="%.1f"),
                "status": st.column_config.TextColumn("Status"),
            },
        )
        st.caption(
            "Each candidate trained one network on the history before the backtest and was "
            "scored on the last periods of that part, which it never saw; the lowest error won."
        )


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
