"""Plotly waterfall of a drift attribution: the children's steps add up to the node's total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from portfolio.charts import RAG_COLOURS
from portfolio.errors import InputError

UNDER_COLOUR = "#1565c0"
TOTAL_COLOUR = "#424242"


def _label(node: str, child: str) -> str:
    prefix = node + " / "
    short = child[len(prefix) :] if child.startswith(prefix) else child
    return short if len(short) <= 40 else "…" + short[-39:]


def attribution_waterfall(
    table: pd.DataFrame, *, title: str = "", max_bars: int = 12, currency: str = ""
) -> go.Figure:
    """A waterfall: one step per child (largest first), the rest as one step, then the total.

    Args:
        table: ``portfolio.attribution.attribute`` output for one node.
        title: The chart title (by default names the node).
        max_bars: Most children drawn one by one; the others are summed into one step.
        currency: Currency symbol or code for the labels (optional).

    Returns:
        A figure with one ``go.Waterfall`` trace whose last bar is the node's total.
    """
    if table.empty:
        raise InputError("There is nothing to attribute: the table has no rows.")
    node = str(table["node"].iloc[0])
    rows = table.head(max(int(max_bars), 1))
    rest = table.iloc[len(rows) :]
    labels = [_label(node, str(c)) for c in rows["child"]]
    values = rows["variance"].to_numpy(dtype=float).tolist()
    if not rest.empty:
        labels.append(f"{len(rest):,} others")
        values.append(float(rest["variance"].sum()))
    total = float(table["variance"].sum())
    share = np.array(values) / total * 100.0 if total else np.full(len(values), np.nan)
    # the labels are shares of the node's variance, said so: "+48 %" alone read as a variance %
    text = [f"{s:+.0f} % of total" if np.isfinite(s) else "" for s in share]
    text.append("100 %" if total else "")
    fig = go.Figure(
        go.Waterfall(
            x=[*labels, "Total"],
            y=[*values, total],
            measure=[*(["relative"] * len(values)), "total"],
            text=text,
            textposition="outside",
            increasing={"marker": {"color": RAG_COLOURS["red"]}},
            decreasing={"marker": {"color": UNDER_COLOUR}},
            totals={"marker": {"color": TOTAL_COLOUR}},
            connector={"line": {"color": "#9e9e9e", "width": 1}},
            hovertemplate=f"%{{x}}<br>Variance {currency}%{{y:,.0f}} (%{{text}})<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title or f"What makes up the variance of {node}"},
        showlegend=False,
        margin={"t": 70},
    )
    unit = f" ({currency})" if currency else ""
    fig.update_yaxes(title_text=f"Variance{unit}", tickformat=",")
    fig.update_xaxes(tickangle=-30, automargin=True)
    return fig
