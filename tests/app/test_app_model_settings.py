"""Issue 9: the Forecast page offers every model setting ``cost-drift forecast`` has.

The advanced controls open on ``ModelSettings()``, reach the settings the run is given (and the
saved model), are saved with the session, and a value the core refuses gives its message, not a
traceback. A field the command line gains without an app control fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Literal, get_args, get_origin, get_type_hints

import pytest
from apphelp import no_exception, wait_for_training
from streamlit.testing.v1 import AppTest

from cli.forecast import request_from_args
from cli.forecast_args import INTERNAL_FIELDS, SETTING_FLAGS, user_fields
from cli.main import build_parser
from forecasting.settings import LOSSES, SCALERS, ModelSettings
from ui import forecast_advanced
from ui.forecast_settings import SLIDER_FIELDS, SLIDERS, app_fields, control_label
from ui.store import SessionStore

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample_portfolio.csv"
# Settings as an analyst would pick them, none of them the default, and the same as flags.
PICKED = {
    "fc_scaler": "standard",
    "fc_loss": "huber",
    "fc_tune_seconds": 0.0,
    "fc_val_fraction": 0.3,
    "fc_patience": 2,
    "fc_batch_size": 16,
    "fc_spread_lower": 0.2,
    "fc_spread_upper": 0.7,
}
EXPECTED = {
    "scaler": "standard",
    "loss": "huber",
    "calendar": False,
    "difference": True,
    "tune_seconds": 0.0,
    "val_fraction": 0.3,
    "patience": 2,
    "batch_size": 16,
    "quantiles": (0.2, 0.7),
}

FLAGS = ["--scaler", "standard", "--loss", "huber", "--no-calendar", "--difference"]
FLAGS += ["--tune-seconds", "0", "--val-fraction", "0.3", "--patience", "2", "--batch-size", "16"]
FLAGS += ["--spread-quantiles", "0.2", "0.7"]


def _forecast_page(make_app: Callable[..., AppTest], sid: str | None = None) -> AppTest:
    at = make_app(sid).run()
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)
    return at


def _pick(at: AppTest) -> AppTest:
    for key, value in PICKED.items():
        widget = at.selectbox(key=key) if key in ("fc_scaler", "fc_loss") else None
        (widget or at.number_input(key=key)).set_value(value)
    at.checkbox(key="fc_calendar").uncheck()
    at.checkbox(key="fc_difference").check()
    return at.run()


def _settings(at: AppTest) -> ModelSettings:
    return at.session_state["fc_request"].forecast.settings


def test_every_setting_the_command_line_has_has_an_app_control() -> None:
    flagged = {spec.field for spec in SETTING_FLAGS} | {"quantiles"}  # --spread-quantiles
    assert flagged == set(user_fields())
    assert app_fields() == flagged, "a model setting of the CLI has no control on the page"
    # The only fields without a control are the columns the workflow feeds (not a choice).
    every = {f.name for f in fields(ModelSettings)}
    assert every - app_fields() == set(INTERNAL_FIELDS) == {"target", "covariate"}
    for name in app_fields():
        label = control_label(name)
        assert label and "_" not in label, name  # the analyst's words, not the field's name
    assert set(SLIDER_FIELDS) <= set(SLIDERS)
    assert set(SLIDER_FIELDS.values()).isdisjoint(forecast_advanced.FIELDS)


def test_a_choice_offers_exactly_what_the_core_accepts() -> None:
    hints = get_type_hints(ModelSettings)
    literal = {name for name, hint in hints.items() if get_origin(hint) is Literal}
    drawn = {c.field for c in forecast_advanced.CONTROLS if forecast_advanced.options(c.field)}
    assert literal == drawn == {"scaler", "loss"}
    for name in literal:
        assert forecast_advanced.options(name) == get_args(hints[name])
    assert forecast_advanced.options("scaler") == SCALERS
    assert forecast_advanced.options("loss") == LOSSES
    assert forecast_advanced.options("patience") is None
    for control in forecast_advanced.CONTROLS:
        assert "Default: " in forecast_advanced.help_text(control)
    assert forecast_advanced.help_text(forecast_advanced.CONTROLS[0]).endswith("Default: es.")


def test_the_advanced_controls_open_on_the_model_defaults(
    make_app: Callable[..., AppTest],
) -> None:
    at = _forecast_page(make_app)
    d = ModelSettings()
    used = _settings(at)
    # Nothing touched: the core's defaults, the automatic horizon fixed on the file's calendar.
    assert used == replace(d, horizon=used.horizon)
    assert at.selectbox(key="fc_scaler").value == d.scaler
    assert len(at.selectbox(key="fc_scaler").options) == len(SCALERS)
    assert at.selectbox(key="fc_loss").value == d.loss
    assert at.checkbox(key="fc_calendar").value is d.calendar
    assert at.checkbox(key="fc_difference").value is d.difference
    assert at.number_input(key="fc_tune_seconds").value == d.tune_seconds
    assert at.number_input(key="fc_val_fraction").value == d.val_fraction
    assert at.number_input(key="fc_patience").value == d.patience
    assert at.number_input(key="fc_batch_size").value == d.batch_size
    spread = (at.number_input(key="fc_spread_lower").value, at.number_input(key="fc_spread_upper"))
    assert (spread[0], spread[1].value) == d.quantiles
    assert any(e.label == "Advanced model settings" for e in at.expander)


def test_the_controls_reach_the_settings_and_are_saved_with_the_session(
    make_app: Callable[..., AppTest], cost_drift_home: Path
) -> None:
    sid = "advancedsettings000001"
    at = _pick(_forecast_page(make_app, sid))
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    used = _settings(at)
    assert {name: getattr(used, name) for name in EXPECTED} == EXPECTED
    assert not at.button(key="fc_train").disabled
    saved = SessionStore(sid, cost_drift_home).load_settings()["forecast"]
    assert {key: saved[key] for key in PICKED} == PICKED
    # A reload of the same session opens the page on the same settings.
    again = _forecast_page(make_app, sid)
    assert {name: getattr(_settings(again), name) for name in EXPECTED} == EXPECTED


def test_the_page_and_the_flags_give_the_same_settings(make_app: Callable[..., AppTest]) -> None:
    at = _pick(_forecast_page(make_app))
    args = build_parser().parse_args(["forecast", str(SAMPLE), *FLAGS])
    assert _settings(at) == request_from_args(args).settings


def test_a_refused_value_gives_the_cores_message_and_disables_train(
    make_app: Callable[..., AppTest],
) -> None:
    at = _forecast_page(make_app)
    at.number_input(key="fc_val_fraction").set_value(0.7).run()
    no_exception(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "'val_fraction'" in errors[0] and "0.5" in errors[0]
    assert '"Share of windows kept for early stopping"' in errors[0]
    assert at.button(key="fc_train").disabled
    at.number_input(key="fc_val_fraction").set_value(0.25)
    at.number_input(key="fc_spread_lower").set_value(0.95).run()  # above the upper quantile
    no_exception(at)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "lower first" in errors[0], errors
    assert "Run-to-run spread of the networks" in errors[0]
    assert at.button(key="fc_train").disabled
    at.number_input(key="fc_spread_lower").set_value(0.05).run()
    assert not at.error and not at.button(key="fc_train").disabled
    assert _settings(at).quantiles == (0.05, 0.9)


def test_stale_saved_settings_fall_back_to_the_defaults(
    make_app: Callable[..., AppTest], cost_drift_home: Path
) -> None:
    sid = "advancedsettings000002"
    stale = {"fc_scaler": "gone", "fc_loss": "huber", "fc_val_fraction": "abc", "fc_patience": 3}
    stale |= {"fc_calendar": "yes", "fc_tune_seconds": 10}
    SessionStore(sid, cost_drift_home).save_settings({"source": None, "forecast": stale})
    at = _forecast_page(make_app, sid)
    assert not at.error, [e.value for e in at.error]
    used = _settings(at)
    d = ModelSettings()
    assert (used.scaler, used.loss, used.val_fraction, used.patience) == (d.scaler, "huber", 0.2, 3)
    assert used.calendar is d.calendar
    # A whole number saved for a number box that takes decimals is kept, as a decimal.
    assert used.tune_seconds == 10.0
    assert isinstance(at.session_state["fc_tune_seconds"], float)


@pytest.mark.slow
def test_a_short_run_trains_and_saves_with_the_chosen_settings(
    make_app: Callable[..., AppTest],
) -> None:
    from forecasting.bundle import bundle_from_zip

    at = _forecast_page(make_app)
    at.selectbox(key="fc_level").set_value(2)  # the 5 programs of the sample
    tiny = {"fc_units": 4, "fc_lookback": 6, "fc_horizon": 3, "fc_epochs": 2, "fc_members": 1}
    for key, value in {**tiny, "fc_lr": 0.003, "fc_backtest": 0}.items():
        at.slider(key=key).set_value(value)
    at.selectbox(key="fc_model").set_value("lstm")
    at = _pick(at)
    at.button(key="fc_train").click().run()
    at = wait_for_training(at)
    no_exception(at)
    job = at.session_state["fc_job"]
    assert job.state == "done", job.message()
    trained = job.result.ensemble.settings
    assert {name: getattr(trained, name) for name in EXPECTED} == EXPECTED
    result = at.session_state["fc_result"]
    assert result.bundle is not None and bundle_from_zip(result.bundle).settings == trained
    captions = " ".join(c.value for c in at.caption)
    assert "scaler standard, loss huber, calendar inputs off, differencing on" in captions
    assert "0.3 of the windows kept for early stopping, search budget 0 s" in captions
    assert "patience 2" in captions and "spread quantiles 0.2-0.7" in captions
