"""Plotly chart builders for the rollup and the alerts: pure functions returning ``go.Figure``.

Here the charts of one node over time; the treemap is in `portfolio.chart_tree`, the alert charts
in `portfolio.chart_status`, the shared colours and formats in `portfolio.chart_style` (all
importable from here).

Colours: statuses use fixed RAG colours; variance % uses a diverging scale centred at 0 (blue for
under-runs, red for over-runs), clipped at +/- ``PCT_CLIP`` percent so one wild node does not wash
out the rest. Amounts are shown with thousands separators; pass ``currency`` (e.g. ``"$"``) to
have it in the axis titles and hover text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from portfolio.chart_status import status_heatmap, top_drifters
from portfolio.chart_style import (
    ACTUAL_COLOUR,
    DIVERGING,
    LEGEND_ABOVE,
    PCT_CLIP,
    PLANNED_COLOUR,
    RAG_COLOURS,
    money,
    node_rows,
    unit,
)
from portfolio.chart_tree import hierarchy_treemap
from portfolio.rollup import ROOT

__all__ = [
    "ACTUAL_COLOUR",
    "DIVERGING",
    "PCT_CLIP",
    "PLANNED_COLOUR",
    "RAG_COLOURS",
    "hierarchy_treemap",
    "node_history",
    "status_heatmap",
    "top_drifters",
    "totals_over_time",
]


# How a file's figures read on the charts: spend per period adds up to a cost to date; a file of
# levels (re-forecasts, running totals) reports the figure itself, whose period flows are changes.
_WORDS = {
    "flow": {"to_date": "cumulative", "axis": "Cost to date", "flow": "Cost per period", "per": ""},
    "level": {
        "to_date": "as reported",
        "axis": "Cost as reported",
        "flow": "Change per period",
        "per": " change",
    },
}


def totals_over_time(
    rolled: pd.DataFrame, node: str = ROOT, *, currency: str = "", measure: str = "flow"
) -> go.Figure:
    """Cumulative planned vs actual of one node, with the variance per period below.

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        node: The node id; the whole portfolio by default.
        currency: Currency symbol or code for the labels (optional).
        measure: The file's measure: ``level`` labels the lines as the figures as reported.
    """
    words = _WORDS.get(measure, _WORDS["flow"])
    rows = node_rows(rolled, node)
    periods = rows["period"].tolist()
    mode = "lines" if len(periods) > 1 else "markers"  # a line through one point draws nothing
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.68, 0.32],
        vertical_spacing=0.06,
    )
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=rows["cum_planned"],
            name=f"Planned ({words['to_date']})",
            mode=mode,
            line={"color": PLANNED_COLOUR, "width": 2.5},
            hovertemplate="%{x}<br>Planned to date " + money(currency) + "<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=rows["cum_actual"],
            name=f"Actual ({words['to_date']})",
            mode=mode,
            line={"color": ACTUAL_COLOUR, "width": 2.5},
            hovertemplate="%{x}<br>Actual to date " + money(currency) + "<extra></extra>",
        ),
        row=1,
        col=1,
    )
    variance = rows["variance"].to_numpy(dtype=float)
    fig.add_trace(
        go.Bar(
            x=periods,
            y=variance,
            name="Variance in the period",
            marker={"color": np.where(variance > 0, RAG_COLOURS["red"], "#1565c0").tolist()},
            hovertemplate="%{x}<br>Variance " + money(currency) + "<extra></extra>",
        ),
        row=2,
        col=1,
    )
    last = rows.iloc[-1]
    pct = last["cum_variance_pct"]
    pct_text = "n/a" if pd.isna(pct) else f"{pct * 100:+.1f} %"
    title = (
        f"Planned vs actual: {node} (to {last['period']}: variance "
        f"{currency}{last['cum_variance']:,.0f}, {pct_text})"
    )
    fig.update_layout(
        title={"text": title},
        hovermode="x unified",
        legend=LEGEND_ABOVE,
        margin={"t": 100},  # the title, then the legend above the plot
    )
    fig.update_yaxes(title_text=f"{words['axis']}{unit(currency)}", tickformat=",", row=1, col=1)
    fig.update_yaxes(title_text=f"Variance{unit(currency)}", tickformat=",", row=2, col=1)
    fig.update_xaxes(title_text="Period", row=2, col=1)
    fig.update_xaxes(type="category")  # a label such as 2012 is a period, not a number
    return fig


def node_history(
    rolled: pd.DataFrame, node: str, *, currency: str = "", measure: str = "flow"
) -> go.Figure:
    """Planned and actual per period of one node (bars) and its cumulative variance % (line).

    Args:
        rolled: A rollup.
        node: The node id.
        currency: Currency symbol or code for the labels (optional).
        measure: The file's measure: with ``level`` the bars are the changes of the figures.
    """
    words = _WORDS.get(measure, _WORDS["flow"])
    rows = node_rows(rolled, node)
    periods = rows["period"].tolist()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=periods,
            y=rows["planned"],
            name=f"Planned{words['per']}",
            marker={"color": PLANNED_COLOUR},
            hovertemplate="%{x}<br>Planned"
            + words["per"]
            + " "
            + money(currency)
            + "<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Bar(
            x=periods,
            y=rows["actual"],
            name=f"Actual{words['per']}",
            marker={"color": ACTUAL_COLOUR},
            hovertemplate="%{x}<br>Actual"
            + words["per"]
            + " "
            + money(currency)
            + "<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=rows["cum_variance_pct"] * 100.0,
            name="Variance % to date",
            mode="lines+markers",
            line={"color": "#212121", "width": 2},
            hovertemplate="%{x}<br>Variance to date %{y:+.1f} %<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_layout(
        title={"text": f"History of {node}"},
        barmode="group",
        hovermode="x unified",
        legend=LEGEND_ABOVE,
        margin={"t": 100},  # the title, then the legend above the plot
    )
    fig.update_yaxes(
        title_text=f"{words['flow']}{unit(currency)}", tickformat=",", secondary_y=False
    )
    # plotly.js syncs an overlaying axis's ticks to the primary grid by default, which labels the
    # right-hand axis with unrounded values (4.00412993495 %): its own round ticks instead.
    fig.update_yaxes(
        title_text="Variance % to date",
        ticksuffix=" %",
        tickmode="auto",
        showgrid=False,
        secondary_y=True,
    )
    fig.update_xaxes(title_text="Period", type="category")
    return fig
