"""A widget the browser forgets falls back to the analyst's value, not to its first option.

A page switch that lands while a script run is in progress can make the browser drop its copy
of a slider's value; it then shows, and sends back, the default carried by the widget. The
browser test of a cancelled training caught the alert thresholds turning into amber 0 % and
red 0 % that way. Every keyed slider therefore carries its current value as its default.
"""

from __future__ import annotations

from collections.abc import Callable

from apphelp import no_exception
from streamlit.testing.v1 import AppTest

from ui.forecast_settings import SLIDERS

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


def test_choice_widgets_carry_the_current_choice_as_their_default(
    make_app: Callable[..., AppTest],
) -> None:
    at = make_app().run()
    # The mapping, set by the app for the sample, is also each widget's default.
    assert list(at.multiselect(key="map_levels").proto.default) == [0, 1, 2, 3]
    period = at.selectbox(key="map_period")
    assert period.options[period.proto.default] == "period"
    planned = at.selectbox(key="map_planned")
    assert planned.options[planned.proto.default] == "planned"
    at.radio(key="measure").set_value("level").run()
    assert at.radio(key="measure").proto.default == 1
    at.radio(key="measure").set_value("flow").run()

    at.switch_page("app_pages/hierarchy.py").run()
    parent = at.selectbox(key="hier_parent")
    choice = parent.options[-1]
    parent.set_value(choice).run()
    no_exception(at)
    parent = at.selectbox(key="hier_parent")
    assert parent.options[parent.proto.default] == choice

    at.switch_page("app_pages/forecast.py").run()
    at.selectbox(key="fc_level").set_value(2).run()
    level = at.selectbox(key="fc_level")
    assert level.proto.default == level.options.index(level.format_func(2))
    at.radio(key="fc_scope").set_value(at.radio(key="fc_scope").options[1]).run()
    no_exception(at)
    assert at.radio(key="fc_scope").proto.default == 1
    node = at.selectbox(key="fc_node")
    last = node.options[-1]
    node.set_value(last).run()
    node = at.selectbox(key="fc_node")
    assert node.options[node.proto.default] == last


def test_advanced_controls_carry_the_current_value_as_their_default(
    make_app: Callable[..., AppTest],
) -> None:
    at = make_app().run()
    at.switch_page("app_pages/forecast.py").run()
    at.selectbox(key="fc_loss").set_value("mse")
    at.number_input(key="fc_patience").set_value(9)
    at.number_input(key="fc_val_fraction").set_value(0.35)
    at.checkbox(key="fc_difference").check()
    at.run()
    no_exception(at)
    loss = at.selectbox(key="fc_loss")
    assert loss.options[loss.proto.default] == loss.format_func("mse")
    assert at.number_input(key="fc_patience").proto.default == 9
    assert abs(at.number_input(key="fc_val_fraction").proto.default - 0.35) < 1e-12
    assert at.checkbox(key="fc_difference").proto.default is True


def _keep_option_script() -> None:
    import streamlit as st

    from ui import widget_state

    st.session_state.setdefault("kept", "b")
    st.session_state.setdefault("stale", "gone")
    st.session_state["got"] = (
        widget_state.keep_option("kept", ["a", "b"], "a"),
        widget_state.keep_option("stale", ["a", "b"], "a"),
        widget_state.keep_option("missing", ("x",), "x"),
    )


def test_keep_option_resets_only_a_value_that_is_no_longer_an_option() -> None:
    at = AppTest.from_function(_keep_option_script).run()
    no_exception(at)
    assert at.session_state["got"] == ("b", "a", "x")
    assert (at.session_state["kept"], at.session_state["stale"]) == ("b", "a")
    assert at.session_state["missing"] == "x"
