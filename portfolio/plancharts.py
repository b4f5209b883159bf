"""Charts of plan versions: the current plan, the baseline and actual to date, and the moves.

Pure plotly builders over the frames of ``portfolio.planversions`` (same colours as
``portfolio.charts``; the baseline is drawn dashed in grey).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from portfolio.chart_style import LEGEND_ABOVE
from portfolio.charts import ACTUAL_COLOUR, PLANNED_COLOUR
from portfolio.errors import InputError

BASELINE_COLOUR = "#757575"
CHANGE_COLOUR = "#8e24aa"


def plan_versions_chart(changes: pd.DataFrame, node: str, *, currency: str = "") -> go.Figure:
    """To date: current plan, baseline and actual of one node (lines), and the plan's moves
    against the baseline per period (bars).

    Args:
        changes: The frame of ``portfolio.planversions.plan_changes``.
        node: The node id.
        currency: Currency symbol for the labels (optional).

    Raises:
        InputError: The node is not in the frame.
    """
    rows = changes[changes["node"] == node]
    if rows.empty:
        raise InputError(f"There is no node called {node!r} in the rollup.")
    periods = rows["period"].tolist()
    money = f"{currency}%{{y:,.0f}}" if currency else "%{y:,.0f}"
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    lines = (
        ("cum_planned", "Current plan to date", PLANNED_COLOUR, "solid"),
        ("cum_baseline", "Baseline to date", BASELINE_COLOUR, "dash"),
        ("cum_actual", "Actual to date", ACTUAL_COLOUR, "solid"),
    )
    for column, name, colour, dash in lines:
        fig.add_trace(
            go.Scatter(
                x=periods,
                y=rows[column],
                name=name,
                mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 2},
                hovertemplate=f"%{{x}}<br>{name} {money}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.add_trace(
        go.Bar(
            x=periods,
            y=rows["plan_change"],
            name="Plan change in the period",
            marker={"color": CHANGE_COLOUR},
            opacity=0.5,
            hovertemplate=f"%{{x}}<br>Plan minus baseline {money}<extra></extra>",
        ),
        secondary_y=True,
    )
    unit = f" ({currency})" if currency else ""
    fig.update_layout(
        title={"text": f"Plan versions of {node}"},
        hovermode="x unified",
        legend=LEGEND_ABOVE,
        margin={"t": 100},  # the title, then the legend above the plot
    )
    fig.update_yaxes(title_text=f"To date{unit}", tickformat=",", secondary_y=False)
    # Its own round ticks, not ticks synced to the left axis's grid (plotly.js's default).
    fig.update_yaxes(
        title_text=f"Plan change{unit}",
        tickformat=",",
        tickmode="auto",
        showgrid=False,
        secondary_y=True,
    )
    fig.update_xaxes(title_text="Period", type="category")
    return fig
