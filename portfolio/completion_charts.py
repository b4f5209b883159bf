"""Plotly charts of the estimate at completion: EAC against BAC per node, the method backtest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from portfolio.charts import ACTUAL_COLOUR, PLANNED_COLOUR
from portfolio.completion import worst_first
from portfolio.errors import InputError

BAC_COLOUR = "#37474f"
RATE_COLOUR = ACTUAL_COLOUR
PLAN_COLOUR = PLANNED_COLOUR
FORECAST_COLOUR = "#6a1b9a"


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else "…" + label[-(width - 1) :]


def _forecast_trace(top: pd.DataFrame, money: str) -> go.Scatter:
    """The forecast-backed EAC per node, its band as error bars."""
    mid = top["eac_forecast"].to_numpy(dtype=float)
    return go.Scatter(
        x=mid,
        y=top["node"].tolist(),
        mode="markers",
        name="EAC (forecast)",
        marker={"color": FORECAST_COLOUR, "symbol": "circle", "size": 10},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": np.nan_to_num(top["eac_upper"].to_numpy(dtype=float) - mid),
            "arrayminus": np.nan_to_num(mid - top["eac_lower"].to_numpy(dtype=float)),
            "color": FORECAST_COLOUR,
        },
        hovertemplate=f"<b>%{{y}}</b><br>EAC (forecast) {money}<extra></extra>",
    )


def eac_chart(table: pd.DataFrame, *, n: int = 15, currency: str = "") -> go.Figure:
    """EAC against BAC for the ``n`` worst nodes: a BAC mark and an EAC marker per method.

    Args:
        table: An at-completion table (``portfolio.completion.Completion.table``), any nodes.
        n: How many nodes (worst first: red, amber, then the largest gap at completion).
        currency: Currency symbol or code for the labels (optional).

    Returns:
        Markers ``BAC``, ``EAC (plan)``, ``EAC (rate)`` and, when the table has a forecast,
        ``EAC (forecast)`` with its band as error bars.
    """
    if table.empty:
        raise InputError("There is nothing to draw: the at-completion table is empty.")
    top = worst_first(table).head(max(int(n), 1)).iloc[::-1]
    nodes = top["node"].tolist()
    money = f"{currency}%{{x:,.0f}}"
    fig = go.Figure()
    # Markers, not bars from 0: the gaps between EAC and BAC are what the analyst reads, and
    # bars would squeeze them into the last few pixels of each bar.
    fig.add_trace(
        go.Scatter(
            x=top["bac"],
            y=nodes,
            mode="markers",
            name="BAC",
            marker={
                "color": BAC_COLOUR,
                "symbol": "line-ns",
                "size": 24,
                "line": {"width": 4, "color": BAC_COLOUR},
            },
            customdata=top["status"],
            hovertemplate=f"<b>%{{y}}</b><br>BAC {money}<br>%{{customdata}} at completion"
            "<extra></extra>",
        )
    )
    for name, column, colour, symbol in (
        ("EAC (plan)", "eac_plan", PLAN_COLOUR, "circle-open"),
        ("EAC (rate)", "eac_rate", RATE_COLOUR, "diamond"),
    ):
        fig.add_trace(
            go.Scatter(
                x=top[column],
                y=nodes,
                mode="markers",
                name=name,
                marker={"color": colour, "symbol": symbol, "size": 11, "line": {"width": 2}},
                hovertemplate=f"<b>%{{y}}</b><br>{name} {money}<extra></extra>",
            )
        )
    if "eac_forecast" in top.columns:
        fig.add_trace(_forecast_trace(top, money))
    fig.update_layout(
        title={"text": f"Estimate at completion against BAC: the {len(top)} worst nodes"},
        height=max(360, 36 * len(top) + 200),
        legend={"orientation": "h", "y": -0.25},
        margin={"l": 10, "b": 110},
    )
    unit = f" ({currency})" if currency else ""
    fig.update_xaxes(title_text=f"Cost at completion{unit}", tickformat=",")
    labels = [f"{_short(v)} ({s})" for v, s in zip(nodes, top["status"], strict=True)]
    fig.update_yaxes(automargin=True, tickvals=nodes, ticktext=labels)
    return fig


def method_backtest_chart(backtest: pd.DataFrame) -> go.Figure:
    """WAPE of each EAC method at each past cut-off (lower is closer to the final cost).

    Args:
        backtest: ``portfolio.completion_backtest.MethodBacktest.table``.

    Returns:
        One bar trace per method (``plan``, ``rate``), cut-offs on the x axis, ``all`` last.
    """
    if backtest.empty:
        raise InputError("No EAC method could be scored: no item has finished within the file.")
    fig = go.Figure()
    colours = {"plan": PLAN_COLOUR, "rate": RATE_COLOUR}
    for method, rows in backtest.groupby("method", sort=False):
        fig.add_trace(
            go.Bar(
                x=rows["cutoff"],
                y=rows["wape"] * 100.0,
                name=f"eac_{method}",
                marker={"color": colours.get(str(method), "#9e9e9e")},
                customdata=rows["items"],
                hovertemplate=(
                    "Cut-off %{x}<br>WAPE %{y:.1f} % on %{customdata} item(s)<extra></extra>"
                ),
            )
        )
    fig.update_layout(
        title={"text": "How close each EAC method came on the items that have finished"},
        barmode="group",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(title_text="Cut-off (all: every cut-off pooled)", type="category")
    fig.update_yaxes(title_text="WAPE (lower is better)", ticksuffix=" %")
    return fig
