"""Forecast: train an LSTM ensemble on a level (or one node), watch it train, read the results.

TensorFlow is imported by the forecasting core only when a model is trained or loaded, so opening
the other pages never pays for it.
"""

from __future__ import annotations

import streamlit as st

from forecasting.charts import backtest_chart, fan_chart, members_chart, outlook_chart
from forecasting.errors import ForecastError
from forecasting.outlook import crossing_table
from ui import (
    forecast_bundles,
    forecast_fresh,
    forecast_ui,
    outlook_table,
    tables,
    training,
    widget_state,
)
from ui.view import require
from workflows import forecast_report
from workflows.forecast_request import history_problem
from workflows.forecast_tables import rounded

view = require()
assert view.portfolio is not None and view.rolled is not None and view.rule is not None
levels = view.portfolio.levels
names = tables.level_names(levels)

st.header("Forecast")
st.caption(
    "An ensemble of LSTM networks learns each node's drift (actual minus planned per period) from "
    "its past drift and its planned spend, then forecasts the coming periods. AutoARIMA, AutoETS "
    "and the baselines run beside it on the same backtest cut-offs; each node shows the model "
    "that did best there (or the one you choose), with a band calibrated on the backtest errors."
)

problem = history_problem(view.portfolio)
if problem is not None:  # e.g. a one-snapshot file: no controls that could only fail
    st.info(problem)
    st.stop()

training.warm_up()  # TensorFlow loads in the background while the sliders are set
forecast_ui.warm_up_statistics()  # and statsforecast compiles (or loads its cache)
request = forecast_ui.controls(view)
job = forecast_ui.job_panel(view, request)
result = forecast_ui.current_result(view)

if result is None:
    if forecast_fresh.of_other_data(view):
        st.info(
            "The forecast trained earlier in this session was made from another file or column "
            "mapping, so it is not shown here (nor exported or used at completion). Press "
            "**Train** to forecast this data."
        )
    else:
        st.info("Choose what to forecast and the model settings, then press **Train**.")
    forecast_bundles.bundle_panel(view, request, None)
    st.stop()

again = forecast_fresh.reshown(result, request.key, request.forecast.choice)
if again is not None:  # only the model shown or the interval changed: no training needed
    st.session_state["fc_result"] = result = again
run = result.run
differs = forecast_fresh.changed(result.key, request.key)
if differs:
    st.warning(
        f"Changed since this forecast was trained: {', '.join(differs)}. The figures below are "
        "still those of the earlier settings; press **Train** to apply the new ones."
    )
st.subheader("Verdict")
forecast_ui.verdict(run.verdict)
st.caption(
    f"Trained on {result.label}: {len(run.ensemble.nodes) if run.ensemble else 0} node(s), "
    f"{run.ensemble.settings.members if run.ensemble else 0} network(s), "
    f"{run.train_seconds:.1f} s of training."
)
plan_words = forecast_report.plan_ahead_text(run.forecast, carried=request.forecast.carry_plan)
if plan_words:
    st.caption(plan_words)
forecast_ui.automatic_choice(run)
if not run.skipped.empty:
    with st.expander(f"{len(run.skipped)} node(s) not forecast, and why"):
        st.dataframe(run.skipped, hide_index=True, key="fc_skipped")

st.subheader("Forecast fan chart")
st.caption(
    f"The shaded band is the calibrated {run.interval:.0%} prediction interval of the model shown "
    "(from its backtest errors); the grey diamonds are the LSTM ensemble, their bars the "
    "run-to-run spread of its networks (not a prediction interval)."
)
nodes = forecast_ui.chart_nodes(run)
widget_state.keep_option("fc_show", nodes, nodes[0])
shown = st.selectbox(
    "Node to show",
    nodes,
    index=widget_state.index_of("fc_show", nodes),
    key="fc_show",
    persist_state="session",
)
try:
    st.plotly_chart(fan_chart(result.history, run.forecast, shown), key="fc_fan")
except ForecastError as err:
    st.error(str(err))

st.subheader("Backtest: every model on the same cut-offs")
if run.backtest.empty:
    st.info("No backtest was run (backtest cut-offs set to 0).")
else:
    st.dataframe(
        rounded(run.backtest_summary, "backtest_summary", view.portfolio.decimals),
        hide_index=True,
        key="fc_backtest_table",
        column_config={
            "model": st.column_config.TextColumn("Model"),
            "rmse": st.column_config.NumberColumn("RMSE", format="localized"),
            "mae": st.column_config.NumberColumn("MAE", format="localized"),
            "mase": st.column_config.NumberColumn("MASE", format="%.3f"),
            "coverage": st.column_config.NumberColumn(
                f"Band coverage (nominal {run.interval:.0%})", format="percent"
            ),
            "width": st.column_config.NumberColumn("Band width", format="localized"),
            "nodes": st.column_config.NumberColumn("Nodes"),
            "wins": st.column_config.NumberColumn("Nodes won"),
        },
    )
    st.plotly_chart(backtest_chart(run.backtest), key="fc_backtest_chart")
    with st.expander("Backtest per node"):
        per_node = rounded(run.backtest, "backtest", view.portfolio.decimals)
        st.dataframe(per_node, hide_index=True, key="fc_backtest_nodes")

st.subheader("Run-to-run spread of the networks")
st.caption(
    "One LSTM trained twice with different seeds can score very differently; this is the spread "
    "of the backtest RMSE over the ensemble's networks (run-to-run spread, not the forecast's "
    "uncertainty: that is the calibrated band above). Networks at different lookbacks differ by "
    "design; hover a node for the std between networks at the same lookback, which only their "
    "seed causes (`rmse_seed_std` in the table)."
)
if run.members_spread.empty:
    st.info("The spread needs a backtest (cut-offs above 0).")
else:
    st.plotly_chart(members_chart(run.members_spread), key="fc_members_chart")
    with st.expander("Spread per node"):
        st.dataframe(run.members_spread, hide_index=True, key="fc_members_table")

st.subheader("Drift outlook")
rule = view.rule
outlook = forecast_ui.outlook(result, rule)
crossing = crossing_table(outlook)
if crossing.empty:
    st.success(f"No node is projected to reach amber ({rule.amber_pct:g} %) within the horizon.")
else:
    st.warning(
        f"{len(crossing)} node(s) projected to be at or beyond amber ({rule.amber_pct:g} %) "
        "within the horizon (those already there included: Status now says which); the first "
        "forecast period at or beyond each band is shown, a dash where the band is not reached."
    )
    outlook_table.show_crossing(crossing)
st.plotly_chart(
    outlook_chart(outlook, amber_pct=rule.amber_pct, red_pct=rule.red_pct), key="fc_outlook"
)

forecast_bundles.bundle_panel(view, request, result)
