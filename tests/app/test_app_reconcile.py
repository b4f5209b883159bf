"""The Forecast page reconciles the levels above a whole level, as ``--reconcile`` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest
from apphelp import no_exception, wait_for_training
from streamlit.testing.v1 import AppTest

from cli.forecast import request_from_args
from cli.forecast_args import RECONCILE_METHODS
from cli.main import build_parser
from ui.forecast_scope import BOTTOM_UP, RECONCILE_OPTIONS, SCOPE_NODE
from workflows.forecast_request import Reconcile

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample_portfolio.csv"


def _level_two(make_app: Callable[..., AppTest]) -> AppTest:
    at = make_app().run()
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)
    at.selectbox(key="fc_level").set_value(2)  # the 5 programs of the sample
    return at.run()


def test_the_methods_are_the_command_lines() -> None:
    assert RECONCILE_OPTIONS[0] == BOTTOM_UP  # the CLI's default without --reconcile
    assert RECONCILE_OPTIONS[1:] == RECONCILE_METHODS == get_args(Reconcile)


def test_reconcile_reaches_the_request_as_the_flag_does(make_app: Callable[..., AppTest]) -> None:
    at = _level_two(make_app)
    assert at.selectbox(key="fc_reconcile").value == BOTTOM_UP  # the default: bottom-up only
    # a state of None (an older saved session, or a reset) reads as bottom-up, not a placeholder
    at.session_state["fc_reconcile"] = None
    at.run()
    assert at.selectbox(key="fc_reconcile").value == BOTTOM_UP
    assert at.session_state["fc_request"].forecast.reconcile is None
    at.selectbox(key="fc_reconcile").set_value("mint").run()
    no_exception(at)
    app = at.session_state["fc_request"].forecast
    args = build_parser().parse_args(
        ["forecast", str(SAMPLE), "--level", "2", "--reconcile", "mint"]
    )
    cli = request_from_args(args)
    assert (app.reconcile, app.level, app.label) == ("mint", 2, cli.label)
    pd.testing.assert_frame_equal(app.series, cli.series)
    assert {"All", "Enterprise IT"} <= set(app.series["node"])  # the levels above are modelled
    # One node has nothing to reconcile: no box, and the request does not reconcile.
    at.radio(key="fc_scope").set_value(SCOPE_NODE).run()
    no_exception(at)
    assert not [s for s in at.selectbox if s.key == "fc_reconcile"]
    assert at.session_state["fc_request"].forecast.reconcile is None


@pytest.mark.slow
def test_a_reconciled_run_adds_up_and_the_page_draws_it(make_app: Callable[..., AppTest]) -> None:
    at = _level_two(make_app)
    tiny = {"fc_units": 4, "fc_lookback": 6, "fc_horizon": 2, "fc_epochs": 1, "fc_members": 1}
    for key, value in {**tiny, "fc_lr": 0.003, "fc_backtest": 1}.items():
        at.slider(key=key).set_value(value)
    at.number_input(key="fc_tune_seconds").set_value(0.0)
    at.selectbox(key="fc_reconcile").set_value("ols")
    at.run().button(key="fc_train").click().run()
    at = wait_for_training(at)
    no_exception(at)
    job = at.session_state["fc_job"]
    assert job.state == "done", job.message()
    median = job.result.forecast.set_index(["node", "step"])["median"]
    programs = [n for n, _ in median.index if n.startswith("Enterprise IT / ")]
    assert len(set(programs)) == 5
    for step in (1, 2):
        total = sum(median[(p, step)] for p in set(programs))
        assert median[("Enterprise IT", step)] == pytest.approx(total, rel=1e-9)
        assert median[("All", step)] == pytest.approx(total, rel=1e-9)
    assert [c for c in at.get("plotly_chart") if getattr(c, "key", None) == "fc_fan"]
