"""Model settings: one frozen dataclass shared by the app, the CLI, training and saved bundles."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from forecasting.errors import ForecastError

SCALERS = ("standard", "minmax", "window", "es")
LOSSES = ("mse", "mae", "huber")


@dataclass(frozen=True)
class ModelSettings:
    """Everything that shapes an LSTM ensemble; validated on creation.

    A value of 0 means automatic for ``lookback``, ``horizon``, ``units``, ``learning_rate`` and
    ``batch_size``. Lookback and horizon then follow the data's frequency and length, and
    lookback, units and learning rate are chosen from a small grid on an inner validation split
    within a budget of ``tune_seconds`` estimated (not clocked) training seconds, so the choice
    does not depend on the machine's load (``forecasting.autoconfig``, ``forecasting.tuning`` and
    ``forecasting.train_cost``; 0 takes the grid's first point without a search).
    ``batch_size=0``: 32 windows per batch up to 4,096 training windows, then larger batches so
    that an epoch stays about 128 batches
    (``training.auto_batch_size``). ``scaler="es"`` is the exponential-smoothing normaliser
    (``forecasting.smoothing``); ``calendar`` adds the period's position in its season as inputs
    (``forecasting.calendar``); ``log_positive`` models the nodes whose training values are all
    above zero in logs (``forecasting.scaling``); ``loss`` is the training loss (MAE by default:
    the errors are judged by their absolute size, MASE). ``lookbacks`` spreads the members over
    that many lookbacks: the chosen one, then one twice as long, then one half as long, each only
    where every node's history allows it (``autoconfig.member_lookbacks``); member ``m`` takes the
    ``m``-th of them in turn, so ``members`` counts every network. The defaults were tuned on the
    forecast development suite (``../shared/forecast-bench``), never on the sample portfolio.

    Raises:
        ForecastError: a value is out of its range, with the allowed range in the message.
    """

    layers: int = 1
    units: int = 0
    dropout: float = 0.0
    lookback: int = 0
    lookbacks: int = 3
    horizon: int = 0
    epochs: int = 60
    batch_size: int = 0
    learning_rate: float = 0.0
    patience: int = 10
    refit: bool = False
    scaler: Literal["standard", "minmax", "window", "es"] = "es"
    difference: bool = False
    calendar: bool = True
    log_positive: bool = False
    tune_seconds: float = 30.0
    loss: Literal["mse", "mae", "huber"] = "mae"
    members: int = 6
    seed: int = 7
    val_fraction: float = 0.2
    quantiles: tuple[float, float] = (0.1, 0.9)
    target: str = "variance"
    covariate: str = "planned"

    def __post_init__(self) -> None:
        def _int(name: str, lo: int, hi: int) -> None:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise ForecastError(
                    f"Model setting '{name}' must be a whole number from {lo} to {hi} "
                    f"(got {value!r})."
                )

        def _float(name: str, lo: float, hi: float, *, open_lo: bool = False) -> None:
            value = getattr(self, name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(value) and (lo < value if open_lo else lo <= value)
            if not ok or value > hi:
                low = f"above {lo}" if open_lo else f"from {lo}"
                raise ForecastError(
                    f"Model setting '{name}' must be a number {low} to {hi} (got {value!r})."
                )

        _int("layers", 1, 3)
        _int("units", 0, 1024)
        _float("dropout", 0.0, 0.9)
        _int("lookback", 0, 520)
        _int("lookbacks", 1, 3)
        _int("horizon", 0, 120)
        _int("epochs", 1, 10_000)
        _int("batch_size", 0, 65_536)
        _float("learning_rate", 0.0, 1.0)
        _float("tune_seconds", 0.0, 3600.0)
        _int("patience", 0, 10_000)
        _int("members", 1, 50)
        _int("seed", 0, 2**31 - 1 - 50)
        _float("val_fraction", 0.0, 0.5)
        if self.scaler not in SCALERS:
            raise ForecastError(
                f"Model setting 'scaler' must be one of {', '.join(SCALERS)} (got {self.scaler!r})."
            )
        if self.loss not in LOSSES:
            raise ForecastError(
                f"Model setting 'loss' must be one of {', '.join(LOSSES)} (got {self.loss!r})."
            )
        for name in ("difference", "calendar", "log_positive", "refit"):
            if not isinstance(getattr(self, name), bool):
                raise ForecastError(
                    f"Model setting '{name}' must be true or false (got {getattr(self, name)!r})."
                )
        q = tuple(self.quantiles)
        if (
            len(q) != 2
            or not all(isinstance(v, int | float) and math.isfinite(v) for v in q)
            or not 0.0 < q[0] < q[1] < 1.0
        ):
            raise ForecastError(
                "Model setting 'quantiles' must be two numbers between 0 and 1, lower first "
                f"(got {self.quantiles!r})."
            )
        object.__setattr__(self, "quantiles", (float(q[0]), float(q[1])))
        for name in ("target", "covariate"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ForecastError(
                    f"Model setting '{name}' must be a column name (got {value!r})."
                )
        if self.target == self.covariate:
            raise ForecastError(
                "Model settings 'target' and 'covariate' must be different columns."
            )

    @property
    def automatic(self) -> tuple[str, ...]:
        """Names of the settings left to the data (value 0): lookback, horizon, units, rate."""
        names = ("lookback", "horizon", "units", "learning_rate")
        return tuple(n for n in names if getattr(self, n) == 0)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (quantiles as a list)."""
        d = asdict(self)
        d["quantiles"] = list(self.quantiles)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelSettings:
        """Rebuild from :meth:`to_dict` output; unknown keys are an error, missing keys default.

        Raises:
            ForecastError: not a dict, unknown keys, or invalid values.
        """
        if not isinstance(d, dict):
            raise ForecastError("Model settings must be a mapping of names to values.")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ForecastError(f"Unknown model settings: {', '.join(unknown)}.")
        kwargs = dict(d)
        if "quantiles" in kwargs:
            q = kwargs["quantiles"]
            if not isinstance(q, list | tuple):
                raise ForecastError(f"Model setting 'quantiles' must be two numbers (got {q!r}).")
            kwargs["quantiles"] = tuple(q)
        return cls(**kwargs)
