"""Plotly figure builders for the forecasting results (pages only place them).

Every builder takes the frames produced by the forecasting core and returns a ``go.Figure``;
missing columns raise ``ForecastError``; an empty table gives a figure that says there is nothing
to show. Period labels are categorical on the x axis and kept in calendar order. The fan chart of
one node is built in ``fan_chart`` (and named here too), the shared look in ``chart_style``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from forecasting.baselines import BASELINE_NAMES
from forecasting.chart_style import (
    ACTUAL_COLOUR,
    BASELINE_COLOUR,
    LSTM_COLOUR,
    STATUS_COLOURS,
    empty_figure,
)
from forecasting.fan_chart import LSTM_TRACE, fan_chart
from forecasting.tables import require_columns

__all__ = ["LSTM_TRACE", "backtest_chart", "fan_chart", "members_chart", "outlook_chart"]


def _model_order(models: Sequence[str]) -> list[str]:
    preferred = ["lstm", *BASELINE_NAMES]
    known = [m for m in preferred if m in models]
    return known + sorted(m for m in models if m not in preferred)


def backtest_chart(backtest_table: pd.DataFrame) -> go.Figure:
    """Backtest RMSE per model (mean over nodes), the LSTM highlighted, naive as a reference line.

    Args:
        backtest_table: ``DataFrame[node, model, rmse, mae, mase]``.

    Returns:
        Figure with one bar trace per model (named after the model) and a dashed horizontal line
        at the naive RMSE.
    """
    require_columns(backtest_table, ["node", "model", "rmse", "mae", "mase"], "backtest")
    title = "Backtest RMSE by model"
    if backtest_table.empty:
        return empty_figure(title, "No backtest results to show.")
    n_nodes = backtest_table["node"].nunique()
    means = backtest_table.groupby("model")[["rmse", "mae", "mase"]].mean()
    fig = go.Figure()
    for model in _model_order([str(m) for m in means.index]):
        row = means.loc[model]
        fig.add_trace(
            go.Bar(
                x=[model],
                y=[row["rmse"]],
                name=model,
                marker={"color": LSTM_COLOUR if model == "lstm" else BASELINE_COLOUR},
                text=[f"{row['rmse']:,.0f}"],
                textposition="outside",
                customdata=[[row["mae"], row["mase"]]],
                hovertemplate=(
                    f"{model}<br>RMSE %{{y:,.1f}}<br>MAE %{{customdata[0]:,.1f}}"
                    "<br>MASE %{customdata[1]:.2f}<extra></extra>"
                ),
            )
        )
    if "naive" in means.index:
        fig.add_hline(
            y=float(means.loc["naive", "rmse"]),
            line_dash="dash",
            line_color="#495057",
            annotation_text="naive",
            annotation_position="top right",
        )
    suffix = f" (mean over {n_nodes} nodes)" if n_nodes > 1 else ""
    fig.update_layout(
        title={"text": title + suffix}, barmode="overlay", showlegend=False, bargap=0.3
    )
    fig.update_xaxes(title_text="Model")
    fig.update_yaxes(title_text="RMSE (currency, lower is better)")
    return fig


def members_chart(members_table: pd.DataFrame, *, top: int = 40) -> go.Figure:
    """Run-to-run spread of the ensemble members' backtest RMSE per node.

    Args:
        members_table: ``DataFrame[node, rmse_mean, rmse_std, rmse_min, rmse_max]``, with
            ``rmse_seed_std`` (std between networks at one lookback) shown when present.
        top: at most this many nodes are drawn, those with the highest mean RMSE.

    Returns:
        Figure with the trace "Members' RMSE (mean, min-max)": a marker at the mean and whiskers
        from the smallest to the largest member RMSE.
    """
    require_columns(
        members_table, ["node", "rmse_mean", "rmse_std", "rmse_min", "rmse_max"], "members spread"
    )
    title = "Ensemble members' backtest RMSE"
    if members_table.empty:
        return empty_figure(title, "No ensemble members to show.")
    table = members_table.sort_values("rmse_mean", ascending=False).head(top)
    mean = table["rmse_mean"].to_numpy(dtype=np.float64)
    seed = table.get("rmse_seed_std", table["rmse_std"]).to_numpy(dtype=np.float64)
    fig = go.Figure(
        go.Scatter(
            x=[str(n) for n in table["node"]],
            y=mean,
            name="Members' RMSE (mean, min-max)",
            mode="markers",
            marker={"color": LSTM_COLOUR, "size": 9},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": table["rmse_max"].to_numpy(dtype=np.float64) - mean,
                "arrayminus": mean - table["rmse_min"].to_numpy(dtype=np.float64),
                "color": "#495057",
            },
            customdata=np.column_stack(
                [table[["rmse_std", "rmse_min", "rmse_max"]].to_numpy(dtype=np.float64), seed]
            ),
            hovertemplate=(
                "%{x}<br>mean %{y:,.1f}<br>std %{customdata[0]:,.1f}"
                " (between seeds at one lookback %{customdata[3]:,.1f})"
                "<br>min %{customdata[1]:,.1f}<br>max %{customdata[2]:,.1f}<extra></extra>"
            ),
        )
    )
    if len(members_table) > len(table):
        title += f" (top {len(table)} of {len(members_table)} nodes by mean RMSE)"
    fig.update_layout(title={"text": title}, showlegend=True, legend={"orientation": "h"})
    fig.update_xaxes(title_text="Node", type="category")
    fig.update_yaxes(title_text="RMSE (currency)")
    return fig


def _drift_traces(table: pd.DataFrame, nodes: list[str]) -> go.Figure:
    """The outlook's three traces: a line from now to the projection, then the two markers."""
    now = table["cum_variance_pct_now"].to_numpy(dtype=np.float64) * 100.0
    end = table["projected_cum_variance_pct"].to_numpy(dtype=np.float64) * 100.0
    line_x: list[float | None] = []
    line_y: list[str | None] = []
    for n, a, b in zip(nodes, now, end, strict=True):
        line_x += [float(a), float(b), None]
        line_y += [n, n, None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=line_x,
            y=line_y,
            name="Drift to horizon",
            mode="lines",
            line={"color": "#adb5bd", "width": 3},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=now,
            y=nodes,
            name="Now",
            mode="markers",
            marker={"color": ACTUAL_COLOUR, "size": 9, "symbol": "circle-open"},
            hovertemplate="%{y}<br>now %{x:.1f} %<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=end,
            y=nodes,
            name="Projected",
            mode="markers",
            marker={
                "color": [STATUS_COLOURS.get(str(s), "#495057") for s in table["status_end"]],
                "size": 11,
            },
            hovertemplate="%{y}<br>projected %{x:.1f} %<extra></extra>",
        )
    )
    return fig


