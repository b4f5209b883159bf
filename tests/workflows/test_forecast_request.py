"""The shared forecast request: default level, checks, bands and the outlook under a new rule."""

from __future__ import annotations

from dataclasses import asdict, fields

import pandas as pd
import pytest

from forecasting.outlook import OutlookBands
from forecasting.settings import ModelSettings
from portfolio.alerts import AlertRule
from portfolio.errors import InputError
from portfolio.load import load_portfolio
from portfolio.mapping import ColumnMapping
from portfolio.rollup import rollup_portfolio
from workflows.forecast_request import (
    DEFAULT_LEVEL_MAX_NODES,
    ForecastChoices,
    build_request,
    default_level,
    outlook_bands,
)


def _portfolio(programs: int, projects: int, periods: int = 14, measure: str = "flow"):
    rows = [
        (f"P{i}", f"J{j}", f"2023-{m:02d}" if m <= 12 else f"2024-{m - 12:02d}", 100.0, 110.0)
        for i in range(programs)
        for j in range(projects)
        for m in range(1, periods + 1)
    ]
    frame = pd.DataFrame(rows, columns=["program", "project", "period", "planned", "actual"])
    p = load_portfolio(
        frame.to_csv(index=False).encode(),
        ColumnMapping(levels=("program", "project"), measure=measure),  # type: ignore[arg-type]
    )
    return p, rollup_portfolio(p)


def test_default_level_is_the_deepest_within_the_node_limit() -> None:
    _, rolled = _portfolio(programs=3, projects=4)
    assert default_level(rolled) == 2  # 12 projects fit
    _, big = _portfolio(programs=7, projects=10, periods=2)
    assert DEFAULT_LEVEL_MAX_NODES < 7 * 10
    assert default_level(big) == 1  # 70 projects do not, the 7 programs do


def test_request_covers_the_level_its_ancestors_and_the_next_labels() -> None:
    p, rolled = _portfolio(programs=2, projects=2)
    req = build_request(p, rolled, ForecastChoices(), ModelSettings(horizon=3), AlertRule())
    assert req.level == 2 and req.node is None
    assert set(req.series["node"]) == {"P0 / J0", "P0 / J1", "P1 / J0", "P1 / J1"}
    assert req.edges is not None and set(req.edges["node"]) == {"All", "P0", "P1", *req.series.node}
    assert set(req.history["node"]) == {"All", "P0", "P1", *req.series["node"]}
    assert req.future_periods() == ["2024-03", "2024-04", "2024-05"]
    assert req.future_periods(ModelSettings(horizon=1)) == ["2024-03"]


def test_one_node_has_no_edges_and_its_own_level() -> None:
    p, rolled = _portfolio(programs=2, projects=2)
    req = build_request(p, rolled, ForecastChoices(node="P1"), ModelSettings(), AlertRule())
    assert (req.level, req.label, req.edges) == (1, "node P1", None)
    assert set(req.series["node"]) == {"P1"}


@pytest.mark.parametrize(
    ("choices", "words"),
    [
        (ForecastChoices(level=5), "level must be from 0"),
        (ForecastChoices(node="Nope"), "'Nope' is not a node"),
        (ForecastChoices(backtest_k=-1), "0 or more cut-offs"),
        (ForecastChoices(node="P1", reconcile="ols"), "cannot be used with one node"),
    ],
)
def test_bad_choices_are_refused_in_words(choices: ForecastChoices, words: str) -> None:
    p, rolled = _portfolio(programs=2, projects=2)
    with pytest.raises(InputError, match=words):
        build_request(p, rolled, choices, ModelSettings(), AlertRule())


def test_single_period_file_is_refused() -> None:
    p, rolled = _portfolio(programs=2, projects=2, periods=1)
    with pytest.raises(InputError, match="single period"):
        build_request(p, rolled, ForecastChoices(), ModelSettings(), AlertRule())


def test_bands_carry_the_whole_rule_and_share_its_defaults() -> None:
    rule = AlertRule(amber_pct=12.0, red_pct=25.0, floor=500.0, direction="overrun")
    assert outlook_bands(rule) == OutlookBands(12.0, 25.0, 500.0, "overrun")
    # the two cores type their defaults apart (they never import each other): keep them equal
    rule_defaults = asdict(AlertRule())
    assert {f.name: rule_defaults[f.name] for f in fields(OutlookBands)} == asdict(OutlookBands())


def test_a_file_of_levels_carries_its_plan_ahead_and_a_file_of_flows_does_not() -> None:
    settings = ModelSettings(horizon=3)
    p, rolled = _portfolio(programs=1, projects=2, measure="level")
    req = build_request(p, rolled, ForecastChoices(), settings, AlertRule())
    assert req.carry_plan and req.future.empty  # the file gives no plan ahead
    ahead = req.future_for(settings)
    assert set(ahead["node"]) == {"P0 / J0", "P0 / J1"}
    assert sorted(set(ahead["period"])) == ["2024-03", "2024-04", "2024-05"]
    assert (ahead["planned"] == 0.0).all() and len(ahead) == 6
    assert ahead["assumed"].all()  # the forecast and the outlook say so
    assert len(req.future_for(ModelSettings(horizon=1))) == 2  # a loaded model's horizon
    flows, rolled = _portfolio(programs=1, projects=2)
    req = build_request(flows, rolled, ForecastChoices(), settings, AlertRule())
    assert not req.carry_plan and req.future_for(settings).empty  # the last season is repeated
