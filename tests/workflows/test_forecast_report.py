"""The run's settings and the automatic choice in words, as both shells show them."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from forecasting.settings import ModelSettings
from forecasting.tuning import TUNING_COLUMNS
from workflows.forecast_report import (
    plan_ahead_text,
    settings_text,
    shown_verdict,
    tuning_table,
    tuning_text,
    verdict_lines,
)


def _table(rows: list[tuple[int, int, float, float, float, str]]) -> pd.DataFrame:
    """A tuning table from (lookback, units, rate, score, seconds, status) rows; other columns
    the search may report are left empty."""
    named = ["lookback", "units", "learning_rate", "score", "seconds", "status"]
    return pd.DataFrame(rows, columns=named).reindex(columns=TUNING_COLUMNS)


def test_settings_text_names_what_was_trained() -> None:
    text = settings_text(ModelSettings(lookback=4, horizon=3, units=16, learning_rate=0.001))
    assert "lookback 4, horizon 3, 1 layer of 16 units, learning rate 0.001" in text
    assert "batch size automatic" in text and "scaler es" in text and "loss mae" in text
    assert "batch size 64" in settings_text(ModelSettings(batch_size=64, layers=2))


def test_settings_text_names_the_advanced_settings() -> None:
    chosen = ModelSettings(
        scaler="minmax",
        loss="huber",
        calendar=False,
        difference=True,
        tune_seconds=12.5,
        val_fraction=0.15,
        patience=3,
        epochs=40,
        dropout=0.25,
        quantiles=(0.05, 0.95),
    )
    text = settings_text(chosen)
    assert "scaler minmax, loss huber, calendar inputs off, differencing on" in text
    assert "dropout 0.25, up to 40 epochs with patience 3" in text
    assert "0.15 of the windows kept for early stopping, search budget 12.5 s" in text
    assert text.endswith("run-to-run spread quantiles 0.05-0.95")
    assert "differencing off" in settings_text(ModelSettings())
    assert "logs of all-positive nodes off" in text and "trained again" not in text
    both = settings_text(ModelSettings(log_positive=True, refit=True, patience=3))
    assert "logs of all-positive nodes on" in both
    assert "patience 3, then trained again on every window, " in both


def test_members_at_two_lookbacks_are_said_with_their_shares() -> None:
    settings = ModelSettings(lookback=12, horizon=4, units=32, learning_rate=0.003, members=5)
    text = settings_text(settings, (12, 24, 12, 24, 12))
    assert text.startswith("lookbacks 12 and 24 (3 at 12, 2 at 24 networks), horizon 4, ")
    assert settings_text(settings, (12,) * 5).startswith("lookback 12, horizon 4, ")


def test_a_search_names_the_winner_its_score_and_the_skipped() -> None:
    table = _table(
        [
            (4, 32, 0.003, 0.9, 1.0, "scored"),
            (8, 32, 0.003, 0.7, 1.2, "chosen"),
            (4, 64, 0.003, np.nan, 0.0, "skipped (budget)"),
        ]
    )
    run = SimpleNamespace(tuning=table, train_seconds=5.0)
    text = tuning_text(run)
    assert "lookback 8, 32 units, learning rate 0.003" in text
    assert "0.700" in text and "of 2 candidate(s)" in text and "1 skipped by the budget" in text
    assert tuning_table(run).equals(table)


def test_no_search_and_no_automatic_settings_say_so() -> None:
    no_search = _table([(4, 32, 0.003, np.nan, 0.0, "chosen (no search: a time budget of 0 s)")])
    text = tuning_text(SimpleNamespace(tuning=no_search, train_seconds=2.0))
    assert text == (
        "Automatic settings: lookback 4, 32 units, learning rate 0.003 "
        "(no search: a time budget of 0 s)."
    )
    given = SimpleNamespace(tuning=_table([]), train_seconds=2.0)
    assert "every searched setting" in tuning_text(given)
    loaded = SimpleNamespace(tuning=_table([]), train_seconds=0.0)
    assert "saved model" in tuning_text(loaded)
    assert list(tuning_table(SimpleNamespace()).columns) == TUNING_COLUMNS


def test_the_verdict_reads_a_sentence_a_line() -> None:
    text = (
        "Best model over the backtest: LSTM + statistical combination (mean MASE 1.06). LSTM "
        "ensemble beats the best baseline, auto_arima (MASE 1.07 vs 1.08). Shown: auto_arima at "
        "25 of 25 node(s), not significantly many to replace it (one-sided sign test at 5%). "
        "Backtest winners per node (by MASE): auto_arima at 8, lstm at 6."
    )
    assert verdict_lines(text) == [
        "Best model over the backtest: LSTM + statistical combination (mean MASE 1.06).",
        "LSTM ensemble beats the best baseline, auto_arima (MASE 1.07 vs 1.08).",
        "Shown: auto_arima at 25 of 25 node(s), not significantly many to replace it "
        "(one-sided sign test at 5%).",
        "Backtest winners per node (by MASE): auto_arima at 8, lstm at 6.",
    ]
    assert verdict_lines("No backtest was run.") == ["No backtest was run."]
    assert verdict_lines("  ") == []


def test_the_shells_leave_the_automatic_settings_to_the_lines_below_the_verdict() -> None:
    text = (
        "Best model over the backtest: auto_arima (mean MASE 2.50). Automatic settings (the "
        "history is too short to search): lookback 10, horizon 4, 32 units, learning rate 0.003. "
        "Shown: auto_arima at 47 of 47 node(s)."
    )
    assert shown_verdict(text) == [
        "Best model over the backtest: auto_arima (mean MASE 2.50).",
        "Shown: auto_arima at 47 of 47 node(s).",
    ]


def _forecast(sources: dict[str, list[str]]) -> pd.DataFrame:
    """Forecast rows of two periods per modelled node, plus a bottom-up parent of them all."""
    rows = [
        (node, period, src, "auto_arima")
        for node, srcs in sources.items()
        for period, src in zip(["2026-01", "2026-02"], srcs, strict=True)
    ]
    rows += [("All", "2026-01", "mixed", "bottom-up"), ("All", "2026-02", "mixed", "bottom-up")]
    return pd.DataFrame(rows, columns=["node", "period", "planned_source", "model"])


def test_plan_ahead_text_says_where_the_plan_came_from() -> None:
    given = _forecast({"a": ["plan", "plan"], "b": ["plan", "plan"]})
    assert plan_ahead_text(given) == (
        "Plan ahead: from your file for every forecast period (2026-01 to 2026-02)."
    )
    none = _forecast({"a": ["assumed", "assumed"], "b": ["assumed", "assumed"]})
    assert plan_ahead_text(none) == (
        "Plan ahead: your file has no plan for 2026-01 to 2026-02, so the forecast assumes each "
        "node's plan repeats its last season (a cut taken as 0)."
    )
    assert plan_ahead_text(none, carried=True).endswith("each node's plan stays where it stands.")
    # counted over the modelled nodes only, not the bottom-up parent
    part = _forecast({"a": ["plan", "assumed"], "b": ["assumed", "assumed"]})
    assert plan_ahead_text(part) == (
        "Plan ahead: your file gives 1 of the 4 node-periods of 2026-01 to 2026-02; for the "
        "other 3 the forecast assumes each node's plan repeats its last season (a cut taken as 0)."
    )
    assert plan_ahead_text(given.drop(columns="planned_source")) == ""
