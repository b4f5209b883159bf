"""The sidebar's defaults are derived, not retyped: thresholds from AlertRule, forecast keys from
the Forecast page's controls."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import asdict, fields

from apphelp import no_exception
from streamlit.testing.v1 import AppTest

from portfolio.alerts import AlertRule
from ui.forecast_advanced import KEYS as ADVANCED_KEYS
from ui.forecast_scope import SCOPE_NODE
from ui.forecast_settings import SLIDERS
from ui.persistence import FORECAST_CHOICE_KEYS, FORECAST_KEYS
from ui.store import SessionStore
from ui.thresholds import THRESHOLD_CHOICES, THRESHOLD_DEFAULTS, THRESHOLD_RANGES

SID = "sidebarpartssessionid1"


def test_threshold_defaults_equal_the_alert_rule_defaults() -> None:
    assert list(THRESHOLD_DEFAULTS) == [f.name for f in fields(AlertRule)]
    assert asdict(AlertRule()) == THRESHOLD_DEFAULTS
    assert AlertRule(**THRESHOLD_DEFAULTS) == AlertRule()


def test_threshold_defaults_sit_in_their_widget_ranges_and_choices() -> None:
    hints = typing.get_type_hints(AlertRule)
    for key, choices in THRESHOLD_CHOICES.items():
        assert choices == typing.get_args(hints[key]), key
        assert THRESHOLD_DEFAULTS[key] in choices, key
    for key, (lo, hi) in THRESHOLD_RANGES.items():
        assert lo <= THRESHOLD_DEFAULTS[key] <= hi, key
    # The whole-number sliders get int defaults (a float would make Streamlit a float slider).
    for key in ("amber_pct", "red_pct", "persistence"):
        assert type(THRESHOLD_DEFAULTS[key]) is int, key


def test_forecast_keys_are_the_slider_keys_the_advanced_keys_and_the_choices() -> None:
    assert (*FORECAST_CHOICE_KEYS, *SLIDERS, *ADVANCED_KEYS) == FORECAST_KEYS
    assert set(SLIDERS) | set(ADVANCED_KEYS) <= set(FORECAST_KEYS)
    assert len(set(FORECAST_KEYS)) == len(FORECAST_KEYS)


def _keys(at: AppTest) -> set[str]:
    kinds = ("slider", "selectbox", "radio", "checkbox", "number_input")
    return {w.key for kind in kinds for w in at.get(kind) if getattr(w, "key", None)}


def test_every_forecast_key_is_a_forecast_widget_and_is_saved(
    make_app: Callable[..., AppTest], cost_drift_home
) -> None:
    at = make_app(SID).run()
    at.switch_page("app_pages/forecast.py").run()
    no_exception(at)
    seen = _keys(at)
    at.radio(key="fc_scope").set_value(SCOPE_NODE).run()
    no_exception(at)
    seen |= _keys(at)
    assert set(FORECAST_KEYS) <= seen, set(FORECAST_KEYS) - seen
    saved = SessionStore(SID, cost_drift_home).load_settings()["forecast"]
    assert saved["fc_scope"] == SCOPE_NODE
    assert set(SLIDERS) | set(ADVANCED_KEYS) <= set(saved)
