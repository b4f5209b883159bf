"""The shared sidebar: data source, column mapping, alert thresholds and the saved session.

The parts live in modules named for them: ``ui.sources`` (the data source), ``ui.mapping_form``
(the column mapping), ``ui.thresholds`` (the alert rule), ``ui.loading`` (reading, rollup and
alerts) and ``ui.persistence`` (the saved session). This module draws them in order.

Widget keys and labels are a contract with the browser tests (docs/ARCHITECTURE.md, "app"). Every
keyed widget is drawn with its current value as its default (``ui/widget_state.py``), which lets
a restored session and a newly chosen file pre-fill them.
"""

from __future__ import annotations

import streamlit as st

from ui import widget_state
from ui.loading import evaluate, load, replace_view
from ui.persistence import forget
from ui.sources import SRC_SAMPLE, sources
from ui.store import SessionStore
from ui.thresholds import thresholds
from ui.view import VIEW_KEY, View


def _source() -> str:
    options = sources()
    widget_state.keep_option("source", options, SRC_SAMPLE)
    source = st.radio(
        "Data source",
        options,
        index=widget_state.index_of("source", options),
        key="source",
        persist_state="session",
    )
    return str(source)


def _with_alerts(view: View) -> View:
    """Draw the thresholds and evaluate the loaded portfolio under them."""
    total = float("nan")
    if view.rolled is not None and not view.rolled.empty:
        total = float(view.rolled["cum_planned"].abs().max())  # the whole portfolio's, at most
    rule, error = thresholds(total)
    if rule is not None and view.key is not None and view.data is not None:
        return evaluate(view, rule)
    if error:
        return replace_view(view, errors=(*view.errors, error))
    return view


def _session_controls() -> None:
    st.divider()
    st.button(
        "Forget my saved session",
        key="forget_session",
        on_click=forget,
        help="Delete the file, mapping, thresholds and models saved for this browser "
        "(kept so that a reload brings them back).",
    )
    st.caption(
        "Your file and settings are saved on this computer under a private id in the page "
        "address, so that reloading the page brings them back."
    )


def render(store: SessionStore) -> View:
    """Draw the sidebar and load what it selects; never raises on bad input (shows st.error)."""
    with st.sidebar:
        st.title("Cost Drift")
        if st.session_state.pop("_forgotten", False):
            st.success("Your saved session was deleted; this one starts afresh.")
        view = load(store, _source())
        if view.rule is None:
            view = _with_alerts(view)
        _session_controls()
    st.session_state[VIEW_KEY] = view
    return view
