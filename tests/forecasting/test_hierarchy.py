"""Bottom-up coherence and reconciliation on a ragged three-level hierarchy."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.hierarchy import (
    ancestors_map,
    bottom_up,
    bottom_up_members,
    cut_nodes,
    reconcilable,
    reconcile,
    summarise,
    summing_matrix,
)

# All -> A, B, C(leaf at depth 1); A -> A/x (leaf), A/y; A/y -> A/y/1, A/y/2; B -> B/z
EDGES = pd.DataFrame(
    {
        "node": ["All", "A", "B", "C", "A/x", "A/y", "A/y/1", "A/y/2", "B/z"],
        "parent": ["", "All", "All", "All", "A", "A", "A/y", "A/y", "B"],
    }
)
LEAVES = ["A/x", "A/y/1", "A/y/2", "B/z", "C"]
CHILDREN = {"All": ["A", "B", "C"], "A": ["A/x", "A/y"], "A/y": ["A/y/1", "A/y/2"], "B": ["B/z"]}
PERIODS = ["2025-01", "2025-02", "2025-03"]


def _members(nodes: list[str], n_members: int = 5, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        {"node": n, "period": p, "step": k + 1, "member": m, "value": rng.normal(1e5, 3e4)}
        for n in nodes
        for k, p in enumerate(PERIODS)
        for m in range(n_members)
    ]
    return pd.DataFrame(rows)


def _value(frame: pd.DataFrame, node: str, step: int, col: str) -> float:
    sel = frame[(frame["node"] == node) & (frame["step"] == step)]
    assert len(sel) == 1
    return float(sel[col].iloc[0])


def test_ancestors_and_cut() -> None:
    anc = ancestors_map(EDGES)
    assert anc["A/y/1"] == ["A/y", "A", "All"]
    assert anc["C"] == ["All"]
    assert anc["All"] == []
    assert cut_nodes(EDGES, 2) == ["A/x", "A/y", "B/z", "C"]
    assert cut_nodes(EDGES, 3) == LEAVES


def test_summing_matrix_ragged() -> None:
    s, nodes = summing_matrix(EDGES, LEAVES)
    assert nodes[:4] == ["All", "A", "B", "A/y"]
    assert nodes[4:] == LEAVES
    assert s.shape == (9, 5)
    np.testing.assert_array_equal(s[nodes.index("All")], [1, 1, 1, 1, 1])
    np.testing.assert_array_equal(s[nodes.index("A")], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(s[nodes.index("A/y")], [0, 1, 1, 0, 0])
    np.testing.assert_array_equal(s[4:], np.eye(5))


def test_summing_matrix_rejects_nested_bottom() -> None:
    with pytest.raises(ForecastError, match="lies under another"):
        summing_matrix(EDGES, ["A", "A/x"])


def test_member_wise_sums_at_parents() -> None:
    members = _members(LEAVES)
    full = bottom_up_members(members, EDGES)
    assert set(full["node"]) == {*LEAVES, "All", "A", "B", "A/y"}
    idx = full.set_index(["node", "period", "step", "member"])["value"]
    src = members.set_index(["node", "period", "step", "member"])["value"]
    for parent, kids in CHILDREN.items():
        for p, k in zip(PERIODS, range(1, 4), strict=True):
            for m in range(5):
                expected = sum(idx[(c, p, k, m)] for c in kids)
                assert idx[(parent, p, k, m)] == pytest.approx(expected, rel=1e-12)
    # the modelled nodes keep their own paths
    assert idx[("C", PERIODS[0], 1, 3)] == src[("C", PERIODS[0], 1, 3)]


def test_bottom_up_coherent_to_1e9() -> None:
    members = _members(LEAVES, n_members=7, seed=3)
    fc = bottom_up(members, EDGES, quantiles=(0.1, 0.9))
    assert list(fc.columns) == ["node", "period", "step", "median", "lower", "upper"]
    assert fc["node"].iloc[0] == "All"
    for leaf in LEAVES:
        vals = members[(members["node"] == leaf) & (members["step"] == 2)]["value"]
        assert _value(fc, leaf, 2, "median") == pytest.approx(float(np.median(vals)), rel=1e-12)
    for parent, kids in CHILDREN.items():
        for step in (1, 2, 3):
            total = sum(_value(fc, c, step, "median") for c in kids)
            got = _value(fc, parent, step, "median")
            assert abs(got - total) <= 1e-9 * abs(total)
            assert _value(fc, parent, step, "lower") <= got <= _value(fc, parent, step, "upper")
    # the parent band comes from member-wise sums, not from summing the children's bands
    full = bottom_up_members(members, EDGES)
    sums = full[(full["node"] == "All") & (full["step"] == 1)]["value"]
    assert _value(fc, "All", 1, "upper") >= float(np.quantile(sums, 0.9)) - 1e-6
    child_upper = sum(_value(fc, c, 1, "upper") for c in CHILDREN["All"])
    assert _value(fc, "All", 1, "upper") < child_upper


def test_summarise_quantiles() -> None:
    members = pd.DataFrame(
        {"node": "n", "period": "2025-01", "step": 1, "member": range(5), "value": [1, 2, 3, 4, 50]}
    )
    out = summarise(members, quantiles=(0.25, 0.75))
    assert out.loc[0, "median"] == 3.0
    assert out.loc[0, "lower"] == 2.0
    assert out.loc[0, "upper"] == 4.0


def _base_all_levels(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nodes = ["All", "A", "B", "C", "A/x", "A/y", "A/y/1", "A/y/2", "B/z"]
    rows = [
        {"node": n, "period": p, "step": k + 1, "value": rng.normal(100.0, 40.0)}
        for n in nodes
        for k, p in enumerate(PERIODS)
    ]
    return pd.DataFrame(rows)


def _residuals(seed: int, n_origins: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    nodes = ["All", "A", "B", "C", "A/x", "A/y", "A/y/1", "A/y/2", "B/z"]
    return pd.DataFrame(
        [
            {"node": n, "origin": o, "step": k, "error": rng.normal(0, 1 + len(n))}
            for n in nodes
            for o in range(n_origins)
            for k in (1, 2)
        ]
    )


def _assert_coherent(frame: pd.DataFrame, col: str = "value") -> None:
    for parent, kids in CHILDREN.items():
        for step in (1, 2, 3):
            total = sum(_value(frame, c, step, col) for c in kids)
            got = _value(frame, parent, step, col)
            assert abs(got - total) <= 1e-9 * max(abs(total), 1.0)


@pytest.mark.parametrize("method", ["ols", "wls", "mint"])
def test_reconcile_makes_incoherent_input_coherent(method: str) -> None:
    base = _base_all_levels(1)
    out = reconcile(base, EDGES, method, residuals=_residuals(2))
    assert len(out) == len(base)
    _assert_coherent(out)
    # the input was not coherent, so something must have moved
    assert not np.allclose(
        out.sort_values(["node", "step"])["value"], base.sort_values(["node", "step"])["value"]
    )


@pytest.mark.parametrize("method", ["ols", "wls", "mint"])
def test_reconcile_leaves_coherent_input_unchanged(method: str) -> None:
    members = _members(LEAVES, n_members=1, seed=5)
    coherent = bottom_up_members(members, EDGES).drop(columns="member")
    out = reconcile(coherent, EDGES, method, residuals=_residuals(4))
    merged = coherent.merge(out, on=["node", "period", "step"], suffixes=("_in", "_out"))
    assert len(merged) == len(coherent)
    np.testing.assert_allclose(merged["value_out"], merged["value_in"], rtol=1e-9, atol=0)


def test_ols_on_simple_tree_matches_hand_computation() -> None:
    # T = a + b with base T=10, a=3, b=4: OLS spreads the gap of 3 evenly over the three series
    edges = pd.DataFrame({"node": ["T", "a", "b"], "parent": ["", "T", "T"]})
    base = pd.DataFrame(
        {"node": ["T", "a", "b"], "period": "2025", "step": 1, "value": [10.0, 3.0, 4.0]}
    )
    out = reconcile(base, edges, "ols").set_index("node")["value"]
    assert out["a"] == pytest.approx(4.0)
    assert out["b"] == pytest.approx(5.0)
    assert out["T"] == pytest.approx(9.0)


def test_mint_falls_back_to_wls_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    base = _base_all_levels(7)
    with caplog.at_level(logging.WARNING, logger="forecasting.hierarchy"):
        out = reconcile(
            base, EDGES, "mint", residuals=_residuals(1, n_origins=1).query("step == 1")
        )
    assert "fell back to WLS" in caplog.text
    wls = reconcile(base, EDGES, "wls")
    np.testing.assert_allclose(out["value"], wls["value"], rtol=1e-12)


def test_reconcile_reports_missing_branch() -> None:
    base = _base_all_levels(1)
    base = base[base["node"] != "B/z"]
    base = base[base["node"] != "B"]
    with pytest.raises(ForecastError, match=r"'All'.*'B'"):
        reconcile(base, EDGES, "ols")


def test_bad_edges_rejected() -> None:
    with pytest.raises(ForecastError, match="two parents"):
        ancestors_map(pd.DataFrame({"node": ["a", "a"], "parent": ["x", "y"]}))
    with pytest.raises(ForecastError, match="cycle"):
        ancestors_map(pd.DataFrame({"node": ["a", "b"], "parent": ["b", "a"]}))
    with pytest.raises(ForecastError, match="missing the column"):
        ancestors_map(pd.DataFrame({"node": ["a"]}))


def test_mint_uses_the_error_covariance() -> None:
    base = _base_all_levels(11)
    mint = reconcile(base, EDGES, "mint", residuals=_residuals(3))["value"].to_numpy()
    wls = reconcile(base, EDGES, "wls")["value"].to_numpy()
    ols = reconcile(base, EDGES, "ols")["value"].to_numpy()
    assert not np.allclose(mint, wls)
    assert not np.allclose(mint, ols)


def test_reconcilable_leaves_out_only_what_lies_under_a_gap() -> None:
    nodes = ["All", "A", "B", "C", "A/x", "A/y", "A/y/1", "B/z"]  # A/y/2 has no forecast
    keep, left_out = reconcilable(nodes, EDGES)
    # A/y cannot be split over A/y/1 alone: it becomes a bottom series and A/y/1 keeps its own.
    assert keep == ["All", "A", "B", "C", "A/x", "A/y", "B/z"]
    assert list(left_out) == ["A/y/1"]
    assert "'A/y'" in left_out["A/y/1"] and "'A/y/2'" in left_out["A/y/1"]
    base = _base_all_levels(3)
    out = reconcile(base[base["node"].isin(keep)], EDGES, "ols")
    for step in (1, 2, 3):  # everything above the gap is coherent
        total = sum(_value(out, c, step, "value") for c in ("A", "B", "C"))
        assert _value(out, "All", step, "value") == pytest.approx(total, rel=1e-9)
        total_a = _value(out, "A/x", step, "value") + _value(out, "A/y", step, "value")
        assert _value(out, "A", step, "value") == pytest.approx(total_a, rel=1e-9)


def test_reconcilable_with_full_coverage_or_a_missing_branch() -> None:
    full = ["All", "A", "B", "C", "A/x", "A/y", "A/y/1", "A/y/2", "B/z"]
    assert reconcilable(full, EDGES) == (full, {})
    # B and B/z both missing: the root cannot be split, everything under it keeps its own forecast
    keep, left_out = reconcilable(["All", "A", "C", "A/x", "A/y", "A/y/1", "A/y/2"], EDGES)
    assert keep == ["All"]
    assert sorted(left_out) == ["A", "A/x", "A/y", "A/y/1", "A/y/2", "C"]
    assert all("'B'" in reason for reason in left_out.values())
