"""The app and ``cost-drift forecast`` build the same forecast request from the same choices.

Each test drives both shells the same way (the app through AppTest, the CLI through its own
argument parser and request builder) and compares what they would forecast: the default level,
the alert bands with their floor, the future period labels. The model the app offers for download
is read by ``cost-drift forecast --load``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cli.forecast import request_from_args
from cli.main import build_parser
from workflows.forecast_request import ForecastRequest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
SAMPLE = REPO / "sample_data" / "sample_portfolio.csv"
SCRIPT = Path(sys.executable).with_name("cost-drift")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "cli"]
TINY = ["--layers", "1", "--units", "4", "--lookback", "6", "--epochs", "1", "--members", "1"]


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COST_DRIFT_HOME", str(tmp_path / "home"))


def _app_request(**sidebar: float) -> ForecastRequest:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    for key, value in sidebar.items():
        widget = at.number_input(key=key) if key == "floor" else at.slider(key=key)
        widget.set_value(value)
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    return at.session_state["fc_request"].forecast


def _cli_request(*flags: str) -> ForecastRequest:
    args = build_parser().parse_args(["forecast", str(SAMPLE), *flags])
    return request_from_args(args)


def _same(app: ForecastRequest, cli: ForecastRequest) -> None:
    assert (app.level, app.node, app.label) == (cli.level, cli.node, cli.label)
    assert app.future_periods() == cli.future_periods()
    assert app.bands == cli.bands
    assert app.backtest_k == cli.backtest_k
    pd.testing.assert_frame_equal(app.series, cli.series)
    pd.testing.assert_frame_equal(app.future, cli.future)
    assert app.edges is not None and cli.edges is not None
    pd.testing.assert_frame_equal(app.edges, cli.edges)


def test_default_level_and_periods_are_the_same_in_both_shells() -> None:
    app, cli = _app_request(), _cli_request()
    _same(app, cli)
    # the sample has 5 programs, 25 projects and 200 purchase orders: projects are the deepest
    # level within 60 nodes
    assert app.level == 3
    assert app.future_periods()[0] == "2026-01"  # the sample runs 2022-01 to 2025-12


def test_floor_and_direction_reach_the_outlook_bands_in_both_shells() -> None:
    app = _app_request(floor=25000.0, amber_pct=15, red_pct=40)
    cli = _cli_request("--floor", "25000", "--amber", "15", "--red", "40")
    _same(app, cli)
    assert (app.bands.floor, app.bands.amber_pct, app.bands.red_pct) == (25000.0, 15.0, 40.0)


def _forecast_json(*flags: str) -> dict:
    proc = subprocess.run(
        [*COMMAND, "forecast", str(SAMPLE), "--level", "2", "--quiet", "--format", "json", *flags],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_cli_floor_changes_the_outlook_and_the_app_zip_is_loaded(tmp_path: Path) -> None:
    from forecasting.bundle import bundle_to_zip, load_bundle

    folder = tmp_path / "model"
    plain = _forecast_json(*TINY, "--backtest", "0", "--save", str(folder))
    statuses = {r["node"]: r["status_now"] for r in plain["outlook"]}
    assert set(statuses.values()) != {"green"}, statuses  # a programme of the sample is amber
    floored = _forecast_json("--load", str(folder), "--backtest", "0", "--floor", "1e12")
    assert {r["status_now"] for r in floored["outlook"]} == {"green"}

    # the zip the app offers for download (ui.forecast_ui: bundle_to_zip of the run's ensemble)
    archive = tmp_path / "cost-drift-model-level-program.zip"
    archive.write_bytes(bundle_to_zip(load_bundle(folder)))
    from_zip = _forecast_json("--load", str(archive), "--backtest", "0")
    from_folder = _forecast_json("--load", str(folder), "--backtest", "0")
    assert from_zip["forecast"] == from_folder["forecast"]
    assert from_zip["forecast"] == plain["forecast"]


def test_cli_refuses_a_file_that_is_not_a_model_zip(tmp_path: Path) -> None:
    bogus = tmp_path / "model.zip"
    bogus.write_bytes(b"not a zip at all")
    proc = subprocess.run(
        [*COMMAND, "forecast", str(SAMPLE), "--load", str(bogus), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
