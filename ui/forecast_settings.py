"""Forecast page: the model settings (sliders) and the model shown, from the cores' defaults.

Every slider opens on the core's default (``ModelSettings()``, ``ChoiceSettings()``,
``ForecastChoices()``): a default is typed once, in the dataclass. The settings the sliders do
not show are in the "Advanced model settings" expander (``ui.forecast_advanced``); together they
cover every ``ModelSettings`` field that ``cost-drift forecast`` has a flag for.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from forecasting.choice import MODEL_CHOICES, ChoiceSettings
from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings
from ui import forecast_advanced, widget_state
from workflows.forecast_request import ForecastChoices

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
    "fc_members": ("Networks in the ensemble", 1, 20, 1, _D.members, None),
    "fc_lr": ("Learning rate (0 = automatic)", 0.0, 0.02, 0.0005, _D.learning_rate, "%.4f"),
    "fc_seed": ("Seed", 0, 9999, 1, _D.seed, None),
    "fc_backtest": ("Backtest cut-offs", 0, 12, 1, ForecastChoices().backtest_k, None),
    "fc_interval": ("Prediction interval (%)", 50, 95, 5, round(_C.interval * 100), None),
}
MODEL_LABELS = {
    "best": "Best (AutoARIMA unless the backtest clearly favours another)",
    "lstm": "LSTM ensemble",
    "combo": "LSTM + statistical combination",
    "auto_arima": "AutoARIMA",
    "auto_ets": "AutoETS",
    "rate_naive": "Rate naive (variance % to date x plan)",
}
_FLOAT_KEYS = {"fc_dropout", "fc_lr"}
# The sliders that set a ModelSettings field (the backtest and interval sliders set the choices).
SLIDER_FIELDS = {
    "fc_layers": "layers",
    "fc_units": "units",
    "fc_dropout": "dropout",
    "fc_lookback": "lookback",
    "fc_horizon": "horizon",
    "fc_epochs": "epochs",
    "fc_members": "members",
    "fc_lr": "learning_rate",
    "fc_seed": "seed",
}


def clamp_restored() -> None:
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


def model_settings() -> tuple[ModelSettings, bool]:
    """Draw the model sliders; return the settings and whether the core accepted them (when it
    refused them, its message is shown and the settings are the defaults)."""
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
    advanced = forecast_advanced.advanced_settings()
    state = st.session_state
    sliders: dict[str, Any] = {
        name: (float if key in _FLOAT_KEYS else int)(state[key])
        for key, name in SLIDER_FIELDS.items()
    }
    try:
        settings = ModelSettings(**sliders, **advanced)
    except ForecastError as err:
        st.error(_in_the_app(str(err)))
        return ModelSettings(), False
    return settings, True


def control_label(name: str) -> str | None:
    """The label of the control that sets the ``ModelSettings`` field ``name`` (None: none)."""
    for key, field in SLIDER_FIELDS.items():
        if field == name:
            return SLIDERS[key][0]
    return forecast_advanced.label_of(name)


def app_fields() -> set[str]:
    """The ``ModelSettings`` fields the Forecast page has a control for."""
    return {*SLIDER_FIELDS.values(), *forecast_advanced.FIELDS}


def _in_the_app(message: str) -> str:
    """The core's message with the control it is about, named as the page labels it."""
    named = [f"'{n}'" for n in sorted(app_fields()) if f"'{n}'" in message]
    labels = [control_label(n.strip("'")) for n in named]
    shown = ", ".join(f'"{label}"' for label in labels if label)
    return f"{message} Change {shown}." if shown else message


def model_choice() -> ChoiceSettings:
    """Draw the "Model shown" box; return it with the interval slider's nominal level."""
    state = st.session_state
    widget_state.keep_option("fc_model", MODEL_CHOICES, _C.model)
    model = str(
        st.selectbox(
            "Model shown",
            list(MODEL_CHOICES),
            index=widget_state.index_of("fc_model", list(MODEL_CHOICES)),
            key="fc_model",
            format_func=lambda m: MODEL_LABELS.get(m, m.replace("_", " ")),
            help="Best: AutoARIMA at every node of the level, unless the backtest's most frequent "
            "winner beats it at significantly many nodes (then that model). The LSTM ensemble is "
            "always trained and drawn beside the model shown.",
            persist_state="session",
        )
    )
    return ChoiceSettings(model=model, interval=int(state["fc_interval"]) / 100.0)
