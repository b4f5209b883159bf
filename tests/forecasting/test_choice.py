"""Model choice per node: the backtest winner, forced models, the verdict, the shown rows."""

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


def test_each_model_wins_once_and_is_shown_where_it_won() -> None:
    table = _table()
    nodes = [f"n{i}" for i in range(len(MODEL_NAMES))]
    picks = choice.pick_models(nodes, table, "best", MODEL_NAMES)
    assert picks == {f"n{i}": m for i, m in enumerate(MODEL_NAMES)}
    text = choice.choice_verdict(table, picks, "best")
    assert f"of {len(MODEL_NAMES)} node(s)" in text
    for m in MODEL_NAMES:
        assert f"{m} at 1" in text
    # the LSTM beats every baseline at its own node and at the combo's (1.00 vs 1.01 and up)
    assert f"beat the best baseline of the node at 2 of {len(MODEL_NAMES)}" in text


def test_a_node_without_a_backtest_gets_the_most_frequent_winner() -> None:
    table = _table()
    table = table[table.node.isin(["n3", "n0"])]
    table = pd.concat([table, table.assign(node="m")])
    picks = choice.pick_models(["n0", "n3", "m", "new"], table, "best", MODEL_NAMES)
    assert picks["new"] == picks["n0"] == "lstm"


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
    assert text.startswith("auto_ets is not available for this run") and "lstm at 2" in text


def test_settings_are_validated() -> None:
    assert choice.ChoiceSettings().model == "best" and choice.ChoiceSettings().interval == 0.8
    with pytest.raises(ForecastError, match="Unknown model 'prophet'"):
        choice.ChoiceSettings(model="prophet")
    with pytest.raises(ForecastError, match="from 50% to 95%"):
        choice.ChoiceSettings(interval=0.3)


def test_model_frames_carry_each_models_calibrated_band_and_the_chosen_rows() -> None:
    points = {"lstm": np.array([[1.0, 2.0]]), "naive": np.array([[3.0, 3.0]])}
    errors = {"lstm": np.array([[[1.0, 1.0], [-1.0, 2.0]]]), "naive": np.ones((1, 2, 2)) * 4}
    cal = choice.calibrations(errors, np.array([1.0]), 0.5)
    frame = choice.model_frames(["a"], ["p1", "p2"], points, cal, np.array([2.0]))
    assert list(frame.columns) == choice.MODEL_FORECAST_COLUMNS
    lstm = frame[frame.model == "lstm"]
    # |scaled errors| step 1: 1, 1 -> 1; step 2: 1, 2 -> rank ceil(3 * .5) = 2 -> 2; scale 2
    np.testing.assert_allclose(lstm["upper"] - lstm["median"], [2.0, 4.0])
    chosen = choice.chosen_frame(frame, {"a": "naive"})
    assert chosen["model"].tolist() == ["naive", "naive"]
    assert chosen["median"].tolist() == [3.0, 3.0]
    assert isinstance(cal.calibrations["naive"], conformal.Calibration)


def test_best_picks_only_among_the_models_that_hold_up_across_the_level() -> None:
    rows = []
    for node, lucky in (("a", 0.5), ("b", 5.0), ("c", 5.0)):
        rows += [(node, "mean", 1.0, 1.0, lucky), (node, "auto_arima", 1.0, 1.0, 0.8)]
    table = pd.DataFrame(rows, columns=["node", "model", "rmse", "mae", "mase"])
    # mean wins node a by luck but averages 3.5 over the level; AutoARIMA averages 0.8
    assert choice.contenders(table) == {"auto_arima"}
    assert choice.winners(table)["a"] == "mean"
    assert choice.pick_models(["a", "b", "c"], table, "best", MODEL_NAMES) == dict.fromkeys(
        "abc", "auto_arima"
    )
