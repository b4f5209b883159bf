"""Bridge from a rollup to the forecasting frames."""

from __future__ import annotations

import pandas as pd
import pytest

from portfolio.bridge import cut_nodes, future_plan_for_level, hierarchy_edges, series_for_level
from portfolio.errors import InputError
from portfolio.load import LoadSummary, Portfolio
from portfolio.rollup import ROOT, rollup_portfolio

LEVELS = ("prog", "proj")
PERIODS = ("2024-01", "2024-02")


@pytest.fixture
def portfolio() -> Portfolio:
    data = pd.DataFrame(
        [
            ("Ops", "Net", "2024-01", 10.0, 12.0),
            ("Ops", "Net", "2024-02", 10.0, 11.0),
            ("Ops", "Srv", "2024-01", 5.0, 4.0),
            ("Dev", "", "2024-02", 3.0, 3.0),
        ],
        columns=[*LEVELS, "period", "planned", "actual"],
    )
    future = pd.DataFrame(
        [
            ("Ops", "Net", "2024-03", 7.0),
            ("Ops", "Srv", "2024-03", 2.0),
            ("Ops", "Srv", "2024-04", 1.0),
            ("Dev", "", "2024-03", 4.0),
        ],
        columns=[*LEVELS, "period", "planned"],
    )
    summary = LoadSummary("t.csv", 8, 8, 0, 3, 2, "M", 0, ())
    return Portfolio(data, LEVELS, PERIODS, "M", "flow", future, summary)


def test_series_for_level(portfolio: Portfolio) -> None:
    rolled = rollup_portfolio(portfolio)
    s = series_for_level(rolled, 2)
    assert list(s.columns) == ["node", "period", "variance", "planned"]
    # The ragged leaf Dev ends above level 2 and is part of the cut, so the cut sums to the root.
    assert s["node"].tolist() == ["Dev", "Dev", "Ops / Net", "Ops / Net", "Ops / Srv", "Ops / Srv"]
    assert s["variance"].tolist() == [0.0, 0.0, 2.0, 1.0, -1.0, 0.0]
    assert s["planned"].tolist() == [0.0, 3.0, 10.0, 10.0, 5.0, 0.0]
    root = series_for_level(rolled, 0)
    assert s.groupby("period")["planned"].sum().tolist() == root["planned"].tolist()
    top = series_for_level(rolled, 1)
    assert top.loc[top["node"] == "Dev", "variance"].tolist() == [0.0, 0.0]
    assert series_for_level(rolled, 0)["planned"].tolist() == [15.0, 13.0]


def test_future_plan_for_level(portfolio: Portfolio) -> None:
    rolled = rollup_portfolio(portfolio)
    f1 = future_plan_for_level(portfolio, rolled, 1)
    assert list(f1.columns) == ["node", "period", "planned"]
    assert f1.values.tolist() == [
        ["Dev", "2024-03", 4.0],
        ["Ops", "2024-03", 9.0],
        ["Ops", "2024-04", 1.0],
    ]
    f2 = future_plan_for_level(portfolio, rolled, 2)  # the ragged leaf Dev is in the cut
    assert f2["node"].tolist() == ["Dev", "Ops / Net", "Ops / Srv", "Ops / Srv"]
    assert f2["planned"].sum() == f1["planned"].sum()
    f0 = future_plan_for_level(portfolio, rolled, 0)
    assert f0.values.tolist() == [[ROOT, "2024-03", 13.0], [ROOT, "2024-04", 1.0]]


def test_no_future_plan_gives_empty_frame(portfolio: Portfolio) -> None:
    empty = pd.DataFrame(columns=[*LEVELS, "period", "planned"])
    p = Portfolio(portfolio.data, LEVELS, PERIODS, "M", "flow", empty, portfolio.summary)
    out = future_plan_for_level(p, rollup_portfolio(p), 1)
    assert out.empty and list(out.columns) == ["node", "period", "planned"]


def test_hierarchy_edges(portfolio: Portfolio) -> None:
    edges = hierarchy_edges(rollup_portfolio(portfolio))
    assert list(edges.columns) == ["node", "parent"]
    assert dict(zip(edges["node"], edges["parent"], strict=True)) == {
        ROOT: "",
        "Dev": ROOT,
        "Ops": ROOT,
        "Ops / Net": "Ops",
        "Ops / Srv": "Ops",
    }


def test_unknown_level(portfolio: Portfolio) -> None:
    with pytest.raises(InputError, match="no level 5"):
        series_for_level(rollup_portfolio(portfolio), 5)


def test_cut_nodes_and_separator_in_names(portfolio: Portfolio) -> None:
    rolled = rollup_portfolio(portfolio)
    assert cut_nodes(rolled, 2) == ["Dev", "Ops / Net", "Ops / Srv"]
    assert cut_nodes(rolled, 1) == ["Dev", "Ops"]
    # A level value holding the path separator gets the rollup's escaped id in the plan ahead too.
    data = portfolio.data.replace({"Ops": "R / D"})
    future = portfolio.future_plan.replace({"Ops": "R / D"})
    p = Portfolio(data, LEVELS, PERIODS, "M", "flow", future, portfolio.summary)
    rolled2 = rollup_portfolio(p)
    f1 = future_plan_for_level(p, rolled2, 1)
    assert set(f1["node"]) <= set(rolled2["node"])
    assert f1["planned"].sum() == portfolio.future_plan["planned"].sum()
