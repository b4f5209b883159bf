"""The automatic choice of lookback, units and learning rate: grid, report, budget, no peeking."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from forecasting import tuning
from forecasting.autoconfig import resolve_defaults
from forecasting.pipeline import run_forecast
from forecasting.settings import ModelSettings
from forecasting.tuning import TUNING_COLUMNS, admitted, candidates, choose_settings
from forecasting.windows import Panel, to_panel

QUICK = ModelSettings(horizon=2, epochs=2, members=2, patience=1, tune_seconds=600.0)


def _frame(periods: int = 40, shift_after: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for i, scale in enumerate((1.0, 30.0, 800.0)):
        for t in range(periods):
            v = scale * (np.sin(2 * np.pi * t / 12 + i) + 0.02 * t + rng.normal(0, 0.1))
            if shift_after is not None and t >= shift_after:
                v = -50.0 * v
            rows.append((f"n{i}", f"{2020 + t // 12}-{t % 12 + 1:02d}", v, 0.0))
    return pd.DataFrame(rows, columns=["node", "period", "variance", "planned"])


def _panel(periods: int = 40, shift_after: int | None = None) -> Panel:
    return to_panel(_frame(periods, shift_after), "variance", "planned")


def _choose(panel: Panel, requested: ModelSettings, k: int = 0):
    base = resolve_defaults(requested, 12, len(panel.periods))
    return choose_settings(panel, requested, base, backtest_k=k)


def test_the_grid_moves_only_the_automatic_settings_one_at_a_time() -> None:
    base = resolve_defaults(QUICK, 12, 100)
    grid = candidates(QUICK, base, longest=30)
    assert grid[0] == base
    assert [(c.lookback, c.units, c.learning_rate) for c in grid[1:]] == [
        (24, 32, 0.003),
        (12, 64, 0.003),
        (12, 16, 0.003),
        (12, 32, 0.001),
    ]
    fixed = replace(QUICK, units=8, lookback=6)
    assert [c.learning_rate for c in candidates(fixed, resolve_defaults(fixed, 12, 100), 30)] == [
        0.003,
        0.001,
    ]
    assert len(candidates(QUICK, base, longest=20)) == 4  # a lookback of 24 would not fit


def test_the_choice_is_the_best_scored_candidate_and_is_reported() -> None:
    choice = _choose(_panel(), QUICK)
    t = choice.table
    assert list(t.columns) == TUNING_COLUMNS and len(t) == 4
    assert (t["status"].isin(["scored", "chosen"])).all() and (t["status"] == "chosen").sum() == 1
    assert t["score"].notna().all() and (t["score"] > 0).all() and (t["seconds"] > 0).all()
    best = t.loc[t["score"].idxmin()]
    assert t.loc[t["status"] == "chosen"].index[0] == best.name
    s = choice.settings
    assert (s.lookback, s.units, s.learning_rate) == (
        best["lookback"],
        best["units"],
        best["learning_rate"],
    )
    assert "best of 4 candidate(s)" in choice.note and f"{s.units} units" in choice.note


def test_a_tiny_budget_keeps_only_the_first_candidate() -> None:
    tiny = replace(QUICK, tune_seconds=1e-6)
    choice = _choose(_panel(), tiny)
    t = choice.table
    assert t["status"].tolist() == ["chosen"] + ["skipped (budget)"] * 3
    assert t["score"].notna().tolist() == [True, False, False, False]
    assert (t["estimate"] > 0).all()
    assert choice.settings == resolve_defaults(tiny, 12, 40)
    assert "3 left out by the budget of 1e-06 estimated seconds" in choice.note


def test_the_budget_admits_candidates_by_their_estimates_in_grid_order() -> None:
    assert admitted([2.0, 3.0, 4.0], 5.0) == 2  # 2 + 3 fit, + 4 would not
    assert admitted([2.0, 3.0, 4.0], 9.0) == 3
    assert admitted([2.0, 3.0, 4.0], 1.0) == 1  # the first always runs
    # the budget falls between the estimates of a search: only the ones that fit are scored
    full = _choose(_panel(), QUICK)
    est = full.table["estimate"].to_numpy()
    cut = replace(QUICK, tune_seconds=float(est[0] + est[1] + 0.5 * est[2]))
    t = _choose(_panel(), cut).table
    assert t["status"].tolist()[2:] == ["skipped (budget)"] * 2
    assert t["score"].notna().tolist() == [True, True, False, False]
    np.testing.assert_allclose(t["score"].iloc[:2], full.table["score"].iloc[:2])


def test_the_same_seed_gives_the_same_choice_and_forecast_on_a_slow_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    est = _choose(_panel(), QUICK).table["estimate"]
    budget = replace(QUICK, tune_seconds=float(est[:2].sum()))
    frame = _frame()
    calm = run_forecast(frame, budget, backtest_k=0)
    # a far busier machine: every clock reading jumps by 60 s and every training sleeps first
    clock = iter(range(10**6))
    monkeypatch.setattr(tuning.time, "perf_counter", lambda: 60.0 * next(clock))
    fit = tuning.fit_ensemble

    def slowed(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(0.2)
        return fit(*args, **kwargs)

    monkeypatch.setattr(tuning, "fit_ensemble", slowed)
    busy = run_forecast(frame, budget, backtest_k=0)
    ran = busy.tuning["score"].notna()
    assert ran.tolist() == [True, True, False, False]
    assert (busy.tuning.loc[ran, "seconds"] >= 60.0).all()
    assert (calm.tuning.loc[ran, "seconds"] < 60.0).all()
    pd.testing.assert_frame_equal(
        busy.tuning.drop(columns="seconds"), calm.tuning.drop(columns="seconds")
    )
    assert busy.ensemble.settings == calm.ensemble.settings
    pd.testing.assert_frame_equal(busy.forecast, calm.forecast)


def test_no_search_without_a_budget_or_anything_automatic() -> None:
    none = _choose(_panel(), replace(QUICK, tune_seconds=0.0))
    assert none.table["status"].tolist() == ["chosen (no search: a tuning budget of 0 s)"]
    assert none.table["seconds"].tolist() == [0.0]
    given = replace(QUICK, lookback=6, units=8, learning_rate=0.01)
    fixed = _choose(_panel(), given)
    assert fixed.table.empty and fixed.settings == given


def test_the_search_never_sees_the_backtest_periods_and_is_deterministic() -> None:
    # 3 cut-offs, horizon 2: the first cut-off is period 35, so the backtest tests periods 36..39
    # and the search may use periods 0..35 only
    first = _choose(_panel(), QUICK, k=3)
    changed = _choose(_panel(shift_after=36), QUICK, k=3)
    assert first.backtest_k == 3
    pd.testing.assert_frame_equal(
        first.table.drop(columns="seconds"), changed.table.drop(columns="seconds")
    )
    assert first.settings == changed.settings


def test_a_short_history_shortens_the_backtest_and_skips_the_search() -> None:
    choice = _choose(_panel(periods=10), QUICK, k=6)
    assert choice.backtest_k == 3  # 10 periods, lookback 4, horizon 2
    assert "used 3 cut-off(s), not 6" in choice.note
    assert choice.table["status"].tolist() == ["chosen (the history is too short to search)"]
    assert choice.settings.lookback == 4


@pytest.mark.parametrize("periods", [8, 12])
def test_very_short_histories_still_get_settings(periods: int) -> None:
    choice = _choose(_panel(periods=periods), replace(QUICK, horizon=0), k=6)
    s = choice.settings
    assert s.lookback + s.horizon <= periods and choice.backtest_k >= 1
