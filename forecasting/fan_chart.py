"""The fan chart of one node: past variance, the forecast median and band, the plan on a second
axis, and the LSTM ensemble's median with its members' spread beside whichever model is shown."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from forecasting.chart_style import (
    ACTUAL_COLOUR,
    BAND_FILL,
    FORECAST_COLOUR,
    LSTM_COLOUR,
    PLANNED_COLOUR,
)
from forecasting.errors import ForecastError
from forecasting.tables import require_columns

LSTM_TRACE = "LSTM ensemble (bars: run-to-run spread of its networks)"


@dataclass(frozen=True)
class _Fan:
    """One node's rows: history and forecast (in order) and their period labels."""

    hist: pd.DataFrame
    fc: pd.DataFrame
    hist_periods: list[str]
    fc_periods: list[str]

    def col(self, frame: pd.DataFrame, name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=np.float64)


def _add_plan(fig: go.Figure, f: _Fan) -> None:
    hover = "%{x}<br>Planned %{y:,.0f}<extra></extra>"
    fig.add_trace(
        go.Bar(
            x=f.hist_periods,
            y=f.col(f.hist, "planned"),
            name="Planned",
            marker={"color": PLANNED_COLOUR},
            hovertemplate=hover,
        ),
        secondary_y=True,
    )
    if "planned" in f.fc.columns and f.fc["planned"].notna().any():
        fig.add_trace(
            go.Bar(
                x=f.fc_periods,
                y=f.col(f.fc, "planned"),
                name="Planned (future)",
                marker={"color": PLANNED_COLOUR, "pattern": {"shape": "/"}},
                hovertemplate=hover,
            ),
            secondary_y=True,
        )


def _add_band(fig: go.Figure, f: _Fan) -> None:
    fig.add_trace(
        go.Scatter(
            x=f.fc_periods,
            y=f.col(f.fc, "upper"),
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
            x=f.fc_periods,
            y=f.col(f.fc, "lower"),
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


def _add_lines(fig: go.Figure, f: _Fan) -> None:
    variance = f.col(f.hist, "variance")
    fig.add_trace(
        go.Scatter(
            x=f.hist_periods,
            y=variance,
            name="Variance (actual)",
            mode="lines+markers",
            line={"color": ACTUAL_COLOUR},
            hovertemplate="%{x}<br>Variance %{y:,.0f}<extra></extra>",
        ),
        secondary_y=False,
    )
    # the median line starts at the last actual so the eye follows the path across the cut-off
    fig.add_trace(
        go.Scatter(
            x=f.hist_periods[-1:] + f.fc_periods,
            y=np.concatenate([variance[-1:], f.col(f.fc, "median")]),
            name="Forecast (median)",
            mode="lines+markers",
            line={"color": FORECAST_COLOUR, "dash": "dash"},
            hovertemplate="%{x}<br>Forecast %{y:,.0f}<extra></extra>",
        ),
        secondary_y=False,
    )


def _add_lstm(fig: go.Figure, f: _Fan) -> None:
    if not {"lstm_median", "spread_lower", "spread_upper"} <= set(f.fc.columns) or f.fc.empty:
        return
    lstm = f.col(f.fc, "lstm_median")
    fig.add_trace(
        go.Scatter(
            x=f.fc_periods,
            y=lstm,
            name=LSTM_TRACE,
            mode="markers",
            marker={"color": LSTM_COLOUR, "symbol": "diamond"},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": f.col(f.fc, "spread_upper") - lstm,
                "arrayminus": lstm - f.col(f.fc, "spread_lower"),
                "color": LSTM_COLOUR,
            },
            hovertemplate="%{x}<br>LSTM %{y:,.0f}<extra></extra>",
        ),
        secondary_y=False,
    )


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
    require_columns(history, ["node", "period", "variance", "planned"], "history")
    require_columns(forecast, ["node", "period", "step", "median", "lower", "upper"], "forecast")
    hist = history[history["node"].astype(str) == node].sort_values("period")
    fc = forecast[forecast["node"].astype(str) == node].sort_values("step")
    if hist.empty and fc.empty:
        raise ForecastError(f"There is no history or forecast for node '{node}'.")
    f = _Fan(hist, fc, [str(p) for p in hist["period"]], [str(p) for p in fc["period"]])
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    _add_plan(fig, f)
    _add_band(fig, f)
    _add_lines(fig, f)
    _add_lstm(fig, f)
    fig.update_layout(
        title={"text": title or f"Drift forecast: {node}"},
        # Below the rotated period labels and the axis title, so that neither covers the legend.
        legend={"orientation": "h", "y": -0.32, "yanchor": "top"},
        margin={"b": 120},
        hovermode="x unified",
        barmode="overlay",
    )
    calendar = list(dict.fromkeys(f.hist_periods + f.fc_periods))
    fig.update_xaxes(
        title_text="Period", type="category", categoryorder="array", categoryarray=calendar
    )
    fig.update_yaxes(title_text="Variance (actual - planned)", secondary_y=False)
    # Its own round ticks, not ticks synced to the left axis's grid (plotly.js's default).
    fig.update_yaxes(title_text="Planned", secondary_y=True, showgrid=False, tickmode="auto")
    return fig
