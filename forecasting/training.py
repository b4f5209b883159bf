"""Training one network: seeded, time-ordered validation, early stopping, progress and cancel."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecasting.errors import ForecastError
from forecasting.model import build_model, quiet_tensorflow
from forecasting.settings import ModelSettings
from forecasting.windows import Windows

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgressEvent:
    """One step of training progress, for a progress bar in the app or the CLI.

    ``stage`` is ``"backtest"`` or ``"final"``; ``member`` counts from 1; ``epoch`` from 1 after an
    epoch ends (0 when a member starts); ``val_loss`` is None without a validation part.
    """

    stage: str
    member: int
    members: int
    epoch: int
    epochs: int
    loss: float | None
    val_loss: float | None


ProgressFn = Callable[[ProgressEvent], None]


class TrainingCancelled(ForecastError):
    """Training was stopped by the user (the cancel event was set)."""

    def __init__(self, message: str = "Training was cancelled; nothing was saved."):
        super().__init__(message)


def split_by_time(w: Windows, val_fraction: float) -> tuple[Windows, Windows]:
    """Split windows in time order: the windows whose targets end in the last ``val_fraction`` of
    the distinct origins form the validation part (at least one origin stays for training)."""
    origins = np.unique(w.origin)
    n_val = round(len(origins) * val_fraction)
    n_val = min(n_val, len(origins) - 1)
    if n_val <= 0:
        return w, w.take(np.zeros(len(w), dtype=bool))
    cut = origins[-n_val]
    is_val = w.origin >= cut
    return w.take(~is_val), w.take(is_val)


def auto_batch_size(n_windows: int) -> int:
    """Batch size for ``batch_size=0``: 32 up to 4,096 windows, then a multiple of 32 that keeps
    an epoch near 128 batches (capped at 1,024), so big global models train in bounded time."""
    if n_windows <= 4096:
        return 32
    return int(min(1024, 32 * math.ceil(n_windows / 128 / 32)))


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and TensorFlow, and make TensorFlow's ops deterministic."""
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()


def _inputs(w: Windows) -> list[np.ndarray]:
    return [w.past.astype("float32"), w.future.astype("float32")]


def train_member(
    train: Windows,
    val: Windows,
    settings: ModelSettings,
    seed: int,
    *,
    stage: str = "final",
    member: int = 1,
    members: int = 1,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> tuple[Any, dict[str, list[float]]]:
    """Train one network on scaled windows.

    Returns:
        The trained ``keras.Model`` (best validation weights restored) and its loss history.

    Raises:
        TrainingCancelled: ``cancel`` was set; training stops at the end of the current batch.
        ForecastError: no training windows.
    """
    if len(train) == 0:
        raise ForecastError(
            "There are no complete training windows for the chosen lookback and horizon."
        )
    if cancel is not None and cancel.is_set():
        raise TrainingCancelled()
    quiet_tensorflow()
    has_val = len(val) > 0
    fit = _Fit(settings, stage, member, members, progress, cancel)
    model, hist = _fit_once(train, val if has_val else None, seed, fit, settings.epochs)
    if settings.refit and has_val:
        # Early stopping chose the epochs on the latest windows; train again on every window
        # (the latest included) for that many epochs, from the same seed.
        best = int(np.argmin(hist["val_loss"])) + 1
        model, again = _fit_once(_joined(train, val), None, seed, fit, best, stop=False)
        hist = {**hist, "refit_loss": again["loss"]}
    log.info("member %d/%d (%s): %d epochs", member, members, stage, len(hist.get("loss", [])))
    return model, hist


@dataclass(frozen=True)
class _Fit:
    """How one member reports and stops: its settings, place in the ensemble, progress, cancel."""

    settings: ModelSettings
    stage: str
    member: int
    members: int
    progress: ProgressFn | None
    cancel: threading.Event | None


def _joined(a: Windows, b: Windows) -> Windows:
    """The windows of ``a`` followed by those of ``b``."""
    return Windows(
        np.concatenate([a.past, b.past]),
        np.concatenate([a.future, b.future]),
        np.concatenate([a.target, b.target]),
        np.concatenate([a.node, b.node]),
        np.concatenate([a.origin, b.origin]),
    )


def _fit_once(
    train: Windows, val: Windows | None, seed: int, fit: _Fit, epochs: int, *, stop: bool = True
) -> tuple[Any, dict[str, list[float]]]:
    """One seeded network trained for ``epochs`` epochs, with ``stop`` at most that many (early
    stopping on ``val``, or on the training loss without it, best weights restored)."""
    import keras

    settings = fit.settings
    seed_everything(seed)
    model = build_model(settings, train.past.shape[1:], train.future.shape[1:])
    cancel, progress = fit.cancel, fit.progress

    class _Hooks(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if cancel is not None and cancel.is_set():
                raise TrainingCancelled()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            logs = logs or {}
            if progress is not None:
                vl = logs.get("val_loss")
                progress(
                    ProgressEvent(
                        fit.stage,
                        fit.member,
                        fit.members,
                        epoch + 1,
                        epochs,
                        float(logs["loss"]) if "loss" in logs else None,
                        float(vl) if vl is not None else None,
                    )
                )

    if progress is not None:
        progress(ProgressEvent(fit.stage, fit.member, fit.members, 0, epochs, None, None))
    callbacks: list[Any] = [_Hooks()]
    if stop:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss" if val is not None else "loss",
                patience=settings.patience,
                restore_best_weights=True,
            )
        )
    history = model.fit(
        _inputs(train),
        train.target.astype("float32"),
        validation_data=(_inputs(val), val.target.astype("float32")) if val is not None else None,
        epochs=epochs,
        batch_size=settings.batch_size or auto_batch_size(len(train)),
        shuffle=True,
        verbose=0,
        callbacks=callbacks,
    )
    return model, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def predict(model: Any, w: Windows) -> np.ndarray:
    """Scaled predictions (m, horizon) with ``predict_on_batch`` (fast for small batches)."""
    if len(w) == 0:
        return np.empty((0, w.target.shape[1]))
    out = model.predict_on_batch(_inputs(w))
    return np.asarray(out, dtype="float64").reshape(len(w), -1)
