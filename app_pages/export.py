"""Export: charts (PNG, SVG, interactive HTML), tables (CSV, Excel), the report, the model."""

from __future__ import annotations

import contextlib
from typing import Any

import streamlit as st

from forecasting.charts import backtest_chart, fan_chart, members_chart, outlook_chart
from forecasting.errors import ForecastError
from ui import exports, forecast_fresh, forecast_ui, notes_ui
from ui.view import require
from workflows.forecast_tables import rounded

view = require()
assert view.portfolio is not None and view.rule is not None
result: Any = forecast_fresh.result_for(view)  # a run of other data is not exported

st.header("Export")
st.caption(
    "Files are made when you click. Charts: PNG and SVG for documents, HTML for an interactive "
    "chart that works offline. Tables: CSV and Excel, with text that a spreadsheet would run as "
    "a formula (starting with =, +, -, @) made harmless with a leading apostrophe."
)

charts = exports.portfolio_charts(view)
tables_ = exports.portfolio_tables(view, notes_ui.notes_for_export(view))
if result is not None:
    run = result.run
    outlook = forecast_ui.outlook(result, view.rule)  # under the current thresholds, as shown
    with contextlib.suppress(ForecastError):  # a node no longer in the run: no fan chart
        charts["Forecast fan chart"] = fan_chart(
            result.history,
            run.forecast,
            str(st.session_state.get("fc_show") or run.forecast["node"].iloc[0]),
        )
    if not run.backtest.empty:
        charts["Backtest RMSE by model"] = backtest_chart(run.backtest)
        charts["Run-to-run spread of the networks"] = members_chart(run.members_spread)
    charts["Drift outlook"] = outlook_chart(
        outlook, amber_pct=view.rule.amber_pct, red_pct=view.rule.red_pct
    )
    places = view.portfolio.decimals
    tables_["Forecast"] = rounded(run.forecast, "forecast", places)
    tables_["Backtest"] = rounded(run.backtest, "backtest", places)
    tables_["Backtest summary"] = rounded(run.backtest_summary, "backtest_summary", places)
    tables_["Drift outlook"] = rounded(outlook, "outlook", places)

st.subheader("Charts")
for name, fig in charts.items():
    c0, c1, c2, c3 = st.columns([4, 1, 1, 1], vertical_alignment="center")
    c0.write(name)
    key = exports.slug(name)
    for col, fmt in ((c1, "png"), (c2, "svg"), (c3, "html")):
        col.download_button(
            fmt.upper(),
            exports.figure_data(fig, fmt),
            file_name=f"{key}.{fmt}",
            mime=exports.MIME[fmt],
            key=f"ex_{key}_{fmt}",
            on_click="ignore",
        )

st.subheader("Tables")
for name, frame in tables_.items():
    c0, c1, c2 = st.columns([5, 1, 1], vertical_alignment="center")
    c0.write(f"{name} ({len(frame):,} rows)")
    key = exports.slug(name)
    c1.download_button(
        "CSV",
        exports.csv_data(frame),
        file_name=f"{key}.csv",
        mime=exports.MIME["csv"],
        key=f"ex_{key}_csv",
        on_click="ignore",
    )
    c2.download_button(
        "Excel",
        exports.excel_data({name: frame}),
        file_name=f"{key}.xlsx",
        mime=exports.MIME["xlsx"],
        key=f"ex_{key}_xlsx",
        on_click="ignore",
    )
st.download_button(
    "All tables in one Excel workbook",
    exports.excel_data(tables_),
    file_name="cost-drift-tables.xlsx",
    mime=exports.MIME["xlsx"],
    key="ex_all_xlsx",
    on_click="ignore",
)

st.subheader("Report")
st.download_button(
    "One-file HTML report",
    exports.report_data(view, charts, tables_, result.run.verdict if result is not None else None),
    file_name="cost-drift-report.html",
    mime=exports.MIME["html"],
    key="ex_report",
    on_click="ignore",
)
st.caption("Every chart and table of the current view in one HTML file that works offline.")

st.subheader("Model")
if result is not None and result.bundle is not None:
    st.download_button(
        "Model bundle (.zip)",
        result.bundle,
        file_name="cost-drift-model.zip",
        mime="application/zip",
        key="ex_model",
        on_click="ignore",
    )
else:
    st.info("Train a forecast on the Forecast page to export its model here.")
