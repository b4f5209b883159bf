"""The Forecast page trains here by default, or on the Ray address of the server's settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from apphelp import no_exception
from streamlit.testing.v1 import AppTest


def _forecast_page(make_app: Callable[..., AppTest]) -> AppTest:
    at = make_app().run()
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)
    return at


def test_default_is_this_machine(make_app: Callable[..., AppTest], monkeypatch) -> None:
    for name in ("COST_DRIFT_RAY_ADDRESS", "RAY_ADDRESS"):
        monkeypatch.delenv(name, raising=False)
    at = _forecast_page(make_app)
    assert at.radio(key="fc_where").value == "This machine"
    assert at.session_state["fc_request"].executor is None


def test_ray_address_from_the_settings(
    make_app: Callable[..., AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COST_DRIFT_RAY_ADDRESS", "ray://10.1.2.3:10001")
    at = _forecast_page(make_app)
    assert at.radio(key="fc_where").value == "Ray"
    executor = at.session_state["fc_request"].executor
    assert executor is not None and executor.address == "ray://10.1.2.3:10001"
    # the analyst can switch back for this session
    at.radio(key="fc_where").set_value("This machine").run()
    assert at.session_state["fc_request"].executor is None


def test_ray_without_an_address_is_a_local_ray(make_app: Callable[..., AppTest]) -> None:
    at = _forecast_page(make_app)
    at.radio(key="fc_where").set_value("Ray").run()
    executor = at.session_state["fc_request"].executor
    assert executor is not None and executor.address is None and executor.workers == 2
