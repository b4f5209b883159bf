"""ModelSettings: defaults, validation in plain words, dict round trip."""

from __future__ import annotations

import json

import pytest

from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings


def test_defaults_are_valid_and_round_trip_through_json() -> None:
    s = ModelSettings()
    again = ModelSettings.from_dict(json.loads(json.dumps(s.to_dict())))
    assert again == s
    assert again.quantiles == (0.1, 0.9)


def test_zero_means_automatic_and_the_defaults_are_all_automatic() -> None:
    assert ModelSettings().automatic == ("lookback", "horizon", "units", "learning_rate")
    given = ModelSettings(lookback=6, horizon=2, units=8, learning_rate=0.01)
    assert given.automatic == ()
    assert ModelSettings(units=16).automatic == ("lookback", "horizon", "learning_rate")
    d = ModelSettings().to_dict()
    assert (d["scaler"], d["calendar"], d["tune_seconds"]) == ("es", True, 30.0)


def test_custom_values_round_trip() -> None:
    s = ModelSettings(layers=3, units=4, scaler="window", difference=True, quantiles=(0.05, 0.95))
    assert ModelSettings.from_dict(s.to_dict()) == s


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"layers": 0}, "'layers' must be a whole number from 1 to 3"),
        ({"layers": 4}, "'layers'"),
        ({"units": -1}, "'units' must be a whole number from 0 to 1024"),
        ({"dropout": 0.95}, "'dropout'"),
        ({"dropout": float("nan")}, "'dropout'"),
        ({"lookback": -1}, "'lookback'"),
        ({"horizon": 121}, "'horizon'"),
        ({"learning_rate": -0.1}, "'learning_rate' must be a number from 0.0 to 1.0"),
        ({"tune_seconds": -1.0}, "'tune_seconds'"),
        ({"calendar": 1}, "'calendar' must be true or false"),
        ({"batch_size": -1}, "'batch_size'"),
        ({"members": 0}, "'members'"),
        ({"val_fraction": 0.6}, "'val_fraction'"),
        ({"scaler": "robust"}, "'scaler' must be one of standard, minmax, window, es"),
        ({"quantiles": (0.9, 0.1)}, "'quantiles'"),
        ({"layers": 2.0}, "'layers'"),
        ({"difference": "yes"}, "'difference'"),
        ({"target": "x", "covariate": "x"}, "different columns"),
    ],
)
def test_bad_values_raise_a_plain_forecast_error(kwargs: dict, words: str) -> None:
    with pytest.raises(ForecastError, match=words.replace("(", r"\(")):
        ModelSettings(**kwargs)


def test_from_dict_rejects_unknown_keys_and_non_mappings() -> None:
    with pytest.raises(ForecastError, match="Unknown model settings: colour"):
        ModelSettings.from_dict({"colour": "red"})
    with pytest.raises(ForecastError, match="mapping"):
        ModelSettings.from_dict([1, 2])  # type: ignore[arg-type]


def test_settings_are_frozen() -> None:
    s = ModelSettings()
    with pytest.raises(AttributeError):
        s.layers = 3  # type: ignore[misc]
