"""Every page runs on the sample portfolio and shows what it promises."""

from __future__ import annotations

from collections.abc import Callable

from apphelp import metric, no_exception
from streamlit.testing.v1 import AppTest

from portfolio.alerts import AlertRule, alert_table, evaluate, latest_status
from portfolio.load import load_portfolio
from portfolio.rollup import rollup_portfolio
from ui.sources import SAMPLE


def _expected(rule: AlertRule) -> tuple[int, dict[str, int]]:
    statuses = evaluate(rollup_portfolio(load_portfolio(SAMPLE)), rule)
    latest = latest_status(statuses)
    counts = latest["status"].value_counts()
    return len(alert_table(statuses)), {s: int(counts.get(s, 0)) for s in ("red", "amber", "green")}


def test_overview_shows_totals_counts_charts_and_validation(make_app: Callable[..., AppTest]):
    at = make_app().run()
    no_exception(at)
    assert [h.value for h in at.header] == ["Overview"]
    summary = load_portfolio(SAMPLE).summary
    assert metric(at, "Rows read") == f"{summary.rows_read:,}"
    assert metric(at, "Rows used") == f"{summary.rows_used:,}"
    assert metric(at, "Rows rejected") == f"{summary.rows_rejected:,}"
    for label in ("Planned", "Actual", "Variance", "Variance %"):
        assert metric(at, label) not in ("", "n/a")
    _, counts = _expected(AlertRule())
    assert metric(at, "Red nodes") == str(counts["red"])
    assert metric(at, "Green nodes") == str(counts["green"])
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    assert not at.error


def test_sidebar_has_the_contract_widgets(make_app: Callable[..., AppTest]):
    at = make_app().run()
    assert at.radio(key="source").value == "Sample portfolio"
    assert at.radio(key="source").label == "Data source"
    assert list(at.multiselect(key="map_levels").value) == [
        "portfolio",
        "program",
        "project",
        "item",
    ]
    assert at.selectbox(key="map_period").value == "period"
    assert at.selectbox(key="map_planned").value == "planned"
    assert at.selectbox(key="map_actual").value == "actual"
    assert at.radio(key="measure").value == "flow"
    assert at.checkbox(key="sum_duplicates").value is False
    assert at.slider(key="amber_pct").label == "Amber at abs variance %"
    assert at.slider(key="red_pct").label == "Red at abs variance %"
    assert at.number_input(key="floor").label == "Floor on abs variance"
    assert at.radio(key="basis").value == "cumulative"
    assert at.radio(key="direction").value == "both"
    assert at.slider(key="persistence").label == "Persistence (periods)"


def test_hierarchy_page_has_treemap_drilldown_and_history(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.switch_page("app_pages/hierarchy.py").run()
    no_exception(at)
    assert [h.value for h in at.header] == ["Hierarchy"]
    assert len(at.get("plotly_chart")) == 2
    table = at.dataframe[0].value
    # The sample has one portfolio on top, so the drill-down opens on its children, the programs,
    # each with a trend list per period.
    rolled = rollup_portfolio(load_portfolio(SAMPLE))
    assert rolled.loc[rolled["level"] == 1, "node"].nunique() == 1
    assert at.selectbox(key="hier_parent").value == rolled.loc[rolled["level"] == 1, "node"].iloc[0]
    programs = sorted(rolled.loc[rolled["level"] == 2, "node"].unique())
    assert sorted(table["node"]) == programs
    n_periods = rolled["period"].nunique()
    assert all(len(t) == n_periods for t in table["trend"])
    at.selectbox(key="hier_parent").set_value(programs[0]).run()
    no_exception(at)
    table = at.dataframe[0].value
    assert set(rolled.loc[rolled["node"].isin(table["node"]), "parent"]) == {programs[0]}


def test_alerts_page_counts_match_the_core(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.switch_page("app_pages/alerts.py").run()
    no_exception(at)
    assert [h.value for h in at.header] == ["Alerts"]
    alerts, counts = _expected(AlertRule())
    assert metric(at, "Alerts") == str(alerts)
    assert metric(at, "Red") == str(counts["red"])
    assert metric(at, "Amber") == str(counts["amber"])
    assert metric(at, "Green") == str(counts["green"])
    assert len(at.dataframe[0].value) == alerts
    at.multiselect(key="al_severity").set_value(["red"]).run()
    assert len(at.dataframe[0].value) == counts["red"]
    assert at.get("plotly_chart")


def test_moving_a_threshold_slider_changes_the_count_as_the_core_predicts(
    make_app: Callable[..., AppTest],
):
    from ui import data

    at = make_app().run()
    _, counts = _expected(AlertRule())
    assert metric(at, "Amber nodes") == str(counts["amber"])
    reads = data.CALLS["read_raw"]
    at.slider(key="amber_pct").set_value(4).run()  # on the Overview page ...
    no_exception(at)
    after, counts4 = _expected(AlertRule(amber_pct=4))
    assert counts4["amber"] != counts["amber"]
    assert metric(at, "Amber nodes") == str(counts4["amber"])
    at.switch_page("app_pages/alerts.py").run()  # ... carries over to the Alerts page
    no_exception(at)
    assert metric(at, "Alerts") == str(after)
    assert metric(at, "Amber") == str(counts4["amber"])
    at.slider(key="red_pct").set_value(12).run()  # the sidebar slider, on the Alerts page
    after2, counts2 = _expected(AlertRule(amber_pct=4, red_pct=12))
    assert after2 == after  # amber + red together do not change with the red bar ...
    assert metric(at, "Red") == str(counts2["red"])  # ... but red does
    assert counts2["red"] != counts4["red"]
    at.slider(key="persistence").set_value(6).run()
    after3, _ = _expected(AlertRule(amber_pct=4, red_pct=12, persistence=6))
    assert after3 != after
    assert metric(at, "Alerts") == str(after3)
    # Every slider change re-evaluated from the cached rollup: the file was not read again.
    assert data.CALLS["read_raw"] == reads


def test_amber_above_red_is_a_message_not_a_crash(make_app: Callable[..., AppTest]):
    at = make_app().run()
    at.slider(key="amber_pct").set_value(50).run()
    no_exception(at)
    assert any("below the red threshold" in e.value for e in at.error)
    at.slider(key="amber_pct").set_value(10).run()
    assert not at.error
    assert [h.value for h in at.header] == ["Overview"]
