"""The sidebar's alert threshold widgets and the :class:`~portfolio.alerts.AlertRule` they make.

The defaults are ``AlertRule()``'s (never typed again here); the widget kinds only decide whether
a default is shown as a whole number (the percentage and persistence sliders step by 1).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import streamlit as st

from portfolio.alerts import BASES, DIRECTIONS, AlertRule
from portfolio.errors import InputError
from ui import widget_state

# The sliders that step by whole numbers: their defaults and restored values are ints.
_WHOLE = frozenset({"amber_pct", "red_pct", "persistence"})

THRESHOLD_DEFAULTS: dict[str, Any] = {
    key: int(value) if key in _WHOLE else value for key, value in asdict(AlertRule()).items()
}
# The threshold widgets' ranges, also used to clamp restored values.
THRESHOLD_RANGES: dict[str, tuple[float, float]] = {
    "amber_pct": (0, 100),
    "red_pct": (0, 200),
    "floor": (0.0, 1e15),
    "persistence": (1, 12),
}
THRESHOLD_CHOICES: dict[str, tuple[str, ...]] = {"basis": BASES, "direction": DIRECTIONS}


def _int_range(key: str) -> tuple[int, int]:
    lo, hi = THRESHOLD_RANGES[key]
    return int(lo), int(hi)


def _whole_slider(label: str, key: str, hint: str | None = None) -> None:
    # Each widget's default is its current value (see ui/widget_state.py).
    st.slider(
        label,
        *_int_range(key),
        value=int(st.session_state[key]),
        step=1,
        key=key,
        help=hint,
        persist_state="session",
    )


def _choice(label: str, key: str, hint: str) -> None:
    st.radio(
        label,
        list(THRESHOLD_CHOICES[key]),
        index=widget_state.index_of(key, THRESHOLD_CHOICES[key]),
        key=key,
        horizontal=True,
        help=hint,
        persist_state="session",
    )


def floor_step(total: float) -> float:
    """The floor's step: a power of ten about a ten-thousandth of the portfolio's plan (a file in
    $ M steps by 1, one in dollars of billions by 1,000,000); 1,000 without a plan to go by."""
    if not math.isfinite(total) or total <= 0:
        return 1000.0
    return float(10.0 ** max(math.floor(math.log10(total)) - 4, -2))


def _widgets(step: float) -> None:
    st.subheader("Alert thresholds")
    _whole_slider("Amber at abs variance %", "amber_pct")
    _whole_slider("Red at abs variance %", "red_pct")
    st.number_input(
        "Floor on abs variance",
        min_value=float(THRESHOLD_RANGES["floor"][0]),
        value=float(st.session_state["floor"]),
        step=step,
        key="floor",
        help="Nothing alerts while its absolute variance (in currency) is below this.",
        persist_state="session",
    )
    _choice(
        "Basis",
        "basis",
        "cumulative: variance to date. period: the variance of each period alone.",
    )
    _choice(
        "Direction",
        "direction",
        "both: overruns and underruns alert. overrun: only spending above plan.",
    )
    _whole_slider(
        "Persistence (periods)",
        "persistence",
        "Alert only after this many consecutive periods in the band.",
    )


def thresholds(total: float = float("nan")) -> tuple[AlertRule | None, str | None]:
    """Draw the threshold widgets (the floor stepping by ``floor_step(total)``, ``total`` the
    portfolio's plan); return the rule, or (None, message) when it is refused."""
    for key, default in THRESHOLD_DEFAULTS.items():
        st.session_state.setdefault(key, default)
    _widgets(floor_step(total))
    state = st.session_state
    try:
        rule = AlertRule(
            amber_pct=float(state["amber_pct"]),
            red_pct=float(state["red_pct"]),
            basis=state["basis"],
            floor=float(state["floor"]),
            direction=state["direction"],
            persistence=int(state["persistence"]),
        )
    except InputError as err:
        st.error(str(err))
        return None, str(err)
    return rule, None
