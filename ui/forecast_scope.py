"""Forecast page: what to forecast, a whole level (one global model) or one node, and whether
the levels above a whole level are modelled too and reconciled."""

from __future__ import annotations

from typing import cast, get_args

import streamlit as st

from ui import tables, widget_state
from ui.view import View
from workflows.forecast_request import Reconcile, default_level

# Bottom-up first, then the workflow's methods (a new one appears by itself). Bottom-up is a
# word, not None: a select box whose state is None shows "Choose an option" instead of it.
BOTTOM_UP = "bottom-up"
RECONCILE_OPTIONS: tuple[str, ...] = (BOTTOM_UP, *get_args(Reconcile))
RECONCILE_LABELS = {
    BOTTOM_UP: "No: the level's forecasts are summed up (bottom-up)",
    "ols": "ols: every level modelled, reconciled by least squares",
    "wls": "wls: every level modelled, weighted by the series under each node",
    "mint": "mint: every level modelled, weighted by the backtest errors",
}

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


def reconciliation(node: str | None) -> Reconcile | None:
    """Draw "Reconcile the levels above" for a whole level; return the method (None: none).

    One node has nothing to reconcile: the box is not drawn and the answer is None.
    """
    widget_state.keep_option("fc_reconcile", RECONCILE_OPTIONS, BOTTOM_UP)
    if node is not None:
        return None
    method = st.selectbox(
        "Reconcile the levels above",
        RECONCILE_OPTIONS,
        index=widget_state.index_of("fc_reconcile", RECONCILE_OPTIONS),
        key="fc_reconcile",
        format_func=lambda m: RECONCILE_LABELS.get(m, str(m)),
        help="Also model every level from the whole portfolio down to this one and make the "
        "forecasts add up (as cost-drift forecast --reconcile). Default: no, the parents' "
        "forecasts are the sums of this level's.",
        persist_state="session",
    )
    return None if method in (None, BOTTOM_UP) else cast(Reconcile, method)
