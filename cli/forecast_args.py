"""The flags of ``cost-drift forecast`` and the model settings they describe.

Every user-facing field of ``forecasting.settings.ModelSettings`` has a flag (``SETTING_FLAGS``;
``target`` and ``covariate`` are the columns the workflow feeds, not a choice). The flags default
to None, so that a setting not given keeps the dataclass's default, and their help texts quote the
defaults read from ``ModelSettings()`` and ``ChoiceSettings()``: a default is typed once, in the
core.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields

from cli import flag_checks
from forecasting.choice import MODEL_CHOICES, ChoiceSettings
from forecasting.executor import DEFAULT_LOCAL_WORKERS
from forecasting.settings import LOSSES, SCALERS, ModelSettings
from portfolio.errors import InputError
from workflows.forecast_request import DEFAULT_LEVEL_MAX_NODES, ForecastChoices

_D = ModelSettings()
_C = ChoiceSettings()
# ModelSettings fields that are not the analyst's choice: the workflow names the columns.
INTERNAL_FIELDS = ("target", "covariate")
RECONCILE_METHODS = ("ols", "wls", "mint")


@dataclass(frozen=True)
class SettingFlag:
    """One model-setting flag: the ``ModelSettings`` field, its metavar, what it means, and its
    choices (None: a number or a switch, typed by the field's default)."""

    field: str
    metavar: str | None
    text: str
    choices: tuple[str, ...] | None = None

    @property
    def flag(self) -> str:
        """The flag's name on the command line (``--batch-size`` for ``batch_size``)."""
        return "--" + self.field.replace("_", "-")


SETTING_FLAGS: tuple[SettingFlag, ...] = (
    SettingFlag("layers", "N", "stacked LSTM layers, 1-3"),
    SettingFlag("units", "N", "units per LSTM layer; 0 = automatic (tuned)"),
    SettingFlag("dropout", "P", "dropout, 0-0.9"),
    SettingFlag(
        "lookback", "L", "periods of history per window; 0 = automatic (by the file, then tuned)"
    ),
    SettingFlag(
        "lookbacks",
        "N",
        "lookbacks the networks take turns at, 1-3: the chosen one, twice it, half of it",
    ),
    SettingFlag("horizon", "H", "periods ahead; 0 = automatic (by the file's frequency)"),
    SettingFlag("epochs", "N", "maximum training epochs"),
    SettingFlag("patience", "N", "early stopping: epochs without a better validation loss"),
    SettingFlag("refit", None, "train again on every window for the epochs early stopping chose"),
    SettingFlag("batch_size", "N", "windows per batch; 0 = automatic"),
    SettingFlag("learning_rate", "LR", "Adam learning rate; 0 = automatic (tuned)"),
    SettingFlag(
        "tune_seconds",
        "S",
        "budget in seconds of the search for the automatic settings; 0 = no search (the grid's "
        "first point)",
    ),
    SettingFlag(
        "scaler",
        None,
        "per-node normaliser (es: exponential-smoothing level and season)",
        SCALERS,
    ),
    SettingFlag("loss", None, "training loss", LOSSES),
    SettingFlag("members", "N", "networks in the ensemble"),
    SettingFlag("seed", "S", "first network's seed (the others follow it)"),
    SettingFlag(
        "val_fraction", "F", "share of the training windows kept for early stopping, 0-0.5"
    ),
    SettingFlag("difference", None, "model period-to-period changes instead of levels"),
    SettingFlag("calendar", None, "the period's position in its season as inputs"),
    SettingFlag("log_positive", None, "model the nodes whose history is all above zero in logs"),
)


def default_text(name: str) -> str:
    """A ``ModelSettings`` default as the help text quotes it (switches as on/off)."""
    value = getattr(_D, name)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return " ".join(f"{v:g}" for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _add_setting(group: argparse._ArgumentGroup, spec: SettingFlag) -> None:
    default = getattr(_D, spec.field)
    text = f"{spec.text} (default: {default_text(spec.field)})"
    if isinstance(default, bool):
        group.add_argument(
            spec.flag, action=argparse.BooleanOptionalAction, default=None, help=text
        )
    elif spec.choices is not None:
        group.add_argument(spec.flag, choices=spec.choices, default=None, help=text)
    else:
        kind = float if isinstance(default, float) else int
        group.add_argument(spec.flag, type=kind, default=None, metavar=spec.metavar, help=text)


def add_what_args(parser: argparse.ArgumentParser) -> None:
    """What to forecast: level or node, backtest, the model shown, its band, reconciliation."""
    g = parser.add_argument_group("what to forecast")
    g.add_argument(
        "--level",
        type=int,
        default=None,
        metavar="N",
        help="hierarchy level to model, 0 = whole portfolio (default: the deepest level with at "
        f"most {DEFAULT_LEVEL_MAX_NODES} nodes, as in the app)",
    )
    g.add_argument(
        "--node", default=None, metavar="ID", help="model this one node alone (its full path id)"
    )
    g.add_argument(
        "--backtest",
        type=int,
        default=ForecastChoices().backtest_k,
        metavar="K",
        help="rolling-origin cut-offs for the backtest, 0 for none (default: %(default)s)",
    )
    g.add_argument(
        "--model",
        choices=MODEL_CHOICES,
        default=_C.model,
        help="model shown: best = AutoARIMA at the whole level unless the backtest's most "
        "frequent winner beats it at significantly many nodes, or force one (default: %(default)s)",
    )
    g.add_argument(
        "--interval",
        type=float,
        default=round(_C.interval * 100.0, 6),
        metavar="PCT",
        help="nominal level of the calibrated band in percent, 50-95 (default: %(default)g)",
    )
    g.add_argument(
        "--reconcile",
        choices=RECONCILE_METHODS,
        default=None,
        help="model every level down to --level and reconcile them (default: bottom-up only)",
    )


def add_model_args(parser: argparse.ArgumentParser) -> None:
    """One flag per user-facing ``ModelSettings`` field (``SETTING_FLAGS``)."""
    automatic = ", ".join(name.replace("_", " ") for name in _D.automatic) or "none"
    m = parser.add_argument_group(
        "model",
        "defaults as in the app (forecasting.settings.ModelSettings); automatic now: "
        f"{automatic}, chosen from the file's frequency and length and an inner validation split",
    )
    for spec in SETTING_FLAGS:
        _add_setting(m, spec)
    m.add_argument(
        "--spread-quantiles",
        dest="quantiles",
        type=float,
        nargs=2,
        default=None,
        metavar=("LO", "HI"),
        help="quantiles of the networks' run-to-run spread (spread_lower, spread_upper) "
        f"(default: {default_text('quantiles')})",
    )


def add_run_args(parser: argparse.ArgumentParser) -> None:
    """Saved models and where to train."""
    s = parser.add_argument_group("saved models")
    s.add_argument("--save", default=None, metavar="DIR", help="save the trained ensemble to DIR")
    s.add_argument(
        "--load",
        default=None,
        metavar="PATH",
        help="use a saved ensemble instead of training: a folder written by --save or the .zip "
        "the app offers for download",
    )
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    x = parser.add_argument_group(
        "where to train",
        "the ensemble's networks are independent fits: train them here, one after another, or "
        "as Ray tasks (same seeds, same forecast)",
    )
    x.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="local: in this process (default); ray: one Ray task per network",
    )
    x.add_argument(
        "--ray-address",
        default=None,
        metavar="ADDR",
        help="a running Ray cluster (ray://HOST:10001 or HOST:6379); default: the "
        "COST_DRIFT_RAY_ADDRESS or RAY_ADDRESS environment variable, else a local Ray started "
        "for the run",
    )
    x.add_argument(
        "--ray-workers",
        type=int,
        default=DEFAULT_LOCAL_WORKERS,
        metavar="N",
        help="CPUs of a local Ray (default: %(default)s)",
    )


def check_load_flags(args: argparse.Namespace) -> None:
    """Refuse model flags beside ``--load`` (InputError): the saved model keeps its settings."""
    given = [spec.flag for spec in SETTING_FLAGS if getattr(args, spec.field) is not None]
    flag_checks.refuse_with_load(args, given + (["--spread-quantiles"] if args.quantiles else []))


def settings_from_args(args: argparse.Namespace) -> ModelSettings:
    """The model settings the flags describe (a flag not given keeps the dataclass default).

    Raises:
        ForecastError: a value out of its range (the message names the setting).
    """
    names = [spec.field for spec in SETTING_FLAGS] + ["quantiles"]
    overrides = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if "quantiles" in overrides:
        overrides["quantiles"] = tuple(overrides["quantiles"])
    return ModelSettings(**overrides)


def choices_from_args(args: argparse.Namespace) -> ForecastChoices:
    """What to forecast and which model to show, as the flags say.

    Raises:
        InputError: a negative ``--backtest``, ``--node`` beside ``--level``, or an
            ``--interval`` outside 50-95.
    """
    flag_checks.check_backtest(args.backtest)
    if args.node is not None and args.level is not None:
        raise InputError("--node models one node and --level a whole level: give one or the other.")
    if not 50.0 <= args.interval <= 95.0:
        raise InputError(f"--interval must be from 50 to 95 percent (got {args.interval:g}).")
    return ForecastChoices(
        level=args.level,
        node=args.node,
        backtest_k=args.backtest,
        reconcile=args.reconcile,
        choice=ChoiceSettings(model=args.model, interval=args.interval / 100.0),
    )


def user_fields() -> tuple[str, ...]:
    """The ``ModelSettings`` fields the analyst sets (every field but ``INTERNAL_FIELDS``)."""
    return tuple(f.name for f in fields(ModelSettings) if f.name not in INTERNAL_FIELDS)
