"""Overview: totals, RAG counts, planned vs actual over time, top drifters, validation summary."""

from __future__ import annotations

import streamlit as st

from portfolio.alerts import latest_status
from portfolio.charts import top_drifters, totals_over_time
from portfolio.rollup import ROOT
from ui import tables
from ui.view import require

view = require()
assert view.portfolio is not None and view.rolled is not None and view.statuses is not None
summary = view.portfolio.summary
latest = latest_status(view.statuses)
root = tables.root_row(latest)

st.header("Overview")
st.caption(
    f"{view.file_name}: {summary.leaves:,} items, {summary.periods:,} period(s) "
    f"({summary.frequency}), figures {tables.as_of(view.portfolio.periods, summary.frequency)}."
)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Planned", tables.money(root["cum_planned"]))
c2.metric("Actual", tables.money(root["cum_actual"]))
c3.metric("Variance", tables.money(root["cum_variance"]))
c4.metric("Variance %", tables.pct(root["cum_variance_pct"]))

counts = tables.status_counts(latest)
r1, r2, r3 = st.columns(3)
r1.metric("Red nodes", f"{counts['red']:,}")
r2.metric("Amber nodes", f"{counts['amber']:,}")
r3.metric("Green nodes", f"{counts['green']:,}")

st.subheader("Planned vs actual over time")
if summary.frequency == "single":
    st.caption("The file has a single period: there is no history to draw over time.")
else:
    st.plotly_chart(
        totals_over_time(view.rolled, ROOT, measure=view.portfolio.measure), key="ov_totals"
    )

st.subheader("Top drifters")
st.plotly_chart(top_drifters(latest, n=10), key="ov_drifters")

st.subheader("Validation summary")
v1, v2, v3 = st.columns(3)
v1.metric("Rows read", f"{summary.rows_read:,}")
v2.metric("Rows used", f"{summary.rows_used:,}")
v3.metric("Rows rejected", f"{summary.rows_rejected:,}")
if summary.negative_planned_rows:
    st.warning(f"{summary.negative_planned_rows:,} row(s) have a negative planned amount.")
with st.expander("What the loader noticed", expanded=summary.rows_rejected > 0):
    if summary.notes:
        st.markdown("\n".join(f"- {note}" for note in summary.notes))
    else:
        st.write("Nothing unusual: every row was used as it is.")
