"""Hierarchy: treemap coloured by variance %, drill-down table with trends, a node's history."""

from __future__ import annotations

import streamlit as st

from portfolio.alerts import latest_status
from portfolio.charts import hierarchy_treemap, node_history
from ui import notes_ui, tables, widget_state
from ui.view import require

view = require()
assert view.portfolio is not None and view.rolled is not None and view.statuses is not None
levels = view.portfolio.levels
latest = latest_status(view.statuses)

st.header("Hierarchy")
st.caption(
    "Box size: planned cost to date; colour: cumulative variance %, red above plan, blue below, "
    "white on plan. Click a box to zoom in."
)
st.plotly_chart(hierarchy_treemap(latest), key="hier_treemap")

st.subheader("Drill down")
parents = latest.loc[latest["level"] < len(levels), "node"].tolist()
widget_state.keep_option("hier_parent", parents, tables.first_branching(latest))
parent = st.selectbox(
    "Show the children of",
    parents,
    index=widget_state.index_of("hier_parent", parents),
    key="hier_parent",
    help="Pick a node to list the nodes directly below it.",
)
children = latest[latest["parent"] == parent]
table = tables.with_trend(tables.node_table(children, levels), view.rolled)
st.dataframe(table, column_config=tables.NODE_COLUMNS, hide_index=True, key="hier_table")
st.caption(f"{len(children):,} node(s) directly below {parent}.")

st.subheader("Node history")
nodes = latest["node"].tolist()
widget_state.keep_option("hier_node", nodes, parent)
node = st.selectbox("Node", nodes, index=widget_state.index_of("hier_node", nodes), key="hier_node")
history = node_history(view.rolled, node, measure=view.portfolio.measure)
st.plotly_chart(history, key="hier_history")
notes_ui.node_notes(view, node)
