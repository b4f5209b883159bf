"""Plan versions: the current plan against the original baseline, and where the plan moved."""

from __future__ import annotations

import streamlit as st

from portfolio.alerts import evaluate, latest_status
from portfolio.plancharts import plan_versions_chart
from portfolio.planversions import against_baseline, has_baseline, plan_changes, rebaselined
from portfolio.rollup import ROOT
from ui import tables, widget_state
from ui.view import require

view = require()
assert view.portfolio is not None and view.rolled is not None and view.rule is not None
assert view.statuses is not None
names = tables.level_names(view.portfolio.levels)

st.header("Plan versions")
if not has_baseline(view.rolled):
    st.info(
        "Map a second plan in the sidebar (**Baseline plan column (optional)**), for example the "
        "original budget beside the current one, to see the variance against each and where "
        "and when the plan was changed."
    )
    st.stop()
st.caption(
    "Current plan against the baseline: variance against each, and the plan change (current "
    "plan minus baseline) per node and period. A drift that re-baselining absorbed shows as a "
    "small variance against the plan and a large one against the baseline."
)

changes = plan_changes(view.rolled)
moved = rebaselined(view.rolled)
root = moved.set_index("node").loc[ROOT]
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Current plan", tables.money(root["cum_planned"]))
c2.metric("Baseline", tables.money(root["cum_baseline"]))
c3.metric("Plan change", tables.money(root["cum_plan_change"]))
c4.metric("Variance vs plan", tables.pct(root["cum_variance_pct"]))
c5.metric("Variance vs baseline", tables.pct(root["cum_baseline_variance_pct"]))

vs_plan = tables.status_counts(latest_status(view.statuses))
vs_base = tables.status_counts(latest_status(evaluate(against_baseline(view.rolled), view.rule)))
st.caption(
    f"Under the sidebar's thresholds, at {root['period']}: against the current plan "
    f"{vs_plan['red']} red and {vs_plan['amber']} amber node(s); against the baseline "
    f"{vs_base['red']} red and {vs_base['amber']} amber."
)

st.subheader("Where the plan moved")
level_options = ["All levels", *[names[i] for i in range(len(view.portfolio.levels) + 1)]]
level_choice = st.selectbox(
    "Level",
    level_options,
    index=widget_state.index_of("pv_level", level_options),
    key="pv_level",
)
shown = moved if level_choice == "All levels" else moved[moved["level"].map(names) == level_choice]
only_moved = shown[shown["changes"] > 0]
money, percent = "localized", "percent"
st.dataframe(
    only_moved.assign(level_name=only_moved["level"].map(names)),
    hide_index=True,
    key="pv_table",
    column_order=[
        "node",
        "level_name",
        "cum_planned",
        "cum_baseline",
        "cum_plan_change",
        "cum_variance_pct",
        "cum_baseline_variance_pct",
        "changes",
        "first_change",
        "last_change",
    ],
    column_config={
        "node": tables.NODE_COLUMNS["node"],
        "level_name": tables.NODE_COLUMNS["level_name"],
        "cum_planned": st.column_config.NumberColumn("Plan to date", format=money),
        "cum_baseline": st.column_config.NumberColumn("Baseline to date", format=money),
        "cum_plan_change": st.column_config.NumberColumn("Plan change", format=money),
        "cum_variance_pct": st.column_config.NumberColumn("Variance % vs plan", format=percent),
        "cum_baseline_variance_pct": st.column_config.NumberColumn(
            "Variance % vs baseline", format=percent
        ),
        "changes": st.column_config.NumberColumn("Periods moved"),
        "first_change": st.column_config.TextColumn("First moved"),
        "last_change": st.column_config.TextColumn("Last moved"),
    },
)
as_of = tables.as_of(view.portfolio.periods, view.portfolio.frequency)
st.caption(
    f"{len(only_moved):,} of {len(shown):,} node(s) had their plan changed against the baseline, "
    f"largest change first; figures {as_of}. The Export page has every column."
)

st.subheader("A node's plan versions")
nodes = moved["node"].tolist()
widget_state.keep_option("pv_node", nodes, nodes[0])
node = st.selectbox("Node", nodes, index=widget_state.index_of("pv_node", nodes), key="pv_node")
st.plotly_chart(plan_versions_chart(changes, str(node)), key="pv_chart")
