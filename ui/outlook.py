"""Streamlit glue of the At completion and Drift attribution views and the Alerts contributors.

The figures come from ``portfolio.completion`` and ``portfolio.attribution``; this module picks
the forecast the Forecast page trained (when there is one in this session), caches the tables
per loaded file and rule, and names the columns for display.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from portfolio.alerts import AlertRule, alert_table
from portfolio.attribution import Window, top_contributors
from portfolio.completion import Completion, completion_of
from portfolio.completion_backtest import MethodBacktest, backtest_methods
from portfolio.errors import InputError
from portfolio.load import Portfolio
from ui import forecast_fresh
from ui.data import DataKey
from ui.view import View

log = logging.getLogger(__name__)

EAC_COLUMNS = {
    "node": st.column_config.TextColumn("Node", width="large"),
    "level_name": st.column_config.TextColumn("Level"),
    "status": st.column_config.TextColumn("Status at completion"),
    "eac_basis": st.column_config.TextColumn("Judged on"),
    "bac": st.column_config.NumberColumn("BAC", format="localized"),
    "actual_to_date": st.column_config.NumberColumn("Actual to date", format="localized"),
    "remaining_plan": st.column_config.NumberColumn("Remaining plan", format="localized"),
    "completion_period": st.column_config.TextColumn("Completion"),
    "spend_index": st.column_config.NumberColumn("Spend index", format="%.3f"),
    "eac_plan": st.column_config.NumberColumn("EAC (plan)", format="localized"),
    "eac_rate": st.column_config.NumberColumn("EAC (rate)", format="localized"),
    "eac_forecast": st.column_config.NumberColumn("EAC (forecast)", format="localized"),
    "eac_lower": st.column_config.NumberColumn("EAC low", format="localized"),
    "eac_upper": st.column_config.NumberColumn("EAC high", format="localized"),
    "vac_rate": st.column_config.NumberColumn("VAC (rate)", format="localized"),
    "vac_forecast": st.column_config.NumberColumn("VAC (forecast)", format="localized"),
}
ATTRIBUTION_COLUMNS = {
    "node": st.column_config.TextColumn("Node", width="medium"),
    "child": st.column_config.TextColumn("Contributor", width="large"),
    "variance": st.column_config.NumberColumn("Variance", format="localized"),
    "share": st.column_config.NumberColumn("Share of the node's", format="percent"),
    "status": st.column_config.TextColumn("Node status"),
}


@st.cache_data(max_entries=16, show_spinner="Projecting to completion ...")
def _plain(key: DataKey, rule: AlertRule, _p: Portfolio, _rolled: pd.DataFrame) -> Completion:
    """The at-completion table without a forecast, cached per file, mapping and rule."""
    del key  # part of the cache key only
    return completion_of(_p, _rolled, rule=rule)


def session_forecast(view: View) -> tuple[pd.DataFrame | None, str]:
    """The forecast trained on the Forecast page in this session for this view's file, and what
    it covers (a forecast of another file or mapping is not used)."""
    result = forecast_fresh.result_for(view)
    forecast = getattr(getattr(result, "run", None), "forecast", None)
    if not isinstance(forecast, pd.DataFrame) or forecast.empty:
        return None, ""
    return forecast, str(getattr(result, "label", "the forecast"))


def completion(view: View) -> tuple[Completion, str]:
    """The at-completion table of the view (with the session's forecast when there is one)."""
    assert view.portfolio is not None and view.rolled is not None and view.rule is not None
    assert view.key is not None
    forecast, label = session_forecast(view)
    if forecast is not None:
        try:
            return completion_of(view.portfolio, view.rolled, forecast=forecast, rule=view.rule), (
                label
            )
        except InputError as err:  # a forecast of another file or mapping: go without it
            log.warning("forecast not usable for the EAC: %s", err)
    return _plain(view.key, view.rule, view.portfolio, view.rolled), ""


@st.cache_data(max_entries=16, show_spinner=False)
def method_backtest(key: DataKey, _p: Portfolio, _rolled: pd.DataFrame) -> MethodBacktest:
    """The EAC method backtest of the view's file (it needs no forecast and no alert rule)."""
    table = _plain(key, AlertRule(), _p, _rolled).table
    return backtest_methods(_rolled, table, measure=_p.measure)


def alert_window(rule: AlertRule) -> Window:
    """The variance the alerts judge: to date (cumulative basis) or the last period's."""
    return Window("to_date") if rule.basis == "cumulative" else Window("period")


def contributors(view: View, n: int = 3) -> pd.DataFrame:
    """The top ``n`` contributors of every amber or red parent, worst parent first."""
    assert view.statuses is not None and view.rolled is not None and view.rule is not None
    alerts = alert_table(view.statuses)
    parents = alerts[alerts["node"].isin(set(view.rolled["parent"]))]
    if parents.empty:
        return pd.DataFrame(columns=["node", "status", "child", "variance", "share"])
    top = top_contributors(view.rolled, parents["node"].tolist(), alert_window(view.rule), n=n)
    status = parents.set_index("node")["status"]
    top.insert(1, "status", top["node"].map(status).to_numpy())
    return top
