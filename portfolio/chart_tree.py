"""The hierarchy treemap: box size by cost to date, colour by cumulative variance %."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from portfolio.chart_style import (
    DIVERGING,
    PCT_CLIP,
    clipped_pct,
)
from portfolio.errors import InputError


def _tree_sizes(latest: pd.DataFrame) -> np.ndarray:
    """Box sizes that add up: leaves by max(cum planned, cum actual, 0), parents by children."""
    own = np.maximum(latest[["cum_planned", "cum_actual"]].max(axis=1).to_numpy(dtype=float), 0.0)
    size = pd.Series(own, index=latest["node"].to_numpy())
    parents = latest["parent"].to_numpy()
    levels = latest["level"].to_numpy()
    for depth in sorted(set(levels.tolist()), reverse=True):
        if depth == 0:
            continue
        at = levels == depth
        child_sums = size[at].groupby(parents[at]).sum()
        # A parent is at least as big as its children (it may also have rows of its own); the tiny
        # margin keeps plotly's own float sum of the children from exceeding the parent.
        need = child_sums.to_numpy() * (1 + 1e-9)
        size.loc[child_sums.index] = np.maximum(size.loc[child_sums.index].to_numpy(), need)
    return size.to_numpy()


def hierarchy_treemap(
    latest: pd.DataFrame, *, currency: str = "", max_depth: int = 3, max_nodes: int = 5_000
) -> go.Figure:
    """Treemap of the hierarchy: box size by cumulative cost, colour by cumulative variance %.

    Args:
        latest: One row per node (``portfolio.alerts.latest_status`` or the last period of a
            rollup) with ``node``, ``parent``, ``name``, ``level`` and the cumulative columns.
        currency: Currency symbol or code for the hover text (optional).
        max_depth: Levels shown at once (click a box to drill down).
        max_nodes: Most boxes drawn. A larger hierarchy is drawn down to the deepest level that
            fits (the boxes keep the totals of what is below them) and the title says how many
            nodes were left out: every node is sent to the browser, and 100,000 boxes would
            stall it.
    """
    if latest.empty:
        raise InputError("There is nothing to draw: the portfolio has no nodes.")
    sizes = _tree_sizes(latest)
    levels = latest["level"].to_numpy()
    counts = np.cumsum(np.bincount(levels.astype(np.int64)))
    fitting = np.flatnonzero(counts <= max_nodes)
    deepest = max(int(fitting[-1]) if len(fitting) else 0, 1)
    shown = levels <= deepest
    hidden = int((~shown).sum())
    if hidden:
        latest, sizes = latest.loc[shown], sizes[shown]
    pct = latest["cum_variance_pct"].to_numpy(dtype=float) * 100.0
    pct_text = np.where(np.isnan(pct), "n/a (nothing planned)", np.char.mod("%+.1f %%", pct))
    custom = np.column_stack(
        [
            latest["cum_planned"].to_numpy(dtype=float),
            latest["cum_actual"].to_numpy(dtype=float),
            latest["cum_variance"].to_numpy(dtype=float),
            pct_text,
        ]
    )
    fig = go.Figure(
        go.Treemap(
            ids=latest["node"],
            labels=latest["name"],
            parents=latest["parent"],
            values=sizes,
            branchvalues="total",
            maxdepth=max_depth,
            customdata=custom,
            marker={
                "colors": clipped_pct(latest, "cum_variance_pct", "cum_variance"),
                "colorscale": DIVERGING,
                "cmid": 0.0,
                "cmin": -PCT_CLIP,
                "cmax": PCT_CLIP,
                "colorbar": {"title": {"text": "Variance %"}, "ticksuffix": " %"},
            },
            hovertemplate=(
                "<b>%{id}</b><br>"
                f"Planned to date {currency}%{{customdata[0]:,.0f}}<br>"
                f"Actual to date {currency}%{{customdata[1]:,.0f}}<br>"
                f"Variance {currency}%{{customdata[2]:,.0f}} (%{{customdata[3]}})"
                "<extra></extra>"
            ),
        )
    )
    period = latest["period"].iloc[0] if "period" in latest.columns else ""
    title = f"Where the drift is: variance % to date by node ({period})"
    if hidden:
        title += (
            f"<br><sup>Levels 1 to {deepest} drawn; the {hidden:,} nodes below them are left out "
            "here (their totals are in the boxes above them).</sup>"
        )
    fig.update_layout(
        title={"text": title},
        margin={"t": 60, "l": 10, "r": 10, "b": 10},
    )
    return fig
