"""The At completion and Attribution pages and the Alerts contributors, on the sample portfolio."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pandas as pd
from apphelp import metric, no_exception
from streamlit.testing.v1 import AppTest

from portfolio.alerts import AlertRule, alert_table, evaluate
from portfolio.attribution import Window, attribute, top_contributors
from portfolio.completion import completion_of, worst_first
from portfolio.load import load_portfolio
from portfolio.rollup import ROOT, rollup_portfolio
from ui import tables
from ui.sources import SAMPLE


def _sample():
    p = load_portfolio(SAMPLE)
    return p, rollup_portfolio(p)


# AppTest does not expose a dataframe's key: the tables are told apart by their columns.
SIGNATURES = {
    "ac_table": {"bac", "eac_plan"},
    "ac_backtest_table": {"cutoff", "wape"},
    "at_table": {"node", "child", "share"},
    "al_drivers": {"node", "status", "child", "share"},
}


def _frames(at: AppTest, key: str) -> list[pd.DataFrame]:
    return [df.value for df in at.dataframe if SIGNATURES[key] <= set(df.value.columns)]


def _charts(at: AppTest, key: str) -> list:
    return [c for c in at.get("plotly_chart") if getattr(c, "key", None) == key]


def test_at_completion_page_shows_table_chart_and_backtest(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.switch_page("app_pages/completion.py").run()
    no_exception(at)
    assert [h.value for h in at.header] == ["At completion"]
    p, rolled = _sample()
    done = completion_of(p, rolled, rule=AlertRule())
    root = done.table[done.table["node"] == ROOT].iloc[0]
    assert metric(at, "BAC") == tables.money(root["bac"])
    assert metric(at, "EAC (rate)") == tables.money(root["eac_rate"])
    assert _charts(at, "ac_chart") and _charts(at, "ac_backtest_chart")
    (shown,) = _frames(at, "ac_table")
    expected = worst_first(done.table[done.table["level"] == 2])  # programs by default
    assert shown["node"].tolist() == expected["node"].tolist()
    assert "eac_forecast" not in shown.columns
    (scores,) = _frames(at, "ac_backtest_table")
    assert set(scores["method"]) == {"plan", "rate"}


def test_at_completion_uses_the_sessions_forecast(make_app: Callable[..., AppTest]):
    p, rolled = _sample()
    programs = rolled.loc[rolled["level"] <= 2, "node"].unique()
    forecast = pd.DataFrame(
        [
            (node, period, step, 1000.0, 0.0, 2500.0)
            for node in programs
            for step, period in enumerate(["2026-01", "2026-02"], start=1)
        ],
        columns=["node", "period", "step", "median", "lower", "upper"],
    )
    at = make_app().run()
    key = at.session_state["_view"].key
    at.session_state["fc_result"] = SimpleNamespace(
        run=SimpleNamespace(forecast=forecast),
        label="level program",
        key=("other file",),
        data_key=("other file",),
    )
    at.switch_page("app_pages/completion.py").run()
    no_exception(at)
    (shown,) = _frames(at, "ac_table")
    assert "eac_forecast" not in shown.columns  # a forecast of another file is not used

    at.session_state["fc_result"] = SimpleNamespace(
        run=SimpleNamespace(forecast=forecast),
        label="level program",
        key=(key, "level"),
        data_key=key,
    )
    at.run()
    no_exception(at)
    (shown,) = _frames(at, "ac_table")
    expected = completion_of(p, rolled, forecast=forecast).table.set_index("node")
    first = shown.iloc[0]
    assert first["eac_forecast"] == expected.loc[first["node"], "eac_forecast"]
    assert (shown["eac_lower"] <= shown["eac_forecast"]).all()
    figure = _charts(at, "ac_chart")[0]
    assert "EAC (forecast)" in figure.proto.spec


def test_attribution_page_waterfall_table_and_path(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.switch_page("app_pages/attribution.py").run()
    no_exception(at)
    assert [h.value for h in at.header] == ["Attribution"]
    _, rolled = _sample()
    node = at.selectbox(key="at_node").value
    table, path = _frames(at, "at_table")  # the attribution, then the path followed down
    expected = attribute(rolled, node)
    assert table["child"].tolist() == expected["child"].tolist()
    assert abs(table["share"].sum() - 1.0) < 1e-9
    assert _charts(at, "at_waterfall") and path["node"].iloc[0] == node

    at.radio(key="at_kind").set_value("Change between two periods").run()
    at.selectbox(key="at_since").set_value("2025-06").run()
    at.selectbox(key="at_period").set_value("2025-03").run()
    no_exception(at)
    assert any("must come before" in e.value for e in at.error)

    at.selectbox(key="at_period").set_value("2025-12").run()
    at.checkbox(key="at_leaves").check().run()
    leaves, _ = _frames(at, "at_table")
    window = Window("change", "2025-12", since="2025-06")
    assert (
        leaves["child"].tolist() == attribute(rolled, node, window, leaves=True)["child"].tolist()
    )


def test_alerts_page_lists_top_contributors_of_amber_and_red_parents(
    make_app: Callable[..., AppTest],
):
    at = make_app().run()
    at.switch_page("app_pages/alerts.py").run()
    no_exception(at)
    (drivers,) = _frames(at, "al_drivers")
    _, rolled = _sample()
    alerts = alert_table(evaluate(rolled, AlertRule()))
    parents = alerts.loc[alerts["node"].isin(set(rolled["parent"])), "node"].tolist()
    assert parents, "the sample should have amber or red parents"
    expected = top_contributors(rolled, parents, n=3)
    assert drivers[["node", "child"]].values.tolist() == expected[["node", "child"]].values.tolist()
    assert set(drivers["status"]) <= {"amber", "red"}
    assert drivers.groupby("node").size().max() <= 3
