"""Alerts: RAG counts, the alert table (filter by severity and level), the status heat map."""

from __future__ import annotations

import streamlit as st

from portfolio.alerts import alert_table, latest_status
from portfolio.charts import status_heatmap
from ui import notes_ui, outlook, tables, widget_state
from ui.view import require

view = require()
assert view.portfolio is not None and view.statuses is not None and view.rule is not None
levels = view.portfolio.levels
names = tables.level_names(levels)
rule = view.rule

st.header("Alerts")
st.caption(
    f"Amber at {rule.amber_pct:g} %, red at {rule.red_pct:g} % of |variance|, {rule.basis} basis, "
    f"{'overruns only' if rule.direction == 'overrun' else 'over- and under-runs'}, floor "
    f"{tables.money(rule.floor)}, persistence {rule.persistence} period(s). "
    "Change them in the sidebar."
)

n_periods = len(view.portfolio.periods)
if rule.persistence > n_periods:
    st.warning(
        f"Persistence is {rule.persistence} periods, but the file has {n_periods} period(s): no "
        "node can stay beyond amber that long, so none is flagged. Lower Persistence in the "
        "sidebar."
    )

latest = latest_status(view.statuses)
counts = tables.status_counts(latest)
alerts = alert_table(view.statuses)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Red", f"{counts['red']:,}")
c2.metric("Amber", f"{counts['amber']:,}")
c3.metric("Green", f"{counts['green']:,}")
c4.metric("Alerts", f"{len(alerts):,}", help="Red + amber nodes at the latest period, all levels.")

st.subheader("Alert table")
f1, f2 = st.columns(2)
severity = f1.multiselect("Severity", ["red", "amber"], default=["red", "amber"], key="al_severity")
level_choice = f2.selectbox(
    "Level", ["All levels", *[names[i] for i in range(len(levels) + 1)]], key="al_level"
)
shown = alerts[alerts["status"].isin(severity)]
if level_choice != "All levels":
    shown = shown[shown["level"].map(names) == level_choice]
if shown.empty:
    st.success("No node matches these filters: nothing to chase.")
else:
    st.dataframe(
        tables.node_table(shown, levels),
        column_config=tables.NODE_COLUMNS,
        hide_index=True,
        key="al_table",
    )
    st.caption(
        f"{len(shown):,} of {len(alerts):,} alerts shown, worst first; click a header to sort."
    )

st.subheader("Top contributors of the amber and red parents")
drivers = outlook.contributors(view)
if drivers.empty:
    st.success("No parent node is amber or red.")
else:
    st.dataframe(
        drivers, column_config=outlook.ATTRIBUTION_COLUMNS, hide_index=True, key="al_drivers"
    )
    st.caption(
        "For every amber or red parent (worst first), the three children that add most to its "
        f"variance {'to date' if rule.basis == 'cumulative' else 'in the last period'}; the "
        "Attribution page shows all of them as a waterfall."
    )

st.subheader("Status by node and period")
heat_levels = list(range(1, len(levels) + 1))
heat_level = st.selectbox(
    "Heat map level",
    heat_levels,
    index=widget_state.index_of("al_heat_level", heat_levels),
    format_func=lambda i: names[i],
    key="al_heat_level",
)
st.plotly_chart(status_heatmap(view.statuses, int(heat_level)), key="al_heatmap")

notes_ui.alerts_notes(view, alerts)
