"""The Forecast page trains a tiny model in the background, shows it, and can be cancelled."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from apphelp import no_exception, wait_for_training
from streamlit.testing.v1 import AppTest

from forecasting.tuning import TUNING_COLUMNS
from ui.store import SessionStore
from workflows.forecast_tables import rounded

REPO = Path(__file__).resolve().parents[2]
TINY = {
    "fc_layers": 1,
    "fc_units": 4,
    "fc_lookback": 6,
    "fc_horizon": 3,
    "fc_epochs": 2,
    "fc_members": 1,
    "fc_backtest": 1,
}


def _keyed(at: AppTest, key: str) -> list:
    return [e for e in at.get("plotly_chart") if getattr(e, "key", None) == key]


def _open_forecast(make_app: Callable[..., AppTest], sid: str | None = None, **sliders) -> AppTest:
    at = make_app(sid).run()
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)
    assert [h.value for h in at.header] == ["Forecast"]
    at.selectbox(key="fc_level").set_value(2)  # the 5 programs of the sample
    for key, value in {**TINY, **sliders}.items():
        at.slider(key=key).set_value(value)
    return at.run()


@pytest.mark.slow
def test_training_a_tiny_model_shows_the_fan_chart_backtest_and_outlook(
    make_app: Callable[..., AppTest], cost_drift_home: Path
):
    at = _open_forecast(make_app, sid="forecastsessionid00001", fc_interval=60)
    at.selectbox(key="fc_model").set_value("naive").run()
    assert not at.button(key="fc_train").disabled
    at.button(key="fc_train").click().run()
    no_exception(at)
    # While the worker runs, the page shows a progress bar (or has already finished).
    job = at.session_state["fc_job"]
    assert job.state in ("waiting", "running", "done")
    at = wait_for_training(at)
    no_exception(at)
    assert job.state == "done", job.message()
    assert _keyed(at, "fc_fan"), "no fan chart"
    assert _keyed(at, "fc_outlook"), "no outlook chart"
    summaries = [df.value for df in at.dataframe if "wins" in df.value.columns]
    assert summaries, "no backtest table"
    assert {"lstm", "naive", "seasonal_naive", "mean", "drift", "auto_arima", "auto_ets"} <= set(
        summaries[0]["model"]
    )
    assert {"coverage", "width"} <= set(summaries[0].columns)
    # the run's summary, its money shown at the file's cents
    places = at.session_state["_view"].portfolio.decimals
    assert summaries[0].equals(rounded(job.result.backtest_summary, "backtest_summary", places))
    assert (summaries[0]["rmse"] == summaries[0]["rmse"].round(2)).all()
    verdicts = [m.value for m in (*at.success, *at.info, *at.warning) if "baseline" in m.value]
    assert any("Shown: naive at every node" in v for v in verdicts), verdicts
    # The interval slider and the model box reach the run: a 60 % band of naive at every program,
    # the LSTM drawn beside it with its run-to-run spread.
    run = job.result
    assert run.interval == pytest.approx(0.6)
    programs = run.forecast[run.forecast["model"] != "bottom-up"]
    assert set(programs["model"]) == {"naive"} and len(programs) == 5 * 3
    captions = " ".join(c.value for c in at.caption)
    assert "calibrated 60% prediction interval" in captions and "run-to-run spread" in captions
    # TINY leaves the learning rate automatic: the verdict area shows the search over its grid.
    assert f"learning rate {run.ensemble.settings.learning_rate:g}" in captions
    assert "the lowest validation error" in captions
    searched = [df.value for df in at.dataframe if list(df.value.columns) == TUNING_COLUMNS]
    assert searched and sorted(searched[0]["learning_rate"]) == [0.001, 0.003]
    # The run's nodes: the 5 programs and, bottom-up, the portfolio and the whole above them.
    nodes = at.selectbox(key="fc_show").options
    assert nodes[:2] == ["All", "Enterprise IT"] and len(nodes) == 7
    # The model can be downloaded and was saved with the session for the next visit.
    assert at.get("download_button")
    assert SessionStore("forecastsessionid00001", cost_drift_home).list_models()
    # The same data and settings come back from the run cache without training again.
    at.button(key="fc_train").click().run()
    assert at.session_state["fc_job"].state == "done"
    assert at.session_state["fc_job"].result is job.result

    # The Export page now also offers the forecast's charts and tables, and the model.
    at.switch_page("app_pages/export.py").run()
    no_exception(at)
    keys = " ".join(b.proto.id for b in at.get("download_button"))
    wanted = ("ex_forecast-fan-chart_png", "ex_drift-outlook_html", "ex_backtest_xlsx", "ex_model")
    for key in wanted:
        assert key in keys, key

    # Another "Model shown" or interval is shown at once from the trained run, without training.
    at.switch_page("app_pages/forecast.py").run()
    current = at.session_state["fc_job"]
    at.selectbox(key="fc_model").set_value("auto_arima").run()
    no_exception(at)
    assert at.session_state["fc_job"] is current  # nothing trained
    shown = at.session_state["fc_result"].run
    programs = shown.forecast[shown.forecast["model"] != "bottom-up"]
    assert set(programs["model"]) == {"auto_arima"} and shown.ensemble is run.ensemble
    assert not [w for w in at.warning if "Changed since this forecast" in w.value]
    assert any("Shown: auto_arima" in m.value for m in (*at.info, *at.success, *at.warning))
    at.slider(key="fc_interval").set_value(90).run()
    assert at.session_state["fc_result"].run.interval == pytest.approx(0.9)
    assert at.session_state["fc_job"] is current
    # A change that needs training leaves the figures as they were, with a note naming it.
    at.slider(key="fc_backtest").set_value(2).run()
    notes = [w.value for w in at.warning if "Changed since this forecast" in w.value]
    assert notes and "backtest cut-offs" in notes[0] and "model shown" not in notes[0], notes
    at.slider(key="fc_backtest").set_value(TINY["fc_backtest"]).run()
    assert not [w for w in at.warning if "Changed since this forecast" in w.value]

    # A run of other data (another file or mapping) is neither shown nor exported.
    at.session_state["fc_result"] = replace(at.session_state["fc_result"], data_key=("other",))
    at.run()
    no_exception(at)
    assert not _keyed(at, "fc_fan")
    assert any("another file or column mapping" in i.value for i in at.info)
    at.switch_page("app_pages/export.py").run()
    no_exception(at)
    keys = " ".join(b.proto.id for b in at.get("download_button"))
    assert "ex_model" not in keys and "ex_forecast" not in keys, keys

    # After a reload (same ?sid=), the saved model is offered and forecasts without training.
    again = make_app("forecastsessionid00001").run()
    again.switch_page("app_pages/forecast.py").run()
    no_exception(again)
    saved = again.selectbox(key="fc_saved_model")
    assert saved.options == SessionStore("forecastsessionid00001", cost_drift_home).list_models()
    again.button(key="fc_use_saved").click().run()
    again = wait_for_training(again)
    no_exception(again)
    reused = again.session_state["fc_result"]
    assert "with model" in reused.label
    assert reused.run.train_seconds == 0.0
    assert _keyed(again, "fc_fan")
    # using a saved model trains nothing new, so it is not saved once more
    store = SessionStore("forecastsessionid00001", cost_drift_home)
    assert store.list_models() == saved.options


def test_a_tampered_model_upload_is_refused_with_a_message(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.switch_page("app_pages/forecast.py").run()
    at.file_uploader(key="fc_bundle_upload").set_value(
        ("model.zip", b"PK\x03\x04 this is not a model", "application/zip")
    )
    at.run()
    at.button(key="fc_use_upload").click().run()
    no_exception(at)
    assert at.error and "model.zip" in at.error[0].value
    assert "fc_job" not in at.session_state


@pytest.mark.slow
def test_cancel_stops_training_and_the_app_stays_usable(make_app: Callable[..., AppTest]):
    at = _open_forecast(make_app, fc_epochs=200, fc_members=3, fc_seed=11)
    at.button(key="fc_train").click().run()
    job = at.session_state["fc_job"]
    deadline = time.monotonic() + 60
    while job.state == "waiting" or (job.state == "running" and job.event is None):
        assert time.monotonic() < deadline, "training never started"
        time.sleep(0.2)
    at.run()
    at.button(key="fc_cancel").click().run()
    assert job.cancel.is_set()
    wait_for_training(at)
    assert job.state == "cancelled"
    no_exception(at)
    assert any("cancelled" in w.value for w in at.warning)
    at.switch_page("app_pages/alerts.py").run()
    no_exception(at)
    assert [h.value for h in at.header] == ["Alerts"]


def test_overview_and_alerts_do_not_import_tensorflow():
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"at = AppTest.from_file({str(REPO / 'app.py')!r}, default_timeout=120).run()\n"
        "assert not at.exception, at.exception\n"
        "at.switch_page('app_pages/alerts.py').run()\n"
        "assert not at.exception, at.exception\n"
        "at.switch_page('app_pages/hierarchy.py').run()\n"
        "assert not at.exception, at.exception\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=180
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "False False"


def test_single_node_scope_offers_the_nodes(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.switch_page("app_pages/forecast.py").run()
    at.radio(key="fc_scope").set_value("One node").run()
    no_exception(at)
    nodes = at.selectbox(key="fc_node").options
    assert "All" not in nodes and "Enterprise IT" in nodes
    assert not [s for s in at.selectbox if s.key == "fc_level"]
    assert not at.button(key="fc_train").disabled
