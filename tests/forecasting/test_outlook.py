"""Drift outlook on hand-made member paths: crossing periods and member shares."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from forecasting.errors import ForecastError
from forecasting.outlook import OUTLOOK_COLUMNS, OutlookBands, crossing_table, drift_outlook

PAST = ["2025-01", "2025-02", "2025-03"]
FUTURE = ["2025-04", "2025-05", "2025-06"]


def _history(node: str, planned: list[float], variance: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"node": node, "period": PAST, "variance": variance, "planned": planned})


def _members(node: str, paths: list[list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"node": node, "period": FUTURE[k], "step": k + 1, "member": m, "value": v}
            for m, path in enumerate(paths)
            for k, v in enumerate(path)
        ]
    )


def _plan(node: str, values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"node": node, "period": FUTURE[: len(values)], "planned": values})


# cumulative now: planned 300, variance 6 (2 %). With 100 planned per future month:
#   member 0: 16/400, 26/500, 36/600      -> never amber
#   member 1: 46/400 = 11.5 %, 17.2 %, 21 % -> amber from 2025-04, never red
#   member 2: 26.5 %, 206/500 = 41.2 %, 51 % -> amber from 2025-04, red from 2025-05
HIST_N = _history("n", [100.0] * 3, [2.0] * 3)
MEM_N = _members("n", [[10.0] * 3, [40.0] * 3, [100.0] * 3])


def _row(frame: pd.DataFrame, node: str) -> pd.Series:
    return frame.set_index("node").loc[node]


def test_crossings_and_shares_on_hand_made_paths() -> None:
    out = drift_outlook(HIST_N, MEM_N, _plan("n", [100.0] * 3))
    assert list(out.columns) == list(OUTLOOK_COLUMNS)
    r = _row(out, "n")
    assert r["cum_planned_now"] == 300.0
    assert r["cum_variance_now"] == 6.0
    assert r["cum_variance_pct_now"] == pytest.approx(0.02)
    assert r["status_now"] == "green"
    # the point path is the member median, i.e. member 1
    assert r["projected_cum_variance"] == pytest.approx(126.0)
    assert r["projected_cum_planned"] == pytest.approx(600.0)
    assert r["projected_cum_variance_pct"] == pytest.approx(0.21)
    assert r["projected_cum_actual"] == pytest.approx(726.0)
    assert r["status_end"] == "amber"
    assert r["first_amber_period"] == "2025-04"
    assert r["first_red_period"] is None
    assert r["p_amber"] == pytest.approx(2 / 3)
    assert r["p_red"] == pytest.approx(1 / 3)
    assert r["planned_source"] == "plan"


def test_point_forecast_overrides_member_median() -> None:
    point = pd.DataFrame({"node": "n", "period": FUTURE, "step": [1, 2, 3], "median": [100.0] * 3})
    r = _row(drift_outlook(HIST_N, MEM_N, _plan("n", [100.0] * 3), point=point), "n")
    assert r["first_amber_period"] == "2025-04"
    assert r["first_red_period"] == "2025-05"
    assert r["projected_cum_variance"] == pytest.approx(306.0)


def test_direction_overrun_ignores_underspend() -> None:
    hist = _history("u", [100.0] * 3, [-50.0] * 3)  # -50 % now
    mem = _members("u", [[0.0] * 3, [0.0] * 3])
    both = _row(drift_outlook(hist, mem, _plan("u", [100.0] * 3)), "u")
    assert both["status_now"] == "red"
    assert both["first_red_period"] == "2025-04"  # -150/400 = -37.5 %
    assert both["p_red"] == 1.0
    over = _row(
        drift_outlook(hist, mem, _plan("u", [100.0] * 3), bands=OutlookBands(direction="overrun")),
        "u",
    )
    assert over["status_now"] == "green"
    assert over["first_amber_period"] is None
    assert over["p_amber"] == 0.0


def test_plan_held_at_last_season_average_when_missing() -> None:
    hist = _history("h", [100.0, 200.0, 300.0], [0.0, 0.0, 0.0])
    mem = _members("h", [[0.0] * 3])
    held = _row(drift_outlook(hist, mem, None), "h")
    assert held["projected_cum_planned"] == pytest.approx(600.0 + 3 * 200.0)
    assert held["planned_source"] == "held"
    mixed = _row(drift_outlook(hist, mem, _plan("h", [50.0])), "h")
    assert mixed["projected_cum_planned"] == pytest.approx(600.0 + 50.0 + 2 * 200.0)
    assert mixed["planned_source"] == "mixed"


def test_the_forecast_s_plan_source_is_carried_per_node() -> None:
    hist = _history("h", [100.0, 200.0, 300.0], [0.0, 0.0, 0.0])
    mem = _members("h", [[0.0] * 3])
    assumed = _plan("h", [10.0, 10.0, 10.0]).assign(planned_source="assumed")
    r = _row(drift_outlook(hist, mem, assumed), "h")
    assert r["planned_source"] == "assumed"
    assert r["projected_cum_planned"] == pytest.approx(600.0 + 30.0)  # the plan given, not held
    both = assumed.assign(planned_source=["plan", "assumed", "assumed"])
    assert _row(drift_outlook(hist, mem, both), "h")["planned_source"] == "mixed"
    given = assumed.assign(planned_source="plan")
    assert _row(drift_outlook(hist, mem, given), "h")["planned_source"] == "plan"
    part = given.iloc[:1]  # one cell given, two held
    assert _row(drift_outlook(hist, mem, part), "h")["planned_source"] == "mixed"


def test_a_plan_cut_in_the_last_season_is_held_where_it_is_not_cut_again() -> None:
    # Yearly (season 1): a re-forecast budget of 1,000 lowered by 300 in the last year. Holding
    # that flow (-300 a year) would take the plan to 100 and then below 0, and the variance % to
    # thousands; the plan stays at 700.
    hist = pd.DataFrame(
        {"node": "c", "period": ["2022", "2023", "2024"], "variance": 0.0,
         "planned": [600.0, 400.0, -300.0]}
    )  # fmt: skip
    mem = pd.DataFrame(
        {"node": "c", "period": ["2025", "2026"], "step": [1, 2], "member": 0, "value": 35.0}
    )
    r = _row(drift_outlook(hist, mem, None), "c")
    assert r["projected_cum_planned"] == pytest.approx(700.0)
    assert r["projected_cum_variance_pct"] == pytest.approx(70.0 / 700.0)
    assert r["planned_source"] == "held"


def test_unplanned_spend_counts_as_red_and_floor_silences() -> None:
    hist = _history("z", [0.0] * 3, [0.0] * 3)
    mem = _members("z", [[5.0, 5.0, 5.0]])
    r = _row(drift_outlook(hist, mem, None), "z")
    assert math.isnan(r["projected_cum_variance_pct"])
    assert r["first_red_period"] == "2025-04"
    quiet = _row(drift_outlook(hist, mem, None, bands=OutlookBands(floor=100.0)), "z")
    assert quiet["first_amber_period"] is None
    assert quiet["p_red"] == 0.0


def test_crossing_table_soonest_first() -> None:
    hist = pd.concat(
        [
            HIST_N,
            _history("u", [100.0] * 3, [-50.0] * 3),
            _history("late", [100.0] * 3, [0.0] * 3),
            _history("calm", [100.0] * 3, [0.0] * 3),
        ]
    )
    mem = pd.concat(
        [
            MEM_N,
            _members("u", [[0.0] * 3]),
            _members("late", [[0.0, 60.0, 0.0]]),  # 60/500 = 12 % at 2025-05
            _members("calm", [[1.0] * 3]),
        ]
    )
    out = drift_outlook(hist, mem, None)
    table = crossing_table(out)
    assert list(table["node"]) == ["u", "n", "late"]
    assert _row(out, "late")["first_amber_period"] == "2025-05"


def test_bad_input() -> None:
    with pytest.raises(ForecastError, match="No history"):
        drift_outlook(HIST_N, _members("other", [[1.0] * 3]), None)
    with pytest.raises(ForecastError, match="amber threshold"):
        drift_outlook(HIST_N, MEM_N, None, bands=OutlookBands(amber_pct=40.0, red_pct=30.0))
    with pytest.raises(ForecastError, match="missing the column"):
        drift_outlook(HIST_N.drop(columns="planned"), MEM_N, None)


def test_member_missing_a_step_is_reported() -> None:
    broken = MEM_N[~((MEM_N["member"] == 1) & (MEM_N["step"] == 2))]
    with pytest.raises(ForecastError, match="incomplete paths for: n"):
        drift_outlook(HIST_N, broken, None)
