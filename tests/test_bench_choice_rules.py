"""Offline comparison of rules for the shown model, on tables the forecast suite saves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench import bench_forecast_suite as suite
from bench import choice_rules
from bench import suite_data as data


def _save(folder: Path) -> None:
    """One split of two series: lstm wins both nodes of the backtest narrowly, auto_arima wins the
    held-out window; the suite's best showed lstm."""
    backtest = pd.DataFrame(
        {
            "node": ["a", "a", "b", "b"],
            "model": ["lstm", "auto_arima", "lstm", "auto_arima"],
            "rmse": 1.0,
            "mae": 1.0,
            "mase": [0.9, 1.0, 0.8, 1.0],
        }
    )
    held = {("a", "lstm"): 2.0, ("a", "auto_arima"): 1.0, ("b", "lstm"): 4.0}
    held[("b", "auto_arima")] = 3.0
    rows = [("Q", s, 10, m, v) for (s, m), v in held.items()]
    rows += [("Q", s, 10, "best", held[(s, "lstm")]) for s in "ab"]
    scores = pd.DataFrame(rows, columns=["group", "series", "window", "model", "mase"])
    backtest.to_csv(folder / "backtest_Q_10.csv", index=False)
    scores.to_csv(folder / "scores_Q_10.csv", index=False)


def test_rules_are_scored_on_the_held_out_window_of_what_they_pick(tmp_path: Path) -> None:
    _save(tmp_path)
    splits = choice_rules.load(tmp_path)
    frame = choice_rules.compare(splits)
    # the earlier default follows the backtest (lstm at both nodes): held-out (2 + 4) / 2
    assert frame.loc["earlier default (tolerance 10 %)", "all"] == pytest.approx(3.0)
    assert frame.loc["suite's best (as run)", "Q"] == pytest.approx(3.0)
    # 2 of 2 nodes is no evidence against auto_arima: (1 + 3) / 2
    assert frame.loc["product default (choice.pick_models)", "all"] == pytest.approx(2.0)
    assert frame.loc["always lstm (reference)", "all"] == pytest.approx(3.0)
    with pytest.raises(SystemExit, match="no backtest"):
        choice_rules.load(tmp_path / "empty")


def test_a_split_saves_its_inner_backtest_and_held_out_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = np.arange(1.0, 13.0).reshape(1, 12)
    split = data.Split("Y", values, ("s",), tuple(data.period_labels("Y", 12)), 4, 1)
    monkeypatch.setattr(suite, "load_suite", lambda: [split])
    steps = pd.DataFrame({"node": "s", "step": [1, 2, 3, 4], "lower": 0.0, "upper": 20.0})
    product = pd.concat([steps.assign(model=m, median=9.0) for m in ("lstm", "best")])
    table = pd.DataFrame({"node": ["s"], "model": ["lstm"], "rmse": [1.0], "mase": [0.5]})
    monkeypatch.setattr(suite, "_product", lambda *_: (product, 1.0, table, (0.05, 0.03)))
    monkeypatch.setattr(
        suite, "reference_forecasts", lambda *_: (steps.assign(model="sf", median=9.0), 1.0)
    )
    scores, timing = suite._run_split("Y", 1, True, tmp_path / "t")
    assert (timing["members rmse std/mean"], timing["same-lookback std/mean"]) == (0.05, 0.03)
    saved = pd.read_csv(tmp_path / "t" / "backtest_Y_8.csv")
    assert saved[["group", "window", "mase"]].values.tolist() == [["Y", 8, 0.5]]
    held = pd.read_csv(tmp_path / "t" / "scores_Y_8.csv")
    assert sorted(held["model"]) == ["best", "lstm", "sf"]
    assert held["mase"].tolist() == pytest.approx(scores["mase"].tolist())
