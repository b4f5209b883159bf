"""``cost-drift forecast``'s model flags: one per setting, help defaults read from the dataclasses,
and every flag reaching the forecast request (in process: the parser and the request builder)."""

from __future__ import annotations

import argparse
import re
from dataclasses import fields
from pathlib import Path

import pytest

from cli.forecast import request_from_args
from cli.forecast_args import INTERNAL_FIELDS, settings_from_args, user_fields
from cli.main import build_parser
from forecasting.choice import ChoiceSettings
from forecasting.errors import ForecastError
from forecasting.settings import ModelSettings
from workflows.forecast_request import ForecastChoices

REPO = Path(__file__).resolve().parents[2]
SAMPLE = str(REPO / "sample_data" / "sample_portfolio.csv")
_DEFAULT = re.compile(r"\(default: ([^()]*)\)$")


def _forecast_parser() -> argparse.ArgumentParser:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["forecast"]


def _actions() -> dict[str, argparse.Action]:
    return {a.dest: a for a in _forecast_parser()._actions}


def _quoted_default(action: argparse.Action) -> str:
    """The default the help text quotes, as the reader sees it (argparse's %-format applied)."""
    text = " ".join(str(action.help % {"default": action.default}).split())
    found = _DEFAULT.search(text)
    assert found, f"{action.option_strings}: no '(default: ...)' in {text!r}"
    return found.group(1)


def _parse_like(text: str, default: object) -> object:
    if isinstance(default, bool):
        assert text in ("on", "off"), text
        return text == "on"
    if isinstance(default, tuple):
        return tuple(float(v) for v in text.split())
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    return text


def test_every_user_facing_setting_has_a_flag() -> None:
    actions = _actions()
    names = {f.name for f in fields(ModelSettings)}
    assert set(user_fields()) == names - set(INTERNAL_FIELDS)
    missing = [name for name in user_fields() if name not in actions]
    assert not missing, f"ModelSettings fields without a flag: {missing}"
    assert actions["scaler"].choices is not None and "es" in actions["scaler"].choices
    assert set(actions["loss"].choices or ()) == {"mse", "mae", "huber"}


def test_help_quotes_the_dataclass_defaults() -> None:
    actions = _actions()
    defaults = ModelSettings()
    for name in user_fields():
        action = actions[name]
        quoted = _parse_like(_quoted_default(action), getattr(defaults, name))
        assert quoted == getattr(defaults, name), f"{action.option_strings}: help says {quoted}"
        assert action.default is None, "a setting not given must keep the dataclass default"
    choice = ChoiceSettings()
    assert float(_quoted_default(actions["interval"])) / 100 == pytest.approx(choice.interval)
    assert _quoted_default(actions["model"]) == choice.model
    assert int(_quoted_default(actions["backtest"])) == ForecastChoices().backtest_k
    # The group's description names no number: the defaults are in each flag's help only.
    group = next(g for g in _forecast_parser()._action_groups if g.title == "model")
    assert not re.search(r"\d", group.description or "")


def test_no_flags_give_the_dataclass_defaults() -> None:
    args = build_parser().parse_args(["forecast", SAMPLE])
    assert settings_from_args(args) == ModelSettings()
    choices = request_from_args(args).choice
    assert choices == ChoiceSettings()


def test_each_flag_reaches_the_request() -> None:
    flags = {
        "--layers": ("2", "layers", 2),
        "--units": ("8", "units", 8),
        "--dropout": ("0.25", "dropout", 0.25),
        "--lookback": ("5", "lookback", 5),
        "--horizon": ("3", "horizon", 3),
        "--epochs": ("4", "epochs", 4),
        "--patience": ("2", "patience", 2),
        "--batch-size": ("16", "batch_size", 16),
        "--learning-rate": ("0.002", "learning_rate", 0.002),
        "--tune-seconds": ("4.5", "tune_seconds", 4.5),
        "--scaler": ("minmax", "scaler", "minmax"),
        "--loss": ("huber", "loss", "huber"),
        "--members": ("3", "members", 3),
        "--seed": ("11", "seed", 11),
        "--val-fraction": ("0.3", "val_fraction", 0.3),
    }
    words = ["forecast", SAMPLE, "--model", "auto_ets", "--interval", "90"]
    for flag, (value, _, _) in flags.items():
        words += [flag, value]
    words += ["--difference", "--no-calendar", "--spread-quantiles", "0.2", "0.8"]
    request = request_from_args(build_parser().parse_args(words))
    for flag, (_, name, expected) in flags.items():
        assert getattr(request.settings, name) == expected, flag
    assert request.settings.difference is True and request.settings.calendar is False
    assert request.settings.quantiles == (0.2, 0.8)
    assert request.choice == ChoiceSettings(model="auto_ets", interval=0.9)
    assert len(request.future_periods()) == 3


def test_the_es_scaler_and_switching_off_the_defaults() -> None:
    args = build_parser().parse_args(
        ["forecast", SAMPLE, "--scaler", "es", "--calendar", "--no-difference"]
    )
    settings = request_from_args(args).settings
    assert settings.scaler == "es" and settings.calendar is True and settings.difference is False


def test_an_out_of_range_setting_is_refused_by_name() -> None:
    args = build_parser().parse_args(["forecast", SAMPLE, "--tune-seconds", "-1"])
    with pytest.raises(ForecastError, match="tune_seconds"):
        request_from_args(args)


def test_threshold_and_notes_help_say_their_defaults_rightly() -> None:
    from portfolio.alert_rule import AlertRule

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    alerts = {a.dest: a for a in sub.choices["alerts"]._actions}
    rule = AlertRule()
    assert alerts["amber"].default == rule.amber_pct and alerts["red"].default == rule.red_pct
    assert f"(default: {rule.amber_pct:g})" in alerts["amber"].help
    assert f"(default: {rule.red_pct:g})" in alerts["red"].help
    # `cost-drift notes` reads no file, so its --portfolio has no file name to default to
    notes = {a.dest: a for a in sub.choices["notes"]._actions}
    assert "file's name" not in notes["portfolio"].help and "required" in notes["portfolio"].help
    report = {a.dest: a for a in sub.choices["report"]._actions}
    assert "file's name" in report["portfolio"].help
