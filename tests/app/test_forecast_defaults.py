"""The Forecast page's sliders open on the forecasting core's defaults."""

from __future__ import annotations

from forecasting.settings import ModelSettings
from ui.forecast_ui import SLIDERS


def test_slider_defaults_are_the_model_defaults() -> None:
    d = ModelSettings()
    expected = {
        "fc_layers": d.layers,
        "fc_units": d.units,
        "fc_dropout": d.dropout,
        "fc_lookback": d.lookback,
        "fc_horizon": d.horizon,
        "fc_epochs": d.epochs,
        "fc_members": d.members,
        "fc_lr": d.learning_rate,
        "fc_seed": d.seed,
    }
    for key, value in expected.items():
        text, lo, hi, _step, default, _fmt = SLIDERS[key]
        assert default == value, text
        assert lo <= default <= hi, text
