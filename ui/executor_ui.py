"""Forecast page: where the networks train (this machine, or a Ray cluster from the settings).

The server's environment sets the default: ``COST_DRIFT_RAY_ADDRESS`` (or Ray's own
``RAY_ADDRESS``) names a running cluster, and the page then opens on "Ray". The analyst can switch
per session; an empty address with "Ray" starts a local Ray with two workers.
"""

from __future__ import annotations

import streamlit as st

from forecasting.executor import DEFAULT_LOCAL_WORKERS, RayExecutor, configured_address
from ui import widget_state

HERE = "This machine"
RAY = "Ray"


def where_to_train() -> RayExecutor | None:
    """Draw the choice; None trains in the server process, else a Ray executor."""
    state = st.session_state
    widget_state.keep_option("fc_where", (HERE, RAY), RAY if configured_address() else HERE)
    if not isinstance(state.get("fc_ray_address"), str):
        state["fc_ray_address"] = configured_address() or ""
    with st.expander("Where to train", expanded=state["fc_where"] == RAY):
        where = st.radio(
            "Train the networks on",
            [HERE, RAY],
            index=widget_state.index_of("fc_where", [HERE, RAY]),
            key="fc_where",
            horizontal=True,
            help="Each network of the ensemble is an independent fit: on Ray they train side by "
            "side, one task each, and give the same forecast as on this machine.",
        )
        address = st.text_input(
            "Ray address (empty: a local Ray on this machine)",
            value=state["fc_ray_address"],
            key="fc_ray_address",
            disabled=where != RAY,
            placeholder="ray://HOST:10001",
        )
    if where != RAY:
        return None
    return RayExecutor(address=address.strip() or None, workers=DEFAULT_LOCAL_WORKERS)
