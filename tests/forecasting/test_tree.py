"""The tree record: built once from the edges, read-only, and accepted by every hierarchy step."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from forecasting import tree as tree_module
from forecasting.errors import ForecastError
from forecasting.hierarchy import (
    Hierarchy,
    ancestors_map,
    bottom_up,
    bottom_up_members,
    cut_nodes,
    reconcilable,
    reconcile,
    summarise,
    summing_matrix,
)
from forecasting.pipeline import run_forecast
from forecasting.settings import ModelSettings
from forecasting.training import ProgressEvent

# All -> A, B, C(leaf at depth 1); A -> A/x (leaf), A/y; A/y -> A/y/1, A/y/2; B -> B/z
EDGES = pd.DataFrame(
    {
        "node": ["All", "A", "B", "C", "A/x", "A/y", "A/y/1", "A/y/2", "B/z"],
        "parent": ["", "All", "All", "All", "A", "A", "A/y", "A/y", "B"],
    }
)
LEAVES = ["A/x", "A/y/1", "A/y/2", "B/z", "C"]


def _members(nodes: list[str], seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        {"node": n, "period": f"2025-0{k}", "step": k, "member": m, "value": rng.normal(1e5, 3e4)}
        for n in nodes
        for k in (1, 2)
        for m in range(4)
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def parse_count(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How often the edge frame is parsed into a tree (each call appends 1)."""
    calls: list[int] = []
    original = tree_module._parent_map

    def counting(edges: pd.DataFrame) -> dict[str, str | None]:
        calls.append(1)
        return original(edges)

    monkeypatch.setattr(tree_module, "_parent_map", counting)
    return calls


def test_the_record_holds_parents_ancestors_and_children() -> None:
    tree = Hierarchy.from_edges(EDGES)
    assert tree.parents["A/y/1"] == "A/y" and tree.parents["All"] is None
    assert tree.ancestors_of("A/y/1") == ("A/y", "A", "All")
    assert tree.ancestors_of("not there") == ()
    assert tree.children_of("All") == ("A", "B", "C")
    assert tree.children_of("C") == ()
    with pytest.raises(TypeError):
        tree.parents["new"] = "All"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.parents = {}  # type: ignore[misc]


def test_a_bad_tree_is_refused_when_the_record_is_built() -> None:
    cycle = pd.DataFrame({"node": ["a", "b"], "parent": ["b", "a"]})
    with pytest.raises(ForecastError, match="cycle"):
        Hierarchy.from_edges(cycle)
    two = pd.DataFrame({"node": ["a", "a"], "parent": ["r", "s"]})
    with pytest.raises(ForecastError, match="two parents"):
        Hierarchy.from_edges(two)
    assert Hierarchy.from_edges(pd.DataFrame(columns=["node", "parent"])).parents == {}


def test_every_step_accepts_the_prebuilt_record_without_parsing_again(
    parse_count: list[int],
) -> None:
    tree = Hierarchy.from_edges(EDGES)
    assert parse_count == [1]
    members = _members(LEAVES)
    base = summarise(bottom_up_members(members, EDGES))
    for column in ("lower", "upper"):
        base = base.drop(columns=column)
    parse_count.clear()
    with_tree = (
        ancestors_map(tree),
        cut_nodes(tree, 2),
        summing_matrix(tree, LEAVES)[1],
        bottom_up_members(members, tree),
        bottom_up(members, tree),
        reconcilable([*LEAVES, "A", "All"], tree),
        reconcile(base, tree, "wls", column="median"),
    )
    assert parse_count == []  # nothing rebuilt the maps
    with_edges = (
        ancestors_map(EDGES),
        cut_nodes(EDGES, 2),
        summing_matrix(EDGES, LEAVES)[1],
        bottom_up_members(members, EDGES),
        bottom_up(members, EDGES),
        reconcilable([*LEAVES, "A", "All"], EDGES),
        reconcile(base, EDGES, "wls", column="median"),
    )
    assert len(parse_count) == len(with_edges)  # one parse per call, never more
    for got, expected in zip(with_tree, with_edges, strict=True):
        if isinstance(got, pd.DataFrame):
            pd.testing.assert_frame_equal(got, expected)
        else:
            assert got == expected


def test_reconcilable_parses_once_however_many_gaps_it_walks(parse_count: list[int]) -> None:
    # A/y/2 has no forecast: A/y cannot be split, so the loop runs more than once.
    keep, left_out = reconcilable(["A/x", "A/y/1", "B/z", "C", "A/y", "A", "B", "All"], EDGES)
    assert "A/y/1" in left_out and "A/y/1" not in keep
    assert parse_count == [1]


TINY = ModelSettings(layers=1, units=4, dropout=0.0, lookback=4, horizon=2, epochs=1, members=1)
RUN_EDGES = pd.DataFrame(
    {
        "node": ["All", "P1", "P2", "P1 / a", "P1 / b", "P2 / d"],
        "parent": ["", "All", "All", "P1", "P1", "P2"],
    }
)


def _series(levels: bool) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    leaves = ["P1 / a", "P1 / b", "P2 / d"]
    rows = [
        (n, f"2024-{t:02d}", float(rng.normal(10, 2)), 100.0) for n in leaves for t in range(1, 13)
    ]
    frame = pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])
    if not levels:
        return frame
    parents = frame.assign(node=frame["node"].str.split(" / ").str[0])
    root = frame.assign(node="All")
    return pd.concat([frame, parents, root]).groupby(["node", "period"], as_index=False).sum()


@pytest.mark.parametrize("reconcile_with", [None, "ols"])
def test_a_forecast_run_builds_the_tree_once(
    parse_count: list[int], reconcile_with: str | None
) -> None:
    result = run_forecast(
        _series(levels=reconcile_with is not None),
        TINY,
        edges=RUN_EDGES,
        backtest_k=0,
        reconcile=reconcile_with,  # type: ignore[arg-type]
    )
    assert {"All", "P1", "P2"} <= set(result.forecast["node"])
    assert parse_count == [1]


def test_a_bad_tree_stops_the_run_before_any_training() -> None:
    events: list[ProgressEvent] = []
    cycle = pd.DataFrame({"node": ["P1 / a", "P1"], "parent": ["P1", "P1 / a"]})
    with pytest.raises(ForecastError, match="cycle"):
        run_forecast(_series(levels=False), TINY, edges=cycle, backtest_k=0, progress=events.append)
    assert events == []
