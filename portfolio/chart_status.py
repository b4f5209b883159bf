"""Charts of the alerts: the top drifting nodes and the RAG status heatmap over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from portfolio.chart_style import (
    RAG_COLOURS,
    short,
    unit,
)
from portfolio.errors import InputError


def top_drifters(
    latest: pd.DataFrame, n: int = 10, *, level: int | None = None, currency: str = ""
) -> go.Figure:
    """The ``n`` nodes with the largest |cumulative variance|, as horizontal bars.

    Args:
        latest: One row per node (``portfolio.alerts.latest_status``); bars take the RAG colour
            when it has a ``status`` column, otherwise red for over-runs and blue for under-runs.
        n: How many nodes.
        level: Only nodes of this level; by default the leaves (nodes without children).
        currency: Currency symbol or code for the labels (optional).
    """
    if level is not None:
        pool = latest[latest["level"] == level]
        where = f"level {level}"
    else:
        pool = latest[~latest["node"].isin(set(latest["parent"]))]
        where = "leaves"
    pool = pool.assign(_size=pool["cum_variance"].abs())
    top = pool.nlargest(max(int(n), 1), "_size").iloc[::-1]
    if "status" in top.columns:
        colours = [RAG_COLOURS.get(s, "#9e9e9e") for s in top["status"]]
    else:
        colours = [RAG_COLOURS["red"] if v > 0 else "#1565c0" for v in top["cum_variance"]]
    pct = top["cum_variance_pct"].to_numpy(dtype=float) * 100.0
    labels = ["plan 0" if np.isnan(p) else f"{p:+.1f} %" for p in pct]
    nodes = top["node"].tolist()
    fig = go.Figure(
        go.Bar(
            x=top["cum_variance"],
            y=nodes,
            orientation="h",
            marker={"color": colours},
            text=labels,
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                f"<b>%{{y}}</b><br>Variance to date {currency}%{{x:,.0f}} (%{{text}})"
                "<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title={"text": f"Top {len(top)} drifters by variance to date ({where})"},
        margin={"l": 10, "r": 70},
        height=max(320, 40 * len(top) + 140),
    )
    fig.update_xaxes(
        title_text=f"Variance to date{unit(currency)}", tickformat=",", range=_padded(top)
    )
    fig.update_yaxes(
        title_text="",
        automargin=True,
        tickvals=nodes,
        ticktext=[short(v) for v in nodes],
    )
    return fig


def _padded(top: pd.DataFrame) -> list[float] | None:
    """The variance axis with room beyond the longest bars for their labels, on both sides: a
    label outside a negative bar would otherwise sit on the node names (None: no bars)."""
    values = top["cum_variance"].to_numpy(dtype=float)
    if not np.isfinite(values).any():
        return None
    low, high = min(0.0, float(np.nanmin(values))), max(0.0, float(np.nanmax(values)))
    room = 0.3 * ((high - low) or 1.0)
    return [low - room if low < 0 else low, high + room if high > 0 else high]


def status_heatmap(statuses: pd.DataFrame, level: int, *, max_nodes: int = 60) -> go.Figure:
    """RAG status of every node of one level at every period.

    When the level has more than ``max_nodes`` nodes, the ones with the most amber/red periods
    are shown (the title says so).

    Args:
        statuses: ``portfolio.alerts.evaluate`` output.
        level: The hierarchy level (0 is the whole portfolio).
        max_nodes: Most rows drawn.
    """
    rows = statuses[statuses["level"] == level]
    if rows.empty:
        raise InputError(f"There are no nodes at level {level}.")
    code = rows["status"].map({"green": 0, "amber": 1, "red": 2}).astype(float)
    grid = code.groupby([rows["node"], rows["period"]]).max().unstack("period")
    pct = (rows["cum_variance_pct"] * 100.0).groupby([rows["node"], rows["period"]]).max()
    pct_grid = pct.unstack("period").reindex(index=grid.index, columns=grid.columns)
    total = len(grid)
    if total > max_nodes:
        worst = grid.sum(axis=1).sort_values(ascending=False, kind="stable").index[:max_nodes]
        grid = grid.loc[sorted(worst)]
        pct_grid = pct_grid.loc[grid.index]
    grid = grid.iloc[::-1]
    pct_grid = pct_grid.iloc[::-1]
    hover_pct = np.where(
        np.isnan(pct_grid.to_numpy(dtype=float)),
        "n/a",
        np.char.mod("%+.1f %%", np.nan_to_num(pct_grid.to_numpy(dtype=float))),
    )
    names = np.array(["green", "amber", "red"], dtype=object)
    z = grid.to_numpy(dtype=float)
    status_text = np.where(np.isnan(z), "", names[np.nan_to_num(z).astype(int)])
    g, a, r = RAG_COLOURS["green"], RAG_COLOURS["amber"], RAG_COLOURS["red"]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(grid.columns),
            y=list(grid.index),
            zmin=0,
            zmax=2,
            colorscale=[
                [0.0, g],
                [1 / 3, g],
                [1 / 3, a],
                [2 / 3, a],
                [2 / 3, r],
                [1.0, r],
            ],
            colorbar={
                "tickvals": [1 / 3, 1, 5 / 3],
                "ticktext": ["green", "amber", "red"],
                "title": {"text": "Status"},
            },
            customdata=np.dstack([status_text, hover_pct]),
            hovertemplate=(
                "<b>%{y}</b><br>%{x}: %{customdata[0]} (variance to date %{customdata[1]})"
                "<extra></extra>"
            ),
            xgap=1,
            ygap=1,
        )
    )
    shown = f"{len(grid)} of {total} nodes with the most alerts" if total > len(grid) else ""
    title = f"Status by period, level {level}" + (f" ({shown})" if shown else "")
    fig.update_layout(
        title={"text": title}, height=max(300, 22 * len(grid) + 160), margin={"l": 10}
    )
    fig.update_xaxes(title_text="Period", type="category")  # 2012 is a period, not 2,012.0
    fig.update_yaxes(
        title_text="",
        automargin=True,
        tickvals=list(grid.index),
        ticktext=[short(str(v)) for v in grid.index],
    )
    return fig
