"""Plan versions in the app: the sidebar's baseline column and the Plan versions page."""

from __future__ import annotations

from collections.abc import Callable

from apphelp import metric, no_exception
from streamlit.testing.v1 import AppTest

from portfolio.rollup import BASELINE_COLUMNS
from ui import exports

CSV = (
    "program,project,month,plan,original,spend\n"
    "Ops,Net,2024-01,100,100,105\n"
    "Ops,Net,2024-02,140,100,130\n"
    "Ops,Srv,2024-01,50,50,50\n"
    "Ops,Srv,2024-02,50,50,45\n"
)
SID = "baselinebaselinebase01"


def _upload(at: AppTest, content: str = CSV) -> AppTest:
    at.run()
    at.radio(key="source").set_value("Upload a file").run()
    at.file_uploader(key="upload").set_value(("plans.csv", content.encode(), "text/csv")).run()
    at.multiselect(key="map_levels").set_value(["program", "project"])
    at.selectbox(key="map_period").set_value("month")
    at.selectbox(key="map_planned").set_value("plan")
    at.selectbox(key="map_actual").set_value("spend").run()
    no_exception(at)
    return at


def test_no_baseline_by_default_and_the_page_says_how_to_map_one(
    make_app: Callable[..., AppTest],
):
    at = _upload(make_app())
    assert at.selectbox(key="map_baseline").value == "(none)"
    assert at.selectbox(key="map_baseline").label == "Baseline plan column (optional)"
    assert not set(BASELINE_COLUMNS) & set(at.session_state["_view"].rolled.columns)
    at.switch_page("app_pages/plans.py").run()
    no_exception(at)
    assert any("Baseline plan column (optional)" in i.value for i in at.info)


def test_a_mapped_baseline_shows_the_plan_versions(make_app: Callable[..., AppTest]):
    at = _upload(make_app(SID))
    at.selectbox(key="map_baseline").set_value("original").run()
    no_exception(at)
    rolled = at.session_state["_view"].rolled
    assert set(BASELINE_COLUMNS) <= set(rolled.columns)
    at.switch_page("app_pages/plans.py").run()
    no_exception(at)
    assert metric(at, "Current plan") == "340"
    assert metric(at, "Baseline") == "300"
    assert metric(at, "Plan change") == "40"
    assert metric(at, "Variance vs plan") == "-2.9 %"
    assert metric(at, "Variance vs baseline") == "+10.0 %"
    table = next(d.value for d in at.dataframe if "first_change" in d.value.columns)
    assert table["node"].tolist() == ["All", "Ops", "Ops / Net"]  # Srv's plan never moved
    assert table.set_index("node").loc["Ops / Net", "first_change"] == "2024-02"
    shown = next(d for d in at.dataframe if "first_change" in d.value.columns).proto
    # the analyst's column names, the level by name, the most telling columns in order
    assert list(shown.column_order)[:3] == ["node", "level_name", "cum_planned"]
    assert '"label": "Variance % vs baseline"' in shown.columns
    assert "cum_variance" not in shown.column_order  # in the export, not on the page
    view = at.session_state["_view"]
    frames = exports.portfolio_tables(view)
    assert frames["Plan changes by node"]["node"].tolist()[:3] == ["All", "Ops", "Ops / Net"]
    assert "Plan versions of the whole portfolio" in exports.portfolio_charts(view)
    # the baseline is part of the saved mapping: a reload brings it back
    again = make_app(SID).run()
    no_exception(again)
    assert again.selectbox(key="map_baseline").value == "original"


def test_a_baseline_that_is_not_numeric_is_a_message_naming_column_and_row(
    make_app: Callable[..., AppTest],
):
    at = _upload(make_app(), CSV.replace("Srv,2024-02,50,50", "Srv,2024-02,50,tbd"))
    at.selectbox(key="map_baseline").set_value("original").run()
    no_exception(at)
    errors = " ".join(e.value for e in at.sidebar.error)
    assert "original" in errors and "row 5" in errors and "tbd" in errors
