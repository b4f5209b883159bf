"""Shared look of the charts: RAG colours, the diverging variance scale, amount formats.

Statuses use fixed RAG colours; variance % uses a diverging scale centred at 0 (blue for
under-runs, red for over-runs), clipped at +/- ``PCT_CLIP`` percent so one wild node does not wash
out the rest. Amounts are shown with thousands separators, with the currency when one is given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from portfolio.errors import InputError

RAG_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828"}
DIVERGING = "RdBu_r"
PCT_CLIP = 50.0
# Above the plot: below it, the rotated period labels (2019-Q3) ran under the legend and were cut.
LEGEND_ABOVE = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0.0, "xanchor": "left"}
PLANNED_COLOUR = "#5c6bc0"
ACTUAL_COLOUR = "#ef6c00"


def unit(currency: str) -> str:
    """ " (EUR)" for axis titles, "" without a currency."""
    return f" ({currency})" if currency else ""


def money(currency: str) -> str:
    """The plotly hover format of an amount on the y axis."""
    return f"{currency}%{{y:,.0f}}" if currency else "%{y:,.0f}"


def node_rows(rolled: pd.DataFrame, node: str) -> pd.DataFrame:
    """The rollup rows of one node in period order (an error naming an unknown node)."""
    rows = rolled[rolled["node"] == node]
    if rows.empty:
        raise InputError(f"There is no node called {node!r} in the rollup.")
    return rows.sort_values("period")


def clipped_pct(frame: pd.DataFrame, pct_col: str, var_col: str) -> np.ndarray:
    """Variance % in percent for colouring; undefined (plan 0) shows as the extreme of its sign."""
    pct = frame[pct_col].to_numpy(dtype=float) * 100.0
    var = frame[var_col].to_numpy(dtype=float)
    pct = np.where(np.isnan(pct), np.sign(var) * PCT_CLIP, pct)
    return np.clip(pct, -PCT_CLIP, PCT_CLIP)


def short(label: str, width: int = 48) -> str:
    """A label cut to `width` characters for an axis."""
    return label if len(label) <= width else "…" + label[-(width - 1) :]
