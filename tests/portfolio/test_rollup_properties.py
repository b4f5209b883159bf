"""Rollup properties (hypothesis): totals add up everywhere, row order is irrelevant."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from portfolio.rollup import ROOT, path_id, rollup

LEVELS = ["a", "b", "c"]
PERIODS = ["2023-11", "2023-12", "2024-01", "2024-02"]
NAMES = st.sampled_from(["x", "y", "z", "Ops / Net", "=1+1", "é"])


@st.composite
def portfolios(draw: st.DrawFn) -> pd.DataFrame:
    """Leaves with 1 to 3 filled levels; no leaf path is a prefix of another leaf path."""
    paths = draw(st.lists(st.lists(NAMES, min_size=1, max_size=3), min_size=1, max_size=8))
    leaves: list[tuple[str, ...]] = []
    for path in sorted({tuple(p) for p in paths}, key=len, reverse=True):
        if not any(other[: len(path)] == path for other in leaves):
            leaves.append(path)
    rows = []
    amounts = st.integers(min_value=-1000, max_value=1000).map(lambda v: v / 4)
    for leaf in leaves:
        periods = draw(st.lists(st.sampled_from(PERIODS), min_size=1, max_size=4, unique=True))
        for period in periods:
            padded = (*leaf, *([""] * (len(LEVELS) - len(leaf))))
            rows.append((*padded, period, draw(amounts), draw(amounts)))
    return pd.DataFrame(rows, columns=[*LEVELS, "period", "planned", "actual"])


def leaf_nodes(data: pd.DataFrame) -> pd.Series:
    return data[LEVELS].apply(lambda r: path_id(list(r)), axis=1)


@settings(max_examples=60, deadline=None)
@given(portfolios())
def test_root_equals_sum_of_leaves_every_period(data: pd.DataFrame) -> None:
    rolled = rollup(data, LEVELS, PERIODS)
    root = rolled[rolled["node"] == ROOT].set_index("period")
    sums = data.groupby("period")[["planned", "actual"]].sum().reindex(PERIODS, fill_value=0.0)
    np.testing.assert_allclose(root["planned"].to_numpy(), sums["planned"].to_numpy(), atol=1e-9)
    np.testing.assert_allclose(root["actual"].to_numpy(), sums["actual"].to_numpy(), atol=1e-9)
    np.testing.assert_allclose(
        root["cum_actual"].to_numpy(), sums["actual"].cumsum().to_numpy(), atol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(portfolios())
def test_every_parent_equals_sum_of_children(data: pd.DataFrame) -> None:
    rolled = rollup(data, LEVELS, PERIODS)
    parents = set(rolled["parent"]) - {""}
    children = (
        rolled[rolled["parent"] != ""]
        .groupby(["parent", "period"])[["planned", "actual", "cum_variance"]]
        .sum()
    )
    own = rolled.set_index(["node", "period"]).loc[list(children.index), list(children.columns)]
    assert parents == set(children.index.get_level_values(0))
    np.testing.assert_allclose(own.to_numpy(), children.to_numpy(), atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(portfolios())
def test_leaf_figures_match_the_rows(data: pd.DataFrame) -> None:
    rolled = rollup(data, LEVELS, PERIODS).set_index(["node", "period"])
    keyed = data.assign(node=leaf_nodes(data)).set_index(["node", "period"])
    np.testing.assert_allclose(
        rolled.loc[keyed.index, "actual"].to_numpy(), keyed["actual"].to_numpy(), atol=1e-9
    )
    pct = rolled["variance_pct"].to_numpy()
    planned = rolled["planned"].to_numpy()
    assert np.isnan(pct[planned == 0]).all()
    assert not np.isnan(pct[planned != 0]).any()


@settings(max_examples=40, deadline=None)
@given(portfolios(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_the_result(data: pd.DataFrame, rnd) -> None:
    order = list(range(len(data)))
    rnd.shuffle(order)
    first = rollup(data, LEVELS, PERIODS)
    second = rollup(data.iloc[order].reset_index(drop=True), LEVELS, PERIODS)
    pd.testing.assert_frame_equal(first, second, check_exact=False, atol=1e-9, rtol=0)
