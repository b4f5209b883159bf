"""Training: beats naive on a clean series, reproducible, early stopping, progress, cancel."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import numpy as np
import pytest

from forecasting.errors import ForecastError
from forecasting.scaling_fit import fit_scaler
from forecasting.settings import ModelSettings
from forecasting.training import (
    ProgressEvent,
    TrainingCancelled,
    predict,
    split_by_time,
    train_member,
)
from forecasting.windows import Windows, origin_windows, training_windows

T = 96
TEST = 12
SETTINGS = ModelSettings(
    layers=1,
    units=8,
    dropout=0.0,
    lookback=12,
    horizon=3,
    epochs=60,
    batch_size=16,
    learning_rate=0.01,
    patience=10,
    members=1,
)


def _clean_series() -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(T, dtype=float)
    rng = np.random.default_rng(0)
    target = 50.0 * np.sin(2 * np.pi * t / 12) + 2.0 * t + rng.normal(0, 1.0, T)
    planned = 1000.0 + 100.0 * np.cos(2 * np.pi * t / 12)
    return target[None, :], planned[None, :]


def _prepare() -> dict[str, Any]:
    target, planned = _clean_series()
    end = T - TEST
    sc = fit_scaler(target, planned, fit_end=end)
    zt, zc = sc.transform(target, planned)
    w = training_windows(zt, zc, np.array([0]), SETTINGS.lookback, SETTINGS.horizon, upto=end)
    train, val = split_by_time(w, 0.2)
    origins = list(range(end - 1, T - SETTINGS.horizon))
    tests = [origin_windows(zt, zc, SETTINGS.lookback, SETTINGS.horizon, origin=o) for o in origins]
    return {
        "target": target,
        "sc": sc,
        "train": train,
        "val": val,
        "origins": origins,
        "tests": tests,
    }


def _forecast(model: Any, d: dict[str, Any]) -> np.ndarray:
    out = []
    for w in d["tests"]:
        z = predict(model, w)
        out.append(d["sc"].inverse(z, w.node, np.zeros(1), d["target"][:, w.origin]))
    return np.concatenate(out)


@pytest.fixture(scope="module")
def trained() -> dict[str, Any]:
    d = _prepare()
    events: list[ProgressEvent] = []
    model, hist = train_member(
        d["train"], d["val"], SETTINGS, 7, stage="final", progress=events.append
    )
    d.update(model=model, hist=hist, events=events, forecast=_forecast(model, d))
    return d


def test_beats_naive_by_a_clear_margin_on_a_clean_seasonal_trend(trained: dict[str, Any]) -> None:
    target = trained["target"][0]
    actual = np.stack([target[o + 1 : o + 4] for o in trained["origins"]])
    naive = np.stack([np.repeat(target[o], 3) for o in trained["origins"]])
    rmse_lstm = float(np.sqrt(np.mean((trained["forecast"] - actual) ** 2)))
    rmse_naive = float(np.sqrt(np.mean((naive - actual) ** 2)))
    assert rmse_lstm < 0.5 * rmse_naive, (rmse_lstm, rmse_naive)


def test_same_seed_gives_identical_forecasts(trained: dict[str, Any]) -> None:
    d = _prepare()
    model, _ = train_member(d["train"], d["val"], SETTINGS, 7)
    np.testing.assert_array_equal(_forecast(model, d), trained["forecast"])


def test_best_weights_are_restored(trained: dict[str, Any]) -> None:
    val: Windows = trained["val"]
    got = trained["model"].evaluate(
        [val.past.astype("float32"), val.future.astype("float32")],
        val.target.astype("float32"),
        verbose=0,
    )
    assert got == pytest.approx(min(trained["hist"]["val_loss"]), rel=1e-3)


def test_progress_reports_every_epoch(trained: dict[str, Any]) -> None:
    events: list[ProgressEvent] = trained["events"]
    epochs = len(trained["hist"]["loss"])
    assert [e.epoch for e in events] == list(range(epochs + 1))
    assert all(e.stage == "final" and e.member == 1 and e.members == 1 for e in events)
    assert all(e.epochs == SETTINGS.epochs for e in events)
    assert events[0].loss is None
    assert all(isinstance(e.loss, float) and isinstance(e.val_loss, float) for e in events[1:])
    with pytest.raises(dataclasses.FrozenInstanceError):
        events[0].epoch = 3  # type: ignore[misc]


def test_cancel_stops_at_the_next_batch_and_raises() -> None:
    d = _prepare()
    cancel = threading.Event()
    seen: list[ProgressEvent] = []

    def on_progress(e: ProgressEvent) -> None:
        seen.append(e)
        if e.epoch == 1:
            cancel.set()

    with pytest.raises(TrainingCancelled) as info:
        train_member(d["train"], d["val"], SETTINGS, 7, progress=on_progress, cancel=cancel)
    assert isinstance(info.value, ForecastError)
    assert "cancelled" in str(info.value)
    assert max(e.epoch for e in seen) == 1
    # a cancel set before training starts never builds a model
    with pytest.raises(TrainingCancelled):
        train_member(d["train"], d["val"], SETTINGS, 7, cancel=cancel)


def test_validation_is_the_latest_part_in_time() -> None:
    d = _prepare()
    train, val = d["train"], d["val"]
    assert train.origin.max() < val.origin.min()
    n_origins = len(np.unique(np.concatenate([train.origin, val.origin])))
    assert len(np.unique(val.origin)) == round(n_origins * 0.2)
    none_train, none_val = split_by_time(train, 0.0)
    assert len(none_val) == 0 and len(none_train) == len(train)


def test_no_windows_is_a_plain_error() -> None:
    d = _prepare()
    empty = d["train"].take(np.zeros(len(d["train"]), dtype=bool))
    with pytest.raises(ForecastError, match="no complete training windows"):
        train_member(empty, empty, SETTINGS, 7)


def test_refit_trains_again_on_every_window_for_the_chosen_epochs() -> None:
    d = _prepare()
    quick = dataclasses.replace(SETTINGS, epochs=8, patience=2, refit=True)
    events: list[ProgressEvent] = []
    model, hist = train_member(d["train"], d["val"], quick, seed=3, progress=events.append)
    chosen = int(np.argmin(hist["val_loss"])) + 1
    assert len(hist["refit_loss"]) == chosen
    # the second fit saw the validation windows too and reported its own epochs
    assert [e.epoch for e in events if e.epochs == chosen][-1] == chosen
    again, hist2 = train_member(d["train"], d["val"], quick, seed=3)
    np.testing.assert_array_equal(predict(model, d["val"]), predict(again, d["val"]))
    plain, _ = train_member(d["train"], d["val"], dataclasses.replace(quick, refit=False), seed=3)
    assert not np.array_equal(predict(model, d["val"]), predict(plain, d["val"]))
    assert hist2["refit_loss"] == hist["refit_loss"]
