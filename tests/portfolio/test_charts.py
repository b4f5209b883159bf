"""Chart builders: the right data in the right traces, readable titles and colours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from portfolio.alerts import AlertRule, evaluate, latest_status
from portfolio.charts import (
    DIVERGING,
    RAG_COLOURS,
    hierarchy_treemap,
    node_history,
    status_heatmap,
    top_drifters,
    totals_over_time,
)
from portfolio.errors import InputError
from portfolio.rollup import ROOT, rollup

PERIODS = ["2024-01", "2024-02", "2024-03"]


@pytest.fixture(scope="module")
def rolled() -> pd.DataFrame:
    rows = [
        ("Ops", "Net", "2024-01", 100.0, 120.0),
        ("Ops", "Net", "2024-02", 100.0, 150.0),
        ("Ops", "Net", "2024-03", 100.0, 100.0),
        ("Ops", "Srv", "2024-01", 200.0, 180.0),
        ("Ops", "Srv", "2024-02", 200.0, 200.0),
        ("Dev", "App", "2024-02", 0.0, 30.0),
        ("Dev", "Web", "2024-03", 50.0, 50.0),
    ]
    data = pd.DataFrame(rows, columns=["prog", "proj", "period", "planned", "actual"])
    return rollup(data, ["prog", "proj"], PERIODS)


@pytest.fixture(scope="module")
def statuses(rolled: pd.DataFrame) -> pd.DataFrame:
    return evaluate(rolled, AlertRule())


def test_totals_over_time(rolled: pd.DataFrame) -> None:
    fig = totals_over_time(rolled, currency="$")
    assert isinstance(fig, go.Figure)
    planned, actual, variance = fig.data
    assert list(planned.x) == PERIODS
    assert list(planned.y) == [300.0, 600.0, 750.0]
    assert list(actual.y) == [300.0, 680.0, 830.0]
    assert list(variance.y) == [0.0, 80.0, 0.0]
    title = fig.layout.title.text
    assert "All" in title and "$80" in title and "+10.7 %" in title
    assert fig.layout.yaxis.title.text == "Cost to date ($)"


def test_totals_unknown_node(rolled: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="Nowhere"):
        totals_over_time(rolled, "Nowhere")


def test_treemap_sizes_add_up_and_colours_diverge(statuses: pd.DataFrame) -> None:
    latest = latest_status(statuses)
    fig = hierarchy_treemap(latest, currency="$")
    tm = fig.data[0]
    ids = list(tm.ids)
    values = dict(zip(ids, tm.values, strict=True))
    parents = dict(zip(ids, tm.parents, strict=True))
    for parent in parents.values():
        if parent:
            kids = sum(v for k, v in values.items() if parents[k] == parent)
            assert values[parent] >= kids
    assert values["Ops / Net"] == 370.0  # max(planned 300, actual 370)
    assert tm.marker.cmid == 0.0
    assert tm.marker.colorscale[0][1] != tm.marker.colorscale[-1][1]
    colours = dict(zip(ids, tm.marker.colors, strict=True))
    assert colours["Dev / App"] == 50.0  # unplanned spend shows as the red extreme
    assert colours["Ops / Srv"] == pytest.approx(-20 / 400 * 100)
    assert "Variance %" in tm.marker.colorbar.title.text
    assert DIVERGING == "RdBu_r"


def test_node_history(rolled: pd.DataFrame) -> None:
    fig = node_history(rolled, "Ops / Net")
    planned, actual, pct = fig.data
    assert list(planned.y) == [100.0, 100.0, 100.0]
    assert list(actual.y) == [120.0, 150.0, 100.0]
    np.testing.assert_allclose(pct.y, [20.0, 35.0, 70 / 3])
    assert "Ops / Net" in fig.layout.title.text
    # The left axis groups thousands; the right (%) axis has its own round ticks: neither the
    # left's format nor plotly.js's default of ticks synced to the left grid (4.00412993495 %).
    assert fig.layout.yaxis.tickformat == "," and fig.layout.yaxis2.tickformat is None
    assert fig.layout.yaxis2.tickmode == "auto" and fig.layout.yaxis2.ticksuffix == " %"


def test_top_drifters_orders_by_size_and_uses_rag(statuses: pd.DataFrame) -> None:
    latest = latest_status(statuses)
    fig = top_drifters(latest, n=2)
    bar = fig.data[0]
    # leaves by |cum variance|: Ops / Net 70, Dev / App 30, Ops / Srv -20; largest on top (last)
    assert list(bar.y) == ["Dev / App", "Ops / Net"]
    assert list(bar.x) == [30.0, 70.0]
    assert list(bar.marker.color) == [RAG_COLOURS["red"], RAG_COLOURS["amber"]]
    assert list(bar.text) == ["plan 0", "+23.3 %"]
    level1 = top_drifters(latest, n=5, level=1).data[0]
    assert set(level1.y) == {"Ops", "Dev"}
    # room beyond the bars on both sides for the labels outside them (Ops / Srv is -20)
    low, high = top_drifters(latest, n=3).layout.xaxis.range
    assert low < -20 and high > 70
    assert top_drifters(latest, n=2).layout.xaxis.range[0] == 0  # no negative bar, no room
    assert not top_drifters(latest, level=7).data[0].y  # no node at that level: no bars


def test_status_heatmap(statuses: pd.DataFrame) -> None:
    fig = status_heatmap(statuses, level=2)
    hm = fig.data[0]
    rows = list(hm.y)
    assert rows == ["Ops / Srv", "Ops / Net", "Dev / Web", "Dev / App"]
    net = np.asarray(hm.z)[rows.index("Ops / Net")]
    assert list(net) == [1.0, 2.0, 1.0]  # cum %: 20, 35, 23.3
    assert hm.zmin == 0 and hm.zmax == 2
    assert list(fig.layout.xaxis.tickvals or []) == [] and list(hm.x) == PERIODS


def test_status_heatmap_caps_rows(statuses: pd.DataFrame) -> None:
    fig = status_heatmap(statuses, level=2, max_nodes=2)
    assert set(fig.data[0].y) == {"Ops / Net", "Dev / App"}
    assert "2 of 4" in fig.layout.title.text


def test_status_heatmap_unknown_level(statuses: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="level 7"):
        status_heatmap(statuses, level=7)


def test_root_only_treemap() -> None:
    data = pd.DataFrame({"a": ["x"], "period": ["all"], "planned": [1.0], "actual": [1.0]})
    latest = latest_status(evaluate(rollup(data, ["a"], ["all"]), AlertRule()))
    fig = hierarchy_treemap(latest)
    assert list(fig.data[0].ids) == [ROOT, "x"]


def test_a_large_treemap_is_drawn_down_to_the_deepest_level_that_fits(
    statuses: pd.DataFrame,
) -> None:
    latest = latest_status(statuses)
    full = hierarchy_treemap(latest).data[0]
    by_level = latest.groupby("level")["node"].count()
    cap = int(by_level.loc[[0, 1]].sum())  # room for the root and level 1 only
    fig = hierarchy_treemap(latest, max_nodes=cap)
    tm = fig.data[0]
    assert len(tm.ids) == cap
    assert set(tm.ids) == set(latest.loc[latest["level"] <= 1, "node"])
    # The boxes drawn keep the totals of what is below them.
    full_values = dict(zip(full.ids, full.values, strict=True))
    assert dict(zip(tm.ids, tm.values, strict=True)) == {i: full_values[i] for i in tm.ids}
    hidden = len(latest) - cap
    assert f"the {hidden:,} nodes below them are left out" in fig.layout.title.text
    assert "left out" not in hierarchy_treemap(latest).layout.title.text


def test_year_labels_are_periods_on_every_period_axis() -> None:
    # A yearly file's labels look like numbers; plotly would draw 2,011.5 between two of them.
    years = ["2011", "2012"]
    data = pd.DataFrame(
        [("Ops", "Net", y, 100.0, 110.0) for y in years],
        columns=["prog", "proj", "period", "planned", "actual"],
    )
    rolled = rollup(data, ["prog", "proj"], years)
    over_time = totals_over_time(rolled)
    assert {fig_axis.type for fig_axis in (over_time.layout.xaxis, over_time.layout.xaxis2)} == {
        "category"
    }
    assert node_history(rolled, "Ops / Net").layout.xaxis.type == "category"
    assert {t.mode for t in over_time.data if t.type == "scatter"} == {"lines"}
    one = rollup(data.iloc[:1], ["prog", "proj"], years[:1])
    assert {t.mode for t in totals_over_time(one).data if t.type == "scatter"} == {"markers"}
    heat = status_heatmap(evaluate(rolled, AlertRule()), level=2)
    assert heat.layout.xaxis.type == "category" and list(heat.data[0].x) == years


def test_a_file_of_levels_is_labelled_as_reported(rolled: pd.DataFrame) -> None:
    flows = totals_over_time(rolled)
    assert flows.data[0].name == "Planned (cumulative)"
    assert flows.layout.yaxis.title.text == "Cost to date"
    levels = totals_over_time(rolled, currency="$", measure="level")
    assert [t.name for t in levels.data[:2]] == ["Planned (as reported)", "Actual (as reported)"]
    assert levels.layout.yaxis.title.text == "Cost as reported ($)"
    history = node_history(rolled, "Ops / Net", measure="level")
    assert [t.name for t in history.data[:2]] == ["Planned change", "Actual change"]
    assert history.layout.yaxis.title.text == "Change per period"
    assert node_history(rolled, "Ops / Net").layout.yaxis.title.text == "Cost per period"
