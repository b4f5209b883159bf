"""Plotly chart builders for the rollup and the alerts: pure functions returning ``go.Figure``.

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

from portfolio.errors import InputError
from portfolio.rollup import ROOT

RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
DIVERGING = "RdBu_r"
PCT_CLIP = 50.0
PLANNED_COLOUR = "#5c6bc0"
ACTUAL_COLOUR = "#ef6c00"


def _unit(currency: str) -> str:
    return f" ({currency})" if currency else ""


def _money(currency: str) -> str:
    return f"{currency}%{{y:,.0f}}" if currency else "%{y:,.0f}"


def _node_rows(rolled: pd.DataFrame, node: str) -> pd.DataFrame:
    rows = rolled[rolled["node"] == node]
    if rows.empty:
        raise InputError(f"There is no node called {node!r} in the rollup.")
    return rows.sort_values("period")


def totals_over_time(rolled: pd.DataFrame, node: str = ROOT, *, currency: str = "") -> go.Figure:
    """Cumulative planned vs actual of one node, with the variance per period below.

    Args:
        rolled: A rollup (``portfolio.rollup.rollup``).
        node: The node id; the whole portfolio by default.
        currency: Currency symbol or code for the labels (optional).
    """
    rows = _node_rows(rolled, node)
    periods = rows["period"].tolist()
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
            name="Planned (cumulative)",
            mode="lines",
            line={"color": PLANNED_COLOUR, "width": 2.5},
            hovertemplate="%{x}<br>Planned to date " + _money(currency) + "<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=periods,
            y=rows["cum_actual"],
            name="Actual (cumulative)",
            mode="lines",
            line={"color": ACTUAL_COLOUR, "width": 2.5},
            hovertemplate="%{x}<br>Actual to date " + _money(currency) + "<extra></extra>",
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
            hovertemplate="%{x}<br>Variance " + _money(currency) + "<extra></extra>",
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
        legend={"orientation": "h", "y": -0.12},
        margin={"t": 70},
    )
    fig.update_yaxes(title_text=f"Cost to date{_unit(currency)}", tickformat=",", row=1, col=1)
    fig.update_yaxes(title_text=f"Variance{_unit(currency)}", tickformat=",", row=2, col=1)
    fig.update_xaxes(title_text="Period", row=2, col=1)
    return fig


def _clipped_pct(frame: pd.DataFrame, pct_col: str, var_col: str) -> np.ndarray:
    """Variance % in percent for colouring; undefined (plan 0) shows as the extreme of its sign."""
    pct = frame[pct_col].to_numpy(dtype=float) * 100.0
    var = frame[var_col].to_numpy(dtype=float)
    pct = np.where(np.isnan(pct), np.sign(var) * PCT_CLIP, pct)
    return np.clip(pct, -PCT_CLIP, PCT_CLIP)


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
                "colors": _clipped_pct(latest, "cum_variance_pct", "cum_variance"),
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


def node_history(rolled: pd.DataFrame, node: str, *, currency: str = "") -> go.Figure:
    """Planned and actual per period of one node (bars) and its cumulative variance % (line).

    Args:
        rolled: A rollup.
        node: The node id.
        currency: Currency symbol or code for the labels (optional).
    """
    rows = _node_rows(rolled, node)
    periods = rows["period"].tolist()
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=periods,
            y=rows["planned"],
            name="Planned",
            marker={"color": PLANNED_COLOUR},
            hovertemplate="%{x}<br>Planned " + _money(currency) + "<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Bar(
            x=periods,
            y=rows["actual"],
            name="Actual",
            marker={"color": ACTUAL_COLOUR},
            hovertemplate="%{x}<br>Actual " + _money(currency) + "<extra></extra>",
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
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_yaxes(title_text=f"Cost per period{_unit(currency)}", tickformat=",")
    fig.update_yaxes(title_text="Variance % to date", ticksuffix=" %", secondary_y=True)
    fig.update_xaxes(title_text="Period")
    return fig


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else "…" + label[-(width - 1) :]


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
    fig.update_xaxes(title_text=f"Variance to date{_unit(currency)}", tickformat=",")
    fig.update_yaxes(
        title_text="",
        automargin=True,
        tickvals=nodes,
        ticktext=[_short(v) for v in nodes],
    )
    return fig


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
    fig.update_xaxes(title_text="Period")
    fig.update_yaxes(
        title_text="",
        automargin=True,
        tickvals=list(grid.index),
        ticktext=[_short(str(v)) for v in grid.index],
    )
    return fig
