"""The look shared by the forecasting charts: colours, and the empty figure every builder uses
(the column checks are ``forecasting.tables.require_columns``)."""

from __future__ import annotations

import plotly.graph_objects as go

ACTUAL_COLOUR = "#1f3b73"
FORECAST_COLOUR = "#d9480f"
BAND_FILL = "rgba(217, 72, 15, 0.18)"
PLANNED_COLOUR = "rgba(120, 120, 120, 0.22)"
LSTM_COLOUR = "#7f7f7f"
BASELINE_COLOUR = "#9aa5b1"
STATUS_COLOURS = {"green": "#2b8a3e", "amber": "#f59f00", "red": "#c92a2a"}


def empty_figure(title: str, message: str) -> go.Figure:
    """A figure with no axes that says ``message`` (there is nothing to draw)."""
    fig = go.Figure()
    fig.update_layout(title={"text": title}, xaxis={"visible": False}, yaxis={"visible": False})
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return fig
