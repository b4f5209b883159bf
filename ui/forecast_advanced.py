"""Forecast page: the "Advanced model settings" expander.

Every ``ModelSettings`` field that ``cost-drift forecast`` takes as a flag and the sliders of
``ui.forecast_settings`` do not show has a control here, so the browser can do what the command
line does. Nothing is typed twice: each control opens on the field's default in
``ModelSettings()``, a choice offers the options of the field's ``Literal`` type (a new option
appears by itself), and the ranges are checked by ``ModelSettings`` itself when the page builds the
settings (its message is shown, the Train button disabled).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin, get_type_hints

import streamlit as st

from forecasting.settings import ModelSettings
from ui import widget_state

_D = ModelSettings()
_HINTS = get_type_hints(ModelSettings)


@dataclass(frozen=True)
class Control:
    """One advanced control: the ``ModelSettings`` field it sets, its widget key and words.

    ``step`` and ``fmt`` apply to number boxes only; the kind of widget (choice, switch, whole
    number or number) follows from the field's type.
    """

    field: str
    key: str
    label: str
    text: str
    step: float = 1.0
    fmt: str | None = None


CONTROLS: tuple[Control, ...] = (
    Control(
        "scaler",
        "fc_scaler",
        "How each node's series is scaled",
        "Puts nodes of very different sizes on one scale before the networks see them.",
    ),
    Control(
        "loss",
        "fc_loss",
        "Training loss",
        "What the networks minimise: squared errors (mse), absolute errors (mae) or a mix that "
        "is squared for small errors and absolute for large ones (huber).",
    ),
    Control(
        "calendar",
        "fc_calendar",
        "Give the networks the season position",
        "Adds the period's place in its year (month or quarter) as inputs, so a season can be "
        "learnt; a file without a season ignores it.",
    ),
    Control(
        "difference",
        "fc_difference",
        "Model period-to-period changes",
        "Trains on the change from one period to the next instead of the drift itself, then adds "
        "the changes back up.",
    ),
    Control(
        "log_positive",
        "fc_log_positive",
        "Model all-positive series in logs",
        "A node whose history is all above zero (a spend rather than a variance) is modelled in "
        "logs, so its season scales with its size and its trend is a growth rate; nodes that "
        "change sign are not affected.",
    ),
    Control(
        "refit",
        "fc_refit",
        "Train again on every window after early stopping",
        "Each network is trained a second time, on every window including the held-back ones, "
        "for the epochs early stopping found best (about twice the training time).",
    ),
    Control(
        "lookbacks",
        "fc_lookbacks",
        "Lookbacks the networks take turns at",
        "1 = every network sees the chosen lookback; 2 = every other network sees twice as much "
        "history (half as much when the file is too short for that); 3 = both. Networks that "
        "see different lengths of history err less alike, so their median is steadier.",
    ),
    Control(
        "tune_seconds",
        "fc_tune_seconds",
        "Search budget for the automatic settings (seconds)",
        "How long, in estimated training seconds, the search may spend choosing the automatic "
        "lookback, units and learning rate; 0 takes the first candidate without a search.",
        step=5.0,
        fmt="%.1f",
    ),
    Control(
        "val_fraction",
        "fc_val_fraction",
        "Share of windows kept for early stopping",
        "The most recent share of the training windows, held back to stop training when it "
        "no longer improves (0 to 0.5).",
        step=0.05,
        fmt="%.2f",
    ),
    Control(
        "patience",
        "fc_patience",
        "Early-stopping patience (epochs)",
        "Training stops after this many epochs without a better error on the held-back windows.",
    ),
    Control(
        "batch_size",
        "fc_batch_size",
        "Windows per batch",
        "Training windows per step of the optimiser; 0 = automatic (32, larger for big files).",
        step=16.0,
    ),
)
SPREAD = Control(
    "quantiles",
    "fc_spread",
    "Run-to-run spread of the networks",
    "The quantiles of the networks' forecasts shown as their spread (not the prediction "
    "interval, which is calibrated on the backtest).",
    step=0.05,
    fmt="%.2f",
)
SPREAD_KEYS = ("fc_spread_lower", "fc_spread_upper")
KEYS: tuple[str, ...] = (*(c.key for c in CONTROLS), *SPREAD_KEYS)
FIELDS: tuple[str, ...] = (*(c.field for c in CONTROLS), SPREAD.field)
OPTION_LABELS = {
    "es": "es: exponential smoothing (level and season taken out)",
    "standard": "standard: the node's mean and spread",
    "minmax": "minmax: the node's range",
    "window": "window: each window from its last value",
}


def options(name: str) -> tuple[Any, ...] | None:
    """The options of a ``Literal`` field of ``ModelSettings`` (None for other fields)."""
    hint = _HINTS[name]
    return tuple(get_args(hint)) if get_origin(hint) is Literal else None


def _default(key: str) -> Any:
    if key in SPREAD_KEYS:
        return _D.quantiles[SPREAD_KEYS.index(key)]
    return getattr(_D, next(c.field for c in CONTROLS if c.key == key))


def _fits(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    return isinstance(value, float) if isinstance(default, float) else isinstance(value, int)


def restore() -> None:
    """Put every advanced control on its default when its value is missing, mistyped or (for a
    choice) no longer an option; the range is left to ``ModelSettings`` to check."""
    for control in CONTROLS:
        allowed = options(control.field)
        if allowed is not None:
            widget_state.keep_option(control.key, allowed, getattr(_D, control.field))
    for key in (*(c.key for c in CONTROLS if options(c.field) is None), *SPREAD_KEYS):
        default = _default(key)
        value: Any = st.session_state.get(key)
        if not _fits(value, default):
            if isinstance(default, float) and _fits(value, 0):  # a whole number saved as int
                st.session_state[key] = float(value)
            else:
                st.session_state[key] = default


def help_text(control: Control) -> str:
    """The control's one-line help with the default it opens on."""
    default = getattr(_D, control.field)
    if isinstance(default, bool):
        shown = "on" if default else "off"
    elif isinstance(default, tuple):
        shown = " and ".join(f"{v:g}" for v in default)
    else:
        shown = f"{default:g}" if isinstance(default, float) else str(default)
    return f"{control.text} Default: {shown}."


