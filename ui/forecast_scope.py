"""Forecast page: what to forecast, a whole level (one global model) or one node."""

from __future__ import annotations

import streamlit as st

from ui import tables, widget_state
from ui.view import View
from workflows.forecast_request import default_level

SCOPE_LEVEL = "A whole level (one global model)"
SCOPE_NODE = "One node"


def scope(view: View) -> tuple[int, str | None]:
    """Draw "What to forecast"; return the level and the node (None for a whole level)."""
    assert view.portfolio is not None and view.rolled is not None
    names = tables.level_names(view.portfolio.levels)
    rolled = view.rolled
    st.subheader("What to forecast")
    widget_state.keep_option("fc_scope", (SCOPE_LEVEL, SCOPE_NODE), SCOPE_LEVEL)
    chosen = st.radio(
        "Train on",
        [SCOPE_LEVEL, SCOPE_NODE],
        index=widget_state.index_of("fc_scope", [SCOPE_LEVEL, SCOPE_NODE]),
        key="fc_scope",
        horizontal=True,
        persist_state="session",
    )
    level_options = list(range(1, len(view.portfolio.levels) + 1))
    widget_state.keep_option("fc_level", level_options, default_level(rolled))
    if chosen == SCOPE_NODE:
        nodes = sorted(rolled.loc[rolled["level"] >= 1, "node"].unique().tolist())
        widget_state.keep_option("fc_node", nodes, nodes[0])
        node = str(
            st.selectbox(
                "Node",
                nodes,
                index=widget_state.index_of("fc_node", nodes),
                key="fc_node",
                persist_state="session",
            )
        )
        return int(rolled.loc[rolled["node"] == node, "level"].iloc[0]), node
    counts = rolled.groupby("level")["node"].nunique()
    level = st.selectbox(
        "Level",
        level_options,
        index=widget_state.index_of("fc_level", level_options),
        key="fc_level",
        format_func=lambda i: f"{names[i]} ({int(counts.get(i, 0))} nodes)",
        persist_state="session",
    )
    return int(level), None
