"""At completion: where every node will land (EAC by plan, rate, forecast), worst nodes first."""

from __future__ import annotations

import streamlit as st

from portfolio.completion import worst_first
from portfolio.completion_charts import eac_chart, method_backtest_chart
from portfolio.rollup import ROOT
from ui import outlook, tables, widget_state
from ui.view import require

view = require()
assert view.portfolio is not None and view.rolled is not None and view.rule is not None
assert view.key is not None
levels = view.portfolio.levels
names = tables.level_names(levels)
done, forecast_label = outlook.completion(view)
table = done.table

st.header("At completion")
st.caption(
    (
        f"As of {done.as_of}."
        if view.portfolio.frequency != "single"
        else f"Figures {tables.as_of(view.portfolio.periods, 'single')}."
    )
    + " BAC is all of the plan in the file, the plan ahead included. EAC by "
    "plan: the rest goes as planned; by rate: the rest at the spend index so far (actual / "
    "planned to date; not a CPI, the file has no earned value)"
    + (f"; by forecast: {forecast_label} from the Forecast page" if forecast_label else "")
    + ". VAC = BAC - EAC: negative is an overrun (the opposite sign of the variance elsewhere)."
)
if not forecast_label:
    st.info("Train a forecast on the Forecast page to add EAC (forecast) with its band here.")

root = table[table["node"] == ROOT].iloc[0]
basis = str(root["eac_basis"])
c1, c2, c3, c4 = st.columns(4)
c1.metric("BAC", tables.money(root["bac"]))
c2.metric(f"EAC ({basis})", tables.money(root[f"eac_{basis}"]))
c3.metric(f"VAC ({basis})", tables.money(root["bac"] - root[f"eac_{basis}"]))
c4.metric("Status at completion", tables.STATUS_ICON.get(str(root["status"]), "n/a"))

options = ["All levels", *[names[i] for i in range(len(levels) + 1)]]
widget_state.keep_option("ac_level", options, names[min(2, len(levels))])
choice = st.selectbox(
    "Level", options, index=widget_state.index_of("ac_level", options), key="ac_level"
)
shown = table if choice == "All levels" else table[table["level"].map(names) == choice]
ordered = worst_first(shown)
st.plotly_chart(eac_chart(ordered, n=15), key="ac_chart")

display = ordered.assign(
    level_name=ordered["level"].map(names), status=ordered["status"].map(tables.STATUS_ICON)
)
columns = [c for c in outlook.EAC_COLUMNS if c in display.columns]
st.dataframe(display[columns], column_config=outlook.EAC_COLUMNS, hide_index=True, key="ac_table")
st.caption(f"{len(ordered):,} node(s), worst first: red, amber, then the largest gap to BAC.")
with st.expander("How these figures were made"):
    st.markdown("\n".join(f"- {note}" for note in done.notes))

st.subheader("Which method to trust")
scored = outlook.method_backtest(view.key, view.portfolio, view.rolled)
st.write(scored.verdict)
if not scored.table.empty:
    st.plotly_chart(method_backtest_chart(scored.table), key="ac_backtest_chart")
    st.dataframe(
        scored.table,
        hide_index=True,
        key="ac_backtest_table",
        column_config={
            "mae": st.column_config.NumberColumn("MAE", format="localized"),
            "wape": st.column_config.NumberColumn("WAPE", format="percent"),
            "bias": st.column_config.NumberColumn("Bias", format="percent"),
        },
    )
    st.caption(
        "At each past cut-off, the items that have since finished are estimated from what was "
        "known then (today's plan assumed unchanged) and compared with what they cost."
    )