def _draw(control: Control) -> None:
    allowed = options(control.field)
    if allowed is not None:
        st.selectbox(
            control.label,
            list(allowed),
            index=widget_state.index_of(control.key, list(allowed)),
            key=control.key,
            format_func=lambda v: OPTION_LABELS.get(str(v), str(v)),
            help=help_text(control),
            persist_state="session",
        )
    elif isinstance(getattr(_D, control.field), bool):
        st.checkbox(
            control.label,
            value=widget_state.flag(control.key),
            key=control.key,
            help=help_text(control),
            persist_state="session",
        )
    else:
        _number(control, control.key, control.label)


def _number(control: Control, key: str, label: str) -> None:
    value = st.session_state[key]  # restore() gave it the type of the field's default
    whole = isinstance(_default(key), int)
    step = int(control.step) if whole else float(control.step)
    st.number_input(
        label,
        value=value,  # the current value is also the default (see ui/widget_state.py)
        step=step,
        format=control.fmt,
        key=key,
        help=help_text(control),
        persist_state="session",
    )


def advanced_settings() -> dict[str, Any]:
    """Draw the expander; return the ``ModelSettings`` fields it sets, by name (not validated)."""
    restore()
    state = st.session_state
    with st.expander("Advanced model settings"):
        cols = st.columns(4)
        for i, control in enumerate(CONTROLS):
            with cols[i % 4]:
                _draw(control)
        for col, key, end in zip(st.columns(2), SPREAD_KEYS, ("lower", "upper"), strict=True):
            with col:
                _number(SPREAD, key, f"{SPREAD.label}: {end} quantile")
    values: dict[str, Any] = {c.field: state[c.key] for c in CONTROLS}
    values[SPREAD.field] = (state[SPREAD_KEYS[0]], state[SPREAD_KEYS[1]])
    return values


def label_of(name: str) -> str | None:
    """The advanced control's label for a ``ModelSettings`` field (None if it has none here)."""
    if name == SPREAD.field:
        return SPREAD.label
    return next((c.label for c in CONTROLS if c.field == name), None)