def outlook_chart(
    outlook: pd.DataFrame, *, amber_pct: float = 10.0, red_pct: float = 30.0, top: int = 20
) -> go.Figure:
    """Cumulative variance % now and projected at the horizon end, per node, against the bands.

    Args:
        outlook: the frame of ``forecasting.outlook.drift_outlook``.
        amber_pct: amber threshold in percent (drawn as dotted lines at +/-).
        red_pct: red threshold in percent (dashed lines at +/-).
        top: at most this many nodes, those with the largest projected |variance %|.

    Returns:
        Figure with the traces "Drift to horizon" (connecting lines), "Now" and "Projected"
        (coloured by projected status). Nodes with no plan (undefined %) are left out and counted
        in the title.
    """
    require_columns(
        outlook,
        ["node", "cum_variance_pct_now", "projected_cum_variance_pct", "status_end"],
        "outlook",
    )
    title = "Projected cumulative variance %"
    if outlook.empty:
        return empty_figure(title, "No outlook to show.")
    defined = outlook[outlook["projected_cum_variance_pct"].notna()]
    left_out = len(outlook) - len(defined)
    table = (
        defined.assign(_abs=defined["projected_cum_variance_pct"].abs())
        .sort_values(["_abs", "node"], ascending=[True, True])
        .tail(top)
    )
    nodes = [str(n) for n in table["node"]]
    fig = _drift_traces(table, nodes)
    for sign in (-1.0, 1.0):
        fig.add_vline(x=sign * amber_pct, line_dash="dot", line_color=STATUS_COLOURS["amber"])
        fig.add_vline(x=sign * red_pct, line_dash="dash", line_color=STATUS_COLOURS["red"])
    if left_out:
        title += f" ({left_out} node(s) with no plan not shown)"
    fig.update_layout(
        title={"text": title},
        legend={"orientation": "h", "y": -0.15},
        height=max(360, 28 * len(nodes) + 160),
    )
    fig.update_xaxes(title_text="Cumulative variance % of plan")
    fig.update_yaxes(title_text="Node", type="category")
    return fig
