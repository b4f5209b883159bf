"""Display helpers: pick and label the columns the pages show, and format figures.

No arithmetic on the figures happens here: the numbers come from the cores as they are; these
helpers choose columns, name levels and group values into lists for sparkline columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from portfolio.alerts import STATUSES
from portfolio.rollup import ROOT

# Words, not coloured emoji: a browser without an emoji font would show empty boxes.
STATUS_ICON = {"green": "Green", "amber": "Amber", "red": "Red"}


def money(value: float) -> str:
    """A currency amount with thousands separators (no symbol: one currency per file)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = "-" if value < 0 else ""
    size = abs(value)
    if size >= 1e9:
        return f"{sign}{size / 1e9:,.2f} bn"
    if size >= 1e6:
        return f"{sign}{size / 1e6:,.2f} M"
    return f"{sign}{size:,.0f}"


def pct(fraction: float) -> str:
    """A fraction as a percentage; 'n/a (no plan)' where it is undefined."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "n/a (no plan)"
    return f"{fraction * 100:+.1f} %"


def level_names(levels: Sequence[str]) -> dict[int, str]:
    """Level number -> name, with 0 for the whole portfolio."""
    return {0: "Whole portfolio", **{i: name for i, name in enumerate(levels, start=1)}}


def status_counts(latest: pd.DataFrame) -> dict[str, int]:
    """How many nodes hold each status at the last period."""
    counts = latest["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def root_row(latest: pd.DataFrame) -> pd.Series:
    """The whole portfolio's row of a latest-status frame."""
    return latest.loc[latest["node"] == ROOT].iloc[0]


# a percentage of nothing planned is undefined: the table shows it as None
_NO_PLAN = (
    "Variance / planned. None where nothing was planned: spend without a plan, which alerts "
    "red beyond the floor."
)
NODE_COLUMNS = {
    "node": st.column_config.TextColumn("Node", width="large"),
    "level_name": st.column_config.TextColumn("Level"),
    "status": st.column_config.TextColumn("Status"),
    "cum_planned": st.column_config.NumberColumn("Planned to date", format="localized"),
    "cum_actual": st.column_config.NumberColumn("Actual to date", format="localized"),
    "cum_variance": st.column_config.NumberColumn("Variance to date", format="localized"),
    "cum_variance_pct": st.column_config.NumberColumn(
        "Variance % to date", format="percent", help=_NO_PLAN
    ),
    "variance_pct": st.column_config.NumberColumn(
        "Variance % (last period)", format="percent", help=_NO_PLAN
    ),
    "periods_in_status": st.column_config.NumberColumn("Periods in status"),
    "trend": st.column_config.LineChartColumn("Cumulative variance trend"),
}


def node_table(latest: pd.DataFrame, levels: Sequence[str]) -> pd.DataFrame:
    """The columns of a latest-status frame an analyst reads, with level names and status marks."""
    names = level_names(levels)
    out = latest.assign(
        level_name=latest["level"].map(names),
        status=latest["status"].map(STATUS_ICON),
    )
    cols = [c for c in NODE_COLUMNS if c in out.columns and c != "trend"]
    return out[cols].reset_index(drop=True)


def with_trend(table: pd.DataFrame, rolled: pd.DataFrame) -> pd.DataFrame:
    """Add a ``trend`` column: each node's cumulative variance per period, as a list."""
    nodes = set(table["node"])
    part = rolled.loc[rolled["node"].isin(nodes), ["node", "period", "cum_variance"]]
    series = part.sort_values(["node", "period"]).groupby("node", sort=False)["cum_variance"]
    trends = series.agg(lambda s: [float(v) for v in s])
    return table.assign(trend=table["node"].map(trends))


def first_branching(latest: pd.DataFrame) -> str:
    """The first node, from the top, with more than one child (the root when it branches).

    A portfolio with a single top item (one portfolio above its programs) would otherwise open the
    drill-down on a one-row table.
    """
    children = latest.groupby("parent")["node"].agg(list)
    node = ROOT
    while len(kids := children.get(node, [])) == 1 and kids[0] in children.index:
        node = kids[0]
    return node


def as_of(periods: Sequence[str], frequency: str) -> str:
    """When the figures stand, in words: "to date at 2025-12", or for a file of one period
    "of its single period 'FY24'" (a single period has no "to date")."""
    if not periods:
        return ""
    if frequency == "single":
        return f"of its single period '{periods[-1]}'"
    return f"to date at {periods[-1]}"
