"""Plotly figure builders for the forecasting results (pages only place them).

Every builder takes the frames produced by the forecasting core and returns a ``go.Figure``;
missing columns raise ``ForecastError``; an empty table gives a figure that says there is nothing
to show. Period labels are categorical on the x axis and kept in calendar order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from forecasting.baselines import BASELINE_NAMES
from forecasting.errors import ForecastError

ACTUAL_COLOUR = "#1f3b73"
FORECAST_COLOUR = "#d9480f"
BAND_FILL = "rgba(217, 72, 15, 0.18)"
PLANNED_COLOUR = "rgba(120, 120, 120, 0.22)"
LSTM_COLOUR = "#d9480f"
BASELINE_COLOUR = "#9aa5b1"
STATUS_COLOURS = {"green": "#2b8a3e", "amber": "#f59f00", "red": "#c92a2a"}


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ForecastError(f"The {what} table is missing the column(s) {', '.join(missing)}.")


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title={"text": title}, xaxis={"visible": False}, yaxis={"visible": False})
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig


LSTM_TRACE = "LSTM ensemble (bars: run-to-run spread of its networks)"
LSTM_COLOUR = "#7f7f7f"


def fan_chart(
    history: pd.DataFrame, forecast: pd.DataFrame, node: str, *, title: str | None = None
) -> go.Figure:
    """Past variance, forecast median and band for one node, with the plan on a second axis.

    Args:
        history: ``DataFrame[node, period, variance, planned]``.
        forecast: ``DataFrame[node, period, step, median, lower, upper]`` (+ optional ``planned``
            for the future plan).
        node: the node to draw.
        title: chart title (default: "Drift forecast: <node>").

    Returns:
        Figure with the traces "Variance (actual)", "Forecast (median)", "Forecast band" (the
        shown model's calibrated band), "Planned" and, when the forecast carries them,
        "Planned (future)" and the LSTM ensemble's median with its members' run-to-run spread as
        bars (``LSTM_TRACE``), drawn beside whichever model is shown.

    Raises:
        ForecastError: missing columns, or the node is in neither table.
    """
    _require(history, ["node", "period", "variance", "planned"], "history")
    _require(forecast, ["node", "period", "step", "median", "lower", "upper"], "forecast")
    hist = history[history["node"].astype(str) == node].sort_values("period")
    fc = forecast[forecast["node"].astype(str) == node].sort_values("step")
    if hist.empty and fc.empty:
        raise ForecastError(f"There is no history or forecast for node '{node}'.")
    hist_periods = [str(p) for p in hist["period"]]
    fc_periods = [str(p) for p in fc["period"]]
    calendar = list(dict.fromkeys(hist_periods + fc_periods))

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=hist_periods,
            y=hist["planned"].to_numpy(dtype=np.float64),
            name="Planned",
            marker={"color": PLANNED_COLOUR},
            hovertemplate="%{x}<br>Planned %{y:,.0f}<extra></extra>",
        ),
        secondary_y=True,
    )
    if "planned" in fc.columns and fc["planned"].notna().any():
        fig.add_trace(
            go.Bar(
                x=fc_periods,
                y=fc["planned"].to_numpy(dtype=np.float64),
                name="Planned (future)",
                marker={"color": PLANNED_COLOUR, "pattern": {"shape": "/"}},
                hovertemplate="%{x}<br>Planned %{y:,.0f}<extra></extra>",
            ),
            secondary_y=True,
        )
    fig.add_trace(
        go.Scatter(
            x=fc_periods,
            y=fc["upper"].to_numpy(dtype=np.float64),
            name="Forecast band (upper)",
            legendgroup="band",
            showlegend=False,
            mode="lines",
            line={"width": 0},
            hovertemplate="%{x}<br>Upper %{y:,.0f}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=fc_periods,
            y=fc["lower"].to_numpy(dtype=np.float64),
            name="Forecast band",
            legendgroup="band",
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND_FILL,
            hovertemplate="%{x}<br>Lower %{y:,.0f}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=hist_periods,
            y=hist["variance"].to_numpy(dtype=np.float64),
            name="Variance (actual)",
            mode="lines+markers",
            line={"color": ACTUAL_COLOUR},
            hovertemplate="%{x}<br>Variance %{y:,.0f}<extra></extra>",
        ),
        secondary_y=False,
    )
    # the median line starts at the last actual so the eye follows the path across the cut-off
    med_x = hist_periods[-1:] + fc_periods
    med_y = np.concatenate(
        [hist["variance"].to_numpy(dtype=np.float64)[-1:], fc["median"].to_numpy(dtype=np.float64)]
    )
    fig.add_trace(
        go.Scatter(
            x=med_x,
            y=med_y,
            name="Forecast (median)",
            mode="lines+markers",
            line={"color": FORECAST_COLOUR, "dash": "dash"},
            hovertemplate="%{x}<br>Forecast %{y:,.0f}<extra></extra>",
        ),
        secondary_y=False,
    )
    if {"lstm_median", "spread_lower", "spread_upper"} <= set(fc.columns) and not fc.empty:
        lstm = fc["lstm_median"].to_numpy(dtype=np.float64)
        fig.add_trace(
            go.Scatter(
                x=fc_periods,
                y=lstm,
                name=LSTM_TRACE,
                mode="markers",
                marker={"color": LSTM_COLOUR, "symbol": "diamond"},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": fc["spread_upper"].to_numpy(dtype=np.float64) - lstm,
                    "arrayminus": lstm - fc["spread_lower"].to_numpy(dtype=np.float64),
                    "color": LSTM_COLOUR,
                },
                hovertemplate="%{x}<br>LSTM %{y:,.0f}<extra></extra>",
            ),
            secondary_y=False,
        )
    fig.update_layout(
        title={"text": title or f"Drift forecast: {node}"},
        # Below the rotated period labels and the axis title, so that neither covers the legend.
        legend={"orientation": "h", "y": -0.32, "yanchor": "top"},
        margin={"b": 120},
        hovermode="x unified",
        barmode="overlay",
    )
    fig.update_xaxes(
        title_text="Period", type="category", categoryorder="array", categoryarray=calendar
    )
    fig.update_yaxes(title_text="Variance (actual - planned)", secondary_y=False)
    fig.update_yaxes(title_text="Planned", secondary_y=True, showgrid=False)
    return fig


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
    _require(backtest_table, ["node", "model", "rmse", "mae", "mase"], "backtest")
    title = "Backtest RMSE by model"
    if backtest_table.empty:
        return _empty(title, "No backtest results to show.")
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
        members_table: ``DataFrame[node, rmse_mean, rmse_std, rmse_min, rmse_max]``.
        top: at most this many nodes are drawn, those with the highest mean RMSE.

    Returns:
        Figure with the trace "Members' RMSE (mean, min-max)": a marker at the mean and whiskers
        from the smallest to the largest member RMSE.
    """
    _require(
        members_table, ["node", "rmse_mean", "rmse_std", "rmse_min", "rmse_max"], "members spread"
    )
    title = "Ensemble members' backtest RMSE"
    if members_table.empty:
        return _empty(title, "No ensemble members to show.")
    table = members_table.sort_values("rmse_mean", ascending=False).head(top)
    mean = table["rmse_mean"].to_numpy(dtype=np.float64)
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
            customdata=table[["rmse_std", "rmse_min", "rmse_max"]].to_numpy(dtype=np.float64),
            hovertemplate=(
                "%{x}<br>mean %{y:,.1f}<br>std %{customdata[0]:,.1f}"
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
    _require(
        outlook,
        ["node", "cum_variance_pct_now", "projected_cum_variance_pct", "status_end"],
        "outlook",
    )
    title = "Projected cumulative variance %"
    if outlook.empty:
        return _empty(title, "No outlook to show.")
    defined = outlook[outlook["projected_cum_variance_pct"].notna()]
    left_out = len(outlook) - len(defined)
    table = (
        defined.assign(_abs=defined["projected_cum_variance_pct"].abs())
        .sort_values(["_abs", "node"], ascending=[True, True])
        .tail(top)
    )
    nodes = [str(n) for n in table["node"]]
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
