"""A deterministic estimate of how long one network takes to train, for the tuning budget.

The automatic settings' search (``forecasting.tuning``) must choose the same candidates, and so the
same forecast, for the same data, settings and seed however busy the machine is: a wall-clock
budget would stop earlier on a loaded machine. So the budget is spent on *estimated* seconds,
computed before anything trains from what decides the work:

- the training windows (``window_count``) and the batches per epoch they make;
- the epochs: ``settings.epochs`` capped at ``TYPICAL_EPOCHS``, the epochs early stopping left on
  the forecast suite's trainings (most stop far before the cap);
- the recurrent work per window: lookback x units x (units + inputs) multiply-adds per gate.

``seconds = OVERHEAD_S + epochs x (batches x PER_BATCH_S + windows x cells x PER_CELL_S)``, the
constants set once, by hand, from the CPU seconds of single-member trainings on the forecast
suite's panels on this project's 2-core build machine (a shared machine, so the measurements were
noisy: the estimate is within about a factor of 2 of them; it is lowest, about half, for the yearly
panel, whose 60 windows train for 25 to 50 epochs). The estimate is a yardstick, not a
prediction: on another machine every candidate is off by about the same factor, so the budget
admits the same candidates everywhere.
"""

from __future__ import annotations

import math

import numpy as np

from forecasting import calendar
from forecasting.settings import ModelSettings
from forecasting.training import auto_batch_size
from forecasting.windows import Panel

# Set 2026-12-02 from 15 single-member trainings on the suite's M, Q and Y panels (lookback 12
# and 24, 16 to 64 units): tracing the training and validation graphs costs about 3 s whatever the
# data, an epoch of about 10 batches 0.1 to 0.4 s; early stopping ended them after 8 to 50 epochs
# (median 13).
OVERHEAD_S = 3.0  # building the network and tracing its training and validation graphs
PER_BATCH_S = 0.01  # one training step and its share of the validation pass
PER_CELL_S = 1.0e-9  # one window x lookback step x gate unit x input of the recurrent layers
TYPICAL_EPOCHS = 15


def window_count(panel: Panel, lookback: int, horizon: int, upto: int, difference: bool) -> int:
    """The training windows ``fit_ensemble(..., upto=upto)`` cuts: per node, every complete window
    of ``lookback + horizon`` periods from its first period (one later when differencing)."""
    extra = 1 if difference else 0
    per_node = upto - (lookback + horizon) - (panel.start + extra) + 1
    return int(np.clip(per_node, 0, None).sum())


def input_features(settings: ModelSettings, season: int) -> int:
    """Inputs per past step: target and plan, plus the calendar's when it applies."""
    extra = calendar.CALENDAR_FEATURES if calendar.uses_calendar(settings.calendar, season) else 0
    return 2 + extra


def estimate_seconds(settings: ModelSettings, windows: int, season: int) -> float:
    """Estimated seconds to train one network of ``settings`` on ``windows`` windows (module
    docstring); ``settings`` must have its automatic values resolved."""
    train = max(1, round(windows * (1.0 - settings.val_fraction)))
    batch = settings.batch_size or auto_batch_size(train)
    batches = math.ceil(train / batch)
    units, features = settings.units, input_features(settings, season)
    cells = settings.lookback * units * (units + features) * 4
    cells += (settings.layers - 1) * settings.lookback * units * (2 * units) * 4
    epochs = min(settings.epochs, TYPICAL_EPOCHS)
    return OVERHEAD_S + epochs * (batches * PER_BATCH_S + windows * cells * PER_CELL_S)
