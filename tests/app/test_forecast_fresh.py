"""Whether a finished forecast still matches the page: what changed since it was trained."""

from __future__ import annotations

from types import SimpleNamespace

from forecasting.choice import ChoiceSettings
from ui.forecast_fresh import BUNDLE, KEY_PARTS, _picked, changed, data_key_of, reshown


def _key(**changes: object) -> tuple[object, ...]:
    base = dict(zip(KEY_PARTS, ("file", "level 2", "{}", 6, None, "best", 0.8), strict=True))
    return tuple({**base, **changes}.values())


def test_the_same_request_changes_nothing() -> None:
    assert changed(_key(), _key()) == []


def test_each_changed_setting_is_named_in_the_controls_order() -> None:
    now = _key(**{"model shown": "lstm", "prediction interval": 0.9, "backtest cut-offs": 3})
    assert changed(_key(), now) == ["backtest cut-offs", "model shown", "prediction interval"]


def test_a_loaded_models_run_ignores_the_sliders_but_not_the_model_shown() -> None:
    loaded = (_key(), BUNDLE, "abc123")
    assert changed(loaded, _key(**{"model settings": '{"units": 8}'})) == []
    assert changed(loaded, _key(**{"model shown": "naive"})) == ["model shown"]


def test_the_data_key_is_read_from_the_run_and_is_none_when_missing() -> None:
    assert data_key_of(SimpleNamespace(data_key=("file", "map"))) == ("file", "map")
    assert data_key_of(SimpleNamespace(key=("file",))) is None
    assert data_key_of(None) is None


def test_a_new_pick_is_written_into_the_key_of_a_run_and_of_a_loaded_models_run() -> None:
    now = _key(**{"model shown": "naive", "prediction interval": 0.6, "model settings": "x"})
    assert _picked(_key(), now) == _key(**{"model shown": "naive", "prediction interval": 0.6})
    loaded = (_key(), BUNDLE, "abc")
    assert _picked(loaded, now) == (
        _key(**{"model shown": "naive", "prediction interval": 0.6}),
        BUNDLE,
        "abc",
    )


def test_only_a_changed_pick_of_a_run_that_kept_its_parts_is_shown_again() -> None:
    kept_nothing = SimpleNamespace(key=_key(), run=SimpleNamespace(parts=None))
    pick = ChoiceSettings("naive", 0.8)
    assert reshown(kept_nothing, _key(), pick) is None  # nothing changed
    assert reshown(kept_nothing, _key(**{"model shown": "naive"}), pick) is None  # cannot
    assert reshown(kept_nothing, _key(**{"backtest cut-offs": 2}), pick) is None  # needs training
