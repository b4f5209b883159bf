"""A slider the browser forgets falls back to the analyst's value, not to its minimum.

A page switch that lands while a script run is in progress can make the browser drop its copy
of a slider's value; it then shows, and sends back, the default carried by the widget. The
browser test of a cancelled training caught the alert thresholds turning into amber 0 % and
red 0 % that way. Every keyed slider therefore carries its current value as its default.
"""

from __future__ import annotations

from collections.abc import Callable

from apphelp import no_exception
from streamlit.testing.v1 import AppTest

from ui.forecast_ui import SLIDERS

THRESHOLDS = {"amber_pct": 15, "red_pct": 45, "persistence": 3}
FORECAST = {"fc_units": 8, "fc_lookback": 5, "fc_epochs": 7, "fc_dropout": 0.25, "fc_lr": 0.004}


def _default(at: AppTest, key: str) -> float:
    return float(at.slider(key=key).proto.default[0])


def test_threshold_widgets_carry_the_current_value_as_their_default(
    make_app: Callable[..., AppTest],
) -> None:
    at = make_app().run()
    assert _default(at, "amber_pct") == 10 and _default(at, "red_pct") == 30
    for key, value in THRESHOLDS.items():
        at.slider(key=key).set_value(value)
    at.number_input(key="floor").set_value(2500.0)
    at.radio(key="basis").set_value("period")
    at.radio(key="direction").set_value("overrun")
    at.run()
    at.switch_page("app_pages/alerts.py").run()
    no_exception(at)
    for key, value in THRESHOLDS.items():
        assert at.slider(key=key).value == value
        assert _default(at, key) == value, key
    assert at.number_input(key="floor").proto.default == 2500.0
    assert at.radio(key="basis").proto.default == 1  # the index of "period"
    assert at.radio(key="direction").proto.default == 1  # the index of "overrun"


def test_forecast_sliders_carry_the_current_value_as_their_default(
    make_app: Callable[..., AppTest],
) -> None:
    at = make_app().run()
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)
    for key in SLIDERS:  # before any change: the defaults of the core's ModelSettings
        assert _default(at, key) == at.slider(key=key).value, key
    for key, value in FORECAST.items():
        at.slider(key=key).set_value(value)
    at.run()
    no_exception(at)
    for key, value in FORECAST.items():
        assert at.slider(key=key).value == value
        assert abs(_default(at, key) - value) < 1e-12, key
