"""The drift outlook's crossing table as the Forecast page shows it: the analyst's column names,
percentages as percentages and the probabilities of reaching each band."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st


def _money(label: str) -> Any:
    return st.column_config.NumberColumn(label, format="localized")


def _pct(label: str) -> Any:
    return st.column_config.NumberColumn(label, format="percent")


COLUMNS: dict[str, Any] = {
    "node": st.column_config.TextColumn("Node", width="medium"),
    "cum_planned_now": _money("Planned to date"),
    "cum_variance_now": _money("Variance to date"),
    "cum_variance_pct_now": _pct("Variance % to date"),
    "status_now": st.column_config.TextColumn("Status now"),
    "projected_cum_planned": _money("Planned at horizon"),
    "projected_cum_variance": _money("Variance at horizon"),
    "projected_cum_variance_pct": _pct("Variance % at horizon"),
    "projected_cum_actual": _money("Actual at horizon"),
    "status_end": st.column_config.TextColumn("Status at horizon"),
    "first_amber_period": st.column_config.TextColumn("First amber period"),
    "first_red_period": st.column_config.TextColumn("First red period"),
    "p_amber": _pct("Chance of amber or worse"),
    "p_red": _pct("Chance of red"),
    "planned_source": st.column_config.TextColumn(
        "Plan ahead",
        help="plan: from your file; assumed: not in your file, so the forecast assumed it (your "
        "last season's plan repeated, or a plan of levels held where it stands); mixed: both "
        "over the horizon",
    ),
}


def show_crossing(crossing: pd.DataFrame) -> None:
    """The nodes projected to reach amber or red, with readable columns."""
    # a band never reached within the horizon: a dash, not "None"
    shown = crossing.assign(
        **{
            c: crossing[c].astype(object).where(crossing[c].notna(), "—")
            for c in ("first_amber_period", "first_red_period")
            if c in crossing
        }
    )
    st.dataframe(shown, hide_index=True, key="fc_crossing", column_config=COLUMNS)
