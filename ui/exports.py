"""What the Export page offers: every chart and table of the current view, by name.

The figures and frames come from the cores exactly as the other pages show them; the bytes are
made only when the analyst clicks a download button (Streamlit runs the callable then), so opening
the page never waits for the chart renderer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from portfolio.alerts import alert_table, latest_status
from portfolio.attribution import attribute
from portfolio.attribution_charts import attribution_waterfall
from portfolio.charts import (
    hierarchy_treemap,
    node_history,
    status_heatmap,
    top_drifters,
    totals_over_time,
)
from portfolio.completion_charts import eac_chart
from portfolio.export import figure_bytes, to_csv_bytes, to_excel_bytes
from portfolio.plancharts import plan_versions_chart
from portfolio.planversions import has_baseline, plan_changes, rebaselined
from portfolio.report import build_report
from portfolio.rollup import ROOT
from ui import outlook, tables
from ui.view import View

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def slug(name: str) -> str:
    """A file-name-safe form of a chart or table name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "export"


def portfolio_charts(view: View) -> dict[str, go.Figure]:
    """The portfolio charts of the current view (Overview, Hierarchy, Alerts pages)."""
    assert view.rolled is not None and view.statuses is not None and view.portfolio is not None
    latest = latest_status(view.statuses)
    measure = view.portfolio.measure
    charts = {
        "Planned vs actual over time": totals_over_time(view.rolled, ROOT, measure=measure),
        "Top drifters": top_drifters(latest, n=10),
        "Hierarchy treemap": hierarchy_treemap(latest),
        "History of the whole portfolio": node_history(view.rolled, ROOT, measure=measure),
    }
    names = tables.level_names(view.portfolio.levels)
    for level in range(1, len(view.portfolio.levels) + 1):
        charts[f"Status heat map - {names[level]}"] = status_heatmap(view.statuses, level)
    node = tables.first_branching(latest)
    charts[f"Attribution of {node}"] = attribution_waterfall(attribute(view.rolled, node))
    charts["Estimate at completion against BAC"] = eac_chart(outlook.completion(view)[0].table)
    if has_baseline(view.rolled):
        charts["Plan versions of the whole portfolio"] = plan_versions_chart(
            plan_changes(view.rolled), ROOT
        )
    return charts


NOTES_TABLE = "Variance notes"


def portfolio_tables(view: View, notes: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The portfolio tables of the current view (and its variance notes, when given)."""
    assert view.rolled is not None and view.statuses is not None and view.portfolio is not None
    assert view.key is not None
    latest = latest_status(view.statuses)
    frames = {
        "Latest status": tables.node_table(latest, view.portfolio.levels),
        "Alerts": tables.node_table(alert_table(view.statuses), view.portfolio.levels),
        "Rollup": view.statuses,
        "At completion": outlook.completion(view)[0].output,
        "EAC method backtest": outlook.method_backtest(view.key, view.portfolio, view.rolled).table,
    }
    if has_baseline(view.rolled):
        frames["Plan changes by node"] = rebaselined(view.rolled)
        frames["Plan changes by period"] = plan_changes(view.rolled)
    if notes is not None:
        frames[NOTES_TABLE] = notes
    return frames


def figure_data(fig: go.Figure, fmt: str) -> Callable[[], bytes]:
    """A deferred maker of the chart's bytes in ``fmt`` (png, svg, html)."""

    def make() -> bytes:
        return figure_bytes(fig, fmt)  # type: ignore[arg-type]

    return make


def csv_data(frame: pd.DataFrame) -> Callable[[], bytes]:
    """A deferred maker of the table as formula-safe CSV."""
    return lambda: to_csv_bytes(frame)


def excel_data(sheets: dict[str, pd.DataFrame]) -> Callable[[], bytes]:
    """A deferred maker of the tables as one formula-safe Excel workbook."""
    return lambda: to_excel_bytes(sheets)


def summary_lines(view: View, verdict: str | None = None) -> list[str]:
    """The plain sentences at the top of the report: the file, its rows, totals and the rule."""
    assert view.portfolio is not None and view.statuses is not None and view.rule is not None
    s = view.portfolio.summary
    root = tables.root_row(latest_status(view.statuses))
    rule = view.rule
    lines = [
        f"File: {view.file_name} ({s.leaves:,} items, {s.periods:,} period(s), "
        f"frequency {s.frequency}).",
        f"Rows read / used / rejected: {s.rows_read:,} / {s.rows_used:,} / {s.rows_rejected:,}.",
        f"To date: planned {tables.money(root['cum_planned'])}, actual "
        f"{tables.money(root['cum_actual'])}, variance {tables.money(root['cum_variance'])} "
        f"({tables.pct(root['cum_variance_pct'])}).",
        f"Alert rule: amber at {rule.amber_pct:g} %, red at {rule.red_pct:g} %, {rule.basis} "
        f"basis, direction {rule.direction}, floor {tables.money(rule.floor)}, persistence "
        f"{rule.persistence}.",
        *s.notes,
    ]
    if verdict:
        lines.append(f"Forecast backtest: {verdict}")
    return lines


# Every node x period: too long for a page; they are in the CSV/Excel.
REPORT_SKIP = ("Rollup", "Plan changes by period")


def report_data(
    view: View,
    charts: dict[str, go.Figure],
    frames: dict[str, pd.DataFrame],
    verdict: str | None = None,
) -> Callable[[], bytes]:
    """A deferred maker of the one-file HTML report of these charts and tables."""
    lines = summary_lines(view, verdict)
    figures = list(charts.items())
    parts = [(name, frame) for name, frame in frames.items() if name not in REPORT_SKIP]
    title = f"Cost Drift report: {view.file_name}"

    def make() -> bytes:
        return build_report(title, lines, figures, parts).encode("utf-8")

    return make
