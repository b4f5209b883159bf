"""Drift attribution: which children (or leaves) make up a node's variance, as a waterfall."""

from __future__ import annotations

import streamlit as st

from portfolio.attribution import Window, attribute, drill_down
from portfolio.attribution_charts import attribution_waterfall
from portfolio.errors import InputError
from ui import outlook, tables, widget_state
from ui.view import require

view = require()
assert view.portfolio is not None and view.rolled is not None and view.statuses is not None
rolled = view.rolled
periods = list(view.portfolio.periods)
latest = rolled.loc[rolled["period"] == periods[-1]]

st.header("Attribution")  # the navigation's name
st.caption(
    "A parent's variance is the sum of its children's, so every contribution below is exact: "
    "the steps of the waterfall add up to the node's total."
)

parents = latest.loc[latest["node"].isin(set(rolled["parent"])), "node"].tolist()  # rollup order
widget_state.keep_option("at_node", parents, tables.first_branching(latest))
node = str(
    st.selectbox(
        "Node to explain", parents, index=widget_state.index_of("at_node", parents), key="at_node"
    )
)
kinds = {"To date": "to_date", "One period": "period", "Change between two periods": "change"}
if len(periods) < 2:  # one period: its variance is the variance to date, and nothing changed
    kinds = {"To date": "to_date"}
widget_state.keep_option("at_kind", list(kinds), "To date")
c1, c2, c3 = st.columns(3)
kind = str(
    c1.radio(
        "Variance", list(kinds), index=widget_state.index_of("at_kind", list(kinds)), key="at_kind"
    )
)
for key, default in (("at_period", periods[-1]), ("at_since", periods[0])):
    widget_state.keep_option(key, periods, default)
period = str(
    c2.selectbox(
        "Period (end)", periods, index=widget_state.index_of("at_period", periods), key="at_period"
    )
)
since = None
if kinds[kind] == "change":
    since = str(
        c3.selectbox(
            "From the end of",
            periods,
            index=widget_state.index_of("at_since", periods),
            key="at_since",
        )
    )
to_leaves = c3.checkbox(
    "Attribute to the leaves under it", value=widget_state.flag("at_leaves"), key="at_leaves"
)
try:
    window = Window(kinds[kind], period, since=since)  # type: ignore[arg-type]
    table = attribute(rolled, node, window, leaves=to_leaves)
    path = drill_down(rolled, node, window)
except InputError as err:
    st.error(str(err))
    st.stop()

words = window.describe(periods[-1])
if view.portfolio.frequency == "single":  # one period has no "to date"
    words = tables.as_of(periods, "single").removeprefix("of ")
st.plotly_chart(
    attribution_waterfall(table, title=f"What makes up the variance of {node} ({words})"),
    key="at_waterfall",
)
st.dataframe(table, column_config=outlook.ATTRIBUTION_COLUMNS, hide_index=True, key="at_table")
st.caption(
    f"{len(table):,} {'leaves' if to_leaves else 'children'}, largest contribution first; "
    "share = the contributor's variance / the node's (empty when the node's is 0)."
)
st.subheader("Followed down to the leaf that drives it most")
if path.empty:
    st.info(f"{node} is a leaf.")
else:
    st.dataframe(path, column_config=outlook.ATTRIBUTION_COLUMNS, hide_index=True, key="at_path")
