"""The Keras network built from ModelSettings: layers, shapes derived from the data, compile."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from forecasting.model import build_model
from forecasting.settings import ModelSettings


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_stacked_lstm_layers_return_sequences_on_all_but_the_last(layers: int) -> None:
    import keras

    s = ModelSettings(layers=layers, units=4, dropout=0.2, learning_rate=0.005)
    model = build_model(s, (7, 2), (3, 1))
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == layers
    assert [layer.return_sequences for layer in lstms] == [True] * (layers - 1) + [False]
    assert all(layer.units == 4 for layer in lstms)
    drops = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert len(drops) == layers and all(d.rate == pytest.approx(0.2) for d in drops)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.005)


def test_shapes_come_from_the_data_and_the_output_is_the_whole_horizon() -> None:
    model = build_model(ModelSettings(layers=1, units=3, dropout=0.0), (5, 2), (4, 1))
    assert [tuple(t.shape) for t in model.inputs] == [(None, 5, 2), (None, 4, 1)]
    assert tuple(model.outputs[0].shape) == (None, 4)
    out = model.predict_on_batch([np.zeros((2, 5, 2), "float32"), np.zeros((2, 4, 1), "float32")])
    assert np.asarray(out).shape == (2, 4)


def test_importing_the_keras_side_does_not_import_tensorflow() -> None:
    code = (
        "import sys, forecasting.pipeline, forecasting.bundle, forecasting.model, "
        "forecasting.training, forecasting.ensemble, forecasting.backtest\n"
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter without the TF_* variables that would quiet TensorFlow."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )


def test_loading_tensorflow_shows_the_analyst_no_runtime_notices() -> None:
    # TensorFlow's C++ runtime prints "Could not find cuda drivers" and absl's notice to fd 2 on
    # import; through quiet_tensorflow they reach the debug log only, while other output passes.
    code = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='%(message)s')\n"
        "from forecasting.model import quiet_tensorflow\n"
        "sys.stderr.write('before\\n')\n"
        "quiet_tensorflow()\n"
        "import tensorflow as tf\n"
        "logging.getLogger('tensorflow').warning('a TensorFlow warning')\n"
        "sys.stderr.write('after %s\\n' % ('tensorflow' in sys.modules))\n"
    )
    out = _fresh_python(code)
    assert out.stderr.splitlines() == ["before", "after True"]
    assert "a TensorFlow warning" not in out.stdout


def test_two_threads_loading_tensorflow_at_once_leave_stderr_working() -> None:
    # The app warms TensorFlow up in a thread while a training thread may start: the capture of
    # fd 2 is taken once, and fd 2 points at the real stderr afterwards.
    code = (
        "import sys, threading\n"
        "from forecasting.model import quiet_tensorflow\n"
        "ts = [threading.Thread(target=quiet_tensorflow) for _ in range(2)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "import os; os.write(2, b'after\\n')\n"
    )
    out = _fresh_python(code)
    assert out.stderr.splitlines() == ["after"]


def test_a_thread_that_starts_training_while_tensorflow_loads_waits_for_the_whole_load() -> None:
    # The app's Forecast page loads TensorFlow in a warm-up thread; an analyst who presses Train
    # at once started a training thread that imported Keras mid-load and failed with "module
    # 'tensorflow.python.data.ops.dataset_ops' has no attribute 'DatasetV2'".
    code = (
        "import sys, threading, time\n"
        "from forecasting.model import quiet_tensorflow\n"
        "errors = []\n"
        "def train():\n"
        "    while 'tensorflow' not in sys.modules:\n"
        "        time.sleep(0.001)\n"
        "    try:\n"
        "        quiet_tensorflow()\n"
        "        import keras\n"
        "        keras.layers.Dense(1)\n"
        "        from tensorflow.python.data.ops import dataset_ops\n"
        "        dataset_ops.DatasetV2\n"
        "    except Exception as err:\n"
        "        errors.append(repr(err))\n"
        "ts = [threading.Thread(target=train), threading.Thread(target=quiet_tensorflow)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print(errors)\n"
    )
    out = _fresh_python(code)
    assert out.stdout.strip() == "[]"
