"""Model choice per node: the level's model, the per-node winners, forced models, the verdict,
the shown rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting import choice, conformal
from forecasting.backtest_models import MODEL_NAMES
from forecasting.errors import ForecastError


def _table() -> pd.DataFrame:
    """One node per model, where that model (and only it) has the lowest MASE."""
    rows = []
    for i, winner in enumerate(MODEL_NAMES):
        for j, model in enumerate(MODEL_NAMES):
            mase = 0.5 if model == winner else 1.0 + 0.01 * j
            rows.append((f"n{i}", model, 10 * mase, 8 * mase, mase))
    return pd.DataFrame(rows, columns=["node", "model", "rmse", "mae", "mase"])


def test_each_model_wins_once_and_the_verdict_counts_every_winner() -> None:
    table = _table()
    nodes = [f"n{i}" for i in range(len(MODEL_NAMES))]
    assert choice.winners(table) == {f"n{i}": m for i, m in enumerate(MODEL_NAMES)}
    # every model wins one node, so the challenger is the first counted winner, lstm; it beats
    # auto_arima at every node but auto_arima's own (1.00 vs 1.0x): 8 of 9, p = 10 / 512
    level = choice.level_model(table)
    assert level == choice.LevelChoice("lstm", "lstm", len(MODEL_NAMES) - 1, len(MODEL_NAMES))
    picks = choice.pick_models(nodes, table, "best", MODEL_NAMES)
    assert picks == dict.fromkeys(nodes, "lstm")
    text = choice.choice_verdict(table, picks, "best")
    assert f"Shown: lstm at {len(MODEL_NAMES)} of {len(MODEL_NAMES)} node(s)" in text
    assert "significantly many, so it is shown at the whole level" in text
    won = text.split("Backtest winners per node (by MASE): ")[1]
    for m in MODEL_NAMES:
        assert f"{m} at 1" in won
    # the LSTM beats every baseline at its own node and at the combo's (1.00 vs 1.01 and up)
    assert f"beat the best baseline of the node at 2 of {len(MODEL_NAMES)}" in text


def _level(challenger_wins: int, nodes: int) -> pd.DataFrame:
    """``nodes`` nodes; ``auto_ets`` beats ``auto_arima`` at the first ``challenger_wins``."""
    rows = []
    for i in range(nodes):
        ets = 0.5 if i < challenger_wins else 1.5
        rows += [(f"n{i}", "auto_arima", 1.0, 1.0, 1.0), (f"n{i}", "auto_ets", 1.0, 1.0, ets)]
    return pd.DataFrame(rows, columns=["node", "model", "rmse", "mae", "mase"])


def test_auto_arima_stays_unless_the_challenger_wins_significantly_many_nodes() -> None:
    assert choice.sign_test_p(4, 4) == 1 / 16
    assert choice.sign_test_p(10, 13) == pytest.approx((286 + 78 + 13 + 1) / 8192)
    # 4 of 4 nodes: p = 6.25 %, not below 5 %: every node keeps auto_arima, also the new one
    picks = choice.pick_models(["n0", "n3", "new"], _level(4, 4), "best", MODEL_NAMES)
    assert picks == dict.fromkeys(["n0", "n3", "new"], "auto_arima")
    text = choice.choice_verdict(_level(4, 4), picks, "best")
    assert (
        "auto_ets (the backtest winner at the most nodes besides auto_arima) beat auto_arima "
        "at 4 of 4" in text
    )
    assert "not significantly many" in text
    # 10 of 13: p = 4.6 %: the whole level switches, the three nodes it lost included
    nodes = [f"n{i}" for i in range(13)]
    assert choice.pick_models(nodes, _level(10, 13), "best", MODEL_NAMES) == dict.fromkeys(
        nodes, "auto_ets"
    )
    assert choice.level_model(_level(9, 13)).model == "auto_arima"  # p = 13.3 %
    assert choice.level_model(_level(0, 3)) == choice.LevelChoice("auto_arima", "", 0, 3)
    text = choice.choice_verdict(_level(0, 3), dict.fromkeys("abc", "auto_arima"), "best")
    assert "the field's standard, which won every node of the backtest" in text


def test_ties_with_auto_arima_count_as_not_won_and_the_verdict_says_so() -> None:
    # On flat series AutoARIMA picks a random walk and ties naive, which is listed first and so
    # "wins" those nodes; the verdict must not read as a contradiction (winner, yet 0 wins).
    rows = []
    for i in range(6):
        naive = 1.0 if i < 4 else 2.0
        rows += [(f"n{i}", "naive", 1.0, 1.0, naive), (f"n{i}", "auto_arima", 1.0, 1.0, 1.0)]
    table = pd.DataFrame(rows, columns=["node", "model", "rmse", "mae", "mase"])
    assert choice.level_model(table) == choice.LevelChoice("auto_arima", "naive", 0, 6, 4)
    picks = choice.pick_models([f"n{i}" for i in range(6)], table, "best", MODEL_NAMES)
    text = choice.choice_verdict(table, picks, "best")
    assert (
        "naive (the backtest winner at the most nodes besides auto_arima) beat auto_arima "
        "at 0 of 6 node(s) (tied at 4)" in text
    )


def test_without_auto_arima_the_most_frequent_winner_is_shown_and_without_a_backtest_lstm() -> None:
    table = _table()
    table = table[table.model != "auto_arima"]
    n3 = table[table.node == "n3"]
    # mean wins n3, m and m2; lstm wins n0 and auto_arima's old node; the rest one each
    table = pd.concat([table, n3.assign(node="m"), n3.assign(node="m2")])
    picks = choice.pick_models(["n0", "m", "new"], table, "best", MODEL_NAMES)
    assert picks == dict.fromkeys(["n0", "m", "new"], "mean")
    assert "auto_arima was not in the backtest" in choice.choice_verdict(table, picks, "best")
    empty = pd.DataFrame(columns=["node", "model", "mase", "rmse"])
    assert choice.pick_models(["a"], empty, "best", MODEL_NAMES) == {"a": "lstm"}
    assert "without a backtest" in choice.choice_verdict(empty, {"a": "lstm"}, "best")


def test_a_forced_model_is_used_everywhere_and_lstm_where_it_is_missing() -> None:
    nodes = ["a", "b"]
    assert choice.pick_models(nodes, _table(), "auto_ets", MODEL_NAMES) == dict.fromkeys(
        nodes, "auto_ets"
    )
    assert choice.pick_models(nodes, _table(), "auto_ets", ["lstm", "naive"]) == dict.fromkeys(
        nodes, "lstm"
    )
    assert "Shown: auto_ets at every node" in choice.choice_verdict(
        _table(), dict.fromkeys(nodes, "auto_ets"), "auto_ets"
    )
    text = choice.choice_verdict(_table(), dict.fromkeys(nodes, "lstm"), "auto_ets")
    assert text.startswith("The model chosen, auto_ets, is not available for this run")
    assert "shown instead: lstm at 2 of 2 node(s)" in text
    # after the automatic settings' sentence, which the shells leave out, it stays its own line
    from workflows.forecast_report import shown_verdict

    lines = shown_verdict(f"Automatic settings: lookback 10 (the history is too short). {text}")
    assert lines[0].startswith("The model chosen, auto_ets, is not available")


def test_settings_are_validated() -> None:
    assert choice.ChoiceSettings().model == "best" and choice.ChoiceSettings().interval == 0.8
    with pytest.raises(ForecastError, match="Unknown model 'prophet'"):
        choice.ChoiceSettings(model="prophet")
    with pytest.raises(ForecastError, match="from 50% to 95%"):
        choice.ChoiceSettings(interval=0.3)


def test_model_frames_carry_each_models_calibrated_band_and_the_chosen_rows() -> None:
    points = {"lstm": np.array([[1.0, 2.0], [0.0, 0.0]]), "naive": np.array([[3.0, 3.0]] * 2)}
    errors = {"lstm": np.array([[[1.0, 1.0], [-1.0, 2.0]]]), "naive": np.ones((1, 2, 2)) * 4}
    cal = choice.calibrations(errors, np.array([1.0]), 0.5)
    # node "a" was backtested, node "b" (reference scale 2) was too short for it
    scales = choice.band_scales(cal, ["a", "b"], ["a"], np.array([1.0, 2.0]))
    frame = choice.model_frames(["a", "b"], ["p1", "p2"], points, cal, scales)
    assert list(frame.columns) == choice.MODEL_FORECAST_COLUMNS
    lstm = frame[frame.model == "lstm"]
    # cut-off 1 divided by the other's mean |error| 1.5, cut-off 2 by 1: step 1 .67, 1 -> rank
    # ceil(3 * .5) = 2 -> 1; step 2: .67, 2 -> 2. a's own scale mean(1, 1, 1, 2) = 1.25; b takes
    # its reference 2 times the ratio 1.25 / 1
    np.testing.assert_allclose(lstm["upper"] - lstm["median"], [1.25, 2.5, 2.5, 5.0])
    chosen = choice.chosen_frame(frame, {"a": "naive", "b": "naive"})
    assert chosen["model"].tolist() == ["naive"] * 4
    assert chosen["median"].tolist() == [3.0] * 4
    assert isinstance(cal.calibrations["naive"], conformal.Calibration)


def test_a_node_won_by_luck_does_not_change_the_level() -> None:
    rows = []
    for node, lucky in (("a", 0.5), ("b", 5.0), ("c", 5.0)):
        rows += [(node, "mean", 1.0, 1.0, lucky), (node, "auto_arima", 1.0, 1.0, 0.8)]
    table = pd.DataFrame(rows, columns=["node", "model", "rmse", "mae", "mase"])
    assert choice.winners(table)["a"] == "mean"
    assert choice.pick_models(["a", "b", "c"], table, "best", MODEL_NAMES) == dict.fromkeys(
        "abc", "auto_arima"
    )


def test_rmse_decides_where_mase_is_undefined_and_missing_models_fall_back_to_lstm() -> None:
    table = _level(3, 3).assign(rmse=lambda t: np.where(t.model == "auto_ets", 9.0, 1.0))
    table.loc[table.node == "n0", "mase"] = np.nan
    # at n0 auto_arima wins on RMSE (1 vs 9): auto_ets wins 2 of 3, so auto_arima stays
    assert choice.level_model(table) == choice.LevelChoice("auto_arima", "auto_ets", 2, 3)
    assert choice.pick_models(["n0"], _level(13, 13), "best", ["lstm", "naive"]) == {"n0": "lstm"}
