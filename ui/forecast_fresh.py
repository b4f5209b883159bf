"""Whether the session's finished forecast still belongs to what the pages show.

A run is kept in ``st.session_state["fc_result"]`` until the next one replaces it. The data it was
trained on is named by ``data_key`` (the view's key when the run was requested: file, mapping and
options). A run of other data (another file, another mapping) is never shown, exported or used for
the EAC; a run of this data with other settings is shown with a note naming what changed, because
the controls then no longer describe the figures below them. When only the model shown or the
interval changed, the trained run is shown again with them (:func:`reshown`, seconds, no training).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import Any

import streamlit as st

from forecasting.choice import ChoiceSettings
from forecasting.pipeline import reshow
from ui.view import View

# What each place of a request's key holds (``forecast_ui.controls`` builds the key in this order).
KEY_PARTS = (
    "data",
    "what is forecast",
    "model settings",
    "backtest cut-offs",
    "reconciliation",
    "model shown",
    "prediction interval",
)
BUNDLE = "bundle"
# What can change without training: the run is shown again with it.
SHOWN_ONLY = frozenset({"model shown", "prediction interval"})


def data_key_of(result: Any) -> Hashable | None:
    """The data key a run was made from (None when it does not say)."""
    key = getattr(result, "data_key", None)
    return key if isinstance(key, Hashable) else None


def result_for(view: View) -> Any:
    """The session's finished run when it was made from this view's data, else None."""
    result = st.session_state.get("fc_result")
    if result is None or view.key is None or data_key_of(result) != view.key:
        return None
    return result


def of_other_data(view: View) -> bool:
    """True when the session holds a finished run of other data (another file or mapping)."""
    result = st.session_state.get("fc_result")
    return result is not None and data_key_of(result) != view.key


def _split(key: Hashable) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """A run's key as the request key it was made from and what a loaded model adds to it
    (``(BUNDLE, digest)``; empty for a trained run)."""
    parts = key if isinstance(key, tuple) else ()
    if len(parts) == 3 and parts[1] == BUNDLE:
        base = parts[0]
        return (base if isinstance(base, tuple) else ()), parts[1:]
    return parts, ()


def _parts(key: Hashable) -> tuple[dict[str, object], bool]:
    """The named places of a request key, and whether it is a run of a loaded model."""
    base, loaded = _split(key)
    return dict(zip(KEY_PARTS, base, strict=False)), bool(loaded)


def changed(result_key: Hashable, request_key: Hashable) -> list[str]:
    """What differs between the run's request and the page's current one, in words.

    A run of a loaded model was made with that model's settings, so the sliders are not compared.
    """
    had, loaded = _parts(result_key)
    now, _ = _parts(request_key)
    skip = {"data", "model settings"} if loaded else {"data"}
    return [name for name in KEY_PARTS if name not in skip and had.get(name) != now.get(name)]


def _picked(key: Hashable, request_key: Hashable) -> Hashable:
    """``key`` with the request's model shown and interval (inside a loaded model's key too)."""
    base, loaded = _split(key)
    now, _ = _split(request_key)
    if len(base) != len(KEY_PARTS) or len(now) != len(KEY_PARTS):
        return key
    pairs = zip(KEY_PARTS, base, now, strict=True)
    mixed = tuple(n if name in SHOWN_ONLY else b for name, b, n in pairs)
    return (mixed, *loaded) if loaded else mixed


def reshown(result: Any, request_key: Hashable, pick: ChoiceSettings) -> Any | None:
    """The run shown with ``pick`` when only the model shown or the interval changed since it was
    trained (its key then the request's); None when nothing changed, or more than those did."""
    differs = changed(result.key, request_key)
    if not differs or not set(differs) <= SHOWN_ONLY or getattr(result.run, "parts", None) is None:
        return None
    return replace(result, run=reshow(result.run, pick), key=_picked(result.key, request_key))
