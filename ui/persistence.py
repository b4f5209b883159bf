"""The sidebar's saved session: the private id in the address, restore, save and forget.

What is saved (``ui.store.SessionStore``): the source, the thresholds, the mapping of the file
(with the file's digest), the Forecast page's controls and the uploaded file itself. Restored
values are checked here (thresholds clamped to their widgets' ranges) or by the page that draws
them (the Forecast sliders), so an edited or stale store never breaks the app.
"""

from __future__ import annotations

import logging
import math
from typing import Any, TypeGuard

import streamlit as st

from ui import data
from ui.forecast_advanced import KEYS as ADVANCED_KEYS
from ui.forecast_settings import SLIDERS
from ui.sources import sources
from ui.store import SID_PARAM, SessionStore, new_sid, valid_sid
from ui.thresholds import THRESHOLD_CHOICES, THRESHOLD_DEFAULTS, THRESHOLD_RANGES

log = logging.getLogger(__name__)

# The Forecast page's choices of what to model (typed in ui/forecast_scope.py), its sliders and
# its advanced model settings.
FORECAST_CHOICE_KEYS = ("fc_scope", "fc_level", "fc_node", "fc_reconcile")
FORECAST_KEYS: tuple[str, ...] = (*FORECAST_CHOICE_KEYS, *SLIDERS, *ADVANCED_KEYS)


def session_store() -> SessionStore:
    """This browser session's store; the id lives in the address (``?sid=``) to survive a reload."""
    kept = st.session_state.get("_sid")
    if isinstance(kept, str) and valid_sid(kept):
        sid = kept
    else:
        asked = st.query_params.get(SID_PARAM)
        sid = asked if isinstance(asked, str) and valid_sid(asked) else new_sid()
        st.session_state["_sid"] = sid
        _restore(SessionStore(sid))
    if st.query_params.get(SID_PARAM) != sid:
        st.query_params[SID_PARAM] = sid
    return SessionStore(sid)


def _restore_thresholds(thresholds: dict[str, Any]) -> None:
    """Saved thresholds back into their widgets: known choices only, numbers clamped."""
    for key, default in THRESHOLD_DEFAULTS.items():
        value = thresholds.get(key)
        if isinstance(default, str) and value in THRESHOLD_CHOICES[key]:
            st.session_state[key] = value
        elif _finite_number(value):
            lo, hi = THRESHOLD_RANGES[key]
            st.session_state[key] = type(default)(min(max(value, lo), hi))


def _restore(store: SessionStore) -> None:
    """Put what was saved under this id back into the widgets (first run of a session only)."""
    saved = store.load_settings()
    if not saved:
        return
    log.info("restoring saved session %s", store.sid[:6])
    if saved.get("source") in sources():
        st.session_state["source"] = saved["source"]
    thresholds = saved.get("thresholds")
    _restore_thresholds(thresholds if isinstance(thresholds, dict) else {})
    forecast = saved.get("forecast")
    for key, value in (forecast if isinstance(forecast, dict) else {}).items():
        if key in FORECAST_KEYS:
            st.session_state[key] = value  # range-checked by the Forecast page
    upload = store.load_upload()
    if upload is not None:
        name, raw = upload
        st.session_state["_upload"] = (name, raw, data.digest(raw))
        st.session_state["_upload_restored"] = True
    if isinstance(saved.get("mapping"), dict):
        st.session_state["_pending_mapping"] = saved["mapping"]


def _finite_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _settings_to_save() -> dict[str, Any]:
    state = st.session_state
    mapping = state.get("_mapping_saved")
    return {
        "source": state.get("source"),
        "thresholds": {k: state.get(k, v) for k, v in THRESHOLD_DEFAULTS.items()},
        "mapping": mapping if isinstance(mapping, dict) else None,
        "forecast": {k: state[k] for k in FORECAST_KEYS if k in state},
    }


def save(store: SessionStore) -> None:
    """Write the settings (and a new upload) to the store when they changed since the last save."""
    settings = _settings_to_save()
    if settings != st.session_state.get("_last_saved"):
        try:
            store.save_settings(settings)
            st.session_state["_last_saved"] = settings
        except OSError as err:  # a read-only home must not break the app
            log.warning("could not save the session: %s", err)
    upload = st.session_state.get("_upload")
    if upload is not None and st.session_state.get("_upload_saved") != upload[2]:
        try:
            store.save_upload(upload[0], upload[1])
            st.session_state["_upload_saved"] = upload[2]
        except OSError as err:
            log.warning("could not save the upload: %s", err)


def forget() -> None:
    """Button callback: delete the saved session and start again fresh under a new id."""
    SessionStore(st.session_state["_sid"]).forget()
    keep = {"_sid"}
    for key in list(st.session_state.keys()):
        if key not in keep and key != "upload":
            del st.session_state[key]
    st.session_state["_sid"] = new_sid()
    st.session_state["_forgotten"] = True
