"""The Forecast page's sliders open on the forecasting core's defaults."""

from __future__ import annotations

from forecasting.settings import ModelSettings
from ui.forecast_settings import SLIDERS


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
        "fc_interval": 80,
    }
    for key, value in expected.items():
        text, lo, hi, _step, default, _fmt = SLIDERS[key]
        assert default == value, text
        assert lo <= default <= hi, text


def test_upload_help_states_the_server_limit() -> None:
    from streamlit import config

    from ui.sources import upload_limit_mb

    before = config.get_option("server.maxUploadSize")
    try:
        config.set_option("server.maxUploadSize", 7)
        assert upload_limit_mb() == 7
    finally:
        config.set_option("server.maxUploadSize", before)
    assert upload_limit_mb() == before
