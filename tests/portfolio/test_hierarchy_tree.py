"""The one model of the hierarchy: built from rows (rollup side) or from a rollup (bridge side)."""

from __future__ import annotations

import pandas as pd
import pytest

import portfolio.tree as tree_module
from portfolio.bridge import cut_nodes, future_plan_for_level, hierarchy_edges, series_for_level
from portfolio.errors import InputError
from portfolio.load import LoadSummary, Portfolio
from portfolio.rollup import rollup
from portfolio.tree import ROOT, Tree, build_tree, path_id, tree_of

LEVELS = ("prog", "proj", "item")
ROWS = pd.DataFrame(
    [
        ("Ops", "Net", "a", "2024-01", 1.0, 1.0),
        ("Ops", "Net", "b", "2024-01", 2.0, 2.0),
        ("Ops", "Srv", "", "2024-01", 3.0, 3.0),  # ragged: Ops / Srv is a leaf at depth 2
        ("Dev", "", "", "2024-01", 4.0, 5.0),  # ragged: Dev is a leaf at depth 1
        ("Ops", "Net", "a", "2024-02", 1.0, 1.5),
    ],
    columns=[*LEVELS, "period", "planned", "actual"],
)


def test_build_tree_numbers_nodes_by_depth_and_finds_each_rows_leaf() -> None:
    rows = build_tree(ROWS, LEVELS)
    tree = rows.tree
    assert tree.offsets == (0, 1, 3, 5, 7)
    assert tree.ids.tolist() == [
        ROOT,
        "Ops",
        "Dev",
        "Ops / Net",
        "Ops / Srv",
        "Ops / Net / a",
        "Ops / Net / b",
    ]
    assert tree.depth.tolist() == [0, 1, 1, 2, 2, 3, 3]
    assert tree.ids[tree.parent[1:]].tolist() == [
        ROOT,
        ROOT,
        "Ops",
        "Ops",
        "Ops / Net",
        "Ops / Net",
    ]
    assert tree.is_leaf.tolist() == [False, False, True, False, True, True, True]
    assert tree.ids[rows.row_node].tolist() == [
        "Ops / Net / a",
        "Ops / Net / b",
        "Ops / Srv",
        "Dev",
        "Ops / Net / a",
    ]
    assert tree.size == 7 and tree.max_depth == 3


def test_cut_is_the_level_plus_the_ragged_leaves_above_it() -> None:
    tree = build_tree(ROWS, LEVELS).tree
    assert tree.ids[tree.cut(0)].tolist() == [ROOT]
    assert tree.ids[tree.cut(1)].tolist() == ["Ops", "Dev"]
    assert tree.ids[tree.cut(2)].tolist() == ["Dev", "Ops / Net", "Ops / Srv"]
    assert tree.ids[tree.cut(3)].tolist() == ["Dev", "Ops / Srv", "Ops / Net / a", "Ops / Net / b"]
    with pytest.raises(InputError, match=r"no level 4 .* 0, 1, 2, 3"):
        tree.cut(4)


def test_tree_of_a_rollup_is_the_same_tree_in_rollup_order() -> None:
    rolled = rollup(ROWS, LEVELS, ("2024-01", "2024-02"))
    built = build_tree(ROWS, LEVELS).tree
    read = tree_of(rolled)
    # the same nodes, parents and depths; the rollup orders each depth by node id
    assert read.offsets == built.offsets
    assert read.ids.tolist() == rolled.drop_duplicates("node")["node"].tolist()
    as_dict = {i: (p, d) for i, p, d in zip(read.ids, read.parent_ids(), read.depth, strict=True)}
    assert as_dict == {
        i: (p, d) for i, p, d in zip(built.ids, built.parent_ids(), built.depth, strict=True)
    }
    assert dict(zip(read.ids, read.is_leaf, strict=True)) == dict(
        zip(built.ids, built.is_leaf, strict=True)
    )
    # every cut sums to the whole portfolio: nothing is missed, nothing counted twice
    total = rolled.loc[rolled["node"] == ROOT, "planned"].sum()
    for level in range(4):
        cut = read.ids[read.cut(level)]
        assert rolled.loc[rolled["node"].isin(cut), "planned"].sum() == pytest.approx(total)


def test_edges_match_the_rollup() -> None:
    rolled = rollup(ROWS, LEVELS, ("2024-01", "2024-02"))
    edges = tree_of(rolled).edges()
    expected = rolled[["node", "parent"]].drop_duplicates("node").reset_index(drop=True)
    pd.testing.assert_frame_equal(edges, expected)


def test_two_paths_with_one_id_are_refused() -> None:
    # "a / b" is written "a \u2215 b" in ids, which is what a value already holding U+2215 gives
    rows = pd.DataFrame({"a": ["a / b", "a \u2215 b"], "b": ["x", "y"]})
    with pytest.raises(InputError, match="same node id"):
        build_tree(rows, ("a", "b"))


def test_path_id_escapes_the_separator() -> None:
    assert path_id(["R / D", "Net", ""]) == "R \u2215 D / Net"
    assert path_id(["", "x"]) == ROOT


def _portfolio() -> Portfolio:
    data = ROWS
    future = pd.DataFrame(
        [("Ops", "Net", "a", "2024-03", 7.0), ("Dev", "", "", "2024-03", 4.0)],
        columns=[*LEVELS, "period", "planned"],
    )
    summary = LoadSummary("t.csv", 7, 7, 0, 4, 2, "M", 0, ())
    return Portfolio(data, LEVELS, ("2024-01", "2024-02"), "M", "flow", future, summary)


def test_the_bridge_uses_a_tree_passed_in_and_never_rebuilds_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = _portfolio()
    rolled = rollup(p.data, p.levels, p.periods)
    expected = {lv: series_for_level(rolled, lv) for lv in range(4)}
    tree = tree_of(rolled)
    built: list[int] = []
    real = tree_module.tree_of

    def counting(frame: pd.DataFrame) -> Tree:
        built.append(1)
        return real(frame)

    monkeypatch.setattr("portfolio.bridge.tree_of", counting)
    for lv in range(4):
        pd.testing.assert_frame_equal(series_for_level(rolled, lv, tree), expected[lv])
        future_plan_for_level(p, rolled, lv, tree)
    assert cut_nodes(rolled, 2, tree) == ["Dev", "Ops / Net", "Ops / Srv"]
    hierarchy_edges(rolled, tree)
    assert built == []
    # without a tree each call builds its own (the old call still works)
    assert cut_nodes(rolled, 1) == ["Dev", "Ops"]
    assert built == [1]


def test_children_leaves_under_and_index_of() -> None:
    tree = build_tree(ROWS, LEVELS).tree
    ops = tree.index_of("Ops")
    assert ops is not None and tree.index_of("Nowhere") is None
    assert tree.ids[tree.children(ops)].tolist() == ["Ops / Net", "Ops / Srv"]
    assert tree.ids[tree.leaves_under(ops)].tolist() == [
        "Ops / Srv",
        "Ops / Net / a",
        "Ops / Net / b",
    ]
    assert tree.ids[tree.leaves_under(0)].tolist() == [
        "Dev",
        "Ops / Srv",
        "Ops / Net / a",
        "Ops / Net / b",
    ]
    dev = tree.index_of("Dev")
    assert dev is not None
    assert tree.children(dev).size == 0
    assert tree.ids[tree.leaves_under(dev)].tolist() == ["Dev"]  # a leaf is its own leaf
