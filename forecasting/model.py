"""The Keras 3 LSTM network, built from :class:`ModelSettings` and the shapes of the data.

Architecture (direct multi-step):

- input ``past``: (lookback, features) = past target and past covariate, scaled;
- input ``future``: (horizon, 1) = the known future covariate (the plan), scaled;
- 1-3 stacked LSTM layers over ``past`` (``return_sequences`` on all but the last), each followed
  by dropout; unrolled when the lookback is at most ``UNROLL_MAX`` periods;
- the last LSTM state, the flattened future plan and the flattened past window are concatenated and
  mapped by one ``Dense(horizon)`` to the whole horizon at once. The flattened past is a linear
  skip path: with a few dozen periods per node it lets the network start from an autoregressive
  fit, and the LSTM learns what a linear map misses.

TensorFlow/Keras are imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
from typing import Any

from forecasting.settings import ModelSettings

# Short lookbacks are unrolled into a static graph: measured about 35 % less CPU per epoch than
# the symbolic loop for a lookback of 12 on this machine; long ones keep the loop (memory).
UNROLL_MAX = 52
log = logging.getLogger(__name__)


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ logging and oneDNN notice, load TensorFlow and Keras once per
    process with TensorFlow's start-up notices captured (``_import_tensorflow_quietly``), and keep
    its Python warnings below errors (predicting nodes of several lengths logs a "retracing"
    warning meant for TensorFlow developers, which the CLI would show to the analyst).

    A thread that calls it while another is loading waits until the load has finished: the app
    warms TensorFlow up in a background thread, and a training thread that imported Keras during
    that load got half-initialised TensorFlow modules ("module ... dataset_ops has no attribute
    DatasetV2")."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    if not _LOADED.is_set():
        _load_once()


_IMPORT_LOCK = threading.Lock()
_LOADED = threading.Event()
# What TensorFlow's C++ runtime writes while it loads: absl's "All log messages before
# absl::InitializeLog() ..." and glog-style lines ("I0000 00:00:... cudart_stub.cc:31] ...").
_NOTICE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog|[IWE]\d{4} )")


def _load_once() -> None:
    """Load TensorFlow (quietly, unless something else already imported it) and Keras, under the
    lock, and mark them loaded."""
    with _IMPORT_LOCK:
        if _LOADED.is_set():
            return
        if "tensorflow" in sys.modules:
            import tensorflow  # noqa: F401  # loaded before: nothing left to capture
        else:
            _import_tensorflow_quietly()
        import keras  # noqa: F401

        _LOADED.set()


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 captured: its C++ runtime prints notices (no CUDA
    driver, absl not initialised) straight to it while loading, before ``TF_CPP_MIN_LOG_LEVEL``
    applies. Those go to the debug log; anything else written meanwhile is passed back. Without a
    usable descriptor 2 it imports plainly. The caller holds ``_IMPORT_LOCK``."""
    try:
        saved = os.dup(2)
    except OSError:
        import tensorflow

        return
    if sys.stderr is not None:
        sys.stderr.flush()
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            if sys.stderr is not None:
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", "replace")
    for line in text.splitlines():
        if _NOTICE.match(line):
            log.debug("TensorFlow: %s", line)
        elif line.strip() and sys.stderr is not None:
            sys.stderr.write(line + "\n")


def build_model(
    settings: ModelSettings, past_shape: tuple[int, ...], future_shape: tuple[int, ...]
) -> Any:
    """Build and compile the network.

    Args:
        settings: layers, units, dropout, learning rate (lookback/horizon come from the shapes).
        past_shape: ``windows.past.shape[1:]`` = (lookback, features).
        future_shape: ``windows.future.shape[1:]`` = (horizon, 1).

    Returns:
        A compiled ``keras.Model`` with inputs ``[past, future]`` and output (batch, horizon).
    """
    quiet_tensorflow()
    import keras

    lookback, features = int(past_shape[0]), int(past_shape[1])
    horizon = int(future_shape[0])
    past = keras.Input(shape=(lookback, features), name="past")
    future = keras.Input(shape=tuple(int(d) for d in future_shape), name="future")
    h = past
    for i in range(settings.layers):
        h = keras.layers.LSTM(
            settings.units,
            return_sequences=i < settings.layers - 1,
            unroll=lookback <= UNROLL_MAX,
            name=f"lstm_{i + 1}",
        )(h)
        if settings.dropout > 0:
            h = keras.layers.Dropout(settings.dropout, name=f"dropout_{i + 1}")(h)
    joined = keras.layers.Concatenate(name="joined")(
        [
            h,
            keras.layers.Flatten(name="future_plan")(future),
            keras.layers.Flatten(name="past_skip")(past),
        ]
    )
    out = keras.layers.Dense(horizon, name="horizon")(joined)
    model = keras.Model(inputs=[past, future], outputs=out, name="drift_lstm")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate), loss=settings.loss
    )
    return model
