"""Panels and sliding windows: exact contents, short nodes, gaps, the future covariate rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.plan_ahead import future_covariate_matrix, given_mask, repeat_last_season
from forecasting.windows import (
    origin_windows,
    short_nodes,
    to_panel,
    training_windows,
)


def _series(lengths: dict[str, int], total: int) -> pd.DataFrame:
    rows = []
    for k, (node, length) in enumerate(lengths.items()):
        for t in range(total - length, total):
            rows.append((node, f"2020-{t + 1:02d}", 100.0 * k + t, 1000.0 * k + t))
    return pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])


def test_panel_aligns_nodes_on_the_shared_calendar() -> None:
    panel = to_panel(_series({"a": 6, "b": 4}, 6), "variance", "planned")
    assert panel.nodes == ("a", "b")
    assert panel.periods == tuple(f"2020-{m:02d}" for m in range(1, 7))
    assert panel.start.tolist() == [0, 2]
    assert np.isnan(panel.target[1, :2]).all()
    np.testing.assert_array_equal(panel.target[1, 2:], [102.0, 103.0, 104.0, 105.0])
    assert panel.lengths.tolist() == [6, 4]


def test_windows_hold_exactly_the_source_values() -> None:
    panel = to_panel(_series({"a": 6, "b": 4}, 6), "variance", "planned")
    w = training_windows(panel.target, panel.covariate, panel.start, 2, 1, upto=6)
    # node a: origins 1..4 (4 windows); node b (starts at 2): origins 3..4 (2 windows)
    assert len(w) == 6
    assert w.node.tolist() == [0, 0, 0, 0, 1, 1]
    assert w.origin.tolist() == [1, 2, 3, 4, 3, 4]
    for r in range(len(w)):
        i, o = w.node[r], w.origin[r]
        np.testing.assert_array_equal(w.past[r, :, 0], panel.target[i, o - 1 : o + 1])
        np.testing.assert_array_equal(w.past[r, :, 1], panel.covariate[i, o - 1 : o + 1])
        np.testing.assert_array_equal(w.future[r, :, 0], panel.covariate[i, o + 1 : o + 2])
        np.testing.assert_array_equal(w.target[r], panel.target[i, o + 1 : o + 2])


def test_windows_respect_the_training_end() -> None:
    panel = to_panel(_series({"a": 10}, 10), "variance", "planned")
    w = training_windows(panel.target, panel.covariate, panel.start, 3, 2, upto=7)
    # the last window's target ends at period index 6
    assert (w.origin + 2 <= 6).all()
    assert w.origin.max() == 4
    assert len(w) == 7 - 5 + 1


def test_short_nodes_are_reported_not_dropped() -> None:
    panel = to_panel(_series({"a": 6, "b": 4, "c": 2}, 6), "variance", "planned")
    short = short_nodes(panel, 5)
    assert short.to_dict("records") == [
        {"node": "b", "periods": 4, "needed": 5},
        {"node": "c", "periods": 2, "needed": 5},
    ]


def test_origin_windows_use_given_future_plan_and_mark_unknown_targets() -> None:
    panel = to_panel(_series({"a": 6}, 6), "variance", "planned")
    fut = np.array([[7.0, 8.0]])
    w = origin_windows(panel.target, panel.covariate, 3, 2, origin=5, future_covariate=fut)
    np.testing.assert_array_equal(w.past[0, :, 0], [3.0, 4.0, 5.0])
    np.testing.assert_array_equal(w.future[0, :, 0], [7.0, 8.0])
    assert np.isnan(w.target).all()
    with pytest.raises(ForecastError, match="planned spend after the forecast origin"):
        origin_windows(panel.target, panel.covariate, 3, 2, origin=5)


def test_missing_future_plan_repeats_the_last_season() -> None:
    cov = np.arange(24, dtype=float)[None, :]
    out = repeat_last_season(cov, np.array([0]), 14, 12)
    np.testing.assert_array_equal(out[0], [*range(12, 24), 12, 13])
    # shorter than a season or no season: the last value is held
    np.testing.assert_array_equal(repeat_last_season(cov, np.array([20]), 3, 12)[0], [23, 23, 23])
    np.testing.assert_array_equal(repeat_last_season(cov, np.array([0]), 2, 1)[0], [23, 23])


def test_a_plan_cut_is_not_repeated_into_the_future() -> None:
    # quarterly: the last season's flows 50, -300 (a budget cut), 40, 0 -> 50, 0, 40, 0 ahead
    cov = np.array([[10.0, 20.0, 30.0, 40.0, 50.0, -300.0, 40.0, 0.0]])
    out = repeat_last_season(cov, np.array([0]), 6, 4)
    np.testing.assert_array_equal(out[0], [50.0, 0.0, 40.0, 0.0, 50.0, 0.0])
    assert not np.shares_memory(out, cov) and cov[0, 5] == -300.0


def test_future_matrix_fills_gaps_cell_by_cell() -> None:
    frame = _series({"a": 12, "b": 12}, 12)
    panel = to_panel(frame, "variance", "planned")
    future = pd.DataFrame({"node": ["a"], "period": ["2021-01"], "planned": [5.0]})
    out = future_covariate_matrix(panel, future, ["2021-01", "2021-02"], "planned", 12)
    np.testing.assert_array_equal(out[0], [5.0, 1.0])  # given, then Feb of the last season
    np.testing.assert_array_equal(out[1], [1000.0, 1001.0])
    given = given_mask(panel, future, ["2021-01", "2021-02"], "planned")
    np.testing.assert_array_equal(given, [[True, False], [False, False]])


def test_assumed_cells_feed_the_model_but_are_not_given() -> None:
    frame = _series({"a": 12, "b": 12}, 12)
    panel = to_panel(frame, "variance", "planned")
    future = pd.DataFrame(
        {
            "node": ["a", "b", "b"],
            "period": ["2021-01", "2021-01", "2021-02"],
            "planned": [5.0, 0.0, 0.0],
            "assumed": [False, True, True],
        }
    )
    periods = ["2021-01", "2021-02"]
    out = future_covariate_matrix(panel, future, periods, "planned", 12)
    np.testing.assert_array_equal(out, [[5.0, 1.0], [0.0, 0.0]])
    given = given_mask(panel, future, periods, "planned")
    np.testing.assert_array_equal(given, [[True, False], [False, False]])
    assert not given_mask(panel, None, periods, "planned").any()


def test_bad_series_get_messages_naming_column_and_rows() -> None:
    frame = _series({"a": 4}, 4)
    with pytest.raises(ForecastError, match="missing the column"):
        to_panel(frame.drop(columns="planned"), "variance", "planned")
    bad = frame.astype({"variance": object})
    bad.loc[1, "variance"] = "n/a"
    with pytest.raises(ForecastError, match=r"Column 'variance' .*'a @ 2020-02'"):
        to_panel(bad, "variance", "planned")
    with pytest.raises(ForecastError, match="repeats"):
        to_panel(pd.concat([frame, frame.iloc[:1]]), "variance", "planned")
    gap = pd.concat([frame.drop(index=2), _series({"b": 4}, 4)])
    with pytest.raises(ForecastError, match="a @ 2020-03"):
        to_panel(gap, "variance", "planned")
    with pytest.raises(ForecastError, match="no rows"):
        to_panel(frame.iloc[:0], "variance", "planned")
