"""Backtest: cut-offs, LSTM vs every baseline on the same origins, scores, spread, verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import origins_for, run_backtest
from forecasting.backtest_models import MODEL_NAMES, with_combo
from forecasting.backtest_scores import (
    BACKTEST_COLUMNS,
    SPREAD_COLUMNS,
    members_spread,
    summarise_backtest,
    verdict,
)
from forecasting.baselines import baseline_matrix
from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings
from forecasting.windows import to_panel

TINY = ModelSettings(
    layers=1, units=8, dropout=0.0, lookback=6, horizon=1, epochs=4, members=2, patience=2
)


def _panel(periods: int = 30):
    rows = []
    rng = np.random.default_rng(2)
    for node, scale in {"a": 10.0, "b": 1000.0}.items():
        for t in range(periods):
            v = scale * (np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.1))
            rows.append((node, f"{2020 + t // 12}-{t % 12 + 1:02d}", v, scale))
    return to_panel(
        pd.DataFrame(rows, columns=["node", "period", "variance", "planned"]), "variance", "planned"
    )


def test_one_step_twelve_cutoffs_is_a_walk_forward_over_the_last_twelve() -> None:
    origins = origins_for(48, 1, 12)
    assert origins == list(range(35, 47))
    assert [o + 1 for o in origins] == list(range(36, 48))
    assert origins_for(48, 6, 3) == [39, 40, 41]  # last test period is 47


@pytest.fixture(scope="module")
def result():
    panel = _panel()
    return panel, run_backtest(panel, TINY, 4, season=12)


def test_every_model_is_scored_on_the_same_cutoffs(result) -> None:
    panel, bt = result
    assert list(bt.table.columns) == BACKTEST_COLUMNS
    assert bt.table.groupby("node")["model"].apply(list).to_dict() == {
        "a": list(MODEL_NAMES),
        "b": list(MODEL_NAMES),
    }
    assert bt.origins == tuple(panel.periods[o] for o in range(25, 29))
    # the naive row equals a hand computation over the same cut-offs
    y = panel.target[0]
    err = np.array([y[o + 1] - y[o] for o in range(25, 29)])
    naive = bt.table[(bt.table.node == "a") & (bt.table.model == "naive")].iloc[0]
    assert naive["rmse"] == pytest.approx(np.sqrt(np.mean(err**2)))
    assert naive["mae"] == pytest.approx(np.mean(np.abs(err)))
    scale = np.mean(np.abs(np.diff(y[:26])))
    assert naive["mase"] == pytest.approx(np.mean(np.abs(err)) / scale)
    seasonal = np.concatenate(
        [baseline_matrix("seasonal_naive", y[None, : o + 1], 1, 12)[0] for o in range(25, 29)]
    )
    row = bt.table[(bt.table.node == "a") & (bt.table.model == "seasonal_naive")].iloc[0]
    assert row["rmse"] == pytest.approx(np.sqrt(np.mean((y[26:30] - seasonal) ** 2)))


def test_members_spread_and_residuals(result) -> None:
    _, bt = result
    spread = bt.members_spread
    assert list(spread.columns) == SPREAD_COLUMNS  # their names: the CLI test holds them
    each = bt.ensemble.member_lookbacks
    if len(set(each)) == len(each):  # one network per lookback: no seed spread to measure
        assert spread["rmse_seed_std"].isna().all()
    else:
        assert (spread["rmse_seed_std"] >= 0).all()
    assert (spread["rmse_min"] <= spread["rmse_mean"]).all()
    assert (spread["rmse_mean"] <= spread["rmse_max"]).all()
    assert (spread["rmse_std"] >= 0).all()
    assert len(bt.residuals) == 2 * 4 * 1
    lstm = bt.table[bt.table.model == "lstm"].set_index("node")["rmse"]
    res = bt.residuals.groupby("node")["error"].apply(lambda e: np.sqrt(np.mean(e**2)))
    np.testing.assert_allclose(res.sort_index(), lstm.sort_index())
    assert bt.ensemble is not None and bt.ensemble.trained_upto == 26


def test_summary_and_verdict_in_plain_words() -> None:
    table = pd.DataFrame(
        [
            ("x", "lstm", 3.0, 2.0, 1.12),
            ("x", "naive", 2.0, 1.0, 1.00),
            ("x", "seasonal_naive", 4.0, 3.0, 1.50),
            ("y", "lstm", 0.5, 1.0, 0.50),
            ("y", "naive", 2.0, 2.0, 1.00),
            ("y", "seasonal_naive", 4.0, 3.0, 1.50),
        ],
        columns=BACKTEST_COLUMNS[:5],
    )
    summary = summarise_backtest(table)
    s = summary.set_index("model")
    assert s.loc["lstm", "mase"] == pytest.approx(0.81)
    assert s.loc["lstm", "wins"] == 1 and s.loc["naive", "wins"] == 1
    assert s.loc["lstm", "nodes"] == 2
    assert verdict(summary) == (
        "Best model over the backtest: LSTM ensemble (mean MASE 0.81). "
        "LSTM ensemble beats the best baseline, naive (MASE 0.81 vs 1.00)."
    )
    assert s["coverage"].isna().all() and s["width"].isna().all()
    losing = summarise_backtest(table[table.node == "x"])
    assert "LSTM ensemble does NOT beat the best baseline, naive (MASE 1.12 vs 1.00)" in verdict(
        losing
    )
    assert "Best model over the backtest: naive" in verdict(losing)
    mixed = table.copy()
    mixed.loc[(mixed.node == "y") & (mixed.model == "lstm"), "rmse"] = 9.0
    text = verdict(summarise_backtest(mixed))
    assert "does NOT beat the best baseline, naive, overall: it wins on one measure only" in text
    assert "lower mean MASE (0.81 vs 1.00) but higher mean RMSE (6 vs 2)" in text
    flipped = table[table.node == "x"].copy()  # the LSTM loses on MASE (1.12 vs 1.00) ...
    flipped.loc[flipped.model == "lstm", "rmse"] = 1.0  # ... and wins on RMSE (1 vs 2)
    text = verdict(summarise_backtest(flipped))
    assert "Best model over the backtest: naive" in text
    assert "lower mean RMSE (" in text and "but higher mean MASE (" in text


def test_too_short_for_the_cutoffs_names_what_is_needed() -> None:
    with pytest.raises(ForecastError, match=r"needs at least 15 periods; the data has 14") as e:
        run_backtest(_panel(14), TINY.__class__(**{**TINY.to_dict(), "horizon": 2}), 6)
    assert "Use at most 5 cut-off(s)" in str(e.value)  # 14 periods hold 15 - 1


def test_combo_partner_is_chosen_only_on_errors_known_at_each_cutoff() -> None:
    """auto_ets is worse than auto_arima at period 11 only and perfect after it. Over the whole
    backtest it has the lower MAE (the forecast's partner), but at cut-offs 10 and 11 only period
    11 (or nothing) was known, so the backtest's combo there must average with auto_arima."""
    origins, h = [10, 11, 12], 2
    period = np.asarray(origins)[:, None] + np.arange(1, h + 1)[None, :]  # 11..14
    actual = np.zeros((1, 3, h))
    preds = {
        "lstm": np.full((1, 3, h), 2.0),
        "auto_arima": np.ones((1, 3, h)),
        "auto_ets": np.where(period == 11, 3.0, 0.0)[None],
    }
    partner = with_combo(preds, actual, origins)
    assert partner == ["auto_ets"]  # MAE 0.5 against 1 over every cut-off
    combo = preds["combo"][0]
    # cut-off 10 knows nothing (first partner auto_arima); 11 knows period 11 (ets 3 vs arima 1);
    # 12 knows periods 11, 12 and 12 (ets mean 1, arima 1: a tie keeps the first, auto_arima)
    np.testing.assert_allclose(combo, [[1.5, 1.5], [1.5, 1.5], [1.5, 1.5]])
    preds["auto_ets"] = np.where(period == 11, 1.5, 0.0)[None]
    with_combo(preds, actual, origins)
    # now at cut-off 12 the known ets errors average 0.5 < 1: ets is the partner from there on
    np.testing.assert_allclose(preds["combo"][0], [[1.5, 1.5], [1.5, 1.5], [1.0, 1.0]])
    assert with_combo({"lstm": np.zeros((1, 3, h))}, actual, origins) == []


def test_seed_spread_is_the_spread_within_each_lookback() -> None:
    # Two members at lookback 4 with RMSE 1 and 3, two at lookback 8 with RMSE 5 and 5: the
    # whole spread is over all four, the seed spread only within each pair.
    actual = np.zeros((1, 1, 1))
    preds = np.array([1.0, 3.0, 5.0, 5.0]).reshape(4, 1, 1, 1)
    spread = members_spread(["a"], preds, actual, (4, 4, 8, 8))
    row = spread.iloc[0]
    assert row["rmse_std"] == pytest.approx(np.std([1.0, 3.0, 5.0, 5.0]))
    # squared deviations 1, 1, 0, 0 from the pair means; 4 members - 2 lookbacks = 2 dof
    assert row["rmse_seed_std"] == pytest.approx(1.0)
    one = members_spread(["a"], preds, actual).iloc[0]
    assert one["rmse_seed_std"] == pytest.approx(np.std([1.0, 3.0, 5.0, 5.0], ddof=1))
    # one member per lookback: no two networks differ only by their seed
    alone = members_spread(["a"], preds[:2], actual, (4, 8)).iloc[0]
    assert np.isnan(alone["rmse_seed_std"])
